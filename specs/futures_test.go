package specs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
)

// futureSeeds is how many seeded interleavings each combinator row runs,
// each with a crash at every checkpoint boundary.
const futureSeeds = 20

// combinatorRow is one combinator over two futures f0 and f1 (Select: two
// branches of the same bodies). outcome says which fail; waitFirst makes
// f0 wait a second before its step, so it cannot finish in the first
// invocation.
type combinatorRow struct {
	comb      string // All, AllSettled, Any, Race, Join, Select
	outcome   string // "all succeed", "one fails" (f1), "all fail"
	waitFirst bool
}

// futErr names itself Error on the wire.
type futErr struct{ msg string }

func (e futErr) Error() string     { return e.msg }
func (e futErr) ErrorType() string { return "Error" }

func (r combinatorRow) fails(i int) bool {
	return r.outcome == "all fail" || r.outcome == "one fails" && i == 1
}

// body is future i's work: in f0's case after the wait when waitFirst.
func (r combinatorRow) body(i int) func(durable.Context) (string, error) {
	name := fmt.Sprintf("f%d", i)
	return func(c durable.Context) (string, error) {
		if i == 0 && r.waitFirst {
			if err := durable.Wait(c, "w", time.Second); err != nil {
				return "", err
			}
		}
		return durable.Step(c, name+"-step", func(durable.StepContext) (string, error) {
			if r.fails(i) {
				return "", futErr{name + " failed"}
			}
			return "v" + name[1:], nil
		}, durable.WithRetry(durable.NoRetry()))
	}
}

// handler builds the row's handler: every future is a Go child context,
// so both kinds of work (a step, a wait) sit in the same place.
func (r combinatorRow) handler() durable.Invoker {
	return durable.Handle(func(ctx durable.Context, _ struct{}) (string, error) {
		if r.comb == "Select" {
			w, v, err := durable.Select(ctx, "c", []durable.Branch[string]{{Name: "f0", Func: r.body(0)}, {Name: "f1", Func: r.body(1)}})
			if err != nil {
				return "", err
			}
			return w + "=" + v, nil
		}
		fs := []*durable.Future[string]{durable.Go(ctx, "f0", r.body(0)), durable.Go(ctx, "f1", r.body(1))}
		switch r.comb {
		case "All":
			vs, err := durable.All(ctx, "c", fs)
			return strings.Join(vs, "+"), err
		case "AllSettled":
			ss, err := durable.AllSettled(ctx, "c", fs)
			out := make([]string, len(ss))
			for i, s := range ss {
				out[i] = s.Value
				if s.Err != nil {
					var ce *durable.ChildContextError
					if !errors.As(s.Err, &ce) {
						return "", fmt.Errorf("settled error %T, want a *ChildContextError", s.Err)
					}
					out[i] = "!" + ce.Message
				}
			}
			return strings.Join(out, "+"), err
		case "Join":
			if err := durable.Join(ctx, "c", []durable.Awaitable{fs[0], fs[1]}); err != nil {
				return "", err
			}
			a, _ := fs[0].Result()
			b, _ := fs[1].Result()
			return a + "+" + b, nil
		case "Any":
			return durable.Any(ctx, "c", fs)
		default:
			return durable.Race(ctx, "c", fs)
		}
	})
}

// allowed lists the outcomes the row may end with, as outcomeOf writes
// them: several where the winner depends on which future settles first.
func (r combinatorRow) allowed() []string {
	val := func(i int) string { return fmt.Sprintf("v%d", i) }
	failed := func(i int) string { return fmt.Sprintf("FAILED PromiseCombinatorError: f%d failed", i) }
	ok := func(s string) string { return fmt.Sprintf("SUCCEEDED %q", s) }
	// first failure in argument order among the futures that can finish
	// in the first invocation (f0 cannot when it waits)
	firstFail := func() string {
		if r.fails(0) && !r.waitFirst {
			return failed(0)
		}
		if r.fails(1) {
			return failed(1)
		}
		return failed(0)
	}
	// the futures that can settle first
	first := []int{0, 1}
	if r.waitFirst {
		first = []int{1}
	}
	var out []string
	switch r.comb {
	case "All", "Join":
		if r.outcome == "all succeed" {
			return []string{ok("v0+v1")}
		}
		return []string{firstFail()}
	case "AllSettled":
		parts := []string{"v0", "v1"}
		for i := range parts {
			if r.fails(i) {
				parts[i] = fmt.Sprintf("!f%d failed", i)
			}
		}
		return []string{ok(strings.Join(parts, "+"))}
	case "Any":
		for _, i := range first {
			if !r.fails(i) {
				out = append(out, ok(val(i)))
			}
		}
		if len(out) == 0 && !r.fails(0) {
			out = append(out, ok(val(0))) // f1 failed first; f0 succeeds later
		}
		if len(out) == 0 {
			out = append(out, "FAILED PromiseCombinatorError: All promises were rejected")
		}
		return out
	}
	for _, i := range first { // Race, Select
		switch {
		case r.fails(i):
			out = append(out, failed(i))
		case r.comb == "Select":
			out = append(out, ok(fmt.Sprintf("f%d=%s", i, val(i))))
		default:
			out = append(out, ok(val(i)))
		}
	}
	return out
}

