package main

import (
	"io"
	"os"
	"runtime/debug"
	"testing"

	"github.com/dpcheck/dpcheck/internal/gctarget"
)

// gcPercent reads the current target (SetGCPercent is the only reader).
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// unsetEnv removes name for the test and puts it back after.
func unsetEnv(t *testing.T, name string) {
	t.Setenv(name, "")
	os.Unsetenv(name)
}

func TestManyExecutionVerbsRaiseTheGCTarget(t *testing.T) {
	for _, name := range []string{"conform", "sweep"} {
		if !verbs[name].manyExecutions {
			t.Errorf("verb %s does not raise the GC target", name)
		}
	}
	unsetEnv(t, "GOGC")
	before := gcPercent()
	during := map[string]int{}
	verbs["test-many"] = verb{manyExecutions: true, run: func([]string, io.Writer, io.Writer) int { during["test-many"] = gcPercent(); return 0 }}
	verbs["test-one"] = verb{run: func([]string, io.Writer, io.Writer) int { during["test-one"] = gcPercent(); return 0 }}
	t.Cleanup(func() { delete(verbs, "test-many"); delete(verbs, "test-one") })
	for _, name := range []string{"test-many", "test-one"} {
		dispatch([]string{name}, io.Discard, io.Discard)
		if got := gcPercent(); got != before {
			t.Errorf("%s: GC target %d after the verb, want the previous %d back", name, got, before)
		}
	}
	if during["test-many"] != gctarget.ManyExecutions || during["test-one"] != before {
		t.Errorf("GC target during the verbs %v, want %d for a many-execution verb and %d for another", during, gctarget.ManyExecutions, before)
	}
}
