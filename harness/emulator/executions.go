package emulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/service"
)

// executions drives every execution the emulator started, one goroutine
// each, invocation after invocation, as the service does. It moves the
// backend's virtual clock as a discrete-event simulation: time advances to
// the next timer only when no execution can progress without it (every
// driver is asleep), so concurrent executions see consistent time and no
// goroutine ever sleeps on the wall clock for a virtual wait.
//
// Except while a callback is open: its answer comes from outside the
// simulation, after a real delay, so the clock must not jump past the
// timers it races (a 5 s wait beside a callback answered after 1 s). Then
// the clock is paced: with every driver asleep, virtual time follows the
// wall clock, scaled by callbackScale, until a timer falls due, a callback
// is answered, or the last callback closes and the jumps resume. Callback
// timeouts therefore cost real time (scaled) and only while a callback
// waits; every other wait still costs nothing.
type executions struct {
	backend        *service.Backend
	logger         *slog.Logger
	maxInvocations int
	ctx            context.Context // the drivers' context, cancelled by Close

	startMu  sync.Mutex // serialises starts, so one name gets one driver
	mu       sync.Mutex
	runs     map[string]*run
	finished *reportStore             // reports of the executions whose driver is done
	forgot   chan struct{}            // closed (and replaced) each time a driver is done
	busy     int                      // drivers that are not asleep
	sleeping map[string]chan struct{} // asleep until the clock or a stop wakes them
	closed   bool
	wg       sync.WaitGroup

	callbackScale float64       // virtual seconds per wall-clock second while paced
	pacing        bool          // the pacer goroutine runs
	kick          chan struct{} // tells the pacer something changed
	epoch         uint64        // counts the times busy rose from 0

	// invocationHook, when set (by tests), runs as each invocation is
	// handed to the function's runner.
	invocationHook func(arn string, index int)
	// paceHook, when set (by tests), runs as the pacer goroutine starts,
	// before it looks at anything.
	paceHook func()
}

// run is one execution's driver.
type run struct {
	arn  string
	fn   *function
	done chan struct{} // closed when the execution has ended (or the emulator closed)
	// loop, when set, is the driver start left to its caller to run.
	loop func()
	// handBack: the driver runs on its adopter's busy token and leaves it
	// held when it ends (see adopt). Set before the driver can end: adopt
	// holds x.mu, which the driver's end takes.
	handBack bool

	mu        sync.Mutex
	interrupt context.CancelFunc // cancels the invocation in flight, if any
	stopped   bool               // the execution was stopped: no invocation may run on

	fault          *Fault      // the plan the starting Invoke gave, or nil
	faultApplied   bool        // the planned call came and the fault was injected
	calls          int         // checkpoint calls so far
	invocations    int         // invocations handed to the function so far
	current        *invocation // the invocation in flight, nil between them
	logs           []LogLine   // the function processes' output lines, at most maxLogLines
	logsDropped    int         // lines beyond maxLogLines
	refused        []RefusedCall
	refusedDropped int // refused calls beyond maxRefused
}

// invoke runs one invocation under a context interrupt cancels.
func (r *run) invoke(ctx context.Context, inv *invocation) ([]byte, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.mu.Lock()
	r.interrupt = cancel
	if r.stopped {
		cancel() // the stop came between BeginInvocation and here
	}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.interrupt = nil
		r.mu.Unlock()
	}()
	return r.fn.runner.run(ctx, inv)
}

// stopInvocation cancels the invocation in flight: a function process
// running it is killed, and replaced for the next invocation.
func (r *run) stopInvocation() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.interrupt != nil {
		r.interrupt()
	}
}

func newExecutions(ctx context.Context, b *service.Backend, logger *slog.Logger, maxInvocations int, callbackScale float64) *executions {
	return &executions{
		ctx:            ctx,
		backend:        b,
		logger:         logger,
		maxInvocations: maxInvocations,
		runs:           map[string]*run{},
		sleeping:       map[string]chan struct{}{},
		forgot:         make(chan struct{}),
		callbackScale:  callbackScale,
		kick:           make(chan struct{}, 1),
	}
}

