package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	// placeholderRE finds ${NAME} references anywhere in a string.
	placeholderRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	// wholePlaceholderRE is a string that is nothing but one ${NAME}: it binds.
	wholePlaceholderRE = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)
	// regexPlaceholderRE is a string that is nothing but ${/regex/}.
	regexPlaceholderRE = regexp.MustCompile(`(?s)^\$\{/(.*)/\}$`)
)

// isPattern reports whether s is matched by a rule rather than compared literally.
func isPattern(s string) bool {
	return s == "*" || wholePlaceholderRE.MatchString(s) || regexPlaceholderRE.MatchString(s)
}

// Bindings are the placeholder values known during one run: the Variables,
// then every ${NAME} bound while matching the history.
type Bindings map[string]any

// Bind gives every variable of the requirement its value, drawing generated ones
// from rng, and returns the bindings a run starts with.
func (r *Requirement) Bind(rng *rand.Rand) Bindings {
	b := Bindings{}
	for _, v := range r.Variables {
		if v.GenLen > 0 {
			b[v.Name] = genStr(rng, v.GenLen)
		} else {
			b[v.Name] = v.Value
		}
	}
	return b
}

const genAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func genStr(rng *rand.Rand, n int) string {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = genAlphabet[rng.IntN(len(genAlphabet))]
	}
	return string(buf)
}

// InputJSON is the invocation payload: Input with placeholders substituted,
// JSON-encoded; no Input gives null.
func (r *Requirement) InputJSON(b Bindings) ([]byte, error) {
	data, err := json.Marshal(b.Substitute(r.Input))
	if err != nil {
		return nil, fmt.Errorf("conformance: %s: encode Input: %w", r.Key(), err)
	}
	return data, nil
}

// Substitute returns a copy of v in which every string that is exactly a bound
// ${NAME} becomes the bound value, and bound ${NAME} references inside other
// strings are replaced by the value's string form. Unbound references stay.
func (b Bindings) Substitute(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = b.Substitute(x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = b.Substitute(x)
		}
		return l
	case string:
		if m := wholePlaceholderRE.FindStringSubmatch(v); m != nil {
			if bound, ok := b[m[1]]; ok {
				return bound
			}
			return v
		}
		return b.substituteString(v, false)
	}
	return v
}

// substituteString replaces bound ${NAME} references inside s; quote escapes the
// values for use inside a regular expression.
func (b Bindings) substituteString(s string, quote bool) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(ref string) string {
		bound, ok := b[ref[2:len(ref)-1]]
		if !ok {
			return ref
		}
		if quote {
			return regexp.QuoteMeta(stringForm(bound))
		}
		return stringForm(bound)
	})
}

func (b Bindings) clone() Bindings {
	c := make(Bindings, len(b))
	for k, v := range b {
		c[k] = v
	}
	return c
}

// String lists the bindings sorted by name, for reports.
func (b Bindings) String() string {
	names := make([]string, 0, len(b))
	for k := range b {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s=%s", k, renderInline(b[k]))
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}

// undefinedReference returns the first ${NAME} in v that is not in defined.
func undefinedReference(v any, defined map[string]bool) string {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if n := undefinedReference(v[k], defined); n != "" {
				return n
			}
		}
	case []any:
		for _, x := range v {
			if n := undefinedReference(x, defined); n != "" {
				return n
			}
		}
	case string:
		for _, m := range placeholderRE.FindAllStringSubmatch(v, -1) {
			if !defined[m[1]] {
				return m[1]
			}
		}
	}
	return ""
}

// stringForm is the text a ${/regex/} is searched in and the text a ${NAME}
// reference expands to: what Python's str() gives for the same JSON value, so
// patterns written for the official runner behave the same (numbers without a
// trailing ".0" when integral, True/False, None; objects and lists as JSON).
func stringForm(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case json.Number:
		return v.String()
	}
	if f, ok := toFloat(v); ok {
		if f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return strconv.FormatInt(int64(f), 10)
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float32:
		return float64(v), true
	case float64:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}
