package durable_test

import (
	"runtime"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
)

// A blocking checkpoint yields before it takes its batch, so what a
// Parallel's other branches queue meanwhile goes out in the same call. On
// one P, four one-step branches then need two calls (their results, then
// the Parallel's) where sending at once made one call per branch and more.
// Goroutine scheduling may still split a run, so the test asks for most.
func TestGroupCommitSendsTheBranchesTogether(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	h := func(ctx durable.Context, _ any) (int, error) {
		_, err := durable.Parallel(ctx, "p", outcomes("oooo"))
		return 0, err
	}
	const runs = 20
	calls := map[int]int{}
	for range runs {
		m := newMem(`{}`)
		out, _ := m.run(t, durable.Handle(h), durable.Env{})
		if out.Status != durable.InvocationSucceeded {
			t.Fatalf("status %s, error %+v", out.Status, errString(out.Error))
		}
		calls[m.calls]++
	}
	if calls[2] < runs/2 {
		t.Errorf("checkpoint calls per run (calls: runs) %v, want most runs with 2", calls)
	}
}
