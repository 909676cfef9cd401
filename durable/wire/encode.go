package wire

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Marshal encodes v (an SDK struct, pointer, slice or map of them) as JSON.
// Object members come out sorted by name, as encoding/json sorts map keys,
// so Marshal(v) equals json.Marshal(ToValue(v)) byte for byte.
func Marshal(v any, unit TimeUnit) ([]byte, error) {
	return AppendMarshal(make([]byte, 0, 512), v, unit)
}

// AppendMarshal is Marshal appending to dst: a caller that can estimate the
// size hands in a buffer with that capacity, so the text is written
// without the buffer growing on the way.
func AppendMarshal(dst []byte, v any, unit TimeUnit) ([]byte, error) {
	e := encoder{unit: unit, buf: dst}
	if err := e.value(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return e.buf, nil
}

type encoder struct {
	unit TimeUnit
	buf  []byte
}

// fieldPlan is one wire member of a struct type.
type fieldPlan struct {
	index int
	name  string
}

var plans sync.Map // reflect.Type -> []fieldPlan

// structPlan lists the exported wire members of t, sorted by name.
func structPlan(t reflect.Type) []fieldPlan {
	if p, ok := plans.Load(t); ok {
		return p.([]fieldPlan)
	}
	var p []fieldPlan
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && !skipped[f.Name] {
			p = append(p, fieldPlan{index: i, name: f.Name})
		}
	}
	slices.SortFunc(p, func(a, b fieldPlan) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	plans.Store(t, p)
	return p
}

func (e *encoder) value(v reflect.Value) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.value(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			// through the address when there is one: boxing the value
			// itself would allocate
			var t time.Time
			if v.CanAddr() {
				t = *v.Addr().Interface().(*time.Time)
			} else {
				t, _ = v.Interface().(time.Time)
			}
			e.buf = appendTime(e.buf, &t, e.unit)
			return nil
		}
		e.buf = append(e.buf, '{')
		first := true
		for _, f := range structPlan(v.Type()) {
			fv := v.Field(f.index)
			if omitted(fv) {
				continue
			}
			if !first {
				e.buf = append(e.buf, ',')
			}
			first = false
			e.buf = appendString(e.buf, f.name)
			e.buf = append(e.buf, ':')
			if err := e.value(fv); err != nil {
				return prefix(err, f.name)
			}
		}
		e.buf = append(e.buf, '}')
		return nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			e.buf = appendString(e.buf, string(v.Bytes()))
			return nil
		}
		e.buf = append(e.buf, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.value(v.Index(i)); err != nil {
				return prefix(err, fmt.Sprintf("[%d]", i))
			}
		}
		e.buf = append(e.buf, ']')
		return nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return &Error{Problem: "map key type " + v.Type().Key().String() + " is not a string"}
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			switch {
			case a.String() < b.String():
				return -1
			case a.String() > b.String():
				return 1
			}
			return 0
		})
		e.buf = append(e.buf, '{')
		for i, k := range keys {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendString(e.buf, k.String())
			e.buf = append(e.buf, ':')
			if err := e.value(v.MapIndex(k)); err != nil {
				return prefix(err, k.String())
			}
		}
		e.buf = append(e.buf, '}')
		return nil
	case reflect.String:
		e.buf = appendString(e.buf, v.String())
		return nil
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
		return nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return &Error{Problem: fmt.Sprintf("%v is not a JSON number", f)}
		}
		e.buf = strconv.AppendFloat(e.buf, f, 'g', -1, 64)
		return nil
	}
	return &Error{Problem: "unsupported kind " + v.Kind().String()}
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string escaped exactly as encoding/json
// escapes it (HTML-safe, invalid UTF-8 as U+FFFD), so both encoders agree.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendTime writes t as an epoch number in unit, as timeValue does.
func appendTime(dst []byte, t *time.Time, unit TimeUnit) []byte {
	ms := t.UnixMilli()
	if unit == Milliseconds || ms%1000 == 0 {
		if unit == Seconds {
			ms /= 1000
		}
		return strconv.AppendInt(dst, ms, 10)
	}
	return strconv.AppendFloat(dst, float64(ms)/1000, 'f', 3, 64)
}
