package harness

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/service"
)

// oneOperation is a handler written against the service API by hand (the
// runtime's callbacks and invokes are not what is under test here): its
// first invocation checkpoints u and suspends; the next ones answer with
// finish(the operation).
func oneOperation(u types.OperationUpdate, finish func(op types.Operation) *durable.InvocationOutput) durable.Invoker {
	return func(ctx context.Context, env durable.Env, raw []byte) ([]byte, error) {
		in, err := durable.DecodeInvocationInput(raw)
		if err != nil {
			return nil, err
		}
		ops := in.InitialExecutionState.Operations
		if len(ops) > 1 {
			return durable.EncodeInvocationOutput(finish(ops[1]))
		}
		_, err = env.Client.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{
			DurableExecutionArn: aws.String(in.DurableExecutionArn),
			CheckpointToken:     aws.String(in.CheckpointToken),
			Updates:             []types.OperationUpdate{u},
		})
		if err != nil {
			return nil, err
		}
		return durable.EncodeInvocationOutput(&durable.InvocationOutput{Status: "PENDING"})
	}
}

// invokeOnce starts one chained invoke of function with payload and returns
// the target's result, or fails with its error.
func invokeOnce(function, payload string) durable.Invoker {
	return oneOperation(types.OperationUpdate{
		Id: aws.String("ci"), Type: types.OperationTypeChainedInvoke, SubType: aws.String("ChainedInvoke"),
		Action: types.OperationActionStart, Payload: aws.String(payload),
		ChainedInvokeOptions: &types.ChainedInvokeOptions{FunctionName: aws.String(function)},
	}, func(op types.Operation) *durable.InvocationOutput {
		d := op.ChainedInvokeDetails
		if op.Status != types.OperationStatusSucceeded {
			return &durable.InvocationOutput{Status: "FAILED", Error: d.Error}
		}
		return &durable.InvocationOutput{Status: "SUCCEEDED", Result: aws.ToString(d.Result)}
	})
}

type refusal struct{}

func (refusal) Error() string     { return "refused" }
func (refusal) ErrorType() string { return "RefusedError" }

func TestRunnerChainedInvokes(t *testing.T) {
	fns := Functions{
		"upper": {Durable: durable.Handle(func(ctx durable.Context, in string) (string, error) {
			if err := durable.Wait(ctx, "pause", 30*time.Second); err != nil {
				return "", err
			}
			return durable.Step(ctx, "up", func(durable.StepContext) (string, error) { return strings.ToUpper(in), nil })
		})},
		"echo":   {Plain: func(_ context.Context, p []byte) ([]byte, error) { return p, nil }},
		"refuse": {Plain: func(context.Context, []byte) ([]byte, error) { return nil, refusal{} }},
		"panics": {Plain: func(context.Context, []byte) ([]byte, error) { panic("oops") }},
	}
	for _, tc := range []struct {
		function, payload string
		status            types.ExecutionStatus
		result, errType   string
	}{
		{"echo", `"hi"`, types.ExecutionStatusSucceeded, `"hi"`, ""},
		{"upper:$LATEST", `"hi"`, types.ExecutionStatusSucceeded, `"HI"`, ""},
		{"refuse", `1`, types.ExecutionStatusFailed, "", "RefusedError"},
		{"panics", `1`, types.ExecutionStatusFailed, "", "errorString"},
		{"missing", `1`, types.ExecutionStatusFailed, "", "ResourceNotFoundException"},
	} {
		t.Run(tc.function, func(t *testing.T) {
			res := run(t, invokeOnce(tc.function, tc.payload), nil, WithFunctions(fns))
			res.RequireStatus(t, tc.status)
			if tc.result != "" && aws.ToString(res.Output) != tc.result {
				t.Fatalf("result %s, want %s", aws.ToString(res.Output), tc.result)
			}
			if tc.errType != "" && (res.Error == nil || aws.ToString(res.Error.ErrorType) != tc.errType) {
				t.Fatalf("error %+v, want ErrorType %s", res.Error, tc.errType)
			}
			if n := len(res.Invocations); n != 2 {
				t.Fatalf("%d invocations of the parent, want 2 (start, then the result)", n)
			}
		})
	}
}

// answerAll succeeds every callback it has not answered yet, delay after
// the callback started.
type answerAll struct {
	delay time.Duration
	seen  map[string]bool
}

func (a *answerAll) Suspended(ctx context.Context, b *service.Backend, arn string) error {
	st, err := b.State(arn)
	if err != nil {
		return err
	}
	for _, op := range st.Operations {
		if op.Type != types.OperationTypeCallback || a.seen[*op.Id] {
			continue
		}
		a.seen[*op.Id] = true
		id := op.CallbackDetails.CallbackId
		if err := b.Schedule(arn, op.StartTimestamp.Add(a.delay), func() {
			_, _ = b.SendDurableExecutionCallbackSuccess(ctx, &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: id, Result: []byte(`"yes"`)})
		}); err != nil {
			return err
		}
	}
	return nil
}

type failingActor struct{}

func (failingActor) Suspended(context.Context, *service.Backend, string) error {
	return errors.New("no answer for this callback")
}

func TestRunnerActor(t *testing.T) {
	waitForCallback := oneOperation(types.OperationUpdate{
		Id: aws.String("cb"), Type: types.OperationTypeCallback, SubType: aws.String("Callback"), Action: types.OperationActionStart,
		CallbackOptions: &types.CallbackOptions{TimeoutSeconds: 60},
	}, func(op types.Operation) *durable.InvocationOutput {
		if op.Status != types.OperationStatusSucceeded {
			return &durable.InvocationOutput{Status: "FAILED", Error: op.CallbackDetails.Error}
		}
		return &durable.InvocationOutput{Status: "SUCCEEDED", Result: aws.ToString(op.CallbackDetails.Result)}
	})
	res := run(t, waitForCallback, nil, WithActor(&answerAll{delay: 5 * time.Second, seen: map[string]bool{}}))
	res.RequireStatus(t, types.ExecutionStatusSucceeded)
	took := res.History[len(res.History)-1].EventTimestamp.Sub(*res.History[0].EventTimestamp)
	if aws.ToString(res.Output) != `"yes"` || took != 5*time.Second {
		t.Fatalf("result %s after %s, want \"yes\" after 5s of virtual time", aws.ToString(res.Output), took)
	}
	// without an actor the callback times out
	res = run(t, waitForCallback, nil)
	if res.Status != types.ExecutionStatusFailed || aws.ToString(res.Error.ErrorType) != "Callback.Timeout" {
		t.Fatalf("unanswered: %s %+v, want FAILED with Callback.Timeout", res.Status, res.Error)
	}
	// an actor's error stops the run
	_, err := NewLocalRunner(waitForCallback, WithActor(failingActor{})).Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("the actor's error must stop the run, got %v", err)
	}
}
