package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// fanOut runs one Parallel of n one-step branches, at most 50 at a time,
// and answers how many succeeded.
func fanOut(ctx durable.Context, n int) (int, error) {
	branches := make([]durable.Branch[int], n)
	for i := range branches {
		branches[i] = durable.Branch[int]{Name: "branch", Func: func(bctx durable.Context) (int, error) {
			return durable.Step(bctx, "step", func(durable.StepContext) (int, error) { return i, nil })
		}}
	}
	res, err := durable.Parallel(ctx, "fan-out", branches, durable.WithMaxConcurrency(50))
	if batchfail.Settled(err) != nil {
		return 0, err
	}
	return res.SuccessCount(), nil
}

// BenchmarkParallel1000Branches: one execution whose handler is a
// Parallel of 1,000 one-step branches with max concurrency 50, run to
// completion through the LocalRunner.
func BenchmarkParallel1000Branches(b *testing.B) {
	const branches = 1000
	r := harness.NewLocalRunner(durable.Handle(fanOut))
	ctx := context.Background()
	input := fmt.Sprint(branches)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		res, err := r.RunJSON(ctx, input)
		if err != nil || res.Status != types.ExecutionStatusSucceeded {
			b.Fatalf("run %d: status %s, error %v", n, res.Status, err)
		}
		if got := harness.MustResultAs[int](b, res); got != branches {
			b.Fatalf("run %d: %d branches succeeded, want %d", n, got, branches)
		}
		n++
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(n), "ms/run")
}
