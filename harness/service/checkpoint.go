package service

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

type checkpointResult = lambda.CheckpointDurableExecutionOutput

// CheckpointDurableExecution applies a batch of operation updates, as the
// service does: the presented token must be the execution's current one,
// the whole batch is validated before anything is applied, each update
// records its history event, and the response carries a fresh token (none
// when the batch ended the execution) and every operation changed since
// the handler last saw the state. A repeat of the last call with the same
// ClientToken and CheckpointToken gets the same response again.
func (b *Backend) CheckpointDurableExecution(_ context.Context, in *lambda.CheckpointDurableExecutionInput, _ ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	if in == nil || in.DurableExecutionArn == nil || *in.DurableExecutionArn == "" {
		return nil, invalidParam("DurableExecutionArn is required")
	}
	if in.ClientToken != nil && !clientTokenOK(*in.ClientToken) {
		return nil, invalidParam("ClientToken must be 1-64 printable characters without spaces")
	}
	e, err := b.invoked(*in.DurableExecutionArn)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()

	if in.ClientToken != nil && in.CheckpointToken != nil && e.idem != nil &&
		e.idem.clientToken == *in.ClientToken && e.idem.token == *in.CheckpointToken {
		return e.idem.answer(), nil
	}
	if err := e.checkTokenLocked(in.CheckpointToken); err != nil {
		return nil, err
	}
	if err := e.validateBatchLocked(in.Updates); err != nil {
		return nil, err
	}

	now := b.Now()
	terminal := false
	for i := range in.Updates {
		if e.applyLocked(&in.Updates[i], now) {
			terminal = true
		}
	}

	var kept *[]types.Operation
	if in.ClientToken != nil {
		e.idem = &idemEntry{clientToken: *in.ClientToken, token: *in.CheckpointToken}
		kept = &e.idem.ops
	}
	// one allocation for the output, its state and its token
	st := &checkpointOutputStorage{state: types.CheckpointUpdatedExecutionState{Operations: e.deltaLocked(kept)}}
	out := &st.out
	out.NewExecutionState = &st.state
	if !terminal {
		e.newTokenLocked()
		st.token = e.token
		out.CheckpointToken = &st.token
	} else {
		e.token = ""
	}
	if kept != nil {
		e.idem.next = e.token
	}
	return out, nil
}

// checkpointOutputStorage is a CheckpointDurableExecutionOutput with room
// for what it points to.
type checkpointOutputStorage struct {
	out   lambda.CheckpointDurableExecutionOutput
	state types.CheckpointUpdatedExecutionState
	token string
}

