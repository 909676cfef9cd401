package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable/wire"
)

// Next says what an execution needs after an invocation ended.
type Next int

// What EndInvocation tells the caller to do next.
const (
	NextTerminal Next = iota // the execution has ended
	NextInvoke               // invoke again now (work is ready, or the invocation failed)
	NextWait                 // suspended until a timer (Outcome.WakeAt) or an outside actor wakes it
)

func (n Next) String() string {
	switch n {
	case NextTerminal:
		return "terminal"
	case NextInvoke:
		return "invoke"
	case NextWait:
		return "wait"
	}
	return "unknown"
}

// Outcome is what EndInvocation decided.
type Outcome struct {
	Next Next
	// WakeAt is the earliest pending timer, for NextWait; zero when only an
	// outside actor (a callback's sender, a chained invoke's target) can
	// resume the execution.
	WakeAt time.Time
	Status types.ExecutionStatus // the execution's status after the invocation
	// InvocationError is the error recorded in InvocationCompleted when the
	// invocation failed (crash, error, invalid output); nil otherwise.
	InvocationError *types.ErrorObject
	// ChainedInvokes are the chained invokes the invocation started, for
	// the caller to run with RunChainedInvoke (now, or concurrently) while
	// the execution waits for them; none once the execution has ended.
	ChainedInvokes []ChainedInvocation
}

// BeginInvocation opens an invocation of a running execution and returns
// the invocation envelope (durable.InvocationInput as JSON, operation
// timestamps in epoch milliseconds): a fresh checkpoint token, the first
// page of operations, the EXECUTION operation first, and, after the first
// invocation, UpdatedOperationIds: the operations that changed since the
// previous invocation last saw the state (a wait that fired, a retry that
// fell due, a callback answered, a chained invoke finished). At most one
// invocation per execution is in flight.
func (b *Backend) BeginInvocation(arn string) ([]byte, error) {
	e, err := b.existing(arn)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case !e.running():
		return nil, &LifecycleError{Arn: arn, Op: "BeginInvocation", Reason: "the execution has ended (" + string(e.status) + ")"}
	case e.inFlight:
		return nil, &LifecycleError{Arn: arn, Op: "BeginInvocation", Reason: "an invocation is already in flight"}
	}
	e.inFlight = true
	e.invocations++
	e.invStart = b.Now()
	e.requestID = uuidFrom("request:"+e.id, uint64(e.invocations))
	e.wake = false
	e.idem = nil
	e.tokenPrefix = tokenPrefix(e.id, e.invocations)
	e.newTokenLocked()
	ops, next := e.pageLocked(0, b.cfg.pageSize, false) // encoded below, under the lock
	var updated []string
	if e.invocations > 1 {
		updated = e.updatedIDsLocked()
	}
	e.clearDirty() // the envelope (and its further pages) shows the handler everything
	return encodeEnvelope(e.arn, e.token, ops, next, updated), nil
}

// invocationOutput is the handler's answer (protocol §5.2).
type invocationOutput struct {
	Status string
	Result *string
	Error  *types.ErrorObject
}

