package interop

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Limit is a requirement an SDK cannot satisfy whatever its handler does:
// the SDK's own code stands in the way, as Evidence shows.
type Limit struct {
	Key      string // the requirement, "suite/id"
	Reason   string
	Evidence string // where in the SDK's code, and what that code does
	Line     int    // of the key in the file
}

// LimitsError is a mistake in a limits file, by line.
type LimitsError struct {
	Line int
	Msg  string
}

func (e *LimitsError) Error() string {
	return fmt.Sprintf("interop: known SDK limits, line %d: %s", e.Line, e.Msg)
}

var keyPattern = regexp.MustCompile(`^[a-z_]+/[0-9]+-[0-9]+$`)

// ReadLimits reads a limits file: the requirement alone on a line, then
// indented "reason:" and "evidence:" fields, each continued by further
// indented lines; '#' lines and blank lines are skipped. Every entry needs
// both fields, and a requirement may be listed once.
func ReadLimits(r io.Reader) ([]Limit, error) {
	var (
		limits []Limit
		field  *string
		seen   = map[string]int{}
	)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		text := strings.TrimSpace(line)
		switch {
		case text == "" || strings.HasPrefix(text, "#"):
			continue
		case line[0] != ' ' && line[0] != '\t':
			if !keyPattern.MatchString(text) {
				return nil, &LimitsError{n, fmt.Sprintf("%q is not a requirement (SUITE/ID)", text)}
			}
			if first, dup := seen[text]; dup {
				return nil, &LimitsError{n, fmt.Sprintf("%s is listed twice (first on line %d)", text, first)}
			}
			seen[text] = n
			limits = append(limits, Limit{Key: text, Line: n})
			field = nil
		case len(limits) == 0:
			return nil, &LimitsError{n, "an indented line before the first requirement"}
		default:
			l := &limits[len(limits)-1]
			name, value, ok := strings.Cut(text, ":")
			switch {
			case ok && name == "reason":
				field = &l.Reason
			case ok && name == "evidence":
				field = &l.Evidence
			case field == nil:
				return nil, &LimitsError{n, "want reason: or evidence: before continuation lines"}
			default:
				value = text
			}
			*field = strings.TrimSpace(*field + " " + strings.TrimSpace(value))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("interop: known SDK limits: %w", err)
	}
	for _, l := range limits {
		if l.Reason == "" || l.Evidence == "" {
			return nil, &LimitsError{l.Line, l.Key + " needs both a reason: and an evidence:"}
		}
	}
	return limits, nil
}
