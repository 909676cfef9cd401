package suites

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// mapSuite holds the handlers of the map suite (requirements map/9-*).
// Unless a requirement says otherwise, max-concurrency is 1, so the items
// run in index order and the EventIds are deterministic.
func mapSuite() map[string]conformance.Entry {
	return map[string]conformance.Entry{
		"9-1":  plain(durable.Handle(mapBasic)),
		"9-2":  plain(durable.Handle(mapItemsOnly)),
		"9-3":  plain(durable.Handle(mapIndexed)),
		"9-4":  plain(durable.Handle(mapEmpty)),
		"9-6":  plain(durable.Handle(mapThrowIfError)),
		"9-7":  plain(durable.Handle(mapMinSuccessful)),
		"9-8":  plain(durable.Handle(mapToleratedWithin)),
		"9-9":  plain(durable.Handle(mapToleratedExceeded)),
		"9-10": plain(durable.Handle(mapToleratedPercentage)),
		"9-11": plain(durable.Handle(mapConcurrent)),
		"9-13": plain(durable.Handle(mapItemNamer)),
		"9-14": plain(durable.Handle(mapItemSerdes)),
		"9-15": plain(durable.Handle(mapSuspendInIteration)),
		"9-16": plain(durable.Handle(mapLargeResult)),
		"9-17": plain(durable.Handle(mapThenWait)),
		"9-19": plain(durable.Handle(mapResultSerdes)),
		"9-20": plain(durable.Handle(mapResultSerdesReplay)),
	}
}

// items is the list of placeholder items i0, i1, … that requirements with
// Input null run over.
func items(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("i%d", i)
	}
	return out
}

// itemValue is a map function returning v for every item, with no durable
// operation.
func itemValue[I, O any](v O) func(durable.Context, I, int) (O, error) {
	return func(durable.Context, I, int) (O, error) { return v, nil }
}

// failing is a map function that raises an error for the items whose index
// is in fail and returns "ok" for the others.
func failing(fail ...int) func(durable.Context, string, int) (string, error) {
	return func(_ durable.Context, _ string, i int) (string, error) {
		for _, f := range fail {
			if f == i {
				return "", fmt.Errorf("item %d failed", i)
			}
		}
		return "ok", nil
	}
}

// upper returns the upper-cased item directly.
func upper(_ durable.Context, item string, _ int) (string, error) { return strings.ToUpper(item), nil }

