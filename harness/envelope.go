package harness

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

func encodeEnvelope(arn, token string, ops []types.Operation, next *string) ([]byte, error) {
	return durable.EncodeInvocationInput(&durable.InvocationInput{
		DurableExecutionArn: arn,
		CheckpointToken:     token,
		InitialExecutionState: durable.InitialExecutionState{
			Operations: ops,
			NextMarker: aws.ToString(next),
		},
	})
}
