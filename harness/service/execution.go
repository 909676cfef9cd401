package service

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// execution is one durable execution. Every field below mu is guarded by it.
type execution struct {
	b   *Backend
	seq uint64 // creation order in the backend

	// immutable after StartExecution
	arn, id, name, function, qualifier, functionArn string
	version                                         string // the version the qualifier resolved to
	input                                           string
	noInput                                         bool // no input was given: InputPayload absent
	timeoutSecs                                     int32
	notTruncated                                    *bool // Truncated: false, shared by this execution's events
	start                                           time.Time

	mu      sync.Mutex
	status  types.ExecutionStatus
	end     time.Time
	result  *string
	errObj  *types.ErrorObject
	ending  *ending // decided while an invocation is in flight, applied when it ends
	ops     []*opRecord
	byID    map[string]*opRecord // nil while ops is short: see rec
	history []types.Event        // append-only; never mutated once written
	timers  timerHeap            // this execution's operation timers (shared with the clock's heap)
	timeout *timer               // the execution-timeout timer

	// invocation state
	invocations int
	inFlight    bool
	abandoned   bool // a stop ended the invocation in flight: its EndInvocation records nothing
	invStart    time.Time
	requestID   string
	token       string
	tokenPrefix string
	tokenSeq    int
	failures    int  // consecutive failed invocations
	wake        bool // something changed the handler has not seen: re-invoke
	idem        *idemEntry

	// operations that only the outside world ends: STARTED callbacks, and
	// chained invokes, which wait in queued until the invocation that
	// started them ends
	openCallbacks int
	openChained   int
	queued        []ChainedInvocation

	// delta tracking for checkpoint responses: ops changed since the
	// handler last saw the state, in no particular order
	dirty []*opRecord

	// the unused rest of the current slabs of eventID and stamp
	idSlab       []int32
	timeSlab     []time.Time
	timeSlabSize int        // the size of the last time slab
	lastStamp    *time.Time // the last pointer stamp handed out
}

// opRecord is the stored state of one operation. op is replaced field by
// field, never mutated through its pointers, so sharing pointers with
// history events is safe; readers get deep copies.
type opRecord struct {
	op       types.Operation
	idx      int32 // creation order; the EXECUTION op is 0
	dirty    bool
	parent   *opRecord
	timer    *timer // the WAIT, RETRY or callback timeout timer
	callback *callbackState
	chained  *chainedState
	strs     [3]string // storage for op's Id, Name, SubType; ParentId is the parent's Id
}

// ending is a terminal state decided mid-invocation (an EXECUTION update,
// a stop, a timeout); the terminal event is written after the invocation's
// InvocationCompleted so the execution's event stays last.
type ending struct {
	status types.ExecutionStatus
	result *string
	err    *types.ErrorObject
}

// idemEntry is the last checkpoint call made with a ClientToken and its
// response, for a repeat of the call. The response's operations are kept
// as the values they had: their storage is the records', which is never
// written through (see opRecord), so a repeat deep-copies the same
// operations however the records changed since, and a call that is never
// repeated (the common case: SDKs send a ClientToken with every call)
// costs no copy beyond the one it returns.
type idemEntry struct {
	clientToken, token string
	ops                []types.Operation
	next               string // the response's CheckpointToken; "" when the call ended the execution
}

// answer is the response to a repeat of the call: a deep copy.
func (ie *idemEntry) answer() *checkpointResult {
	ops := make([]types.Operation, len(ie.ops))
	c := newOpCopier(len(ops))
	for i := range ie.ops {
		c.copyTo(i, &ops[i], &ie.ops[i])
	}
	out := &checkpointResult{NewExecutionState: &types.CheckpointUpdatedExecutionState{Operations: ops}}
	if ie.next != "" {
		out.CheckpointToken = aws.String(ie.next)
	}
	return out
}

// startExecutionLocked creates the EXECUTION op, ExecutionStarted and the
// execution-timeout timer.
func (e *execution) startExecutionLocked(now time.Time) {
	// the record and the event each hold what they point to
	rec := &opRecord{strs: [3]string{e.id, e.name}}
	x := &executionStartedStorage{timeout: e.timeoutSecs}
	if !e.noInput { // InputPayload stays nil when no input was given
		x.payload = e.input
		x.details.InputPayload = &x.payload
	}
	op := &rec.op
	op.Id, op.Name, op.Type, op.Status = &rec.strs[0], &rec.strs[1], types.OperationTypeExecution, types.OperationStatusStarted
	op.StartTimestamp, op.ExecutionDetails = e.stamp(now), &x.details
	e.addRec(rec)
	x.input = types.EventInput{Payload: x.details.InputPayload, Truncated: e.notTruncated}
	x.started = types.ExecutionStartedDetails{Input: &x.input, ExecutionTimeout: &x.timeout}
	ev := e.newEvent()
	ev.EventId = e.eventID(int32(len(e.history)))
	ev.EventType = types.EventTypeExecutionStarted
	ev.EventTimestamp = e.stamp(now)
	ev.Id, ev.Name = op.Id, op.Name // shared like opEvent's
	ev.ExecutionStartedDetails = &x.started
	e.timeout = &timer{Timer: Timer{
		Due:          now.Add(time.Duration(e.timeoutSecs) * time.Second),
		Kind:         TimerExecutionTimeout,
		ExecutionArn: e.arn,
	}, exec: e}
	e.b.arm(e.timeout)
}

