package check_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// serveInProcess serves fns on a fresh emulator capped at maxInvocations.
func serveInProcess(t *testing.T, maxInvocations int, fns ...emulator.Function) *emulator.Server {
	t.Helper()
	srv, err := emulator.New(emulator.Config{Functions: fns, MaxInvocations: maxInvocations})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// countStarts wraps an invoker to count the executions it has seen.
func countStarts(inv durable.Invoker) (durable.Invoker, func() int) {
	var mu sync.Mutex
	seen := map[string]bool{}
	return func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
			in, err := durable.DecodeInvocationInput(envelope)
			if err == nil {
				mu.Lock()
				seen[in.DurableExecutionArn] = true
				mu.Unlock()
			}
			return inv(ctx, env, envelope)
		}, func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(seen)
		}
}

// OnRun hears of each run as soon as it is known, in report order, the
// clean run first: with one worker, run i is announced before run i+1's
// execution starts; Progress counts every run.
func TestEndpointSweepAnnouncesRunsAsTheyEnd(t *testing.T) {
	steps := durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		sum := 0
		for _, name := range []string{"a", "b", "c"} {
			n, err := durable.Step(ctx, name, func(durable.StepContext) (int, error) { return 1, nil })
			if err != nil {
				return 0, err
			}
			sum += n
		}
		return sum, nil
	})
	inv, started := countStarts(steps)
	srv := serveInProcess(t, 0, emulator.Function{Name: "steps", Invoker: inv})
	var heard []string
	var progress []int
	s := check.EndpointSweep{Endpoint: srv.URL(), Function: "steps", Workers: 1, Faults: []emulator.FaultKind{emulator.FaultThrottle},
		OnRun: func(run check.SweepRun) {
			heard = append(heard, run.Fault.String())
			if got, want := started(), len(heard); got != want {
				t.Errorf("run %s announced after %d executions started, want %d: it waited for later runs", run.Fault, got, want)
			}
		},
		Progress: func(done, total int) { progress = append(progress, done, total) },
	}
	rep, err := s.Run(sweepCtx(t), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{emulator.Fault{}.String()}
	for _, run := range rep.Runs {
		want = append(want, run.Fault.String())
	}
	if strings.Join(heard, " ") != strings.Join(want, " ") || len(rep.Runs) < 3 {
		t.Errorf("announced %v, want %v", heard, want)
	}
	if n := len(rep.Runs); len(progress) != 2*n || progress[len(progress)-2] != n || progress[len(progress)-1] != n {
		t.Errorf("progress %v, want 1..%d of %d", progress, n, n)
	}
}

// A clean run the emulator stopped at its invocation cap is reported first,
// with its cause, and no faulted run is compared with it.
func TestEndpointSweepCleanRunStopped(t *testing.T) {
	waiter := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		for range 5 {
			if err := durable.Wait(ctx, "nap", time.Second); err != nil {
				return "", err
			}
		}
		return "done", nil
	})
	srv := serveInProcess(t, 3, emulator.Function{Name: "waiter", Invoker: waiter})
	var heard []check.SweepRun
	rep, err := check.EndpointSweep{Endpoint: srv.URL(), Function: "waiter", OnRun: func(r check.SweepRun) { heard = append(heard, r) }}.Run(sweepCtx(t), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	want := "the clean run did not finish on its own: dpcheck.InvocationCap: the emulator stopped the execution after 3 invocations"
	if rep.CleanFailure != want || len(rep.Runs) != 0 || len(heard) != 1 {
		t.Errorf("clean failure %q with %d runs, %d announced; want %q and none", rep.CleanFailure, len(rep.Runs), len(heard), want)
	}
	if line := rep.Clean.Line(); !strings.Contains(line, "STOPPED (dpcheck.InvocationCap: the emulator stopped the execution after 3 invocations)") {
		t.Errorf("clean line %q lacks the cause", line)
	}
}

// A clean run that failed with the function's own error is a reference
// like any other: each faulted run must fail the same way.
func TestEndpointSweepCleanRunFailedOnItsOwn(t *testing.T) {
	failing := durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "boom", func(durable.StepContext) (int, error) { return 0, errors.New("boom") }, durable.WithRetry(durable.NoRetry()))
	})
	srv := serveInProcess(t, 0, emulator.Function{Name: "failing", Invoker: failing})
	rep, err := check.EndpointSweep{Endpoint: srv.URL(), Function: "failing", Faults: []emulator.FaultKind{emulator.FaultThrottle}}.Run(sweepCtx(t), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if rep.CleanFailure != "" || !rep.Clean.FinishedOnItsOwn() || len(rep.Runs) == 0 {
		t.Fatalf("clean failure %q, %d runs; a function's own failure is a reference", rep.CleanFailure, len(rep.Runs))
	}
	for _, run := range rep.Runs {
		if run.Divergence != nil || !strings.Contains(run.Line(), "FAILED (StepError: boom)") {
			t.Errorf("%s", run.Line())
		}
	}
}
