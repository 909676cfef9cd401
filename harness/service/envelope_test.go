package service

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

// The envelope carries every member of every operation, awkward strings and
// millisecond timestamps included, back to the runtime unchanged.
func TestEnvelopeRoundTripsThroughTheRuntime(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	awkward := "quote\" back\\ <html> & ctl\x01\b\f\n\r\t é 😀 \u2028\u2029 end"
	errObj := &types.ErrorObject{ErrorType: aws.String("E<"), ErrorMessage: aws.String(awkward), ErrorData: aws.String(""), StackTrace: []string{"a", awkward}}
	ops := []types.Operation{
		{Id: aws.String("exec"), Type: types.OperationTypeExecution, Status: types.OperationStatusStarted, StartTimestamp: &at,
			ExecutionDetails: &types.ExecutionDetails{InputPayload: aws.String(awkward)}},
		{Id: aws.String("s"), ParentId: aws.String("c"), Name: aws.String("n"), Type: types.OperationTypeStep, SubType: aws.String("Step"),
			Status: types.OperationStatusPending, StartTimestamp: &at, EndTimestamp: &at,
			StepDetails: &types.StepDetails{Attempt: 3, Error: errObj, NextAttemptTimestamp: &at, Result: aws.String(`{"x":1}`)}},
		{Id: aws.String("c"), Type: types.OperationTypeContext, ContextDetails: &types.ContextDetails{ReplayChildren: aws.Bool(false), Result: aws.String("1")}},
		{Id: aws.String("w"), Type: types.OperationTypeWait, WaitDetails: &types.WaitDetails{ScheduledEndTimestamp: &at}},
	}
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/n/i"
	for _, next := range []*string{nil, aws.String("marker==")} {
		in, err := durable.DecodeInvocationInput(encodeEnvelope(arn, "tok+/=", ops, next, nil))
		if err != nil {
			t.Fatal(err)
		}
		if in.DurableExecutionArn != arn || in.CheckpointToken != "tok+/=" || in.InitialExecutionState.NextMarker != aws.ToString(next) {
			t.Fatalf("envelope header = %+v", in)
		}
		if !reflect.DeepEqual(in.InitialExecutionState.Operations, ops) {
			t.Fatalf("operations changed on the way:\n got %+v\nwant %+v", in.InitialExecutionState.Operations, ops)
		}
	}
}
