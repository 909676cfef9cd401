package check_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
)

// slowSteps runs two steps; with slow set, the first one's body takes
// 200 ms of the run's virtual clock, so the batcher sends its START on its
// own after 100 ms: one checkpoint call more than without.
func slowSteps(slow bool) durable.Invoker {
	return durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		a, err := durable.Step(ctx, "a", func(sc durable.StepContext) (int, error) {
			if slow {
				harness.Sleep(sc, 200*time.Millisecond)
			}
			return 1, nil
		})
		if err != nil {
			return 0, err
		}
		b, err := durable.Step(ctx, "b", func(durable.StepContext) (int, error) { return 2, nil })
		return a + b, err
	})
}

// The timed flush is a checkpoint call like any other: the crash and
// failed-call sweeps put a fault after it too, and every faulted run still
// reaches the same outcome.
func TestTimedFlushIsABoundary(t *testing.T) {
	fast, err := check.New(slowSteps(false)).Boundaries(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := check.New(slowSteps(true)).Boundaries(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if slow.Baseline.Calls != fast.Baseline.Calls+1 {
		t.Fatalf("checkpoint calls: %d with the slow body, %d without; want one more (the timed flush)", slow.Baseline.Calls, fast.Baseline.Calls)
	}
	if len(slow.Runs) != 2*slow.Baseline.Calls {
		t.Fatalf("%d faulted runs for %d calls, want a crash and a failed call at each", len(slow.Runs), slow.Baseline.Calls)
	}
	// Call 1 is the timed flush, made inside a's body: a crash right after
	// it leaves a's START in the history before the failed invocation.
	for _, fr := range slow.Runs {
		if fr.Fault != check.CrashAfterCall || fr.K != 1 {
			continue
		}
		var kinds []string
		for _, ev := range fr.Run.Result.History[1:3] {
			kinds = append(kinds, string(ev.EventType)+" "+aws.ToString(ev.Name))
		}
		if got := strings.Join(kinds, ", "); got != "StepStarted a, InvocationCompleted " {
			t.Fatalf("the run crashed after call 1 begins %q, want a's StepStarted, then the failed invocation", got)
		}
		return
	}
	t.Fatal("no run crashed after call 1")
}
