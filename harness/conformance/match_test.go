package conformance_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

func parse(t *testing.T, src string) *conformance.Requirement {
	t.Helper()
	r, err := conformance.Parse("test/x.yaml", "test", "x", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// history wraps one expected event in a requirement.
func history(event string) string {
	return "ExpectedExecutionHistory:\n  - " + strings.ReplaceAll(strings.TrimSpace(event), "\n", "\n    ") + "\n"
}

func matchOne(t *testing.T, expected string, b conformance.Bindings, actual ...types.Event) *conformance.Mismatch {
	t.Helper()
	r := parse(t, history(expected))
	if b == nil {
		b = conformance.Bindings{}
	}
	mm, err := conformance.MatchHistory(r.ExpectedExecutionHistory, actual, b)
	if err != nil {
		t.Fatal(err)
	}
	return mm
}

func TestOfficialRetryRequirementMatches(t *testing.T) {
	r, err := conformance.ReadFile("testdata/official/step/1-11.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := r.Bind(rand.New(rand.NewPCG(1, 1)))
	exec := &conformance.Execution{Status: "SUCCEEDED", Result: `"Operation succeeded"`, History: retryHistory()}
	mms, err := conformance.Check(r, exec, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(mms) != 0 {
		t.Fatalf("mismatches:\n%v", mms[0])
	}
	if b["ID1"] != "op-1" {
		t.Errorf("ID1 bound to %v, want op-1", b["ID1"])
	}
}

func TestEventsAreLookedUpByEventId(t *testing.T) {
	r, err := conformance.ReadFile("testdata/official/step/1-11.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := retryHistory()
	rand.New(rand.NewPCG(3, 3)).Shuffle(len(h), func(i, j int) { h[i], h[j] = h[j], h[i] })
	mm, err := conformance.MatchHistory(r.ExpectedExecutionHistory, h, conformance.Bindings{})
	if err != nil || mm != nil {
		t.Fatalf("shuffled history: mismatch %v, err %v", mm, err)
	}
}

func TestMissingEventId(t *testing.T) {
	mm := matchOne(t, "EventId: 9\nEventType: StepStarted", nil, retryHistory()...)
	if mm == nil || mm.EventID != 9 || !strings.Contains(mm.Problem, "no event with EventId 9: the history has 8 events") {
		t.Fatalf("mismatch = %v", mm)
	}
}

func TestValueRules(t *testing.T) {
	started := stepStarted(2, "op-1")
	failed := stepFailed(2, "op-1", "TransientError", 1, 3)
	named := event(2, types.EventTypeStepSucceeded, op("op-1", "Step", "greet"), func(e *types.Event) {
		e.StepSucceededDetails = &types.StepSucceededDetails{Result: &types.EventResult{Payload: aws.String(`{"k": "v"}`)}}
	})
	cases := []struct {
		name     string
		expected string
		bindings conformance.Bindings
		actual   types.Event
		path     string // "" means the event matches
		problem  string
	}{
		{"{} requires the key", "EventId: 2\nStepFailedDetails: {}", nil, started, "StepFailedDetails", "key missing from the actual event"},
		{"{} matches an empty object", "EventId: 2\nStepStartedDetails: {}", nil, started, "", ""},
		{"{} matches a full object", "EventId: 2\nStepFailedDetails:\n  Error: {}\n  RetryDetails: {}", nil, failed, "", ""},
		{"* requires the key", "EventId: 2\nName: '*'", nil, started, "Name", "key missing from the actual event"},
		{"* matches any value", "EventId: 2\nName: '*'\nEventTimestamp: '*'", nil, named, "", ""},
		{"literal string", "EventId: 2\nName: greet", nil, named, "", ""},
		{"literal string differs", "EventId: 2\nName: greeting", nil, named, "Name", `expected "greeting", got "greet"`},
		{"literal number", "EventId: 2\nStepFailedDetails:\n  RetryDetails:\n    CurrentAttempt: 1", nil, failed, "", ""},
		{"number differs", "EventId: 2\nStepFailedDetails:\n  RetryDetails:\n    CurrentAttempt: 2", nil, failed,
			"StepFailedDetails.RetryDetails.CurrentAttempt", "expected 2, got 1"},
		{"a quoted number is a string", "EventId: 2\nStepFailedDetails:\n  RetryDetails:\n    CurrentAttempt: '1'", nil, failed,
			"StepFailedDetails.RetryDetails.CurrentAttempt", `expected "1", got 1`},
		{"regex on a string", "EventId: 2\nStepFailedDetails:\n  Error:\n    Payload:\n      ErrorType: ${/.*TransientError$/}", nil, failed, "", ""},
		{"regex on a number", "EventId: 2\nStepFailedDetails:\n  RetryDetails:\n    NextAttemptDelaySeconds: ${/^[0-5]$/}", nil, failed, "", ""},
		{"regex on a number fails", "EventId: 2\nStepFailedDetails:\n  RetryDetails:\n    NextAttemptDelaySeconds: ${/^[4-9]$/}", nil, failed,
			"StepFailedDetails.RetryDetails.NextAttemptDelaySeconds", "expected a match of /^[4-9]$/, got 3"},
		{"regex is a search", "EventId: 2\nName: ${/ree/}", nil, named, "", ""},
		{"regex with a bound variable", "EventId: 2\nName: ${/^${V}t$/}", conformance.Bindings{"V": "gree"}, named, "", ""},
		{"list element by element", "EventId: 2\nStepFailedDetails:\n  Error:\n    Payload:\n      StackTrace: [frame a, '*']", nil, failed, "", ""},
		{"list element differs", "EventId: 2\nStepFailedDetails:\n  Error:\n    Payload:\n      StackTrace: [frame a, frame c]", nil, failed,
			"StepFailedDetails.Error.Payload.StackTrace[1]", `expected "frame c", got "frame b"`},
		{"list length differs", "EventId: 2\nStepFailedDetails:\n  Error:\n    Payload:\n      StackTrace: [frame a]", nil, failed,
			"StepFailedDetails.Error.Payload.StackTrace", `expected a list of 1, got 2: ["frame a","frame b"]`},
		{"variable bound beforehand", "EventId: 2\nName: ${INPUT_1}", conformance.Bindings{"INPUT_1": "greet"}, named, "", ""},
		{"variable bound beforehand differs", "EventId: 2\nName: ${INPUT_1}", conformance.Bindings{"INPUT_1": "hello"}, named,
			"Name", `${INPUT_1} is bound to "hello", got "greet"`},
		{"variable inside a string", "EventId: 2\nName: g${X}t", conformance.Bindings{"X": "ree"}, named, "", ""},
		{"unbound reference inside a string stays literal", "EventId: 2\nName: g${X}t", nil, named, "Name", `expected "g${X}t", got "greet"`},
		{"payload compared as exact text", "EventId: 2\nStepSucceededDetails:\n  Result:\n    Payload: '{\"k\":\"v\"}'", nil, named,
			"StepSucceededDetails.Result.Payload", `expected "{\"k\":\"v\"}", got "{\"k\": \"v\"}"`},
		{"payload exact text matches", "EventId: 2\nStepSucceededDetails:\n  Result:\n    Payload: '{\"k\": \"v\"}'", nil, named, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mm := matchOne(t, c.expected, c.bindings, c.actual)
			switch {
			case c.path == "" && mm != nil:
				t.Fatalf("unexpected mismatch:\n%v", mm)
			case c.path != "" && mm == nil:
				t.Fatalf("matched; want a mismatch at %s", c.path)
			case c.path != "" && (mm.Path != c.path || mm.Problem != c.problem):
				t.Fatalf("mismatch at %s: %s\nwant at %s: %s", mm.Path, mm.Problem, c.path, c.problem)
			}
		})
	}
}

func TestPlaceholderBindsOnFirstSightThenMustAgree(t *testing.T) {
	r := parse(t, `ExpectedExecutionHistory:
  - EventId: 2
    Id: ${ID1}
  - EventId: 3
    Id: ${ID1}
  - EventId: 5
    Id: ${ID1}
`)
	h := retryHistory()
	h[4].Id = aws.String("op-2") // EventId 5: a different operation
	b := conformance.Bindings{}
	mm, err := conformance.MatchHistory(r.ExpectedExecutionHistory, h, b)
	if err != nil {
		t.Fatal(err)
	}
	if mm == nil || mm.EventID != 5 || mm.Path != "Id" || mm.Problem != `${ID1} is bound to "op-1", got "op-2"` {
		t.Fatalf("mismatch = %+v", mm)
	}
	if mm.Bindings["ID1"] != "op-1" {
		t.Errorf("bindings in the report = %v", mm.Bindings)
	}
}

func TestParentIdBindsToTheParentsId(t *testing.T) {
	r := parse(t, `ExpectedExecutionHistory:
  - EventId: 2
    Id: ${CTX1}
  - EventId: 3
    Id: ${STEP1}
    ParentId: ${CTX1}
`)
	ctx := event(2, types.EventTypeContextStarted, op("ctx", "RunInChildContext", ""))
	good := event(3, types.EventTypeStepStarted, op("s", "Step", ""), parent("ctx"))
	bad := event(3, types.EventTypeStepStarted, op("s", "Step", ""), parent("elsewhere"))
	if mm, _ := conformance.MatchHistory(r.ExpectedExecutionHistory, []types.Event{ctx, good}, conformance.Bindings{}); mm != nil {
		t.Fatalf("mismatch: %v", mm)
	}
	mm, _ := conformance.MatchHistory(r.ExpectedExecutionHistory, []types.Event{ctx, bad}, conformance.Bindings{})
	if mm == nil || mm.EventID != 3 || mm.Path != "ParentId" {
		t.Fatalf("mismatch = %v, want one at event 3 ParentId", mm)
	}
}

func TestResultRule(t *testing.T) {
	cases := []struct {
		name     string
		expected string
		bindings conformance.Bindings
		status   string
		result   string
		problem  string // "" means it matches
	}{
		{"status first", "ExecutionStatus: SUCCEEDED\nResult: x", nil, "FAILED", "", "status: expected SUCCEEDED, got FAILED"},
		{"not SUCCEEDED checks the status only", "ExecutionStatus: FAILED\nResult: something else", nil, "FAILED", `"x"`, ""},
		{"no Result key checks the status only", "ExecutionStatus: SUCCEEDED", nil, "SUCCEEDED", `"anything"`, ""},
		{"string result is JSON-decoded", "ExecutionStatus: SUCCEEDED\nResult: Hello, World!", nil, "SUCCEEDED", `"Hello, World!"`, ""},
		{"string differs", "ExecutionStatus: SUCCEEDED\nResult: Hello", nil, "SUCCEEDED", `"Hello, World!"`, `expected result "Hello", got "Hello, World!"`},
		{"object ignores key order", "ExecutionStatus: SUCCEEDED\nResult:\n  b: [1, 2]\n  a: {c: true}", nil, "SUCCEEDED", `{"a":{"c":true},"b":[1,2]}`, ""},
		{"object with an extra key differs", "ExecutionStatus: SUCCEEDED\nResult:\n  a: 1", nil, "SUCCEEDED", `{"a":1,"b":2}`, `expected result {"a":1}, got {"a":1,"b":2}`},
		{"numbers by value", "ExecutionStatus: SUCCEEDED\nResult: [42, 2.5]", nil, "SUCCEEDED", `[42.0, 2.5]`, ""},
		{"list order matters", "ExecutionStatus: SUCCEEDED\nResult: [b0, b1]", nil, "SUCCEEDED", `["b1","b0"]`, `expected result ["b0","b1"], got ["b1","b0"]`},
		{"wildcards are literal here", "ExecutionStatus: SUCCEEDED\nResult: '*'", nil, "SUCCEEDED", `"x"`, `expected result "*", got "x"`},
		{"null equals a missing result", "ExecutionStatus: SUCCEEDED\nResult:", nil, "SUCCEEDED", "", ""},
		{"null equals a null result", "ExecutionStatus: SUCCEEDED\nResult: null", nil, "SUCCEEDED", "null", ""},
		{"null differs from a value", "ExecutionStatus: SUCCEEDED\nResult:", nil, "SUCCEEDED", `"x"`, `expected result null, got "x"`},
		{"non-JSON text is compared raw", "ExecutionStatus: SUCCEEDED\nResult: not json", nil, "SUCCEEDED", "not json", ""},
		{"placeholders substituted", "ExecutionStatus: SUCCEEDED\nResult:\n  greeting: Hello, ${INPUT_1}!\n  raw: ${INPUT_1}", conformance.Bindings{"INPUT_1": "abc"},
			"SUCCEEDED", `{"greeting":"Hello, abc!","raw":"abc"}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := parse(t, "ExpectedResult:\n  "+strings.ReplaceAll(c.expected, "\n", "\n  ")+"\n")
			b := c.bindings
			if b == nil {
				b = conformance.Bindings{}
			}
			mm := conformance.MatchResult(r.ExpectedResult, c.status, c.result, b)
			switch {
			case c.problem == "" && mm != nil:
				t.Fatalf("unexpected mismatch: %v", mm)
			case c.problem != "" && (mm == nil || mm.Problem != c.problem):
				t.Fatalf("mismatch = %v\nwant problem %s", mm, c.problem)
			}
		})
	}
}
