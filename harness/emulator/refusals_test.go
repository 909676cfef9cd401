package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// refuser stands for an SDK that sends a checkpoint the service refuses (a
// SUCCEED of a WAIT) and then gives up on the invocation.
func refuser(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
	in, err := durable.DecodeInvocationInput(envelope)
	if err != nil {
		return nil, err
	}
	_, err = env.Client.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{
		DurableExecutionArn: aws.String(in.DurableExecutionArn),
		CheckpointToken:     aws.String(in.CheckpointToken),
		Updates:             []types.OperationUpdate{{Id: aws.String("w1"), Type: types.OperationTypeWait, Action: types.OperationActionSucceed, Name: aws.String("nap")}},
	})
	if err == nil {
		err = errors.New("the checkpoint was accepted")
	}
	return nil, err
}

// invokeAndInspect serves cfg's one function, invokes it synchronously, and
// returns the emulator's report and the execution.
func invokeAndInspect(t *testing.T, cfg emulator.Config) (*emulator.ExecutionReport, *lambda.GetDurableExecutionOutput) {
	t.Helper()
	srv, lc := start(t, cfg)
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String(cfg.Functions[0].Name + ":$LATEST"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := emulator.Inspect(ctx(t), nil, srv.URL(), aws.ToString(out.DurableExecutionArn))
	if err != nil {
		t.Fatal(err)
	}
	exec, err := lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: out.DurableExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	return rep, exec
}

// TestReportNamesRefusedCheckpoints: the report keeps each checkpoint call
// the service refused (call, invocation, updates, error), and Cause puts the
// refusal beside the execution's own error.
func TestReportNamesRefusedCheckpoints(t *testing.T) {
	t.Parallel()
	rep, exec := invokeAndInspect(t, emulator.Config{Functions: []emulator.Function{{Name: "refuser", Invoker: refuser}}})
	if len(rep.Refused) != rep.CheckpointCalls || rep.CheckpointCalls < 2 {
		t.Fatalf("%d refused of %d calls, want every call refused: %+v", len(rep.Refused), rep.CheckpointCalls, rep.Refused)
	}
	first := rep.Refused[0]
	want := emulator.RefusedCall{Call: 1, Invocation: 1, Updates: `WAIT SUCCEED "nap" (id w1)`,
		Error: "InvalidParameterValueException: Updates[0]: action SUCCEED is not allowed for a WAIT operation"}
	if first != want {
		t.Errorf("first refusal %+v\nwant %+v", first, want)
	}
	cause := rep.Cause(exec.Status, exec.Error)
	last := rep.Refused[len(rep.Refused)-1]
	prefix := "the service refused " + last.String() + fmt.Sprintf(" (%d refused calls in all); then %s: ", len(rep.Refused), aws.ToString(exec.Error.ErrorType))
	if !strings.HasPrefix(cause, prefix) {
		t.Errorf("cause %q\ndoes not start %q", cause, prefix)
	}
}

// TestCauseOfTheInvocationCap: an execution the emulator stops at its
// invocation cap says so in its cause.
func TestCauseOfTheInvocationCap(t *testing.T) {
	t.Parallel()
	waiter := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		for range 10 {
			if err := durable.Wait(ctx, "nap", time.Second); err != nil {
				return "", err
			}
		}
		return "done", nil
	})
	rep, exec := invokeAndInspect(t, emulator.Config{MaxInvocations: 3, Functions: []emulator.Function{{Name: "waiter", Invoker: waiter}}})
	want := "dpcheck.InvocationCap: the emulator stopped the execution after 3 invocations"
	if got := rep.Cause(exec.Status, exec.Error); exec.Status != types.ExecutionStatusStopped || got != want {
		t.Errorf("%s, cause %q; want STOPPED, %q", exec.Status, got, want)
	}
	if got := rep.Cause(types.ExecutionStatusSucceeded, nil); got != "" {
		t.Errorf("the cause of a SUCCEEDED execution is %q, want none", got)
	}
}
