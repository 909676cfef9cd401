package durable_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

// TestWaitRoundsUpToWholeSeconds: the service counts waits in whole
// seconds; a fractional duration is rounded up, never down, and a whole one
// is kept. One second is the shortest wait; anything shorter is a
// ValidationError before anything is recorded.
func TestWaitRoundsUpToWholeSeconds(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want int32 // 0: refused
	}{
		{time.Second - time.Nanosecond, 0},
		{time.Second, 1},
		{time.Second + time.Nanosecond, 2},
		{1500 * time.Millisecond, 2},
		{2 * time.Second, 2},
		{59*time.Second + 999*time.Millisecond, 60},
	}
	for _, tc := range cases {
		t.Run(tc.d.String(), func(t *testing.T) {
			h := func(ctx durable.Context, _ any) (int, error) { return 0, durable.Wait(ctx, "w", tc.d) }
			m := newMem(`{}`)
			out, _ := m.invokeOnce(t, durable.Handle(h), durable.Env{})
			ups := m.allUpdates()
			if tc.want == 0 {
				if out.Status != durable.InvocationFailed || aws.ToString(out.Error.ErrorType) != "ValidationError" || len(ups) != 0 {
					t.Fatalf("a %s wait: %s %s, %d updates; want a ValidationError and nothing recorded", tc.d, out.Status, errString(out.Error), len(ups))
				}
				return
			}
			if out.Status != durable.InvocationPending || len(ups) != 1 || ups[0].Type != types.OperationTypeWait || ups[0].WaitOptions == nil {
				t.Fatalf("a %s wait: %s %s, updates %+v", tc.d, out.Status, errString(out.Error), ups)
			}
			if got := aws.ToInt32(ups[0].WaitOptions.WaitSeconds); got != tc.want {
				t.Fatalf("a %s wait was recorded as %d s, want %d s", tc.d, got, tc.want)
			}
		})
	}
}
