package conformance_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

func TestLoadOfficialFiles(t *testing.T) {
	reqs, err := conformance.Load("testdata/official")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range reqs {
		keys = append(keys, r.Key())
	}
	want := "child/3-2 parallel/8-6 plugin/10-1 plugin/10-2 plugin/10-3 plugin/10-4 plugin/10-5 plugin/10-7 plugin/10-8 " +
		"plugin/10-10 plugin/10-11 plugin/10-13 plugin/10-14 plugin/10-15 plugin/10-16 plugin/10-18 plugin/10-19 " +
		"plugin/10-21 plugin/10-22 plugin/10-23 step/1-1 step/1-7 step/1-11 step/1-13 step/1-17 wait/2-4"
	if got := strings.Join(keys, " "); got != want {
		t.Fatalf("keys = %s, want %s (suite order, then natural id order)", got, want)
	}
}

func TestReadStepBasic(t *testing.T) {
	r, err := conformance.ReadFile("testdata/official/step/1-1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r.Suite != "step" || r.ID != "1-1" {
		t.Errorf("suite/id = %s/%s, want step/1-1", r.Suite, r.ID)
	}
	if r.Description != "Step basic (succeeds on first attempt)" {
		t.Errorf("description = %q", r.Description)
	}
	if r.Input != "World" {
		t.Errorf("input = %#v, want World", r.Input)
	}
	if r.ExpectedResult == nil || r.ExpectedResult.ExecutionStatus != "SUCCEEDED" || !r.ExpectedResult.HasResult || r.ExpectedResult.Result != "Hello, World!" {
		t.Errorf("expected result = %+v", r.ExpectedResult)
	}
	if n := len(r.ExpectedExecutionHistory); n != 3 {
		t.Fatalf("%d expected events, want 3", n)
	}
	first := r.ExpectedExecutionHistory[0]
	if first.EventID != 2 || first.Fields["Id"] != "${ID1}" || first.Fields["EventTimestamp"] != "*" {
		t.Errorf("first event = %+v", first)
	}
	if d, ok := first.Fields["StepStartedDetails"].(map[string]any); !ok || len(d) != 0 {
		t.Errorf("StepStartedDetails = %#v, want {}", first.Fields["StepStartedDetails"])
	}
	if first.Line != 13 {
		t.Errorf("line of first event = %d, want 13", first.Line)
	}
	in, err := r.InputJSON(r.Bind(rand.New(rand.NewPCG(1, 2))))
	if err != nil || string(in) != `"World"` {
		t.Errorf("input JSON = %s, %v; want \"World\"", in, err)
	}
}

