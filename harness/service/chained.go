package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ChainedInvoker reaches the target functions of CHAINED_INVOKE operations.
// The service owns no functions: the runner or the emulator that does
// supplies one with WithChainedInvoker. Without one every target is
// unknown and its chained invoke fails with ResourceNotFoundException.
type ChainedInvoker interface {
	// Lookup reports whether function (NAME, NAME:QUALIFIER or a function
	// ARN, as the update named it) is a function the invoker can run, and
	// whether it is a durable function. It is called while a checkpoint is
	// applied: it must only look up, never block or call the backend.
	Lookup(function string) (isDurable, ok bool)
	// Invoke runs the target to its end. For a durable target the service
	// has started its execution (inv.ExecutionArn) and Invoke drives it to
	// its end; the service reads how it ended. For a plain target Invoke
	// returns the function's output, or the error it failed with as an
	// ErrorObject (fnErr). err means the target could not be run at all.
	Invoke(ctx context.Context, inv ChainedInvocation) (output []byte, fnErr *types.ErrorObject, err error)
}

// WithChainedInvoker gives the backend the functions chained invokes call.
func WithChainedInvoker(ci ChainedInvoker) BackendOption {
	return func(c *backendConfig) { c.invoker = ci }
}

// SetChainedInvoker gives a backend built without WithChainedInvoker its
// invoker (an emulator handed a backend does this). Call it before the
// backend serves anything: it is not synchronised with checkpoints.
func (b *Backend) SetChainedInvoker(ci ChainedInvoker) { b.cfg.invoker = ci }

// HasChainedInvoker reports whether the backend has a ChainedInvoker.
func (b *Backend) HasChainedInvoker() bool { return b.cfg.invoker != nil }

// ChainedInvocation is one chained invoke to run: what its START asked
// for, and where the target's durable execution is.
type ChainedInvocation struct {
	ParentArn    string  // the execution whose CHAINED_INVOKE operation this is
	OperationId  string  // that operation
	FunctionName string  // as ChainedInvokeOptions.FunctionName named it
	TenantId     string  // ChainedInvokeOptions.TenantId, passed through
	Payload      *string // the input text (the update's Payload); nil for none
	Durable      bool    // the target is a durable function
	// ExecutionArn names the invocation: the target's durable execution
	// when Durable. A plain target gets an ARN of the same shape that names
	// no execution, since ChainedInvokeStarted always carries one.
	ExecutionArn string

	known                      bool // the invoker knew the target at START
	function, qualifier        string
	executionID, executionName string
}

// chainedState is what the service keeps about a CHAINED_INVOKE.
type chainedState struct {
	inv ChainedInvocation
}

// SplitFunctionName reads the FunctionName forms a chained invoke may use
// (NAME, NAME:QUALIFIER, a function ARN with or without a qualifier) into
// the name and the qualifier, "$LATEST" when none is given.
func SplitFunctionName(fn string) (name, qualifier string) {
	if i := strings.Index(fn, ":function:"); i >= 0 {
		fn = fn[i+len(":function:"):]
	}
	name, qualifier, _ = strings.Cut(fn, ":")
	if qualifier == "" {
		qualifier = "$LATEST"
	}
	return name, qualifier
}

// checkChainedTransition is the CHAINED_INVOKE state machine: START once,
// with ChainedInvokeOptions.FunctionName; CANCEL while STARTED.
func checkChainedTransition(u *types.OperationUpdate, s *simOp) error {
	id := *u.Id
	switch u.Action {
	case types.OperationActionStart:
		if s.exists {
			return tErr("cannot START chained invoke %s: it already exists (%s)", id, s.status)
		}
		o := u.ChainedInvokeOptions
		if o == nil || o.FunctionName == nil || *o.FunctionName == "" {
			return tErr("START of chained invoke %s requires ChainedInvokeOptions.FunctionName", id)
		}
		if name, _ := SplitFunctionName(*o.FunctionName); !opIDPattern(name) || len(*o.FunctionName) > 170 {
			return tErr("START of chained invoke %s: ChainedInvokeOptions.FunctionName %q is not a function name or ARN", id, *o.FunctionName)
		}
		if o.TenantId != nil && !printableASCII(*o.TenantId, 256) {
			return tErr("START of chained invoke %s: ChainedInvokeOptions.TenantId must be 1-256 printable ASCII characters", id)
		}
		if u.Error != nil {
			return tErr("START of chained invoke %s must not carry an Error", id)
		}
	case types.OperationActionCancel:
		if !s.exists || s.status != types.OperationStatusStarted {
			return tErr("cannot CANCEL chained invoke %s: it is %s (allowed from STARTED)", id, statusOrMissing(s))
		}
	}
	return nil
}