// 9-1: "map" over the input ["World", "Kiro"]; each item runs one step
// returning "Hello, <item>!" (the step is named after the item's index, a
// choice the prose leaves open).
func mapBasic(ctx durable.Context, in []string) ([]string, error) {
	br, err := durable.Map(ctx, "map", in, func(ic durable.Context, item string, i int) (string, error) {
		return echoStep(ic, fmt.Sprintf("greet-%d", i), "Hello, "+item+"!")
	}, sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-2: the form with no operation name over the input [1, 2]; each item is
// doubled directly.
func mapItemsOnly(ctx durable.Context, in []int) ([]int, error) {
	br, err := durable.Map(ctx, "", in, func(_ durable.Context, item int, _ int) (int, error) { return 2 * item, nil }, sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-3: "indexed" over the input [10, 20, 30]; each result is item + index.
func mapIndexed(ctx durable.Context, in []int) ([]int, error) {
	br, err := durable.Map(ctx, "indexed", in, func(_ durable.Context, item int, i int) (int, error) { return item + i, nil }, sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-4: "empty" over the input []: no iterations; the handler returns [].
func mapEmpty(ctx durable.Context, in []string) ([]string, error) {
	br, err := durable.Map(ctx, "empty", in, itemValue[string]("never"))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-6: "throwing", tolerated-failure-count 0 over [i0, i1]: i0 fails, i1
// never starts; the handler rethrows the first failure, so the execution
// fails.
func mapThrowIfError(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Map(ctx, "throwing", items(2), failing(0),
		sequential(), durable.WithCompletion(durable.WithToleratedFailureCount(0)))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	if err := br.ThrowIfError(); err != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-7: "min-successful", min-successful 2 over four items returning a
// constant: i0 and i1 succeed, i2 and i3 never start.
func mapMinSuccessful(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Map(ctx, "min-successful", items(4), itemValue[string]("done"),
		sequential(), durable.WithCompletion(durable.CompletionConfig{MinSuccessful: 2}))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return projection{CompletionReason: br.CompletionReason(), SuccessCount: br.SuccessCount(), TotalCount: br.TotalCount()}, nil
}

// 9-8: "tolerated", tolerated-failure-count 1: i0 succeeds, i1 fails, i2
// succeeds; every item completes.
func mapToleratedWithin(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Map(ctx, "tolerated", items(3), failing(1),
		sequential(), durable.WithCompletion(durable.WithToleratedFailureCount(1)))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return fullProjection(br), nil
}

// 9-9: "tolerated-exceeded", tolerated-failure-count 1: i0 and i1 fail, i2
// never starts.
func mapToleratedExceeded(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Map(ctx, "tolerated-exceeded", items(3), failing(0, 1),
		sequential(), durable.WithCompletion(durable.WithToleratedFailureCount(1)))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return countsProjection(br), nil
}

// 9-10: "tolerated-pct", tolerated-failure-percentage 25 of four items: i0
// and i1 fail (50 %), i2 and i3 never start.
func mapToleratedPercentage(ctx durable.Context, _ any) (projection, error) {
	br, err := durable.Map(ctx, "tolerated-pct", items(4), failing(0, 1),
		sequential(), durable.WithCompletion(durable.CompletionConfig{ToleratedFailurePercentage: new(25)}))
	if batchfail.Settled(err) != nil {
		return projection{}, err
	}
	return countsProjection(br), nil
}

// 9-11: "concurrent", max-concurrency 2, items returning "r0", "r1", "r2".
func mapConcurrent(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Map(ctx, "concurrent", items(3), func(_ durable.Context, _ string, i int) (string, error) {
		return fmt.Sprintf("r%d", i), nil
	}, durable.WithMaxConcurrency(2))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-13: "named-items" over the input [1, 2], iterations named "item-<item>";
// each returns item * 10.
func mapItemNamer(ctx durable.Context, in []int) ([]int, error) {
	br, err := durable.Map(ctx, "named-items", in, func(_ durable.Context, item int, _ int) (int, error) { return 10 * item, nil },
		sequential(), durable.WithItemNamer(func(i int) string { return fmt.Sprintf("item-%d", in[i]) }))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-14: "serdes" over ["x", "y"] with an item serdes that stores a string
// as "wrapped:<s>"; each iteration returns the upper-cased item.
func mapItemSerdes(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Map(ctx, "serdes", []string{"x", "y"}, upper, sequential(), durable.WithBatchSerdes(prefixed{}))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-15: "suspend" over ["r0", "r1"]: iteration 0 runs a step returning r0;
// iteration 1 waits 1 s, then runs a step returning r1. The first
// invocation suspends on the wait; the replay skips iteration 0.
func mapSuspendInIteration(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Map(ctx, "suspend", []string{"r0", "r1"}, func(ic durable.Context, item string, i int) (string, error) {
		if i == 1 {
			if err := durable.Wait(ic, "", time.Second); err != nil {
				return "", err
			}
		}
		return echoStep(ic, item, item)
	}, sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// largeItemBytes is the size of each of 9-16's item results: four of them
// (280 000 bytes with their quotes) are over the 256 KiB a batch payload
// may hold, one is well under it.
const largeItemBytes = 70_000

// 9-16: "large" over four items each returning a 70 kB string: the Map is
// recorded with ReplayChildren and a summary. Returns {successCount,
// totalCount}.
func mapLargeResult(ctx durable.Context, _ any) (map[string]int, error) {
	br, err := durable.Map(ctx, "large", items(4), func(_ durable.Context, item string, _ int) (string, error) {
		return strings.Repeat(item[1:], largeItemBytes), nil
	}, sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return map[string]int{"successCount": br.SuccessCount(), "totalCount": br.TotalCount()}, nil
}

// 9-17: "then-wait" over ["a", "b"] returning the upper-cased items, then a
// wait of 1 s; the replay skips the finished Map.
func mapThenWait(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Map(ctx, "then-wait", []string{"a", "b"}, upper, sequential())
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	if err := durable.Wait(ctx, "", time.Second); err != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-19: "op-serde" over ["x", "y"] with a whole-result serdes that stores
// the BatchResult as "OPSERDE:X,Y".
func mapResultSerdes(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Map(ctx, "op-serde", []string{"x", "y"}, upper, sequential(), durable.WithBatchResultSerdes(opSerde{}))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return results(br), nil
}

// 9-20: 9-19's Map ("op-serde-replay") followed by a wait of 1 s: the
// replay rebuilds the BatchResult through opSerde's Unmarshal.
func mapResultSerdesReplay(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Map(ctx, "op-serde-replay", []string{"x", "y"}, upper, sequential(), durable.WithBatchResultSerdes(opSerde{}))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	if err := durable.Wait(ctx, "", time.Second); err != nil {
		return nil, err
	}
	if br.TotalCount() == 0 {
		return nil, errors.New("suites: the Map's result was not rebuilt")
	}
	return results(br), nil
}
