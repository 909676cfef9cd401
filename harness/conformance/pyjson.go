package conformance

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pythonJSON encodes a YAML value the way Python's json.dumps does with its
// defaults, which is how the official runner turns a success action's
// Payload into the callback's body: ", " and ": " separators, non-ASCII
// escaped as \uXXXX, floats in repr form (1.0, 1e+16). The requirements
// compare that body as an exact string (wait_for_callback/7-11 expects
// '{"status": "approved"}'). Mapping keys come out sorted: the YAML reader
// does not keep their order.
func pythonJSON(v any) (string, error) {
	var sb strings.Builder
	if err := writePython(&sb, v); err != nil {
		return "", err
	}
	return sb.String(), nil
}

func writePython(sb *strings.Builder, v any) error {
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case bool:
		sb.WriteString(strconv.FormatBool(x))
	case int64:
		sb.WriteString(strconv.FormatInt(x, 10))
	case int:
		sb.WriteString(strconv.Itoa(x))
	case float64:
		s, err := pythonFloat(x)
		if err != nil {
			return err
		}
		sb.WriteString(s)
	case string:
		writePythonString(sb, x)
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteString(", ")
			}
			if err := writePython(sb, e); err != nil {
				return err
			}
		}
		sb.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteString(", ")
			}
			writePythonString(sb, k)
			sb.WriteString(": ")
			if err := writePython(sb, x[k]); err != nil {
				return err
			}
		}
		sb.WriteByte('}')
	default:
		return fmt.Errorf("conformance: a %T cannot be a callback payload", v)
	}
	return nil
}

// pythonFloat is Python's repr of a float: the shortest digits that read
// back, positional from 1e-4 up to 1e16, with ".0" on whole numbers.
func pythonFloat(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("conformance: %v is not JSON", f)
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64), nil
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s, nil
}

func writePythonString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			sb.WriteString(`\"`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\b':
			sb.WriteString(`\b`)
		case r == '\f':
			sb.WriteString(`\f`)
		case r < 0x20 || r >= 0x7f && r < 0x10000 || r == utf8.RuneError:
			fmt.Fprintf(sb, `\u%04x`, r)
		case r >= 0x10000:
			r -= 0x10000
			fmt.Fprintf(sb, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
}
