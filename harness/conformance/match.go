package conformance

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable/wire"
)

// Mismatch is the first place where an actual run differs from a requirement.
// Its Error text is the readable report: see [Mismatch.Error].
type Mismatch struct {
	Requirement string // "suite/id"; set by Check
	// EventID is the expected event that differs; 0 for the execution result.
	EventID int
	Line    int    // line of the expected event in the requirement file, if known
	Path    string // where inside the event (or result) they differ, e.g. "StepFailedDetails.RetryDetails"
	Problem string // what differs, e.g. "expected 1, got 2"

	Expected any // the expected event or result
	Actual   any // the actual event (generic JSON value) or result; nil when missing
	// History is the actual history as generic JSON values, for the listing.
	History  []any
	Bindings Bindings // placeholder values known when the mismatch was found
}

// Check matches an execution against a requirement the official way: the
// history first, then the result. b holds the Variables and collects the
// placeholder bindings. It returns every mismatch found (the first differing
// event, then the result), or nil when the run conforms. The error reports a
// history that cannot be converted.
func Check(req *Requirement, exec *Execution, b Bindings) ([]*Mismatch, error) {
	var out []*Mismatch
	hist, err := MatchHistory(req.ExpectedExecutionHistory, exec.History, b)
	if err != nil {
		return nil, err
	}
	if hist != nil {
		out = append(out, hist)
	}
	if res := MatchResult(req.ExpectedResult, exec.Status, exec.Result, b); res != nil {
		out = append(out, res)
	}
	for _, m := range out {
		m.Requirement = req.Key()
	}
	return out, nil
}

