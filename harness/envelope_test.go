package harness

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

// The hand-written envelope encoder must write exactly what the reflective
// one writes, for every member and every awkward string.
func TestEnvelopeMatchesDurableEncoder(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	awkward := "quote\" back\\ <html> & ctl\x01\b\f\n\r\t é 😀 \u2028\u2029 bad\xff end"
	errObj := &types.ErrorObject{ErrorType: aws.String("E<"), ErrorMessage: aws.String(awkward), ErrorData: aws.String(""), StackTrace: []string{"a", awkward}}
	ops := []types.Operation{
		{Id: aws.String("exec"), Type: types.OperationTypeExecution, Status: types.OperationStatusStarted, StartTimestamp: &at,
			ExecutionDetails: &types.ExecutionDetails{InputPayload: aws.String(awkward)}},
		{Id: aws.String("s"), ParentId: aws.String("c"), Name: aws.String(""), Type: types.OperationTypeStep, SubType: aws.String("Step"),
			Status: types.OperationStatusPending, StartTimestamp: &at, EndTimestamp: &at,
			StepDetails: &types.StepDetails{Attempt: 3, Error: errObj, NextAttemptTimestamp: &at, Result: aws.String(`{"x":1}`)}},
		{Id: aws.String("fresh"), Type: types.OperationTypeStep, StepDetails: &types.StepDetails{}},
		{Id: aws.String("c"), Type: types.OperationTypeContext, ContextDetails: &types.ContextDetails{ReplayChildren: aws.Bool(false), Result: aws.String("1"), Error: &types.ErrorObject{}}},
		{Id: aws.String("w"), Type: types.OperationTypeWait, WaitDetails: &types.WaitDetails{ScheduledEndTimestamp: &at}},
		{Id: aws.String("cb"), Type: types.OperationTypeCallback, CallbackDetails: &types.CallbackDetails{CallbackId: aws.String("id/+="), Result: aws.String("r"), Error: errObj}},
		{Id: aws.String("ci"), Type: types.OperationTypeChainedInvoke, ChainedInvokeDetails: &types.ChainedInvokeDetails{Result: aws.String("r")}, WaitDetails: &types.WaitDetails{}},
		{},
	}
	for _, tc := range []struct {
		name string
		ops  []types.Operation
		next string
	}{
		{"every member", ops, "marker=="},
		{"no operations", nil, ""},
		{"empty operations", []types.Operation{}, ""},
	} {
		want, err := durable.EncodeInvocationInput(&durable.InvocationInput{
			DurableExecutionArn:   "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/n/i",
			CheckpointToken:       "tok+/=",
			InitialExecutionState: durable.InitialExecutionState{Operations: tc.ops, NextMarker: tc.next},
		})
		if err != nil {
			t.Fatal(err)
		}
		var next *string
		if tc.next != "" {
			next = &tc.next
		}
		got := encodeEnvelope("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/n/i", "tok+/=", tc.ops, next)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s:\n got %s\nwant %s", tc.name, got, want)
		}
	}
}
