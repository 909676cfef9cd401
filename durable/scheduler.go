package durable

import (
	"fmt"
	"sync"
)

// Scheduler, when set in Env, serializes the goroutines that run user code
// (the handler's and one per Parallel branch) so that one interleaving can be
// reproduced: only one of them runs at a time, and at every turn boundary the
// Scheduler picks which waiting goroutine goes next.
//
// A goroutine gives up its turn before each durable operation, before each
// terminal checkpoint (SUCCEED, FAIL, RETRY) of a step or context, and while
// it waits for its Parallel's branches. The runtime only asks Pick when
// every live goroutine has reached such a point, so the choice never depends
// on timing: the same sequence of Pick answers yields the same execution.
// Step bodies run while holding the turn; they must not wait on each other.
type Scheduler interface {
	// Pick returns the index in ready of the task to run next. ready holds
	// at least two tasks, in creation order.
	Pick(ready []Task) int
}

// Task is a goroutine running user code.
type Task struct {
	Seq  int    // creation order in the invocation; 0 is the handler's goroutine
	ID   string // wire id of the branch context; "" for the handler
	Name string // branch name; "" for the handler
}

type taskState int

const (
	taskArriving taskState = iota // created or woken, not yet queued for a turn
	taskReady                     // waiting for a turn
	taskRunning                   // holds the turn
	taskBlocked                   // waiting for its Parallel's branches
)

type task struct {
	info  Task
	state taskState
	grant chan struct{}
}

// sequencer hands out turns. All methods are no-ops on a nil sequencer,
// which is what free-running execution uses.
type sequencer struct {
	sched    Scheduler
	mu       sync.Mutex
	running  *task
	arriving int
	ready    []*task // creation order
	nextSeq  int
	infos    []Task // scratch for Pick
}

func newSequencer(s Scheduler) *sequencer {
	if s == nil {
		return nil
	}
	return &sequencer{sched: s}
}

// newTask registers a task; the caller (holding the turn) then starts the
// goroutine, which calls start.
func (s *sequencer) newTask(id, name string) *task {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &task{info: Task{Seq: s.nextSeq, ID: id, Name: name}, state: taskArriving, grant: make(chan struct{}, 1)}
	s.nextSeq++
	s.arriving++
	return t
}

// start queues an arriving task and waits for its turn.
func (s *sequencer) start(t *task) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if t.state != taskArriving {
		s.mu.Unlock()
		panic(fmt.Sprintf("durable: scheduler: task %d started in state %d", t.info.Seq, t.state))
	}
	s.arriving--
	s.enqueueLocked(t)
	s.dispatchLocked()
	s.mu.Unlock()
	<-t.grant
}

// yield gives the turn up and waits for it again. With nobody else waiting
// or arriving the task keeps running.
func (s *sequencer) yield(t *task) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if len(s.ready) == 0 && s.arriving == 0 {
		s.mu.Unlock()
		return
	}
	s.running = nil
	s.enqueueLocked(t)
	s.dispatchLocked()
	s.mu.Unlock()
	<-t.grant
}

// block gives the turn up while t waits for something another task will
// wake it for.
func (s *sequencer) block(t *task) {
	if s == nil {
		return
	}
	s.mu.Lock()
	t.state = taskBlocked
	s.running = nil
	s.dispatchLocked()
	s.mu.Unlock()
}

// wake marks a blocked task as arriving. The caller holds the turn, so no
// turn is handed out before the woken task has queued itself with start.
func (s *sequencer) wake(t *task) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if t.state == taskBlocked {
		t.state = taskArriving
		s.arriving++
	}
	s.mu.Unlock()
}

// exit gives the turn up for good.
func (s *sequencer) exit(t *task) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.running == t {
		s.running = nil
	}
	s.dispatchLocked()
	s.mu.Unlock()
}

func (s *sequencer) enqueueLocked(t *task) {
	t.state = taskReady
	i := len(s.ready)
	for i > 0 && s.ready[i-1].info.Seq > t.info.Seq {
		i--
	}
	s.ready = append(s.ready, nil)
	copy(s.ready[i+1:], s.ready[i:])
	s.ready[i] = t
}

// dispatchLocked grants the turn once nobody holds it and every task is
// either waiting for a turn or blocked.
func (s *sequencer) dispatchLocked() {
	if s.running != nil || s.arriving > 0 || len(s.ready) == 0 {
		return
	}
	i := 0
	if len(s.ready) > 1 {
		s.infos = s.infos[:0]
		for _, t := range s.ready {
			s.infos = append(s.infos, t.info)
		}
		i = s.sched.Pick(s.infos)
		if i < 0 || i >= len(s.ready) {
			panic(fmt.Sprintf("durable: scheduler: Pick returned %d for %d ready tasks", i, len(s.ready)))
		}
	}
	t := s.ready[i]
	s.ready = append(s.ready[:i], s.ready[i+1:]...)
	t.state = taskRunning
	s.running = t
	t.grant <- struct{}{}
}
