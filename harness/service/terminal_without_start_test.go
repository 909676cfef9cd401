package service

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// A SUCCEED, FAIL or RETRY for a step or context never STARTed is accepted,
// as the official service accepts it: the operation is created in its final
// state and the history has no Started event for it.
func TestTerminalActionWithoutStart(t *testing.T) {
	cases := []struct {
		name   string
		update types.OperationUpdate
		status types.OperationStatus
		events []types.EventType
	}{
		{"STEP SUCCEED", stepSucceed("a", `"x"`), types.OperationStatusSucceeded, []types.EventType{types.EventTypeStepSucceeded}},
		{"STEP FAIL", stepFail("a", "E", "m"), types.OperationStatusFailed, []types.EventType{types.EventTypeStepFailed}},
		{"STEP RETRY", stepRetry("a", "E", "m", 5), types.OperationStatusPending, []types.EventType{types.EventTypeStepFailed}},
		{"CONTEXT SUCCEED", ctxSucceed("a", `"x"`), types.OperationStatusSucceeded, []types.EventType{types.EventTypeContextSucceeded}},
		{"CONTEXT FAIL", ctxFail("a", "E", "m"), types.OperationStatusFailed, []types.EventType{types.EventTypeContextFailed}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSession(t, "null")
			before := len(s.history())
			s.checkpoint(tc.update)
			var got []types.EventType
			for _, ev := range s.history()[before:] {
				got = append(got, ev.EventType)
			}
			if !slices.Equal(got, tc.events) {
				t.Errorf("events %v, want %v (no Started event)", got, tc.events)
			}
			var op *types.Operation
			for _, o := range s.state() {
				if aws.ToString(o.Id) == "a" {
					op = &o
				}
			}
			if op == nil {
				t.Fatal("the operation was not created")
			}
			if op.Status != tc.status {
				t.Errorf("status %s, want %s", op.Status, tc.status)
			}
			if op.Type == types.OperationTypeStep && (op.StepDetails == nil || op.StepDetails.Attempt != 1) {
				t.Errorf("step details %+v, want attempt 1", op.StepDetails)
			}
			// Once terminal, the usual state machine holds.
			if tc.status != types.OperationStatusPending {
				_, err := s.try(tc.update)
				wantServiceError[*types.InvalidParameterValueException](t, err, "it is "+string(tc.status))
			}
		})
	}
}
