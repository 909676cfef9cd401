package durable

import (
	"time"
)

// Clock is the time source of the checkpoint batcher's flush timer
// (Env.Clock). The wall clock is the default; a test harness passes a
// virtual one, whose timers fire only when the harness moves its time on,
// so the timed flushes happen at reproducible points.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once, d from now, unless stop is called first;
	// stop reports whether it prevented the call.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// The official SDKs' batcher sends what is queued once no update has been
// queued for flushIdle, and at the latest flushMaxDelay after the first
// update of the batch (semantics §7.3, decisions §2.13).
const (
	flushIdle     = 100 * time.Millisecond
	flushMaxDelay = time.Second
)

// noteQueuedLocked records that an update was queued and arms the flush
// timer if none is pending. The timer is not moved on every update: when it
// fires early it arms itself again for the time left. qmu held.
func (e *execution) noteQueuedLocked() {
	if e.timerEnded {
		return
	}
	now := e.clock.Now()
	if e.firstQueued.IsZero() {
		e.firstQueued = now
	}
	e.lastQueued = now
	if e.timerStop == nil {
		e.timerStop = e.clock.AfterFunc(flushIdle, e.timedFlush)
	}
}

// flushDueLocked is when the queued updates are to be sent; zero when
// nothing is waiting. qmu held.
func (e *execution) flushDueLocked() time.Time {
	if e.firstQueued.IsZero() || len(e.queue) == 0 {
		return time.Time{}
	}
	due := e.lastQueued.Add(flushIdle)
	if latest := e.firstQueued.Add(flushMaxDelay); latest.Before(due) {
		due = latest
	}
	return due
}

// timedFlush is the flush timer's callback: it sends what is queued when
// it is due, or arms itself again for the time left.
func (e *execution) timedFlush() {
	e.qmu.Lock()
	e.timerStop = nil
	due := e.flushDueLocked()
	if e.timerEnded || due.IsZero() {
		e.qmu.Unlock()
		return
	}
	if left := due.Sub(e.clock.Now()); left > 0 {
		e.timerStop = e.clock.AfterFunc(left, e.timedFlush)
		e.qmu.Unlock()
		return
	}
	seq := e.enqueued
	e.timerWG.Add(1)
	e.qmu.Unlock()
	defer e.timerWG.Done()
	if !e.failed.Load() {
		e.flush(seq) // a failed call ends the invocation through e.fail
	}
}

// sentAllLocked is called once a call has emptied the queue: the next
// update starts a new batch. qmu held.
func (e *execution) sentAllLocked() {
	if len(e.queue) == 0 {
		e.firstQueued = time.Time{}
	}
}

// stopTimer ends the flush timer for good and waits for a timed flush in
// progress, so nothing of the invocation runs after it returns.
func (e *execution) stopTimer() {
	e.qmu.Lock()
	e.timerEnded = true
	if e.timerStop != nil {
		e.timerStop()
		e.timerStop = nil
	}
	e.qmu.Unlock()
	e.timerWG.Wait()
}
