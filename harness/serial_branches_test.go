package harness

import (
	"bytes"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// branchGoroutines runs a 4-branch Parallel through the LocalRunner and
// answers the number of distinct goroutines its branches ran on.
func branchGoroutines(t *testing.T) int {
	var mu sync.Mutex
	var ids []string
	bs := make([]durable.Branch[int], 4)
	for i := range bs {
		bs[i] = durable.Branch[int]{Func: func(ctx durable.Context) (int, error) {
			buf := make([]byte, 64)
			buf = buf[:runtime.Stack(buf, false)]
			id, _, _ := bytes.Cut(bytes.TrimPrefix(buf, []byte("goroutine ")), []byte(" "))
			mu.Lock()
			ids = append(ids, string(id))
			mu.Unlock()
			return durable.Step(ctx, "s", func(durable.StepContext) (int, error) { return i, nil })
		}}
	}
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		r, err := durable.Parallel(ctx, "p", bs)
		if batchfail.Settled(err) != nil {
			return 0, err
		}
		return r.SuccessCount(), nil
	}), nil)
	if got := MustResultAs[int](t, res); got != 4 {
		t.Fatalf("%d branches succeeded, want 4", got)
	}
	slices.Sort(ids)
	return len(slices.Compact(ids))
}

// The in-process runner runs a batch's branches one after another on one
// goroutine, except under the race detector, where each has its own so
// that races between them are seen.
func TestLocalRunnerSerialBranches(t *testing.T) {
	want := 1
	if raceDetector {
		want = 4
	}
	if got := branchGoroutines(t); got != want {
		t.Fatalf("the branches ran on %d goroutines, want %d (race detector: %v)", got, want, raceDetector)
	}
}
