package service

import (
	"testing"
	"time"
)

// TestStampSharesEqualTimes: a run of equal times gets one pointer, a new
// time a pointer of its own, and no handed-out time changes afterwards;
// slabs start small and grow, so an execution on the virtual clock (one
// instant per invocation) allocates little.
func TestStampSharesEqualTimes(t *testing.T) {
	e := &execution{}
	t0 := time.Unix(1796576455, 0).UTC()
	a, b := e.stamp(t0), e.stamp(t0)
	if a != b {
		t.Fatalf("equal times got two pointers")
	}
	if e.timeSlabSize != timeSlabFirstSize {
		t.Fatalf("first slab of %d, want %d", e.timeSlabSize, timeSlabFirstSize)
	}
	var got []*time.Time
	for i := range 3 * timeSlabLastSize {
		got = append(got, e.stamp(t0.Add(time.Duration(i+1)*time.Second)))
	}
	if *a != t0 {
		t.Fatalf("a shared stamp changed to %v", *a)
	}
	seen := map[*time.Time]bool{a: true}
	for i, p := range got {
		if want := t0.Add(time.Duration(i+1) * time.Second); *p != want || seen[p] {
			t.Fatalf("stamp %d: %v (reused %v), want %v on a pointer of its own", i, *p, seen[p], want)
		}
		seen[p] = true
	}
	if e.timeSlabSize != timeSlabLastSize {
		t.Fatalf("slab size %d after %d stamps, want it grown to %d", e.timeSlabSize, len(got)+1, timeSlabLastSize)
	}
}
