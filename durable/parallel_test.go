package durable_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.uber.org/goleak"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

var errBoom = errors.New("boom")

// outcomes builds branches from a pattern: 'o' succeeds with its index,
// 'x' fails, each through one step named s{i}.
func outcomes(pattern string) []durable.Branch[int] {
	var bs []durable.Branch[int]
	for i, c := range pattern {
		bs = append(bs, durable.Branch[int]{Func: func(ctx durable.Context) (int, error) {
			return durable.Step(ctx, fmt.Sprintf("s%d", i), func(durable.StepContext) (int, error) {
				if c == 'x' {
					return 0, errBoom
				}
				return i, nil
			}, durable.WithRetry(durable.NoRetry()))
		}})
	}
	return bs
}

type batchView struct {
	Reason                           string
	Status                           string
	Success, Failure, Started, Total int
	Indexes                          []int
	Results                          []int
}

func view(r durable.BatchResult[int]) batchView {
	v := batchView{Reason: r.CompletionReason().String(), Status: r.Status().String(), Success: r.SuccessCount(),
		Failure: r.FailureCount(), Started: r.StartedCount(), Total: r.TotalCount(), Results: r.Results()}
	for _, it := range r.Items {
		v.Indexes = append(v.Indexes, it.Index)
	}
	return v
}

// parallelHandler runs one Parallel and returns its view.
func parallelHandler(pattern string, opts ...durable.BatchOption) func(durable.Context, any) (batchView, error) {
	return func(ctx durable.Context, _ any) (batchView, error) {
		r, err := durable.Parallel(ctx, "p", outcomes(pattern), opts...)
		if batchfail.Settled(err) != nil {
			return batchView{}, err
		}
		return view(r), nil
	}
}

func runView(t *testing.T, pattern string, opts ...durable.BatchOption) (batchView, *memService) {
	t.Helper()
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(parallelHandler(pattern, opts...)), durable.Env{})
	var v batchView
	resultOf(t, out, &v)
	return v, m
}

func seq1() durable.BatchOption { return durable.WithMaxConcurrency(1) }