// startChainedLocked applies a CHAINED_INVOKE START: ChainedInvokeStarted
// now, the target queued to run once this invocation has ended.
func (e *execution) startChainedLocked(rec *opRecord, u *types.OperationUpdate, now time.Time) {
	o := u.ChainedInvokeOptions
	inv := ChainedInvocation{
		ParentArn:    e.arn,
		OperationId:  *rec.op.Id,
		FunctionName: *o.FunctionName,
		TenantId:     aws.ToString(o.TenantId),
		Payload:      cloneStr(u.Payload),
	}
	inv.function, inv.qualifier = SplitFunctionName(inv.FunctionName)
	if ci := e.b.cfg.invoker; ci != nil {
		inv.Durable, inv.known = ci.Lookup(inv.FunctionName)
	}
	d := &types.ChainedInvokeStartedDetails{
		FunctionName: aws.String(inv.FunctionName),
		TenantId:     cloneStr(o.TenantId),
		Input:        &types.EventInput{Payload: inv.Payload, Truncated: e.notTruncated},
	}
	if inv.known {
		// deterministic, so histories repeat run to run
		inv.executionName = "chained-" + uuidFrom("chained:"+e.id+"/"+inv.OperationId, 0)
		inv.executionID = uuidFrom("id:"+inv.executionName, 0)
		inv.ExecutionArn = e.b.executionArn(inv.function, inv.qualifier, inv.executionName, inv.executionID)
		d.ExecutedVersion = aws.String(inv.qualifier)
		d.DurableExecutionArn = aws.String(inv.ExecutionArn)
	}
	rec.chained = &chainedState{inv: inv}
	ev := e.opEvent(rec, types.EventTypeChainedInvokeStarted, now)
	ev.ChainedInvokeStartedDetails = d
	e.openChained++
	e.queued = append(e.queued, inv)
}

// cancelChainedLocked applies a CHAINED_INVOKE CANCEL: STOPPED with
// ChainedInvokeStopped; a target not yet run never runs, and a durable
// target's execution is stopped.
func (e *execution) cancelChainedLocked(rec *opRecord, u *types.OperationUpdate, now time.Time) {
	errObj := copyErrorObject(u.Error)
	if errObj == nil {
		errObj = &types.ErrorObject{ErrorMessage: aws.String("Chained invoke cancelled")}
	}
	rec.op.Status = types.OperationStatusStopped
	rec.op.EndTimestamp = e.stamp(now)
	rec.op.ChainedInvokeDetails = &types.ChainedInvokeDetails{Error: errObj}
	ev := e.opEvent(rec, types.EventTypeChainedInvokeStopped, now)
	ev.ChainedInvokeStoppedDetails = &types.ChainedInvokeStoppedDetails{Error: &types.EventError{Payload: errObj, Truncated: e.notTruncated}}
	e.openChained--
	for i, q := range e.queued {
		if q.OperationId == *rec.op.Id {
			e.queued = append(e.queued[:i:i], e.queued[i+1:]...)
			return
		}
	}
	if inv := rec.chained.inv; inv.Durable {
		// The child never locks its parent, so parent -> child is the
		// only order these locks are taken in.
		_, _ = e.b.StopDurableExecution(context.Background(), &lambda.StopDurableExecutionInput{
			DurableExecutionArn: aws.String(inv.ExecutionArn),
			Error:               errObj,
		})
	}
}

// takeQueuedLocked hands the driver the chained invokes started during the
// invocation that just ended.
func (e *execution) takeQueuedLocked() []ChainedInvocation {
	q := e.queued
	e.queued = nil
	return q
}

// RunChainedInvoke runs one chained invoke that EndInvocation handed out
// (Outcome.ChainedInvokes) through the backend's ChainedInvoker, and
// completes its operation with how the target ended: SUCCEEDED with its
// result, FAILED with its error (ResourceNotFoundException for an unknown
// target), TIMED_OUT or STOPPED when a durable target's execution did; the
// parent execution is re-invoked. It blocks until the target has ended. If
// ctx ends first the operation stays STARTED and ctx's error is returned.
func (b *Backend) RunChainedInvoke(ctx context.Context, inv ChainedInvocation) error {
	status, result, errObj, err := b.runTarget(ctx, inv)
	if err != nil {
		return err
	}
	b.completeChained(inv, status, result, errObj)
	return nil
}

