package service

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// GetDurableExecution describes an execution. Result is present only when
// it SUCCEEDED, Error only when it FAILED, TIMED_OUT or was STOPPED;
// IncludeExecutionData=false (default true) leaves input and result out.
func (b *Backend) GetDurableExecution(_ context.Context, in *lambda.GetDurableExecutionInput, _ ...func(*lambda.Options)) (*lambda.GetDurableExecutionOutput, error) {
	if in == nil || in.DurableExecutionArn == nil || *in.DurableExecutionArn == "" {
		return nil, invalidParam("DurableExecutionArn is required")
	}
	e, err := b.existing(*in.DurableExecutionArn)
	if err != nil {
		return nil, err
	}
	data := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	e.mu.Lock()
	defer e.mu.Unlock()
	// one allocation for the output and everything it points to
	st := &getExecutionStorage{
		strs:      [6]string{e.arn, e.name, e.functionArn, e.version},
		start:     e.start,
		data:      data,
		timeout:   e.timeoutSecs,
		retention: b.retentionDays(),
	}
	out := &st.out
	out.DurableExecutionArn = &st.strs[0]
	out.DurableExecutionName = &st.strs[1]
	out.FunctionArn = &st.strs[2]
	out.StartTimestamp = &st.start
	out.Status = e.status
	out.Version = &st.strs[3]
	out.ExecutionDataIncluded = &st.data
	st.config = types.DurableConfig{ExecutionTimeout: &st.timeout, RetentionPeriodInDays: &st.retention}
	out.DurableConfig = &st.config
	if !e.running() {
		st.end = e.end
		out.EndTimestamp = &st.end
		if e.status != types.ExecutionStatusSucceeded {
			out.Error = copyErrorObject(e.errObj)
		}
	}
	if data {
		if !e.noInput {
			st.strs[4] = e.input
			out.InputPayload = &st.strs[4]
		}
		if e.status == types.ExecutionStatusSucceeded {
			out.Result = copyInto(&st.strs[5], e.result)
		}
	}
	return out, nil
}

// GetDurableExecutionHistory pages the execution's events (MaxItems default
// 100, at most 1000; ReverseOrder newest first). The marker is the EventId
// to continue from. With IncludeExecutionData=false (default true) payloads
// are left out and marked Truncated.
func (b *Backend) GetDurableExecutionHistory(_ context.Context, in *lambda.GetDurableExecutionHistoryInput, _ ...func(*lambda.Options)) (*lambda.GetDurableExecutionHistoryOutput, error) {
	if in == nil || in.DurableExecutionArn == nil || *in.DurableExecutionArn == "" {
		return nil, invalidParam("DurableExecutionArn is required")
	}
	size, err := pageSize(in.MaxItems)
	if err != nil {
		return nil, err
	}
	e, err := b.existing(*in.DurableExecutionArn)
	if err != nil {
		return nil, err
	}
	data := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	reverse := aws.ToBool(in.ReverseOrder)
	e.mu.Lock()
	defer e.mu.Unlock()
	n := len(e.history)
	// pos is the 0-based index of the first event of the page in the
	// chosen order; the marker carries the EventId found there.
	pos := 0
	if in.Marker != nil {
		id, err := strconv.Atoi(*in.Marker)
		if err != nil || id < 1 || id > n {
			return nil, invalidParam("Marker %q is not an event id of durable execution %s", *in.Marker, e.arn)
		}
		pos = id - 1
		if reverse {
			pos = n - id
		}
	}
	out := &lambda.GetDurableExecutionHistoryOutput{Events: make([]types.Event, 0, min(size, n-pos))}
	for ; pos < n && len(out.Events) < size; pos++ {
		i := pos
		if reverse {
			i = n - 1 - pos
		}
		out.Events = append(out.Events, copyEvent(&e.history[i], data))
	}
	if pos < n {
		next := pos + 1
		if reverse {
			next = n - pos
		}
		out.NextMarker = aws.String(strconv.Itoa(next))
	}
	return out, nil
}

// ListDurableExecutionsByFunction lists a function's executions, newest
// first (ReverseOrder: oldest first), filtered by qualifier, name,
// statuses and start time, paged by MaxItems (default 100, at most 1000).
// An unknown function is a ResourceNotFoundException.
func (b *Backend) ListDurableExecutionsByFunction(_ context.Context, in *lambda.ListDurableExecutionsByFunctionInput, _ ...func(*lambda.Options)) (*lambda.ListDurableExecutionsByFunctionOutput, error) {
	if in == nil || in.FunctionName == nil || *in.FunctionName == "" {
		return nil, invalidParam("FunctionName is required")
	}
	size, err := pageSize(in.MaxItems)
	if err != nil {
		return nil, err
	}
	if len(in.Statuses) > 10 {
		return nil, invalidParam("Statuses may hold at most 10 values")
	}
	b.mu.RLock()
	known, list := b.functionLocked(*in.FunctionName)
	b.mu.RUnlock()
	if !known {
		return nil, notFound("Function not found: %s", *in.FunctionName)
	}
	start := 0
	if in.Marker != nil {
		start, err = strconv.Atoi(*in.Marker)
		if err != nil || start < 0 || start > len(list) {
			return nil, invalidParam("Marker %q is not a marker of this listing", *in.Marker)
		}
	}
	statuses := make(map[types.ExecutionStatus]bool, len(in.Statuses))
	for _, s := range in.Statuses {
		statuses[s] = true
	}
	out := &lambda.ListDurableExecutionsByFunctionOutput{DurableExecutions: []types.Execution{}}
	newestFirst := !aws.ToBool(in.ReverseOrder)
	i := start
	for ; i < len(list) && len(out.DurableExecutions) < size; i++ {
		e := list[i]
		if newestFirst {
			e = list[len(list)-1-i]
		}
		if x, ok := e.summary(in, statuses); ok {
			out.DurableExecutions = append(out.DurableExecutions, x)
		}
	}
	if i < len(list) {
		out.NextMarker = aws.String(strconv.Itoa(i))
	}
	return out, nil
}

