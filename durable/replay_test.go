package durable_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

func TestReplayCompletedParallelRunsNoBranch(t *testing.T) {
	for _, hide := range []bool{true, false} {
		m := newMem(`{"num1":10,"num2":0}`)
		m.hideDone = hide
		first, _ := m.run(t, durable.Handle(calculator), durable.Env{})
		obs := newRecorder()
		before := m.updateCount()
		out, err := m.invokeOnce(t, durable.Handle(calculator), durable.Env{Observer: obs})
		if err != nil || out.Result != first.Result {
			t.Fatalf("hide %v: %v %s", hide, err, out.Result)
		}
		if m.updateCount() != before || obs.stepRuns() != 0 {
			t.Fatalf("hide %v: %d new updates, %d step runs", hide, m.updateCount()-before, obs.stepRuns())
		}
		if got := obs.modes(); len(got) != 1 || got["Parallel/calculations"] != "replayed" {
			t.Fatalf("hide %v: operations met %v", hide, got)
		}
	}
}

func TestNonDeterministicExecution(t *testing.T) {
	a := func(ctx durable.Context, _ any) (int, error) {
		if _, err := durable.Step(ctx, "a", func(durable.StepContext) (int, error) { return 1, nil }); err != nil {
			return 0, err
		}
		return 0, durable.Wait(ctx, "w", time.Second)
	}
	for name, changed := range map[string]func(durable.Context, any) (int, error){
		"name": func(ctx durable.Context, _ any) (int, error) {
			return durable.Step(ctx, "b", func(durable.StepContext) (int, error) { return 1, nil })
		},
		"type": func(ctx durable.Context, _ any) (int, error) {
			return 0, durable.Wait(ctx, "a", time.Second)
		},
		"sub-type": func(ctx durable.Context, _ any) (int, error) {
			return durable.RunInChildContext(ctx, "a", func(durable.Context) (int, error) { return 1, nil })
		},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMem(`{}`)
			if out, _ := m.invokeOnce(t, durable.Handle(a), durable.Env{}); out.Status != durable.InvocationPending {
				t.Fatalf("first run %s", out.Status)
			}
			var seen error
			h := func(ctx durable.Context, in any) (int, error) {
				v, err := changed(ctx, in)
				seen = err
				return v, nil // swallowing it does not help
			}
			out, err := m.invokeOnce(t, durable.Handle(h), durable.Env{})
			var nd *durable.NonDeterministicExecutionError
			if err != nil || !errors.As(seen, &nd) || out.Status != durable.InvocationFailed || aws.ToString(out.Error.ErrorType) != "NonDeterministicExecutionError" {
				t.Fatalf("%v %v %+v", err, seen, out)
			}
			step := m.find("a")[0]
			if nd.ID != aws.ToString(step.Id) || nd.Actual != `STEP/Step "a"` || !strings.Contains(aws.ToString(out.Error.ErrorMessage), nd.ID) {
				t.Fatalf("error %+v, message %s", nd, aws.ToString(out.Error.ErrorMessage))
			}
		})
	}
}

func TestObserverModes(t *testing.T) {
	h := func(ctx durable.Context, _ any) (string, error) {
		a, err := durable.Step(ctx, "a", func(durable.StepContext) (string, error) { return "a", nil })
		if err != nil {
			return "", err
		}
		if err := durable.Wait(ctx, "w", 2*time.Second); err != nil {
			return "", err
		}
		return durable.Step(ctx, "b", func(durable.StepContext) (string, error) { return a + "b", nil })
	}
	m := newMem(`{}`)
	o1 := newRecorder()
	out, _ := m.invokeOnce(t, durable.Handle(h), durable.Env{Observer: o1})
	if out.Status != durable.InvocationPending {
		t.Fatalf("%s", out.Status)
	}
	wait := m.find("w")[0]
	if aws.ToInt32(m.allUpdates()[2].WaitOptions.WaitSeconds) != 2 || wait.Status != types.OperationStatusStarted {
		t.Fatalf("wait %+v", m.allUpdates()[2])
	}
	if fmt.Sprint(o1.modes()) != "map[Step/a:new Wait/w:new]" || o1.stepRuns() != 1 {
		t.Fatalf("first: %v %d", o1.modes(), o1.stepRuns())
	}
	// Still waiting: suspends again, nothing runs.
	o2 := newRecorder()
	if out, _ := m.invokeOnce(t, durable.Handle(h), durable.Env{Observer: o2}); out.Status != durable.InvocationPending || o2.stepRuns() != 0 {
		t.Fatalf("early re-invoke: %s %d", out.Status, o2.stepRuns())
	}
	if fmt.Sprint(o2.modes()) != "map[Step/a:replayed Wait/w:resumed]" {
		t.Fatalf("second: %v", o2.modes())
	}
	m.advance()
	o3 := newRecorder()
	out, _ = m.invokeOnce(t, durable.Handle(h), durable.Env{Observer: o3})
	if out.Result != `"ab"` || fmt.Sprint(o3.modes()) != "map[Step/a:replayed Step/b:new Wait/w:replayed]" || o3.steps[0].Name != "b" || o3.steps[0].Attempt != 1 {
		t.Fatalf("third: %s %v %+v", out.Result, o3.modes(), o3.steps)
	}
}

