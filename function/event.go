package function

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// Event is the calculator's input, {"num1": n, "num2": n}. A missing key means 0.
//
// Decoding never fails on a badly typed value: UnmarshalJSON records the
// problem and Handler reports it as an *InvalidInputError. That way a bad event
// ends the execution FAILED with a named field, as a durable outcome, instead of
// failing the invocation inside the runtime's decoder (which the service would
// retry as a crashed invocation).
type Event struct {
	Num1 float64 `json:"num1"`
	Num2 float64 `json:"num2"`

	invalid *InvalidInputError // set by UnmarshalJSON, reported by Handler
}

// UnmarshalJSON reads num1 and num2 from a JSON object. Keys are matched
// exactly (case-sensitive, like the seed's event.get), other keys are ignored,
// and for a duplicated key the last value wins, as in encoding/json.
func (e *Event) UnmarshalJSON(data []byte) error {
	*e = Event{}
	data = bytes.TrimSpace(data)
	if kind := describeJSON(data); kind != "an object" {
		e.invalid = &InvalidInputError{Field: "event", Got: kind}
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"num1", &e.Num1}, {"num2", &e.Num2}} {
		raw, ok := fields[f.name]
		if !ok {
			continue
		}
		v, invalid := finiteNumber(f.name, raw)
		if invalid != nil {
			e.invalid = invalid
			return nil
		}
		*f.dst = v
	}
	return nil
}

// validate reports the first problem with the event: one found while decoding,
// or a non-finite value set by Go code that built the Event directly.
func (e Event) validate() error {
	if e.invalid != nil {
		return e.invalid
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"num1", e.Num1}, {"num2", e.Num2}} {
		if math.IsInf(f.v, 0) || math.IsNaN(f.v) {
			return &InvalidInputError{Field: f.name, Got: strconv.FormatFloat(f.v, 'g', -1, 64)}
		}
	}
	return nil
}

// finiteNumber parses one field's raw JSON value. JSON has no literal for
// infinity or NaN, so a non-finite value can only be a literal beyond the
// float64 range, such as 1e999.
func finiteNumber(field string, raw json.RawMessage) (float64, *InvalidInputError) {
	if kind := describeJSON(raw); kind != "a number" {
		return 0, &InvalidInputError{Field: field, Got: kind}
	}
	v, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(v, 0) { // ParseFloat only fails on range here: raw is a valid JSON number
		return 0, &InvalidInputError{Field: field, Got: string(raw) + " (outside the float64 range)"}
	}
	return v, nil
}

// describeJSON names the kind of a syntactically valid JSON value from its
// first byte.
func describeJSON(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}
