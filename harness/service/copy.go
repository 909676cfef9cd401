package service

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Everything the backend hands out is a deep copy, and everything it takes
// in is copied before it is stored, so callers can never reach into its
// state through a pointer.

func cloneStr(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneTime(p *time.Time) *time.Time {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneBool(p *bool) *bool {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneInt32(p *int32) *int32 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// errorStorage is a copied ErrorObject with room for its strings: one
// allocation instead of four.
type errorStorage struct {
	o    types.ErrorObject
	strs [3]string
}

func copyErrorObject(e *types.ErrorObject) *types.ErrorObject {
	if e == nil {
		return nil
	}
	st := new(errorStorage)
	st.o.ErrorType = copyInto(&st.strs[0], e.ErrorType)
	st.o.ErrorMessage = copyInto(&st.strs[1], e.ErrorMessage)
	st.o.ErrorData = copyInto(&st.strs[2], e.ErrorData)
	st.o.StackTrace = append([]string(nil), e.StackTrace...)
	return &st.o
}

// copyInto copies *src into *dst and returns dst (nil for a nil src): a
// deep copy that lives in storage the caller allocated in one piece.
func copyInto[T any](dst *T, src *T) *T {
	if src == nil {
		return nil
	}
	*dst = *src
	return dst
}

// opCopier deep-copies a list of operations (one response's) into storage
// they share: one array for their identifying strings, and slabs of times
// in which equal timestamps share one slot (on the virtual clock a whole
// response's operations carry one instant). Nothing the copies point to is
// shared with the backend; copies from one copier may share a time.
type opCopier struct {
	strs  [][4]string // Id, ParentId, Name, SubType of each copy
	times []time.Time // the unused rest of the current time slab
	slab  int         // the size of the current time slab
	last  *time.Time  // the time handed out last
}

func newOpCopier(n int) opCopier {
	return opCopier{strs: make([][4]string, n)}
}

// time returns a copy of *p, shared with the previous one when equal.
func (c *opCopier) time(p *time.Time) *time.Time {
	if p == nil {
		return nil
	}
	if c.last != nil && *c.last == *p {
		return c.last
	}
	if len(c.times) == 0 {
		// one slot first: most copies need no more
		c.slab = min(max(4*c.slab, 1), 64)
		c.times = make([]time.Time, c.slab)
	}
	c.last = &c.times[0]
	c.times = c.times[1:]
	*c.last = *p
	return c.last
}

// Copied details with room for what they point to: one allocation each.
type (
	executionDetailsStorage struct {
		d     types.ExecutionDetails
		input string
	}
	contextDetailsStorage struct {
		d      types.ContextDetails
		result string
		replay bool
	}
	stepDetailsStorage struct {
		d      types.StepDetails
		result string
	}
)

// copyTo writes a deep copy of o into *dst, which must be zero, as the
// copier's i-th copy.
// Writing the fields in place, instead of assigning a whole Operation (136
// bytes, mostly pointers) into a slice, costs far less under the garbage
// collector's write barriers; every checkpoint response copies operations.
func (c *opCopier) copyTo(i int, dst *types.Operation, o *types.Operation) {
	st := &c.strs[i]
	dst.Id = copyInto(&st[0], o.Id)
	dst.ParentId = copyInto(&st[1], o.ParentId)
	dst.Name = copyInto(&st[2], o.Name)
	dst.Type = o.Type
	dst.SubType = copyInto(&st[3], o.SubType)
	dst.Status = o.Status
	dst.StartTimestamp = c.time(o.StartTimestamp)
	dst.EndTimestamp = c.time(o.EndTimestamp)
	if d := o.ExecutionDetails; d != nil {
		x := new(executionDetailsStorage)
		x.d.InputPayload = copyInto(&x.input, d.InputPayload)
		dst.ExecutionDetails = &x.d
	}
	if d := o.ContextDetails; d != nil {
		x := new(contextDetailsStorage)
		x.d.Result = copyInto(&x.result, d.Result)
		x.d.Error = copyErrorObject(d.Error)
		x.d.ReplayChildren = copyInto(&x.replay, d.ReplayChildren)
		dst.ContextDetails = &x.d
	}
	if d := o.StepDetails; d != nil {
		x := new(stepDetailsStorage)
		x.d.Attempt = d.Attempt
		x.d.NextAttemptTimestamp = c.time(d.NextAttemptTimestamp)
		x.d.Result = copyInto(&x.result, d.Result)
		x.d.Error = copyErrorObject(d.Error)
		dst.StepDetails = &x.d
	}
	if d := o.WaitDetails; d != nil {
		dst.WaitDetails = &types.WaitDetails{ScheduledEndTimestamp: c.time(d.ScheduledEndTimestamp)}
	}
	if d := o.CallbackDetails; d != nil {
		dst.CallbackDetails = &types.CallbackDetails{CallbackId: cloneStr(d.CallbackId), Result: cloneStr(d.Result), Error: copyErrorObject(d.Error)}
	}
	if d := o.ChainedInvokeDetails; d != nil {
		dst.ChainedInvokeDetails = &types.ChainedInvokeDetails{Result: cloneStr(d.Result), Error: copyErrorObject(d.Error)}
	}
}

func copyEventResult(r *types.EventResult, data bool) *types.EventResult {
	if r == nil {
		return nil
	}
	if !data {
		return &types.EventResult{Truncated: truncated(r.Payload != nil)}
	}
	return &types.EventResult{Payload: cloneStr(r.Payload), Truncated: cloneBool(r.Truncated)}
}

func copyEventError(r *types.EventError, data bool) *types.EventError {
	if r == nil {
		return nil
	}
	if !data {
		return &types.EventError{Truncated: truncated(r.Payload != nil)}
	}
	return &types.EventError{Payload: copyErrorObject(r.Payload), Truncated: cloneBool(r.Truncated)}
}

func copyEventInput(r *types.EventInput, data bool) *types.EventInput {
	if r == nil {
		return nil
	}
	if !data {
		return &types.EventInput{Truncated: truncated(r.Payload != nil)}
	}
	return &types.EventInput{Payload: cloneStr(r.Payload), Truncated: cloneBool(r.Truncated)}
}

// truncated is the Truncated flag of a payload left out because the caller
// asked for no execution data.
func truncated(had bool) *bool {
	v := had
	return &v
}

func copyRetryDetails(r *types.RetryDetails) *types.RetryDetails {
	if r == nil {
		return nil
	}
	return &types.RetryDetails{CurrentAttempt: r.CurrentAttempt, NextAttemptDelaySeconds: cloneInt32(r.NextAttemptDelaySeconds)}
}

// copyEvent deep-copies a history event; with data false the payloads are
// left out and marked Truncated, as IncludeExecutionData=false asks.
func copyEvent(ev *types.Event, data bool) types.Event {
	c := types.Event{
		EventType:      ev.EventType,
		EventId:        cloneInt32(ev.EventId),
		EventTimestamp: cloneTime(ev.EventTimestamp),
		Id:             cloneStr(ev.Id),
		Name:           cloneStr(ev.Name),
		SubType:        cloneStr(ev.SubType),
		ParentId:       cloneStr(ev.ParentId),
	}
	if d := ev.ExecutionStartedDetails; d != nil {
		c.ExecutionStartedDetails = &types.ExecutionStartedDetails{Input: copyEventInput(d.Input, data), ExecutionTimeout: cloneInt32(d.ExecutionTimeout)}
	}
	if d := ev.ExecutionSucceededDetails; d != nil {
		c.ExecutionSucceededDetails = &types.ExecutionSucceededDetails{Result: copyEventResult(d.Result, data)}
	}
	if d := ev.ExecutionFailedDetails; d != nil {
		c.ExecutionFailedDetails = &types.ExecutionFailedDetails{Error: copyEventError(d.Error, data)}
	}
	if d := ev.ExecutionTimedOutDetails; d != nil {
		c.ExecutionTimedOutDetails = &types.ExecutionTimedOutDetails{Error: copyEventError(d.Error, data)}
	}
	if d := ev.ExecutionStoppedDetails; d != nil {
		c.ExecutionStoppedDetails = &types.ExecutionStoppedDetails{Error: copyEventError(d.Error, data)}
	}
	if ev.ContextStartedDetails != nil {
		c.ContextStartedDetails = &types.ContextStartedDetails{}
	}
	if d := ev.ContextSucceededDetails; d != nil {
		c.ContextSucceededDetails = &types.ContextSucceededDetails{Result: copyEventResult(d.Result, data)}
	}
	if d := ev.ContextFailedDetails; d != nil {
		c.ContextFailedDetails = &types.ContextFailedDetails{Error: copyEventError(d.Error, data)}
	}
	if ev.StepStartedDetails != nil {
		c.StepStartedDetails = &types.StepStartedDetails{}
	}
	if d := ev.StepSucceededDetails; d != nil {
		c.StepSucceededDetails = &types.StepSucceededDetails{Result: copyEventResult(d.Result, data), RetryDetails: copyRetryDetails(d.RetryDetails)}
	}
	if d := ev.StepFailedDetails; d != nil {
		c.StepFailedDetails = &types.StepFailedDetails{Error: copyEventError(d.Error, data), RetryDetails: copyRetryDetails(d.RetryDetails)}
	}
	if d := ev.WaitStartedDetails; d != nil {
		c.WaitStartedDetails = &types.WaitStartedDetails{Duration: cloneInt32(d.Duration), ScheduledEndTimestamp: cloneTime(d.ScheduledEndTimestamp)}
	}
	if d := ev.WaitSucceededDetails; d != nil {
		c.WaitSucceededDetails = &types.WaitSucceededDetails{Duration: cloneInt32(d.Duration)}
	}
	if d := ev.WaitCancelledDetails; d != nil {
		c.WaitCancelledDetails = &types.WaitCancelledDetails{Error: copyEventError(d.Error, data)}
	}
	if d := ev.CallbackStartedDetails; d != nil {
		c.CallbackStartedDetails = &types.CallbackStartedDetails{CallbackId: cloneStr(d.CallbackId), HeartbeatTimeout: cloneInt32(d.HeartbeatTimeout), Timeout: cloneInt32(d.Timeout)}
	}
	if d := ev.CallbackSucceededDetails; d != nil {
		c.CallbackSucceededDetails = &types.CallbackSucceededDetails{Result: copyEventResult(d.Result, data)}
	}
	if d := ev.CallbackFailedDetails; d != nil {
		c.CallbackFailedDetails = &types.CallbackFailedDetails{Error: copyEventError(d.Error, data)}
	}
	if d := ev.CallbackTimedOutDetails; d != nil {
		c.CallbackTimedOutDetails = &types.CallbackTimedOutDetails{Error: copyEventError(d.Error, data)}
	}
	if d := ev.ChainedInvokeStartedDetails; d != nil {
		c.ChainedInvokeStartedDetails = &types.ChainedInvokeStartedDetails{
			FunctionName:        cloneStr(d.FunctionName),
			TenantId:            cloneStr(d.TenantId),
			Input:               copyEventInput(d.Input, data),
			ExecutedVersion:     cloneStr(d.ExecutedVersion),
			DurableExecutionArn: cloneStr(d.DurableExecutionArn),
		}
	}
	if d := ev.ChainedInvokeSucceededDetails; d != nil {
		c.ChainedInvokeSucceededDetails = &types.ChainedInvokeSucceededDetails{Result: copyEventResult(d.Result, data)}
	}
	if d := ev.ChainedInvokeFailedDetails; d != nil {
		c.ChainedInvokeFailedDetails = &types.ChainedInvokeFailedDetails{Error: copyEventError(d.Error, data)}
	}
	if d := ev.ChainedInvokeTimedOutDetails; d != nil {
		c.ChainedInvokeTimedOutDetails = &types.ChainedInvokeTimedOutDetails{Error: copyEventError(d.Error, data)}
	}
	if d := ev.ChainedInvokeStoppedDetails; d != nil {
		c.ChainedInvokeStoppedDetails = &types.ChainedInvokeStoppedDetails{Error: copyEventError(d.Error, data)}
	}
	if d := ev.InvocationCompletedDetails; d != nil {
		c.InvocationCompletedDetails = &types.InvocationCompletedDetails{
			StartTimestamp: cloneTime(d.StartTimestamp),
			EndTimestamp:   cloneTime(d.EndTimestamp),
			RequestId:      cloneStr(d.RequestId),
			Error:          copyEventError(d.Error, data),
		}
	}
	return c
}