func TestReadEmptyInputIsNull(t *testing.T) {
	r, err := conformance.ReadFile("testdata/official/step/1-11.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in, err := r.InputJSON(conformance.Bindings{})
	if err != nil || string(in) != "null" {
		t.Errorf("input JSON = %s, %v; want null", in, err)
	}
}

func TestVariablesAreGeneratedFromTheSeed(t *testing.T) {
	r, err := conformance.ReadFile("testdata/official/child/3-2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Variables) != 2 || r.Variables[0].Name != "INPUT_1" || r.Variables[0].GenLen != 8 {
		t.Fatalf("variables = %+v", r.Variables)
	}
	b := r.Bind(rand.New(rand.NewPCG(7, 7)))
	again := r.Bind(rand.New(rand.NewPCG(7, 7)))
	other := r.Bind(rand.New(rand.NewPCG(8, 7)))
	v1, _ := b["INPUT_1"].(string)
	if !regexp.MustCompile(`^[a-z0-9]{8}$`).MatchString(v1) {
		t.Errorf("INPUT_1 = %q, want 8 lowercase alphanumerics", v1)
	}
	if b["INPUT_1"] == b["INPUT_2"] {
		t.Errorf("INPUT_1 and INPUT_2 both %q", v1)
	}
	if again["INPUT_1"] != v1 || again["INPUT_2"] != b["INPUT_2"] {
		t.Errorf("same seed gave %v and %v", b, again)
	}
	if other["INPUT_1"] == v1 {
		t.Errorf("another seed gave the same INPUT_1 %q", v1)
	}
	in, err := r.InputJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"` + v1 + `","value":"` + b["INPUT_2"].(string) + `"}`
	if string(in) != want {
		t.Errorf("input JSON = %s, want %s", in, want)
	}
}

func TestReadAsyncAndLogs(t *testing.T) {
	r, err := conformance.ReadFile("testdata/official/wait/2-4.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !r.AsyncInvoke || r.ExpectedResult != nil {
		t.Errorf("AsyncInvoke = %v, ExpectedResult = %+v; want true, nil", r.AsyncInvoke, r.ExpectedResult)
	}
	r, err = conformance.ReadFile("testdata/official/step/1-7.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Optional || len(r.ExpectedLogs) != 3 {
		t.Fatalf("optional = %v, %d log expectations; want true, 3", r.Optional, len(r.ExpectedLogs))
	}
	le := r.ExpectedLogs[2]
	if le.Match["message"] != `/\[ERROR\]/` || le.Count != 0 || le.MinCount != -1 || le.MaxCount != -1 {
		t.Errorf("third log expectation = %+v", le)
	}
	r, err = conformance.ReadFile("testdata/official/step/1-13.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r.DefaultRetryParameters["MaxAttempts"] != int64(6) {
		t.Errorf("DefaultRetryParameters = %v", r.DefaultRetryParameters)
	}
}

const validTail = `
ExpectedResult:
  ExecutionStatus: SUCCEEDED
`

func TestReaderErrors(t *testing.T) {
	cases := []struct {
		name    string
		yaml    string
		key     string // ReadError.Key
		line    int
		problem string // substring of ReadError.Problem
	}{
		{"unknown top-level key", "description: x\nExpectedResults: {}\n" + validTail, "ExpectedResults", 2, "unknown key"},
		{"description not a string", "description: [a]\n" + validTail, "description", 1, "want a string, got a list"},
		{"optional not a bool", "optional: yes please\n" + validTail, "optional", 1, "want true or false"},
		{"duplicate key", "Input: 1\nInput: 2\n" + validTail, "Input", 2, "given twice"},
		{"EventId missing", "ExpectedExecutionHistory:\n  - EventType: StepStarted\n", "ExpectedExecutionHistory[0].EventId", 2, "required"},
		{"EventId not an integer", "ExpectedExecutionHistory:\n  - EventId: two\n", "ExpectedExecutionHistory[0].EventId", 2, "integer"},
		{"EventId twice", "ExpectedExecutionHistory:\n  - EventId: 2\n  - EventId: 2\n", "ExpectedExecutionHistory[1].EventId", 3, "already used"},
		{"misspelt event key", "ExpectedExecutionHistory:\n  - EventId: 2\n    EventID: 2\n", "ExpectedExecutionHistory[0].EventID", 3, "unknown key: Event has"},
		{"misspelt details key", "ExpectedExecutionHistory:\n  - EventId: 2\n    StepFailedDetails:\n      RetryDetails:\n        CurrentAtempt: 1\n",
			"ExpectedExecutionHistory[0].StepFailedDetails.RetryDetails.CurrentAtempt", 5, "RetryDetails has CurrentAttempt, NextAttemptDelaySeconds"},
		{"mapping where a string goes", "ExpectedExecutionHistory:\n  - EventId: 2\n    Name:\n      x: 1\n", "ExpectedExecutionHistory[0].Name", 4, "not a mapping"},
		{"unknown event type", "ExpectedExecutionHistory:\n  - EventId: 2\n    EventType: StepStart\n", "ExpectedExecutionHistory[0].EventType", 2, `unknown event type "StepStart"`},
		{"bad regex", "ExpectedExecutionHistory:\n  - EventId: 2\n    Name: ${/a(/}\n", "ExpectedExecutionHistory[0].Name", 3, "bad regular expression"},
		{"unknown generator", "Variables:\n  A: ${GEN_INT:3}\n" + validTail, "Variables.A", 2, "unknown generator"},
		{"undefined variable in Input", "Input: ${NOPE}\n" + validTail, "Input", 1, "${NOPE}"},
		{"unknown status", "ExpectedResult:\n  ExecutionStatus: DONE\n", "ExpectedResult.ExecutionStatus", 2, `unknown status "DONE"`},
		{"status missing", "ExpectedResult:\n  Result: 1\n", "ExpectedResult.ExecutionStatus", 2, "missing"},
		{"bad callback operation", "CallbackActions:\n  - CallbackName: '*'\n    Operation: succeed\n" + validTail, "CallbackActions[0].Operation", 3, "success, failure or heartbeat"},
		{"log count negative", "ExpectedLogs:\n  - match: {message: x}\n    count: -1\n" + validTail, "ExpectedLogs[0].count", 3, "negative"},
		{"log match value a mapping", "ExpectedLogs:\n  - match:\n      hook:\n        a: 1\n" + validTail, "ExpectedLogs[0].match.hook", 4, "want a string, number, boolean or null, got a mapping"},
		{"log match bad regex", "ExpectedLogs:\n  - match: {message: '/a(/'}\n" + validTail, "ExpectedLogs[0].match.message", 2, "bad regular expression"},
		{"log anchor not a list", "ExpectedLogs:\n  - match: {message: x}\n    after: {message: y}\n" + validTail, "ExpectedLogs[0].after", 3, "want a list"},
		{"log anchor empty", "ExpectedLogs:\n  - match: {message: x}\n    before: []\n" + validTail, "ExpectedLogs[0].before", 3, "at least one anchor"},
		{"log anchor field a list", "ExpectedLogs:\n  - match: {message: x}\n    after:\n      - {n: [1]}\n" + validTail, "ExpectedLogs[0].after[0].n", 4, "got a list"},
		{"nothing to check", "description: x\n", "", 1, "checks nothing"},
		{"several documents", "---\ndescription: a\n" + validTail + "---\ndescription: b\n" + validTail, "", 6, "2 YAML documents"},
		{"empty file", "", "", 0, "empty file"},
		{"not a mapping", "- a\n- b\n", "", 1, "want a mapping of requirement keys"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := conformance.Parse("suite/x.yaml", "suite", "x", []byte(c.yaml))
			var re *conformance.ReadError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *ReadError", err)
			}
			if re.File != "suite/x.yaml" || re.Key != c.key || re.Line != c.line || !strings.Contains(re.Problem, c.problem) {
				t.Errorf("got file %q key %q line %d problem %q;\nwant key %q line %d problem containing %q", re.File, re.Key, re.Line, re.Problem, c.key, c.line, c.problem)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "conformance: suite/x.yaml") || !strings.Contains(msg, c.key) {
				t.Errorf("message %q does not name the file and key", msg)
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := conformance.ReadFile(filepath.Join(t.TempDir(), "9-9.yaml"))
	var re *conformance.ReadError
	if !errors.As(err, &re) || !strings.Contains(re.Problem, "no such file") {
		t.Fatalf("err = %v, want a ReadError for the missing file", err)
	}
}

func TestLoadRejectsDuplicateKeys(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"a/step", "b/step"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, sub, "1-1.yaml"), []byte(validTail), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := conformance.Load(dir)
	if err == nil || !strings.Contains(err.Error(), "step/1-1 is also defined by") {
		t.Fatalf("err = %v, want a duplicate-requirement error", err)
	}
}

func TestLiteralVariablesAreStringified(t *testing.T) {
	r := parse(t, "Variables:\n  N: 5\n  F: 1.50\n  B: true\n  S: text\nInput: '${N}-${F}-${B}-${S}'\n"+validTail)
	in, err := r.InputJSON(r.Bind(rand.New(rand.NewPCG(1, 1))))
	if err != nil {
		t.Fatal(err)
	}
	if string(in) != `"5-1.5-True-text"` {
		t.Errorf("input = %s, want \"5-1.5-True-text\" (as the official runner's str())", in)
	}
}
