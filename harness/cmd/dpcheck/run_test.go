package main

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

// runReport is the --json output of dpcheck run.
type runReport struct {
	Status     string          `json:"status"`
	Result     json.RawMessage `json:"result"`
	Error      json.RawMessage `json:"error"`
	Operations []struct {
		Id       string          `json:"id"`
		ParentId string          `json:"parentId"`
		Name     string          `json:"name"`
		Type     string          `json:"type"`
		SubType  string          `json:"subType"`
		Status   string          `json:"status"`
		Attempts int             `json:"attempts"`
		Result   json.RawMessage `json:"result"`
	} `json:"operations"`
	History []struct {
		EventId   int    `json:"EventId"`
		EventType string `json:"EventType"`
		SubType   string `json:"SubType"`
		Name      string `json:"Name"`
	} `json:"history"`
	Invocations int `json:"invocations"`
}

func runJSON(t *testing.T, input string) (int, runReport, string) {
	t.Helper()
	code, stdout, stderr := cli(t, "run", "calculator", input, "--json")
	return code, decodeReport(t, stdout), stderr
}

// decodeReport reads a run --json output.
func decodeReport(t *testing.T, stdout string) runReport {
	t.Helper()
	// The keys of decisions §5, and no others.
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &top); err != nil {
		t.Fatalf("run --json output is not a JSON object: %v\n%s", err, stdout)
	}
	keys := slices.Sorted(maps.Keys(top))
	if want := []string{"error", "history", "invocations", "operations", "result", "status"}; !slices.Equal(keys, want) {
		t.Errorf("report keys %v, want %v", keys, want)
	}
	var rep runReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("run --json output is not the report: %v\n%s", err, stdout)
	}
	return rep
}

