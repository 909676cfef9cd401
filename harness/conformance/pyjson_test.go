package conformance

import (
	"math"
	"testing"
)

// The texts are what CPython's json.dumps gives for the same values.
func TestPythonJSON(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{"plain", `"plain"`},
		{"quote \" back \\ nl \n tab \t", `"quote \" back \\ nl \n tab \t"`},
		{"é ü \x7f \x01", `"\u00e9 \u00fc \u007f \u0001"`},
		{"😀", `"\ud83d\ude00"`},
		{int64(42), `42`},
		{-0.5, `-0.5`},
		{1.0, `1.0`},
		{1e16, `1e+16`},
		{1e15, `1000000000000000.0`},
		{0.0001, `0.0001`},
		{0.00001, `1e-05`},
		{nil, `null`},
		{true, `true`},
		{[]any{int64(1), "a", nil}, `[1, "a", null]`},
		{map[string]any{"status": "approved", "count": int64(2), "nested": map[string]any{}}, `{"count": 2, "nested": {}, "status": "approved"}`},
	} {
		got, err := pythonJSON(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("pythonJSON(%#v) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := pythonJSON(math.Inf(1)); err == nil {
		t.Error("infinity is not JSON")
	}
	if _, err := pythonJSON(struct{}{}); err == nil {
		t.Error("a struct is not a YAML value")
	}
}
