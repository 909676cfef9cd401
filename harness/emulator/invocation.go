package emulator

import (
	"context"
	"time"
)

// invocation is one handler invocation the emulator hands to a function:
// the envelope the service sends, and where the answer goes.
type invocation struct {
	requestID string
	arn       string // the durable execution the invocation belongs to
	index     int    // 1-based number of the invocation within the execution
	function  string // the invoked function's qualified ARN
	payload   []byte // the invocation envelope
	deadline  time.Time
	duplicate bool // a second delivery of the same invocation (a fault plan)
}

// key names the invocation among those a function runs at once: an
// execution has one in flight, plus at most one duplicate delivery.
func (inv *invocation) key() string {
	if inv.duplicate {
		return inv.arn + " (duplicate delivery)"
	}
	return inv.arn
}

// runner runs one invocation to its end: the raw output, or an error for
// an invocation that failed (a crash, a time-out, a function error), which
// the service records and answers with a new invocation.
type runner interface {
	run(ctx context.Context, inv *invocation) ([]byte, error)
	close()
}

// InvocationError is a failed invocation as the Lambda service reports it
// in InvocationCompleted: Runtime.ExitError for a function process that
// died, Sandbox.Timedout for one that ran past its deadline, or the type a
// function error names. ErrorType and ErrorMessage let the backend record
// both as the service does.
type InvocationError struct {
	Type    string
	Message string
}

func (e *InvocationError) Error() string        { return "emulator: " + e.Type + ": " + e.Message }
func (e *InvocationError) ErrorType() string    { return e.Type }
func (e *InvocationError) ErrorMessage() string { return e.Message }
