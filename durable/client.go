package durable

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// CheckpointClient is the part of the Lambda API the runtime calls. The real
// *lambda.Client satisfies it as it is; the harness plugs in its fake.
// CheckpointDurableExecution may read its input (in.Updates too) only until
// it returns: once a call has succeeded the runtime uses the input and the
// batch's array again (after a failed call it does not).
type CheckpointClient interface {
	CheckpointDurableExecution(ctx context.Context, in *lambda.CheckpointDurableExecutionInput, optFns ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error)
	GetDurableExecutionState(ctx context.Context, in *lambda.GetDurableExecutionStateInput, optFns ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error)
}

var _ CheckpointClient = (*lambda.Client)(nil)
