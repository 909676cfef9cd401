package check

import (
	"context"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
)

func BenchmarkScratchRun(b *testing.B) {
	r := harness.NewLocalRunner(durable.Handle(function.Handler), harness.WithSeededScheduler(3))
	var calls int
	for b.Loop() {
		res, err := r.RunJSON(context.Background(), `{"num1":10,"num2":0}`)
		if err != nil {
			b.Fatal(err)
		}
		calls = 0
		for _, inv := range res.Invocations {
			calls += inv.CheckpointCalls
		}
	}
	b.Logf("calls=%d", calls)
}
func BenchmarkScratchRunFree(b *testing.B) {
	r := harness.NewLocalRunner(durable.Handle(function.Handler))
	for b.Loop() {
		_, err := r.RunJSON(context.Background(), `{"num1":10,"num2":0}`)
		if err != nil {
			b.Fatal(err)
		}
	}
}
