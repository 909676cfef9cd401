package cloud

import (
	"context"
	"time"
)

// WithClock replaces the wall clock the runner polls with.
func WithClock(now func() time.Time, sleep func(context.Context, time.Duration) error) Option {
	return func(c *config) { c.now, c.sleep = now, sleep }
}
