package durable_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
)

// TestJSONSerdesMatchesEncodingJSON: the shortcuts write and read exactly
// what encoding/json does.
func TestJSONSerdesMatchesEncodingJSON(t *testing.T) {
	js, bg, meta := durable.JSONSerdes{}, context.Background(), durable.SerdesContext{}
	values := []any{0.0, math.Copysign(0, -1), 1.5, 15.0, 1e-7, 1e21, 123456789.125, 1e20, -2.5e-9, math.MaxFloat64, math.SmallestNonzeroFloat64,
		float32(1e-7), float32(3.25), 0, -42, int64(math.MaxInt64), int32(-7), true, false,
		"", "hello world", "quote\"", "tag<b>", "é", "tab\t", nil, []int{1}, map[string]int{"a": 1}}
	for _, v := range values {
		got, err := js.Marshal(bg, meta, v)
		want, werr := json.Marshal(v)
		if err != nil || werr != nil || string(got) != string(want) {
			t.Fatalf("%#v: %q %v, encoding/json %q %v", v, got, err, want, werr)
		}
	}
	if _, err := js.Marshal(bg, meta, math.Inf(1)); err == nil {
		t.Fatal("+Inf serialized")
	}
	for _, data := range []string{"0", "-0", "1.5", "1e-7", "1E+3", "12", `"x y"`, `"a\"b"`, `"\u00e9"`, "true", "false", "+1", "0x10", "Inf", "01", "1_0", `"`, "null"} {
		var f1, f2 float64
		e1, e2 := js.Unmarshal(bg, meta, []byte(data), &f1), json.Unmarshal([]byte(data), &f2)
		var s1, s2 string
		e3, e4 := js.Unmarshal(bg, meta, []byte(data), &s1), json.Unmarshal([]byte(data), &s2)
		var i1, i2 int
		e5, e6 := js.Unmarshal(bg, meta, []byte(data), &i1), json.Unmarshal([]byte(data), &i2)
		var b1, b2 bool
		e7, e8 := js.Unmarshal(bg, meta, []byte(data), &b1), json.Unmarshal([]byte(data), &b2)
		if (e1 == nil) != (e2 == nil) || f1 != f2 || (e3 == nil) != (e4 == nil) || s1 != s2 ||
			(e5 == nil) != (e6 == nil) || i1 != i2 || (e7 == nil) != (e8 == nil) || b1 != b2 {
			t.Fatalf("%s: float %v/%v %v/%v string %q/%q %v/%v int %v/%v %v/%v bool %v/%v", data, f1, f2, e1, e2, s1, s2, e3, e4, i1, i2, e5, e6, b1, b2)
		}
	}
}
