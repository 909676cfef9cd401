package conformance_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

func TestLongTextIsCutOnTheConsoleLine(t *testing.T) {
	huge := strings.Repeat("é big description ", 3<<20/19) // about 3 MB, two-byte runes
	cases := []struct {
		name     string
		outcome  conformance.Outcome
		max      int      // bytes the whole line may take
		contains []string // substrings the line must hold
	}{
		{"huge description on PASS", conformance.Outcome{Verdict: conformance.Pass,
			Requirement: &conformance.Requirement{Suite: "s", ID: "1", Description: huge}},
			300, []string{"PASS s/1 é big description é big", "… (cut, " + strconv.Itoa(len(huge)) + " bytes in all)"}},
		{"short description with runs of spaces is kept whole", conformance.Outcome{Verdict: conformance.Pass,
			Requirement: &conformance.Requirement{Suite: "s", ID: "1", Description: "a  short\n description"}},
			100, []string{"PASS s/1 a short description"}},
		{"huge report line on FAIL", conformance.Outcome{Verdict: conformance.Fail, Message: "result differs: expected " + strings.Repeat("x", 1<<20) + "\n  bindings: {}",
			Requirement: &conformance.Requirement{Suite: "s", ID: "1"}},
			1000, []string{"FAIL s/1\n    result differs: expected xxx", "… (cut, 1048601 bytes in all)\n      bindings: {}"}},
		{"huge report on SKIP", conformance.Outcome{Verdict: conformance.Skip, Message: strings.Repeat("line\n", 1<<20),
			Requirement: &conformance.Requirement{Suite: "s", ID: "1"}},
			70 << 10, []string{"SKIP s/1: line\nline\n", "… (report cut, 5242880 bytes in all)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			line := c.outcome.Line()
			if len(line) > c.max {
				t.Errorf("line is %d bytes, want at most %d", len(line), c.max)
			}
			if !utf8.ValidString(line) {
				t.Errorf("line is not valid UTF-8 after cutting")
			}
			for _, want := range c.contains {
				if !strings.Contains(line, want) {
					t.Errorf("line lacks %q:\n%.400s", want, line)
				}
			}
		})
	}
}
