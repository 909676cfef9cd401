package check

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

// Sweep is the result of injecting a fault at every checkpoint boundary of
// one execution.
type Sweep struct {
	Baseline *Run    // the crash-free run
	Want     Outcome // its outcome, which every faulted run must reach
	Runs     []FaultRun
	// Divergences holds every faulted run that went wrong, crashes first,
	// each kind by K.
	Divergences []*Divergence
}

// FaultRun is one faulted run of a sweep.
type FaultRun struct {
	Fault Fault
	K     int
	Run   *Run
	// FaultInvocation is the invocation in which call K was made.
	FaultInvocation int
}

// Err returns the first divergence, or nil.
func (s *Sweep) Err() error {
	if len(s.Divergences) == 0 {
		return nil
	}
	return s.Divergences[0]
}

// String summarizes the sweep on one line.
func (s *Sweep) String() string {
	return fmt.Sprintf("%d checkpoint calls, %d faulted runs, %d divergences (seed %d)",
		s.Baseline.Calls, len(s.Runs), len(s.Divergences), s.Baseline.Seed)
}

// CrashEveryBoundary runs the execution crash-free, counts its N checkpoint
// calls, then runs it N more times, crashing right after call k = 1..N
// (updates applied, response lost). Each run must reach the crash-free run's
// Outcome, and no step whose SUCCEED or FAIL was applied before the crash may
// run again. The error is the first *Divergence, or what stopped the
// crash-free run.
//
// The handler's outcome must not depend on the schedule beyond what the seed
// fixes: the replaying invocation of a crashed run meets a different set of
// ready tasks, so a seeded schedule does not continue as in the crash-free
// run. Deterministic schedules (InOrder, Prefer) do continue alike.
func (c *Checker) CrashEveryBoundary(ctx context.Context, input any) (*Sweep, error) {
	return c.sweep(ctx, input, CrashAfterCall)
}

// FailEveryBoundary is CrashEveryBoundary with call k failing instead
// (nothing applied) with the service's TooManyRequestsException, or the
// error given to WithFailError.
func (c *Checker) FailEveryBoundary(ctx context.Context, input any) (*Sweep, error) {
	return c.sweep(ctx, input, FailCall)
}

// Boundaries runs both sweeps from one crash-free run: 2N faulted runs.
func (c *Checker) Boundaries(ctx context.Context, input any) (*Sweep, error) {
	return c.sweep(ctx, input, CrashAfterCall, FailCall)
}

func (c *Checker) sweep(ctx context.Context, input any, faults ...Fault) (*Sweep, error) {
	payload, err := encodeInput(input)
	if err != nil {
		return nil, err
	}
	base, err := c.run(ctx, payload, c.cfg.seed, nil)
	if err != nil {
		return &Sweep{Baseline: base}, err
	}
	want, err := OutcomeOf(base.Result)
	if err != nil {
		return &Sweep{Baseline: base}, err
	}
	s := &Sweep{Baseline: base, Want: want, Runs: make([]FaultRun, 0, len(faults)*base.Calls)}
	for _, f := range faults {
		for k := 1; k <= base.Calls; k++ {
			s.Runs = append(s.Runs, FaultRun{Fault: f, K: k})
		}
	}
	divs := make([]*Divergence, len(s.Runs))
	parallelDo(len(s.Runs), c.cfg.workers, func(i int) {
		divs[i] = c.faultRun(ctx, payload, &s.Runs[i], want, base.Calls)
	})
	for _, d := range divs {
		if d != nil {
			s.Divergences = append(s.Divergences, d)
		}
	}
	return s, s.Err()
}

// faultRun runs the execution with fr's fault and checks it against want.
func (c *Checker) faultRun(ctx context.Context, payload string, fr *FaultRun, want Outcome, calls int) *Divergence {
	rec := &finishedSteps{k: fr.K, fault: fr.Fault, at: map[string]int{}, failErr: c.cfg.failErr}
	run, err := c.run(ctx, payload, c.cfg.seed, []harness.FaultHook{rec.hook})
	fr.Run = run
	fr.FaultInvocation = rec.invocation
	problem := ""
	switch {
	case err != nil:
		problem = err.Error()
	case rec.invocation == 0:
		problem = fmt.Sprintf("checkpoint call %d never happened: the run made %d calls where the crash-free run made at least %d", fr.K, run.Calls, fr.K)
	default:
		if problem = rec.rerun(run.Result); problem != "" {
			break
		}
		got, err := OutcomeOf(run.Result)
		if err != nil {
			problem = err.Error()
		} else {
			problem = got.Diff(want)
		}
	}
	if problem == "" {
		return nil
	}
	div := &Divergence{Check: "boundaries", Fault: fr.Fault, K: fr.K, Calls: calls, Seed: c.cfg.seed, Problem: problem, Picks: run.Picks,
		Command: c.command(payload, fr.Fault, fr.K)}
	if run.Result != nil {
		div.Tree = run.Result.Tree()
		div.Hint = run.Result.WallClockHint()
	}
	return div
}

// finishedSteps is a fault hook that injects the fault at call k and
// remembers which steps were checkpointed SUCCEEDED or FAILED by the calls
// that reached the backend up to then.
type finishedSteps struct {
	k     int
	fault Fault

	mu         sync.Mutex
	invocation int            // the invocation of call k
	at         map[string]int // step id -> call that finished it
	failErr    error
}

func (f *finishedSteps) hook(call harness.CheckpointCall) harness.Fault {
	if call.Call > f.k {
		return harness.Fault{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if call.Call < f.k || f.fault == CrashAfterCall {
		for _, u := range call.Updates {
			if u.Type == types.OperationTypeStep && (u.Action == types.OperationActionSucceed || u.Action == types.OperationActionFail) {
				f.at[aws.ToString(u.Id)] = call.Call
			}
		}
	}
	if call.Call < f.k {
		return harness.Fault{}
	}
	f.invocation = call.Invocation
	if f.fault == CrashAfterCall {
		return harness.Fault{Action: harness.CrashAfter}
	}
	return harness.Fault{Action: harness.FailBefore, Err: f.failErr}
}

// rerun describes the first step body that ran after the faulted
// invocation although the step had finished before the fault; "" if none.
func (f *finishedSteps) rerun(r *harness.Result) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, inv := range r.Invocations {
		if inv.Index <= f.invocation {
			continue
		}
		for _, sr := range inv.StepRuns {
			if call, ok := f.at[sr.ID]; ok {
				return fmt.Sprintf("step %q (id %s) ran again (attempt %d) in invocation %d although checkpoint call %d had finished it",
					sr.Name, sr.ID, sr.Attempt, inv.Index, call)
			}
		}
	}
	return ""
}
