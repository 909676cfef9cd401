package harness

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TB is the part of testing.TB the helpers need, so plain tests, Ginkgo
// (GinkgoT()) and rapid (*rapid.T) can all use them.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// MustRun runs the handler with input and fails t if the run could not
// complete (invocation cap, backend error). The
// execution's own status is not judged; the seed is printed on failure.
func (r *LocalRunner) MustRun(t TB, input any) *Result {
	t.Helper()
	res, err := r.Run(context.Background(), input)
	if err != nil {
		if res != nil {
			t.Logf("operations so far:\n%s", res.Tree())
		}
		t.Fatalf("harness: run failed (seed %d): %v", r.cfg.seed, err)
	}
	return res
}

// RequireStatus fails t unless the execution ended with want, logging the
// operation tree.
func (r *Result) RequireStatus(t TB, want types.ExecutionStatus) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("harness: execution status %s, want %s (seed %d)\n%s", r.Status, want, r.Seed, r.Tree())
	}
}

// MustOp returns the first operation named name or fails t.
func (r *Result) MustOp(t TB, name string) *Operation {
	t.Helper()
	op := r.Op(name)
	if op == nil {
		t.Fatalf("harness: no operation named %q (seed %d)\n%s", name, r.Seed, r.Tree())
	}
	return op
}

// MustResultAs decodes the execution's result as a T or fails t.
func MustResultAs[T any](t TB, r *Result) T {
	t.Helper()
	v, err := ResultAs[T](r)
	if err != nil {
		t.Fatalf("harness: %v (status %s, seed %d)\n%s", err, r.Status, r.Seed, r.Tree())
	}
	return v
}
