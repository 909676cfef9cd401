package service

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// firedIDs names the timers in order (the execution timeout as
// "timeout").
func firedIDs(fired []Timer) string {
	var ids []string
	for _, f := range fired {
		if f.Kind == TimerExecutionTimeout {
			ids = append(ids, "timeout")
			continue
		}
		ids = append(ids, f.OperationId)
	}
	return strings.Join(ids, " ")
}

// TestTimersDueTogetherFireInArmedOrder: timers due at the same instant
// fire in the order they were armed, whatever their ids or kinds, in the
// result of FireNext, in PendingTimers and in the history.
func TestTimersDueTogetherFireInArmedOrder(t *testing.T) {
	s := newSession(t, "null")
	// armed in the order c, a, r (a retry), b, all due at +5 s; z at +4 s
	s.checkpoint(waitStart("c", "c", "", 5), waitStart("a", "a", "", 5), stepStart("r", "r", ""))
	s.checkpoint(stepRetry("r", "E", "m", 5), waitStart("b", "b", "", 5), waitStart("z", "z", "", 4))
	s.end(`{"Status":"PENDING"}`)
	if got := firedIDs(s.b.PendingTimers()); got != "z c a r b timeout" {
		t.Fatalf("pending timers in order %q, want z c a r b timeout", got)
	}
	if got := firedIDs(s.b.FireNext()); got != "z" {
		t.Fatalf("the first FireNext fired %q, want z", got)
	}
	if got := firedIDs(s.b.FireNext()); got != "c a r b" {
		t.Fatalf("timers due together fired as %q, want the armed order c a r b", got)
	}
	var waits []string
	for _, ev := range s.history() {
		if ev.EventType == types.EventTypeWaitSucceeded {
			waits = append(waits, *ev.Id)
		}
	}
	if got := strings.Join(waits, " "); got != "z c a b" {
		t.Fatalf("WaitSucceeded events in order %q, want z c a b", got)
	}
}

// TestExecutionTimeoutBoundary: the execution times out exactly at its
// deadline, not a nanosecond before; a wait due at the same instant was
// armed after the deadline, so the timeout fires first and the wait never
// succeeds.
func TestExecutionTimeoutBoundary(t *testing.T) {
	s := newSession(t, "null", WithExecutionTimeout(10*time.Second))
	s.checkpoint(waitStart("w", "w", "", 10))
	s.end(`{"Status":"PENDING"}`)
	deadline := DefaultStart.Add(10 * time.Second)
	if fired := s.b.AdvanceTo(deadline.Add(-time.Nanosecond)); len(fired) != 0 {
		t.Fatalf("a nanosecond before the deadline fired %q", firedIDs(fired))
	}
	if got := firedIDs(s.b.AdvanceTo(deadline)); got != "timeout" {
		t.Fatalf("at the deadline fired %q, want only the timeout", got)
	}
	h := s.history()
	if got := eventTypes(h); strings.Contains(got, string(types.EventTypeWaitSucceeded)) || h[len(h)-1].EventType != types.EventTypeExecutionTimedOut {
		t.Fatalf("history %s, want ExecutionTimedOut last and no WaitSucceeded", got)
	}
}
