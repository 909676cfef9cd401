package specs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// The handlers the specs run besides the calculator. Each reports what its
// Parallel returned as its result, so a replay that rebuilt a different
// BatchResult would answer a different result.

// batchEvent parameterizes batchProgram: Branches branches named b0, b1, …,
// each running a "prepare" step and a "work" step; the work step of every
// branch in Failing fails (no retry).
type batchEvent struct {
	Map            bool `json:",omitempty"` // run the items as a Map over 0..Branches-1, iterations named b0, b1, …
	Branches       int
	Failing        []int
	Completion     *completion `json:",omitempty"` // nil: the default (fail-fast)
	MaxConcurrency *int        `json:",omitempty"` // nil: unlimited
}

// completion is a CompletionConfig the handler input can carry: a preset by
// name, or fields where nil is unset (a CompletionConfig tells an explicit
// tolerated failure count of 0 from unset by a flag JSON does not carry).
type completion struct {
	Preset                     string `json:",omitempty"` // AllSuccessful, AllCompleted, FirstSuccessful
	MinSuccessful              *int   `json:",omitempty"`
	ToleratedFailureCount      *int   `json:",omitempty"`
	ToleratedFailurePercentage *int   `json:",omitempty"`
}

// config builds the runtime's CompletionConfig.
func (c *completion) config() durable.CompletionConfig {
	switch c.Preset {
	case "AllSuccessful":
		return durable.AllSuccessful()
	case "AllCompleted":
		return durable.AllCompleted()
	case "FirstSuccessful":
		return durable.FirstSuccessful()
	}
	var cc durable.CompletionConfig
	if c.MinSuccessful != nil {
		cc.MinSuccessful = *c.MinSuccessful
	}
	cc.ToleratedFailurePercentage, cc.ToleratedFailureCount = c.ToleratedFailurePercentage, c.ToleratedFailureCount
	return cc
}

// rule is c with its preset spelt out as the documented fields
// (decisions §2.2), for the specs' own model of the policy.
func (c *completion) rule() completion {
	switch c.Preset {
	case "AllSuccessful":
		return completion{ToleratedFailureCount: ptr(0)}
	case "AllCompleted":
		return completion{ToleratedFailurePercentage: ptr(100)}
	case "FirstSuccessful":
		return completion{MinSuccessful: ptr(1)}
	}
	return *c
}

// batchReport is a BatchResult as the handler saw it.
type batchReport struct {
	Succeeded, Failed, Started, Total int
	Reason                            string
	Items                             []itemReport // BatchResult.Items
	Results                           []int        // BatchResult.Results()
	FailureTypes                      []string     // the failing steps' own error types
}

type itemReport struct {
	Index  int
	Name   string
	Status string
}

// indexes lists the started branches' indexes.
func (r batchReport) indexes() []int {
	out := make([]int, len(r.Items))
	for i, it := range r.Items {
		out[i] = it.Index
	}
	return out
}

// branchFailure is the work step's error in a failing branch.
type branchFailure struct{ Index int }

func (e *branchFailure) Error() string     { return fmt.Sprintf("branch %d failed", e.Index) }
func (e *branchFailure) ErrorType() string { return "BranchFailure" }

func branchName(i int) string { return fmt.Sprintf("b%d", i) }

// batchItem is the body of item i of batchProgram, in a Parallel branch
// or a Map iteration alike.
func batchItem(bc durable.Context, i int, fail bool) (int, error) {
	if _, err := durable.Step(bc, "prepare", func(durable.StepContext) (int, error) { return i, nil }); err != nil {
		return 0, err
	}
	return durable.Step(bc, "work", func(durable.StepContext) (int, error) {
		if fail {
			return 0, &branchFailure{Index: i}
		}
		return 10 * i, nil
	}, durable.WithRetry(durable.NoRetry()))
}

var batchProgram = durable.Handle(func(ctx durable.Context, ev batchEvent) (batchReport, error) {
	var opts []durable.BatchOption
	if ev.Completion != nil {
		opts = append(opts, durable.WithCompletion(ev.Completion.config()))
	}
	if ev.MaxConcurrency != nil {
		opts = append(opts, durable.WithMaxConcurrency(*ev.MaxConcurrency))
	}
	var res durable.BatchResult[int]
	var err error
	if ev.Map {
		items := make([]int, ev.Branches)
		for i := range items {
			items[i] = i
		}
		opts = append(opts, durable.WithItemNamer(func(i int) string { return branchName(i) }))
		res, err = durable.Map(ctx, "batch", items, func(ic durable.Context, i, _ int) (int, error) {
			return batchItem(ic, i, slices.Contains(ev.Failing, i))
		}, opts...)
	} else {
		branches := make([]durable.Branch[int], ev.Branches)
		for i := range branches {
			fail := slices.Contains(ev.Failing, i)
			branches[i] = durable.Branch[int]{Name: branchName(i), Func: func(bc durable.Context) (int, error) { return batchItem(bc, i, fail) }}
		}
		res, err = durable.Parallel(ctx, "batch", branches, opts...)
	}
	if batchfail.Settled(err) != nil {
		return batchReport{}, err
	}
	return reportOf(res), nil
})