func TestWaitValidation(t *testing.T) {
	h := func(ctx durable.Context, _ any) (int, error) { return 0, durable.Wait(ctx, "w", 500*time.Millisecond) }
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	if aws.ToString(out.Error.ErrorType) != "ValidationError" || m.calls != 0 {
		t.Fatalf("%s, %d calls", errString(out.Error), m.calls)
	}
}

// TestSuspendedBranch follows conformance 8-14: branch 1 waits, the first
// invocation suspends, the second finishes it without re-running branch 0.
func TestSuspendedBranch(t *testing.T) {
	h := func(ctx durable.Context, _ any) ([]string, error) {
		r, err := durable.Parallel(ctx, "p", []durable.Branch[string]{
			{Func: func(ctx durable.Context) (string, error) {
				return durable.Step(ctx, "b0", func(durable.StepContext) (string, error) { return "b0", nil })
			}},
			{Func: func(ctx durable.Context) (string, error) {
				if err := durable.Wait(ctx, "w", 2*time.Second); err != nil {
					return "", err
				}
				return "b1", nil
			}},
		}, durable.WithMaxConcurrency(1))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return r.Results(), nil
	}
	m := newMem(`{}`)
	out, _ := m.invokeOnce(t, durable.Handle(h), durable.Env{})
	first := len(m.allUpdates())
	if out.Status != durable.InvocationPending || m.find("p")[0].Status != types.OperationStatusStarted {
		t.Fatalf("first: %s", out.Status)
	}
	m.advance()
	obs := newRecorder()
	out, _ = m.invokeOnce(t, durable.Handle(h), durable.Env{Observer: obs})
	if out.Result != `["b0","b1"]` || obs.stepRuns() != 0 {
		t.Fatalf("second: %s, %d step runs", out.Result, obs.stepRuns())
	}
	var acts []string
	for _, u := range m.allUpdates()[first:] {
		acts = append(acts, aws.ToString(u.SubType)+":"+string(u.Action))
	}
	if !slices.Equal(acts, []string{"ParallelBranch:SUCCEED", "Parallel:SUCCEED"}) {
		t.Fatalf("second invocation sent %v", acts)
	}
}

func TestPagedInitialState(t *testing.T) {
	h := func(ctx durable.Context, _ any) (int, error) {
		sum := 0
		for i := range 7 {
			v, err := durable.Step(ctx, fmt.Sprint("s", i), func(durable.StepContext) (int, error) { return i, nil })
			if err != nil {
				return 0, err
			}
			sum += v
		}
		return sum, durable.Wait(ctx, "w", time.Second)
	}
	m := newMem(`{}`)
	m.pageSize = 3
	m.run(t, durable.Handle(h), durable.Env{})
	if m.stateCalls == 0 {
		t.Fatal("GetDurableExecutionState was never called")
	}
	obs := newRecorder()
	out, err := m.invokeOnce(t, durable.Handle(h), durable.Env{Observer: obs})
	if err != nil || out.Result != "21" || obs.stepRuns() != 0 {
		t.Fatalf("%v %+v runs %d", err, out, obs.stepRuns())
	}
}

