package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// sequence is an execution of exactly n operations: n-1 steps one after
// the other, then a one-second wait. The wait suspends the execution, so
// a second invocation replays all n operations from the paged state before it
// returns: history, lookup and replay are all exercised at size n.
func sequence(ctx durable.Context, n int) (int, error) {
	sum := 0
	for i := range n - 1 {
		v, err := durable.Step(ctx, "step", func(durable.StepContext) (int, error) { return i, nil })
		if err != nil {
			return 0, err
		}
		sum += v
	}
	if err := durable.Wait(ctx, "pause", time.Second); err != nil {
		return 0, err
	}
	return sum, nil
}

// BenchmarkHistoryScaling: the cost per operation of a 10,000-operation
// execution over that of a 100-operation one. Each round runs the small
// execution 100 times and the large one once, so both cover 10,000
// operations and the ratio compares like with like; 1 means linear. The
// cost is the process's CPU time (GC included), which the other processes
// of a busy machine disturb less than wall time; wall time where the
// platform does not report it.
func BenchmarkHistoryScaling(b *testing.B) {
	const small, large = 100, 10000
	r := harness.NewLocalRunner(durable.Handle(sequence))
	ctx := context.Background()
	run := func(n int) time.Duration {
		began, cpu0 := time.Now(), cpuTime(self)
		res, err := r.RunJSON(ctx, fmt.Sprint(n))
		took := cpuTime(self) - cpu0
		if cpu0 == 0 {
			took = time.Since(began)
		}
		if err != nil || res.Status != types.ExecutionStatusSucceeded {
			b.Fatalf("%d operations: status %s, error %v", n, res.Status, err)
		}
		if got, want := harness.MustResultAs[int](b, res), (n-1)*(n-2)/2; got != want {
			b.Fatalf("%d operations: result %d, want %d", n, got, want)
		}
		if len(res.Operations) != n || len(res.Invocations) != 2 {
			b.Fatalf("%d operations: got %d operations in %d invocations, want %d in 2", n, len(res.Operations), len(res.Invocations), n)
		}
		if replay := res.Invocations[1]; replay.Replayed() != n || replay.StateCalls == 0 {
			b.Fatalf("%d operations: the second invocation replayed %d operations with %d state calls, want all %d replayed from paged state", n, replay.Replayed(), replay.StateCalls, n)
		}
		return took
	}
	var smallTime, largeTime time.Duration
	rounds := 0
	for b.Loop() {
		for range large / small {
			smallTime += run(small)
		}
		largeTime += run(large)
		rounds++
	}
	ops := float64(rounds * large) // operations run at each size
	b.ReportMetric(largeTime.Seconds()/smallTime.Seconds(), "cost-ratio")
	b.ReportMetric(float64(smallTime.Nanoseconds())/ops, "cost-ns/op-at-100")
	b.ReportMetric(float64(largeTime.Nanoseconds())/ops, "cost-ns/op-at-10000")
}
