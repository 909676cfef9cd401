package durable_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// TestToleratedPercentageIsExactOverAllBranches: the failed share is
// failed/total*100 (exactly, not rounded), compared strictly, over every branch of the
// batch (not the finished ones): 1 of 3 is 33.3 %, above a tolerated 33 %
// but not above 34 %.
func TestToleratedPercentageIsExactOverAllBranches(t *testing.T) {
	cases := []struct {
		pattern string
		pct     int
		want    batchView
	}{
		{"oxo", 33, batchView{Reason: "FAILURE_TOLERANCE_EXCEEDED", Status: "FAILED", Success: 1, Failure: 1, Total: 2, Indexes: []int{0, 1}, Results: []int{0}}},
		{"xoo", 34, batchView{Reason: "ALL_COMPLETED", Status: "FAILED", Success: 2, Failure: 1, Total: 3, Indexes: []int{0, 1, 2}, Results: []int{1, 2}}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s at %d%%", tc.pattern, tc.pct), func(t *testing.T) {
			got, _ := runView(t, tc.pattern, seq1(), durable.WithCompletion(durable.CompletionConfig{ToleratedFailurePercentage: new(tc.pct)}))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestSuspendedBranchKeepsItsSlot: with max concurrency 1, branch 0 waits
// and suspends the invocation; it keeps the only slot, so branch 1 does not
// start before branch 0 has finished in a later invocation.
func TestSuspendedBranchKeepsItsSlot(t *testing.T) {
	h := func(ctx durable.Context, _ any) ([]string, error) {
		r, err := durable.Parallel(ctx, "p", []durable.Branch[string]{
			{Func: func(ctx durable.Context) (string, error) {
				if err := durable.Wait(ctx, "w0", time.Second); err != nil {
					return "", err
				}
				return "b0", nil
			}},
			{Func: func(ctx durable.Context) (string, error) {
				return durable.Step(ctx, "s1", func(durable.StepContext) (string, error) { return "b1", nil })
			}},
		}, seq1())
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return r.Results(), nil
	}
	m := newMem(`{}`)
	out, _ := m.invokeOnce(t, durable.Handle(h), durable.Env{})
	if out.Status != durable.InvocationPending {
		t.Fatalf("first invocation %s, want PENDING", out.Status)
	}
	if started := len(m.find("parallel-branch-1")) + len(m.find("s1")); started != 0 {
		t.Fatalf("branch 1 started while suspended branch 0 held the only slot (%d operations)", started)
	}
	m.advance()
	out, _ = m.invokeOnce(t, durable.Handle(h), durable.Env{})
	if out.Status != durable.InvocationSucceeded || out.Result != `["b0","b1"]` {
		t.Fatalf("second invocation %s %s %s", out.Status, out.Result, errString(out.Error))
	}
}
