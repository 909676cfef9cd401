package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
)

// TimeUnit says how a timestamp is written as an epoch number.
type TimeUnit int

const (
	// Seconds is the restJson1 default for body members: epoch seconds,
	// fractional when the time has sub-second precision.
	Seconds TimeUnit = iota
	// Milliseconds is what the invocation envelope uses for operation
	// timestamps.
	Milliseconds
)

var timeType = reflect.TypeOf(time.Time{})

// skipped holds exported SDK fields that are client-side bookkeeping, never wire members.
var skipped = map[string]bool{"ResultMetadata": true}

// ToValue converts v into a generic JSON value: map[string]any, []any,
// string, json.Number, bool or nil.
func ToValue(v any, unit TimeUnit) (any, error) {
	return toValue(reflect.ValueOf(v), unit, "")
}

func toValue(v reflect.Value, unit TimeUnit, path string) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return toValue(v.Elem(), unit, path)
	case reflect.Struct:
		if v.Type() == timeType {
			return timeValue(v.Interface().(time.Time), unit), nil
		}
		out := make(map[string]any, v.NumField())
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || skipped[f.Name] {
				continue
			}
			fv := v.Field(i)
			if omitted(fv) {
				continue
			}
			x, err := toValue(fv, unit, join(path, f.Name))
			if err != nil {
				return nil, err
			}
			out[f.Name] = x
		}
		return out, nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes()), nil
		}
		out := make([]any, v.Len())
		for i := range out {
			x, err := toValue(v.Index(i), unit, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("wire: %s: map key type %s is not a string", path, v.Type().Key())
		}
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			x, err := toValue(it.Value(), unit, join(path, it.Key().String()))
			if err != nil {
				return nil, err
			}
			out[it.Key().String()] = x
		}
		return out, nil
	case reflect.String:
		return v.String(), nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("wire: %s: %v is not a JSON number", path, f)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return nil, fmt.Errorf("wire: %s: unsupported kind %s", path, v.Kind())
}

// omitted reports whether a struct field is left out of the JSON object.
func omitted(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

func timeValue(t time.Time, unit TimeUnit) json.Number {
	if unit == Milliseconds {
		return json.Number(strconv.FormatInt(t.UnixMilli(), 10))
	}
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return json.Number(strconv.FormatInt(ms/1000, 10))
	}
	return json.Number(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64))
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// Error is a decoding problem at a member path, e.g. "Updates[0].Type".
type Error struct {
	Path    string
	Problem string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "wire: " + e.Problem
	}
	return "wire: " + e.Path + ": " + e.Problem
}

// FromValue decodes a generic JSON value (as produced by encoding/json with
// UseNumber, or by ToValue) into v, a non-nil pointer.
func FromValue(raw any, v any, unit TimeUnit) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &Error{Problem: "FromValue needs a non-nil pointer"}
	}
	return fromValue(raw, rv.Elem(), unit, "")
}

func fromValue(raw any, v reflect.Value, unit TimeUnit, path string) error {
	if raw == nil {
		v.SetZero()
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		if err := fromValue(raw, elem.Elem(), unit, path); err != nil {
			return err
		}
		v.Set(elem)
		return nil
	case reflect.Struct:
		if v.Type() == timeType {
			t, err := decodeTime(raw, unit)
			if err != nil {
				return &Error{Path: path, Problem: err.Error()}
			}
			v.Set(reflect.ValueOf(t))
			return nil
		}
		obj, ok := raw.(map[string]any)
		if !ok {
			return typeError(path, "an object", raw)
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || skipped[f.Name] {
				continue
			}
			x, ok := obj[f.Name]
			if !ok {
				continue
			}
			if err := fromValue(x, v.Field(i), unit, join(path, f.Name)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			s, ok := raw.(string)
			if !ok {
				return typeError(path, "a string", raw)
			}
			v.SetBytes([]byte(s))
			return nil
		}
		arr, ok := raw.([]any)
		if !ok {
			return typeError(path, "an array", raw)
		}
		out := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		for i, x := range arr {
			if err := fromValue(x, out.Index(i), unit, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(out)
		return nil
	case reflect.Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			return typeError(path, "an object", raw)
		}
		out := reflect.MakeMapWithSize(v.Type(), len(obj))
		for k, x := range obj {
			elem := reflect.New(v.Type().Elem()).Elem()
			if err := fromValue(x, elem, unit, join(path, k)); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), elem)
		}
		v.Set(out)
		return nil
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return typeError(path, "a string", raw)
		}
		v.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return typeError(path, "a boolean", raw)
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := number(raw, path)
		if err != nil {
			return err
		}
		i, err := strconv.ParseInt(n.String(), 10, v.Type().Bits())
		if err != nil {
			return &Error{Path: path, Problem: fmt.Sprintf("%s is not an integer of %d bits", n, v.Type().Bits())}
		}
		v.SetInt(i)
		return nil
	case reflect.Float32, reflect.Float64:
		n, err := number(raw, path)
		if err != nil {
			return err
		}
		f, err := n.Float64()
		if err != nil {
			return &Error{Path: path, Problem: fmt.Sprintf("%s is not a number", n)}
		}
		v.SetFloat(f)
		return nil
	}
	return &Error{Path: path, Problem: "unsupported kind " + v.Kind().String()}
}

func number(raw any, path string) (json.Number, error) {
	switch n := raw.(type) {
	case json.Number:
		return n, nil
	case float64:
		return json.Number(strconv.FormatFloat(n, 'g', -1, 64)), nil
	case int:
		return json.Number(strconv.Itoa(n)), nil
	case int64:
		return json.Number(strconv.FormatInt(n, 10)), nil
	}
	return "", typeError(path, "a number", raw)
}

func decodeTime(raw any, unit TimeUnit) (time.Time, error) {
	if s, ok := raw.(string); ok {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not an epoch number or an RFC 3339 time", s)
		}
		return t.UTC(), nil
	}
	n, err := number(raw, "")
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp must be an epoch number, got %s", describe(raw))
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %s is not a number", n)
	}
	if unit == Milliseconds {
		return time.UnixMilli(int64(math.Round(f))).UTC(), nil
	}
	return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), nil
}

func typeError(path, want string, got any) error {
	return &Error{Path: path, Problem: "must be " + want + ", got " + describe(got)}
}

func describe(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}
