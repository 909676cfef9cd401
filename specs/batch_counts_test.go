package specs_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
)

// exceeds is the documented tolerance rule (decisions §2.2–2.3), written
// independently of the runtime: with no field set, any failure; otherwise
// strictly more failures than ToleratedFailureCount, or a failed share of
// all branches, in percent, strictly above ToleratedFailurePercentage.
func exceeds(c *completion, failed, total int) bool {
	if c == nil {
		return failed > 0
	}
	cfg := c.rule()
	if cfg.MinSuccessful == nil && cfg.ToleratedFailureCount == nil && cfg.ToleratedFailurePercentage == nil {
		return failed > 0
	}
	if cfg.ToleratedFailureCount != nil && failed > *cfg.ToleratedFailureCount {
		return true
	}
	return cfg.ToleratedFailurePercentage != nil && float64(failed)/float64(total)*100 > float64(*cfg.ToleratedFailurePercentage)
}

// expectPolicy checks one BatchResult against the policy it ran under.
func expectPolicy(ev batchEvent, got batchReport) {
	GinkgoHelper()
	n, cfg := ev.Branches, ev.Completion
	Expect(got.Succeeded+got.Failed+got.Started).To(Equal(got.Total), "success + failure + started = total")
	Expect(got.Items).To(HaveLen(got.Total))
	Expect(got.indexes()).To(Equal(seq(got.Total)), "branches start in index order, so the started ones are a prefix")
	if ev.MaxConcurrency == nil {
		Expect(got.Total).To(Equal(n), "with unlimited concurrency every branch starts")
	}
	for _, it := range got.Items {
		switch it.Status {
		case "FAILED":
			Expect(ev.Failing).To(ContainElement(it.Index), "branch %d failed", it.Index)
		case "SUCCEEDED":
			Expect(ev.Failing).NotTo(ContainElement(it.Index), "branch %d succeeded", it.Index)
		}
	}
	switch got.Reason {
	case durable.CompletionFailureToleranceExceeded.String():
		Expect(exceeds(cfg, got.Failed, n)).To(BeTrue(), "stopped for %d failures of %d", got.Failed, n)
		Expect(exceeds(cfg, got.Failed-1, n)).To(BeFalse(), "stopped at the first failure over the tolerance")
	case durable.CompletionAllCompleted.String():
		Expect(exceeds(cfg, got.Failed, n)).To(BeFalse())
		Expect(got.Succeeded+got.Failed).To(Equal(n), "every branch finished")
	case durable.CompletionMinSuccessfulReached.String():
		Expect(cfg).NotTo(BeNil())
		Expect(cfg.rule().MinSuccessful).NotTo(BeNil())
		Expect(got.Succeeded).To(Equal(*cfg.rule().MinSuccessful))
		Expect(exceeds(cfg, got.Failed, n)).To(BeFalse())
		Expect(got.Succeeded+got.Failed).To(BeNumerically("<", n), "all completed takes precedence")
	default:
		Fail("unknown completion reason " + got.Reason)
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// randomEvent draws a batchEvent under policy: 1–6 branches, a random
// failing set, unlimited or bounded concurrency.
func randomEvent(rng *rand.Rand, policy string) batchEvent {
	cfg := policies[policy]
	n := 1 + rng.IntN(6)
	if cfg != nil && cfg.rule().MinSuccessful != nil {
		n = max(n, *cfg.rule().MinSuccessful) // fewer branches is a validation error
	}
	ev := batchEvent{Map: rng.IntN(2) == 0, Branches: n, Completion: cfg}
	for i := range n {
		if rng.IntN(3) == 0 {
			ev.Failing = append(ev.Failing, i)
		}
	}
	if rng.IntN(2) == 0 {
		ev.MaxConcurrency = ptr(1 + rng.IntN(n))
	}
	return ev
}

// rngFor derives a PRNG from the suite seed and a name, so each table row
// draws its own sequence and --seed reproduces it.
func rngFor(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed(), h.Sum64()))
}

var policyNames = func() []TableEntry {
	var out []TableEntry
	for _, name := range []string{"default", "AllSuccessful", "AllCompleted", "FirstSuccessful", "tolerate 1", "tolerate 25%", "tolerate 50%", "min 2", "min 3, tolerate 0"} {
		out = append(out, Entry(name, name))
	}
	return out
}()

