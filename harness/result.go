package harness

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/service"
)

// ExecutionReader is the part of the Lambda API a Result is collected
// from. *Backend and *lambda.Client both satisfy it, so the local runner
// and a cloud runner build the same Result the same way.
type ExecutionReader interface {
	GetDurableExecution(ctx context.Context, in *lambda.GetDurableExecutionInput, optFns ...func(*lambda.Options)) (*lambda.GetDurableExecutionOutput, error)
	GetDurableExecutionHistory(ctx context.Context, in *lambda.GetDurableExecutionHistoryInput, optFns ...func(*lambda.Options)) (*lambda.GetDurableExecutionHistoryOutput, error)
}

var (
	_ ExecutionReader = (*service.Backend)(nil)
	_ ExecutionReader = (*lambda.Client)(nil)
)

// Result is one execution as the Lambda API reports it: the execution's
// status, result and error, its full history, the operations folded from
// that history, and one record per invocation. It holds nothing the
// runtime keeps internally; the local runner only adds, per invocation,
// what its observer and checkpoint client saw (see Invocation).
type Result struct {
	Arn    string
	Name   string
	Status types.ExecutionStatus
	Input  string
	// Output is the execution's result (JSON text), nil unless SUCCEEDED.
	Output *string
	// Error is the execution's error when it FAILED, TIMED_OUT or STOPPED.
	Error       *types.ErrorObject
	History     []types.Event
	Invocations []Invocation
	// Seed is the jitter seed the local runner used (0 for cloud runs).
	Seed uint64

	// Operations lists every operation except the EXECUTION itself, in
	// the order of their first history event.
	Operations []*Operation
	byID       map[string]*Operation // built once ops exceeds byIDMin; below, opByID scans ops
	ops        []*Operation          // Operations as BuildResult left them
	eventSlots []*types.Event        // while BuildResult runs: room for Operation.Events
	opSlots    []Operation           // while BuildResult runs: room for the Operations
}

// Invocation is one handler invocation, from its InvocationCompleted event.
// The local runner also fills the fields below Error.
type Invocation struct {
	Index     int // 1-based
	RequestId string
	Start     time.Time
	End       time.Time
	Error     *types.ErrorObject // set when the invocation failed (crash, error, invalid output)

	CheckpointCalls int                      // checkpoint calls the runtime made
	StateCalls      int                      // GetDurableExecutionState calls
	Observed        []durable.OperationEvent // operations the code met, in order
	StepRuns        []durable.StepRunEvent   // step bodies that ran
	Faults          []string                 // faults injected during the invocation
	// WallStalls are the times user code took more than the batcher's 1 s
	// of wall time while checkpoint updates were queued (see
	// Result.WallClockHint).
	WallStalls []WallStall
}

// WallStall is a stretch of wall time, longer than the checkpoint batcher
// keeps updates queued, that passed while updates were queued and the
// run's virtual clock stood still: on Lambda the SDK would have sent them
// meanwhile (a timed flush), here nothing did.
type WallStall struct {
	Step   string        // the step whose body ran then ("" if none started)
	Waited time.Duration // wall time the updates stayed queued
}

// Replayed counts the operations answered from their stored result
// without running user code.
func (inv *Invocation) Replayed() int { return inv.countMode(durable.OperationReplayed) }

// Executed counts the operations met for the first time.
func (inv *Invocation) Executed() int { return inv.countMode(durable.OperationNew) }

// Resumed counts the operations found unfinished and carried on.
func (inv *Invocation) Resumed() int { return inv.countMode(durable.OperationResumed) }

func (inv *Invocation) countMode(m durable.OperationMode) int {
	n := 0
	for _, o := range inv.Observed {
		if o.Mode == m {
			n++
		}
	}
	return n
}

// Operation is one operation reconstructed from the history.
type Operation struct {
	Index    int // position in Result.Operations
	Id       string
	ParentId string
	Name     string
	Type     types.OperationType
	SubType  string
	Status   types.OperationStatus
	// Attempts is the number of attempts of a STEP (started or finished);
	// 0 for other types.
	Attempts int
	Result   *string            // the stored result payload (JSON text), if any
	Error    *types.ErrorObject // the stored error, if any
	// WaitSeconds is a WAIT's duration.
	WaitSeconds    int32
	StartTimestamp time.Time
	EndTimestamp   time.Time
	Parent         *Operation
	Children       []*Operation   // in order of their first event
	Events         []*types.Event // this operation's events, pointing into Result.History
}

