package emulator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// neverPolls writes a bootstrap that starts and never asks the Runtime API
// for work, as a runtime whose init hangs.
func neverPolls(t *testing.T) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 100000\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// A process that never polls has its invocation timed out from the
// hand-over, each retry too, until the service gives up; another execution
// of the same emulator waits 2 s of virtual time and still finishes (the
// clock stands while the stuck invocation is in flight, each for at most
// the function timeout of wall time).
func TestNeverPollingProcessTimesOut(t *testing.T) {
	const timeout = 500 * time.Millisecond
	_, lc := start(t, emulator.Config{FunctionTimeout: timeout, Functions: []emulator.Function{
		{Name: "stuck", Executable: neverPolls(t)},
		{Name: "waiter", Invoker: durable.Handle(waiter)},
	}})
	name := aws.String("never-polls")
	began := time.Now()
	stuck, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("stuck:live"), InvocationType: types.InvocationTypeEvent,
		DurableExecutionName: name, Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}

	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("waiter:live"), Payload: []byte(`2`)})
	if err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if out.FunctionError != nil || string(out.Payload) != `"a2"` {
		t.Fatalf("waiter: function error %q payload %s, want \"a2\"", aws.ToString(out.FunctionError), out.Payload)
	}

	// A synchronous invoke with the same name re-attaches and returns once
	// the service has given up.
	failed, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("stuck:live"), DurableExecutionName: name, Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(failed.FunctionError) != "Unhandled" || !strings.Contains(string(failed.Payload), "Sandbox.Timedout") {
		t.Errorf("stuck invoke: function error %q payload %s, want Unhandled Sandbox.Timedout", aws.ToString(failed.FunctionError), failed.Payload)
	}
	if took := time.Since(began); took < 5*timeout {
		t.Errorf("five timed-out invocations took %s, less than 5 x %s", took, timeout)
	}
	res := collect(t, lc, *stuck.DurableExecutionArn)
	if res.Status != types.ExecutionStatusFailed || len(res.Invocations) != 5 {
		t.Fatalf("status %s after %d invocations, want FAILED after 5", res.Status, len(res.Invocations))
	}
	for _, inv := range res.Invocations {
		if inv.Error == nil || aws.ToString(inv.Error.ErrorType) != "Sandbox.Timedout" || !strings.Contains(aws.ToString(inv.Error.ErrorMessage), "Task timed out after 0.50 seconds") {
			t.Errorf("invocation %d error %+v, want Sandbox.Timedout after 0.50 seconds", inv.Index, inv.Error)
		}
	}
}

// lateCheckpointer is an in-process function that hands its checkpoint
// token out, waits for release and then checkpoints, whatever happened in
// between, as a process that missed a stop would.
type lateCheckpointer struct {
	entered chan string // the token of the invocation, once it runs
	release chan struct{}
	result  chan error // the late checkpoint's error
}

func (l *lateCheckpointer) invoke(_ context.Context, env durable.Env, envelope []byte) ([]byte, error) {
	in, err := durable.DecodeInvocationInput(envelope)
	if err != nil {
		return nil, err
	}
	l.entered <- in.CheckpointToken
	<-l.release
	_, err = env.Client.CheckpointDurableExecution(context.Background(), &lambda.CheckpointDurableExecutionInput{
		DurableExecutionArn: aws.String(in.DurableExecutionArn),
		CheckpointToken:     aws.String(in.CheckpointToken),
		Updates: []types.OperationUpdate{{Id: aws.String("late"), Type: types.OperationTypeStep,
			Action: types.OperationActionStart, Name: aws.String("late"), SubType: aws.String("Step")}},
	})
	l.result <- err
	return []byte(`{"Status":"PENDING"}`), nil
}

