package emulator_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// An in-process function that runs past its deadline fails its invocation
// with Sandbox.Timedout, as a process does, whatever it answers after the
// deadline (here the context's error, which was recorded as the handler's
// own failure before).
func TestInProcessFunctionPastItsDeadlineTimesOut(t *testing.T) {
	const timeout = 200 * time.Millisecond
	overruns := func(ctx context.Context, _ durable.Env, _ []byte) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	_, lc := start(t, emulator.Config{FunctionTimeout: timeout, Functions: []emulator.Function{{Name: "overruns", Invoker: overruns}}})
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("overruns:live"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Sandbox.Timedout") {
		t.Errorf("function error %q payload %s, want Unhandled Sandbox.Timedout", aws.ToString(out.FunctionError), out.Payload)
	}
	res := collect(t, lc, *out.DurableExecutionArn)
	if res.Status != types.ExecutionStatusFailed || len(res.Invocations) == 0 {
		t.Fatalf("status %s after %d invocations, want FAILED", res.Status, len(res.Invocations))
	}
	for _, inv := range res.Invocations {
		if inv.Error == nil || aws.ToString(inv.Error.ErrorType) != "Sandbox.Timedout" || !strings.Contains(aws.ToString(inv.Error.ErrorMessage), "Task timed out after 0.20 seconds") {
			t.Errorf("invocation %d error %+v, want Sandbox.Timedout after 0.20 seconds", inv.Index, inv.Error)
		}
	}
}
