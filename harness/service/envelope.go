package service

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

// encodeEnvelope writes the invocation envelope the service sends a durable
// function: durable.InvocationInput as JSON, operation timestamps in epoch
// milliseconds. updated is nil on a first invocation, so the field is
// left out there.
func encodeEnvelope(arn, token string, ops []types.Operation, next *string, updated []string) []byte {
	data, err := durable.EncodeInvocationInput(&durable.InvocationInput{
		DurableExecutionArn:   arn,
		CheckpointToken:       token,
		InitialExecutionState: durable.InitialExecutionState{Operations: ops, NextMarker: aws.ToString(next)},
		UpdatedOperationIds:   updated,
	})
	if err != nil {
		// Operations hold only strings, integers and timestamps, which
		// always encode; an error here is a bug in the backend.
		panic("harness: encoding the invocation envelope: " + err.Error())
	}
	return data
}
