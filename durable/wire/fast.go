package wire

import (
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The fast decoder parses JSON straight into an SDK value, without
// encoding/json's reflection-heavy decoding and without the shadow copy.
// It accepts only the plain JSON our own encoder (and the service) writes:
// member names spelled exactly as the Go fields, each member at most once,
// strings that are valid UTF-8, integers where the field is an integer,
// epoch-number timestamps, null only for pointers and slices. On anything
// else it gives up and Unmarshal decodes the data again on the general path,
// which gives the same result, or the error. So for every input it accepts,
// it produces exactly what the general path produces.

var fastTypes sync.Map // reflect.Type -> bool

// fastEligible reports whether the fast decoder can decode t: every struct
// reachable from t has no json tags and no embedded struct carrying
// members, and every leaf is a string, bool, number or *time.Time.
func fastEligible(t reflect.Type) bool {
	if ok, found := fastTypes.Load(t); found {
		return ok.(bool)
	}
	ok := eligible(t, map[reflect.Type]bool{})
	fastTypes.Store(t, ok)
	return ok
}

func eligible(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer:
		return eligible(t.Elem(), seen)
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8 && eligible(t.Elem(), seen)
	case reflect.Struct:
		if t == timeType {
			return false // only *time.Time, as the SDK has it
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if _, tagged := f.Tag.Lookup("json"); tagged {
				return false
			}
			if f.Anonymous {
				if f.IsExported() || f.Type.Kind() != reflect.Struct || f.Type.NumField() > 0 {
					return false
				}
				continue
			}
			if !f.IsExported() || skipped[f.Name] {
				continue
			}
			if f.Type.Kind() == reflect.Pointer && f.Type.Elem() == timeType {
				continue
			}
			if !eligible(f.Type, seen) {
				return false
			}
		}
		return true
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// fastUnmarshal decodes data into dst (a zero value of an eligible type)
// and reports whether it could.
func fastUnmarshal(data []byte, dst reflect.Value, unit TimeUnit) bool {
	d := fastDecoder{data: data, unit: unit}
	d.skipSpace()
	if !d.value(dst) {
		return false
	}
	d.skipSpace()
	return d.pos == len(d.data)
}

type fastDecoder struct {
	data []byte
	pos  int
	unit TimeUnit
}

func (d *fastDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// literal consumes lit if it comes next.
func (d *fastDecoder) literal(lit string) bool {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return true
	}
	return false
}

func (d *fastDecoder) value(v reflect.Value) bool {
	if d.pos >= len(d.data) {
		return false
	}
	switch v.Kind() {
	case reflect.Pointer:
		if d.literal("null") {
			v.SetZero()
			return true
		}
		if v.Type().Elem() == timeType {
			t, ok := d.time()
			if !ok {
				return false
			}
			v.Set(reflect.ValueOf(&t))
			return true
		}
		p := reflect.New(v.Type().Elem())
		if !d.value(p.Elem()) {
			return false
		}
		v.Set(p)
		return true
	case reflect.Struct:
		return d.object(v)
	case reflect.Slice:
		if d.literal("null") {
			v.SetZero()
			return true
		}
		return d.array(v)
	case reflect.String:
		s, ok := d.string()
		if !ok {
			return false
		}
		v.SetString(s)
		return true
	case reflect.Bool:
		switch {
		case d.literal("true"):
			v.SetBool(true)
		case d.literal("false"):
			v.SetBool(false)
		default:
			return false
		}
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := d.integer()
		if !ok {
			return false
		}
		i, err := strconv.ParseInt(n, 10, v.Type().Bits())
		if err != nil {
			return false
		}
		v.SetInt(i)
		return true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := d.integer()
		if !ok || n[0] == '-' {
			return false
		}
		u, err := strconv.ParseUint(n, 10, v.Type().Bits())
		if err != nil {
			return false
		}
		v.SetUint(u)
		return true
	case reflect.Float32, reflect.Float64:
		n, ok := d.number()
		if !ok {
			return false
		}
		f, err := strconv.ParseFloat(n, v.Type().Bits())
		if err != nil {
			return false
		}
		v.SetFloat(f)
		return true
	}
	return false
}

func (d *fastDecoder) object(v reflect.Value) bool {
	if d.data[d.pos] != '{' {
		return false
	}
	d.pos++
	plan := structPlan(v.Type())
	var seen uint64
	if len(plan) > 64 {
		return false
	}
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return true
	}
	for {
		d.skipSpace()
		key, ok := d.rawKey()
		if !ok {
			return false
		}
		k := -1
		for i := range plan {
			if plan[i].name == string(key) {
				k = i
				break
			}
		}
		// An unknown member, or one encoding/json might match case-
		// insensitively, or a repeated one: the general path decides.
		if k < 0 || seen&(1<<k) != 0 {
			return false
		}
		seen |= 1 << k
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return false
		}
		d.pos++
		d.skipSpace()
		if !d.value(v.Field(plan[k].index)) {
			return false
		}
		d.skipSpace()
		if d.pos >= len(d.data) {
			return false
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return false
		}
	}
}

