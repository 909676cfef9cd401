package durable_test

import (
	"slices"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
)

// TestRetryDelayRoundsUpToWholeSeconds: whatever delay a strategy asks
// for, the RETRY carries max(1, ceil(delay)) seconds: a fractional delay is
// rounded up (never to the nearest), a whole one kept, anything under a
// second becomes one. The strategy sees the 1-based number of the attempt
// that failed, and gives up after the last.
func TestRetryDelayRoundsUpToWholeSeconds(t *testing.T) {
	delays := []time.Duration{0, 300 * time.Millisecond, time.Second, time.Second + time.Nanosecond, 2100 * time.Millisecond, 3 * time.Second}
	var seen []int
	strategy := func(a durable.RetryAttempt) durable.RetryDecision {
		seen = append(seen, a.Attempt)
		if a.Attempt > len(delays) {
			return durable.RetryDecision{}
		}
		return durable.RetryDecision{Retry: true, Delay: delays[a.Attempt-1]}
	}
	var attempts []int
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(failingStep(&attempts, errBoom, durable.WithRetry(strategy))), durable.Env{})
	if got, want := retryDelays(m), []int32{1, 1, 1, 2, 3, 3}; !slices.Equal(got, want) {
		t.Fatalf("delays %v asked, %v s sent, want %v s", delays, got, want)
	}
	if want := []int{1, 2, 3, 4, 5, 6, 7}; !slices.Equal(seen, want) || !slices.Equal(attempts, want) || out.Status != durable.InvocationFailed {
		t.Fatalf("the strategy saw attempts %v, the body ran %v, execution %s; want %v and FAILED", seen, attempts, out.Status, want)
	}
}
