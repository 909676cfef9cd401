package cloud_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// approvals opens callback "a" then "b" (named as given), waits for both
// and joins their results.
func approvals(ctx durable.Context, names []string) (string, error) {
	a, err := durable.CreateCallback[string](ctx, names[0], durable.WithCallbackHeartbeatTimeout(time.Hour))
	if err != nil {
		return "", err
	}
	b, err := durable.CreateCallback[string](ctx, names[1])
	if err != nil {
		return "", err
	}
	ra, err := a.Result()
	if err != nil {
		return "", err
	}
	rb, err := b.Result()
	return ra + "+" + rb, err
}

// The official runner's asynchronous path through a served function:
// callbacks answered by name with CallbackActions (a heartbeat first, one
// after a delay), through the real client.
func TestTargetAnswersCallbacks(t *testing.T) {
	_, lc := serve(t, emulator.Function{Name: cloud.FunctionName("cb/1"), Invoker: durable.Handle(approvals)})
	target := &cloud.Target{Client: lc, PollInterval: 10 * time.Millisecond}
	if !target.Supports(conformance.FeatureCallbacks) {
		t.Fatal("the cloud target answers callbacks")
	}
	exec, err := target.Run(testCtx(t), conformance.Request{
		Key: "cb/1", Name: "cb-1", Async: true, Input: []byte(`["first","second"]`),
		CallbackActions: []conformance.CallbackAction{
			{CallbackName: "second", Operation: conformance.CallbackSuccess, Payload: "two"},
			{CallbackName: "first", Operation: conformance.CallbackHeartbeat},
			{CallbackName: "${/^fir/}", Operation: conformance.CallbackSuccess, Payload: "one", Delay: 0.05},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if exec.Status != "SUCCEEDED" || exec.Result != `"one+two"` {
		t.Fatalf("%s %s, want SUCCEEDED \"one+two\"", exec.Status, exec.Result)
	}
	var got []string
	for _, ev := range exec.History {
		got = append(got, string(ev.EventType))
	}
	if s := strings.Join(got, " "); strings.Count(s, "CallbackSucceeded") != 2 {
		t.Fatalf("history %s: want both callbacks succeeded", s)
	}
}

// A callback nobody answers, with nothing else to run, stops the history
// growing: the run gives up after NoProgressTimeoutSeconds; one the
// actions do not name is an error at once.
func TestTargetGivesUp(t *testing.T) {
	_, lc := serve(t, emulator.Function{Name: cloud.FunctionName("cb/2"), Invoker: durable.Handle(approvals)})
	target := &cloud.Target{Client: lc, PollInterval: 10 * time.Millisecond}
	exec, err := target.Run(testCtx(t), conformance.Request{
		Key: "cb/2", Name: "cb-2", Async: true, Input: []byte(`["x","y"]`),
		Poll: &conformance.AsyncConfig{NoProgressTimeoutSeconds: 0.2},
	})
	var np *cloud.NoProgressError
	if !errors.As(err, &np) || exec == nil || exec.Status != "RUNNING" {
		t.Fatalf("got %v with %+v, want a NoProgressError and the execution so far", err, exec)
	}
	_, err = target.Run(testCtx(t), conformance.Request{
		Key: "cb/2", Name: "cb-3", Async: true, Input: []byte(`["x","y"]`),
		CallbackActions: []conformance.CallbackAction{{CallbackName: "x", Operation: conformance.CallbackSuccess}},
	})
	if err == nil || !strings.Contains(err.Error(), `callback "y" was opened, but no unused CallbackAction matches it`) {
		t.Fatalf("got %v, want the unmatched callback named", err)
	}
}

// A requirement without ExpectedResult is done once the history settles.
func TestTargetStopsWhenSettled(t *testing.T) {
	_, lc := serve(t, emulator.Function{Name: cloud.FunctionName("cb/3"), Invoker: durable.Handle(approvals)})
	target := &cloud.Target{Client: lc, PollInterval: 10 * time.Millisecond}
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	exec, err := target.Run(ctx, conformance.Request{
		Key: "cb/3", Name: "cb-4", Async: true, Input: []byte(`["x","y"]`),
		Settled: func(h []types.Event) bool { return len(h) >= 4 },
	})
	if err != nil || exec.Status != "RUNNING" || len(exec.History) < 4 {
		t.Fatalf("got %v with %+v, want the running execution's settled history", err, exec)
	}
}
