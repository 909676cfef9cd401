package durable

import "encoding/json"

// Settled is one future's outcome in AllSettled: Value when it succeeded,
// Err when it failed.
//
// It is recorded in the JS SDK's shape, {"status":"fulfilled","value":…}
// or {"status":"rejected","reason":{"message":…,"name":…}}, without the
// reason's "stack" (a Go runtime has no JavaScript stack). After a replay
// Err is rebuilt from the record: a *StepError or *ChildContextError where
// the name says so, an error reading "<name>: <message>" otherwise.
type Settled[O any] struct {
	_     [0]func()
	Value O
	Err   error
}

type settledJSON[O any] struct {
	Status string        `json:"status"`
	Value  *O            `json:"value,omitempty"`
	Reason *settledError `json:"reason,omitempty"`
}

type settledError struct {
	Message string `json:"message"`
	Name    string `json:"name"`
}

// MarshalJSON writes the JS SDK's settled-outcome shape.
func (s Settled[O]) MarshalJSON() ([]byte, error) {
	if s.Err != nil {
		r := recordOf(s.Err)
		return json.Marshal(settledJSON[O]{Status: "rejected", Reason: &settledError{Message: r.msg, Name: r.typ}})
	}
	return json.Marshal(settledJSON[O]{Status: "fulfilled", Value: &s.Value})
}

// UnmarshalJSON reads the shape MarshalJSON writes.
func (s *Settled[O]) UnmarshalJSON(b []byte) error {
	var j settledJSON[O]
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Settled[O]{}
	switch {
	case j.Status == "rejected" && j.Reason != nil:
		s.Err = (&recordedError{typ: j.Reason.Name, msg: j.Reason.Message}).rebuild()
	case j.Status == "rejected":
		s.Err = &recordedError{typ: "Error"}
	case j.Value != nil:
		s.Value = *j.Value
	}
	return nil
}
