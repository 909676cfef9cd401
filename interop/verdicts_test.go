package interop_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/interop"
)

// limitsFile lists the official JS SDK's known limits.
const limitsFile = "js/known-sdk-limits.txt"

// Environment of TestJSConformance, set by `make interop`: conform's
// console report of the run and the requirement folders it was given
// (colon-separated, relative to the repository root).
const (
	reportEnv       = "DPCHECK_INTEROP_CONFORM_REPORT"
	requirementsEnv = "DPCHECK_INTEROP_REQUIREMENTS"
)

func readLimitsFile(t *testing.T) []interop.Limit {
	t.Helper()
	f, err := os.Open(limitsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	limits, err := interop.ReadLimits(f)
	if err != nil {
		t.Fatal(err)
	}
	return limits
}

// Every listed limit names a requirement file of the repository and gives
// the SDK code it rests on.
func TestKnownLimitsFile(t *testing.T) {
	for _, l := range readLimitsFile(t) {
		suite, id, _ := strings.Cut(l.Key, "/")
		found := false
		for _, dir := range []string{"../harness/conformance/suites/testdata", "../harness/conformance/testdata/official"} {
			if _, err := os.Stat(filepath.Join(dir, suite, id+".yaml")); err == nil {
				found = true
			}
		}
		if !found {
			t.Errorf("%s (line %d): no requirement file in the repository", l.Key, l.Line)
		}
		if !strings.Contains(l.Evidence, "dist-") {
			t.Errorf("%s: the evidence names no file of the SDK's package: %q", l.Key, l.Evidence)
		}
	}
}

func TestReadLimits(t *testing.T) {
	limits, err := interop.ReadLimits(strings.NewReader(`# a comment

plugin/10-19
  reason: first part
    and more
  evidence: dist-cjs/index.js does X
step/1-2
	reason: r
	evidence: e
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []interop.Limit{
		{Key: "plugin/10-19", Reason: "first part and more", Evidence: "dist-cjs/index.js does X", Line: 3},
		{Key: "step/1-2", Reason: "r", Evidence: "e", Line: 7},
	}
	if !slices.Equal(limits, want) {
		t.Fatalf("got %+v\nwant %+v", limits, want)
	}
}

func TestReadLimitsRefusesMistakes(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"not a key":         {"plugin 10-19\n", `line 1: "plugin 10-19" is not a requirement`},
		"twice":             {"step/1-1\n  reason: r\n  evidence: e\nstep/1-1\n", "line 4: step/1-1 is listed twice (first on line 1)"},
		"no evidence":       {"step/1-1\n  reason: r\n", "line 1: step/1-1 needs both a reason: and an evidence:"},
		"no reason":         {"step/1-1\n  evidence: e\n", "line 1: step/1-1 needs both"},
		"orphan field":      {"  reason: r\n", "line 1: an indented line before the first requirement"},
		"continuation only": {"step/1-1\n  more text\n", "line 2: want reason: or evidence: before continuation lines"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := interop.ReadLimits(strings.NewReader(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

const sampleReport = `PASS step/1-1 Step basic (succeeds on first attempt)
FAIL step/1-2 Step with name
    event 2 (StepStarted, line 18) differs at Name
    PASS step/9-9 an indented line is report text, not a verdict
FAIL (optional) step/1-7 Step with context logger
    ExpectedLogs[0] wants exactly 1, found 0
SKIP step/1-17 Step crashes: the handler ends its process with Tools.Crash
seed 7 (rerun with --seed 7)
1 passed, 2 failed, 1 skipped
`

func TestReadConformReport(t *testing.T) {
	got, err := interop.ReadConformReport(strings.NewReader(sampleReport))
	if err != nil {
		t.Fatal(err)
	}
	want := interop.Verdicts{"step/1-1": "PASS", "step/1-2": "FAIL", "step/1-7": "FAIL", "step/1-17": "SKIP"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if _, err := interop.ReadConformReport(strings.NewReader("PASS step/1-1\nFAIL step/1-1\n")); err == nil {
		t.Error("a requirement reported twice was accepted")
	}
}

func TestJudge(t *testing.T) {
	limit := func(key string) interop.Limit { return interop.Limit{Key: key, Reason: "r", Evidence: "e", Line: 1} }
	want := []string{"s/1-1", "s/1-2", "s/1-3", "s/1-4", "s/1-5", "s/1-6"}
	got := interop.Verdicts{"s/1-1": "PASS", "s/1-2": "FAIL", "s/1-3": "FAIL", "s/1-4": "SKIP", "s/1-6": "PASS"}
	j := interop.Judge(want, got, []interop.Limit{limit("s/1-2"), limit("s/1-6"), limit("s/9-9")})
	if len(j.Known) != 1 || j.Known[0].Key != "s/1-2" {
		t.Errorf("known limits: got %+v, want s/1-2 only", j.Known)
	}
	wantProblems := []string{
		"s/1-3: failed and is not a listed SDK limit",
		"s/1-4: skipped; nothing may be skipped",
		"s/1-5: no verdict (it did not run)",
		"s/1-6: passed but is listed as an SDK limit: remove it from the list",
		"s/9-9 (limits line 1): not one of the requirements run",
	}
	if !slices.Equal(j.Problems, wantProblems) {
		t.Errorf("problems:\n got %q\nwant %q", j.Problems, wantProblems)
	}
	if clean := interop.Judge([]string{"s/1-1"}, interop.Verdicts{"s/1-1": "PASS"}, nil); len(clean.Problems)+len(clean.Known) != 0 {
		t.Errorf("a passing run: got %+v", clean)
	}
}

// TestJSConformance judges the run `make interop` made of every official
// requirement against the JavaScript handlers: each passes, or fails and
// is a listed SDK limit.
func TestJSConformance(t *testing.T) {
	report, dirs := os.Getenv(reportEnv), os.Getenv(requirementsEnv)
	if report == "" || dirs == "" {
		t.Skipf("%s and %s are not set: make interop runs conform and sets them", reportEnv, requirementsEnv)
	}
	var paths []string
	for _, d := range strings.Split(dirs, ":") {
		paths = append(paths, filepath.Join("..", d))
	}
	reqs, err := conformance.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range reqs {
		want = append(want, r.Key())
	}
	f, err := os.Open(report)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := interop.ReadConformReport(f)
	if err != nil {
		t.Fatal(err)
	}
	j := interop.Judge(want, got, readLimitsFile(t))
	for _, l := range j.Known {
		t.Logf("known SDK limit %s: %s (evidence: %s)", l.Key, l.Reason, l.Evidence)
	}
	for _, p := range j.Problems {
		t.Error(p)
	}
	t.Logf("%d requirements: %d passed, %d known SDK limits, %d problems", len(want), len(want)-len(j.Known)-len(j.Problems), len(j.Known), len(j.Problems))
}
