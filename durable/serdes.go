package durable

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SerdesContext tells a Serdes which value it is handling: the operation's
// positional id ("1", "1-2-3": the same on every replay) and the execution.
type SerdesContext struct {
	_ [0]func() // keyed literals only, so fields can be added

	OperationID         string
	DurableExecutionArn string
}

// Serdes turns an operation's value into the bytes stored in its
// checkpoint and back. Unmarshal receives a pointer to the value's type;
// ctx is the durable Context of the operation (for deadlines and
// cancellation when a Serdes reaches outside the process).
type Serdes interface {
	Marshal(ctx context.Context, meta SerdesContext, v any) ([]byte, error)
	Unmarshal(ctx context.Context, meta SerdesContext, data []byte, v any) error
}

// JSONSerdes is the default Serdes: plain encoding/json. Numbers, booleans
// and plain strings take a shortcut that writes and reads exactly what
// encoding/json would, without reflection.
type JSONSerdes struct{}

// Marshal encodes v as compact JSON.
func (JSONSerdes) Marshal(_ context.Context, _ SerdesContext, v any) ([]byte, error) {
	if s, ok := fastMarshal(v); ok {
		return []byte(s), nil
	}
	return json.Marshal(v)
}

// Unmarshal decodes JSON data into v.
func (JSONSerdes) Unmarshal(_ context.Context, _ SerdesContext, data []byte, v any) error {
	if fastUnmarshal(string(data), v) {
		return nil
	}
	return json.Unmarshal(data, v)
}

// defaultSerdes is shared so options that leave the serdes unset cost nothing.
var defaultSerdes Serdes = JSONSerdes{}

// isDefaultSerdes reports whether s writes plain JSON that can be embedded
// verbatim in a larger JSON document (the Parallel payload).
func isDefaultSerdes(s Serdes) bool {
	_, ok := s.(JSONSerdes)
	return ok
}

// opSerdes is one operation's Serdes with what it tells it: the
// operation's context and positional id. It is kept small, and the id is
// kept only for a custom Serdes, because every operation's config holds one.
type opSerdes struct {
	sd         Serdes
	c          *dctx
	id         string // SerdesContext.OperationID; "" for JSONSerdes, which ignores it
	kind, name string // for the SerdesError: e.g. "step", "add"
	input      bool   // it stores the operation's input, not its result
}

// serdesFor binds sd (nil: the handler's default) to an operation of c.
func (c *dctx) serdesFor(sd Serdes, kind, name string) opSerdes {
	if sd == nil {
		sd = c.exec.serdes
	}
	return opSerdes{sd: sd, c: c, kind: kind, name: name}
}

// setID records the operation's positional path. It is copied, and only
// for a custom Serdes, so that the default one leaves the caller's path
// where it was built.
func (o *opSerdes) setID(path string) {
	if !isDefaultSerdes(o.sd) {
		o.id = strings.Clone(path)
	}
}

// at returns o for the operation at the positional path.
func (o opSerdes) at(path string) opSerdes {
	o.setID(path)
	return o
}

func (o opSerdes) meta() SerdesContext {
	return SerdesContext{OperationID: o.id, DurableExecutionArn: *o.c.exec.arn}
}

// marshal stores v, the result (or input, or state) of the operation. The
// default JSONSerdes is called without the detour through []byte.
func (o opSerdes) marshal(v any) (string, error) {
	if isDefaultSerdes(o.sd) {
		if s, ok := fastMarshal(v); ok {
			return s, nil
		}
	}
	b, err := o.sd.Marshal(o.c, o.meta(), v)
	if err != nil {
		return "", o.fail(err)
	}
	return string(b), nil
}

// unmarshal reads payload, the stored value of the operation, into ptr; an
// empty payload leaves ptr as it is.
func (o opSerdes) unmarshal(payload string, ptr any) error {
	if payload == "" {
		return nil
	}
	if isDefaultSerdes(o.sd) && fastUnmarshal(payload, ptr) {
		return nil
	}
	if err := o.sd.Unmarshal(o.c, o.meta(), []byte(payload), ptr); err != nil {
		return o.fail(err)
	}
	return nil
}

func (o opSerdes) fail(err error) *SerdesError {
	part := "the result of "
	if o.input {
		part = "the input of "
	}
	return &SerdesError{What: part + o.kind + " " + quote(o.name), Err: err}
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