// jsonEqual compares two JSON texts as values.
func jsonEqual(t *testing.T, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestRunJSONSuccess(t *testing.T) {
	t.Parallel()
	code, rep, stderr := runJSON(t, `{"num1":10,"num2":5}`)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	if rep.Status != "SUCCEEDED" {
		t.Errorf("status %q, want SUCCEEDED", rep.Status)
	}
	jsonEqual(t, rep.Result, `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}`)
	jsonEqual(t, rep.Error, `null`)
	if rep.Invocations != 1 {
		t.Errorf("invocations %d, want 1", rep.Invocations)
	}
	if n := len(rep.History); n == 0 || rep.History[0].EventType != "ExecutionStarted" || rep.History[n-1].EventType != "ExecutionSucceeded" {
		t.Fatalf("history does not run from ExecutionStarted to ExecutionSucceeded: %+v", rep.History)
	}
	for i, e := range rep.History {
		if e.EventId != i+1 {
			t.Errorf("history[%d].EventId = %d, want %d", i, e.EventId, i+1)
		}
	}
	// The Parallel, four branch contexts and four steps, all SUCCEEDED.
	if len(rep.Operations) != 9 {
		t.Errorf("%d operations, want 9: %+v", len(rep.Operations), rep.Operations)
	}
	for _, op := range rep.Operations {
		if op.Status != "SUCCEEDED" {
			t.Errorf("operation %s %s/%s is %s, want SUCCEEDED", op.Name, op.Type, op.SubType, op.Status)
		}
		if op.Name == "calculations" {
			jsonEqual(t, op.Result, `{"all":[{"index":0,"status":"SUCCEEDED","result":15},{"index":1,"status":"SUCCEEDED","result":5},{"index":2,"status":"SUCCEEDED","result":50},{"index":3,"status":"SUCCEEDED","result":2}],"completionReason":"ALL_COMPLETED"}`)
		}
	}
}

func TestRunJSONDivisionByZero(t *testing.T) {
	t.Parallel()
	code, rep, stderr := runJSON(t, `{"num1":10,"num2":0}`)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	if rep.Status != "SUCCEEDED" {
		t.Errorf("status %q, want SUCCEEDED", rep.Status)
	}
	jsonEqual(t, rep.Result, `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,`+
		`"results":{"Add":10,"Subtract":10,"Multiply":0},`+
		`"failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}`)
	if rep.Invocations != 1 {
		t.Errorf("invocations %d, want 1", rep.Invocations)
	}
	counts := map[string]int{}
	for _, e := range rep.History {
		if e.Name == "division" && e.SubType == "Step" {
			counts[e.EventType]++
		}
	}
	if want := map[string]int{"StepStarted": 1, "StepFailed": 1}; !reflect.DeepEqual(counts, want) {
		t.Errorf("division step events %v, want %v (no retry)", counts, want)
	}
	if last := rep.History[len(rep.History)-1].EventType; last != "ExecutionSucceeded" {
		t.Errorf("last event %s, want ExecutionSucceeded", last)
	}
}

func TestRunJSONIsDeterministic(t *testing.T) {
	t.Parallel()
	_, first, _ := cli(t, "run", "calculator", `{"num1":10,"num2":0}`, "--json")
	for range 3 {
		if _, again, _ := cli(t, "run", "calculator", `{"num1":10,"num2":0}`, "--json"); again != first {
			t.Fatalf("two runs of the same input differ:\n%s\n----\n%s", first, again)
		}
	}
}

func TestRunText(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cli(t, "run", "calculator", `{"num1":10,"num2":0}`)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	// The sections, in order.
	sections := []string{
		"Operations:\n",
		"\nBatchResults:\n",
		"\nStatus: SUCCEEDED\n",
		"Result: {",
		"\nHistory (21 events, 1 invocations):\n",
	}
	at := 0
	for _, s := range sections {
		i := strings.Index(stdout[at:], s)
		if i < 0 {
			t.Fatalf("text output lacks %q after offset %d:\n%s", s, at, stdout)
		}
		at += i + len(s)
	}
	for _, want := range []string{
		// the tree
		"└── calculations CONTEXT/Parallel SUCCEEDED",
		"division CONTEXT/ParallelBranch FAILED !! StepError: Division by zero is not allowed",
		"division STEP/Step FAILED attempts=1 !! DivisionByZeroError: Division by zero is not allowed",
		"addition STEP/Step SUCCEEDED attempts=1 -> 10",
		// the BatchResult
		"  calculations: ALL_COMPLETED, 3 succeeded, 1 failed, 0 started\n",
		"    [0] SUCCEEDED 10\n",
		"    [1] SUCCEEDED 10\n",
		"    [2] SUCCEEDED 0\n",
		"    [3] FAILED DivisionByZeroError: Division by zero is not allowed (StepError)\n",
		// the result
		`Result: {"error_details":"One or more operations failed","successCount":3,"failureCount":1,`,
		// the history
		"StepFailed            Step division",
		"ContextSucceeded      Parallel calculations",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text output lacks %q", want)
		}
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "ExecutionSucceeded") {
		t.Errorf("last line %q, want the ExecutionSucceeded event", last)
	}
	if t.Failed() {
		t.Logf("output:\n%s", stdout)
	}
}

