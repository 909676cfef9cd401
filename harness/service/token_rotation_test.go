package service

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestEmptyCheckpointRotatesTheToken: an empty batch (a poll) is an
// accepted checkpoint like any other: it answers with a new token, and the
// token it presented is stale from then on.
func TestEmptyCheckpointRotatesTheToken(t *testing.T) {
	s := newSession(t, "null")
	presented := s.token
	out := s.checkpoint()
	if fresh := aws.ToString(out.CheckpointToken); fresh == "" || fresh == presented {
		t.Fatalf("an empty checkpoint answered token %q for %q, want a new one", fresh, presented)
	}
	rotated := s.token
	s.token = presented
	_, err := s.try()
	wantServiceError[*types.InvalidParameterValueException](t, err, "stale")
	s.token = rotated
	s.checkpoint(stepStart("a", "a", ""))
}
