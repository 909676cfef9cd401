package check_test

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

var calculator = durable.Handle(function.Handler)

type calcEvent struct{ Num1, Num2 float64 }

// failFast is the calculator's shape with the seed's default completion
// (fail-fast): which branches finish before the division fails depends on
// the schedule.
var failFast = durable.Handle(func(ctx durable.Context, ev calcEvent) ([3]int, error) {
	ops := []struct {
		name string
		f    func(a, b float64) (float64, error)
	}{
		{"addition", func(a, b float64) (float64, error) { return a + b, nil }},
		{"subtraction", func(a, b float64) (float64, error) { return a - b, nil }},
		{"multiplication", func(a, b float64) (float64, error) { return a * b, nil }},
		{"division", func(a, b float64) (float64, error) {
			if b == 0 {
				return 0, errors.New("division by zero")
			}
			return a / b, nil
		}},
	}
	branches := make([]durable.Branch[float64], len(ops))
	for i, op := range ops {
		branches[i] = durable.Branch[float64]{Name: op.name, Func: func(bc durable.Context) (float64, error) {
			return durable.Step(bc, op.name, func(durable.StepContext) (float64, error) { return op.f(ev.Num1, ev.Num2) },
				durable.WithRetry(durable.NoRetry()))
		}}
	}
	res, err := durable.Parallel(ctx, "calculations", branches)
	if batchfail.Settled(err) != nil {
		return [3]int{}, err
	}
	return [3]int{res.SuccessCount(), res.FailureCount(), res.StartedCount()}, nil
})

// renamed is the calculator with its Parallel renamed: a replay of a
// calculator log must fail as non-deterministic.
var renamed = durable.Handle(func(ctx durable.Context, ev calcEvent) (int, error) {
	res, err := durable.Parallel(ctx, "calculations-v2", []durable.Branch[int]{
		{Name: "addition", Func: func(durable.Context) (int, error) { return 0, nil }},
	})
	return res.SuccessCount(), err
})

// extraStep is the calculator followed by a step of its own: replaying a
// calculator log with it does new work.
var extraStep = func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
	return durable.Handle(func(ctx durable.Context, ev function.Event) (function.Response, error) {
		r, err := function.Handler(ctx, ev)
		if batchfail.Settled(err) != nil {
			return r, err
		}
		_, err = durable.Step(ctx, "audit", func(durable.StepContext) (int, error) { return 1, nil })
		return r, err
	})(ctx, env, envelope)
}

// forgetful wraps an invoker so that every invocation after an execution's
// first (whose envelope holds the EXECUTION alone) sees no finished step,
// as if the service had lost them.
func forgetful(inner durable.Invoker) durable.Invoker {
	return func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
		in, err := durable.DecodeInvocationInput(envelope)
		if err != nil || len(in.InitialExecutionState.Operations) == 1 {
			return inner(ctx, env, envelope)
		}
		kept := in.InitialExecutionState.Operations[:0]
		for _, op := range in.InitialExecutionState.Operations {
			if op.Type != types.OperationTypeStep || op.Status != types.OperationStatusSucceeded {
				kept = append(kept, op)
			}
		}
		in.InitialExecutionState.Operations = kept
		if envelope, err = durable.EncodeInvocationInput(in); err != nil {
			return nil, err
		}
		return inner(ctx, env, envelope)
	}
}