func (d *fastDecoder) array(v reflect.Value) bool {
	if d.data[d.pos] != '[' {
		return false
	}
	d.pos++
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // as encoding/json: empty, not nil
		return true
	}
	out := reflect.MakeSlice(v.Type(), 0, 4)
	for i := 0; ; i++ {
		d.skipSpace()
		if i == out.Cap() {
			grown := reflect.MakeSlice(v.Type(), i, 2*i)
			reflect.Copy(grown, out)
			out = grown
		}
		out = out.Slice(0, i+1)
		if !d.value(out.Index(i)) {
			return false
		}
		d.skipSpace()
		if d.pos >= len(d.data) {
			return false
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			v.Set(out)
			return true
		default:
			return false
		}
	}
}

// rawKey reads a member name without escapes.
func (d *fastDecoder) rawKey() ([]byte, bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return nil, false
	}
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
}

// string reads a JSON string; invalid UTF-8 and lone surrogates, which
// encoding/json replaces with U+FFFD, are left to the general path.
func (d *fastDecoder) string() (string, bool) {
	if d.data[d.pos] != '"' {
		return "", false
	}
	start := d.pos + 1
	i := start
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(d.data[start:i]), true
		case c == '\\':
			return d.escapedString(start, i)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			i += size
		default:
			i++
		}
	}
	return "", false
}

// escapedString finishes a string whose first escape is at i. Unescaping
// never lengthens a string, so its raw length is room enough: one
// allocation, however many escapes (payloads inside the envelope are
// JSON text, full of them).
func (d *fastDecoder) escapedString(start, i int) (string, bool) {
	buf := make([]byte, 0, closingQuote(d.data, i)-start)
	buf = append(buf, d.data[start:i]...)
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			// buf is ours and never written again: the string can own it
			return unsafe.String(unsafe.SliceData(buf), len(buf)), true
		case c == '\\':
			if i+1 >= len(d.data) {
				return "", false
			}
			switch e := d.data[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(d.data[i+2:])
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					// only a valid pair; json turns a lone one into U+FFFD
					if len(d.data) < i+12 || d.data[i+6] != '\\' || d.data[i+7] != 'u' {
						return "", false
					}
					r2, ok := hex4(d.data[i+8:])
					if !ok {
						return "", false
					}
					if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
						return "", false
					}
					i += 6
				}
				buf = utf8.AppendRune(buf, r)
				i += 4
			default:
				return "", false
			}
			i += 2
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			buf = append(buf, d.data[i:i+size]...)
			i += size
		default:
			buf = append(buf, c)
			i++
		}
	}
	return "", false
}

// closingQuote is the index of the quote that ends the string i is in (at
// or past its opening quote), or len(data) when none does.
func closingQuote(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case '"':
			return i
		case '\\':
			i += 2
		default:
			i++
		}
	}
	return len(data)
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// integer reads -?[0-9]+ followed by a delimiter (a fraction or exponent,
// which encoding/json refuses for an integer field, goes to the general
// path).
func (d *fastDecoder) integer() (string, bool) {
	start := d.pos
	i, ok := d.intPart()
	if !ok {
		return "", false
	}
	if i < len(d.data) && (d.data[i] == '.' || d.data[i] == 'e' || d.data[i] == 'E') {
		return "", false
	}
	d.pos = i
	return numText(d.data[start:i]), true
}

// number reads a JSON number.
func (d *fastDecoder) number() (string, bool) {
	start := d.pos
	i, ok := d.intPart()
	if !ok {
		return "", false
	}
	if i < len(d.data) && d.data[i] == '.' {
		i++
		frac := i
		if i = d.digits(i); i == frac {
			return "", false
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		exp := i
		if i = d.digits(i); i == exp {
			return "", false
		}
	}
	d.pos = i
	return numText(d.data[start:i]), true
}

// intPart reads the integer part of a JSON number, -?(0|[1-9][0-9]*), from
// d.pos and returns the index just past it; d.pos is left unchanged.
func (d *fastDecoder) intPart() (int, bool) {
	i := d.pos
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	first := i
	i = d.digits(i)
	if i == first || (i-first > 1 && d.data[first] == '0') {
		return 0, false
	}
	return i, true
}

// digits returns the index of the first byte at or after i that is not an
// ASCII digit.
func (d *fastDecoder) digits(i int) int {
	for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
		i++
	}
	return i
}

// time reads an epoch-number timestamp, as rawTime does; an RFC 3339 string
// goes to the general path.
func (d *fastDecoder) time() (time.Time, bool) {
	n, ok := d.number()
	if !ok {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return time.Time{}, false
	}
	if d.unit == Milliseconds {
		return time.UnixMilli(int64(math.Round(f))).UTC(), true
	}
	return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), true
}

// numText views a number's bytes as a string for strconv without copying;
// the string is only parsed, never kept (a parse error, which could keep it,
// is dropped).
func numText(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
