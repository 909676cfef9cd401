package service

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// A stop while an invocation is in flight takes effect at once: STOPPED,
// the invocation's InvocationCompleted then ExecutionStopped last, the
// invocation's token refused for checkpoints and state reads, and its late
// EndInvocation recording nothing.
func TestStopDuringAnInvocation(t *testing.T) {
	ctx := context.Background()
	s := newSession(t, "null")
	s.checkpoint(stepStart("a", "a", ""))
	token := s.token
	out, err := s.b.StopDurableExecution(ctx, &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(s.arn),
		Error: errObj("Test.Stop", "stopped by the test")})
	if err != nil {
		t.Fatal(err)
	}

	st, err := s.b.State(s.arn)
	if err != nil || st.Status != types.ExecutionStatusStopped || st.InFlight {
		t.Fatalf("after the stop: status %s in flight %v (%v), want STOPPED and no invocation", st.Status, st.InFlight, err)
	}
	if got, want := eventTypes(s.history()), "ExecutionStarted StepStarted InvocationCompleted ExecutionStopped"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	h := s.history()
	if stopped := h[len(h)-1]; !aws.ToTime(stopped.EventTimestamp).Equal(*out.StopTimestamp) ||
		aws.ToString(stopped.ExecutionStoppedDetails.Error.Payload.ErrorType) != "Test.Stop" {
		t.Errorf("ExecutionStopped %+v, want the stop's time and error", stopped)
	}

	_, err = s.try(stepSucceed("a", `"late"`))
	wantServiceError[*types.InvalidParameterValueException](t, err, "Invalid Checkpoint Token")
	_, err = s.b.GetDurableExecutionState(ctx, &lambda.GetDurableExecutionStateInput{DurableExecutionArn: aws.String(s.arn), CheckpointToken: aws.String(token)})
	wantServiceError[*types.InvalidParameterValueException](t, err, "STOPPED")

	if o := s.end(`{"Status":"SUCCEEDED","Result":"1"}`); o.Next != NextTerminal || o.Status != types.ExecutionStatusStopped {
		t.Fatalf("the late end of the stopped invocation: %+v, want terminal STOPPED", o)
	}
	if got := len(s.history()); got != 4 {
		t.Errorf("the late end wrote events: %d, want 4", got)
	}
	if _, err := s.b.BeginInvocation(s.arn); err == nil {
		t.Error("a stopped execution was invoked again")
	}
	if _, err := s.b.EndInvocation(s.arn, []byte(`{"Status":"PENDING"}`), nil); err == nil {
		t.Error("a second EndInvocation after the stop was accepted")
	}
}

// An execution whose EXECUTION update (or timeout) is already ending it
// cannot be stopped, and the refused stop changes nothing.
func TestStopWhileEnding(t *testing.T) {
	s := newSession(t, "null")
	s.checkpoint(types.OperationUpdate{Id: s.env.InitialExecutionState.Operations[0].Id, Type: types.OperationTypeExecution,
		Action: types.OperationActionSucceed, Payload: aws.String(`"done"`)})
	_, err := s.b.StopDurableExecution(context.Background(), &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(s.arn)})
	wantServiceError[*types.InvalidParameterValueException](t, err, "already ending (SUCCEEDED)")
	if o := s.end(`{"Status":"SUCCEEDED"}`); o.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("outcome %+v, want SUCCEEDED", o)
	}
	if got, want := eventTypes(s.history()), "ExecutionStarted InvocationCompleted ExecutionSucceeded"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
}
