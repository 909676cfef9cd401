package harness_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/harness"
)

// Advance runs due callbacks in due order (ties in arming order), at their
// due time, including ones a callback arms within the window; a stopped
// timer never runs, and one due after the window waits.
func TestVirtualClockAdvance(t *testing.T) {
	start := time.Unix(0, 0)
	c := harness.NewVirtualClock(start)
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, fmt.Sprintf("%s@%v", name, c.Now().Sub(start))) }
	}
	c.AfterFunc(30*time.Millisecond, at("b"))
	c.AfterFunc(10*time.Millisecond, func() {
		at("a")()
		c.AfterFunc(15*time.Millisecond, at("a2"))
	})
	c.AfterFunc(30*time.Millisecond, at("c"))
	stop := c.AfterFunc(20*time.Millisecond, at("stopped"))
	c.AfterFunc(60*time.Millisecond, at("late"))
	if !stop() || stop() {
		t.Fatal("stop reports true once, then false")
	}
	c.Advance(50 * time.Millisecond)
	if want := "[a@10ms a2@25ms b@30ms c@30ms]"; fmt.Sprint(got) != want {
		t.Fatalf("ran %v, want %s", got, want)
	}
	if now := c.Now().Sub(start); now != 50*time.Millisecond {
		t.Fatalf("now %v, want 50ms", now)
	}
	c.Advance(10 * time.Millisecond)
	if got[len(got)-1] != "late@60ms" {
		t.Fatalf("ran %v, want late at 60ms last", got)
	}
}

// Sleep advances the clock a context carries; without one it waits on the
// wall clock until the context is done.
func TestSleep(t *testing.T) {
	c := harness.NewVirtualClock(time.Unix(0, 0))
	harness.Sleep(harness.WithVirtualClock(context.Background(), c), time.Hour)
	if c.Now() != time.Unix(3600, 0) {
		t.Fatalf("now %v, want an hour on", c.Now())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	harness.Sleep(ctx, time.Hour) // returns at once: ctx is done
}