func (b *Backend) runTarget(ctx context.Context, inv ChainedInvocation) (types.OperationStatus, *string, *types.ErrorObject, error) {
	failed := func(errType, msg string) (types.OperationStatus, *string, *types.ErrorObject, error) {
		return types.OperationStatusFailed, nil, &types.ErrorObject{ErrorType: aws.String(errType), ErrorMessage: aws.String(msg)}, nil
	}
	if !inv.known {
		return failed("ResourceNotFoundException", "Function not found: "+inv.FunctionName)
	}
	if inv.Durable {
		_, err := b.startExecution(StartExecutionInput{
			FunctionName:  inv.function,
			Qualifier:     inv.qualifier,
			ExecutionName: inv.executionName,
			Payload:       aws.ToString(inv.Payload),
			NoPayload:     inv.Payload == nil,
		}, inv.executionID)
		if err != nil {
			var ipv *types.InvalidParameterValueException
			if errors.As(err, &ipv) {
				return failed("InvalidParameterValueException", aws.ToString(ipv.Message))
			}
			return failed("ServiceException", err.Error())
		}
	}
	out, fnErr, err := b.cfg.invoker.Invoke(ctx, inv)
	if ctx.Err() != nil {
		return "", nil, nil, ctx.Err()
	}
	if err != nil {
		return failed("ServiceException", "the chained invoke of "+inv.FunctionName+" could not run: "+err.Error())
	}
	if !inv.Durable {
		if fnErr != nil {
			return types.OperationStatusFailed, nil, copyErrorObject(fnErr), nil
		}
		return types.OperationStatusSucceeded, aws.String(string(out)), nil, nil
	}
	child, err := b.existing(inv.ExecutionArn)
	if err != nil {
		return "", nil, nil, err
	}
	child.mu.Lock()
	defer child.mu.Unlock()
	switch child.status {
	case types.ExecutionStatusRunning:
		return "", nil, nil, &LifecycleError{Arn: inv.ExecutionArn, Op: "RunChainedInvoke", Reason: "the invoker returned before the target's execution ended"}
	case types.ExecutionStatusSucceeded:
		return types.OperationStatusSucceeded, cloneStr(child.result), nil, nil
	}
	return types.OperationStatus(child.status), nil, copyErrorObject(child.errObj), nil
}

// completeChained records how a chained invoke's target ended, unless the
// operation was cancelled or its execution ended meanwhile.
func (b *Backend) completeChained(inv ChainedInvocation, status types.OperationStatus, result *string, errObj *types.ErrorObject) {
	e := b.lookup(&inv.ParentArn)
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rec := e.rec(inv.OperationId)
	if !e.running() || rec == nil || rec.op.Status != types.OperationStatusStarted {
		return
	}
	now := b.Now()
	rec.op.Status = status
	rec.op.EndTimestamp = e.stamp(now)
	rec.op.ChainedInvokeDetails = &types.ChainedInvokeDetails{Result: result, Error: errObj}
	evErr := &types.EventError{Payload: errObj, Truncated: e.notTruncated}
	switch status {
	case types.OperationStatusSucceeded:
		ev := e.opEvent(rec, types.EventTypeChainedInvokeSucceeded, now)
		ev.ChainedInvokeSucceededDetails = &types.ChainedInvokeSucceededDetails{Result: &types.EventResult{Payload: result, Truncated: e.notTruncated}}
	case types.OperationStatusTimedOut:
		ev := e.opEvent(rec, types.EventTypeChainedInvokeTimedOut, now)
		ev.ChainedInvokeTimedOutDetails = &types.ChainedInvokeTimedOutDetails{Error: evErr}
	case types.OperationStatusStopped:
		ev := e.opEvent(rec, types.EventTypeChainedInvokeStopped, now)
		ev.ChainedInvokeStoppedDetails = &types.ChainedInvokeStoppedDetails{Error: evErr}
	default:
		ev := e.opEvent(rec, types.EventTypeChainedInvokeFailed, now)
		ev.ChainedInvokeFailedDetails = &types.ChainedInvokeFailedDetails{Error: evErr}
	}
	e.openChained--
	e.touch(rec)
	e.wake = true
}
