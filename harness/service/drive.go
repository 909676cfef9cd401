package service

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// InvokeFunc runs one invocation: it gets the envelope JSON and returns the
// handler's output JSON, or an error when the invocation itself failed.
type InvokeFunc func(ctx context.Context, envelope []byte) ([]byte, error)

// DefaultMaxInvocations caps Drive and LocalRunner when no cap is given.
const DefaultMaxInvocations = 100

// An Actor plays the world outside an execution for Drive: the system that
// answers its callbacks. Each time the execution suspends, Drive calls
// Suspended before it moves the clock; the actor answers callbacks at once
// through the SendDurableExecutionCallback* methods, or later, on the
// virtual clock, with Schedule. An error stops Drive with it.
type Actor interface {
	Suspended(ctx context.Context, b *Backend, arn string) error
}

// DriveOptions tune DriveWith.
type DriveOptions struct {
	MaxInvocations int   // 0 means DefaultMaxInvocations
	Actor          Actor // nil: nobody answers callbacks (they time out)
}

// Drive runs an execution to its end the way the service does: invoke,
// record the outcome, and when the execution suspends, move the virtual
// clock to its next timer and invoke again. It returns the number of
// invocations made. It stops with *InvocationCapError after
// maxInvocations (0 means DefaultMaxInvocations), or with ctx's error.
func (b *Backend) Drive(ctx context.Context, arn string, invoke InvokeFunc, maxInvocations int) (int, error) {
	return b.DriveWith(ctx, arn, invoke, DriveOptions{MaxInvocations: maxInvocations})
}

// DriveWith is Drive with an Actor. Chained invokes run through the
// backend's ChainedInvoker as soon as the invocation that started them has
// ended, one after the other, on the same clock. While the execution is
// suspended the clock moves timer by timer (its waits, retries, callback
// timeouts, the actor's scheduled actions) until something needs the
// handler; when nothing else is left, the execution timeout ends it, as the
// service would end an execution whose callback nobody answers.
func (b *Backend) DriveWith(ctx context.Context, arn string, invoke InvokeFunc, o DriveOptions) (int, error) {
	maxInvocations := o.MaxInvocations
	if maxInvocations <= 0 {
		maxInvocations = DefaultMaxInvocations
	}
	for n := 0; ; {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if n >= maxInvocations {
			return n, &InvocationCapError{Arn: arn, Max: maxInvocations}
		}
		envelope, err := b.BeginInvocation(arn)
		if err != nil {
			if b.ended(arn) { // a stop or the execution timeout got there first
				return n, nil
			}
			return n, err
		}
		n++
		ictx := lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: b.requestID(arn)})
		output, invokeErr := invoke(ictx, envelope)
		outcome, err := b.EndInvocation(arn, output, invokeErr)
		if err != nil {
			return n, err
		}
		for _, ci := range outcome.ChainedInvokes {
			if err := b.RunChainedInvoke(ctx, ci); err != nil {
				return n, err
			}
		}
		switch outcome.Next {
		case NextTerminal:
			return n, nil
		case NextWait:
			if o.Actor != nil {
				if err := o.Actor.Suspended(ctx, b, arn); err != nil {
					return n, err
				}
			}
			b.advanceUntilAwake(arn)
		}
	}
}

// advanceUntilAwake moves the clock, timer by timer of this execution,
// until it needs an invocation or has ended.
func (b *Backend) advanceUntilAwake(arn string) {
	e := b.lookup(&arn)
	for {
		e.mu.Lock()
		if e.wake || !e.running() {
			e.mu.Unlock()
			return
		}
		due, ok := e.earliestTimer()
		if !ok {
			due = e.timeout.Due
		}
		e.mu.Unlock()
		b.AdvanceTo(due)
	}
}

// Schedule runs action on the virtual clock at time at (now if at has
// passed), as a timer of the execution, so the clock stops there on its way
// to the execution's other timers. It is how an Actor answers a callback
// after a delay. The action runs outside every lock of the backend and may
// call its API; it does not run if the execution has ended first.
func (b *Backend) Schedule(arn string, at time.Time, action func()) error {
	e, err := b.existing(arn)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.running() {
		return &LifecycleError{Arn: arn, Op: "Schedule", Reason: "the execution has ended (" + string(e.status) + ")"}
	}
	if now := b.Now(); at.Before(now) {
		at = now
	}
	t := &timer{Timer: Timer{Due: at, Kind: TimerAction, ExecutionArn: arn}, exec: e, action: action}
	e.timers.push(t)
	b.arm(t)
	return nil
}

// ended reports whether the execution exists and has reached a terminal
// status.
func (b *Backend) ended(arn string) bool {
	e := b.lookup(&arn)
	if e == nil {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.running()
}

// Awake reports whether the execution needs an invocation: something
// changed that its handler has not seen (a timer fired, a callback or a
// chained invoke completed) and it is still running. A driver that
// suspended checks it before it sleeps, so a completion that raced the
// suspension is not lost.
func (b *Backend) Awake(arn string) bool {
	e := b.lookup(&arn)
	if e == nil {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.wake && e.running() && !e.inFlight
}

// requestID is the request id of the invocation in flight ("" when none).
func (b *Backend) requestID(arn string) string {
	e, err := b.existing(arn)
	if err != nil {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requestID
}
