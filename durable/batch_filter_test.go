package durable_test

import (
	"errors"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
)

// TestBatchResultFilters: Succeeded, Failed and Started keep index order,
// are nil when no item matches, and fill one exactly sized array.
func TestBatchResultFilters(t *testing.T) {
	boom := errors.New("boom")
	r := durable.BatchResult[int]{Items: []durable.BatchItem[int]{
		{Index: 0, Status: durable.BatchItemSucceeded, Result: 1},
		{Index: 1, Status: durable.BatchItemFailed, Err: boom},
		{Index: 2, Status: durable.BatchItemSucceeded, Result: 3},
		{Index: 3, Status: durable.BatchItemSucceeded, Result: 4},
		{Index: 4, Status: durable.BatchItemSucceeded, Result: 5},
	}}
	ok := r.Succeeded()
	if len(ok) != 4 || cap(ok) != 4 || ok[0].Result != 1 || ok[1].Result != 3 || ok[3].Result != 5 {
		t.Fatalf("Succeeded: %+v (cap %d)", ok, cap(ok))
	}
	if f := r.Failed(); len(f) != 1 || f[0].Index != 1 || f[0].Err != boom {
		t.Fatalf("Failed: %+v", f)
	}
	if s := r.Started(); s != nil {
		t.Fatalf("Started: %+v, want nil", s)
	}
	if n := testing.AllocsPerRun(10, func() { _ = r.Succeeded() }); n != 1 {
		t.Fatalf("Succeeded made %v allocations, want 1", n)
	}
}