// summary is e as a list item, if it passes the filters.
func (e *execution) summary(in *lambda.ListDurableExecutionsByFunctionInput, statuses map[types.ExecutionStatus]bool) (types.Execution, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case in.Qualifier != nil && *in.Qualifier != e.qualifier,
		in.DurableExecutionName != nil && *in.DurableExecutionName != e.name,
		len(statuses) > 0 && !statuses[e.status],
		in.StartedAfter != nil && !e.start.After(*in.StartedAfter),
		in.StartedBefore != nil && !e.start.Before(*in.StartedBefore):
		return types.Execution{}, false
	}
	x := types.Execution{
		DurableExecutionArn:  aws.String(e.arn),
		DurableExecutionName: aws.String(e.name),
		FunctionArn:          aws.String(e.functionArn),
		Status:               e.status,
		StartTimestamp:       ptr(e.start),
	}
	if !e.running() {
		x.EndTimestamp = ptr(e.end)
	}
	return x, true
}

// StopDurableExecution stops a running execution at once: STOPPED, with
// the given error or "Execution stopped by user request", ExecutionStopped
// last in its history. An invocation in flight is ended with it (its
// InvocationCompleted comes first): its checkpoints and state reads are
// refused from then on, and its EndInvocation records nothing. Stopping a
// stopped execution answers the same timestamp; stopping one that ended
// otherwise, or that an EXECUTION update or its timeout is already ending,
// is an InvalidParameterValueException.
func (b *Backend) StopDurableExecution(_ context.Context, in *lambda.StopDurableExecutionInput, _ ...func(*lambda.Options)) (*lambda.StopDurableExecutionOutput, error) {
	if in == nil || in.DurableExecutionArn == nil || *in.DurableExecutionArn == "" {
		return nil, invalidParam("DurableExecutionArn is required")
	}
	e, err := b.existing(*in.DurableExecutionArn)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := b.Now()
	switch {
	case e.status == types.ExecutionStatusStopped:
		return &lambda.StopDurableExecutionOutput{StopTimestamp: ptr(e.end)}, nil
	case !e.running():
		return nil, invalidParam("durable execution %s has already ended (%s)", e.arn, e.status)
	case e.ending != nil:
		return nil, invalidParam("durable execution %s is already ending (%s)", e.arn, e.ending.status)
	}
	cause := copyErrorObject(in.Error)
	if cause == nil {
		cause = &types.ErrorObject{ErrorMessage: aws.String("Execution stopped by user request")}
	}
	if e.inFlight {
		e.closeInvocationLocked(now, nil)
		e.abandoned = true
	}
	e.finishLocked(&ending{status: types.ExecutionStatusStopped, err: cause}, now)
	return &lambda.StopDurableExecutionOutput{StopTimestamp: ptr(now)}, nil
}

// ExecutionState is a snapshot of one execution for harness code; it is a
// copy and safe to keep.
type ExecutionState struct {
	Arn         string
	Status      types.ExecutionStatus
	Invocations int
	InFlight    bool
	Operations  []types.Operation // every stored operation, creation order, EXECUTION first
	Start, End  time.Time
}

// State snapshots an execution, hidden operations included.
func (b *Backend) State(arn string) (ExecutionState, error) {
	e, err := b.existing(arn)
	if err != nil {
		return ExecutionState{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := ExecutionState{Arn: e.arn, Status: e.status, Invocations: e.invocations, InFlight: e.inFlight, Start: e.start, End: e.end}
	s.Operations = make([]types.Operation, len(e.ops))
	c := newOpCopier(len(e.ops))
	for i, r := range e.ops {
		c.copyTo(i, &s.Operations[i], &r.op)
	}
	return s, nil
}

// getExecutionStorage is a GetDurableExecutionOutput with room for what it
// points to.
type getExecutionStorage struct {
	out                lambda.GetDurableExecutionOutput
	strs               [6]string // ARN, name, function ARN, version, input, result
	start, end         time.Time
	data               bool
	config             types.DurableConfig
	timeout, retention int32
}
