package interop_test

import (
	"time"

	"github.com/dpcheck/dpcheck/durable"
)

// The Go twins of interop/js/functions/combinator-*.js: the same
// operations, names, values and errors, written with durable's futures
// and combinators.

// jsError names itself Error on the wire, as a JavaScript Error does.
type jsError struct{ msg string }

func (e jsError) Error() string     { return e.msg }
func (e jsError) ErrorType() string { return "Error" }

type event struct{}

func ok[O any](ctx durable.Context, name string, v O) *durable.Future[O] {
	return durable.StepAsync(ctx, name, func(durable.StepContext) (O, error) { return v, nil })
}

func fails[O any](ctx durable.Context, name string) *durable.Future[O] {
	return durable.StepAsync(ctx, name, func(durable.StepContext) (O, error) {
		var zero O
		return zero, jsError{name + " failed"}
	}, durable.WithRetry(durable.NoRetry()))
}

// delayed is a child context that waits seconds, then steps.
func delayed(ctx durable.Context, name string, seconds int, v string) *durable.Future[string] {
	return durable.Go(ctx, name, func(c durable.Context) (string, error) {
		if err := durable.Wait(c, "pause", time.Duration(seconds)*time.Second); err != nil {
			return "", err
		}
		return durable.Step(c, "after", func(durable.StepContext) (string, error) { return v, nil })
	})
}

// settledValues is what the JS handlers return from allSettled: each
// value, or the reason's message.
func settledValues(s []durable.Settled[int], err error) ([]any, error) {
	if err != nil {
		return nil, err
	}
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x.Value
		if x.Err != nil {
			out[i] = combinatorMessage(x.Err)
		}
	}
	return out, nil
}

// combinatorMessage is a settled error's message as JavaScript reads it.
func combinatorMessage(err error) string {
	switch e := err.(type) {
	case *durable.StepError:
		return e.Message
	}
	return err.Error()
}

var goCombinators = map[string]durable.Invoker{
	"combinator-all-ok": durable.Handle(func(ctx durable.Context, _ event) ([]int, error) {
		return durable.All(ctx, "all", []*durable.Future[int]{ok(ctx, "a", 1), ok(ctx, "b", 2)})
	}),
	"combinator-all-one-fails": durable.Handle(func(ctx durable.Context, _ event) ([]int, error) {
		return durable.All(ctx, "all", []*durable.Future[int]{ok(ctx, "a", 1), fails[int](ctx, "b")})
	}),
	"combinator-allsettled": durable.Handle(func(ctx durable.Context, _ event) ([]any, error) {
		return settledValues(durable.AllSettled(ctx, "settled", []*durable.Future[int]{ok(ctx, "a", 1), fails[int](ctx, "b")}))
	}),
	"combinator-any-all-fail": durable.Handle(func(ctx durable.Context, _ event) (int, error) {
		return durable.Any(ctx, "any", []*durable.Future[int]{fails[int](ctx, "a"), fails[int](ctx, "b")})
	}),
	"combinator-any-one-ok": durable.Handle(func(ctx durable.Context, _ event) (int, error) {
		return durable.Any(ctx, "any", []*durable.Future[int]{fails[int](ctx, "a"), ok(ctx, "b", 2)})
	}),
	"combinator-race-first-wins": durable.Handle(func(ctx durable.Context, _ event) (string, error) {
		return durable.Race(ctx, "race", []*durable.Future[string]{delayed(ctx, "slow", 5, "late"), ok(ctx, "fast", "early")})
	}),
	"combinator-wait-in-future": durable.Handle(func(ctx durable.Context, _ event) ([]string, error) {
		return durable.All(ctx, "all", []*durable.Future[string]{ok(ctx, "a", "now"), delayed(ctx, "later", 2, "then")})
	}),
	"combinator-in-parallel": durable.Handle(func(ctx durable.Context, _ event) ([]any, error) {
		b, err := durable.Parallel(ctx, "par", []durable.Branch[any]{
			{Func: func(c durable.Context) (any, error) {
				return durable.All(c, "all", []*durable.Future[int]{ok(c, "a", 1), ok(c, "b", 2)})
			}},
			{Func: func(c durable.Context) (any, error) {
				return durable.Any(c, "any", []*durable.Future[int]{fails[int](c, "x"), ok(c, "y", 3)})
			}},
		}, durable.WithMaxConcurrency(1))
		return b.Results(), err
	}),
	"combinator-in-map": durable.Handle(func(ctx durable.Context, _ event) ([][]any, error) {
		b, err := durable.Map(ctx, "map", []int{1, 2}, func(c durable.Context, item, _ int) ([]any, error) {
			double := ok(c, "double", item*2)
			var odd *durable.Future[int]
			if item == 2 {
				odd = fails[int](c, "odd")
			} else {
				odd = ok(c, "odd", item)
			}
			return settledValues(durable.AllSettled(c, "settled", []*durable.Future[int]{double, odd}))
		}, durable.WithMaxConcurrency(1))
		return b.Results(), err
	}),
}
