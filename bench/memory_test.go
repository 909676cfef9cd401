package bench

import (
	"context"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/service"
)

// keptExecutions is how many finished executions one measurement keeps in
// its backend: enough that fixed costs vanish in the average.
const keptExecutions = 2000

// BenchmarkBackendBytesPerExecution: the heap one finished calculator
// execution keeps alive in a backend that holds many (operations, history,
// tokens, indexes), measured as the live-heap growth over keptExecutions
// executions divided by their number. The Results the runner returns are
// dropped, so only what the backend retains is counted.
func BenchmarkBackendBytesPerExecution(b *testing.B) {
	ctx := context.Background()
	var total float64
	rounds := 0
	for b.Loop() {
		be := service.NewBackend()
		r := harness.NewLocalRunner(durable.Handle(function.Handler), harness.WithBackend(be), harness.WithFunctionName("calculator"))
		run := func(i int) {
			res, err := r.RunJSON(ctx, calculatorInputs[i%2])
			if err != nil || res.Status != types.ExecutionStatusSucceeded {
				b.Fatalf("execution %d: status %s, error %v", i, res.Status, err)
			}
		}
		run(0) // the backend's and the runtime's one-off allocations
		before := liveHeap()
		for i := range keptExecutions {
			run(i)
		}
		after := liveHeap()
		if got := len(be.Executions()); got != keptExecutions+1 {
			b.Fatalf("the backend holds %d executions, want %d", got, keptExecutions+1)
		}
		runtime.KeepAlive(be)
		total += float64(after-before) / keptExecutions
		rounds++
	}
	b.ReportMetric(total/float64(rounds), "retained-B/exec")
}

// liveHeap is the heap in use after a full collection. The second GC
// empties what sync.Pools kept through the first.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
