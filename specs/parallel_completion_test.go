package specs_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
)

// policies are the completion configurations the matrix uses, by name.
// nil is the default: fail-fast.
var policies = map[string]*completion{
	"default":           nil,
	"AllSuccessful":     {Preset: "AllSuccessful"},
	"AllCompleted":      {Preset: "AllCompleted"},
	"FirstSuccessful":   {Preset: "FirstSuccessful"},
	"tolerate 1":        {ToleratedFailureCount: ptr(1)},
	"tolerate 2":        {ToleratedFailureCount: ptr(2)},
	"tolerate 0":        {ToleratedFailureCount: ptr(0)},
	"tolerate 25%":      {ToleratedFailurePercentage: ptr(25)},
	"tolerate 50%":      {ToleratedFailurePercentage: ptr(50)},
	"min 2":             {MinSuccessful: ptr(2)},
	"min 3, tolerate 0": {MinSuccessful: ptr(3), ToleratedFailureCount: ptr(0)},
}

// completionRow is one point of the matrix branches × failing set ×
// completion policy × max concurrency, run under a fixed schedule, with
// the outcome the documented rules give (decisions §2.2–2.4: reason
// precedence tolerance > all completed > min successful, strict
// comparisons, never-started branches left out, in-flight ones STARTED).
type completionRow struct {
	Map            bool // a Map over the items instead of a Parallel of branches
	Branches       int
	Failing        []int
	Policy         string
	MaxConcurrency int      // 0: unlimited
	Order          []string // branch names to favour, in order; nil: index order

	Reason                     durable.CompletionReason
	Succeeded, Failed, Started int
	StartedSet                 []int // the indexes in BatchResult.Items
}

func (r completionRow) String() string {
	s := fmt.Sprintf("%d branches, failing %v, %s", r.Branches, r.Failing, r.Policy)
	if r.MaxConcurrency > 0 {
		s += fmt.Sprintf(", max %d", r.MaxConcurrency)
	}
	if r.Order != nil {
		s += ", order " + strings.Join(r.Order, " ")
	}
	if r.Map {
		s = "Map: " + s
	}
	return s
}

func (r completionRow) event() batchEvent {
	ev := batchEvent{Map: r.Map, Branches: r.Branches, Failing: r.Failing, Completion: policies[r.Policy]}
	if r.MaxConcurrency > 0 {
		ev.MaxConcurrency = ptr(r.MaxConcurrency)
	}
	return ev
}

// checker runs batchProgram under the row's fixed schedule.
func (r completionRow) checker() *check.Checker {
	return check.New(batchProgram, check.WithSeed(seed()), check.WithSchedule(func(uint64) *check.Scheduler {
		if r.Order == nil {
			return check.InOrder()
		}
		return check.Prefer(r.Order...)
	}))
}

// rows makes the entries of r for a Parallel and for a Map: the two share
// one batch engine, so every row holds for both.
func rows(rs ...completionRow) []TableEntry {
	var out []TableEntry
	for _, r := range rs {
		m := r
		m.Map = true
		out = append(out, Entry(r.String(), r), Entry(m.String(), m))
	}
	return out
}

const (
	tolerance = durable.CompletionFailureToleranceExceeded
	all       = durable.CompletionAllCompleted
	minimum   = durable.CompletionMinSuccessfulReached
)

