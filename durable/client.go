package durable

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// CheckpointClient is the part of the Lambda API the runtime calls. The real
// *lambda.Client satisfies it as it is; the harness plugs in its fake.
type CheckpointClient interface {
	CheckpointDurableExecution(ctx context.Context, in *lambda.CheckpointDurableExecutionInput, optFns ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error)
	GetDurableExecutionState(ctx context.Context, in *lambda.GetDurableExecutionStateInput, optFns ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error)
}

var _ CheckpointClient = (*lambda.Client)(nil)