// start creates the execution (or finds the one its name already started)
// and returns its driver. With inline, a driver start creates is left for
// the caller to run: it must call the run's loop at once, on its own
// goroutine (see Server.invoke).
func (x *executions) start(ctx context.Context, fn *function, in service.StartExecutionInput, fault *Fault, inline bool) (*run, error) {
	x.startMu.Lock()
	defer x.startMu.Unlock()
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return nil, errClosed
	}
	x.claimLocked() // a new execution is runnable from its first instant
	x.mu.Unlock()
	arn, err := x.backend.StartExecution(ctx, in)
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.driveLocked(fn, arn, err, fault, inline)
}

// adopt drives an execution the backend started itself, a chained
// invoke's durable target, with the busy token of the caller (the
// dispatcher of the chained invoke): the driver hands the token back when
// it ends instead of giving it up, so the clock cannot move between the
// target's end and the caller's operation completing. It reports whether
// the token went to a new driver; if not (the execution already has a
// driver or has ended) the token was given up.
func (x *executions) adopt(fn *function, arn string) (*run, bool, error) {
	x.startMu.Lock()
	defer x.startMu.Unlock()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed || x.runs[arn] != nil || x.ended(arn) {
		x.releaseLocked()
		if x.closed {
			return nil, false, errClosed
		}
		if r := x.runs[arn]; r != nil {
			return r, false, nil
		}
		r := &run{arn: arn, fn: fn, done: make(chan struct{})}
		close(r.done)
		return r, false, nil
	}
	r, err := x.driveLocked(fn, arn, nil, nil, false)
	r.handBack = true
	return r, true, err
}

// driveLocked starts the driver of arn, which holds the busy token the
// caller claimed, unless it already has one (or err, or the emulator
// closed: the token is given back). With inline the driver is not started
// but left in the run's loop.
func (x *executions) driveLocked(fn *function, arn string, err error, fault *Fault, inline bool) (*run, error) {
	if r := x.runs[arn]; err != nil || r != nil || x.closed {
		x.releaseLocked()
		if err == nil && r == nil {
			err = errClosed
		}
		return r, err
	}
	r := &run{arn: arn, fn: fn, done: make(chan struct{}), fault: fault}
	if x.ended(arn) {
		// The name re-attaches to an execution whose driver is done.
		x.releaseLocked()
		close(r.done)
		return r, nil
	}
	x.runs[arn] = r
	x.wg.Add(1)
	loop := func() {
		defer x.wg.Done()
		defer close(r.done)
		defer x.forget(r)
		x.drive(r)
	}
	if inline {
		r.loop = loop
		return r, nil
	}
	go loop()
	return r, nil
}

// forget drops a finished driver, so the emulator keeps nothing of an
// execution beyond what the backend holds (and evicts).
func (x *executions) forget(r *run) {
	x.finished.keep(r.report())
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.runs[r.arn] == r {
		delete(x.runs, r.arn)
	}
	close(x.forgot)
	x.forgot = make(chan struct{})
}

// running returns how many executions have a driver, and a channel closed
// when the next one is done.
func (x *executions) running() (int, <-chan struct{}) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.runs), x.forgot
}

// lookup returns the driver of an execution the emulator started.
func (x *executions) lookup(arn string) *run {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.runs[arn]
}

