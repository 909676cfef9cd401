package emulator_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"

	"github.com/dpcheck/dpcheck/harness/emulator"
)

// want503 checks err is the AWS-shaped 503 a shutting-down emulator answers.
func want503(t *testing.T, err error) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ServiceUnavailableException" || status(t, err) != 503 {
		t.Fatalf("error %v, want a 503 ServiceUnavailableException", err)
	}
}

// syncInvoke invokes function synchronously in the background and sends
// its answer.
func syncInvoke(lc *lambda.Client, function string) <-chan error {
	done := make(chan error, 1)
	go func() {
		out, err := lc.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(function + ":$LATEST"), Payload: []byte(`{}`)})
		if err == nil && out.FunctionError != nil {
			err = errors.New(string(out.Payload))
		}
		done <- err
	}()
	return done
}

// Drain refuses new executions with a 503 and waits for the running ones,
// whose API (callbacks, the synchronous answer) keeps working.
func TestDrainLetsRunningExecutionsEnd(t *testing.T) {
	t.Parallel()
	ids := make(chan string, 1)
	srv, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "approval", Invoker: approval(ids)}}})
	answer := syncInvoke(lc, "approval")
	id := <-ids
	drained := make(chan error, 1)
	go func() { drained <- srv.Drain(ctx(t)) }()
	<-emulator.Draining(srv) // else the Invoke below may start an execution first

	_, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("approval:$LATEST"), Payload: []byte(`{}`)})
	want503(t, err)
	select {
	case err := <-drained:
		t.Fatalf("Drain returned %v while an execution runs", err)
	default:
	}
	if _, err := lc.SendDurableExecutionCallbackSuccess(ctx(t), &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: aws.String(id), Result: []byte(`"yes"`)}); err != nil {
		t.Fatal(err)
	}
	if err := <-answer; err != nil {
		t.Errorf("the waiting Invoke: %v", err)
	}
	if err := <-drained; err != nil {
		t.Errorf("Drain: %v", err)
	}
}

// What the drain leaves running is answered with the 503 when the emulator
// closes.
func TestDrainTimeoutThen503(t *testing.T) {
	t.Parallel()
	ids := make(chan string, 1)
	srv, err := emulator.New(emulator.Config{Functions: []emulator.Function{{Name: "approval", Invoker: approval(ids)}}})
	if err != nil {
		t.Fatal(err)
	}
	lc := client(t, srv.URL())
	answer := syncInvoke(lc, "approval")
	<-ids
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Drain(expired); err == nil || !strings.Contains(err.Error(), "1 executions still running") {
		t.Errorf("Drain: %v, want one execution still running", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	want503(t, <-answer)
}