func reportOf[O any](res durable.BatchResult[O]) batchReport {
	r := batchReport{
		Succeeded: res.SuccessCount(), Failed: res.FailureCount(), Started: res.StartedCount(),
		Total: res.TotalCount(), Reason: res.CompletionReason().String(),
	}
	for _, it := range res.Items {
		r.Items = append(r.Items, itemReport{Index: it.Index, Name: it.Name, Status: it.Status.String()})
	}
	for _, v := range res.Results() {
		if n, ok := any(v).(int); ok {
			r.Results = append(r.Results, n)
		}
	}
	for _, err := range res.Errors() {
		var se *durable.StepError
		if errors.As(err, &se) {
			r.FailureTypes = append(r.FailureTypes, se.ErrorType)
		} else {
			r.FailureTypes = append(r.FailureTypes, "?"+err.Error())
		}
	}
	return r
}

// calcVariant is the calculator's shape (one Parallel "calculations", four
// branches each running one step of its name) with a chosen completion and
// division retry strategy. With completion nil it is the seed's fail-fast
// original; with AllCompleted and NoRetry it is function.Handler.
type calcVariant struct {
	completion    *durable.CompletionConfig
	divisionRetry durable.RetryStrategy
}

var calcOps = []struct {
	name string
	f    func(a, b float64) (float64, error)
}{
	{"addition", func(a, b float64) (float64, error) { return a + b, nil }},
	{"subtraction", func(a, b float64) (float64, error) { return a - b, nil }},
	{"multiplication", func(a, b float64) (float64, error) { return a * b, nil }},
	{"division", func(a, b float64) (float64, error) {
		if b == 0 {
			return 0, &function.DivisionByZeroError{}
		}
		return a / b, nil
	}},
}

func (v calcVariant) invoker() durable.Invoker {
	return durable.Handle(func(ctx durable.Context, ev function.Event) (batchReport, error) {
		branches := make([]durable.Branch[float64], len(calcOps))
		for i, op := range calcOps {
			var opts []durable.StepOption
			if op.name == "division" && v.divisionRetry != nil {
				opts = append(opts, durable.WithRetry(v.divisionRetry))
			}
			branches[i] = durable.Branch[float64]{Name: op.name, Func: func(bc durable.Context) (float64, error) {
				return durable.Step(bc, op.name, func(durable.StepContext) (float64, error) { return op.f(ev.Num1, ev.Num2) }, opts...)
			}}
		}
		var opts []durable.BatchOption
		if v.completion != nil {
			opts = append(opts, durable.WithCompletion(*v.completion))
		}
		res, err := durable.Parallel(ctx, function.ParallelName, branches, opts...)
		if batchfail.Settled(err) != nil {
			return batchReport{}, err
		}
		return reportOf(res), nil
	})
}

var (
	calculator = durable.Handle(function.Handler)
	// seedFailFast is the seed's original completion: the default.
	seedFailFast = calcVariant{divisionRetry: durable.NoRetry()}.invoker()
)

// calcChange is the calculator changed in one place, for the
// non-determinism specs.
type calcChange struct {
	parallel string    // the Parallel's name
	branches [4]string // branch names
	steps    [4]string // step names
	asStep   bool      // a Step where the Parallel was
}

func unchangedCalc() calcChange {
	return calcChange{parallel: function.ParallelName,
		branches: [4]string{"addition", "subtraction", "multiplication", "division"},
		steps:    [4]string{"addition", "subtraction", "multiplication", "division"}}
}

func (c calcChange) invoker() durable.Invoker {
	return durable.Handle(func(ctx durable.Context, ev function.Event) (function.Response, error) {
		if c.asStep {
			_, err := durable.Step(ctx, c.parallel, func(durable.StepContext) (int, error) { return 0, nil })
			return function.Response{}, err
		}
		branches := make([]durable.Branch[float64], 4)
		for i := range branches {
			step, f := c.steps[i], calcOps[i].f
			branches[i] = durable.Branch[float64]{Name: c.branches[i], Func: func(bc durable.Context) (float64, error) {
				return durable.Step(bc, step, func(durable.StepContext) (float64, error) { return f(ev.Num1, ev.Num2) },
					durable.WithRetry(durable.NoRetry()))
			}}
		}
		res, err := durable.Parallel(ctx, c.parallel, branches, durable.WithCompletion(durable.AllCompleted()))
		if batchfail.Settled(err) != nil {
			return function.Response{}, err
		}
		return responseOf(res), nil
	})
}

// responseOf builds the calculator's response from its BatchResult, keyed
// by branch index as function.Handler does, so an unchanged replay answers
// the calculator's own result.
func responseOf(res durable.BatchResult[float64]) function.Response {
	r := function.Response{SuccessCount: res.SuccessCount(), FailureCount: res.FailureCount()}
	slots := []**float64{&r.Results.Add, &r.Results.Subtract, &r.Results.Multiply, &r.Results.Division}
	for _, it := range res.Items {
		switch it.Status {
		case durable.BatchItemSucceeded:
			*slots[it.Index] = ptr(it.Result)
		case durable.BatchItemFailed:
			var se *durable.StepError
			if errors.As(it.Err, &se) {
				r.Failures = append(r.Failures, function.Failure{Operation: calcOps[it.Index].name, ErrorType: se.ErrorType, ErrorMessage: se.Message})
			}
		}
	}
	return r
}

// redeployedAfterFirst runs first on an execution's first invocation (its
// envelope holds the EXECUTION alone) and then on every later one: a
// handler changed between invocations.
func redeployedAfterFirst(first, then durable.Invoker) durable.Invoker {
	return func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
		in, err := durable.DecodeInvocationInput(envelope)
		if err != nil {
			return nil, err
		}
		if len(in.InitialExecutionState.Operations) > 1 {
			return then(ctx, env, envelope)
		}
		return first(ctx, env, envelope)
	}
}

func ptr[T any](v T) *T { return &v }
