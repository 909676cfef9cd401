package durable

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// Serdes turns an operation's result into the string stored in its
// checkpoint and back. Deserialize receives a pointer to the result type.
type Serdes interface {
	Serialize(v any) (string, error)
	Deserialize(data string, ptr any) error
}

// JSONSerdes is the default Serdes: plain encoding/json. Numbers, booleans
// and plain strings take a shortcut that writes and reads exactly what
// encoding/json would, without reflection.
type JSONSerdes struct{}

// Serialize encodes v as compact JSON.
func (JSONSerdes) Serialize(v any) (string, error) {
	if s, ok := fastMarshal(v); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Deserialize decodes JSON data into ptr.
func (JSONSerdes) Deserialize(data string, ptr any) error {
	if fastUnmarshal(data, ptr) {
		return nil
	}
	return json.Unmarshal([]byte(data), ptr)
}

// defaultSerdes is shared so options that leave the serdes unset cost nothing.
var defaultSerdes Serdes = JSONSerdes{}

// isDefaultSerdes reports whether s writes plain JSON that can be embedded
// verbatim in a larger JSON document (the Parallel payload).
func isDefaultSerdes(s Serdes) bool {
	_, ok := s.(JSONSerdes)
	return ok
}

// serializeResult stores v, the result of the operation kind name (a step,
// child context or branch), with sd.
func serializeResult(sd Serdes, v any, kind, name string) (string, error) {
	s, err := sd.Serialize(v)
	if err != nil {
		return "", &SerdesError{What: "the result of " + kind + " " + quote(name), Err: err}
	}
	return s, nil
}

// deserializeResult reads payload, the stored result of the operation kind
// name, into ptr; an empty payload leaves ptr as it is.
func deserializeResult(sd Serdes, payload string, ptr any, kind, name string) error {
	if payload == "" {
		return nil
	}
	if err := sd.Deserialize(payload, ptr); err != nil {
		return &SerdesError{What: "the result of " + kind + " " + quote(name), Err: err}
	}
	return nil
}

func fastMarshal(v any) (string, bool) {
	switch x := v.(type) {
	case float64:
		return formatFloat(x, 64)
	case float32:
		return formatFloat(float64(x), 32)
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case bool:
		return strconv.FormatBool(x), true
	case string:
		for i := 0; i < len(x); i++ {
			if c := x[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return "", false // needs escaping: leave it to encoding/json
			}
		}
		return `"` + x + `"`, true
	}
	return "", false
}

// formatFloat formats like encoding/json's floatEncoder; NaN and infinities
// are left to encoding/json, which reports the error.
func formatFloat(f float64, bits int) (string, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b := strconv.AppendFloat(make([]byte, 0, 24), f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b), true
}

func fastUnmarshal(data string, ptr any) bool {
	switch p := ptr.(type) {
	case *float64:
		if !plainNumber(data) {
			return false
		}
		f, err := strconv.ParseFloat(data, 64)
		if err != nil {
			return false
		}
		*p = f
		return true
	case *int:
		i, err := strconv.Atoi(data)
		if err != nil || !plainNumber(data) {
			return false
		}
		*p = i
		return true
	case *string:
		if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
			return false
		}
		s := data[1 : len(data)-1]
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
				return false
			}
		}
		*p = s
		return true
	case *bool:
		switch data {
		case "true":
			*p = true
		case "false":
			*p = false
		default:
			return false
		}
		return true
	}
	return false
}

// plainNumber reports whether s is a JSON number (strconv accepts more:
// "+1", "0x10", "Inf", "1_000").
func plainNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '-', c == '.', c == 'e', c == 'E':
		case c == '+' && i > 0 && (s[i-1] == 'e' || s[i-1] == 'E'):
		default:
			return false
		}
	}
	return s[0] != '+' && !(len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9')
}