// executionStartedStorage holds the EXECUTION op's details and its
// ExecutionStarted event's, which share the input: one allocation.
type executionStartedStorage struct {
	details types.ExecutionDetails
	started types.ExecutionStartedDetails
	input   types.EventInput
	payload string
	timeout int32
}

// byIDMin is the operation count from which rec uses a map: below it a
// scan of ops is cheaper than building (and collecting) one per execution.
const byIDMin = 16

// rec returns the operation with the given id, or nil.
func (e *execution) rec(id string) *opRecord {
	if e.byID != nil {
		return e.byID[id]
	}
	for _, r := range e.ops {
		if *r.op.Id == id {
			return r
		}
	}
	return nil
}

// addRec stores a new operation, whose id no stored operation has.
func (e *execution) addRec(rec *opRecord) {
	e.ops = append(e.ops, rec)
	switch {
	case e.byID != nil:
		e.byID[*rec.op.Id] = rec
	case len(e.ops) > byIDMin:
		e.byID = make(map[string]*opRecord, 2*len(e.ops))
		for _, r := range e.ops {
			e.byID[*r.op.Id] = r
		}
	}
}

func (e *execution) appendEvent(ev types.Event) {
	*e.newEvent() = ev
	e.history[len(e.history)-1].EventId = e.eventID(int32(len(e.history)))
}

// How many event ids and timestamps one slab allocation holds: ids for as
// many events as a new history has room for; timestamps, which runs of
// equal times share, in slabs that double from the first to the last
// size (32 fill a 768-byte size class).
const (
	idSlabSize        = historyCap
	timeSlabFirstSize = 4
	timeSlabLastSize  = 32
)

// eventID returns a pointer to a fresh int32 holding id, carved from a
// slab: one allocation serves many events instead of one each.
func (e *execution) eventID(id int32) *int32 {
	if len(e.idSlab) == 0 {
		e.idSlab = make([]int32, idSlabSize)
	}
	p := &e.idSlab[0]
	e.idSlab = e.idSlab[1:]
	*p = id
	return p
}

// stamp returns a pointer to a time.Time holding t, carved from a slab
// like eventID's. Each pointer is written once and never written through,
// so a run of equal times (a batch's updates, and on the virtual clock
// whole invocations, happen at one instant) shares the last one, as
// events already share their op's Id and Name.
func (e *execution) stamp(t time.Time) *time.Time {
	if e.lastStamp != nil && *e.lastStamp == t {
		return e.lastStamp
	}
	if len(e.timeSlab) == 0 {
		e.timeSlabSize = min(max(2*e.timeSlabSize, timeSlabFirstSize), timeSlabLastSize)
		e.timeSlab = make([]time.Time, e.timeSlabSize)
	}
	p := &e.timeSlab[0]
	e.timeSlab = e.timeSlab[1:]
	*p = t
	e.lastStamp = p
	return p
}

// newEvent appends an empty event and returns it to be filled in. An Event
// is 264 bytes of mostly pointers: filling it in place, rather than copying
// a whole struct into the history, writes only the fields that are set.
func (e *execution) newEvent() *types.Event {
	n := len(e.history)
	if n < cap(e.history) {
		// past len the array is still zero: the history only grows
		e.history = e.history[:n+1]
	} else {
		e.history = append(e.history, types.Event{})
	}
	return &e.history[n]
}

// opEvent appends an event about rec, with the op's identifying fields,
// and returns it for the caller to add its details. The pointer is into
// the history: fill it in before the next event is appended.
func (e *execution) opEvent(rec *opRecord, t types.EventType, at time.Time) *types.Event {
	ev := e.newEvent()
	ev.EventId = e.eventID(int32(len(e.history)))
	ev.EventType = t
	ev.EventTimestamp = e.stamp(at)
	ev.Id, ev.Name, ev.SubType, ev.ParentId = rec.op.Id, rec.op.Name, rec.op.SubType, rec.op.ParentId
	return ev
}

// touch marks rec changed so the next checkpoint response carries it.
func (e *execution) touch(rec *opRecord) {
	if !rec.dirty {
		rec.dirty = true
		e.dirty = append(e.dirty, rec)
	}
}

// updatedIDsLocked lists the ids of the operations changed since the
// handler last saw the state, in creation order; never nil, so a later
// invocation's envelope always carries the field.
func (e *execution) updatedIDsLocked() []string {
	slices.SortFunc(e.dirty, func(a, b *opRecord) int { return cmp.Compare(a.idx, b.idx) })
	ids := make([]string, len(e.dirty))
	for i, r := range e.dirty {
		ids[i] = aws.ToString(r.op.Id)
	}
	return ids
}

