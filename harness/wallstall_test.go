package harness

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
)

// fakeWall is a wall clock a test moves by hand, standing for real time a
// step body takes (time.Sleep) without the test sleeping.
type fakeWall struct {
	mu  sync.Mutex
	now time.Time
}

func (w *fakeWall) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *fakeWall) take(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// withWall runs on w instead of the wall clock.
func withWall(w *fakeWall) RunnerOption { return func(c *runnerConfig) { c.wall = w.Now } }

// A step body that takes more wall time than the batcher keeps updates
// queued (its START is queued, fire-and-forget) makes the result say so and
// point at Sleep; one within the limit, or one that takes its time through
// Sleep, does not.
func TestWallClockHint(t *testing.T) {
	for _, tc := range []struct {
		name  string
		take  func(context.Context, *fakeWall)
		stall bool
	}{
		{"time.Sleep 1.5s", func(_ context.Context, w *fakeWall) { w.take(1500 * time.Millisecond) }, true},
		{"time.Sleep 0.5s", func(_ context.Context, w *fakeWall) { w.take(500 * time.Millisecond) }, false},
		{"harness.Sleep 1.5s", func(ctx context.Context, w *fakeWall) {
			Sleep(ctx, 1500*time.Millisecond)
			w.take(1500 * time.Millisecond)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &fakeWall{now: time.Unix(1000, 0)}
			res := run(t, durable.Handle(func(ctx durable.Context, _ any) (int, error) {
				return durable.Step(ctx, "slow", func(sc durable.StepContext) (int, error) {
					tc.take(sc, w)
					return 1, nil
				})
			}), nil, withWall(w))
			hint := res.WallClockHint()
			if !tc.stall {
				if hint != "" {
					t.Errorf("hint %q, want none", hint)
				}
				return
			}
			for _, part := range []string{`step "slow" took 1.5s of wall time in invocation 1`, "at most 1 s", "harness.Sleep(ctx, d) instead of time.Sleep"} {
				if !strings.Contains(hint, part) {
					t.Errorf("hint %q lacks %q", hint, part)
				}
			}
			var rep struct{ Hint string }
			if b, err := res.ReportJSON(); err != nil || json.Unmarshal(b, &rep) != nil || rep.Hint != hint {
				t.Errorf("the JSON report's hint is %q, want %q (%v)", rep.Hint, hint, err)
			}
		})
	}
}