func outcomeOf(r *harness.Result) string {
	if r.Status == types.ExecutionStatusSucceeded {
		return "SUCCEEDED " + aws.ToString(r.Output)
	}
	if r.Error == nil {
		return string(r.Status)
	}
	return fmt.Sprintf("%s %s: %s", r.Status, aws.ToString(r.Error.ErrorType), aws.ToString(r.Error.ErrorMessage))
}

// combinatorRecord is a fault hook that notes the checkpoint call in
// which the first run it sees records the combinator's end.
type combinatorRecord struct {
	mu   sync.Mutex
	call int
}

func (c *combinatorRecord) hook(call harness.CheckpointCall) harness.Fault {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range call.Updates {
		if c.call == 0 && aws.ToString(u.Name) == "c" && u.Type == types.OperationTypeContext &&
			(u.Action == types.OperationActionSucceed || u.Action == types.OperationActionFail) {
			c.call = call.Call
		}
	}
	return harness.Fault{}
}

func inOrderSchedule(uint64) *check.Scheduler { return check.InOrder() }

var combinatorRows = func() []TableEntry {
	var rows []TableEntry
	for _, comb := range []string{"All", "AllSettled", "Any", "Race", "Join", "Select"} {
		for _, outcome := range []string{"all succeed", "one fails", "all fail"} {
			for _, wait := range []bool{false, true} {
				completion := "within one invocation"
				if wait {
					completion = "after a wait"
				}
				rows = append(rows, Entry(fmt.Sprintf("%s, %s, %s", comb, outcome, completion), combinatorRow{comb, outcome, wait}))
			}
		}
	}
	return rows
}()

var _ = Describe("Futures and combinators", Label("local"), func() {
	DescribeTable("end as the official SDKs say, under a crash at every checkpoint boundary and seeded interleavings",
		func(row combinatorRow) {
			allowed := row.allowed()
			h := row.handler()

			By("a fixed schedule: every crash ends as the crash-free run")
			sweep := check.New(h, check.WithSchedule(inOrderSchedule)).RequireCrashEveryBoundary(GinkgoT(), `{}`)
			Expect(allowed).To(ContainElement(outcomeOf(sweep.Baseline.Result)), sweep.Baseline.Result.Tree())
			if row.waitFirst {
				Expect(len(sweep.Baseline.Result.Invocations)).To(BeNumerically(">=", 1))
			}

			By(fmt.Sprintf("%d seeded schedules, each with a crash at every boundary", futureSeeds))
			for _, s := range check.Seeds(seed(), futureSeeds) {
				rec := &combinatorRecord{}
				base, err := check.New(h, check.WithSeed(s), check.WithRunnerOptions(harness.WithFaults(rec.hook))).Run(context.Background(), `{}`)
				Expect(err).NotTo(HaveOccurred())
				got := outcomeOf(base.Result)
				Expect(allowed).To(ContainElement(got), "seed %d\n%s", s, base.Result.Tree())
				Expect(rec.call).To(BeNumerically(">", 0), "seed %d: the combinator never recorded its end", s)

				sw, err := check.New(h, check.WithSeed(s)).CrashEveryBoundary(context.Background(), `{}`)
				Expect(outcomeOf(sw.Baseline.Result)).To(Equal(got), "seed %d: the same seed ran differently", s)
				if len(allowed) == 1 {
					// One outcome whatever the schedule: every crash ends as the
					// crash-free run, records and all.
					Expect(sw.Divergences).To(BeEmpty(), "seed %d", s)
				}
				for _, d := range sw.Divergences {
					run := sw.Runs[slices.IndexFunc(sw.Runs, func(fr check.FaultRun) bool { return fr.K == d.K })]
					// Before the combinator's record a replay may pick
					// another winner the schedule allows; after it, never.
					Expect(d.K).To(BeNumerically("<", rec.call), "seed %d: a crash after the combinator recorded its end changed the outcome: %v", s, d)
					Expect(d.Problem).NotTo(ContainSubstring("ran again"), "seed %d: %v", s, d)
					Expect(run.Run).NotTo(BeNil())
					Expect(allowed).To(ContainElement(outcomeOf(run.Run.Result)), "seed %d crash %d: %v", s, d.K, d)
				}
				if err != nil && len(sw.Divergences) == 0 {
					Fail(fmt.Sprintf("seed %d: %v", s, err))
				}

				By("the finished log replays without running anything")
				if st := base.Result.Status; st == types.ExecutionStatusSucceeded || st == types.ExecutionStatusFailed {
					log, err := base.Log()
					Expect(err).NotTo(HaveOccurred())
					rep, err := check.New(h, check.WithSeed(s+1)).ReplayLog(context.Background(), log)
					Expect(err).NotTo(HaveOccurred(), "seed %d", s)
					Expect(rep).To(HaveReplayedWithoutExecuting())
				}
			}
		},
		combinatorRows,
	)
})

