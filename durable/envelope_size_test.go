package durable_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

// TestEnvelopeEncodesInOneAllocation: EncodeInvocationInput sizes its
// buffer from the envelope up front, so the text never outgrows it, even
// with payloads made of characters JSON escapes.
func TestEnvelopeEncodesInOneAllocation(t *testing.T) {
	at := time.UnixMilli(1796576455994).UTC()
	quoted := strings.Repeat(`{"k":"v"}`, 40)
	errObj := &types.ErrorObject{ErrorType: aws.String("Boom"), ErrorMessage: aws.String(quoted), ErrorData: aws.String(quoted), StackTrace: []string{"a.go:1", quoted}}
	arn := "arn:aws:lambda:us-east-1:123456789012:function:calculator:$LATEST/durable-execution/0f803d12-8c85-4051-82b8-15691f60b37f/8ea34400-85c7-4617-8e8e-59ae38224b93"
	exec := types.Operation{
		Id: aws.String("8ea34400-85c7-4617-8e8e-59ae38224b93"), Name: aws.String("0f803d12-8c85-4051-82b8-15691f60b37f"),
		Type: types.OperationTypeExecution, Status: types.OperationStatusStarted, StartTimestamp: &at,
		ExecutionDetails: &types.ExecutionDetails{InputPayload: aws.String(`{"num1":10,"num2":0}`)},
	}
	child := func(typ types.OperationType, sub string) types.Operation {
		return types.Operation{
			Id: aws.String("101abf1a8583d94f7080be4f4e0d1f2b"), ParentId: aws.String("a68c8969938b5822836dbc791f09c28d"), Name: aws.String("division"),
			Type: typ, SubType: aws.String(sub), Status: types.OperationStatusFailed, StartTimestamp: &at, EndTimestamp: &at,
		}
	}
	step, ctxOp, wait, cb, chained := child(types.OperationTypeStep, "Step"), child(types.OperationTypeContext, "ParallelBranch"), child(types.OperationTypeWait, "Wait"), child(types.OperationTypeCallback, "Callback"), child(types.OperationTypeChainedInvoke, "ChainedInvoke")
	step.StepDetails = &types.StepDetails{Attempt: 3, NextAttemptTimestamp: &at, Result: aws.String(quoted), Error: errObj}
	ctxOp.ContextDetails = &types.ContextDetails{Result: aws.String(quoted), Error: errObj, ReplayChildren: aws.Bool(true)}
	wait.WaitDetails = &types.WaitDetails{ScheduledEndTimestamp: &at}
	cb.CallbackDetails = &types.CallbackDetails{CallbackId: aws.String("cb-1"), Result: aws.String(quoted), Error: errObj}
	chained.ChainedInvokeDetails = &types.ChainedInvokeDetails{Result: aws.String(quoted), Error: errObj}
	for name, in := range map[string]*durable.InvocationInput{
		"first invocation": {DurableExecutionArn: arn, CheckpointToken: "dG9rZW4tMDEyMzQ1Njc4OWFiY2RlZg:1/1", InitialExecutionState: durable.InitialExecutionState{Operations: []types.Operation{exec}}},
		"every detail": {
			DurableExecutionArn: arn, CheckpointToken: "t",
			InitialExecutionState: durable.InitialExecutionState{Operations: []types.Operation{exec, step, ctxOp, wait, cb, chained}, NextMarker: "m-2"},
			UpdatedOperationIds:   []string{"101abf1a8583d94f7080be4f4e0d1f2b", "a68c8969938b5822836dbc791f09c28d"},
		},
	} {
		if _, err := durable.EncodeInvocationInput(in); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := testing.AllocsPerRun(20, func() { _, _ = durable.EncodeInvocationInput(in) }); n != 1 {
			t.Errorf("%s: %v allocations per envelope, want 1 (the buffer outgrew its estimate, or a value was boxed)", name, n)
		}
	}
}