func clientTokenOK(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// deltaLocked returns copies of the operations changed since the handler
// last saw the state, in creation order, and marks them seen. With kept
// non-nil it also stores there the operations' values as they are now,
// which share the records' storage (for idemEntry).
func (e *execution) deltaLocked(kept *[]types.Operation) []types.Operation {
	if len(e.dirty) == 0 {
		return []types.Operation{}
	}
	slices.SortFunc(e.dirty, func(a, b *opRecord) int { return cmp.Compare(a.idx, b.idx) })
	out := make([]types.Operation, len(e.dirty))
	c := newOpCopier(len(e.dirty))
	for i, r := range e.dirty {
		c.copyTo(i, &out[i], &r.op)
	}
	if kept != nil {
		*kept = make([]types.Operation, len(e.dirty))
		for i, r := range e.dirty {
			(*kept)[i] = r.op
		}
	}
	e.clearDirty()
	return out
}

// applyLocked applies one validated update and records its event. It
// reports whether the update ended the execution.
func (e *execution) applyLocked(u *types.OperationUpdate, now time.Time) bool {
	if u.Type == types.OperationTypeExecution {
		end := &ending{status: types.ExecutionStatusSucceeded, result: cloneStr(u.Payload)}
		if u.Action == types.OperationActionFail {
			end = &ending{status: types.ExecutionStatusFailed, err: copyErrorObject(u.Error)}
		}
		e.endLocked(end, now)
		return true
	}
	rec := e.rec(*u.Id)
	if rec == nil {
		rec = e.createLocked(u, now)
	}
	op := &rec.op
	switch u.Type {
	case types.OperationTypeStep:
		e.applyStepLocked(rec, u, now)
	case types.OperationTypeWait:
		switch u.Action {
		case types.OperationActionStart:
			secs := *u.WaitOptions.WaitSeconds
			end := now.Add(time.Duration(secs) * time.Second)
			op.WaitDetails = &types.WaitDetails{ScheduledEndTimestamp: ptr(end)}
			ev := e.opEvent(rec, types.EventTypeWaitStarted, now)
			ev.WaitStartedDetails = &types.WaitStartedDetails{Duration: ptr(secs), ScheduledEndTimestamp: ptr(end)}
			e.armOpTimerLocked(rec, TimerWait, end)
		case types.OperationActionCancel:
			op.Status = types.OperationStatusCancelled
			op.EndTimestamp = e.stamp(now)
			e.disarmLocked(rec)
			ev := e.opEvent(rec, types.EventTypeWaitCancelled, now)
			ev.WaitCancelledDetails = &types.WaitCancelledDetails{Error: &types.EventError{Payload: copyErrorObject(u.Error), Truncated: e.notTruncated}}
		}
	case types.OperationTypeContext:
		var replay *bool
		if u.ContextOptions != nil && u.ContextOptions.ReplayChildren != nil {
			replay = aws.Bool(*u.ContextOptions.ReplayChildren)
		}
		switch u.Action {
		case types.OperationActionStart:
			ev := e.opEvent(rec, types.EventTypeContextStarted, now)
			ev.ContextStartedDetails = &types.ContextStartedDetails{}
		case types.OperationActionSucceed:
			op.Status = types.OperationStatusSucceeded
			op.EndTimestamp = e.stamp(now)
			both := new(contextSucceeded)
			cd := &both.stored
			cd.d.ReplayChildren = replay
			cd.d.Result = copyInto(&cd.result, u.Payload)
			op.ContextDetails = &cd.d
			ev := e.opEvent(rec, types.EventTypeContextSucceeded, now)
			x := &both.event
			x.result = types.EventResult{Payload: op.ContextDetails.Result, Truncated: e.notTruncated}
			x.d.Result = &x.result
			ev.ContextSucceededDetails = &x.d
		case types.OperationActionFail:
			op.Status = types.OperationStatusFailed
			op.EndTimestamp = e.stamp(now)
			op.ContextDetails = &types.ContextDetails{Error: copyErrorObject(u.Error), ReplayChildren: replay}
			ev := e.opEvent(rec, types.EventTypeContextFailed, now)
			ev.ContextFailedDetails = &types.ContextFailedDetails{Error: &types.EventError{Payload: op.ContextDetails.Error, Truncated: e.notTruncated}}
		}
	case types.OperationTypeCallback: // START is its only update
		e.startCallbackLocked(rec, u, now)
	case types.OperationTypeChainedInvoke:
		switch u.Action {
		case types.OperationActionStart:
			e.startChainedLocked(rec, u, now)
		case types.OperationActionCancel:
			e.cancelChainedLocked(rec, u, now)
		}
	}
	e.touch(rec)
	return false
}

// createLocked stores a new operation from its START update. The record
// holds copies of the update's strings, so the caller's pointers are not
// kept and one allocation serves them all; its ParentId is its parent's
// Id, which is never written either.
func (e *execution) createLocked(u *types.OperationUpdate, now time.Time) *opRecord {
	rec := &opRecord{idx: int32(len(e.ops))}
	// field by field: assigning a whole Operation would run the write
	// barrier over all of its pointer slots
	op := &rec.op
	op.Id = copyInto(&rec.strs[0], u.Id)
	op.Name = copyInto(&rec.strs[1], u.Name)
	op.Type = u.Type
	op.SubType = copyInto(&rec.strs[2], u.SubType)
	op.Status = types.OperationStatusStarted
	op.StartTimestamp = e.stamp(now)
	if u.ParentId != nil {
		// validation made sure the parent was created before
		rec.parent = e.rec(*u.ParentId)
		op.ParentId = rec.parent.op.Id
	}
	e.addRec(rec)
	return rec
}

// One allocation for a stored detail or an event's details and what they
// point to. Every pointer is set once and never written through.
type (
	storedStepResult struct {
		d      types.StepDetails
		result string
	}
	stepSucceededEvent struct {
		d      types.StepSucceededDetails
		result types.EventResult
		retry  types.RetryDetails
	}
	stepFailedEvent struct {
		d     types.StepFailedDetails
		err   types.EventError
		retry types.RetryDetails
	}
	contextSucceededEvent struct {
		d      types.ContextSucceededDetails
		result types.EventResult
	}
	storedContextResult struct {
		d      types.ContextDetails
		result string
	}
	// A SUCCEED's stored details and its event's live as long as the
	// execution both: one allocation for the two.
	stepSucceeded struct {
		stored storedStepResult
		event  stepSucceededEvent
	}
	contextSucceeded struct {
		stored storedContextResult
		event  contextSucceededEvent
	}
)

func (e *execution) applyStepLocked(rec *opRecord, u *types.OperationUpdate, now time.Time) {
	op := &rec.op
	var attempt int32
	if op.StepDetails != nil {
		attempt = op.StepDetails.Attempt
	}
	switch u.Action {
	case types.OperationActionStart:
		op.Status = types.OperationStatusStarted
		ev := e.opEvent(rec, types.EventTypeStepStarted, now)
		ev.StepStartedDetails = &types.StepStartedDetails{}
	case types.OperationActionSucceed:
		op.Status = types.OperationStatusSucceeded
		op.EndTimestamp = e.stamp(now)
		both := new(stepSucceeded)
		sd := &both.stored
		sd.d.Attempt = attempt + 1
		sd.d.Result = copyInto(&sd.result, u.Payload)
		op.StepDetails = &sd.d
		ev := e.opEvent(rec, types.EventTypeStepSucceeded, now)
		x := &both.event
		x.retry = types.RetryDetails{CurrentAttempt: attempt + 1}
		x.result = types.EventResult{Payload: op.StepDetails.Result, Truncated: e.notTruncated}
		x.d = types.StepSucceededDetails{Result: &x.result, RetryDetails: &x.retry}
		ev.StepSucceededDetails = &x.d
	case types.OperationActionFail:
		op.Status = types.OperationStatusFailed
		op.EndTimestamp = e.stamp(now)
		op.StepDetails = &types.StepDetails{Attempt: attempt + 1, Error: copyErrorObject(u.Error)}
		ev := e.opEvent(rec, types.EventTypeStepFailed, now)
		x := &stepFailedEvent{retry: types.RetryDetails{CurrentAttempt: attempt + 1}}
		x.err = types.EventError{Payload: op.StepDetails.Error, Truncated: e.notTruncated}
		x.d = types.StepFailedDetails{Error: &x.err, RetryDetails: &x.retry}
		ev.StepFailedDetails = &x.d
	case types.OperationActionRetry:
		delay := *u.StepOptions.NextAttemptDelaySeconds
		due := now.Add(time.Duration(delay) * time.Second)
		op.Status = types.OperationStatusPending
		op.StepDetails = &types.StepDetails{
			Attempt:              attempt + 1,
			NextAttemptTimestamp: ptr(due),
			Error:                copyErrorObject(u.Error),
			Result:               cloneStr(u.Payload),
		}
		retry := &types.RetryDetails{CurrentAttempt: attempt + 1, NextAttemptDelaySeconds: ptr(delay)}
		// A RETRY with an error is a failed attempt; without one it is a
		// wait-for-condition poll that carries its state as a result.
		if u.Error != nil {
			ev := e.opEvent(rec, types.EventTypeStepFailed, now)
			ev.StepFailedDetails = &types.StepFailedDetails{
				Error:        &types.EventError{Payload: op.StepDetails.Error, Truncated: e.notTruncated},
				RetryDetails: retry,
			}
		} else {
			ev := e.opEvent(rec, types.EventTypeStepSucceeded, now)
			ev.StepSucceededDetails = &types.StepSucceededDetails{
				Result:       &types.EventResult{Payload: op.StepDetails.Result, Truncated: e.notTruncated},
				RetryDetails: retry,
			}
		}
		e.armOpTimerLocked(rec, TimerRetry, due)
	}
}

func (e *execution) armOpTimerLocked(rec *opRecord, kind TimerKind, due time.Time) {
	rec.timer = e.newOpTimerLocked(rec, kind, due)
}

// newOpTimerLocked arms a timer about rec on the execution and the clock.
func (e *execution) newOpTimerLocked(rec *opRecord, kind TimerKind, due time.Time) *timer {
	t := &timer{Timer: Timer{Due: due, Kind: kind, ExecutionArn: e.arn, OperationId: *rec.op.Id}, exec: e, op: rec}
	e.timers.push(t)
	e.b.arm(t)
	return t
}

func (e *execution) disarmLocked(rec *opRecord) {
	if rec.timer != nil {
		rec.timer.dead.Store(true)
		rec.timer = nil
	}
}
