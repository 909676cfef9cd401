package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// executionView is what a client can read of an execution: its status,
// its operations and its history, as JSON so two reads compare whole.
func executionView(ctx context.Context, lc *lambda.Client, arn, token string) (string, error) {
	ex, err := lc.GetDurableExecution(ctx, &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
	if err != nil {
		return "", err
	}
	st, err := lc.GetDurableExecutionState(ctx, &lambda.GetDurableExecutionStateInput{DurableExecutionArn: aws.String(arn), CheckpointToken: aws.String(token)})
	if err != nil {
		return "", err
	}
	h, err := lc.GetDurableExecutionHistory(ctx, &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(arn), MaxItems: 1000})
	if err != nil {
		return "", err
	}
	raw, err := json.Marshal(struct {
		Status     types.ExecutionStatus
		Operations []types.Operation
		Events     []types.Event
	}{ex.Status, st.Operations, h.Events})
	return string(raw), err
}

// TestThrottleFaultAppliesNothing: the call a throttle fault refuses gets
// HTTP 429 TooManyRequestsException before the service applies any of it.
// A client that reads the execution instead of resending finds its status,
// operations, history and checkpoint token exactly as before the call, and
// the token still carries the resent batch.
func TestThrottleFaultAppliesNothing(t *testing.T) {
	var lc *lambda.Client // the handler's own client, without retries, so the 429 reaches it
	handler := func(ctx context.Context, _ durable.Env, envelope []byte) ([]byte, error) {
		in, err := durable.DecodeInvocationInput(envelope)
		if err != nil {
			return nil, err
		}
		arn := in.DurableExecutionArn
		checkpoint := func(token string, updates ...types.OperationUpdate) (*lambda.CheckpointDurableExecutionOutput, error) {
			return lc.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{DurableExecutionArn: aws.String(arn), CheckpointToken: aws.String(token), Updates: updates})
		}
		step := func(id string, action types.OperationAction) types.OperationUpdate {
			u := types.OperationUpdate{Id: aws.String(id), Name: aws.String(id), Type: types.OperationTypeStep, SubType: aws.String("Step"), Action: action}
			if action == types.OperationActionSucceed {
				u.Payload = aws.String(`"` + id + `"`)
			}
			return u
		}
		failed := func(format string, args ...any) ([]byte, error) {
			t.Errorf(format, args...)
			return []byte(`{"Status":"FAILED","Error":{"ErrorType":"TestFailed"}}`), nil
		}

		first, err := checkpoint(in.CheckpointToken, step("a", types.OperationActionStart)) // call 1
		if err != nil {
			return failed("call 1: %v", err)
		}
		token := aws.ToString(first.CheckpointToken)
		before, err := executionView(ctx, lc, arn, token)
		if err != nil {
			return failed("reading the execution before call 2: %v", err)
		}
		batch := []types.OperationUpdate{step("a", types.OperationActionSucceed), step("b", types.OperationActionStart), step("b", types.OperationActionSucceed)}
		_, err = checkpoint(token, batch...) // call 2: throttled
		var tooMany *types.TooManyRequestsException
		var re *awshttp.ResponseError
		if !errors.As(err, &tooMany) || !errors.As(err, &re) || re.HTTPStatusCode() != 429 {
			return failed("call 2: %v, want HTTP 429 TooManyRequestsException", err)
		}
		after, err := executionView(ctx, lc, arn, token)
		if err != nil {
			return failed("reading the execution after the 429 with the token from before it: %v", err)
		}
		if after != before {
			return failed("the refused call changed the execution:\nbefore %s\nafter  %s", before, after)
		}
		if _, err := checkpoint(token, batch...); err != nil { // call 3: the resend
			return failed("resending the refused batch with the same token: %v", err)
		}
		return []byte(`{"Status":"SUCCEEDED","Result":"\"ok\""}`), nil
	}
	srv, elc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "raw", Invoker: handler}}})
	lc = client(t, srv.URL())
	out, err := elc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("raw:$LATEST")}, withFault("throttle@2"))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if out.FunctionError != nil {
		t.Fatalf("the handler failed: %s", out.Payload)
	}
	rep, _ := srv.Report(*out.DurableExecutionArn)
	if !rep.FaultApplied || rep.CheckpointCalls != 3 || rep.Invocations != 1 {
		t.Fatalf("report %+v: want the throttle applied, 3 checkpoint calls in 1 invocation", rep)
	}
	res := collect(t, elc, *out.DurableExecutionArn)
	var steps []string
	for _, ev := range res.History {
		if ev.EventType == types.EventTypeStepStarted || ev.EventType == types.EventTypeStepSucceeded {
			steps = append(steps, string(ev.EventType)+" "+aws.ToString(ev.Name))
		}
	}
	if got, _ := json.Marshal(steps); string(got) != `["StepStarted a","StepSucceeded a","StepStarted b","StepSucceeded b"]` {
		t.Fatalf("step events %s: the resent batch must be applied once", got)
	}
}
