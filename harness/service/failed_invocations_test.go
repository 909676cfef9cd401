package service

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestOnlyConsecutiveFailedInvocationsCount: the execution fails after
// five failed invocations in a row; a good invocation in between starts the
// count again, so four failures, one good invocation and four more failures
// leave it running, and the fifth failure in a row ends it.
func TestOnlyConsecutiveFailedInvocationsCount(t *testing.T) {
	s := newSession(t, "null")
	crash := func(i int) Outcome {
		t.Helper()
		o, err := s.b.EndInvocation(s.arn, nil, errors.New("killed"))
		if err != nil {
			t.Fatalf("invocation %d: EndInvocation: %v", i, err)
		}
		return o
	}
	n := 0
	for range 4 {
		n++
		if o := crash(n); o.Next != NextInvoke || o.Status != types.ExecutionStatusRunning {
			t.Fatalf("failed invocation %d (4 in a row): outcome %+v, want the execution running", n, o)
		}
		s.begin()
	}
	n++
	s.checkpoint(waitStart("w", "w", "", 1))
	if o := s.end(`{"Status":"PENDING"}`); o.Next != NextWait || o.InvocationError != nil {
		t.Fatalf("good invocation %d: outcome %+v", n, o)
	}
	for k := 1; k <= 5; k++ {
		s.begin()
		n++
		o := crash(n)
		if k < 5 && (o.Next != NextInvoke || o.Status != types.ExecutionStatusRunning) {
			t.Fatalf("failed invocation %d (%d in a row, %d in all): outcome %+v, want the execution running", n, k, n-1, o)
		}
		if k == 5 && (o.Next != NextTerminal || o.Status != types.ExecutionStatusFailed) {
			t.Fatalf("failed invocation %d (5 in a row): outcome %+v, want the execution FAILED", n, o)
		}
	}
}
