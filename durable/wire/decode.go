package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Unmarshal decodes JSON data into v, a pointer to an SDK struct, slice or map.
// Unknown members are ignored, as the service ignores them; a member of the
// wrong JSON type is an *Error naming its path.
//
// Plain JSON into a zero value takes the fast decoder (fast.go). Otherwise,
// and whenever the fast decoder gives up, encoding/json does the parsing,
// into a shadow of v's type in which every time.Time is left raw; the
// shadow is then copied into v, converting the timestamps. Types without
// timestamps decode directly.
func Unmarshal(data []byte, v any, unit TimeUnit) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &Error{Problem: "Unmarshal needs a non-nil pointer"}
	}
	t := rv.Elem().Type()
	if fastEligible(t) && rv.Elem().IsZero() {
		if fastUnmarshal(data, rv.Elem(), unit) {
			return nil
		}
		rv.Elem().SetZero() // undo a partial decode
	}
	return unmarshalGeneral(data, rv, unit)
}

// unmarshalGeneral is Unmarshal without the fast decoder.
func unmarshalGeneral(data []byte, rv reflect.Value, unit TimeUnit) error {
	v, t := rv.Interface(), rv.Elem().Type()
	sh := shadowOf(t)
	if sh == t {
		return decodeError(json.Unmarshal(data, v), data, t, unit)
	}
	tmp := reflect.New(sh)
	if err := json.Unmarshal(data, tmp.Interface()); err != nil {
		return decodeError(err, data, t, unit)
	}
	return copyShadow(tmp.Elem(), rv.Elem(), unit, "")
}

var rawType = reflect.TypeOf(json.RawMessage(nil))

var shadows sync.Map // reflect.Type -> reflect.Type

// shadowOf is t with every time.Time replaced by json.RawMessage and every
// struct holding one rebuilt from its wire members; t itself when t holds no
// timestamp.
func shadowOf(t reflect.Type) reflect.Type {
	if s, ok := shadows.Load(t); ok {
		return s.(reflect.Type)
	}
	s := buildShadow(t, map[reflect.Type]bool{})
	shadows.Store(t, s)
	return s
}

func buildShadow(t reflect.Type, seen map[reflect.Type]bool) reflect.Type {
	if t == timeType {
		return rawType
	}
	if seen[t] {
		return t // recursive types hold no timestamps in the Lambda model
	}
	seen[t] = true
	defer delete(seen, t)
	switch t.Kind() {
	case reflect.Pointer:
		if e := buildShadow(t.Elem(), seen); e != t.Elem() {
			return reflect.PointerTo(e)
		}
	case reflect.Slice:
		if e := buildShadow(t.Elem(), seen); e != t.Elem() {
			return reflect.SliceOf(e)
		}
	case reflect.Map:
		if e := buildShadow(t.Elem(), seen); e != t.Elem() {
			return reflect.MapOf(t.Key(), e)
		}
	case reflect.Struct:
		changed := false
		var fields []reflect.StructField
		for _, f := range structPlan(t) {
			sf := t.Field(f.index)
			st := buildShadow(sf.Type, seen)
			changed = changed || st != sf.Type
			fields = append(fields, reflect.StructField{Name: sf.Name, Type: st, Tag: reflect.StructTag(`json:"` + sf.Name + `"`)})
		}
		if changed {
			return reflect.StructOf(fields)
		}
	}
	return t
}

// copyShadow copies src (of shadowOf(dst.Type())) into dst. Paths are only
// built on the way out of an error, so a clean decode builds no strings.
func copyShadow(src, dst reflect.Value, unit TimeUnit, path string) error {
	if err := copyValue(src, dst, unit); err != nil {
		var werr *Error
		if errors.As(err, &werr) {
			werr.Path = joinPath(path, werr.Path)
		}
		return err
	}
	return nil
}

func copyValue(src, dst reflect.Value, unit TimeUnit) error {
	if src.Type() == dst.Type() {
		dst.Set(src)
		return nil
	}
	switch dst.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			dst.SetZero()
			return nil
		}
		if dst.Type().Elem() == timeType {
			raw := src.Elem().Bytes()
			if string(raw) == "null" {
				dst.SetZero()
				return nil
			}
			t, err := rawTime(raw, unit)
			if err != nil {
				return &Error{Problem: err.Error()}
			}
			dst.Set(reflect.ValueOf(&t))
			return nil
		}
		p := reflect.New(dst.Type().Elem())
		if err := copyValue(src.Elem(), p.Elem(), unit); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Slice:
		if src.IsNil() {
			dst.SetZero()
			return nil
		}
		out := reflect.MakeSlice(dst.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			if err := copyValue(src.Index(i), out.Index(i), unit); err != nil {
				return prefix(err, fmt.Sprintf("[%d]", i))
			}
		}
		dst.Set(out)
		return nil
	case reflect.Map:
		if src.IsNil() {
			dst.SetZero()
			return nil
		}
		out := reflect.MakeMapWithSize(dst.Type(), src.Len())
		it := src.MapRange()
		for it.Next() {
			e := reflect.New(dst.Type().Elem()).Elem()
			if err := copyValue(it.Value(), e, unit); err != nil {
				return prefix(err, it.Key().String())
			}
			out.SetMapIndex(it.Key(), e)
		}
		dst.Set(out)
		return nil
	case reflect.Struct:
		for i, f := range structPlan(dst.Type()) {
			if err := copyValue(src.Field(i), dst.Field(f.index), unit); err != nil {
				return prefix(err, f.name)
			}
		}
		return nil
	}
	return &Error{Problem: "unsupported kind " + dst.Kind().String()}
}

// prefix puts seg in front of the path of a decoding error.
func prefix(err error, seg string) error {
	var werr *Error
	if errors.As(err, &werr) {
		werr.Path = joinPath(seg, werr.Path)
	}
	return err
}

func joinPath(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case b[0] == '[':
		return a + b
	}
	return a + "." + b
}

// rawTime reads a timestamp: an epoch number in unit, or an RFC 3339 string.
func rawTime(raw []byte, unit TimeUnit) (time.Time, error) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("%s is not an epoch number or an RFC 3339 time", raw)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp must be an epoch number, got %s", raw)
	}
	if unit == Milliseconds {
		return time.UnixMilli(int64(math.Round(f))).UTC(), nil
	}
	return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), nil
}

// decodeError turns an encoding/json error into an *Error naming the member.
// encoding/json leaves array indexes out of the member path, so a type error
// is decoded again on the generic path, which names them.
func decodeError(err error, data []byte, t reflect.Type, unit TimeUnit) error {
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		var raw any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if dec.Decode(&raw) == nil {
			if perr := FromValue(raw, reflect.New(t).Interface(), unit); perr != nil {
				return perr
			}
		}
		return &Error{Path: te.Field, Problem: "must be " + wantOf(te.Type) + ", got " + gotOf(te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Error{Problem: fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))}
	}
	return &Error{Problem: strings.TrimPrefix(err.Error(), "json: ")}
}

func wantOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("an integer of %d bits", t.Bits())
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return wantOf(t.Elem())
	}
	return t.String()
}

func gotOf(v string) string {
	switch {
	case strings.HasPrefix(v, "number"):
		return "a " + v
	case v == "bool":
		return "a boolean"
	case v == "string", v == "object", v == "array":
		if v == "string" {
			return "a string"
		}
		return "an " + v
	}
	return v
}
