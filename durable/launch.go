package durable

import "time"

// A goroutine per branch is what production wants: a branch's checkpoint
// calls take milliseconds, and branches started together share them. An
// in-process backend answers in microseconds instead, and then the branches
// of a batch finish faster than a second core takes to wake up: spread over
// two cores they spend more time handing locks and wake-ups to each other
// than running (measured: the calculator ran 1.7x faster with its branches
// one after another). Env.SerialBranches lets such a caller run them on one
// goroutine, with a watchdog so that no branch ever waits on a slow or
// blocked one for longer than about that time: every branch still starts,
// in index order, and any interleaving this gives is one free-running
// goroutines could give too.

// serialRun is the state of a batch's serial runner, under parallelRun.mu.
type serialRun struct {
	waiting []int       // admitted branches not yet begun, in index order
	working bool        // a goroutine (the worker or the batch's caller) runs waiting branches
	caller  bool        // the batch's caller is admitting branches and will run them itself
	free    bool        // the watchdog fired: every branch gets a goroutine of its own
	begun   uint64      // branches the worker has begun
	seen    uint64      // begun when the watchdog last looked
	watch   *time.Timer // the watchdog; stopped while nobody works
}

// launchLocked starts admitted branch i: on a goroutine of its own, or in
// the serial runner's queue.
func (p *parallelRun) launchLocked(i int) {
	s := &p.serial
	d := p.pctx.exec.serial
	if d <= 0 || s.free {
		go p.runBranch(i)
		return
	}
	s.waiting = append(s.waiting, i)
	if !s.working && !s.caller {
		p.beginWorkLocked()
		go p.worker()
	}
}

// callerWorksLocked is called by the batch's caller after its first
// admission: it will run the waiting branches itself, since it waits for
// them anyway (saving a goroutine and a wake-up), if any wait.
func (p *parallelRun) callerWorksLocked() bool {
	s := &p.serial
	s.caller = false
	if s.working || len(s.waiting) == 0 {
		return false
	}
	p.beginWorkLocked()
	return true
}

func (p *parallelRun) beginWorkLocked() {
	s := &p.serial
	s.working = true
	s.seen = s.begun
	if s.watch == nil {
		s.watch = time.AfterFunc(p.pctx.exec.serial, p.watchdog)
	} else {
		s.watch.Reset(p.pctx.exec.serial)
	}
}

// worker is the goroutine that runs waiting branches when the batch's
// caller does not.
func (p *parallelRun) worker() {
	growStack(0)
	p.work()
}

// work runs waiting branches one after another until none waits.
func (p *parallelRun) work() {
	s := &p.serial
	p.mu.Lock()
	for len(s.waiting) > 0 {
		i := s.waiting[0]
		s.waiting = s.waiting[1:]
		s.begun++
		p.mu.Unlock()
		p.branch(i)
		p.mu.Lock()
	}
	s.working = false
	s.watch.Stop()
	p.mu.Unlock()
}

// watchdog looks at the worker every Env.SerialBranches: if it has begun no
// branch since the last look, the one it runs has taken at least that long,
// and the branches waiting behind it start on goroutines of their own, as
// does every branch the batch admits from then on.
func (p *parallelRun) watchdog() {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &p.serial
	if !s.working {
		return
	}
	if s.begun != s.seen {
		s.seen = s.begun
		s.watch.Reset(p.pctx.exec.serial)
		return
	}
	s.free = true
	for _, i := range s.waiting {
		go p.runBranch(i)
	}
	s.waiting = nil
}
