package durable_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// TestSummarizedEarlyStopReplaysTheSameBatch: a fail-fast Parallel (max
// concurrency 2) stops early with one branch in flight and one never
// started, and its BatchResult is over 256 KiB, so it is recorded as a
// summary with ReplayChildren. A replay rebuilds the same items (the
// in-flight branch STARTED, the unstarted one left out) and the same counts
// and reason as the first run, without recording anything, nested or flat.
func TestSummarizedEarlyStopReplaysTheSameBatch(t *testing.T) {
	big := strings.Repeat("z", 150*1024)
	branches := []durable.Branch[string]{
		{Func: func(durable.Context) (string, error) { return big, nil }},
		{Func: func(ctx durable.Context) (string, error) {
			// holds its slot: suspended until after the batch has stopped
			if _, err := durable.Step(ctx, "s1", func(durable.StepContext) (int, error) { return 1, nil }); err != nil {
				return "", err
			}
			if err := durable.Wait(ctx, "w1", time.Second); err != nil {
				return "", err
			}
			return "late", nil
		}},
		{Func: func(durable.Context) (string, error) { return big, nil }},
		{Func: func(durable.Context) (string, error) { return "", errBoom }},
		{Func: func(durable.Context) (string, error) { return "never", nil }},
	}
	h := func(nesting durable.NestingMode) func(durable.Context, any) (string, error) {
		return func(ctx durable.Context, _ any) (string, error) {
			r, err := durable.Parallel(ctx, "p", branches, durable.WithMaxConcurrency(2), durable.WithNesting(nesting))
			if batchfail.Settled(err) != nil {
				return "", err
			}
			var items []string
			for _, it := range r.Items {
				items = append(items, fmt.Sprintf("%d:%s:%d", it.Index, it.Status, len(it.Result)))
			}
			return fmt.Sprintf("%s %s s%d f%d st%d t%d [%s]", r.CompletionReason(), r.Status(), r.SuccessCount(), r.FailureCount(),
				r.StartedCount(), r.TotalCount(), strings.Join(items, " ")), nil
		}
	}
	const want = `"FAILURE_TOLERANCE_EXCEEDED FAILED s2 f1 st1 t4 [0:SUCCEEDED:153600 1:STARTED:0 2:SUCCEEDED:153600 3:FAILED:0]"`
	for name, nesting := range map[string]durable.NestingMode{"nested": durable.NestingNormal, "flat": durable.NestingFlat} {
		t.Run(name, func(t *testing.T) {
			m := newMem(`{}`)
			first, err := m.invokeOnce(t, durable.Handle(h(nesting)), durable.Env{})
			if err != nil || first.Status != durable.InvocationSucceeded || first.Result != want {
				t.Fatalf("first run: %v %s %s %s\nwant %s", err, first.Status, first.Result, errString(first.Error), want)
			}
			p := m.find("p")[0].ContextDetails
			if !aws.ToBool(p.ReplayChildren) || !strings.Contains(aws.ToString(p.Result), `"startedIndexes":[1]`) {
				t.Fatalf("the Parallel was not summarized: ReplayChildren %v, %.200s", aws.ToBool(p.ReplayChildren), aws.ToString(p.Result))
			}
			before := m.updateCount()
			replay, err := m.invokeOnce(t, durable.Handle(h(nesting)), durable.Env{})
			if err != nil || replay.Status != durable.InvocationSucceeded || replay.Result != first.Result {
				t.Fatalf("replay: %v %s %s %s\nfirst run %s", err, replay.Status, replay.Result, errString(replay.Error), first.Result)
			}
			if n := m.updateCount() - before; n != 0 {
				t.Fatalf("the replay recorded %d updates", n)
			}
		})
	}
}