// drive invokes the execution's function until the execution ends. It owns
// one busy token while awake and gives it back when it returns.
func (x *executions) drive(r *run) {
	ctx := x.ctx
	defer func() {
		x.mu.Lock()
		if !r.handBack {
			x.releaseLocked()
		}
		x.mu.Unlock()
	}()
	for n := 0; ; {
		if ctx.Err() != nil {
			return
		}
		if n >= x.maxInvocations {
			x.stop(r.arn, "dpcheck.InvocationCap", fmt.Sprintf("the emulator stopped the execution after %d invocations", n))
			return
		}
		envelope, err := x.backend.BeginInvocation(r.arn)
		if err != nil {
			if !x.ended(r.arn) {
				x.logger.Error("emulator: cannot invoke", "arn", r.arn, "err", err)
				x.stop(r.arn, "dpcheck.EmulatorError", err.Error())
			}
			return
		}
		n++
		inv := &invocation{
			requestID: newRequestID(),
			arn:       r.arn,
			index:     n,
			function:  qualifiedFunctionArn(r.arn),
			payload:   envelope,
		}
		if x.invocationHook != nil {
			x.invocationHook(r.arn, n)
		}
		r.begin(inv)
		out, invokeErr := r.invoke(ctx, inv)
		r.end()
		if invokeErr != nil {
			x.logger.Warn("emulator: invocation failed", "arn", r.arn, "invocation", n, "err", invokeErr)
		}
		outcome, err := x.backend.EndInvocation(r.arn, out, invokeErr)
		if err != nil {
			x.logger.Error("emulator: cannot end the invocation", "arn", r.arn, "err", err)
			return
		}
		for _, ci := range outcome.ChainedInvokes {
			x.runChained(ctx, ci)
		}
		switch outcome.Next {
		case service.NextTerminal:
			return
		case service.NextInvoke:
		default: // NextWait or NextBlocked: a timer, a stop or the execution timeout wakes it
			if !x.sleep(ctx, r.arn) {
				return
			}
		}
	}
}

func (x *executions) ended(arn string) bool {
	st, err := x.backend.State(arn)
	return err == nil && st.Status != types.ExecutionStatusRunning
}

// stop ends an execution the emulator cannot drive further, so no client
// waits on it for ever.
func (x *executions) stop(arn, errType, msg string) {
	_, err := x.backend.StopDurableExecution(context.Background(), &lambda.StopDurableExecutionInput{
		DurableExecutionArn: aws.String(arn),
		Error:               &types.ErrorObject{ErrorType: aws.String(errType), ErrorMessage: aws.String(msg)},
	})
	if err != nil {
		x.logger.Error("emulator: cannot stop the execution", "arn", arn, "err", err)
	}
}

// sleep gives back the driver's busy token until the execution is woken.
// It reports false when ctx ended first.
func (x *executions) sleep(ctx context.Context, arn string) bool {
	ch := make(chan struct{}, 1)
	x.mu.Lock()
	// A callback answered or a chained invoke finished between the end of
	// the invocation and now has already set the backend's wake flag;
	// whatever sets it later wakes the sleeper under x.mu.
	if x.backend.Awake(arn) {
		x.mu.Unlock()
		return true
	}
	x.sleeping[arn] = ch
	x.releaseLocked()
	x.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		x.mu.Lock()
		if x.sleeping[arn] == ch {
			delete(x.sleeping, arn)
			x.claimLocked() // the deferred release in drive gives it back
		}
		x.mu.Unlock()
		return false
	}
}

// stopped makes a stopped execution's driver notice at once: a sleeping
// one wakes, an invocation in flight is cancelled.
func (x *executions) stopped(arn string) {
	x.wake(arn)
	if r := x.lookup(arn); r != nil {
		r.stopInvocation()
	}
}

// wake hands a sleeping driver a busy token and wakes it.
func (x *executions) wake(arn string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.wakeLocked(arn)
}

func (x *executions) wakeLocked(arn string) {
	if ch := x.sleeping[arn]; ch != nil {
		delete(x.sleeping, arn)
		x.claimLocked()
		ch <- struct{}{}
	}
}

// poke wakes every sleeping driver whose execution the backend says needs
// an invocation (after a callback was answered), and lets the clock
// reconsider: the callback may have been the last one open.
func (x *executions) poke() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.wakeAwakeLocked()
	x.settleLocked()
}

// wakeAwakeLocked wakes every sleeping driver whose execution the backend
// says needs an invocation, and reports whether it woke any.
func (x *executions) wakeAwakeLocked() bool {
	woke := false
	for arn := range x.sleeping {
		if x.backend.Awake(arn) {
			x.wakeLocked(arn)
			woke = true
		}
	}
	return woke
}

