package service

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// namedFailure is a failed invocation that names its type, as an emulator's
// time-out does.
type namedFailure struct{}

func (namedFailure) Error() string        { return "emulator: Sandbox.Timedout: task timed out" }
func (namedFailure) ErrorType() string    { return "Sandbox.Timedout" }
func (namedFailure) ErrorMessage() string { return "task timed out" }

func TestFailedInvocationKeepsTheTypeItNames(t *testing.T) {
	s := newSession(t, `"abc"`)
	o, err := s.b.EndInvocation(s.arn, nil, namedFailure{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(o.InvocationError.ErrorType); got != "Sandbox.Timedout" {
		t.Fatalf("ErrorType = %q, want Sandbox.Timedout", got)
	}
	if got := aws.ToString(o.InvocationError.ErrorMessage); got != "task timed out" {
		t.Fatalf("ErrorMessage = %q, want the error's own message", got)
	}
}
