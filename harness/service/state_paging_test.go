package service

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// readState reads the state from marker with maxItems and returns the ids
// and the next marker.
func (s *session) readState(marker *string, maxItems int32) ([]string, *string) {
	s.t.Helper()
	out, err := s.b.GetDurableExecutionState(context.Background(), &lambda.GetDurableExecutionStateInput{
		DurableExecutionArn: aws.String(s.arn), CheckpointToken: aws.String(s.token), Marker: marker, MaxItems: maxItems,
	})
	if err != nil {
		s.t.Fatalf("GetDurableExecutionState(MaxItems %d): %v", maxItems, err)
	}
	var ids []string
	for _, op := range out.Operations {
		ids = append(ids, aws.ToString(op.Id))
	}
	return ids, out.NextMarker
}

// TestStatePageBoundaries: a page that holds exactly what is left has no
// NextMarker, also when only hidden operations (the children of a completed
// context) follow it; one item less gives a marker to a page holding
// exactly the rest. The envelope pages the same way, and MaxItems 1000 is
// allowed.
func TestStatePageBoundaries(t *testing.T) {
	s := newSession(t, "null", WithEnvelopePageSize(3))
	// visible: EXECUTION, a, c; hidden: d, the child of the completed c
	s.checkpoint(stepStart("a", "a", ""), stepSucceed("a", "1"),
		ctxStart("c", "c", "RunInChildContext", ""), stepStart("d", "d", "c"), stepSucceed("d", "2"), ctxSucceed("c", "3"))
	s.checkpoint(waitStart("w", "w", "", 1))
	s.end(`{"Status":"PENDING"}`)
	s.b.FireNext()
	// visible now: EXECUTION, a, c, w (d is hidden between c and w)
	env := s.begin()
	if n, m := len(env.InitialExecutionState.Operations), env.InitialExecutionState.NextMarker; n != 3 || m == "" {
		t.Fatalf("envelope of page size 3 over 4 visible operations: %d operations, marker %q", n, m)
	}
	first, _ := s.readState(nil, 1)
	exec := first[0]
	cases := []struct {
		max        int32
		want       string
		wantMarker bool
	}{
		{4, exec + " a c w", false},
		{3, exec + " a c", true},
		{1000, exec + " a c w", false},
	}
	for _, tc := range cases {
		ids, marker := s.readState(nil, tc.max)
		if got := strings.Join(ids, " "); got != tc.want || (marker != nil) != tc.wantMarker {
			t.Fatalf("MaxItems %d: %s, marker %v; want %s, marker %v", tc.max, got, marker != nil, tc.want, tc.wantMarker)
		}
		if marker != nil {
			rest, next := s.readState(marker, 1)
			if got := strings.Join(rest, " "); got != "w" || next != nil {
				t.Fatalf("MaxItems %d: the next page holds %q, marker %v; want w and no marker", tc.max, got, next != nil)
			}
		}
	}
	s.end(`{"Status":"PENDING"}`)

	// a page that ends where only hidden operations follow has no marker
	s = newSession(t, "null")
	s.checkpoint(stepStart("a", "a", ""), stepSucceed("a", "1"),
		ctxStart("c", "c", "RunInChildContext", ""), stepStart("d", "d", "c"), stepSucceed("d", "2"), ctxSucceed("c", "3"))
	ids, marker := s.readState(nil, 3)
	if got := strings.Join(ids[1:], " "); got != "a c" || marker != nil {
		t.Fatalf("a page of 3 ending before hidden d: %s, marker %v; want a c and no marker", fmt.Sprint(ids), marker != nil)
	}
}
