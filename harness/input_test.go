package harness

import (
	"encoding/json"
	"testing"
)

func TestInputJSON(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{json.RawMessage(`{"a":1}`), `{"a":1}`},
		{[]byte(`[1, 2]`), `[1, 2]`},
		{map[string]int{"num1": 10}, `{"num1":10}`},
		{"text", `"text"`},
		{nil, `null`},
	} {
		got, err := InputJSON(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("InputJSON(%#v) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := InputJSON(func() {}); err == nil {
		t.Error("InputJSON of a func: want an error")
	}
}
