package suites

import (
	"fmt"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// parallelSuite holds the handlers of the parallel suite (requirements
// parallel/8-*). Unless a requirement says otherwise, max-concurrency is 1,
// so the branches run in index order and the EventIds are deterministic.
func parallelSuite() map[string]conformance.Entry {
	return map[string]conformance.Entry{
		"8-1":  plain(durable.Handle(parallelBasic)),
		"8-2":  plain(durable.Handle(parallelBranchesOnly)),
		"8-3":  plain(durable.Handle(parallelNamedBranches)),
		"8-4":  plain(durable.Handle(parallelHeterogeneous)),
		"8-5":  plain(durable.Handle(parallelEmpty)),
		"8-6":  plain(durable.Handle(parallelFailFast)),
		"8-7":  plain(durable.Handle(parallelThrowIfError)),
		"8-8":  plain(durable.Handle(parallelMinSuccessful)),
		"8-9":  plain(durable.Handle(parallelToleratedWithin)),
		"8-10": plain(durable.Handle(parallelToleratedExceeded)),
		"8-11": plain(durable.Handle(parallelConcurrent)),
		"8-12": plain(durable.Handle(parallelFlat)),
		"8-13": plain(durable.Handle(parallelToleratedPercentage)),
		"8-14": plain(durable.Handle(parallelReplayAcrossWait)),
		"8-15": plain(durable.Handle(parallelItemSerdes)),
		"8-16": plain(durable.Handle(parallelAllFail)),
		"8-18": plain(durable.Handle(parallelCombinedCompletion)),
		"8-19": plain(durable.Handle(parallelInvalidConcurrency)),
	}
}

// sequential is max-concurrency 1.
func sequential() durable.BatchOption { return durable.WithMaxConcurrency(1) }

// results is the handlers' usual return value: the successful branch results
// in index order, an empty array (not null) when there are none.
func results[O any](br durable.BatchResult[O]) []O {
	if r := br.Results(); r != nil {
		return r
	}
	return []O{}
}

// projection is the summary some handlers return. Status and FailureCount
// are left out by the requirements that do not list them.
type projection struct {
	CompletionReason durable.CompletionReason `json:"completionReason"`
	Status           string                   `json:"status,omitempty"`
	SuccessCount     int                      `json:"successCount"`
	FailureCount     *int                     `json:"failureCount,omitempty"`
	TotalCount       int                      `json:"totalCount"`
}

// fullProjection is {completionReason, status, successCount, failureCount, totalCount}.
func fullProjection[O any](br durable.BatchResult[O]) projection {
	p := countsProjection(br)
	p.Status = br.Status().String()
	return p
}

// countsProjection is {completionReason, successCount, failureCount, totalCount}.
func countsProjection[O any](br durable.BatchResult[O]) projection {
	p := projection{CompletionReason: br.CompletionReason(), SuccessCount: br.SuccessCount(), TotalCount: br.TotalCount()}
	fc := br.FailureCount()
	p.FailureCount = &fc
	return p
}

// value is a branch returning v directly, with no durable operation.
func value[O any](v O) func(durable.Context) (O, error) {
	return func(durable.Context) (O, error) { return v, nil }
}

// fails is a branch that raises an error directly.
func fails[O any](i int) func(durable.Context) (O, error) {
	return func(durable.Context) (O, error) {
		var zero O
		return zero, fmt.Errorf("branch %d failed", i)
	}
}

// stepBranch is a branch running one step that returns v.
func stepBranch(name, v string) func(durable.Context) (string, error) {
	return func(ctx durable.Context) (string, error) { return echoStep(ctx, name, v) }
}

// unnamed builds branches without names (the runtime's default names apply).
func unnamed[O any](fns ...func(durable.Context) (O, error)) []durable.Branch[O] {
	bs := make([]durable.Branch[O], len(fns))
	for i, fn := range fns {
		bs[i] = durable.Branch[O]{Func: fn}
	}
	return bs
}

// 8-1: "parallel", two branches each running one step ("task-1", "task-2").
func parallelBasic(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "parallel", unnamed(stepBranch("task-1", "task-1"), stepBranch("task-2", "task-2")), sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-2: the form with no operation name; branches return "alpha" and "beta".
func parallelBranchesOnly(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "", unnamed(value("alpha"), value("beta")), sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-3: "named", branches "first" and "second" returning "one" and "two".
func parallelNamedBranches(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "named", []durable.Branch[string]{
		{Name: "first", Func: value("one")},
		{Name: "second", Func: value("two")},
	}, sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-4: "hetero", branches returning "hello", 42 and {k: "v"}.
func parallelHeterogeneous(ctx durable.Context, _ any) ([]any, error) {
	br, err := durable.Parallel(ctx, "hetero", unnamed(value[any]("hello"), value[any](42), value[any](map[string]string{"k": "v"})), sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-5: "empty", no branches; the handler returns [].
func parallelEmpty(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "empty", []durable.Branch[string]{})
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-6: "failfast", tolerated-failure-count 0: b0 returns "ok", b1 fails, b2
// never starts.
func parallelFailFast(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Parallel(ctx, "failfast", unnamed(value("ok"), fails[string](1), value("never")),
		sequential(), durable.WithCompletion(durable.WithToleratedFailureCount(0)))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return fullProjection(br), nil
}

// 8-7: "throwing", tolerated-failure-count 0: b0 fails, b1 never starts; the
// handler rethrows the batch's first failure, so the execution fails.
func parallelThrowIfError(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "throwing", unnamed(fails[string](0), value("never")),
		sequential(), durable.WithCompletion(durable.WithToleratedFailureCount(0)))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	if err := br.ThrowIfError(); err != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-8: "min-successful", four branches, min-successful 2: b0 and b1 succeed
// and b2, b3 never start. Returns {completionReason, successCount, totalCount}.
func parallelMinSuccessful(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Parallel(ctx, "min-successful", unnamed(value("b0"), value("b1"), value("b2"), value("b3")),
		sequential(), durable.WithCompletion(durable.CompletionConfig{MinSuccessful: 2}))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return projection{CompletionReason: br.CompletionReason(), SuccessCount: br.SuccessCount(), TotalCount: br.TotalCount()}, nil
}

// 8-9: "tolerated", tolerated-failure-count 1: ok, fail, ok; all complete.
func parallelToleratedWithin(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Parallel(ctx, "tolerated", unnamed(value("ok"), fails[string](1), value("ok")),
		sequential(), durable.WithCompletion(durable.WithToleratedFailureCount(1)))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return fullProjection(br), nil
}

// 8-10: "tolerated-exceeded", tolerated-failure-count 1: b0 and b1 fail, b2
// never starts.
func parallelToleratedExceeded(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Parallel(ctx, "tolerated-exceeded", unnamed(fails[string](0), fails[string](1), value("ok")),
		sequential(), durable.WithCompletion(durable.WithToleratedFailureCount(1)))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return countsProjection(br), nil
}

// 8-11: "concurrent", max-concurrency 2, branches returning "r0", "r1", "r2".
func parallelConcurrent(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "concurrent", unnamed(value("r0"), value("r1"), value("r2")), durable.WithMaxConcurrency(2))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-12: "flat", FLAT nesting: each branch's step ("fa", "fb") is recorded
// under the Parallel context itself.
func parallelFlat(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "flat", unnamed(stepBranch("fa", "fa"), stepBranch("fb", "fb")),
		sequential(), durable.WithNesting(durable.NestingFlat))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-13: "tolerated-pct", tolerated-failure-percentage 25 of four branches:
// b0 and b1 fail (50 %), b2 and b3 never start.
func parallelToleratedPercentage(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Parallel(ctx, "tolerated-pct", unnamed(fails[string](0), fails[string](1), value("ok"), value("ok")),
		sequential(), durable.WithCompletion(durable.CompletionConfig{ToleratedFailurePercentage: new(25)}))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return countsProjection(br), nil
}

// 8-14: "replay": b0 runs a step returning "b0"; b1 waits 2 s, then returns
// "b1". The first invocation suspends on the wait; the replay skips b0.
func parallelReplayAcrossWait(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "replay", unnamed(
		stepBranch("b0", "b0"),
		func(bc durable.Context) (string, error) {
			if err := durable.Wait(bc, "", 2*time.Second); err != nil {
				return "", err
			}
			return "b1", nil
		},
	), sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-15: "serde", an item serdes storing each branch result as
// {"wrapped": v}; branches return "x" and "y".
func parallelItemSerdes(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "serde", unnamed(value("x"), value("y")), sequential(), durable.WithBatchSerdes(wrapped{}))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 8-16: "all-fail", tolerated-failure-count 3: all three branches fail.
func parallelAllFail(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Parallel(ctx, "all-fail", unnamed(fails[string](0), fails[string](1), fails[string](2)),
		sequential(), durable.WithCompletion(durable.WithToleratedFailureCount(3)))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return fullProjection(br), nil
}

// 8-18: "combined", min-successful 3 and tolerated-failure-count 1: b0 and
// b1 fail, exceeding the tolerance; b2 and b3 never start.
func parallelCombinedCompletion(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Parallel(ctx, "combined", unnamed(fails[string](0), fails[string](1), value("ok"), value("ok")),
		sequential(), durable.WithCompletion(durable.CompletionConfig{MinSuccessful: 3, ToleratedFailureCount: new(1)}))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return countsProjection(br), nil
}

// 8-19: "bad-concurrency", max-concurrency 0: a validation error before any
// checkpoint, not caught, so the execution fails.
func parallelInvalidConcurrency(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "bad-concurrency", unnamed(value("b0"), value("b1")), durable.WithMaxConcurrency(0))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}
