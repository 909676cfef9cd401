package service

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// TimerKind says what a pending timer does when it fires.
type TimerKind string

// Timer kinds.
const (
	TimerWait             TimerKind = "WAIT"               // a WAIT STARTED -> SUCCEEDED at ScheduledEndTimestamp
	TimerRetry            TimerKind = "RETRY"              // a STEP PENDING -> READY at NextAttemptTimestamp
	TimerExecutionTimeout TimerKind = "EXECUTION_TIMEOUT"  // the execution TIMED_OUT after DurableConfig.ExecutionTimeout
	TimerCallback         TimerKind = "CALLBACK_TIMEOUT"   // a CALLBACK STARTED -> TIMED_OUT (Callback.Timeout) after TimeoutSeconds
	TimerHeartbeat        TimerKind = "CALLBACK_HEARTBEAT" // a CALLBACK STARTED -> TIMED_OUT (Callback.Heartbeat) without a heartbeat for HeartbeatTimeoutSeconds
	TimerAction           TimerKind = "ACTION"             // an outside action scheduled with Schedule
)

// Timer is a pending timer on the virtual clock.
type Timer struct {
	Due          time.Time
	Kind         TimerKind
	ExecutionArn string
	OperationId  string // empty for TimerExecutionTimeout
}

// timer is the backend's record of a Timer. dead is set (under the owning
// execution's lock) when the timer is cancelled or has fired; the heaps
// drop dead entries lazily, so cancelling is O(1).
type timer struct {
	Timer
	seq    uint64
	exec   *execution
	op     *opRecord
	action func() // TimerAction: run once the timer has fired, outside every lock
	dead   atomic.Bool
}

// timerHeap is a binary min-heap ordered by due time, then creation order,
// so timers due at the same instant fire in the order they were armed.
type timerHeap []*timer

func (h timerHeap) less(i, j int) bool {
	if !h[i].Due.Equal(h[j].Due) {
		return h[i].Due.Before(h[j].Due)
	}
	return h[i].seq < h[j].seq
}

func (h *timerHeap) push(t *timer) {
	*h = append(*h, t)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *timerHeap) pop() *timer {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = nil
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s.less(l, m) {
			m = l
		}
		if r < len(s) && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// peek returns the earliest live timer, discarding dead ones on the way.
func (h *timerHeap) peek() *timer {
	for len(*h) > 0 {
		if t := (*h)[0]; !t.dead.Load() {
			return t
		}
		h.pop()
	}
	return nil
}

// clock is the backend's virtual clock and its timer queues: operation
// timers (waits, retries) and execution deadlines apart, so "the next
// operation timer" is a peek. Its mutex is a leaf: it is never held while
// an execution lock is taken.
type clock struct {
	mu        sync.Mutex
	now       time.Time
	ops       timerHeap
	deadlines timerHeap
	seq       uint64
	pruneAt   int // heap length at which arm drops the dead timers
}

// next is the earliest live timer of either queue (clock lock held).
func (c *clock) next() *timer {
	o, d := c.ops.peek(), c.deadlines.peek()
	switch {
	case o == nil:
		return d
	case d == nil:
		return o
	case d.Due.Before(o.Due) || d.Due.Equal(o.Due) && d.seq < o.seq:
		return d
	}
	return o
}

// Now is the current virtual time.
func (b *Backend) Now() time.Time {
	b.clock.mu.Lock()
	defer b.clock.mu.Unlock()
	return b.clock.now
}

// arm schedules t; the caller holds t.exec's lock (and keeps an operation
// timer in the execution's own heap too).
func (b *Backend) arm(t *timer) {
	b.clock.mu.Lock()
	b.clock.seq++
	t.seq = b.clock.seq
	if t.Kind == TimerExecutionTimeout {
		b.clock.deadlines.push(t)
	} else {
		b.clock.ops.push(t)
	}
	if n := len(b.clock.ops) + len(b.clock.deadlines); n >= b.clock.pruneAt {
		b.clock.ops.prune()
		b.clock.deadlines.prune()
		b.clock.pruneAt = max(minPrune, 2*(len(b.clock.ops)+len(b.clock.deadlines)))
	}
	b.clock.mu.Unlock()
}

// minPrune is the heap size below which dead timers are left for peek.
const minPrune = 256

// prune drops the dead timers. Cancelled and fired timers otherwise stay
// until they reach the top, and each holds its execution: an execution
// that ended long before its one-day timeout would stay in memory.
// Pruning when the heaps have doubled keeps arm O(log n) amortized.
func (h *timerHeap) prune() {
	live := slices.DeleteFunc(*h, func(t *timer) bool { return t.dead.Load() })
	clear((*h)[len(live):])
	slices.SortFunc(live, func(a, b *timer) int { // a sorted slice is a heap
		switch {
		case a.Due.Before(b.Due):
			return -1
		case b.Due.Before(a.Due):
			return 1
		}
		return int(a.seq) - int(b.seq)
	})
	*h = live
}

// Advance moves the virtual clock forward by d, firing every timer that
// falls due on the way, earliest first. It returns the timers that fired.
func (b *Backend) Advance(d time.Duration) []Timer {
	return b.AdvanceTo(b.Now().Add(d))
}

// AdvanceTo moves the virtual clock to t (never backwards), firing every
// timer due at or before t in due order; each fires at its own due time.
func (b *Backend) AdvanceTo(t time.Time) []Timer {
	var fired []Timer
	for {
		b.clock.mu.Lock()
		next := b.clock.next()
		if next == nil || next.Due.After(t) {
			if t.After(b.clock.now) {
				b.clock.now = t
			}
			b.clock.mu.Unlock()
			b.sweep()
			return fired
		}
		// next is the top of its heap (peek dropped the dead ones)
		if next.Kind == TimerExecutionTimeout {
			b.clock.deadlines.pop()
		} else {
			b.clock.ops.pop()
		}
		if next.Due.After(b.clock.now) {
			b.clock.now = next.Due
		}
		b.clock.mu.Unlock()
		if next.exec.fire(next) {
			fired = append(fired, next.Timer)
			if next.action != nil {
				next.action()
			}
		}
	}
}

// FireNext advances the clock to the earliest pending timer and fires every
// timer due at that instant. It returns nil when no timer is pending.
func (b *Backend) FireNext() []Timer {
	b.clock.mu.Lock()
	next := b.clock.next()
	b.clock.mu.Unlock()
	if next == nil {
		return nil
	}
	return b.AdvanceTo(next.Due)
}

// AdvanceUntilIdle fires the pending WAIT and RETRY timers in due order,
// moving the clock to each in turn, until none is left. An execution
// timeout fires only if it falls due before one of them, as it would in
// real time; otherwise it stays pending.
func (b *Backend) AdvanceUntilIdle() []Timer {
	var fired []Timer
	for {
		b.clock.mu.Lock()
		next := b.clock.ops.peek()
		b.clock.mu.Unlock()
		if next == nil {
			return fired
		}
		fired = append(fired, b.AdvanceTo(next.Due)...)
	}
}

// PendingTimers lists the live timers, earliest first.
func (b *Backend) PendingTimers() []Timer {
	b.clock.mu.Lock()
	live := make(timerHeap, 0, len(b.clock.ops)+len(b.clock.deadlines))
	for _, t := range append(b.clock.ops[:len(b.clock.ops):len(b.clock.ops)], b.clock.deadlines...) {
		if !t.dead.Load() {
			live = append(live, t)
		}
	}
	b.clock.mu.Unlock()
	out := make([]Timer, 0, len(live))
	for len(live) > 0 {
		out = append(out, live.pop().Timer)
	}
	return out
}
