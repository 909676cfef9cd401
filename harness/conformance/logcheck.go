package conformance

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// LogMismatch reports an ExpectedLogs entry that does not hold: its count, or
// one of its before/after anchors.
type LogMismatch struct {
	Index       int // position in ExpectedLogs
	Expectation LogExpectation
	Matched     int
	// Problem says what failed: the count, an anchor that matches nothing,
	// or a record out of order.
	Problem string
	Records []LogRecord // everything the handler logged
}

func (m *LogMismatch) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "ExpectedLogs[%d] (match %s) %s\n", m.Index, renderInline(map[string]any(m.Expectation.Match)), m.Problem)
	fmt.Fprintf(&sb, "  logged (%d records):", len(m.Records))
	for i, r := range m.Records {
		fmt.Fprintf(&sb, "\n    %d: %s", i, logRecordJSON(r))
	}
	return sb.String()
}

func countText(le LogExpectation) string {
	var parts []string
	if le.Count >= 0 {
		parts = append(parts, fmt.Sprintf("exactly %d", le.Count))
	}
	if le.MinCount >= 0 {
		parts = append(parts, fmt.Sprintf("at least %d", le.MinCount))
	}
	if le.MaxCount >= 0 {
		parts = append(parts, fmt.Sprintf("at most %d", le.MaxCount))
	}
	return strings.Join(parts, " and ")
}

// CheckLogs checks each expectation in turn and returns the first that does
// not hold. Its count is over every record whose fields all match; then
// every such record must come after some record matching each `after`
// anchor and before some record matching each `before` anchor, and an
// anchor matching no record fails. Values written '/regex/' are searched
// after ${NAME} substitution (bound values quoted); others are compared with
// their type after substitution.
func CheckLogs(exps []LogExpectation, records []LogRecord, b Bindings) (*LogMismatch, error) {
	for i, le := range exps {
		base := fmt.Sprintf("ExpectedLogs[%d]", i)
		mismatch := func(n int, format string, args ...any) *LogMismatch {
			return &LogMismatch{Index: i, Expectation: le, Matched: n, Problem: fmt.Sprintf(format, args...), Records: records}
		}
		hits, err := matchingRecords(le.Match, records, b, base+".match")
		if err != nil {
			return nil, err
		}
		n := len(hits)
		if (le.Count >= 0 && n != le.Count) || (le.MinCount >= 0 && n < le.MinCount) || (le.MaxCount >= 0 && n > le.MaxCount) {
			return mismatch(n, "wants %s, found %d", countText(le), n), nil
		}
		for _, side := range []struct {
			name    string
			anchors []LogMatch
		}{{"after", le.After}, {"before", le.Before}} {
			for j, anchor := range side.anchors {
				apath := fmt.Sprintf("%s.%s[%d]", base, side.name, j)
				at, err := matchingRecords(anchor, records, b, apath)
				if err != nil {
					return nil, err
				}
				if len(at) == 0 {
					return mismatch(n, "%s[%d] %s matches no record", side.name, j, renderInline(map[string]any(anchor))), nil
				}
				for _, h := range hits {
					// at is in record order: the first anchor record is the
					// earliest, the last the latest.
					if (side.name == "after" && at[0] >= h) || (side.name == "before" && at[len(at)-1] <= h) {
						return mismatch(n, "record %d is not %s any record matching %s[%d] %s (anchor records: %v)",
							h, side.name, side.name, j, renderInline(map[string]any(anchor)), at), nil
					}
				}
			}
		}
	}
	return nil, nil
}

// matchingRecords returns the indexes of the records whose fields all match m.
func matchingRecords(m LogMatch, records []LogRecord, b Bindings, path string) ([]int, error) {
	type matcher func(v any) bool
	fields := make(map[string]matcher, len(m))
	for k, want := range m {
		if s, ok := want.(string); ok {
			if body, ok := logRegex(s); ok {
				re, err := regexp.Compile(b.substituteString(body, true))
				if err != nil {
					return nil, fmt.Errorf("conformance: %s.%s: %w", path, k, err)
				}
				fields[k] = func(v any) bool { return re.MatchString(logText(v)) }
				continue
			}
			want = b.Substitute(s)
		}
		fields[k] = func(v any) bool { return sameLogValue(want, v) }
	}
	var out []int
	for i, r := range records {
		ok := true
		for k, match := range fields {
			v, present := r[k]
			if !present || !match(v) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, i)
		}
	}
	return out, nil
}

// logRegex returns the body of a value written '/regex/'.
func logRegex(s string) (string, bool) {
	if len(s) >= 2 && strings.HasPrefix(s, "/") && strings.HasSuffix(s, "/") {
		return s[1 : len(s)-1], true
	}
	return "", false
}

// logText is the text a /regex/ searches: a string as it is, any other
// value as its JSON text (true, 42, null).
func logText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

// sameLogValue compares an expected scalar with a record's value by JSON
// type: strings, booleans and null only equal their own kind, and numbers
// equal numbers of the same value whatever their Go type (1 equals 1.0).
func sameLogValue(want, got any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case string:
		g, ok := got.(string)
		return ok && g == w
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	}
	wr, ok := logNumber(want)
	if !ok {
		return false
	}
	gr, ok := logNumber(got)
	return ok && wr.Cmp(gr) == 0
}

// logNumber is v as an exact rational when v is a number.
func logNumber(v any) (*big.Rat, bool) {
	r := new(big.Rat)
	switch v := v.(type) {
	case json.Number:
		return r.SetString(v.String())
	case int64:
		return r.SetInt64(v), true
	case uint64:
		return r.SetUint64(v), true
	case int:
		return r.SetInt64(int64(v)), true
	case float64:
		if r.SetFloat64(v) == nil {
			return nil, false
		}
		return r, true
	}
	return nil, false
}
