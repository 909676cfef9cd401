package props

import (
	"errors"
	"fmt"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// batchView is a BatchResult as the interpreter reports it: everything a
// caller can observe, in a form that compares as JSON.
type batchView struct {
	Reason string     `json:"reason"`
	Counts counts     `json:"counts"`
	Items  []itemView `json:"items"`
}

// counts is what BatchResult's accessors answer.
type counts struct {
	Succeeded, Failed, Started, Total int
	Results, Errors                   int // len(Results()), len(Errors())
	Status                            string
	HasFailure                        bool
}

// countsOf is what the accessors must answer for items.
func countsOf(items []itemView) counts {
	c := counts{Total: len(items), Status: "SUCCEEDED"}
	for _, it := range items {
		switch it.Status {
		case "SUCCEEDED":
			c.Succeeded++
			c.Results++
		case "FAILED":
			c.Failed++
			c.Errors++
			c.Status, c.HasFailure = "FAILED", true
		case "STARTED":
			c.Started++
		}
	}
	return c
}

type itemView struct {
	Index  int          `json:"index"`
	Name   string       `json:"name"`
	Status string       `json:"status"`
	Value  *branchValue `json:"value,omitempty"`
	Error  *errorView   `json:"error,omitempty"`
}

// errorView is a failed item's error: the item's own ErrorType (StepError
// when a step failed the branch, ChildContextError when a nested Parallel
// threw) and the failing step's own type and message, which decisions
// §2.10 says every level exposes.
type errorView struct {
	Type        string `json:"type"`
	StepType    string `json:"stepType"`
	StepMessage string `json:"stepMessage"`
}

// branchValue is what a branch returns: one trace entry per finished step
// or wait, and the view of every nested Parallel.
type branchValue struct {
	Trace  []string    `json:"trace"`
	Nested []batchView `json:"nested,omitempty"`
}

// progError is a step failure that names its wire ErrorType.
type progError struct{ typ, msg string }

func (e *progError) Error() string     { return e.msg }
func (e *progError) ErrorType() string { return e.typ }

// interpret is the durable handler that runs the program it is given.
var interpret = durable.Handle(func(ctx durable.Context, p program) (batchView, error) {
	res, err := runParallel(ctx, "root", p.Root)
	if batchfail.Settled(err) != nil {
		return batchView{}, err
	}
	if p.Throw {
		if err := res.ThrowIfError(); err != nil {
			return batchView{}, err
		}
	}
	return viewOf(res), nil
})

// opName names the j-th operation of branch i. Names carry the branch so
// that they stay unique under a flat Parallel, where operations hang
// directly from the Parallel.
func opName(i, j int) string { return fmt.Sprintf("b%d.op%d", i, j) }

// branchName is the name the interpreter gives branch i; "" leaves it to
// the runtime's default.
func branchName(p parallelProg, i int) string {
	if p.DefaultNames {
		return ""
	}
	return fmt.Sprintf("b%d", i)
}

func runParallel(ctx durable.Context, name string, p parallelProg) (durable.BatchResult[branchValue], error) {
	branches := make([]durable.Branch[branchValue], len(p.Branches))
	branchFuncs := make([]func(durable.Context) (branchValue, error), len(p.Branches))
	for i, b := range p.Branches {
		branchFuncs[i] = func(bctx durable.Context) (branchValue, error) { return runBranch(bctx, i, b) }
		branches[i] = durable.Branch[branchValue]{Name: branchName(p, i), Func: branchFuncs[i]}
	}
	opts := []durable.BatchOption{}
	if p.Policy.Preset != policyDefault {
		opts = append(opts, durable.WithCompletion(p.Policy.config()))
	}
	if p.MaxConcurrency > 0 {
		opts = append(opts, durable.WithMaxConcurrency(p.MaxConcurrency))
	}
	if p.Flat {
		opts = append(opts, durable.WithNesting(durable.NestingFlat))
	}
	if !p.Map {
		return durable.Parallel(ctx, name, branches, opts...)
	}
	indexes := make([]int, len(p.Branches))
	for i := range indexes {
		indexes[i] = i
	}
	if !p.DefaultNames {
		opts = append(opts, durable.WithItemNamer(func(i int) string { return branchName(p, i) }))
	}
	return durable.Map(ctx, name, indexes, func(ictx durable.Context, i, _ int) (branchValue, error) {
		return branchFuncs[i](ictx)
	}, opts...)
}

func (p policy) config() durable.CompletionConfig {
	switch p.Preset {
	case policyAllSuccessful:
		return durable.AllSuccessful()
	case policyAllCompleted:
		return durable.AllCompleted()
	case policyFirstSuccessful:
		return durable.FirstSuccessful()
	}
	var c durable.CompletionConfig
	if p.MinSuccessful != nil {
		c.MinSuccessful = *p.MinSuccessful
	}
	c.ToleratedFailurePercentage, c.ToleratedFailureCount = p.ToleratedFailurePercentage, p.ToleratedFailureCount
	return c
}

func runBranch(ctx durable.Context, i int, b branchProg) (branchValue, error) {
	var v branchValue
	for j, o := range b.Ops {
		name := opName(i, j)
		switch o.Kind {
		case opStep:
			r, err := durable.Step(ctx, name, func(sc durable.StepContext) (string, error) {
				if o.Failures < 0 || sc.Attempt() <= o.Failures {
					return "", &progError{o.ErrorType, stepMessage(name, sc.Attempt())}
				}
				return stepValue(name, sc.Attempt()), nil
			}, durable.WithRetry(o.retry()))
			if err != nil {
				return v, err
			}
			v.Trace = append(v.Trace, r)
		case opWait:
			if err := durable.Wait(ctx, name, time.Duration(o.Seconds)*time.Second); err != nil {
				return v, err
			}
			v.Trace = append(v.Trace, name+" waited")
		case opFutures:
			entry, err := runFutures(ctx, name, o)
			if err != nil {
				return v, err
			}
			v.Trace = append(v.Trace, entry)
		case opParallel:
			res, err := runParallel(ctx, name, *o.Nested)
			if batchfail.Settled(err) != nil {
				return v, err
			}
			v.Nested = append(v.Nested, viewOf(res))
			if o.Throw {
				if err := res.ThrowIfError(); err != nil {
					return v, err
				}
			}
		}
	}
	return v, nil
}

func stepMessage(name string, attempt int) string {
	return fmt.Sprintf("%s failed on attempt %d", name, attempt)
}

func stepValue(name string, attempt int) string { return fmt.Sprintf("%s@%d", name, attempt) }

func (o op) retry() durable.RetryStrategy {
	switch o.Strategy {
	case "linear":
		return durable.LinearRetry(o.Attempts, time.Second, 2*time.Second)
	case "exponential":
		return durable.MustNewRetryStrategy(durable.RetryConfig{
			MaxAttempts: o.Attempts, InitialDelay: 2 * time.Second, MaxDelay: 20 * time.Second, BackoffRate: 2,
			Jitter: durable.JitterStrategy(o.Jitter), RetryableErrorTypes: o.RetryTypes,
		})
	}
	return durable.NoRetry()
}

func viewOf(res durable.BatchResult[branchValue]) batchView {
	v := batchView{Reason: res.CompletionReason().String(), Items: []itemView{}, Counts: counts{
		Succeeded: res.SuccessCount(), Failed: res.FailureCount(), Started: res.StartedCount(), Total: res.TotalCount(),
		Results: len(res.Results()), Errors: len(res.Errors()), Status: res.Status().String(), HasFailure: res.HasFailure(),
	}}
	for _, it := range res.Items {
		iv := itemView{Index: it.Index, Name: it.Name, Status: it.Status.String()}
		switch it.Status {
		case durable.BatchItemSucceeded:
			iv.Value = &it.Result
		case durable.BatchItemFailed:
			iv.Error = &errorView{Type: "?"}
			var cce *durable.ChildContextError
			if errors.As(it.Err, &cce) {
				iv.Error.Type = cce.ErrorType
			}
			var se *durable.StepError
			if errors.As(it.Err, &se) {
				iv.Error.StepType, iv.Error.StepMessage = se.ErrorType, se.Message
			}
		}
		v.Items = append(v.Items, iv)
	}
	return v
}