func TestCompletionReasons(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		cc      *durable.CompletionConfig
		want    batchView
	}{
		{"fail-fast default stops at the first failure (8-6)", "oxo", nil,
			batchView{Reason: "FAILURE_TOLERANCE_EXCEEDED", Status: "FAILED", Success: 1, Failure: 1, Total: 2, Indexes: []int{0, 1}, Results: []int{0}}},
		{"a failure on the last branch still exceeds the tolerance first", "oox", nil,
			batchView{Reason: "FAILURE_TOLERANCE_EXCEEDED", Status: "FAILED", Success: 2, Failure: 1, Total: 3, Indexes: []int{0, 1, 2}, Results: []int{0, 1}}},
		{"tolerated count 1 with one failure completes (8-9)", "oxo", &durable.CompletionConfig{ToleratedFailureCount: new(1)},
			batchView{Reason: "ALL_COMPLETED", Status: "FAILED", Success: 2, Failure: 1, Total: 3, Indexes: []int{0, 1, 2}, Results: []int{0, 2}}},
		{"tolerated count 1 with two failures stops (8-10)", "xxo", &durable.CompletionConfig{ToleratedFailureCount: new(1)},
			batchView{Reason: "FAILURE_TOLERANCE_EXCEEDED", Status: "FAILED", Failure: 2, Total: 2, Indexes: []int{0, 1}}},
		{"strict percentage: 1 of 4 with 25% is ALL_COMPLETED", "oxoo", &durable.CompletionConfig{ToleratedFailurePercentage: new(25)},
			batchView{Reason: "ALL_COMPLETED", Status: "FAILED", Success: 3, Failure: 1, Total: 4, Indexes: []int{0, 1, 2, 3}, Results: []int{0, 2, 3}}},
		{"percentage: 2 of 4 with 25% stops (8-13)", "xxoo", &durable.CompletionConfig{ToleratedFailurePercentage: new(25)},
			batchView{Reason: "FAILURE_TOLERANCE_EXCEEDED", Status: "FAILED", Failure: 2, Total: 2, Indexes: []int{0, 1}}},
		{"min successful 2 of 4 (8-8)", "oooo", &durable.CompletionConfig{MinSuccessful: 2},
			batchView{Reason: "MIN_SUCCESSFUL_REACHED", Status: "SUCCEEDED", Success: 2, Total: 2, Indexes: []int{0, 1}, Results: []int{0, 1}}},
		{"min successful equal to the total is ALL_COMPLETED", "ooo", &durable.CompletionConfig{MinSuccessful: 3},
			batchView{Reason: "ALL_COMPLETED", Status: "SUCCEEDED", Success: 3, Total: 3, Indexes: []int{0, 1, 2}, Results: []int{0, 1, 2}}},
		{"tolerance beats min successful (8-18)", "xxooo", &durable.CompletionConfig{MinSuccessful: 3, ToleratedFailureCount: new(1)},
			batchView{Reason: "FAILURE_TOLERANCE_EXCEEDED", Status: "FAILED", Failure: 2, Total: 2, Indexes: []int{0, 1}}},
		{"all completed beats min successful on the last branch", "xoo", &durable.CompletionConfig{MinSuccessful: 2, ToleratedFailureCount: new(1)},
			batchView{Reason: "ALL_COMPLETED", Status: "FAILED", Success: 2, Failure: 1, Total: 3, Indexes: []int{0, 1, 2}, Results: []int{1, 2}}},
		{"tolerance of 3 with 3 failures completes (8-16)", "xxx", &durable.CompletionConfig{ToleratedFailureCount: new(3)},
			batchView{Reason: "ALL_COMPLETED", Status: "FAILED", Failure: 3, Total: 3, Indexes: []int{0, 1, 2}}},
		{"first successful", "xoo", ptrTo(durable.FirstSuccessful()),
			batchView{Reason: "MIN_SUCCESSFUL_REACHED", Status: "FAILED", Success: 1, Failure: 1, Total: 2, Indexes: []int{0, 1}, Results: []int{1}}},
		{"all successful preset is fail-fast", "oxo", ptrTo(durable.AllSuccessful()),
			batchView{Reason: "FAILURE_TOLERANCE_EXCEEDED", Status: "FAILED", Success: 1, Failure: 1, Total: 2, Indexes: []int{0, 1}, Results: []int{0}}},
		{"all completed preset runs everything", "xxxo", ptrTo(durable.AllCompleted()),
			batchView{Reason: "ALL_COMPLETED", Status: "FAILED", Success: 1, Failure: 3, Total: 4, Indexes: []int{0, 1, 2, 3}, Results: []int{3}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := []durable.BatchOption{seq1()}
			if tc.cc != nil {
				opts = append(opts, durable.WithCompletion(*tc.cc))
			}
			got, m := runView(t, tc.pattern, opts...)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
			// Never-started branches left no trace at the service.
			for i := tc.want.Total; i < len(tc.pattern); i++ {
				if len(m.find(fmt.Sprintf("s%d", i))) != 0 || len(m.find(fmt.Sprintf("parallel-branch-%d", i))) != 0 {
					t.Fatalf("branch %d never started but has operations", i)
				}
			}
			// The Parallel is SUCCEEDED whatever the branches did.
			if p := m.find("p"); p[0].Status != types.OperationStatusSucceeded {
				t.Fatalf("parallel %s", p[0].Status)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestEmptyParallel(t *testing.T) {
	got, m := runView(t, "")
	if got.Reason != "ALL_COMPLETED" || got.Total != 0 || got.Status != "SUCCEEDED" {
		t.Fatalf("%+v", got)
	}
	ups := m.allUpdates()
	if len(ups) != 2 || ups[0].Action != types.OperationActionStart || ups[1].Action != types.OperationActionSucceed ||
		aws.ToString(ups[1].Payload) != `{"all":[],"completionReason":"ALL_COMPLETED"}` {
		t.Fatalf("updates %+v", ups)
	}
}

func TestParallelValidation(t *testing.T) {
	cases := map[string][]durable.BatchOption{
		"max concurrency must be at least 1, got: 0":                       {durable.WithMaxConcurrency(0)},
		"min successful cannot be greater than total items: 3 > 2":         {durable.WithCompletion(durable.CompletionConfig{MinSuccessful: 3})},
		"min successful must be at least 1, got: -1":                       {durable.WithCompletion(durable.CompletionConfig{MinSuccessful: -1})},
		"tolerated failure count must be at least 0, got: -1":              {durable.WithCompletion(durable.CompletionConfig{ToleratedFailureCount: new(-1)})},
		"tolerated failure percentage must be between 0 and 100, got: 101": {durable.WithCompletion(durable.CompletionConfig{ToleratedFailurePercentage: new(101)})},
	}
	for msg, opts := range cases {
		t.Run(msg, func(t *testing.T) {
			m := newMem(`{}`)
			var perr error
			h := func(ctx durable.Context, _ any) (int, error) {
				_, perr = durable.Parallel(ctx, "p", outcomes("oo"), opts...)
				return 0, perr
			}
			out, _ := m.run(t, durable.Handle(h), durable.Env{})
			var ve *durable.ValidationError
			if !errors.As(perr, &ve) || ve.Message != msg {
				t.Fatalf("error %v", perr)
			}
			if out.Status != durable.InvocationFailed || aws.ToString(out.Error.ErrorType) != "ValidationError" || aws.ToString(out.Error.ErrorMessage) != msg {
				t.Fatalf("output %+v %s", out, errString(out.Error))
			}
			if m.calls != 0 {
				t.Fatalf("%d checkpoint calls, want none", m.calls)
			}
		})
	}
}

// TestMaxConcurrency runs 3 branches two at a time: the first two must be
// in flight together (they wait for each other), and never three.
func TestMaxConcurrency(t *testing.T) {
	var inFlight, peak atomic.Int32
	var barrier sync.WaitGroup
	barrier.Add(2)
	mk := func(i int, wait bool) durable.Branch[int] {
		return durable.Branch[int]{Func: func(ctx durable.Context) (int, error) {
			return durable.Step(ctx, "s", func(durable.StepContext) (int, error) {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				if wait {
					barrier.Done()
					done := make(chan struct{})
					go func() { barrier.Wait(); close(done) }()
					select {
					case <-done:
					case <-time.After(10 * time.Second):
						return 0, errors.New("the other branch never ran concurrently")
					}
				}
				return i, nil
			})
		}}
	}
	h := func(ctx durable.Context, _ any) ([]int, error) {
		r, err := durable.Parallel(ctx, "p", []durable.Branch[int]{mk(0, true), mk(1, true), mk(2, false)},
			durable.WithMaxConcurrency(2), durable.WithCompletion(durable.AllCompleted()))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return r.Results(), r.ThrowIfError()
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	var got []int
	resultOf(t, out, &got)
	if !slices.Equal(got, []int{0, 1, 2}) || peak.Load() != 2 {
		t.Fatalf("results %v, peak %d", got, peak.Load())
	}
}

// TestEarlyStopAbandons: under a scripted schedule branch 1 runs its step
// body, then branch 0 fails and the fail-fast batch stops. Branch 1 must
// record nothing more, be reported STARTED, and its goroutine must be gone
// before the Parallel SUCCEED.
func TestEarlyStopAbandons(t *testing.T) {
	var bodyRan atomic.Bool
	var afterStop atomic.Bool
	branches := []durable.Branch[int]{
		{Name: "fails", Func: func(ctx durable.Context) (int, error) {
			return durable.Step(ctx, "f", func(durable.StepContext) (int, error) { return 0, errBoom }, durable.WithRetry(durable.NoRetry()))
		}},
		{Name: "slow", Func: func(ctx durable.Context) (int, error) {
			v, err := durable.Step(ctx, "s1", func(durable.StepContext) (int, error) { bodyRan.Store(true); return 1, nil })
			if err != nil {
				return 0, err
			}
			afterStop.Store(true) // must not be reached: s1's SUCCEED is abandoned
			return durable.Step(ctx, "s2", func(durable.StepContext) (int, error) { return v, nil })
		}},
	}
	// Prefer "slow" until its body ran, then "fails".
	sched := pickFunc(func(ready []durable.Task) int {
		want := "slow"
		if bodyRan.Load() {
			want = "fails"
		}
		for i, r := range ready {
			if r.Name == want {
				return i
			}
		}
		return 0
	})
	obs := newRecorder()
	h := func(ctx durable.Context, _ any) (batchView, error) {
		r, err := durable.Parallel(ctx, "p", branches)
		if batchfail.Settled(err) != nil {
			return batchView{}, err
		}
		return view(r), nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{Scheduler: sched, Observer: obs})
	goleak.VerifyNone(t)
	var got batchView
	resultOf(t, out, &got)
	want := batchView{Reason: "FAILURE_TOLERANCE_EXCEEDED", Status: "FAILED", Failure: 1, Started: 1, Total: 2, Indexes: []int{0, 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %+v", got)
	}
	if !bodyRan.Load() || afterStop.Load() {
		t.Fatalf("body ran %v, code after the stop ran %v", bodyRan.Load(), afterStop.Load())
	}
	s1 := m.find("s1")[0]
	slow := m.find("slow")[0]
	if s1.Status != types.OperationStatusStarted || slow.Status != types.OperationStatusStarted {
		t.Fatalf("abandoned branch recorded more: step %s, branch %s", s1.Status, slow.Status)
	}
	// The Parallel SUCCEED is the last update.
	ups := m.allUpdates()
	last := ups[len(ups)-1]
	if aws.ToString(last.Name) != "p" || last.Action != types.OperationActionSucceed {
		t.Fatalf("last update %s %s", aws.ToString(last.Name), last.Action)
	}
	if !strings.Contains(aws.ToString(last.Payload), `{"index":1,"status":"STARTED"}`) {
		t.Fatalf("payload %s", aws.ToString(last.Payload))
	}
}

// TestEarlyStopFreeRunning races fail-fast batches without a scheduler: a
// branch the payload calls STARTED must have no terminal record, and every
// goroutine must be gone.
func TestEarlyStopFreeRunning(t *testing.T) {
	for range 50 {
		h := func(ctx durable.Context, _ any) (batchView, error) {
			r, err := durable.Parallel(ctx, "p", outcomes("ooxooooo"))
			if batchfail.Settled(err) != nil {
				return batchView{}, err
			}
			return view(r), nil
		}
		m := newMem(`{}`)
		out, _ := m.run(t, durable.Handle(h), durable.Env{})
		var got batchView
		resultOf(t, out, &got)
		if got.Reason != "FAILURE_TOLERANCE_EXCEEDED" || got.Failure != 1 {
			t.Fatalf("%+v", got)
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
			b := m.find(fmt.Sprintf("parallel-branch-%d", it.Index))
			if len(b) == 0 {
				continue
			}
			terminal := b[0].Status != types.OperationStatusStarted
			if (it.Status == "STARTED") == terminal {
				t.Fatalf("item %d is %s but its branch is %s", it.Index, it.Status, b[0].Status)
			}
		}
	}
	goleak.VerifyNone(t)
}

// TestEarlyStopNothingAfterTrigger races fail-fast batches without a
// scheduler: the terminal update of the branch that stopped the batch is
// queued together with the stop, so no update of a branch it abandoned
// reaches the service after it.
func TestEarlyStopNothingAfterTrigger(t *testing.T) {
	for range 100 {
		m := newMem(`{}`)
		out, _ := m.run(t, durable.Handle(parallelHandler("oooxoooo")), durable.Env{})
		var got batchView
		resultOf(t, out, &got)
		var payload struct {
			All []struct {
				Index  int
				Status string
			}
		}
		if err := json.Unmarshal([]byte(aws.ToString(m.find("p")[0].ContextDetails.Result)), &payload); err != nil {
			t.Fatal(err)
		}
		abandoned := map[string]bool{}
		counted := map[string]bool{}
		for _, it := range payload.All {
			b := m.find(fmt.Sprintf("parallel-branch-%d", it.Index))
			if len(b) == 0 {
				continue // abandoned before it queued its START
			}
			id := aws.ToString(b[0].Id)
			if it.Status == "STARTED" {
				abandoned[id] = true
			} else {
				counted[id] = true
			}
		}
		trigger := -1
		ups := m.allUpdates()
		for k, u := range ups {
			if counted[aws.ToString(u.Id)] && u.Action != types.OperationActionStart {
				trigger = k
			}
		}
		for k, u := range ups[trigger+1:] {
			if abandoned[aws.ToString(u.Id)] || abandoned[aws.ToString(u.ParentId)] {
				t.Fatalf("update %d (%s %s) of an abandoned branch follows the stop at update %d", trigger+1+k, aws.ToString(u.Name), u.Action, trigger)
			}
		}
	}
	goleak.VerifyNone(t)
}
