package durable_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.uber.org/goleak"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// prefer is a scripted Scheduler: it gives the turn to the ready task named
// *name, else to the first one.
func prefer(name *string) durable.Scheduler {
	return pickFunc(func(ready []durable.Task) int {
		for i, r := range ready {
			if r.Name == *name {
				return i
			}
		}
		return 0
	})
}

// resumeHandler is the regression program of specs/props: a fail-fast
// Parallel whose branch b0 returns at once and whose branch b1 runs one
// step that always fails.
func resumeHandler(retry durable.RetryStrategy) func(durable.Context, any) (batchView, error) {
	return func(ctx durable.Context, _ any) (batchView, error) {
		r, err := durable.Parallel(ctx, "p", []durable.Branch[int]{
			{Name: "b0", Func: func(durable.Context) (int, error) { return 0, nil }},
			{Name: "b1", Func: func(ctx durable.Context) (int, error) {
				return durable.Step(ctx, "s", func(durable.StepContext) (int, error) { return 0, errBoom }, durable.WithRetry(retry))
			}},
		})
		if batchfail.Settled(err) != nil {
			return batchView{}, err
		}
		return view(r), nil
	}
}

// checkResumedBatch: b0 finished in an earlier invocation, so it is
// SUCCEEDED, whichever branch the scheduler ran first in the last one, and
// the payload agrees with every branch record.
func checkResumedBatch(t *testing.T, m *memService, out *durable.InvocationOutput) {
	t.Helper()
	var got batchView
	resultOf(t, out, &got)
	want := batchView{Reason: "FAILURE_TOLERANCE_EXCEEDED", Status: "FAILED", Success: 1, Failure: 1, Total: 2, Indexes: []int{0, 1}, Results: []int{0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	var payload struct {
		All []struct {
			Index  int
			Status string
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(m.find("p")[0].ContextDetails.Result)), &payload); err != nil {
		t.Fatal(err)
	}
	for _, it := range payload.All {
		b := m.find(fmt.Sprintf("b%d", it.Index))[0]
		if string(b.Status) != it.Status {
			t.Fatalf("the payload lists b%d as %s, its record is %s", it.Index, it.Status, b.Status)
		}
	}
}

// TestResumedBranchOutcomeCountsFirst: invocation 1 finishes b0 while b1's
// step fails its first attempt and suspends for the retry; in invocation 2
// the scheduler runs b1 first, which fails for good and stops the batch.
// b0's recorded SUCCEEDED must count before that decision, not turn into
// STARTED.
func TestResumedBranchOutcomeCountsFirst(t *testing.T) {
	name := "b0"
	env := durable.Env{Scheduler: prefer(&name)}
	inv := durable.Handle(resumeHandler(durable.LinearRetry(2, time.Second, 0)))
	m := newMem(`{}`)
	out, err := m.invokeOnce(t, inv, env)
	if err != nil || out.Status != durable.InvocationPending {
		t.Fatalf("invocation 1: %v %+v", err, out)
	}
	if b0 := m.find("b0")[0]; b0.Status != types.OperationStatusSucceeded {
		t.Fatalf("b0 is %s after invocation 1", b0.Status)
	}
	m.advance()
	name = "b1"
	out, err = m.invokeOnce(t, inv, env)
	if err != nil {
		t.Fatalf("invocation 2: %v", err)
	}
	checkResumedBatch(t, m, out)
	goleak.VerifyNone(t)
}

// TestResumedBranchOutcomeCountsFirstAfterCrash: the same after a crash
// right after the checkpoint call that carried b0's SUCCEED.
func TestResumedBranchOutcomeCountsFirstAfterCrash(t *testing.T) {
	name := "b0"
	env := durable.Env{Scheduler: prefer(&name)}
	inv := durable.Handle(resumeHandler(durable.NoRetry()))
	m := newMem(`{}`)
	crashed := false
	m.fail = func(_ int, ups []types.OperationUpdate) error {
		for _, u := range ups {
			if aws.ToString(u.Name) == "b0" && u.Action == types.OperationActionSucceed && !crashed {
				crashed = true
				for _, u := range ups {
					m.applyLocked(t, u)
				}
				return errors.New("injected crash: the response is lost")
			}
		}
		return nil
	}
	if _, err := m.invokeOnce(t, inv, env); err == nil || !crashed {
		t.Fatalf("invocation 1 did not crash: %v", err)
	}
	goleak.VerifyNone(t)
	name = "b1"
	out, n := m.run(t, inv, env)
	if n != 1 {
		t.Fatalf("%d more invocations", n)
	}
	checkResumedBatch(t, m, out)
}

// order is a scripted Scheduler: the first ready task in *names order.
func order(names *[]string) durable.Scheduler {
	return pickFunc(func(ready []durable.Task) int {
		for _, want := range *names {
			for i, r := range ready {
				if r.Name == want {
					return i
				}
			}
		}
		return 0
	})
}

// TestResumedDecisionReplaysTheRecordedOne: invocation 1 runs b2 up to its
// step, then b1 fails (tolerated) and b0 succeeds, which stops the batch
// (MIN_SUCCESSFUL_REACHED) with b2 in flight; it crashes before the
// Parallel's SUCCEED reaches the service. The replay must reach the same
// decision from the same recorded outcomes: counted one by one in index
// order, b0 alone would stop the batch and b1, whose record says FAILED,
// would be listed STARTED.
func TestResumedDecisionReplaysTheRecordedOne(t *testing.T) {
	var runs [3]int
	h := func(ctx durable.Context, _ any) (batchView, error) {
		var bs []durable.Branch[int]
		for i := range 3 {
			bs = append(bs, durable.Branch[int]{Name: fmt.Sprintf("b%d", i), Func: func(ctx durable.Context) (int, error) {
				runs[i]++
				switch i {
				case 0:
					return 0, nil
				case 1:
					return 0, errBoom
				}
				return durable.Step(ctx, "s", func(durable.StepContext) (int, error) { return i, nil })
			}})
		}
		r, err := durable.Parallel(ctx, "p", bs, durable.WithCompletion(durable.CompletionConfig{MinSuccessful: 1, ToleratedFailureCount: new(1)}))
		if batchfail.Settled(err) != nil {
			return batchView{}, err
		}
		return view(r), nil
	}
	// b2 gets the first turn only: it records its START and waits at its
	// step for a turn it gets after the stop.
	names := []string{"b2", "b1", "b0"}
	sched := order(&names)
	env := durable.Env{Scheduler: pickFunc(func(ready []durable.Task) int {
		i := sched.Pick(ready)
		if ready[i].Name == "b2" && names[0] == "b2" {
			names = []string{"b1", "b0", "b2"}
		}
		return i
	})}
	m := newMem(`{}`)
	m.fail = func(_ int, ups []types.OperationUpdate) error {
		if u := ups[len(ups)-1]; aws.ToString(u.Name) == "p" && u.Action == types.OperationActionSucceed {
			for _, u := range ups[:len(ups)-1] {
				m.applyLocked(t, u)
			}
			return errors.New("injected crash: the Parallel's SUCCEED is lost")
		}
		return nil
	}
	inv := durable.Handle(h)
	if _, err := m.invokeOnce(t, inv, env); err == nil {
		t.Fatal("no crash")
	}
	goleak.VerifyNone(t)
	var status []types.OperationStatus
	for i := range 3 {
		status = append(status, m.find(fmt.Sprintf("b%d", i))[0].Status)
	}
	if fmt.Sprint(status) != "[SUCCEEDED FAILED STARTED]" || len(m.find("s")) != 0 {
		t.Fatalf("after the crash: branches %v, step %+v", status, m.find("s"))
	}
	m.fail = nil
	names = []string{"b0", "b1", "b2"}
	out, _ := m.run(t, inv, durable.Env{Scheduler: sched})
	var got batchView
	resultOf(t, out, &got)
	want := batchView{Reason: "MIN_SUCCESSFUL_REACHED", Status: "FAILED", Success: 1, Failure: 1, Started: 1, Total: 3, Indexes: []int{0, 1, 2}, Results: []int{0}}
	if fmt.Sprint(got) != fmt.Sprint(want) || runs != [3]int{1, 1, 1} {
		t.Fatalf("got %+v, branch runs %v", got, runs)
	}
}

// TestResumedLargeBranchReplaysFirst: a branch recorded with ReplayChildren
// (result over 256 KiB) in an earlier invocation is counted on resume by
// running its function again with its step replayed, before the branch
// still waiting goes on; nothing of it is checkpointed again.
func TestResumedLargeBranchReplaysFirst(t *testing.T) {
	wideRuns, stepRuns := 0, 0
	h := func(ctx durable.Context, _ any) ([]int, error) {
		r, err := durable.Parallel(ctx, "p", []durable.Branch[string]{
			{Name: "wide", Func: func(ctx durable.Context) (string, error) {
				wideRuns++
				s, err := durable.Step(ctx, "s", func(durable.StepContext) (string, error) { stepRuns++; return "ab", nil })
				return strings.Repeat(s, 150*1024), err
			}},
			{Name: "waits", Func: func(ctx durable.Context) (string, error) {
				return "w", durable.Wait(ctx, "w", time.Second)
			}},
		})
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		var lens []int
		for _, it := range r.Items {
			lens = append(lens, len(it.Result))
		}
		return lens, nil
	}
	name := "wide"
	m := newMem(`{}`)
	out, n := m.run(t, durable.Handle(h), durable.Env{Scheduler: prefer(&name)})
	if out.Result != "[307200,1]" || n != 2 || wideRuns != 2 || stepRuns != 1 {
		t.Fatalf("result %s, %d invocations, wide ran %d times, its step %d", out.Result, n, wideRuns, stepRuns)
	}
	succeeds := 0
	for _, u := range m.allUpdates() {
		if aws.ToString(u.Name) == "wide" && u.Action == types.OperationActionSucceed {
			succeeds++
		}
	}
	if wide := m.find("wide")[0]; succeeds != 1 || !aws.ToBool(wide.ContextDetails.ReplayChildren) {
		t.Fatalf("wide: %d SUCCEEDs, %+v", succeeds, wide.ContextDetails)
	}
}
