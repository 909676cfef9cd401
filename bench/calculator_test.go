package bench

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/internal/gctarget"
)

// calculatorInputs alternate a division by zero and a clean division; the
// calculator SUCCEEDS on both (a failed branch is part of its answer).
var calculatorInputs = [2]string{`{"num1":10,"num2":0}`, `{"num1":10,"num2":5}`}

// BenchmarkCalculatorInprocess: whole calculator executions through the
// LocalRunner, one after the other from one goroutine (start, invocation,
// checkpoints, history, Result), each on a fresh backend.
func BenchmarkCalculatorInprocess(b *testing.B) { benchCalculator(b) }

// BenchmarkCalculatorInprocessManyExecutionsGC: the same executions with
// the garbage collector's target the dpcheck verbs that make many
// executions set (gctarget.ManyExecutions; Go's default is 100).
func BenchmarkCalculatorInprocessManyExecutionsGC(b *testing.B) {
	defer gctarget.SetManyExecutions()()
	benchCalculator(b)
}

func benchCalculator(b *testing.B) {
	r := harness.NewLocalRunner(durable.Handle(function.Handler), harness.WithFunctionName("calculator"))
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	cpu0 := cpuTime(self)
	for b.Loop() {
		res, err := r.RunJSON(ctx, calculatorInputs[n%2])
		if err != nil || res.Status != types.ExecutionStatusSucceeded {
			b.Fatalf("execution %d (%s): status %s, error %v", n, calculatorInputs[n%2], res.Status, err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "exec/s")
	reportPerCPUSecond(b, n, cpuTime(self)-cpu0)
}

// BenchmarkCalculatorCrashEveryBoundary: the same executions, each checked
// with check.CrashEveryBoundary: a crash-free run, then one run per
// checkpoint call crashing right after it, every run compared with the
// crash-free one. One sweep counts as one execution; the sweep's runs are
// made one at a time (WithWorkers(1)), like the in-process figure.
func BenchmarkCalculatorCrashEveryBoundary(b *testing.B) {
	c := check.New(durable.Handle(function.Handler), check.WithWorkers(1))
	ctx := context.Background()
	b.ReportAllocs()
	n, runs := 0, 0
	cpu0 := cpuTime(self)
	for b.Loop() {
		s, err := c.CrashEveryBoundary(ctx, calculatorInputs[n%2])
		if err != nil {
			b.Fatalf("sweep %d (%s): %v", n, calculatorInputs[n%2], err)
		}
		runs += 1 + len(s.Runs)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "exec/s")
	b.ReportMetric(float64(runs)/float64(n), "runs/exec")
	reportPerCPUSecond(b, n, cpuTime(self)-cpu0)
}

// reportPerCPUSecond reports executions per second of this process's CPU
// time next to the wall-clock rate: on a machine other processes share it
// is less disturbed by them than wall time (though not immune: they share
// caches and cores). GC work on the other core counts as CPU time.
func reportPerCPUSecond(b *testing.B, n int, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "exec/cpu-s")
	}
}