// clearDirty records that the handler has seen everything.
func (e *execution) clearDirty() {
	for _, r := range e.dirty {
		r.dirty = false
	}
	e.dirty = e.dirty[:0]
}

func (e *execution) running() bool { return e.status == types.ExecutionStatusRunning }

// fire applies a due timer. It reports whether the timer still mattered.
func (e *execution) fire(t *timer) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t.dead.Load() || !e.running() {
		return false
	}
	t.dead.Store(true)
	at := t.Due
	switch t.Kind {
	case TimerExecutionTimeout:
		e.endLocked(&ending{
			status: types.ExecutionStatusTimedOut,
			err: &types.ErrorObject{
				ErrorType:    aws.String("Execution.TimedOut"),
				ErrorMessage: aws.String("Execution timed out after " + strconv.Itoa(int(e.timeoutSecs)) + " seconds"),
			},
		}, at)
		return true
	case TimerWait:
		rec := t.op
		rec.timer = nil
		rec.op.Status = types.OperationStatusSucceeded
		rec.op.EndTimestamp = e.stamp(at)
		ev := e.opEvent(rec, types.EventTypeWaitSucceeded, at)
		// the wait was created by its START, so it started when it was created
		secs := int32(rec.op.WaitDetails.ScheduledEndTimestamp.Sub(*rec.op.StartTimestamp) / time.Second)
		ev.WaitSucceededDetails = &types.WaitSucceededDetails{Duration: &secs}
		e.touch(rec)
	case TimerRetry:
		rec := t.op
		rec.timer = nil
		rec.op.Status = types.OperationStatusReady
		sd := *rec.op.StepDetails
		sd.NextAttemptTimestamp = nil
		rec.op.StepDetails = &sd
		e.touch(rec)
	case TimerCallback, TimerHeartbeat:
		e.callbackTimedOutLocked(t.op, t.Kind, at)
	case TimerAction:
		return true // the action runs once the lock is released; it wakes nothing by itself
	}
	e.wake = true
	return true
}

// endLocked finishes the execution now, or, while an invocation is in
// flight, once it ends.
func (e *execution) endLocked(end *ending, at time.Time) {
	if e.inFlight {
		if e.ending == nil {
			e.ending = end
		}
		return
	}
	e.finishLocked(end, at)
}

// executionSucceededStorage is an ExecutionSucceeded event's details with
// their result: one allocation.
type executionSucceededStorage struct {
	d types.ExecutionSucceededDetails
	r types.EventResult
}

// finishLocked makes the execution terminal: the EXECUTION op, the final
// event, and no timer left.
func (e *execution) finishLocked(end *ending, at time.Time) {
	e.status = end.status
	e.end = at
	e.result = end.result
	e.errObj = end.err
	e.ending = nil
	exec := e.ops[0]
	exec.op.Status = types.OperationStatus(end.status)
	exec.op.EndTimestamp = e.stamp(at)
	ev := types.Event{EventTimestamp: e.stamp(at), Id: exec.op.Id, Name: exec.op.Name} // shared like opEvent's
	evErr := &types.EventError{Payload: end.err, Truncated: e.notTruncated}
	switch end.status {
	case types.ExecutionStatusSucceeded:
		ev.EventType = types.EventTypeExecutionSucceeded
		x := &executionSucceededStorage{r: types.EventResult{Payload: end.result, Truncated: e.notTruncated}}
		x.d.Result = &x.r
		ev.ExecutionSucceededDetails = &x.d
	case types.ExecutionStatusFailed:
		ev.EventType = types.EventTypeExecutionFailed
		ev.ExecutionFailedDetails = &types.ExecutionFailedDetails{Error: evErr}
	case types.ExecutionStatusTimedOut:
		ev.EventType = types.EventTypeExecutionTimedOut
		ev.ExecutionTimedOutDetails = &types.ExecutionTimedOutDetails{Error: evErr}
	case types.ExecutionStatusStopped:
		ev.EventType = types.EventTypeExecutionStopped
		ev.ExecutionStoppedDetails = &types.ExecutionStoppedDetails{Error: evErr}
	}
	e.appendEvent(ev)
	e.b.openCallbacks.Add(-int64(e.openCallbacks))
	e.openCallbacks, e.openChained, e.queued = 0, 0, nil
	for _, t := range e.timers {
		t.dead.Store(true)
	}
	e.timers = nil
	e.timeout.dead.Store(true)
	e.token = ""
	e.b.noteFinished(e, at)
}

// earliestTimer is the due time of this execution's next operation timer
// (wait or retry), if any.
func (e *execution) earliestTimer() (time.Time, bool) {
	if t := e.timers.peek(); t != nil {
		return t.Due, true
	}
	return time.Time{}, false
}