// HistoryValues converts history events to generic JSON values (wire format,
// timestamps in epoch seconds), the form the matcher compares against.
func HistoryValues(events []types.Event) ([]any, error) {
	out := make([]any, len(events))
	for i := range events {
		v, err := wire.ToValue(events[i], wire.Seconds)
		if err != nil {
			return nil, fmt.Errorf("conformance: convert history event %d: %w", i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

// MatchHistory looks each expected event up by EventId in actual and matches it
// with the official rules, in the order the requirement lists them. Actual events
// nobody expects are ignored. It returns the first mismatch, or nil.
func MatchHistory(expected []ExpectedEvent, actual []types.Event, b Bindings) (*Mismatch, error) {
	values, err := HistoryValues(actual)
	if err != nil {
		return nil, err
	}
	byID := map[int]any{}
	for i, ev := range actual {
		if ev.EventId != nil {
			if _, dup := byID[int(*ev.EventId)]; !dup {
				byID[int(*ev.EventId)] = values[i]
			}
		}
	}
	for _, exp := range expected {
		act, ok := byID[exp.EventID]
		mm := &Mismatch{EventID: exp.EventID, Line: exp.Line, Expected: exp.Fields, Actual: act, History: values}
		if !ok {
			mm.Problem = fmt.Sprintf("no event with EventId %d: the history has %d events", exp.EventID, len(actual))
			mm.Bindings = b.clone()
			return mm, nil
		}
		if path, problem := matchValue(exp.Fields, act, "", b); problem != "" {
			mm.Path, mm.Problem, mm.Bindings = path, problem, b.clone()
			return mm, nil
		}
	}
	return nil, nil
}

// matchValue applies the value rules to one expected value. It returns the path
// and a description of the first difference, or "" when they match.
func matchValue(exp, act any, path string, b Bindings) (string, string) {
	switch e := exp.(type) {
	case map[string]any:
		if len(e) == 0 {
			return "", "" // {}: any value; the caller already required the key
		}
		am, ok := act.(map[string]any)
		if !ok {
			return path, fmt.Sprintf("expected an object, got %s", renderInline(act))
		}
		for _, k := range orderedKeys(e) {
			sub := join(path, k)
			av, present := am[k]
			if !present {
				return sub, "key missing from the actual event"
			}
			if p, problem := matchValue(e[k], av, sub, b); problem != "" {
				return p, problem
			}
		}
		return "", ""
	case []any:
		al, ok := act.([]any)
		if !ok {
			return path, fmt.Sprintf("expected a list, got %s", renderInline(act))
		}
		if len(al) != len(e) {
			return path, fmt.Sprintf("expected a list of %d, got %d: %s", len(e), len(al), renderInline(act))
		}
		for i := range e {
			if p, problem := matchValue(e[i], al[i], fmt.Sprintf("%s[%d]", path, i), b); problem != "" {
				return p, problem
			}
		}
		return "", ""
	case string:
		return matchString(e, act, path, b)
	}
	if !equal(exp, act) {
		return path, fmt.Sprintf("expected %s, got %s", renderInline(exp), renderInline(act))
	}
	return "", ""
}

func matchString(e string, act any, path string, b Bindings) (string, string) {
	if e == "*" {
		return "", ""
	}
	if m := wholePlaceholderRE.FindStringSubmatch(e); m != nil {
		name := m[1]
		bound, ok := b[name]
		if !ok {
			b[name] = act
			return "", ""
		}
		if !equal(bound, act) {
			return path, fmt.Sprintf("${%s} is bound to %s, got %s", name, renderInline(bound), renderInline(act))
		}
		return "", ""
	}
	if m := regexPlaceholderRE.FindStringSubmatch(e); m != nil {
		src := b.substituteString(m[1], true)
		re, err := regexp.Compile(src)
		if err != nil {
			return path, fmt.Sprintf("bad regular expression /%s/: %v", src, err)
		}
		if s := stringForm(act); !re.MatchString(s) {
			return path, fmt.Sprintf("expected a match of /%s/, got %s", src, renderInline(act))
		}
		return "", ""
	}
	want := b.substituteString(e, false)
	if s, ok := act.(string); !ok || s != want {
		return path, fmt.Sprintf("expected %s, got %s", renderInline(want), renderInline(act))
	}
	return "", ""
}

// MatchResult applies the official Result rule: the status is compared first;
// unless the execution SUCCEEDED nothing else is checked; otherwise, when the
// requirement lists Result, the actual result text is JSON-decoded once (kept as
// text if it is not JSON) and compared structurally with the expected value after
// placeholder substitution. A null expectation accepts a missing or "null" result.
func MatchResult(exp *ExpectedResult, status, result string, b Bindings) *Mismatch {
	if exp == nil {
		return nil
	}
	if status != exp.ExecutionStatus {
		return &Mismatch{Path: "ExecutionStatus", Expected: exp.ExecutionStatus, Actual: status,
			Problem: fmt.Sprintf("status: expected %s, got %s", exp.ExecutionStatus, status), Bindings: b.clone()}
	}
	if status != string(types.ExecutionStatusSucceeded) || !exp.HasResult {
		return nil
	}
	got := DecodeResult(result)
	want := b.Substitute(exp.Result)
	if !equal(want, got) {
		return &Mismatch{Path: "Result", Expected: want, Actual: got,
			Problem: fmt.Sprintf("expected result %s, got %s", renderInline(want), renderInline(got)), Bindings: b.clone()}
	}
	return nil
}

// DecodeResult is the execution result as the official runner sees it: the
// JSON-decoded text, the raw text when it is not JSON, nil when empty.
func DecodeResult(result string) any {
	if result == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(result))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return result
	}
	return v
}

// equal is Python's == on JSON values: numbers by value (1 == 1.0), objects
// regardless of key order, lists element by element.
func equal(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !equal(a[i], bl[i]) {
				return false
			}
		}
		return true
	case string:
		s, ok := b.(string)
		return ok && a == s
	case bool:
		v, ok := b.(bool)
		return ok && a == v
	case nil:
		return b == nil
	}
	return false
}

// keyRank puts the identifying keys of an event first, so reports read naturally
// and bindings happen in the order a reader expects.
var keyRank = map[string]int{"EventType": 1, "SubType": 2, "EventId": 3, "Id": 4, "Name": 5, "ParentId": 6, "EventTimestamp": 7}

func orderedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ra, rb := keyRank[a], keyRank[b]
		switch {
		case ra != 0 && rb != 0:
			return ra - rb
		case ra != 0:
			return -1
		case rb != 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}
