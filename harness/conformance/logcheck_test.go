package conformance_test

import (
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// logExpectations reads an ExpectedLogs section the way a requirement file
// gives it.
func logExpectations(t *testing.T, section string) []conformance.LogExpectation {
	t.Helper()
	r, err := conformance.Parse("suite/x.yaml", "suite", "x", []byte("ExpectedResult: {ExecutionStatus: SUCCEEDED}\nExpectedLogs:\n"+section))
	if err != nil {
		t.Fatal(err)
	}
	return r.ExpectedLogs
}

func logLines(lines ...string) []conformance.LogRecord {
	var out []conformance.LogRecord
	for _, l := range lines {
		if rec, ok := conformance.ParseLogLine(l); ok {
			out = append(out, rec)
		}
	}
	return out
}

// A match value keeps its YAML type: a boolean, number or null only equals a
// JSON value of that type, a string only a string.
func TestLogMatchComparesByType(t *testing.T) {
	for _, tc := range []struct {
		name, match, line string
		want              bool
	}{
		{"bool equals bool", "first: true", `{"first":true}`, true},
		{"bool is not the string", "first: true", `{"first":"true"}`, false},
		{"string is not the bool", "first: 'true'", `{"first":true}`, false},
		{"string equals string", "first: 'true'", `{"first":"true"}`, true},
		{"false is not true", "first: false", `{"first":true}`, false},
		{"int equals number", "n: 2", `{"n":2}`, true},
		{"int equals the same float", "n: 2", `{"n":2.0}`, true},
		{"int is not another number", "n: 2", `{"n":3}`, false},
		{"int is not the string", "n: 2", `{"n":"2"}`, false},
		{"quoted number is not the number", "n: '2'", `{"n":2}`, false},
		{"float equals number", "n: 0.5", `{"n":5e-1}`, true},
		{"null equals null", "k: null", `{"k":null}`, true},
		{"null is not the string", "k: null", `{"k":"null"}`, false},
		{"null is not absent", "k: null", `{"other":1}`, false},
		{"regex searches a number's text", `n: '/^\d+$/'`, `{"n":12}`, true},
		{"regex searches a bool's text", "ok: '/^true$/'", `{"ok":true}`, true},
		{"nested field", "ctx.id: a", `{"ctx":{"id":"a"}}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exps := logExpectations(t, "  - match: {"+tc.match+"}\n    count: 1\n")
			lm, err := conformance.CheckLogs(exps, logLines(tc.line), conformance.Bindings{})
			if err != nil {
				t.Fatal(err)
			}
			if got := lm == nil; got != tc.want {
				t.Errorf("match {%s} on %s: matched %v, want %v (%v)", tc.match, tc.line, got, tc.want, lm)
			}
		})
	}
}

// before/after anchors are checked: a counted record must follow (precede) a
// record the anchor matches, and an anchor matching nothing fails.
func TestLogAnchors(t *testing.T) {
	const section = `  - match: {hook: end}
    count: 1
    after:
      - {hook: start, first: true}
    before:
      - {hook: flush}
`
	start := `{"hook":"start","first":true}`
	end := `{"hook":"end","status":"SUCCEEDED"}`
	flush := `{"hook":"flush"}`
	for _, tc := range []struct {
		name    string
		lines   []string
		problem string // "" when the expectation holds
	}{
		{"in order", []string{start, end, flush}, ""},
		{"end before its after anchor", []string{end, start, flush}, "record 0 is not after any record matching after[0]"},
		{"end after its before anchor", []string{start, flush, end}, "record 2 is not before any record matching before[0]"},
		{"after anchor matches nothing", []string{`{"hook":"start","first":"true"}`, end, flush}, `after[0] {"first":true,"hook":"start"} matches no record`},
		{"before anchor matches nothing", []string{start, end}, `before[0] {"hook":"flush"} matches no record`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lm, err := conformance.CheckLogs(logExpectations(t, section), logLines(tc.lines...), conformance.Bindings{})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.problem == "" && lm != nil:
				t.Errorf("want no mismatch, got %v", lm)
			case tc.problem != "" && (lm == nil || !strings.Contains(lm.Error(), tc.problem)):
				t.Errorf("want a mismatch containing %q, got %v", tc.problem, lm)
			}
		})
	}
}

// A failure report prints every logged record whole, as JSON.
func TestLogMismatchPrintsRecordsWhole(t *testing.T) {
	exps := logExpectations(t, "  - match: {hook: end}\n    count: 1\n")
	lm, err := conformance.CheckLogs(exps, logLines(`{"plugin":"CONFPLUGIN","hook":"start","first":true,"n":2}`, "plain <text>"), conformance.Bindings{})
	if err != nil {
		t.Fatal(err)
	}
	if lm == nil {
		t.Fatal("want a mismatch")
	}
	msg := lm.Error()
	for _, want := range []string{
		`ExpectedLogs[0] (match {"hook":"end"}) wants exactly 1, found 0`,
		`0: {"first":true,"hook":"start","n":2,"plugin":"CONFPLUGIN"}`,
		`1: {"message":"plain <text>"}`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q:\n%s", want, msg)
		}
	}
}

// The official plugin requirement 10.1 reads, and its ExpectedLogs hold for
// the records an SDK's plugin writes in the right order and fail out of order.
func TestPluginRequirementLogs(t *testing.T) {
	req := readReq(t, "testdata/official/plugin/10-1.yaml")
	b := conformance.Bindings{"INPUT_1": "abc"}
	start := `{"plugin":"CONFPLUGIN","hook":"invocation-start","first":true,"durableExecutionArn":"arn:x"}`
	step := `{"level":"INFO","message":"Greeting step running for: abc"}`
	end := `{"plugin":"CONFPLUGIN","hook":"invocation-end","status":"SUCCEEDED","durableExecutionArn":"arn:x"}`
	if lm, err := conformance.CheckLogs(req.ExpectedLogs, logLines(start, step, end), b); err != nil || lm != nil {
		t.Fatalf("in order: %v %v", lm, err)
	}
	lm, err := conformance.CheckLogs(req.ExpectedLogs, logLines(start, end, step), b)
	if err != nil {
		t.Fatal(err)
	}
	if lm == nil || lm.Index != 2 || !strings.Contains(lm.Error(), "is not after any record matching after[0]") {
		t.Errorf("end before the step line: %v", lm)
	}
	stringly := strings.Replace(start, `"first":true`, `"first":"true"`, 1)
	if lm, _ := conformance.CheckLogs(req.ExpectedLogs, logLines(stringly, step, end), b); lm == nil || lm.Index != 0 {
		t.Errorf(`"first":"true" must not satisfy first: true: %v`, lm)
	}
}
