package durable_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.uber.org/goleak"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

func TestFlatNesting(t *testing.T) {
	h := func(ctx durable.Context, _ any) ([]string, error) {
		r, err := durable.Parallel(ctx, "p", []durable.Branch[string]{
			{Func: func(ctx durable.Context) (string, error) {
				return durable.Step(ctx, "fa", func(durable.StepContext) (string, error) { return "fa", nil })
			}},
			{Func: func(ctx durable.Context) (string, error) {
				return durable.Step(ctx, "fb", func(durable.StepContext) (string, error) { return "fb", nil })
			}},
		}, durable.WithNesting(durable.NestingFlat), durable.WithMaxConcurrency(1))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return r.Results(), nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	p := m.find("p")[0]
	fa, fb := m.find("fa")[0], m.find("fb")[0]
	if out.Result != `["fa","fb"]` || aws.ToString(fa.ParentId) != aws.ToString(p.Id) || aws.ToString(fb.ParentId) != aws.ToString(p.Id) || fa.Id == fb.Id {
		t.Fatalf("%s %+v %+v", out.Result, fa, fb)
	}
	for _, u := range m.allUpdates() {
		if aws.ToString(u.SubType) == "ParallelBranch" {
			t.Fatalf("flat nesting recorded a branch: %+v", u)
		}
	}
}

// wrapped stores each item as {"wrapped": v} (conformance 8-15).
type wrapped struct{}

func (wrapped) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	return json.Marshal(map[string]any{"wrapped": v})
}

func (wrapped) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	var w struct{ Wrapped json.RawMessage }
	if err := json.Unmarshal(raw, &w); err != nil {
		return err
	}
	return json.Unmarshal(w.Wrapped, ptr)
}