var completionRows = rows(
	completionRow{Branches: 3, Policy: "default", Reason: all, Succeeded: 3, StartedSet: []int{0, 1, 2}},
	completionRow{Branches: 3, Failing: []int{1}, Policy: "default", MaxConcurrency: 1, Reason: tolerance, Succeeded: 1, Failed: 1, StartedSet: []int{0, 1}},
	completionRow{Branches: 3, Failing: []int{1}, Policy: "default", Reason: tolerance, Succeeded: 1, Failed: 1, Started: 1, StartedSet: []int{0, 1, 2}},
	completionRow{Branches: 3, Failing: []int{0}, Policy: "default", Order: []string{"b2", "b1", "b0"}, Reason: tolerance, Succeeded: 2, Failed: 1, StartedSet: []int{0, 1, 2}},
	completionRow{Branches: 1, Failing: []int{0}, Policy: "default", Reason: tolerance, Failed: 1, StartedSet: []int{0}},
	completionRow{Branches: 2, Failing: []int{1}, Policy: "default", Reason: tolerance, Succeeded: 1, Failed: 1, StartedSet: []int{0, 1}},
	completionRow{Branches: 3, Failing: []int{1}, Policy: "AllCompleted", Reason: all, Succeeded: 2, Failed: 1, StartedSet: []int{0, 1, 2}},
	completionRow{Branches: 4, Failing: []int{2}, Policy: "AllSuccessful", MaxConcurrency: 2, Reason: tolerance, Succeeded: 2, Failed: 1, Started: 1, StartedSet: []int{0, 1, 2, 3}},
	completionRow{Branches: 5, Policy: "AllSuccessful", MaxConcurrency: 2, Reason: all, Succeeded: 5, StartedSet: []int{0, 1, 2, 3, 4}},
	completionRow{Branches: 4, Failing: []int{0, 1}, Policy: "tolerate 1", MaxConcurrency: 1, Reason: tolerance, Failed: 2, StartedSet: []int{0, 1}},
	completionRow{Branches: 4, Failing: []int{0}, Policy: "tolerate 1", Reason: all, Succeeded: 3, Failed: 1, StartedSet: []int{0, 1, 2, 3}},
	completionRow{Branches: 3, Failing: []int{0, 1, 2}, Policy: "tolerate 2", MaxConcurrency: 1, Reason: tolerance, Failed: 3, StartedSet: []int{0, 1, 2}},
	completionRow{Branches: 3, Failing: []int{0, 1}, Policy: "tolerate 2", Reason: all, Succeeded: 1, Failed: 2, StartedSet: []int{0, 1, 2}},
	completionRow{Branches: 3, Policy: "tolerate 0", Reason: all, Succeeded: 3, StartedSet: []int{0, 1, 2}},
	completionRow{Branches: 4, Failing: []int{1, 2}, Policy: "tolerate 25%", Reason: tolerance, Succeeded: 1, Failed: 2, Started: 1, StartedSet: []int{0, 1, 2, 3}},
	completionRow{Branches: 4, Failing: []int{0, 1}, Policy: "tolerate 50%", Reason: all, Succeeded: 2, Failed: 2, StartedSet: []int{0, 1, 2, 3}},
	completionRow{Branches: 4, Failing: []int{0, 1, 2}, Policy: "tolerate 50%", MaxConcurrency: 1, Reason: tolerance, Failed: 3, StartedSet: []int{0, 1, 2}},
	completionRow{Branches: 4, Policy: "FirstSuccessful", Reason: minimum, Succeeded: 1, Started: 3, StartedSet: []int{0, 1, 2, 3}},
	completionRow{Branches: 4, Policy: "FirstSuccessful", MaxConcurrency: 2, Reason: minimum, Succeeded: 1, Started: 1, StartedSet: []int{0, 1}},
	completionRow{Branches: 4, Failing: []int{0}, Policy: "FirstSuccessful", MaxConcurrency: 1, Reason: minimum, Succeeded: 1, Failed: 1, StartedSet: []int{0, 1}},
	completionRow{Branches: 3, Failing: []int{0, 1, 2}, Policy: "FirstSuccessful", Reason: all, Failed: 3, StartedSet: []int{0, 1, 2}},
	completionRow{Branches: 2, Failing: []int{1}, Policy: "FirstSuccessful", Order: []string{"b1", "b0"}, Reason: all, Succeeded: 1, Failed: 1, StartedSet: []int{0, 1}},
	completionRow{Branches: 4, Failing: []int{3}, Policy: "min 2", MaxConcurrency: 1, Reason: minimum, Succeeded: 2, StartedSet: []int{0, 1}},
	completionRow{Branches: 5, Failing: []int{4}, Policy: "min 2", Order: []string{"b4", "b3", "b2", "b1", "b0"}, Reason: minimum, Succeeded: 2, Failed: 1, Started: 2, StartedSet: []int{0, 1, 2, 3, 4}},
	completionRow{Branches: 4, Failing: []int{0}, Policy: "min 3, tolerate 0", Reason: tolerance, Failed: 1, Started: 3, StartedSet: []int{0, 1, 2, 3}},
)

// runBatch runs batchProgram once under the row's schedule and returns the
// execution and the BatchResult it reported.
func runBatch(r completionRow) (*check.Run, batchReport) {
	GinkgoHelper()
	run := r.checker().MustRun(GinkgoT(), r.event())
	Expect(run.Result).To(HaveExecutionStatus(types.ExecutionStatusSucceeded))
	return run, harness.MustResultAs[batchReport](GinkgoT(), run.Result)
}

