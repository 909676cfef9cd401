package durable_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// sentSoFar is the number of updates the service has accepted.
func sentSoFar(m *memService) int { return m.updateCount() }

// A fire-and-forget START waits in the queue until 100 ms pass without a
// new update; then it is sent on its own, while the step body still runs.
func TestTimedFlushAfterIdle(t *testing.T) {
	clk := harness.NewVirtualClock(time.Unix(1_700_000_000, 0))
	m := newMem(`{}`)
	var seen []int
	h := func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "slow", func(durable.StepContext) (string, error) {
			clk.Advance(99 * time.Millisecond)
			seen = append(seen, sentSoFar(m))
			clk.Advance(time.Millisecond)
			seen = append(seen, sentSoFar(m))
			return "done", nil
		})
	}
	out, _ := m.run(t, durable.Handle(h), durable.Env{Clock: clk})
	if out.Status != durable.InvocationSucceeded {
		t.Fatalf("status %s", out.Status)
	}
	if fmt.Sprint(seen) != "[0 1]" {
		t.Fatalf("updates sent at 99 ms and 100 ms: %v, want [0 1] (the START at 100 ms, not before)", seen)
	}
	if len(m.batches) != 2 || len(m.batches[0]) != 1 || *m.batches[0][0].Name != "slow" || m.batches[0][0].Action != "START" {
		t.Fatalf("batches %d, first %+v; want the START alone, then the SUCCEED", len(m.batches), m.batches[0])
	}
}

// Updates that keep coming less than 100 ms apart are sent at the latest 1 s
// after the first of them: here nested child contexts, each queueing its
// START 90 ms after the one before.
func TestTimedFlushAtMostOneSecondAfterTheFirst(t *testing.T) {
	clk := harness.NewVirtualClock(time.Unix(1_700_000_000, 0))
	m := newMem(`{}`)
	sent := map[int]int{} // elapsed ms -> updates accepted
	elapsed := 0
	var nest func(ctx durable.Context, depth int) (int, error)
	nest = func(ctx durable.Context, depth int) (int, error) {
		clk.Advance(90 * time.Millisecond)
		elapsed += 90
		sent[elapsed] = sentSoFar(m)
		if depth == 0 {
			return 0, nil
		}
		return durable.RunInChildContext(ctx, fmt.Sprintf("c%d", depth), func(cc durable.Context) (int, error) { return nest(cc, depth-1) })
	}
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.RunInChildContext(ctx, "top", func(cc durable.Context) (int, error) { return nest(cc, 12) })
	}
	out, _ := m.run(t, durable.Handle(h), durable.Env{Clock: clk})
	if out.Status != durable.InvocationSucceeded {
		t.Fatalf("status %s", out.Status)
	}
	// STARTs at 0, 90, …, 990 ms (12 of them); the one at 1080 ms comes after
	// the timed flush at 1000 ms.
	if sent[990] != 0 || sent[1080] != 12 {
		t.Fatalf("updates sent by 990 ms: %d (want 0), by 1080 ms: %d (want the 12 STARTs queued in the first second)", sent[990], sent[1080])
	}
}

// A blocking update sends the queue with it; the timer then has nothing to
// send, and no empty call follows.
func TestTimedFlushNothingAfterABlockingCall(t *testing.T) {
	clk := harness.NewVirtualClock(time.Unix(1_700_000_000, 0))
	m := newMem(`{}`)
	h := func(ctx durable.Context, _ any) (string, error) {
		v, err := durable.Step(ctx, "quick", func(durable.StepContext) (string, error) { return "q", nil })
		if err != nil {
			return "", err
		}
		clk.Advance(5 * time.Second)
		return v, nil
	}
	m.run(t, durable.Handle(h), durable.Env{Clock: clk})
	if len(m.batches) != 1 || len(m.batches[0]) != 2 {
		t.Fatalf("%d batches, want one call carrying the START and the SUCCEED", len(m.batches))
	}
}