func TestChildContext(t *testing.T) {
	runs := 0
	h := func(ctx durable.Context, _ any) (string, error) {
		v, err := durable.RunInChildContext(ctx, "child", func(ctx durable.Context) (string, error) {
			runs++
			return durable.Step(ctx, "inner", func(durable.StepContext) (string, error) { return "x", nil })
		})
		if err != nil {
			return "", err
		}
		return v, durable.Wait(ctx, "w", time.Second)
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	child, inner := m.find("child")[0], m.find("inner")[0]
	if out.Result != `"x"` || runs != 1 || aws.ToString(inner.ParentId) != aws.ToString(child.Id) ||
		aws.ToString(child.SubType) != "RunInChildContext" || aws.ToString(child.ContextDetails.Result) != `"x"` {
		t.Fatalf("result %s runs %d child %+v", out.Result, runs, child)
	}
}

func TestChildContextFailure(t *testing.T) {
	runs := 0
	var seen []error
	h := func(ctx durable.Context, _ any) (string, error) {
		_, err := durable.RunInChildContext(ctx, "child", func(ctx durable.Context) (string, error) {
			runs++
			return durable.Step(ctx, "div", func(durable.StepContext) (string, error) { return "", divisionByZeroError{} }, durable.WithRetry(durable.NoRetry()))
		})
		seen = append(seen, err)
		return "recovered", durable.Wait(ctx, "w", time.Second)
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	if out.Result != `"recovered"` || runs != 1 || len(seen) != 2 {
		t.Fatalf("%s runs %d", out.Result, runs)
	}
	for _, err := range seen { // live and replayed alike
		var ce *durable.ChildContextError
		var se *durable.StepError
		if !errors.As(err, &ce) || ce.ErrorType != "StepError" || !errors.As(err, &se) ||
			se.ErrorType != "DivisionByZeroError" || se.Message != "Division by zero is not allowed" {
			t.Fatalf("error %#v", err)
		}
	}
	if c := m.find("child")[0]; errString(c.ContextDetails.Error) != "StepError: Division by zero is not allowed" {
		t.Fatalf("child record %s", errString(c.ContextDetails.Error))
	}
}

func TestChildContextReplayChildren(t *testing.T) {
	runs, stepRuns := 0, 0
	h := func(ctx durable.Context, _ any) (int, error) {
		v, err := durable.RunInChildContext(ctx, "big", func(ctx durable.Context) (string, error) {
			runs++
			s, err := durable.Step(ctx, "small", func(durable.StepContext) (string, error) { stepRuns++; return "ab", nil })
			return strings.Repeat(s, 200*1024), err
		})
		if err != nil {
			return 0, err
		}
		return len(v), durable.Wait(ctx, "w", time.Second)
	}
	m := newMem(`{}`)
	out, n := m.run(t, durable.Handle(h), durable.Env{})
	big := m.find("big")[0]
	// Recorded with ReplayChildren and the default summary (decisions §2.9).
	if out.Result != "409600" || n != 2 || runs != 2 || stepRuns != 1 || !aws.ToBool(big.ContextDetails.ReplayChildren) ||
		aws.ToString(big.ContextDetails.Result) != `{"type":"RunInChildContext","size":409602}` {
		t.Fatalf("result %s invocations %d runs %d step runs %d details %+v", out.Result, n, runs, stepRuns, big.ContextDetails)
	}
	succeeds := 0
	for _, u := range m.allUpdates() {
		if aws.ToString(u.Name) == "big" && u.Action == types.OperationActionSucceed {
			succeeds++
		}
	}
	if succeeds != 1 {
		t.Fatalf("the child's SUCCEED was sent %d times", succeeds)
	}
}

// TestLargeContextSummaries: WithSummary replaces the default summary, and
// a Parallel branch whose result is over 256 KiB gets the default one too;
// both replay their function on the next invocation.
func TestLargeContextSummaries(t *testing.T) {
	runs := 0
	h := func(ctx durable.Context, _ any) (int, error) {
		v, err := durable.RunInChildContext(ctx, "big", func(durable.Context) (string, error) {
			runs++
			return strings.Repeat("x", 300*1024), nil
		}, durable.WithSummary(func(p string) string { return fmt.Sprintf(`{"mine":%d}`, len(p)) }))
		if err != nil {
			return 0, err
		}
		r, err := durable.Parallel(ctx, "p", []durable.Branch[string]{{Name: "wide", Func: func(durable.Context) (string, error) {
			runs++
			return strings.Repeat("y", 300*1024), nil
		}}})
		if batchfail.Settled(err) != nil {
			return 0, err
		}
		return len(v) + len(r.Results()[0]), durable.Wait(ctx, "w", time.Second)
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	big, wide := m.find("big")[0], m.find("wide")[0]
	if out.Result != "614400" || runs != 4 {
		t.Fatalf("result %s, %d runs", out.Result, runs)
	}
	for _, c := range []struct {
		op   *types.Operation
		want string
	}{{big, `{"mine":307202}`}, {wide, `{"type":"ParallelBranch","size":307202}`}} {
		if d := c.op.ContextDetails; !aws.ToBool(d.ReplayChildren) || aws.ToString(d.Result) != c.want {
			t.Fatalf("%s: %s, ReplayChildren %v", aws.ToString(c.op.Name), aws.ToString(d.Result), aws.ToBool(d.ReplayChildren))
		}
	}
}

func TestThrowIfError(t *testing.T) {
	h := func(ctx durable.Context, in calcInput) (calcOutput, error) {
		r, err := durable.Parallel(withValue(ctx, calcKey{}, in), "calculations", calcBranches(), durable.WithCompletion(durable.AllCompleted()))
		if batchfail.Settled(err) != nil {
			return calcOutput{}, err
		}
		return calcOutput{}, r.ThrowIfError()
	}
	m := newMem(`{"num1":1,"num2":0}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	if out.Status != durable.InvocationFailed || errString(out.Error) != "ChildContextError: Division by zero is not allowed" ||
		!strings.Contains(aws.ToString(out.Error.ErrorData), "DivisionByZeroError") {
		t.Fatalf("%+v %s", out, errString(out.Error))
	}
}
