package suites

import (
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// waitSuite holds the handlers of the wait suite (requirements wait/2-*).
func waitSuite() map[string]conformance.Entry {
	return map[string]conformance.Entry{
		"2-1": plain(durable.Handle(waitFor("", 2*time.Second))),
		"2-2": plain(durable.Handle(waitFor("custom_wait_name", 2*time.Second))),
		"2-3": plain(durable.Handle(waitTwice)),
		"2-4": plain(durable.Handle(waitFor("", time.Minute))),
		"2-5": plain(durable.Handle(waitFor("", time.Hour))),
	}
}

// waitFor is a handler making one wait of d (named name, "" for none). Only
// the status is asserted; it returns the seconds waited.
//
// 2-1: 2 s unnamed; 2-2: 2 s named custom_wait_name; 2-4: one minute, which
// the history must show as 60 s; 2-5: one hour, 3600 s.
func waitFor(name string, d time.Duration) func(durable.Context, any) (int, error) {
	return func(ctx durable.Context, _ any) (int, error) {
		if err := durable.Wait(ctx, name, d); err != nil {
			return 0, err
		}
		return int(d.Seconds()), nil
	}
}

// 2-3: two sequential 2 s waits, wait-1 and wait-2; the handler counts the
// waits that completed.
func waitTwice(ctx durable.Context, _ any) (map[string]int, error) {
	completed := 0
	for _, name := range []string{"wait-1", "wait-2"} {
		if err := durable.Wait(ctx, name, 2*time.Second); err != nil {
			return nil, err
		}
		completed++
	}
	return map[string]int{"completedWaits": completed}, nil
}
