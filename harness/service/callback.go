package service

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// callbackState is what the service keeps about a CALLBACK beyond its
// Operation: the id it minted and the heartbeat timer, which lives beside
// the overall timeout (opRecord.timer).
type callbackState struct {
	id            string
	heartbeatSecs int32
	heartbeat     *timer
}

// A callback id names its execution and operation, so Send* finds the
// callback without an index: standard base64 (the alphabet the model
// allows, '/', '+' and '=' included, which the HTTP routes must escape) of
// "ARN NUL operation id".
func callbackID(arn, opID string) string {
	return base64.StdEncoding.EncodeToString([]byte(arn + "\x00" + opID))
}

func parseCallbackID(id string) (arn, opID string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil {
		return "", "", false
	}
	arn, opID, ok = strings.Cut(string(raw), "\x00")
	return arn, opID, ok
}

// validCallbackID is the model's CallbackId constraint: 1-1024 characters
// of the base64 alphabet.
func validCallbackID(id string) bool {
	if len(id) < 1 || len(id) > 1024 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(idChars[c] && c != '_' && c != '-' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// startCallbackLocked applies a CALLBACK START: mint the id, record
// CallbackStarted with the timeouts asked for, and arm their timers.
func (e *execution) startCallbackLocked(rec *opRecord, u *types.OperationUpdate, now time.Time) {
	var o types.CallbackOptions
	if u.CallbackOptions != nil {
		o = *u.CallbackOptions
	}
	cs := &callbackState{id: callbackID(e.arn, *rec.op.Id), heartbeatSecs: o.HeartbeatTimeoutSeconds}
	rec.callback = cs
	rec.op.CallbackDetails = &types.CallbackDetails{CallbackId: &cs.id}
	d := &types.CallbackStartedDetails{CallbackId: &cs.id}
	if o.TimeoutSeconds > 0 {
		d.Timeout = ptr(o.TimeoutSeconds)
		e.armOpTimerLocked(rec, TimerCallback, now.Add(time.Duration(o.TimeoutSeconds)*time.Second))
	}
	if o.HeartbeatTimeoutSeconds > 0 {
		d.HeartbeatTimeout = ptr(o.HeartbeatTimeoutSeconds)
		cs.heartbeat = e.newOpTimerLocked(rec, TimerHeartbeat, now.Add(time.Duration(o.HeartbeatTimeoutSeconds)*time.Second))
	}
	ev := e.opEvent(rec, types.EventTypeCallbackStarted, now)
	ev.CallbackStartedDetails = d
	e.openCallbacks++
	e.b.openCallbacks.Add(1)
}

// closeCallbackLocked ends a STARTED callback: no timer left, one fewer
// open, and the handler is re-invoked to see it.
func (e *execution) closeCallbackLocked(rec *opRecord, status types.OperationStatus, at time.Time) {
	rec.op.Status = status
	rec.op.EndTimestamp = e.stamp(at)
	e.disarmLocked(rec)
	if hb := rec.callback.heartbeat; hb != nil {
		hb.dead.Store(true)
		rec.callback.heartbeat = nil
	}
	e.openCallbacks--
	e.b.openCallbacks.Add(-1)
	e.touch(rec)
	e.wake = true
}

// callbackTimedOutLocked fires a callback's timeout or heartbeat timer.
func (e *execution) callbackTimedOutLocked(rec *opRecord, kind TimerKind, at time.Time) {
	if kind == TimerCallback {
		rec.timer = nil
	} else {
		rec.callback.heartbeat = nil
	}
	errType, msg := "Callback.Timeout", "Callback timed out"
	if kind == TimerHeartbeat {
		errType = "Callback.Heartbeat"
		msg = "Callback timed out: no heartbeat for " + strconv.Itoa(int(rec.callback.heartbeatSecs)) + " seconds"
	}
	errObj := &types.ErrorObject{ErrorType: aws.String(errType), ErrorMessage: aws.String(msg)}
	rec.op.CallbackDetails = &types.CallbackDetails{CallbackId: &rec.callback.id, Error: errObj}
	e.closeCallbackLocked(rec, types.OperationStatusTimedOut, at)
	ev := e.opEvent(rec, types.EventTypeCallbackTimedOut, at)
	ev.CallbackTimedOutDetails = &types.CallbackTimedOutDetails{Error: &types.EventError{Payload: errObj, Truncated: e.notTruncated}}
}

// openCallback finds the STARTED callback an id names, with its execution
// locked; the caller unlocks it. Every way an id can be wrong is the
// service's error, as the API model words them: a malformed id or one
// naming no callback is an InvalidParameterValueException; a callback that
// timed out, was already completed or whose execution ended is closed, a
// CallbackTimeoutException ("the callback ID token has either expired or
// the callback associated with the token has already been closed").
func (b *Backend) openCallback(id *string) (*execution, *opRecord, error) {
	if id == nil || *id == "" {
		return nil, nil, invalidParam("CallbackId is required")
	}
	if !validCallbackID(*id) {
		return nil, nil, invalidParam("CallbackId must be 1-1024 characters of the base64 alphabet")
	}
	arn, opID, ok := parseCallbackID(*id)
	var e *execution
	if ok {
		e = b.lookup(&arn)
	}
	if e == nil {
		return nil, nil, invalidParam("CallbackId %s does not name a callback", *id)
	}
	e.mu.Lock()
	rec := e.rec(opID)
	var err error
	switch {
	case rec == nil || rec.callback == nil || rec.callback.id != *id:
		err = invalidParam("CallbackId %s does not name a callback", *id)
	case !e.running():
		err = callbackClosed("callback %s is closed: its durable execution has ended (%s)", *id, e.status)
	case rec.op.Status == types.OperationStatusTimedOut:
		err = callbackClosed("callback %s has timed out", *id)
	case rec.op.Status != types.OperationStatusStarted:
		err = callbackClosed("callback %s is closed: already %s", *id, rec.op.Status)
	}
	if err != nil {
		e.mu.Unlock()
		return nil, nil, err
	}
	return e, rec, nil
}

// callbackClosed is the model's error for a callback that can no longer
// be answered.
func callbackClosed(format string, args ...any) error {
	return &types.CallbackTimeoutException{Message: aws.String(fmt.Sprintf(format, args...)), Type: aws.String("User")}
}

// SendDurableExecutionCallbackSuccess completes a callback with Result (the
// request body, stored as text; none when empty), records
// CallbackSucceeded and re-invokes the execution. Result is limited to the
// operation payload limit.
func (b *Backend) SendDurableExecutionCallbackSuccess(_ context.Context, in *lambda.SendDurableExecutionCallbackSuccessInput, _ ...func(*lambda.Options)) (*lambda.SendDurableExecutionCallbackSuccessOutput, error) {
	if in == nil {
		return nil, invalidParam("CallbackId is required")
	}
	if n, lim := len(in.Result), b.cfg.limits.MaxPayloadBytes; n > lim {
		return nil, invalidParam("the Result is %d bytes; the limit is %d", n, lim)
	}
	e, rec, err := b.openCallback(in.CallbackId)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	now := b.Now()
	var result *string
	if len(in.Result) > 0 {
		result = aws.String(string(in.Result))
	}
	rec.op.CallbackDetails = &types.CallbackDetails{CallbackId: &rec.callback.id, Result: result}
	e.closeCallbackLocked(rec, types.OperationStatusSucceeded, now)
	ev := e.opEvent(rec, types.EventTypeCallbackSucceeded, now)
	ev.CallbackSucceededDetails = &types.CallbackSucceededDetails{Result: &types.EventResult{Payload: result, Truncated: e.notTruncated}}
	return &lambda.SendDurableExecutionCallbackSuccessOutput{}, nil
}

// SendDurableExecutionCallbackFailure fails a callback with Error (absent
// fields stay absent), records CallbackFailed and re-invokes the execution.
func (b *Backend) SendDurableExecutionCallbackFailure(_ context.Context, in *lambda.SendDurableExecutionCallbackFailureInput, _ ...func(*lambda.Options)) (*lambda.SendDurableExecutionCallbackFailureOutput, error) {
	if in == nil {
		return nil, invalidParam("CallbackId is required")
	}
	if n, lim := errorSize(in.Error), b.cfg.limits.MaxErrorBytes; n > lim {
		return nil, invalidParam("the Error is %d bytes; the limit is %d", n, lim)
	}
	e, rec, err := b.openCallback(in.CallbackId)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	now := b.Now()
	errObj := copyErrorObject(in.Error)
	if errObj == nil {
		errObj = &types.ErrorObject{}
	}
	rec.op.CallbackDetails = &types.CallbackDetails{CallbackId: &rec.callback.id, Error: errObj}
	e.closeCallbackLocked(rec, types.OperationStatusFailed, now)
	ev := e.opEvent(rec, types.EventTypeCallbackFailed, now)
	ev.CallbackFailedDetails = &types.CallbackFailedDetails{Error: &types.EventError{Payload: errObj, Truncated: e.notTruncated}}
	return &lambda.SendDurableExecutionCallbackFailureOutput{}, nil
}

// SendDurableExecutionCallbackHeartbeat tells the service the callback's
// worker is alive: the heartbeat timeout starts again from now. It records
// no event and does not re-invoke the execution. A callback without a
// heartbeat timeout accepts heartbeats and ignores them.
func (b *Backend) SendDurableExecutionCallbackHeartbeat(_ context.Context, in *lambda.SendDurableExecutionCallbackHeartbeatInput, _ ...func(*lambda.Options)) (*lambda.SendDurableExecutionCallbackHeartbeatOutput, error) {
	if in == nil {
		return nil, invalidParam("CallbackId is required")
	}
	e, rec, err := b.openCallback(in.CallbackId)
	if err != nil {
		return nil, err
	}
	defer e.mu.Unlock()
	if cs := rec.callback; cs.heartbeat != nil {
		cs.heartbeat.dead.Store(true)
		cs.heartbeat = e.newOpTimerLocked(rec, TimerHeartbeat, b.Now().Add(time.Duration(cs.heartbeatSecs)*time.Second))
	}
	return &lambda.SendDurableExecutionCallbackHeartbeatOutput{}, nil
}

// OpenCallbacks is the number of STARTED callbacks of running executions:
// operations only an outside actor (or their timeout) can end. The
// emulator does not let its clock jump while there are any.
func (b *Backend) OpenCallbacks() int { return int(b.openCallbacks.Load()) }
