package emulator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
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
// hand-over, each retry too, until the service gives up; meanwhile another
// execution of the same emulator waits 2 s of virtual time and finishes.
func TestNeverPollingProcessTimesOutAndHoldsNoOneUp(t *testing.T) {
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
	if err != nil || out.FunctionError != nil || string(out.Payload) != `"a2"` {
		t.Fatalf("waiter: %v %s", err, out.Payload)
	}
	running, err := lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: stuck.DurableExecutionArn})
	if err != nil || running.Status != types.ExecutionStatusRunning {
		t.Fatalf("the stuck execution is %v (%v) when the waiter has finished, want RUNNING: it held the waiter up", running.Status, err)
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
