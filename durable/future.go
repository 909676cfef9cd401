package durable

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Void is the result type of an operation that produces no value, such as
// WaitAsync.
type Void struct{}

// Future is the result of an asynchronous durable operation (Go, StepAsync,
// WaitAsync, InvokeAsync, RunInChildContextAsync). The operation takes its
// position (its id) when the call is made, in call order, and starts at once
// on a goroutine of its own, as the official SDKs start a promise; the
// future settles exactly once and can be read any number of times.
//
// Read it with Result or through a combinator (All, AllSettled, Any, Race,
// Join): a combinator checkpoints what it saw, so a replay sees the same
// winner. Done is closed once the future has settled; choosing between
// futures with a select on Done channels is not checkpointed, so a replay
// may choose differently. Use Race, Any or Select for that.
//
// A future that is never read still runs: the context that made it waits,
// when its function returns, until the future has finished or cannot go
// on in this invocation, so no goroutine outlives the invocation and the
// records do not depend on when the function returned. A future inside a
// Parallel branch that an early stop abandons stops with the branch.
type Future[O any] struct {
	core  *future
	value O
}

// Awaitable is a future of any result type, for Join.
type Awaitable interface {
	awaitable() *future
}

func (f *Future[O]) awaitable() *future { return f.core }

// Result waits for the operation to settle and returns its outcome. When
// the operation cannot finish in this invocation (a wait or a retry is
// pending) Result returns an error the caller should pass up unchanged: the
// invocation then suspends, and a later one replays the operation.
func (f *Future[O]) Result() (O, error) {
	f.core.await()
	return f.value, f.core.err
}

// Done is closed once the future has settled; Result then returns at once.
func (f *Future[O]) Done() <-chan struct{} { return f.core.done }

// settleCounter orders settlements: Race and Any pick the future that
// settled first. Under a Scheduler every settlement happens on the turn, so
// the order within one execution is reproducible.
var settleCounter atomic.Uint64

// future is a Future without its value: the part combinators work on.
type future struct {
	exec *execution
	run  *branchRun // the operation's goroutine and its abandon flag
	done chan struct{}

	mu      sync.Mutex
	err     error
	order   uint64 // settlement order; 0 until settled
	waiters []*futureWaiter
}

// futureWaiter is a goroutine (a Scheduler task, or nil) waiting for one of
// several futures.
type futureWaiter struct {
	ch   chan struct{}
	task *task
}

func newFuture(e *execution, run *branchRun) *future {
	return &future{exec: e, run: run, done: make(chan struct{})}
}

// settled reports whether the future has settled and in which order.
func (f *future) settled() (uint64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.order, f.order != 0
}

// settle records err (nil for a value written beforehand) and wakes the
// waiters. It runs on the operation's goroutine while it holds the turn.
func (f *future) settle(err error) {
	f.mu.Lock()
	if f.order != 0 {
		f.mu.Unlock()
		return
	}
	f.err = err
	f.order = settleCounter.Add(1)
	ws := f.waiters
	f.waiters = nil
	close(f.done)
	f.mu.Unlock()
	for _, w := range ws {
		// Woken before it can run: it queues for a turn as soon as it
		// receives.
		if w.task != nil {
			f.exec.seq.wake(w.task)
		}
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
}

// suspends reports whether err only says the operation cannot finish in
// this invocation.
func suspends(err error) bool { return errors.Is(err, errSuspended) }

// control reports whether err unwinds the caller rather than being an
// outcome: a suspension, an abandonment, the execution's failure.
func (f *future) control() bool {
	return f.err != nil && (suspends(f.err) || errors.Is(f.err, errAbandoned) || f.exec.failed.Load() && f.err == f.exec.failure())
}

func (f *future) await() {
	awaitFutures(f.exec, []*future{f}, func() bool { _, ok := f.settled(); return ok })
}

// awaitFutures blocks until enough reports true, re-checking it each time
// one of fs settles. The caller holds the turn under a Scheduler and gives
// it up while it waits, as a Parallel's caller does.
func awaitFutures(e *execution, fs []*future, enough func() bool) {
	for !enough() {
		w := &futureWaiter{ch: make(chan struct{}, 1), task: e.seq.current()}
		registered := 0
		for _, f := range fs {
			f.mu.Lock()
			if f.order == 0 {
				f.waiters = append(f.waiters, w)
				registered++
			}
			f.mu.Unlock()
		}
		// Checked again once registered: a settlement in between has
		// already sent on w.ch, so the wait below cannot miss it.
		if registered > 0 && !enough() {
			if w.task != nil {
				e.seq.block(w.task)
			}
			<-w.ch
			if w.task != nil {
				e.seq.start(w.task)
			}
		}
		for _, f := range fs {
			f.unwait(w)
		}
		if registered == 0 {
			// Everything settled, some of it after enough last looked:
			// one more look, after which enough cannot change any more.
			enough()
			return
		}
	}
}

func (f *future) unwait(w *futureWaiter) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.waiters {
		if x == w {
			f.waiters = append(f.waiters[:i], f.waiters[i+1:]...)
			return
		}
	}
}

// futureSet holds the futures made in one context, to be finished with it.
type futureSet struct {
	mu sync.Mutex
	fs []*future
}

func (s *futureSet) add(f *future) {
	s.mu.Lock()
	s.fs = append(s.fs, f)
	s.mu.Unlock()
}

func (s *futureSet) take() []*future {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.fs
	s.fs = nil
	return fs
}

// finishFutures runs when c's function has returned: c waits for the
// futures made in it to finish or suspend, so no goroutine outlives the
// invocation and what they record does not depend on when c returned.
func (c *dctx) finishFutures() {
	fs := c.futures.take()
	awaitFutures(c.exec, fs, func() bool {
		for _, f := range fs {
			if _, ok := f.settled(); !ok {
				return false
			}
		}
		return true
	})
}

// current is the task holding the turn: the goroutine running user code
// that calls it. Nil without a Scheduler.
func (s *sequencer) current() *task {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running
}
