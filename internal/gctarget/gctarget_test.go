package gctarget

import (
	"os"
	"runtime/debug"
	"testing"
)

// gcPercent reads the current target (SetGCPercent is the only reader).
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestSetManyExecutionsAndRestore(t *testing.T) {
	t.Setenv("GOGC", "")
	os.Unsetenv("GOGC")
	before := gcPercent()
	restore := SetManyExecutions()
	if got := gcPercent(); got != ManyExecutions {
		t.Errorf("GC target %d after SetManyExecutions, want %d", got, ManyExecutions)
	}
	restore()
	if got := gcPercent(); got != before {
		t.Errorf("GC target %d after restore, want the previous %d", got, before)
	}
}

func TestSetManyExecutionsLeavesAChosenGOGC(t *testing.T) {
	t.Setenv("GOGC", "150")
	before := gcPercent()
	restore := SetManyExecutions()
	defer restore()
	if got := gcPercent(); got != before {
		t.Errorf("GC target %d with GOGC set, want it untouched (%d)", got, before)
	}
}