func TestItemSerdes(t *testing.T) {
	h := func(ctx durable.Context, _ any) ([]string, error) {
		r, err := durable.Parallel(ctx, "p", []durable.Branch[string]{
			{Func: func(durable.Context) (string, error) { return "x", nil }},
			{Func: func(durable.Context) (string, error) { return "y", nil }},
		}, durable.WithBatchSerdes(wrapped{}))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return r.Results(), nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	b := m.find("parallel-branch-0")[0]
	if out.Result != `["x","y"]` || aws.ToString(b.ContextDetails.Result) != `{"wrapped":"x"}` {
		t.Fatalf("%s %s", out.Result, aws.ToString(b.ContextDetails.Result))
	}
	replay, _ := m.invokeOnce(t, durable.Handle(h), durable.Env{})
	if replay.Result != out.Result {
		t.Fatalf("replay %s", replay.Result)
	}
}

func TestLargeParallelReplaysChildren(t *testing.T) {
	runs := atomic.Int32{}
	h := func(ctx durable.Context, _ any) ([]int, error) {
		var bs []durable.Branch[string]
		for i := range 3 {
			bs = append(bs, durable.Branch[string]{Func: func(ctx durable.Context) (string, error) {
				runs.Add(1)
				if i == 2 {
					return "", errBoom
				}
				return strings.Repeat("z", 150*1024), nil
			}})
		}
		r, err := durable.Parallel(ctx, "p", bs, durable.WithCompletion(durable.AllCompleted()))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		var lens []int
		for _, it := range r.Items {
			lens = append(lens, len(it.Result))
		}
		return append(lens, r.FailureCount()), nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	p := m.find("p")[0]
	var sum struct {
		Type       string `json:"type"`
		TotalCount int    `json:"totalCount"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(p.ContextDetails.Result)), &sum); err != nil || !aws.ToBool(p.ContextDetails.ReplayChildren) || sum.Type != "ParallelResult" || sum.TotalCount != 3 {
		t.Fatalf("parallel record %v, %d bytes", err, len(aws.ToString(p.ContextDetails.Result)))
	}
	before := m.updateCount()
	replay, _ := m.invokeOnce(t, durable.Handle(h), durable.Env{})
	if out.Result != "[153600,153600,0,1]" || replay.Result != out.Result || runs.Load() != 3 || m.updateCount() != before {
		t.Fatalf("%s / %s, %d runs, %d new updates", out.Result, replay.Result, runs.Load(), m.updateCount()-before)
	}
}

// TestNestedEarlyStop: the outer fail-fast batch stops while branch "outer"
// is inside a nested Parallel; the nested branches unwind without recording
// anything, and no goroutine is left.
func TestNestedEarlyStop(t *testing.T) {
	var innerRan atomic.Bool
	branches := []durable.Branch[int]{
		{Name: "fails", Func: func(ctx durable.Context) (int, error) { return 0, errBoom }},
		{Name: "outer", Func: func(ctx durable.Context) (int, error) {
			r, err := durable.Parallel(ctx, "inner", []durable.Branch[int]{
				{Name: "i0", Func: func(ctx durable.Context) (int, error) {
					v, err := durable.Step(ctx, "is", func(durable.StepContext) (int, error) { innerRan.Store(true); return 1, nil })
					if batchfail.Settled(err) != nil {
						return 0, err
					}
					return durable.Step(ctx, "never", func(durable.StepContext) (int, error) { return v, nil })
				}},
			})
			if err != nil {
				return 0, err
			}
			return r.SuccessCount(), nil
		}},
	}
	sched := pickFunc(func(ready []durable.Task) int {
		want := "i0"
		if innerRan.Load() {
			want = "fails"
		}
		for i, r := range ready {
			if r.Name == want {
				return i
			}
		}
		return len(ready) - 1
	})
	h := func(ctx durable.Context, _ any) (batchView, error) {
		r, err := durable.Parallel(ctx, "p", branches)
		if batchfail.Settled(err) != nil {
			return batchView{}, err
		}
		return view(r), nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{Scheduler: sched})
	goleak.VerifyNone(t)
	var got batchView
	resultOf(t, out, &got)
	if got.Reason != "FAILURE_TOLERANCE_EXCEEDED" || got.Started != 1 || got.Failure != 1 || !innerRan.Load() {
		t.Fatalf("%+v", got)
	}
	for _, name := range []string{"inner", "i0", "is", "outer"} {
		if ops := m.find(name); len(ops) != 1 || ops[0].Status != types.OperationStatusStarted {
			t.Fatalf("%s: %+v", name, ops)
		}
	}
	if len(m.find("never")) != 0 {
		t.Fatal("the abandoned branch went on")
	}
}

func TestBranchPanic(t *testing.T) {
	h := func(ctx durable.Context, _ any) (string, error) {
		r, err := durable.Parallel(ctx, "p", []durable.Branch[int]{{Func: func(durable.Context) (int, error) { panic("branch blew up") }}})
		if batchfail.Settled(err) != nil {
			return "", err
		}
		var ce *durable.ChildContextError
		if !errors.As(r.Items[0].Err, &ce) {
			return "", fmt.Errorf("item error %v", r.Items[0].Err)
		}
		return ce.ErrorType + ": " + ce.Message, nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	if out.Result != `"PanicError: panic: branch blew up"` {
		t.Fatalf("%s %s", out.Result, errString(out.Error))
	}
}

// TestCheckpointFailureUnwinds fails each checkpoint call of a calculator
// invocation in turn: the invocation returns the CheckpointError with every
// goroutine gone, and the re-invoked execution completes. Under a seeded
// scheduler the invocation makes 5 calls (one per step SUCCEED, the
// branches' SUCCEEDs riding along, and the Parallel's); running free, steps
// finishing together share calls, so a run may make fewer.
func TestCheckpointFailureUnwinds(t *testing.T) {
	for _, seeded := range []bool{true, false} {
		for call := 1; call <= 5; call++ {
			env := durable.Env{}
			if seeded {
				env.Scheduler = newSeeded(uint64(call))
			}
			m := newMem(`{"num1":10,"num2":5}`)
			injected := errors.New("ThrottlingException: slow down")
			m.fail = func(n int, _ []types.OperationUpdate) error {
				if n == call {
					return injected
				}
				return nil
			}
			_, err := m.invokeOnce(t, durable.Handle(calculator), env)
			var ce *durable.CheckpointError
			switch {
			case err == nil && !seeded && m.calls < call:
				continue // this run made fewer calls
			case !errors.Is(err, injected) || !errors.As(err, &ce):
				t.Fatalf("seeded %v, call %d: invocation returned %v", seeded, call, err)
			}
			goleak.VerifyNone(t)
			// The service re-invokes: the execution still completes.
			m.fail = nil
			out, _ := m.run(t, durable.Handle(calculator), env)
			var got calcOutput
			resultOf(t, out, &got)
			if *got.Add != 15 {
				t.Fatalf("seeded %v, call %d: %s", seeded, call, out.Result)
			}
		}
	}
}

func TestPositionalIDs(t *testing.T) {
	// The operation after a Parallel has the same id however many branches
	// the Parallel had; a branch's id depends only on its index.
	idAfter := func(n int) (string, []string) {
		h := func(ctx durable.Context, _ any) (int, error) {
			var bs []durable.Branch[int]
			for i := range n {
				bs = append(bs, durable.Branch[int]{Func: func(durable.Context) (int, error) { return i, nil }})
			}
			if _, err := durable.Parallel(ctx, "p", bs); err != nil {
				return 0, err
			}
			return durable.Step(ctx, "after", func(durable.StepContext) (int, error) { return 0, nil })
		}
		m := newMem(`{}`)
		m.run(t, durable.Handle(h), durable.Env{})
		var branchIDs []string
		for i := range n {
			branchIDs = append(branchIDs, aws.ToString(m.find(fmt.Sprintf("parallel-branch-%d", i))[0].Id))
		}
		return aws.ToString(m.find("after")[0].Id), branchIDs
	}
	a2, b2 := idAfter(2)
	a5, b5 := idAfter(5)
	if a2 != a5 || !slices.Equal(b2, b5[:2]) || len(a2) > 64 {
		t.Fatalf("%s %s %v %v", a2, a5, b2, b5)
	}
}