// StopDurableExecution during an invocation takes effect at once, whether
// a process has the invocation or has not even asked for it; the
// invocation's later checkpoints are refused, and other executions of the
// emulator run meanwhile.
func TestStopDuringAnInvocation(t *testing.T) {
	late := &lateCheckpointer{entered: make(chan string, 1), release: make(chan struct{}), result: make(chan error, 1)}
	srv, lc := start(t, emulator.Config{FunctionTimeout: time.Minute, Functions: []emulator.Function{
		{Name: "stuck", Executable: neverPolls(t)},
		{Name: "late", Invoker: late.invoke},
		calculator(),
	}})
	handed := make(chan string, 1)
	emulator.SetInvocationHook(srv, func(arn string, _ int) {
		if strings.Contains(arn, ":function:stuck:") {
			handed <- arn
		}
	})
	stop := func(t *testing.T, arn string) {
		t.Helper()
		out, err := lc.StopDurableExecution(ctx(t), &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(arn),
			Error: &types.ErrorObject{ErrorType: aws.String("Test.Stop"), ErrorMessage: aws.String("stopped by the test")}})
		if err != nil || out.StopTimestamp == nil {
			t.Fatalf("stop: %v", err)
		}
		exec, err := lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
		if err != nil || exec.Status != types.ExecutionStatusStopped {
			t.Fatalf("right after the stop: status %v (%v), want STOPPED", exec.Status, err)
		}
		last, err := lc.GetDurableExecutionHistory(ctx(t), &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(arn), ReverseOrder: aws.Bool(true), MaxItems: 1})
		if err != nil || len(last.Events) != 1 || last.Events[0].EventType != types.EventTypeExecutionStopped {
			t.Fatalf("right after the stop the last event is %+v (%v), want ExecutionStopped", last, err)
		}
	}
	others := func(t *testing.T) {
		t.Helper()
		for i := range 4 {
			calculate(t, lc, i)
		}
	}
	finished := func(t *testing.T, arn string) *harness.Result {
		t.Helper()
		if err := srv.Wait(ctx(t), arn); err != nil {
			t.Fatal(err)
		}
		res := collect(t, lc, arn)
		if res.Status != types.ExecutionStatusStopped || len(res.Invocations) != 1 {
			t.Errorf("status %s after %d invocations, want STOPPED after 1", res.Status, len(res.Invocations))
		}
		if got := res.History[len(res.History)-1].EventType; got != types.EventTypeExecutionStopped {
			t.Errorf("the history ends with %s", got)
		}
		return res
	}

	t.Run("a process that never asked for the invocation", func(t *testing.T) {
		name := aws.String("stop-stuck")
		if _, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("stuck:live"), InvocationType: types.InvocationTypeEvent,
			DurableExecutionName: name, Payload: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		arn := <-handed
		others(t)
		began := time.Now()
		stop(t, arn)
		// The sync invoke re-attaches and answers the stop, long before the
		// one-minute function timeout.
		out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("stuck:live"), DurableExecutionName: name, Payload: []byte(`{}`)})
		if err != nil {
			t.Fatalf("re-attached invoke: %v", err)
		}
		if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Test.Stop") {
			t.Fatalf("re-attached invoke: function error %q payload %s, want Unhandled Test.Stop", aws.ToString(out.FunctionError), out.Payload)
		}
		if took := time.Since(began); took >= time.Minute {
			t.Errorf("the stop took %s: it waited for the function timeout", took)
		}
		finished(t, arn)
		if srv.Kill(arn) {
			t.Error("a process still runs the stopped execution's invocation")
		}
	})

	t.Run("a handler that checkpoints after the stop", func(t *testing.T) {
		out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("late:live"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(out.DurableExecutionArn)
		<-late.entered
		others(t)
		stop(t, arn)
		close(late.release)
		err = <-late.result
		expectAPIError[*types.InvalidParameterValueException](t, err, 400)
		if !strings.Contains(err.Error(), "Invalid Checkpoint Token") || !strings.Contains(err.Error(), "STOPPED") {
			t.Errorf("late checkpoint error %v, want the service's invalid-token error naming STOPPED", err)
		}
		res := finished(t, arn)
		if len(res.Operations) != 0 {
			t.Errorf("the late checkpoint left %d operations", len(res.Operations))
		}
	})
}