// prefer is a fixed schedule that runs the named tasks first.
func prefer(names ...string) func(uint64) *check.Scheduler {
	return func(uint64) *check.Scheduler { return check.Prefer(names...) }
}

// racers is Race, Any or Select over two steps that both succeed: which
// wins depends only on which runs first.
func racers(comb string) durable.Invoker {
	step := func(name string) func(durable.Context) (string, error) {
		return func(c durable.Context) (string, error) {
			return durable.Step(c, name+"-step", func(durable.StepContext) (string, error) { return name, nil })
		}
	}
	return durable.Handle(func(ctx durable.Context, _ struct{}) (string, error) {
		if comb == "Select" {
			w, _, err := durable.Select(ctx, "c", []durable.Branch[string]{{Name: "x", Func: step("x")}, {Name: "y", Func: step("y")}})
			return w, err
		}
		fs := []*durable.Future[string]{durable.Go(ctx, "x", step("x")), durable.Go(ctx, "y", step("y"))}
		if comb == "Any" {
			return durable.Any(ctx, "c", fs)
		}
		return durable.Race(ctx, "c", fs)
	})
}

var _ = Describe("A recorded winner", Label("local"), func() {
	DescribeTable("is what a replay returns, even when the other future finishes first on the replay",
		func(comb string) {
			h := racers(comb)
			run, err := check.New(h, check.WithSchedule(prefer("y"))).Run(context.Background(), `{}`)
			Expect(err).NotTo(HaveOccurred())
			Expect(outcomeOf(run.Result)).To(Equal(`SUCCEEDED "y"`), "y ran first, so y won")

			By("replaying the finished log with x running first")
			log, err := run.Log()
			Expect(err).NotTo(HaveOccurred())
			rep, err := check.New(h, check.WithSchedule(prefer("x"))).ReplayLog(context.Background(), log)
			Expect(err).NotTo(HaveOccurred())
			Expect(rep).To(HaveReplayedWithoutExecuting())
			Expect(rep.Output.Result).To(Equal(`"y"`))

			By("and after a crash right after the combinator's record, with x preferred from then on")
			rec := &combinatorRecord{}
			_, err = check.New(h, check.WithSchedule(prefer("y")), check.WithRunnerOptions(harness.WithFaults(rec.hook))).Run(context.Background(), `{}`)
			Expect(err).NotTo(HaveOccurred())
			flip := &flipAfterCrash{k: rec.call}
			crashed, err := check.New(h, check.WithSchedule(flip.schedule), check.WithRunnerOptions(harness.WithFaults(flip.hook))).Run(context.Background(), `{}`)
			Expect(err).NotTo(HaveOccurred())
			Expect(flip.crashed).To(BeTrue())
			Expect(len(crashed.Result.Invocations)).To(BeNumerically(">=", 2))
			Expect(outcomeOf(crashed.Result)).To(Equal(`SUCCEEDED "y"`))
		},
		Entry("Race", "Race"),
		Entry("Any", "Any"),
		Entry("Select", "Select"),
	)
})