// claimLocked takes a busy token.
func (x *executions) claimLocked() {
	if x.busy == 0 {
		x.epoch++
	}
	x.busy++
	x.kickLocked()
}

func (x *executions) kickLocked() {
	if x.pacing {
		select {
		case x.kick <- struct{}{}:
		default:
		}
	}
}

// release gives back a busy token, acquire takes one.
func (x *executions) release() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.releaseLocked()
}

func (x *executions) acquire() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.claimLocked()
}

// releaseLocked gives back a busy token; the last one out moves the clock.
func (x *executions) releaseLocked() {
	x.busy--
	x.settleLocked()
}

// settleLocked moves the clock when every driver is asleep: it jumps from
// timer to timer, or, while a callback is open, hands over to the pacer.
// A sleeper the backend already marked awake (a callback answered whose
// poke has not come yet) is woken instead: the clock never moves while an
// execution is runnable.
func (x *executions) settleLocked() {
	for x.busy == 0 && len(x.sleeping) > 0 && !x.closed && x.ctx.Err() == nil {
		if x.wakeAwakeLocked() {
			return
		}
		if x.backend.OpenCallbacks() > 0 {
			if x.pacing {
				x.kickLocked()
			} else {
				x.pacing = true
				x.wg.Add(1)
				go x.pace()
			}
			return
		}
		fired := x.backend.FireNext()
		if len(fired) == 0 {
			return // nothing pending: every sleeper is blocked for good
		}
		for _, t := range fired {
			x.wakeLocked(t.ExecutionArn)
		}
	}
}

// pace lets virtual time follow the wall clock (scaled) while every driver
// is asleep and a callback is open; it ends when either stops being true.
// Time that passes while a driver is busy is not counted: the clock stands
// still during invocations, paced or not.
func (x *executions) pace() {
	defer x.wg.Done()
	if x.paceHook != nil {
		x.paceHook()
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for {
		if x.closed || x.ctx.Err() != nil || x.busy > 0 || len(x.sleeping) == 0 || x.backend.OpenCallbacks() == 0 {
			x.pacing = false
			x.settleLocked() // the last callback closed: jump again
			return
		}
		virt0, real0, epoch := x.backend.Now(), time.Now(), x.epoch
		wait := time.Minute // re-examined at least this often
		if next := x.backend.PendingTimers(); len(next) > 0 {
			wait = min(wait, time.Duration(float64(next[0].Due.Sub(virt0))/x.callbackScale))
		}
		t := time.NewTimer(wait)
		x.mu.Unlock()
		select {
		case <-t.C:
		case <-x.kick:
		case <-x.ctx.Done():
		}
		t.Stop()
		x.mu.Lock()
		if x.busy == 0 && x.epoch == epoch && !x.closed && !x.wakeAwakeLocked() {
			elapsed := time.Duration(float64(time.Since(real0)) * x.callbackScale)
			for _, f := range x.backend.AdvanceTo(virt0.Add(elapsed)) {
				x.wakeLocked(f.ExecutionArn)
			}
		}
	}
}

// close stops starting executions and waits for every driver; the caller
// has cancelled their context.
func (x *executions) close() {
	x.startMu.Lock()
	x.mu.Lock()
	x.closed = true
	x.mu.Unlock()
	x.startMu.Unlock()
	x.wg.Wait()
}

// qualifiedFunctionArn is the function part of an execution ARN
// (arn:...:function:NAME:QUALIFIER/durable-execution/NAME/ID).
func qualifiedFunctionArn(executionArn string) string {
	fn, _, _ := strings.Cut(executionArn, "/durable-execution/")
	return fn
}

// newRequestID is a random (version 4) UUID, as Lambda request ids are;
// every API answer carries one, so it is formatted without fmt (7
// allocations and 470 ns down to 1 and 120 ns).
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}