// EndInvocation closes the invocation in flight. output is the handler's
// JSON answer ({"Status":"SUCCEEDED","Result":...}, FAILED with Error, or
// PENDING); a non-nil invokeErr means the invocation itself failed (a crash)
// and output is ignored. It records InvocationCompleted (with a
// Runtime.ExitError for a crash, Runtime.InvalidResponse for an output the
// service rejects), ends the execution on SUCCEEDED or FAILED, and says
// what the execution needs next.
func (b *Backend) EndInvocation(arn string, output []byte, invokeErr error) (Outcome, error) {
	e, err := b.existing(arn)
	if err != nil {
		return Outcome{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.abandoned {
		// A stop already recorded this invocation's end and the execution's.
		e.abandoned = false
		return Outcome{Next: NextTerminal, Status: e.status}, nil
	}
	if !e.inFlight {
		return Outcome{}, &LifecycleError{Arn: arn, Op: "EndInvocation", Reason: "no invocation is in flight"}
	}
	now := b.Now()

	var invErr *types.ErrorObject
	var end *ending
	if invokeErr != nil {
		invErr = invocationError(e.requestID, invokeErr)
	} else {
		var bad string
		if end, bad = e.checkOutputLocked(output); bad != "" {
			invErr = &types.ErrorObject{ErrorType: aws.String("Runtime.InvalidResponse"), ErrorMessage: aws.String("invalid invocation output: " + bad)}
		}
	}

	e.closeInvocationLocked(now, invErr)

	// An ending decided mid-invocation (EXECUTION update, stop, timeout)
	// wins over whatever the handler answered.
	if e.ending != nil {
		end = e.ending
	}
	if invErr != nil && end == nil {
		e.failures++
		if e.failures >= b.cfg.maxFailedAttempts {
			end = &ending{status: types.ExecutionStatusFailed, err: copyErrorObject(invErr)}
		}
	} else if invErr == nil {
		e.failures = 0
	}
	if end != nil {
		e.finishLocked(end, now)
		return Outcome{Next: NextTerminal, Status: e.status, InvocationError: invErr}, nil
	}
	// A valid PENDING output guarantees a timer, a wake-up or an operation
	// the outside world ends, so an execution is never left with nothing
	// to resume it.
	out := Outcome{Status: e.status, InvocationError: invErr, Next: NextInvoke, ChainedInvokes: e.takeQueuedLocked()}
	if invErr == nil && !e.wake {
		if due, ok := e.earliestTimer(); ok {
			out.Next, out.WakeAt = NextWait, due
		} else if e.awaitsOutsideLocked() {
			out.Next = NextWait
		}
	}
	return out, nil
}

// invocationCompletedStorage is an InvocationCompleted event's details with
// what they point to: one allocation.
type invocationCompletedStorage struct {
	d          types.InvocationCompletedDetails
	start, end time.Time
	requestID  string
}

// closeInvocationLocked records the end of the invocation in flight
// (InvocationCompleted, with invErr when it failed) and retires its token.
func (e *execution) closeInvocationLocked(now time.Time, invErr *types.ErrorObject) {
	x := &invocationCompletedStorage{start: e.invStart, end: now, requestID: e.requestID}
	details := &x.d
	details.StartTimestamp, details.EndTimestamp, details.RequestId = &x.start, &x.end, &x.requestID
	if invErr != nil {
		details.Error = &types.EventError{Payload: invErr, Truncated: e.notTruncated}
	}
	e.appendEvent(types.Event{EventType: types.EventTypeInvocationCompleted, EventTimestamp: e.stamp(now), InvocationCompletedDetails: details})
	e.inFlight = false
	e.token = ""
}

// checkOutputLocked validates the handler's output and returns the ending
// it asks for (nil for PENDING), or why the service rejects it.
func (e *execution) checkOutputLocked(raw []byte) (*ending, string) {
	var out invocationOutput
	if wire.Unmarshal(raw, &out, wire.Seconds) != nil {
		// wire's fast decoder takes a well-formed output; a malformed one
		// is reported in encoding/json's words, as the history records it.
		err := json.Unmarshal(raw, new(invocationOutput))
		return nil, fmt.Sprintf("not an invocation output object: %v", err)
	}
	lim := e.b.cfg.limits
	switch out.Status {
	case "SUCCEEDED":
		if out.Error != nil {
			return nil, "a SUCCEEDED output must not carry an Error"
		}
		if out.Result != nil && len(*out.Result) > lim.MaxExecutionPayloadBytes {
			return nil, "the result is " + strconv.Itoa(len(*out.Result)) + " bytes; the limit is " + strconv.Itoa(lim.MaxExecutionPayloadBytes)
		}
		res := out.Result
		if res != nil && *res == "" {
			res = nil // "" means the result was checkpointed; the ending carries it
		}
		return &ending{status: types.ExecutionStatusSucceeded, result: res}, ""
	case "FAILED":
		if out.Result != nil && *out.Result != "" {
			return nil, "a FAILED output must not carry a Result"
		}
		if out.Error == nil {
			return nil, "a FAILED output must carry an Error"
		}
		if n := errorSize(out.Error); n > lim.MaxErrorBytes {
			return nil, "the error is " + strconv.Itoa(n) + " bytes; the limit is " + strconv.Itoa(lim.MaxErrorBytes)
		}
		return &ending{status: types.ExecutionStatusFailed, err: out.Error}, ""
	case "PENDING":
		if out.Result != nil || out.Error != nil {
			return nil, "a PENDING output must carry neither Result nor Error"
		}
		if !e.hasPendingWorkLocked() {
			return nil, "PENDING, but no operation is pending (no retry scheduled, no wait running, no callback or chained invoke open)"
		}
		return nil, ""
	case "":
		return nil, "Status is missing"
	}
	return nil, "Status " + out.Status + " is not SUCCEEDED, FAILED or PENDING"
}

// hasPendingWorkLocked reports whether anything will resume a suspended
// execution: a retry, wait or callback timer, a timer that fired during the
// invocation, or an open callback or chained invoke.
func (e *execution) hasPendingWorkLocked() bool {
	_, ok := e.earliestTimer()
	return ok || e.wake || e.awaitsOutsideLocked()
}

// awaitsOutsideLocked reports whether an operation only the outside world
// ends is open: a STARTED callback or chained invoke.
func (e *execution) awaitsOutsideLocked() bool {
	return e.openCallbacks > 0 || e.openChained > 0
}

// invocationError is the InvocationCompleted error of a failed invocation:
// Runtime.ExitError, unless the error names its own type (an emulator
// reports Sandbox.Timedout or a function error that way).
func invocationError(requestID string, err error) *types.ErrorObject {
	var named interface {
		error
		ErrorType() string
	}
	if errors.As(err, &named) && named.ErrorType() != "" {
		msg := named.Error()
		if m, ok := named.(interface{ ErrorMessage() string }); ok {
			msg = m.ErrorMessage()
		}
		return &types.ErrorObject{ErrorType: aws.String(named.ErrorType()), ErrorMessage: aws.String(msg)}
	}
	return &types.ErrorObject{
		ErrorType:    aws.String("Runtime.ExitError"),
		ErrorMessage: aws.String("RequestId: " + requestID + " Error: Runtime exited with error: " + err.Error()),
	}
}
