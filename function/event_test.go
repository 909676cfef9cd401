package function

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func TestEventDecoding(t *testing.T) {
	negZero := math.Copysign(0, -1)
	tests := []struct {
		in         string
		num1, num2 float64
		field, got string // the InvalidInputError expected, if any
	}{
		{in: `{"num1":10,"num2":5}`, num1: 10, num2: 5},
		{in: `{}`},
		{in: `{"num1":7}`, num1: 7},
		{in: ` { "num2" : 3 } `, num2: 3},
		{in: `{"num1":1,"other":"ignored"}`, num1: 1},
		{in: `{"NUM1":5,"Num2":6}`}, // keys are case-sensitive, as in the seed
		{in: `{"num1":-0.0,"num2":-0.0}`, num1: negZero, num2: negZero},
		{in: `{"num1":9007199254740993,"num2":1}`, num1: 9007199254740992, num2: 1},
		{in: `{"num1":1e-400}`, num1: 0}, // underflow is still finite
		{in: `{"num1":1.5e308,"num2":-2}`, num1: 1.5e308, num2: -2},
		{in: `{"num1":"10","num2":2}`, field: "num1", got: "a string"},
		{in: `{"num1":null}`, field: "num1", got: "null"},
		{in: `{"num1":1,"num2":true}`, field: "num2", got: "a boolean"},
		{in: `{"num2":false}`, field: "num2", got: "a boolean"},
		{in: `{"num1":[1]}`, field: "num1", got: "an array"},
		{in: `{"num2":{"v":1}}`, field: "num2", got: "an object"},
		{in: `{"num1":"x","num2":null}`, field: "num1", got: "a string"}, // num1 is checked first
		{in: `{"num1":1,"num1":"x"}`, field: "num1", got: "a string"},    // last duplicate wins
		{in: `{"num1":1e999}`, field: "num1", got: "1e999 (outside the float64 range)"},
		{in: `{"num2":-1e400}`, field: "num2", got: "-1e400 (outside the float64 range)"},
		{in: `[]`, field: "event", got: "an array"},
		{in: `"text"`, field: "event", got: "a string"},
		{in: `null`, field: "event", got: "null"},
		{in: `42`, field: "event", got: "a number"},
		{in: `true`, field: "event", got: "a boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var ev Event
			if err := json.Unmarshal([]byte(tt.in), &ev); err != nil {
				t.Fatalf("json.Unmarshal failed: %v (a bad event must reach Handler)", err)
			}
			err := ev.validate()
			if tt.field != "" {
				var inv *InvalidInputError
				if !errors.As(err, &inv) {
					t.Fatalf("validate() = %v, want *InvalidInputError", err)
				}
				if inv.Field != tt.field || inv.Got != tt.got {
					t.Errorf("InvalidInputError{Field: %q, Got: %q}, want {%q, %q}", inv.Field, inv.Got, tt.field, tt.got)
				}
				return
			}
			if err != nil {
				t.Fatalf("validate() = %v, want nil", err)
			}
			if !sameFloat(ev.Num1, tt.num1) || !sameFloat(ev.Num2, tt.num2) {
				t.Errorf("got num1=%v num2=%v, want %v %v", ev.Num1, ev.Num2, tt.num1, tt.num2)
			}
		})
	}
}

func TestEventDecodingResets(t *testing.T) {
	var ev Event
	if err := json.Unmarshal([]byte(`"bad"`), &ev); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"num1":2}`), &ev); err != nil {
		t.Fatal(err)
	}
	if err := ev.validate(); err != nil || ev.Num1 != 2 || ev.Num2 != 0 {
		t.Errorf("reused Event: validate()=%v num1=%v num2=%v, want nil 2 0", err, ev.Num1, ev.Num2)
	}
}

func TestEventBuiltInGo(t *testing.T) {
	tests := []struct {
		ev         Event
		field, got string
	}{
		{ev: Event{Num1: 1, Num2: 2}},
		{ev: Event{Num1: math.NaN()}, field: "num1", got: "NaN"},
		{ev: Event{Num2: math.Inf(1)}, field: "num2", got: "+Inf"},
		{ev: Event{Num1: math.Inf(-1), Num2: math.NaN()}, field: "num1", got: "-Inf"},
	}
	for _, tt := range tests {
		err := tt.ev.validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%+v: validate() = %v, want nil", tt.ev, err)
			}
			continue
		}
		var inv *InvalidInputError
		if !errors.As(err, &inv) || inv.Field != tt.field || inv.Got != tt.got {
			t.Errorf("%+v: validate() = %#v, want InvalidInputError{%q, %q}", tt.ev, err, tt.field, tt.got)
		}
	}
}

func TestEventMarshal(t *testing.T) {
	b, err := json.Marshal(Event{Num1: 10, Num2: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"num1":10,"num2":5}`; got != want {
		t.Errorf("json.Marshal(Event) = %s, want %s", got, want)
	}
}

// sameFloat is == that also tells -0 from 0.
func sameFloat(a, b float64) bool {
	return a == b && math.Signbit(a) == math.Signbit(b)
}
