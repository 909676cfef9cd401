package harness

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/internal/cputime"
)

// BenchmarkLocalRunnerCalculator runs whole calculator executions in
// process (start, invocation, checkpoints, history, Result), alternating a
// division by zero and a clean division, and reports executions per second
// of wall time and per second of CPU time. Run it on one core:
//
//	go test -run - -bench LocalRunnerCalculator -cpu 1 ./harness/
func BenchmarkLocalRunnerCalculator(b *testing.B) {
	r := NewLocalRunner(durable.Handle(function.Handler), WithFunctionName("calculator"))
	inputs := []string{`{"num1":10,"num2":0}`, `{"num1":10,"num2":5}`}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	cpu0 := cputime.Process()
	for b.Loop() {
		res, err := r.RunJSON(ctx, inputs[i%2])
		if err != nil || res.Status != types.ExecutionStatusSucceeded {
			b.Fatalf("run %d: %v %v", i, res.Status, err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "exec/s")
	// On a shared machine wall time includes other processes' turns; the
	// CPU time this process spent is the fair measure of one core's rate.
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(i)/cpu.Seconds(), "exec/cpu-s")
	}
}