// The help text says: exit 0 when the execution SUCCEEDED, 1 when it ended
// otherwise. An input the calculator rejects ends the execution FAILED
// (decisions §4), so run exits 1 and still prints the report.
func TestRunFailedExecutionExits1(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ input, message string }{
		{`{"num1":"10"}`, "num1 must be a finite JSON number"},
		{`{"num1":10,"num2":null}`, "num2"},
		{`[1,2]`, ""},
		{`"text"`, ""},
	} {
		t.Run(tc.input, func(t *testing.T) {
			code, rep, stderr := runJSON(t, tc.input)
			if code != 1 {
				t.Errorf("exit %d, want 1 for a FAILED execution", code)
			}
			if stderr != "" {
				t.Errorf("stderr %q, want nothing (the report says why)", stderr)
			}
			if rep.Status != "FAILED" {
				t.Errorf("status %q, want FAILED", rep.Status)
			}
			var e struct{ ErrorType, ErrorMessage string }
			if err := json.Unmarshal(rep.Error, &e); err != nil {
				t.Fatalf("error %s: %v", rep.Error, err)
			}
			if e.ErrorType != "InvalidInputError" || !strings.Contains(e.ErrorMessage, tc.message) {
				t.Errorf("error %+v, want InvalidInputError containing %q", e, tc.message)
			}
			jsonEqual(t, rep.Result, `null`)
			if len(rep.Operations) != 0 {
				t.Errorf("operations %+v, want none (validation precedes any durable operation)", rep.Operations)
			}
			if last := rep.History[len(rep.History)-1].EventType; last != "ExecutionFailed" {
				t.Errorf("last event %s, want ExecutionFailed", last)
			}
		})
	}

	code, stdout, stderr := cli(t, "run", "calculator", `{"num1":"10"}`)
	if code != 1 || stderr != "" {
		t.Errorf("text mode: exit %d, stderr %q; want 1 and nothing", code, stderr)
	}
	for _, want := range []string{"Status: FAILED\n", "Error: InvalidInputError: function: num1 must be a finite JSON number", "ExecutionFailed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		parts []string
	}{
		{"not json", []string{"calculator", "not json"}, []string{"INPUT_JSON is not valid JSON", "invalid character"}},
		{"empty input", []string{"calculator", ""}, []string{"INPUT_JSON is not valid JSON"}},
		{"trailing garbage", []string{"calculator", `{"num1":1} x`}, []string{"INPUT_JSON is not valid JSON"}},
		{"unknown function", []string{"nosuchfunction", "{}"}, []string{`unknown function "nosuchfunction"`, "known: calculator"}},
		{"unknown function and bad json", []string{"nosuchfunction", "not json"}, []string{`unknown function "nosuchfunction"`}},
		{"no arguments", nil, []string{"want FUNCTION and INPUT_JSON, got 0 arguments"}},
		{"one argument", []string{"calculator"}, []string{"got 1 arguments"}},
		{"three arguments", []string{"calculator", "{}", "{}"}, []string{"got 3 arguments"}},
		{"only --json", []string{"--json"}, []string{"got 0 arguments"}},
		{"unknown flag", []string{"calculator", "{}", "--yaml"}, []string{"unknown flag --yaml", "dpcheck run -h"}},
		{"flag with value", []string{"calculator", "{}", "--json=true"}, []string{"unknown flag --json=true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, append([]string{"run"}, tc.args...)...)
			wantUsageError(t, code, stdout, stderr, append([]string{"dpcheck run: "}, tc.parts...)...)
		})
	}
}

func TestRunArgumentForms(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--json", "calculator", `{"num1":10,"num2":5}`},
		{"-json", "calculator", `{"num1":10,"num2":5}`},
		{"calculator", "--json", `{"num1":10,"num2":5}`},
		{"--json", "--", "calculator", `{"num1":10,"num2":5}`},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, append([]string{"run"}, args...)...)
			if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "{") {
				t.Fatalf("exit %d, stderr %q, stdout %.40q; want 0, nothing and a JSON report", code, stderr, stdout)
			}
		})
	}
	// A negative number is an input, not a flag; the calculator rejects it
	// as an event that is not an object.
	code, _, stderr := cli(t, "run", "calculator", "-1")
	if code != 1 || stderr != "" {
		t.Errorf("run calculator -1: exit %d, stderr %q; want 1 (a FAILED execution) and nothing", code, stderr)
	}
}

// The text output says when a step took wall time with updates queued.
func TestRunPrintsTheWallClockHint(t *testing.T) {
	t.Parallel()
	res := &harness.Result{Status: types.ExecutionStatusSucceeded, Invocations: []harness.Invocation{
		{Index: 1, WallStalls: []harness.WallStall{{Step: "slow", Waited: 1500 * time.Millisecond}}},
	}}
	var out strings.Builder
	printText(&out, res, 1)
	if want := "\nHint: " + res.WallClockHint() + "\n"; res.WallClockHint() == "" || !strings.Contains(out.String(), want) {
		t.Errorf("output lacks the hint line %q:\n%s", want, out.String())
	}
}