var _ = Describe("BatchResult counts", Label("local"), func() {
	DescribeTable("add up and match the policy under random failures and schedules",
		func(policy string) {
			rng := rngFor(policy)
			for range 24 {
				ev := randomEvent(rng, policy)
				schedSeed := rng.Uint64()
				run := check.New(batchProgram, check.WithSeed(schedSeed)).MustRun(GinkgoT(), ev)
				Expect(run.Result).To(HaveExecutionStatus(types.ExecutionStatusSucceeded))
				got := harness.MustResultAs[batchReport](GinkgoT(), run.Result)
				limit := "unlimited"
				if ev.MaxConcurrency != nil {
					limit = fmt.Sprint(*ev.MaxConcurrency)
				}
				By(fmt.Sprintf("map %v, %d branches, failing %v, max concurrency %s, scheduler seed %d: %+v",
					ev.Map, ev.Branches, ev.Failing, limit, schedSeed, got))
				expectPolicy(ev, got)
				Expect(run.Result).To(RecordNothingAfterStop())
			}
		},
		policyNames,
	)

	DescribeTable("are the same after replay",
		func(r completionRow) {
			rep, err := r.checker().Replay(context.Background(), r.event())
			Expect(err).NotTo(HaveOccurred())
			Expect(rep).To(HaveReplayedWithoutExecuting())
			Expect(decodeOutput[batchReport](rep)).To(HaveBatch(r.Succeeded, r.Failed, r.Started, r.Reason.String()))
		},
		completionRows,
	)

	DescribeTable("are the same after a crash or a failed call at any checkpoint",
		func(r completionRow) {
			sweep, _ := r.checker().Boundaries(context.Background(), r.event())
			Expect(sweep).To(SurviveEveryBoundary())
			for _, fr := range sweep.Runs {
				got := harness.MustResultAs[batchReport](GinkgoT(), fr.Run.Result)
				Expect(got).To(HaveBatch(r.Succeeded, r.Failed, r.Started, r.Reason.String()), "%s %d", fr.Fault, fr.K)
				Expect(fr.Run.Result).To(RecordNothingAfterStop())
			}
		},
		completionRows,
	)

	It("depend on the schedule under the seed's fail-fast default, for num2 = 0", func() {
		e := check.New(seedFailFast).MustExplore(GinkgoT(), `{"num1":10,"num2":0}`, check.Seeds(seed(), 64))
		AddReportEntry("exploration", ReportEntryVisibilityFailureOrVerbose, e.String())
		counts := e.By(check.ByBatches)
		Expect(len(counts)).To(BeNumerically(">=", 2), "distinct count outcomes:\n%s", e)
		for _, g := range e.Groups {
			b := g.Outcome.Batches
			Expect(b).To(HaveLen(1))
			Expect(b[0].Failed).To(Equal(1), "the division fails under seeds %v", g.Seeds)
			Expect(b[0].Reason).To(Equal(durable.CompletionFailureToleranceExceeded.String()))
			Expect(b[0].Succeeded + b[0].Started).To(Equal(3))
		}
	})

	It("can change across a crash under the seed's fail-fast default, which the crash sweep reports", func() {
		var found error
		for _, s := range check.Seeds(seed(), 16) {
			if _, err := check.New(seedFailFast, check.WithSeed(s)).CrashEveryBoundary(context.Background(), `{"num1":10,"num2":0}`); err != nil {
				found = err
				break
			}
		}
		// Which difference the sweep meets first (the result, or the operation
		// view when the crash also changes which branches started) depends
		// on the schedule.
		Expect(found).To(Or(BeDivergence("result"), BeDivergence("operation view differs")),
			"some schedule's replay after a crash stops the batch at other counts")
	})

	It("are 3 succeeded, 1 failed under every schedule with the calculator's AllCompleted", func() {
		e := check.New(calculator).MustExplore(GinkgoT(), `{"num1":10,"num2":0}`, check.Seeds(seed(), 64))
		counts := e.By(check.ByBatches)
		Expect(counts).To(HaveLen(1), "one count outcome:\n%s", e)
		b := e.Groups[0].Outcome.Batches
		Expect(b).To(ConsistOf(HaveField("String()", "calculations: 3 succeeded, 1 failed, 0 started of 4 [0 1 2 3], ALL_COMPLETED")))
		for _, seeds := range counts {
			Expect(seeds).To(HaveLen(64), "every seed reached it")
		}
	})
})