var _ = Describe("Parallel and Map completion", Label("local"), func() {
	DescribeTable("gives the documented reason, counts and started branches",
		func(r completionRow) {
			run, got := runBatch(r)
			Expect(got).To(HaveBatch(r.Succeeded, r.Failed, r.Started, r.Reason.String()))
			Expect(got.indexes()).To(HaveExactElements(r.StartedSet), "the started branches, in index order")

			By("reporting each failure with the failing step's own error type")
			Expect(got.FailureTypes).To(HaveLen(r.Failed))
			Expect(got.FailureTypes).NotTo(ContainElement(Not(Equal("BranchFailure"))))
			for _, it := range got.Items {
				if it.Status == "SUCCEEDED" {
					Expect(got.Results).To(ContainElement(10*it.Index), "the result of %s", it.Name)
				}
			}

			By("recording nothing for a branch that never started")
			for i := range r.Branches {
				if !slices.Contains(r.StartedSet, i) {
					Expect(run.Result.Op(branchName(i))).To(BeNil(), "branch %d never started", i)
				}
			}

			By("recording nothing from an abandoned branch after the stop")
			Expect(run.Result).To(RecordNothingAfterStop())
		},
		completionRows,
	)

	DescribeTable("abandons an in-flight branch without a checkpoint after the stop",
		func(script []string, prepare types.OperationStatus, work types.OperationStatus) {
			c := check.New(batchProgram, check.WithSchedule(func(uint64) *check.Scheduler { return check.Script(script...) }))
			run := c.MustRun(GinkgoT(), batchEvent{Branches: 2, Failing: []int{1}})
			res := run.Result
			Expect(harness.MustResultAs[batchReport](GinkgoT(), res)).To(HaveBatch(0, 1, 1, tolerance.String()))
			Expect(res).To(RecordNothingAfterStop())
			Expect(res).To(HaveOperation("b0", types.OperationStatusStarted))
			b0 := res.Op("b0")
			Expect(b0.Child("prepare")).To(HaveField("Status", prepare))
			if work == "" {
				Expect(b0.Child("work")).To(BeNil(), "the work step never began")
			} else {
				Expect(b0.Child("work")).To(HaveField("Status", work))
			}
		},
		Entry("paused after its first step's body", []string{"b0", "b0", "b1"}, types.OperationStatusStarted, types.OperationStatus("")),
		Entry("paused between its steps", []string{"b0", "b0", "b0", "b1"}, types.OperationStatusSucceeded, types.OperationStatus("")),
		Entry("paused after its second step's body", []string{"b0", "b0", "b0", "b0", "b1"}, types.OperationStatusSucceeded, types.OperationStatusStarted),
	)

	DescribeTable("rejects a bad configuration before any checkpoint",
		func(ev batchEvent, message string) {
			res := check.New(batchProgram).MustRun(GinkgoT(), ev).Result
			Expect(res).To(HaveExecutionStatus(types.ExecutionStatusFailed))
			Expect(*res.Error.ErrorType).To(Equal("ValidationError"))
			Expect(*res.Error.ErrorMessage).To(ContainSubstring(message))
			Expect(res.Operations).To(BeEmpty())
			Expect(res.Invocations).To(HaveLen(1))
		},
		Entry("max concurrency 0", batchEvent{Branches: 2, MaxConcurrency: ptr(0)}, "max concurrency must be at least 1"),
		Entry("max concurrency 0 on a Map", batchEvent{Map: true, Branches: 2, MaxConcurrency: ptr(0)}, "max concurrency must be at least 1"),
		Entry("min successful above the item count of a Map", batchEvent{Map: true, Branches: 2, Completion: &completion{MinSuccessful: ptr(3)}}, "min successful cannot be greater than total items"),
		Entry("min successful above the branch count", batchEvent{Branches: 2, Completion: &completion{MinSuccessful: ptr(3)}}, "min successful cannot be greater than total items"),
		Entry("a negative tolerated failure count", batchEvent{Branches: 2, Completion: &completion{ToleratedFailureCount: ptr(-1)}}, "tolerated failure count must be at least 0"),
		Entry("a tolerated percentage above 100", batchEvent{Branches: 2, Completion: &completion{ToleratedFailurePercentage: ptr(150)}}, "tolerated failure percentage must be between 0 and 100"),
	)

	It("names unnamed branches parallel-branch-{index}", func() {
		inv := durable.Handle(func(ctx durable.Context, _ struct{}) ([]string, error) {
			noop := func(durable.Context) (int, error) { return 0, nil }
			res, err := durable.Parallel(ctx, "unnamed", []durable.Branch[int]{{Func: noop}, {Func: noop}})
			names := []string{}
			for _, it := range res.Items {
				names = append(names, it.Name)
			}
			return names, err
		})
		res := check.New(inv).MustRun(GinkgoT(), struct{}{}).Result
		Expect(res).To(HaveExecutionStatus(types.ExecutionStatusSucceeded))
		Expect(json.RawMessage(*res.Output)).To(MatchJSON(`["parallel-branch-0","parallel-branch-1"]`))
		Expect(res).To(HaveOperation("parallel-branch-1", types.OperationStatusSucceeded))
	})
})