// CollectResult reads an execution through the Lambda API (GetDurableExecution,
// then every page of GetDurableExecutionHistory) and builds its Result.
func CollectResult(ctx context.Context, api ExecutionReader, arn string) (*Result, error) {
	exec, err := api.GetDurableExecution(ctx, &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	var events []types.Event
	var marker *string
	for {
		page, err := api.GetDurableExecutionHistory(ctx, &lambda.GetDurableExecutionHistoryInput{
			DurableExecutionArn:  aws.String(arn),
			IncludeExecutionData: aws.Bool(true),
			MaxItems:             1000,
			Marker:               marker,
		})
		if err != nil {
			return nil, err
		}
		if events == nil {
			events = page.Events // most histories fit one page: no second copy
		} else {
			events = append(events, page.Events...)
		}
		if page.NextMarker == nil || *page.NextMarker == "" {
			break
		}
		marker = page.NextMarker
	}
	return BuildResult(exec, events), nil
}

// ownedResult builds the Result of an execution on a backend nobody else
// uses: the same data CollectResult reads, sharing the stored history
// (written once, never changed) instead of deep-copying it.
func ownedResult(b *service.Backend, arn string) (*Result, error) {
	s, err := b.SharedExecution(arn)
	if err != nil {
		return nil, err
	}
	r := foldHistory(s.History)
	r.describe(s.Arn, s.Name, s.Status, s.Input, s.Result, s.Error)
	return r, nil
}

// BuildResult folds an execution description and its history into a
// Result. exec may be nil; the status, input, result and error then come
// from the history alone.
func BuildResult(exec *lambda.GetDurableExecutionOutput, events []types.Event) *Result {
	r := foldHistory(events)
	if exec != nil {
		r.describe(aws.ToString(exec.DurableExecutionArn), aws.ToString(exec.DurableExecutionName), exec.Status, exec.InputPayload, exec.Result, exec.Error)
	}
	return r
}

// describe sets what the execution's description says over what the
// history said; an absent input, result or error leaves the history's.
func (r *Result) describe(arn, name string, status types.ExecutionStatus, input, output *string, err *types.ErrorObject) {
	r.Arn, r.Name, r.Status = arn, name, status
	if input != nil {
		r.Input = *input
	}
	if output != nil {
		r.Output = output
	}
	if err != nil {
		r.Error = err
	}
}

// foldHistory builds a Result from a history alone.
func foldHistory(events []types.Event) *Result {
	ops, invocations := countEvents(events)
	r := &Result{History: events, Operations: make([]*Operation, 0, ops)}
	if invocations > 0 {
		r.Invocations = make([]Invocation, 0, invocations)
	}
	// The operations, and room for eventsPerOp events of each (more grow
	// as usual), come in two shared arrays: two allocations rather than
	// two per operation.
	r.opSlots = make([]Operation, ops)
	r.eventSlots = make([]*types.Event, eventsPerOp*ops)
	for i := range events {
		r.fold(&events[i])
	}
	r.eventSlots, r.opSlots = nil, nil
	r.ops = r.Operations[:len(r.Operations):len(r.Operations)]
	r.link()
	return r
}

// opByID finds an operation BuildResult folded, by id.
func (r *Result) opByID(id string) *Operation {
	if r.byID != nil {
		return r.byID[id]
	}
	for _, op := range r.ops {
		if op.Id == id {
			return op
		}
	}
	return nil
}

// countEvents counts the operations of a history by their Started events
// (a step's retries over-count, an operation without one is allocated on
// its own) and its InvocationCompleted events, to size BuildResult's arrays.
func countEvents(events []types.Event) (ops, invocations int) {
	for i := range events {
		switch t := events[i].EventType; {
		case t == types.EventTypeInvocationCompleted:
			invocations++
		case t != types.EventTypeExecutionStarted && strings.HasSuffix(string(t), "Started"):
			ops++
		}
	}
	return ops, invocations
}

// eventsPerOp is the room for events BuildResult gives each operation up
// front: a step without retries, a context and a wait have two.
const eventsPerOp = 2

// byIDMin is the operation count from which a Result indexes its
// operations by id in a map: below it a scan is cheaper.
const byIDMin = 16

// link sets every operation's Parent and Children. The children of all
// operations share one array, each parent's part sized exactly.
func (r *Result) link() {
	count := make([]int32, len(r.Operations))
	total := 0
	for _, op := range r.Operations {
		if op.ParentId == "" {
			continue
		}
		if p := r.opByID(op.ParentId); p != nil {
			op.Parent = p
			count[p.Index]++
			total++
		}
	}
	if total == 0 {
		return
	}
	shared := make([]*Operation, total)
	for i, op := range r.Operations {
		if n := int(count[i]); n > 0 {
			op.Children, shared = shared[:0:n], shared[n:]
		}
	}
	for _, op := range r.Operations {
		if p := op.Parent; p != nil {
			p.Children = append(p.Children, op)
		}
	}
}

// fold applies one event to the Result.
func (r *Result) fold(ev *types.Event) {
	at := aws.ToTime(ev.EventTimestamp)
	switch ev.EventType {
	case types.EventTypeExecutionStarted:
		r.Status = types.ExecutionStatusRunning
		r.Name = aws.ToString(ev.Name)
		if d := ev.ExecutionStartedDetails; d != nil && d.Input != nil {
			r.Input = aws.ToString(d.Input.Payload)
		}
		return
	case types.EventTypeExecutionSucceeded:
		r.Status = types.ExecutionStatusSucceeded
		if d := ev.ExecutionSucceededDetails; d != nil && d.Result != nil {
			r.Output = d.Result.Payload
		}
		return
	case types.EventTypeExecutionFailed:
		r.Status = types.ExecutionStatusFailed
		r.Error = eventError(ev.ExecutionFailedDetails.Error)
		return
	case types.EventTypeExecutionTimedOut:
		r.Status = types.ExecutionStatusTimedOut
		r.Error = eventError(ev.ExecutionTimedOutDetails.Error)
		return
	case types.EventTypeExecutionStopped:
		r.Status = types.ExecutionStatusStopped
		r.Error = eventError(ev.ExecutionStoppedDetails.Error)
		return
	case types.EventTypeInvocationCompleted:
		inv := Invocation{Index: len(r.Invocations) + 1}
		if d := ev.InvocationCompletedDetails; d != nil {
			inv.RequestId = aws.ToString(d.RequestId)
			inv.Start = aws.ToTime(d.StartTimestamp)
			inv.End = aws.ToTime(d.EndTimestamp)
			inv.Error = eventError(d.Error)
		}
		r.Invocations = append(r.Invocations, inv)
		return
	}
	if ev.Id == nil {
		return
	}
	op := r.opByID(*ev.Id)
	if op == nil {
		if len(r.opSlots) > 0 {
			op, r.opSlots = &r.opSlots[0], r.opSlots[1:]
		} else {
			op = new(Operation)
		}
		op.Index, op.Id, op.StartTimestamp = len(r.Operations), *ev.Id, at
		if len(r.eventSlots) >= eventsPerOp {
			op.Events = r.eventSlots[:0:eventsPerOp]
			r.eventSlots = r.eventSlots[eventsPerOp:]
		}
		r.Operations = append(r.Operations, op)
		r.ops = r.Operations
		switch {
		case r.byID != nil:
			r.byID[op.Id] = op
		case len(r.ops) > byIDMin:
			r.byID = make(map[string]*Operation, 2*len(r.ops))
			for _, o := range r.ops {
				r.byID[o.Id] = o
			}
		}
	}
	op.Events = append(op.Events, ev)
	if ev.ParentId != nil {
		op.ParentId = *ev.ParentId
	}
	if ev.Name != nil {
		op.Name = *ev.Name
	}
	if ev.SubType != nil {
		op.SubType = *ev.SubType
	}
	terminal := func(s types.OperationStatus) {
		op.Status = s
		op.EndTimestamp = at
	}
	switch ev.EventType {
	case types.EventTypeStepStarted:
		op.Type, op.Status = types.OperationTypeStep, types.OperationStatusStarted
		op.Attempts++
	case types.EventTypeStepSucceeded:
		op.Type = types.OperationTypeStep
		d := ev.StepSucceededDetails
		op.Result = eventResult(d.Result)
		op.Attempts = max(op.Attempts, currentAttempt(d.RetryDetails))
		if d.RetryDetails != nil && d.RetryDetails.NextAttemptDelaySeconds != nil {
			op.Status = types.OperationStatusPending
		} else {
			op.Error = nil // an earlier attempt's error is history now
			terminal(types.OperationStatusSucceeded)
		}
	case types.EventTypeStepFailed:
		op.Type = types.OperationTypeStep
		d := ev.StepFailedDetails
		op.Error = eventError(d.Error)
		op.Attempts = max(op.Attempts, currentAttempt(d.RetryDetails))
		if d.RetryDetails != nil && d.RetryDetails.NextAttemptDelaySeconds != nil {
			op.Status = types.OperationStatusPending
		} else {
			terminal(types.OperationStatusFailed)
		}
	case types.EventTypeContextStarted:
		op.Type, op.Status = types.OperationTypeContext, types.OperationStatusStarted
	case types.EventTypeContextSucceeded:
		op.Type = types.OperationTypeContext
		op.Result = eventResult(ev.ContextSucceededDetails.Result)
		terminal(types.OperationStatusSucceeded)
	case types.EventTypeContextFailed:
		op.Type = types.OperationTypeContext
		op.Error = eventError(ev.ContextFailedDetails.Error)
		terminal(types.OperationStatusFailed)
	case types.EventTypeWaitStarted:
		op.Type, op.Status = types.OperationTypeWait, types.OperationStatusStarted
		op.WaitSeconds = aws.ToInt32(ev.WaitStartedDetails.Duration)
	case types.EventTypeWaitSucceeded:
		op.Type = types.OperationTypeWait
		terminal(types.OperationStatusSucceeded)
	case types.EventTypeWaitCancelled:
		op.Type = types.OperationTypeWait
		if d := ev.WaitCancelledDetails; d != nil {
			op.Error = eventError(d.Error)
		}
		terminal(types.OperationStatusCancelled)
	default:
		foldExternal(op, ev, terminal)
	}
}

// foldExternal folds the events of the operations that wait on the outside
// world, callbacks and chained invokes, into op.
func foldExternal(op *Operation, ev *types.Event, terminal func(types.OperationStatus)) {
	cb, ci := types.OperationTypeCallback, types.OperationTypeChainedInvoke
	var (
		status types.OperationStatus
		result *types.EventResult
		errv   *types.EventError
	)
	switch ev.EventType {
	case types.EventTypeCallbackStarted:
		op.Type, op.Status = cb, types.OperationStatusStarted
		return
	case types.EventTypeChainedInvokeStarted:
		op.Type, op.Status = ci, types.OperationStatusStarted
		return
	case types.EventTypeCallbackSucceeded:
		op.Type, status = cb, types.OperationStatusSucceeded
		if ev.CallbackSucceededDetails != nil {
			result = ev.CallbackSucceededDetails.Result
		}
	case types.EventTypeCallbackFailed:
		op.Type, status = cb, types.OperationStatusFailed
		if ev.CallbackFailedDetails != nil {
			errv = ev.CallbackFailedDetails.Error
		}
	case types.EventTypeCallbackTimedOut:
		op.Type, status = cb, types.OperationStatusTimedOut
		if ev.CallbackTimedOutDetails != nil {
			errv = ev.CallbackTimedOutDetails.Error
		}
	case types.EventTypeChainedInvokeSucceeded:
		op.Type, status = ci, types.OperationStatusSucceeded
		if ev.ChainedInvokeSucceededDetails != nil {
			result = ev.ChainedInvokeSucceededDetails.Result
		}
	case types.EventTypeChainedInvokeFailed:
		op.Type, status = ci, types.OperationStatusFailed
		if ev.ChainedInvokeFailedDetails != nil {
			errv = ev.ChainedInvokeFailedDetails.Error
		}
	case types.EventTypeChainedInvokeTimedOut:
		op.Type, status = ci, types.OperationStatusTimedOut
		if ev.ChainedInvokeTimedOutDetails != nil {
			errv = ev.ChainedInvokeTimedOutDetails.Error
		}
	case types.EventTypeChainedInvokeStopped:
		op.Type, status = ci, types.OperationStatusStopped
		if ev.ChainedInvokeStoppedDetails != nil {
			errv = ev.ChainedInvokeStoppedDetails.Error
		}
	default:
		return
	}
	op.Result, op.Error = eventResult(result), eventError(errv)
	terminal(status)
}

func currentAttempt(rd *types.RetryDetails) int {
	if rd == nil {
		return 0
	}
	return int(rd.CurrentAttempt)
}

func eventResult(r *types.EventResult) *string {
	if r == nil {
		return nil
	}
	return r.Payload
}

func eventError(e *types.EventError) *types.ErrorObject {
	if e == nil {
		return nil
	}
	return e.Payload
}

// Succeeded reports whether the execution SUCCEEDED.
func (r *Result) Succeeded() bool { return r.Status == types.ExecutionStatusSucceeded }

// ErrNoOutput is returned when decoding the result of an execution or
// operation that has none.
var ErrNoOutput = errors.New("harness: no result payload")

// Decode unmarshals the execution's result into v.
func (r *Result) Decode(v any) error { return decodePayload(r.Output, v) }

// ResultAs decodes the execution's result as a T.
func ResultAs[T any](r *Result) (T, error) {
	var v T
	err := r.Decode(&v)
	return v, err
}

// Decode unmarshals the operation's result into v.
func (o *Operation) Decode(v any) error { return decodePayload(o.Result, v) }

// OperationResultAs decodes an operation's result as a T.
func OperationResultAs[T any](o *Operation) (T, error) {
	var v T
	err := o.Decode(&v)
	return v, err
}

func decodePayload(p *string, v any) error {
	if p == nil {
		return ErrNoOutput
	}
	if err := json.Unmarshal([]byte(*p), v); err != nil {
		return errors.New("harness: decoding result: " + err.Error())
	}
	return nil
}
