package emulator_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// A synchronous invoke's handler drives the execution it starts; a client
// that gives up waiting does not stop it, as on Lambda.
func TestSyncInvokeRunsOnWhenTheClientLeaves(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	// The wait ends the first invocation, so the execution needs its
	// driver after the client has left.
	blocking := func(ctx durable.Context, _ any) (string, error) {
		if _, err := durable.Step(ctx, "block", func(durable.StepContext) (string, error) {
			close(entered)
			<-release
			return "", nil
		}); err != nil {
			return "", err
		}
		if err := durable.Wait(ctx, "pause", time.Second); err != nil {
			return "", err
		}
		return "done", nil
	}
	srv, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "blocking", Invoker: durable.Handle(blocking)}}})
	arns := make(chan string, 1)
	invocations := make(chan int, 2)
	emulator.SetInvocationHook(srv, func(arn string, index int) {
		if index == 1 {
			arns <- arn
		}
		invocations <- index
	})
	clientCtx, leave := context.WithCancel(ctx(t))
	invoked := make(chan error, 1)
	go func() {
		_, err := lc.Invoke(clientCtx, &lambda.InvokeInput{FunctionName: aws.String("blocking:live"), Payload: []byte(`{}`)})
		invoked <- err
	}()
	<-entered
	leave()
	if err := <-invoked; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client's invoke returned %v, want context.Canceled", err)
	}
	close(release)
	arn := <-arns
	if err := srv.Wait(ctx(t), arn); err != nil {
		t.Fatal(err)
	}
	if n := len(invocations); n != 2 {
		t.Errorf("%d invocations, want 2 (the second after the wait)", n)
	}
	out, err := lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != types.ExecutionStatusSucceeded || aws.ToString(out.Result) != `"done"` {
		t.Errorf("after the client left: status %v result %s, want SUCCEEDED with \"done\"", out.Status, aws.ToString(out.Result))
	}
}
