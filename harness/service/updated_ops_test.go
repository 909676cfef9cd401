package service

import (
	"bytes"
	"slices"
	"testing"
)

// Every envelope after the first names the operations that changed since
// the previous invocation, in creation order; the first has no such field.
func TestEnvelopeUpdatedOperationIds(t *testing.T) {
	s := newSession(t, "null")
	if s.env.UpdatedOperationIds != nil {
		t.Fatalf("first envelope has UpdatedOperationIds %q", s.env.UpdatedOperationIds)
	}
	s.checkpoint(waitStart("w3", "w3", "", 3), waitStart("w1", "w1", "", 1), stepStart("r", "r", ""), stepStart("s", "s", ""))
	s.checkpoint(stepRetry("r", "E", "m", 2), stepSucceed("s", "1"))
	s.end(`{"Status":"PENDING"}`)

	s.b.FireNext()
	if got := s.begin().UpdatedOperationIds; !slices.Equal(got, []string{"w1"}) {
		t.Fatalf("after w1 fired: UpdatedOperationIds %q, want [w1]", got)
	}
	s.end(`{"Status":"PENDING"}`)

	s.b.FireNext()
	s.b.FireNext()
	if got := s.begin().UpdatedOperationIds; !slices.Equal(got, []string{"w3", "r"}) {
		t.Fatalf("after r and w3 fell due: UpdatedOperationIds %q, want [w3 r]", got)
	}
	s.end(`{"Status":"PENDING"}`)

	raw, err := s.b.BeginInvocation(s.arn)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`"UpdatedOperationIds":[]`)) {
		t.Fatalf("a later envelope with nothing changed must carry an empty list:\n%s", raw)
	}
}
