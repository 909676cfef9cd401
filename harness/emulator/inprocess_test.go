package emulator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// waiter steps, waits the given number of seconds, and steps again.
func waiter(ctx durable.Context, seconds int) (string, error) {
	a, err := durable.Step(ctx, "before", func(durable.StepContext) (string, error) { return "a", nil })
	if err != nil {
		return "", err
	}
	if err := durable.Wait(ctx, "pause", time.Duration(seconds)*time.Second); err != nil {
		return "", err
	}
	return durable.Step(ctx, "after", func(durable.StepContext) (string, error) { return a + fmt.Sprint(seconds), nil })
}

// Virtual waits cost no wall-clock time, and concurrent executions each
// see their own wait's length pass.
func TestWaitsRunOnTheVirtualClock(t *testing.T) {
	_, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "waiter", Invoker: durable.Handle(waiter)}}})
	waits := []int{3600, 5, 86000, 60, 1, 7200, 30, 600}
	var wg sync.WaitGroup
	began := time.Now()
	for _, seconds := range waits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("waiter:$LATEST"), Payload: []byte(fmt.Sprint(seconds))})
			if err != nil || out.FunctionError != nil {
				t.Errorf("wait %d: %v %s", seconds, err, out.Payload)
				return
			}
			if want := fmt.Sprintf(`"a%d"`, seconds); string(out.Payload) != want {
				t.Errorf("wait %d: payload %s, want %s", seconds, out.Payload, want)
			}
			res := collect(t, lc, *out.DurableExecutionArn)
			if len(res.Invocations) != 2 {
				t.Errorf("wait %d: %d invocations, want 2", seconds, len(res.Invocations))
			}
			started, ended := res.History[0].EventTimestamp, res.History[len(res.History)-1].EventTimestamp
			if d := ended.Sub(*started); d < time.Duration(seconds)*time.Second {
				t.Errorf("wait %d: the execution lasted %s of virtual time", seconds, d)
			}
		}()
	}
	wg.Wait()
	if real := time.Since(began); real > 30*time.Second {
		t.Errorf("virtual waits took %s of wall-clock time", real)
	}
}

// A wait beyond the execution timeout ends the execution TIMED_OUT, and a
// synchronous invoke reports it as a function error.
func TestExecutionTimeout(t *testing.T) {
	_, lc := start(t, emulator.Config{Functions: []emulator.Function{
		{Name: "waiter", Invoker: durable.Handle(waiter), ExecutionTimeout: 300 * time.Second},
	}})
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("waiter:live"), Payload: []byte(`301`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Execution.TimedOut") {
		t.Errorf("got function error %q payload %s, want Unhandled Execution.TimedOut", aws.ToString(out.FunctionError), out.Payload)
	}
	exec, err := lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: out.DurableExecutionArn})
	if err != nil || exec.Status != types.ExecutionStatusTimedOut {
		t.Errorf("status %v, err %v, want TIMED_OUT", exec.Status, err)
	}
}

// An Event invoke answers 202 at once; the execution runs on and a stop
// ends it.
func TestEventInvokeAndStop(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	blocking := func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "block", func(durable.StepContext) (string, error) {
			close(entered)
			<-release
			return "done", nil
		})
	}
	_, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "blocking", Invoker: durable.Handle(blocking)}}})
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("blocking:live"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 202 || aws.ToString(out.DurableExecutionArn) == "" {
		t.Fatalf("Event invoke: status %d ARN %q", out.StatusCode, aws.ToString(out.DurableExecutionArn))
	}
	<-entered
	arn := out.DurableExecutionArn
	running, err := lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: arn})
	if err != nil || running.Status != types.ExecutionStatusRunning {
		t.Fatalf("status %v, err %v, want RUNNING", running.Status, err)
	}
	stop, err := lc.StopDurableExecution(ctx(t), &lambda.StopDurableExecutionInput{DurableExecutionArn: arn,
		Error: &types.ErrorObject{ErrorType: aws.String("Test.Stop"), ErrorMessage: aws.String("stopped by the test")}})
	if err != nil || stop.StopTimestamp == nil {
		t.Fatalf("stop: %v", err)
	}
	close(release)
	// A sync invoke with the same name re-attaches and reports the stop.
	list, err := lc.ListDurableExecutionsByFunction(ctx(t), &lambda.ListDurableExecutionsByFunctionInput{
		FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:blocking"), Statuses: []types.ExecutionStatus{types.ExecutionStatusStopped, types.ExecutionStatusRunning}})
	if err != nil || len(list.DurableExecutions) != 1 {
		t.Fatalf("list: %v %+v", err, list)
	}
	again, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("blocking:live"), Payload: []byte(`{}`),
		DurableExecutionName: list.DurableExecutions[0].DurableExecutionName})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(again.DurableExecutionArn) != aws.ToString(arn) || aws.ToString(again.FunctionError) != "Unhandled" || !strings.Contains(string(again.Payload), "Test.Stop") {
		t.Errorf("re-attached invoke: %s %q %s", aws.ToString(again.DurableExecutionArn), aws.ToString(again.FunctionError), again.Payload)
	}
	res := collect(t, lc, *arn)
	if res.Status != types.ExecutionStatusStopped {
		t.Errorf("status %s, want STOPPED", res.Status)
	}
}

// A function process that dies at once is restarted for every retry; the
// service gives up after five failed invocations.
func TestCrashingProcess(t *testing.T) {
	script := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "crasher", Executable: script}}})
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("crasher:live"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" {
		t.Errorf("function error %q, want Unhandled", aws.ToString(out.FunctionError))
	}
	res := collect(t, lc, *out.DurableExecutionArn)
	if res.Status != types.ExecutionStatusFailed || len(res.Invocations) != 5 {
		t.Fatalf("status %s after %d invocations, want FAILED after 5", res.Status, len(res.Invocations))
	}
	for _, inv := range res.Invocations {
		if inv.Error == nil || aws.ToString(inv.Error.ErrorType) != "Runtime.ExitError" || !strings.Contains(aws.ToString(inv.Error.ErrorMessage), "exit status 3") {
			t.Errorf("invocation %d error %+v, want Runtime.ExitError with exit status 3", inv.Index, inv.Error)
		}
	}
}
