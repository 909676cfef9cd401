package durable_test

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// goroutineID is the number runtime.Stack prints for the calling goroutine;
// only tests need to tell goroutines apart.
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _, _ := bytes.Cut(bytes.TrimPrefix(buf, []byte("goroutine ")), []byte(" "))
	return string(id)
}

// tracedBranches are n branches of one step each; every branch notes,
// under mu, the goroutine it ran on and its index in the order it ran.
type tracedBranches struct {
	mu    sync.Mutex
	order []int
	gids  []string
	steps atomic.Int32 // step bodies run
}

func (tb *tracedBranches) branches(n int, body func(i int) (int, error)) []durable.Branch[int] {
	bs := make([]durable.Branch[int], n)
	for i := range bs {
		bs[i] = durable.Branch[int]{Name: fmt.Sprintf("b%d", i), Func: func(ctx durable.Context) (int, error) {
			tb.mu.Lock()
			tb.order = append(tb.order, i)
			tb.gids = append(tb.gids, goroutineID())
			tb.mu.Unlock()
			return durable.Step(ctx, "s", func(durable.StepContext) (int, error) {
				tb.steps.Add(1)
				return body(i)
			})
		}}
	}
	return bs
}

func TestSerialBranchesRunOnTheCallersGoroutineInIndexOrder(t *testing.T) {
	tb := &tracedBranches{}
	var caller string
	h := func(ctx durable.Context, _ any) ([]int, error) {
		caller = goroutineID()
		res, err := durable.Parallel(ctx, "p", tb.branches(6, func(i int) (int, error) { return i * i, nil }))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return res.Results(), nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{SerialBranches: time.Hour})
	var got []int
	resultOf(t, out, &got)
	if want := []int{0, 1, 4, 9, 16, 25}; !slices.Equal(got, want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	if want := []int{0, 1, 2, 3, 4, 5}; !slices.Equal(tb.order, want) {
		t.Fatalf("branches ran in the order %v, want %v", tb.order, want)
	}
	for i, g := range tb.gids {
		if g != caller {
			t.Fatalf("branch %d ran on goroutine %s, the Parallel's caller is %s: %v", i, g, caller, tb.gids)
		}
	}
}

func TestWithoutSerialBranchesEveryBranchHasItsOwnGoroutine(t *testing.T) {
	tb := &tracedBranches{}
	h := func(ctx durable.Context, _ any) (int, error) {
		res, err := durable.Parallel(ctx, "p", tb.branches(4, func(i int) (int, error) { return i, nil }))
		if batchfail.Settled(err) != nil {
			return 0, err
		}
		return res.SuccessCount(), nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	var n int
	resultOf(t, out, &n)
	slices.Sort(tb.gids)
	if n != 4 || len(slices.Compact(tb.gids)) != 4 {
		t.Fatalf("%d succeeded on goroutines %v; want 4 on 4 goroutines", n, tb.gids)
	}
}

// A branch that waits for a later one would wait for ever if branches only
// ran one after another: the watchdog starts the later one.
func TestSerialBranchesWatchdogStartsBranchesBehindABlockedOne(t *testing.T) {
	released := make(chan struct{})
	bs := []durable.Branch[string]{
		{Name: "waits", Func: func(ctx durable.Context) (string, error) {
			<-released
			return "waited", nil
		}},
		{Name: "releases", Func: func(ctx durable.Context) (string, error) {
			close(released)
			return "released", nil
		}},
	}
	h := func(ctx durable.Context, _ any) ([]string, error) {
		res, err := durable.Parallel(ctx, "p", bs)
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return res.Results(), nil
	}
	done := make(chan []string)
	go func() {
		m := newMem(`{}`)
		out, _ := m.run(t, durable.Handle(h), durable.Env{SerialBranches: time.Millisecond})
		var got []string
		resultOf(t, out, &got)
		done <- got
	}()
	select {
	case got := <-done:
		if want := []string{"waited", "released"}; !slices.Equal(got, want) {
			t.Fatalf("results %v, want %v", got, want)
		}
	case <-time.After(time.Minute):
		t.Fatal("branch 0 still waits for branch 1 after a minute: the watchdog never started it")
	}
}

// Branches queued behind the one that stops the batch begin abandoned: no
// step body of theirs runs.
func TestSerialBranchesQueuedBehindAStopNeverRunUserCode(t *testing.T) {
	tb := &tracedBranches{}
	h := func(ctx durable.Context, _ any) (batchView, error) {
		res, err := durable.Parallel(ctx, "p", tb.branches(4, func(i int) (int, error) { return i, nil }),
			durable.WithCompletion(durable.FirstSuccessful()))
		if batchfail.Settled(err) != nil {
			return batchView{}, err
		}
		return view(res), nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{SerialBranches: time.Hour})
	var got batchView
	resultOf(t, out, &got)
	want := batchView{Reason: "MIN_SUCCESSFUL_REACHED", Status: "SUCCEEDED", Success: 1, Started: 3, Total: 4,
		Indexes: []int{0, 1, 2, 3}, Results: []int{0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if n := tb.steps.Load(); n != 1 {
		t.Fatalf("%d step bodies ran, want 1 (branch 0's)", n)
	}
}

// A Parallel inside a branch, and a max concurrency that admits branches
// as others finish, run under SerialBranches as without it.
func TestSerialBranchesNestedAndBounded(t *testing.T) {
	inner := func(ctx durable.Context, base int) (int, error) {
		bs := make([]durable.Branch[int], 3)
		for i := range bs {
			bs[i] = durable.Branch[int]{Func: func(ctx durable.Context) (int, error) {
				return durable.Step(ctx, "s", func(durable.StepContext) (int, error) { return base + i, nil })
			}}
		}
		res, err := durable.Parallel(ctx, "inner", bs, durable.WithMaxConcurrency(2))
		if batchfail.Settled(err) != nil {
			return 0, err
		}
		sum := 0
		for _, v := range res.Results() {
			sum += v
		}
		return sum, nil
	}
	h := func(ctx durable.Context, _ any) ([]int, error) {
		outer := make([]durable.Branch[int], 3)
		for i := range outer {
			outer[i] = durable.Branch[int]{Func: func(ctx durable.Context) (int, error) { return inner(ctx, 10*i) }}
		}
		res, err := durable.Parallel(ctx, "outer", outer, durable.WithMaxConcurrency(2))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return res.Results(), nil
	}
	for _, env := range []durable.Env{{}, {SerialBranches: time.Hour}} {
		m := newMem(`{}`)
		out, _ := m.run(t, durable.Handle(h), env)
		var got []int
		resultOf(t, out, &got)
		if want := []int{3, 33, 63}; !slices.Equal(got, want) {
			t.Fatalf("SerialBranches %v: results %v, want %v", env.SerialBranches, got, want)
		}
	}
}

// Under a Scheduler every branch stays a task of its own: SerialBranches
// does not apply.
func TestSerialBranchesIgnoredUnderAScheduler(t *testing.T) {
	most := 0
	s := pickFunc(func(ready []durable.Task) int {
		most = max(most, len(ready))
		return len(ready) - 1
	})
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(twoStepBranches), durable.Env{Scheduler: s, SerialBranches: time.Hour})
	var got []int
	resultOf(t, out, &got)
	if want := []int{0, 10, 20, 30}; !slices.Equal(got, want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	if most != 4 {
		t.Fatalf("the scheduler saw at most %d tasks ready, want the 4 branches", most)
	}
}
