package main

import (
	"strings"
	"testing"
)

// dpcheck run prints a Map's BatchResult like a Parallel's: the reason and
// counts, then one line per started iteration, and runs the fixture
// handlers by their function names.
func TestRunPrintsMapBatchResult(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cli(t, "run", "map--retry-min-successful", `["a","b","c","d"]`)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	want := "\nBatchResults:\n" +
		"  fetch: MIN_SUCCESSFUL_REACHED, 2 succeeded, 1 failed, 0 started\n" +
		"    [0] SUCCEEDED \"A\"\n" +
		"    [1] FAILED PermanentError: b always fails (StepError)\n" +
		"    [2] SUCCEEDED \"C\"\n\n"
	if !strings.Contains(stdout, want) {
		t.Fatalf("output lacks the Map's BatchResult %q:\n%s", want, stdout)
	}
	if !strings.Contains(stdout, "fetch-c CONTEXT/MapIteration SUCCEEDED") || strings.Contains(stdout, "fetch-d") {
		t.Errorf("the tree should show fetch-c and no fetch-d:\n%s", stdout)
	}
}
