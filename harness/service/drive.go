package service

import (
	"context"
)

// InvokeFunc runs one invocation: it gets the envelope JSON and returns the
// handler's output JSON, or an error when the invocation itself failed.
type InvokeFunc func(ctx context.Context, envelope []byte) ([]byte, error)

// DefaultMaxInvocations caps Drive and LocalRunner when no cap is given.
const DefaultMaxInvocations = 100

// Drive runs an execution to its end the way the service does: invoke,
// record the outcome, and when the execution suspends, move the virtual
// clock to its next timer and invoke again. It returns the number of
// invocations made. It stops with *InvocationCapError after
// maxInvocations (0 means DefaultMaxInvocations), or with ctx's error.
func (b *Backend) Drive(ctx context.Context, arn string, invoke InvokeFunc, maxInvocations int) (int, error) {
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
		output, invokeErr := invoke(ctx, envelope)
		outcome, err := b.EndInvocation(arn, output, invokeErr)
		if err != nil {
			return n, err
		}
		switch outcome.Next {
		case NextTerminal:
			return n, nil
		case NextWait:
			b.AdvanceTo(outcome.WakeAt)
		}
	}
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
