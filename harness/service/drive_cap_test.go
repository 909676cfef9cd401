package service

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestDriveCapBoundary: an execution that ends on exactly the last allowed
// invocation is not capped; one that needs one more stops with
// *InvocationCapError after the cap, still running.
func TestDriveCapBoundary(t *testing.T) {
	for _, tc := range []struct {
		max    int
		capped bool
	}{{2, false}, {1, true}} {
		b := NewBackend()
		arn, err := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: "null"})
		if err != nil {
			t.Fatal(err)
		}
		n, err := b.Drive(context.Background(), arn, scriptedWaitThenSucceed(b, arn), tc.max) // two invocations
		st, _ := b.State(arn)
		var capErr *InvocationCapError
		switch {
		case tc.capped && (!errors.As(err, &capErr) || n != tc.max || st.Status != types.ExecutionStatusRunning):
			t.Fatalf("cap %d: %d invocations, %v, %s; want the cap error after %d with the execution running", tc.max, n, err, st.Status, tc.max)
		case !tc.capped && (err != nil || n != tc.max || st.Status != types.ExecutionStatusSucceeded):
			t.Fatalf("cap %d: %d invocations, %v, %s; want SUCCEEDED on the last allowed invocation", tc.max, n, err, st.Status)
		}
	}
}