// flipAfterCrash crashes the invocation right after checkpoint call k and
// prefers y until then, x afterwards.
type flipAfterCrash struct {
	k       int
	mu      sync.Mutex
	crashed bool
}

func (f *flipAfterCrash) hook(call harness.CheckpointCall) harness.Fault {
	if call.Call != f.k {
		return harness.Fault{}
	}
	f.mu.Lock()
	f.crashed = true
	f.mu.Unlock()
	return harness.Fault{Action: harness.CrashAfter}
}

func (f *flipAfterCrash) schedule(uint64) *check.Scheduler {
	x, y := check.Prefer("x"), check.Prefer("y")
	return check.Recording(schedFunc(func(ready []durable.Task) int {
		f.mu.Lock()
		crashed := f.crashed
		f.mu.Unlock()
		if crashed {
			return x.Pick(ready)
		}
		return y.Pick(ready)
	}))
}

type schedFunc func([]durable.Task) int

func (s schedFunc) Pick(ready []durable.Task) int { return s(ready) }

var _ = Describe("A future", Label("local"), func() {
	It("runs to its end when nothing awaits it, before the invocation answers", func() {
		h := durable.Handle(func(ctx durable.Context, _ struct{}) (string, error) {
			durable.Go(ctx, "unread", func(c durable.Context) (int, error) {
				a, err := durable.Step(c, "one", func(durable.StepContext) (int, error) { return 1, nil })
				if err != nil {
					return 0, err
				}
				return durable.Step(c, "two", func(durable.StepContext) (int, error) { return a + 1, nil })
			})
			return "returned", nil
		})
		for _, s := range check.Seeds(seed(), futureSeeds) {
			sweep := check.New(h, check.WithSeed(s)).RequireCrashEveryBoundary(GinkgoT(), `{}`)
			r := sweep.Baseline.Result
			Expect(r).To(HaveExecutionStatus(types.ExecutionStatusSucceeded))
			Expect(r).To(HaveOperation("unread", types.OperationStatusSucceeded), "seed %d", s)
			Expect(r).To(HaveOperation("two", types.OperationStatusSucceeded), "seed %d", s)
		}
	})

	It("inside a Parallel branch that an early stop abandons records nothing after the stop", func() {
		h := durable.Handle(func(ctx durable.Context, _ struct{}) (int, error) {
			b, err := durable.Parallel(ctx, "p", []durable.Branch[int]{
				{Name: "quick", Func: func(c durable.Context) (int, error) {
					return durable.Step(c, "q", func(durable.StepContext) (int, error) { return 1, nil })
				}},
				{Name: "slow", Func: func(c durable.Context) (int, error) {
					f := durable.StepAsync(c, "s1", func(durable.StepContext) (int, error) { return 2, nil })
					v, err := f.Result()
					if err != nil {
						return 0, err
					}
					return durable.Step(c, "s2", func(durable.StepContext) (int, error) { return v, nil })
				}},
			}, durable.WithCompletion(durable.FirstSuccessful()))
			return b.SuccessCount(), err
		})
		By("slow's future in flight when quick stops the Parallel, under a crash at every boundary")
		sweep := check.New(h, check.WithSchedule(prefer("slow", "quick"))).RequireCrashEveryBoundary(GinkgoT(), `{}`)
		r := sweep.Baseline.Result
		Expect(r).To(RecordNothingAfterStop())
		Expect(r.OpsNamed("s1")).To(BeEmpty(), "the abandoned future checkpointed:\n%s", r.Tree())

		By(fmt.Sprintf("%d seeded schedules", futureSeeds))
		for _, s := range check.Seeds(seed(), futureSeeds) {
			run, err := check.New(h, check.WithSeed(s)).Run(context.Background(), `{}`)
			Expect(err).NotTo(HaveOccurred())
			Expect(run.Result).To(RecordNothingAfterStop(), "seed %d", s)
		}
	})
})
