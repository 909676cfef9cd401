package harness

import (
	"context"
	"slices"
	"sync"
	"time"
)

// VirtualClock is a durable.Clock for the runtime's flush timer (decisions
// §2.13) whose time moves only through Advance: no timer fires on its own,
// so a run makes the same checkpoint calls at the same points every time.
// Advance runs the callbacks that come due, in due order (ties in the
// order they were armed), on the caller's goroutine; a callback may arm
// new timers. The local runner gives each run one, and hands it to user
// code through the invocation's context (see Sleep).
type VirtualClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*virtualTimer
	stalls []wallStall      // see stop
	wall   func() time.Time // the wall clock; nil means time.Now (tests fake it)
}

type virtualTimer struct {
	due     time.Time
	seq     int
	f       func()
	stopped bool
	armed   time.Time // wall time
}

// NewVirtualClock returns a clock reading start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start} }

// Now is the clock's time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms a timer that calls f once the clock has advanced d.
func (c *VirtualClock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &virtualTimer{due: c.now.Add(d), seq: c.seq, f: f, armed: c.wallNow()}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		if waited := c.wallNow().Sub(t.armed); was && waited > wallStallLimit && c.now.Before(t.due) {
			c.stalls = append(c.stalls, wallStall{from: t.armed, waited: waited})
		}
		return was
	}
}

// wallStallLimit is the longest a real SDK keeps updates queued: its
// batcher sends them at most 1 s after the first (decisions §2.13).
const wallStallLimit = time.Second

// wallStall is a flush timer that was stopped unfired after more than
// wallStallLimit of wall time: updates stayed queued while user code took
// real time (time.Sleep) that the virtual clock never saw, where a real SDK
// would have sent them.
type wallStall struct {
	from   time.Time // when the timer was armed, wall time
	waited time.Duration
}

func (c *VirtualClock) wallNow() time.Time {
	if c.wall != nil {
		return c.wall()
	}
	return time.Now()
}

// takeStalls returns the stalls seen since the last call.
func (c *VirtualClock) takeStalls() []wallStall {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.stalls
	c.stalls = nil
	return out
}

// Advance moves the time on by d, running every callback due by then at
// its due time.
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	for t := c.nextDueLocked(end); t != nil; t = c.nextDueLocked(end) {
		t.stopped = true
		c.now = t.due
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	c.now = end
	c.mu.Unlock()
}

// nextDueLocked removes stopped timers and returns the earliest one due
// by end, or nil.
func (c *VirtualClock) nextDueLocked(end time.Time) *virtualTimer {
	c.timers = slices.DeleteFunc(c.timers, func(t *virtualTimer) bool { return t.stopped })
	if len(c.timers) == 0 {
		return nil
	}
	t := slices.MinFunc(c.timers, func(a, b *virtualTimer) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	if t.due.After(end) {
		return nil
	}
	return t
}

type clockKey struct{}

// WithVirtualClock makes c reachable through ctx, and so through every
// durable.Context and StepContext of an invocation run with ctx, for Sleep.
// The local runner does this itself; a runner of its own passes c as
// durable.Env.Clock too.
func WithVirtualClock(ctx context.Context, c *VirtualClock) context.Context {
	return context.WithValue(ctx, clockKey{}, c)
}

// Sleep stands for user code that takes d: under a harness run (ctx is, or
// derives from, a durable.Context or StepContext of the local runner) it
// advances the run's VirtualClock by d, so the runtime's flush timer fires
// as it would while a step body takes that long; elsewhere it sleeps on the
// wall clock, or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) {
	if c, ok := ctx.Value(clockKey{}).(*VirtualClock); ok {
		c.Advance(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
