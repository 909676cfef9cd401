package durable_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// memService is a small, strict in-memory checkpoint service: it checks the
// token chain and every state transition, rotates tokens, keeps operations in
// creation order, and lets a test re-invoke with the stored operations after
// advancing timers by hand.
type memService struct {
	mu       sync.Mutex
	arn      string
	execID   string
	input    string
	ops      []*types.Operation
	byID     map[string]*types.Operation
	token    string
	tokenSeq int
	batches  [][]types.OperationUpdate // every accepted batch, in order
	pageSize int                       // >0: the envelope carries one page, the rest via GetDurableExecutionState
	// hideDone omits children of a finished context recorded without
	// ReplayChildren from the envelope, as the real service does.
	hideDone bool
	// fail, when set, is asked before each checkpoint call; an error is
	// returned to the runtime and nothing is applied.
	fail       func(call int, updates []types.OperationUpdate) error
	calls      int
	stateCalls int
}

func newMem(input string) *memService {
	m := &memService{arn: "arn:aws:lambda:us-east-1:123456789012:function:calc:$LATEST/durable-execution/test/exec-1", execID: "exec-1", input: input, byID: map[string]*types.Operation{}, hideDone: true}
	exec := &types.Operation{Id: aws.String(m.execID), Type: types.OperationTypeExecution, Status: types.OperationStatusStarted, ExecutionDetails: &types.ExecutionDetails{InputPayload: aws.String(input)}}
	m.ops = append(m.ops, exec)
	m.byID[m.execID] = exec
	return m
}

func (m *memService) newToken() string {
	m.tokenSeq++
	m.token = "tok" + strconv.Itoa(m.tokenSeq)
	return m.token
}

// envelope builds the next invocation's envelope.
func (m *memService) envelope() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	visible := m.visible()
	in := durable.InvocationInput{DurableExecutionArn: m.arn, CheckpointToken: m.newToken()}
	if m.pageSize > 0 && len(visible) > m.pageSize {
		in.InitialExecutionState.Operations = visible[:m.pageSize]
		in.InitialExecutionState.NextMarker = strconv.Itoa(m.pageSize)
	} else {
		in.InitialExecutionState.Operations = visible
	}
	b, err := durable.EncodeInvocationInput(&in)
	if err != nil {
		panic(err)
	}
	return b
}

func (m *memService) visible() []types.Operation {
	var out []types.Operation
	for _, op := range m.ops {
		if m.hideDone && m.hiddenLocked(op) {
			continue
		}
		out = append(out, *op)
	}
	return out
}

func (m *memService) hiddenLocked(op *types.Operation) bool {
	for p := aws.ToString(op.ParentId); p != ""; {
		parent := m.byID[p]
		if parent == nil {
			return false
		}
		if parent.Status == types.OperationStatusSucceeded || parent.Status == types.OperationStatusFailed {
			if parent.ContextDetails == nil || !aws.ToBool(parent.ContextDetails.ReplayChildren) {
				return true
			}
		}
		p = aws.ToString(parent.ParentId)
	}
	return false
}

func (m *memService) CheckpointDurableExecution(_ context.Context, in *lambda.CheckpointDurableExecutionInput, _ ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.fail != nil {
		if err := m.fail(m.calls, in.Updates); err != nil {
			return nil, err
		}
	}
	if aws.ToString(in.DurableExecutionArn) != m.arn {
		return nil, fmt.Errorf("InvalidParameterValueException: unknown ARN %q", aws.ToString(in.DurableExecutionArn))
	}
	if aws.ToString(in.CheckpointToken) != m.token {
		return nil, fmt.Errorf("InvalidParameterValueException: Invalid Checkpoint Token %q (want %q)", aws.ToString(in.CheckpointToken), m.token)
	}
	var changed []*types.Operation
	for i := range in.Updates {
		op, err := m.apply(&in.Updates[i])
		if err != nil {
			return nil, fmt.Errorf("InvalidParameterValueException: update %d: %w", i, err)
		}
		changed = append(changed, op)
	}
	m.batches = append(m.batches, slices.Clone(in.Updates)) // the runtime reuses the array
	out := &lambda.CheckpointDurableExecutionOutput{CheckpointToken: aws.String(m.newToken()), NewExecutionState: &types.CheckpointUpdatedExecutionState{}}
	for _, op := range changed {
		if op != nil {
			out.NewExecutionState.Operations = append(out.NewExecutionState.Operations, *op)
		}
	}
	return out, nil
}

func (m *memService) apply(u *types.OperationUpdate) (*types.Operation, error) {
	id := aws.ToString(u.Id)
	if id == "" || len(id) > 64 {
		return nil, fmt.Errorf("bad id %q", id)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return nil, fmt.Errorf("bad id %q", id)
		}
	}
	if p := aws.ToString(u.ParentId); p != "" {
		if parent := m.byID[p]; parent == nil || parent.Type != types.OperationTypeContext {
			return nil, fmt.Errorf("parent %s of %s is not a known CONTEXT", p, id)
		}
	}
	op := m.byID[id]
	if u.Type == types.OperationTypeExecution {
		return nil, nil
	}
	if op != nil && (op.Type != u.Type || aws.ToString(op.SubType) != aws.ToString(u.SubType) || aws.ToString(op.Name) != aws.ToString(u.Name) || aws.ToString(op.ParentId) != aws.ToString(u.ParentId)) {
		return nil, fmt.Errorf("%s: update does not match the operation", id)
	}
	status := types.OperationStatus("")
	if op != nil {
		status = op.Status
	}
	switch u.Action {
	case types.OperationActionStart:
		switch {
		case op == nil:
			op = &types.Operation{Id: aws.String(id), ParentId: u.ParentId, Name: u.Name, Type: u.Type, SubType: u.SubType}
			m.ops = append(m.ops, op)
			m.byID[id] = op
		case u.Type == types.OperationTypeStep && status == types.OperationStatusReady:
		default:
			return nil, fmt.Errorf("%s: START in state %s", id, status)
		}
		op.Status = types.OperationStatusStarted
		if u.Type == types.OperationTypeWait {
			if u.WaitOptions == nil || aws.ToInt32(u.WaitOptions.WaitSeconds) < 1 {
				return nil, fmt.Errorf("%s: WAIT START without WaitSeconds", id)
			}
			op.WaitDetails = &types.WaitDetails{}
		}
		if u.Type == types.OperationTypeStep && op.StepDetails == nil {
			op.StepDetails = &types.StepDetails{}
		}
		if err := m.startExternal(op, u); err != nil {
			return nil, err
		}
	case types.OperationActionSucceed, types.OperationActionFail, types.OperationActionRetry:
		if op == nil {
			return nil, fmt.Errorf("%s: %s of an unknown operation", id, u.Action)
		}
		switch u.Type {
		case types.OperationTypeStep:
			if status != types.OperationStatusStarted && status != types.OperationStatusReady {
				return nil, fmt.Errorf("%s: %s in state %s", id, u.Action, status)
			}
			op.StepDetails.Attempt++
			switch u.Action {
			case types.OperationActionSucceed:
				if u.Error != nil {
					return nil, fmt.Errorf("%s: SUCCEED with an Error", id)
				}
				op.Status, op.StepDetails.Result = types.OperationStatusSucceeded, u.Payload
			case types.OperationActionFail:
				if u.Payload != nil {
					return nil, fmt.Errorf("%s: FAIL with a Payload", id)
				}
				op.Status, op.StepDetails.Error = types.OperationStatusFailed, u.Error
			case types.OperationActionRetry:
				if u.StepOptions == nil || u.StepOptions.NextAttemptDelaySeconds == nil {
					return nil, fmt.Errorf("%s: RETRY without StepOptions", id)
				}
				if u.Error != nil && u.Payload != nil {
					return nil, fmt.Errorf("%s: RETRY with both an Error and a Payload", id)
				}
				// a WaitForCondition's RETRY carries its state, read back on READY
				op.Status, op.StepDetails.Error, op.StepDetails.Result = types.OperationStatusPending, u.Error, u.Payload
			}
		case types.OperationTypeContext:
			if status != types.OperationStatusStarted || u.Action == types.OperationActionRetry {
				return nil, fmt.Errorf("%s: %s in state %s", id, u.Action, status)
			}
			op.ContextDetails = &types.ContextDetails{Result: u.Payload, Error: u.Error}
			if u.ContextOptions != nil {
				op.ContextDetails.ReplayChildren = u.ContextOptions.ReplayChildren
			}
			op.Status = types.OperationStatusSucceeded
			if u.Action == types.OperationActionFail {
				op.Status = types.OperationStatusFailed
			}
		default:
			return nil, fmt.Errorf("%s: %s on %s", id, u.Action, u.Type)
		}
	default:
		return nil, fmt.Errorf("%s: action %s", id, u.Action)
	}
	cp := *op
	return &cp, nil
}

func (m *memService) GetDurableExecutionState(_ context.Context, in *lambda.GetDurableExecutionStateInput, _ ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stateCalls++
	if aws.ToString(in.CheckpointToken) != m.token {
		return nil, errors.New("InvalidParameterValueException: Invalid Checkpoint Token")
	}
	start, err := strconv.Atoi(aws.ToString(in.Marker))
	if err != nil {
		return nil, errors.New("InvalidParameterValueException: bad marker")
	}
	visible := m.visible()
	size := m.pageSize
	if size <= 0 {
		size = 1000
	}
	end := min(start+size, len(visible))
	out := &lambda.GetDurableExecutionStateOutput{Operations: visible[start:end]}
	if end < len(visible) {
		out.NextMarker = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// advance fires every timer: PENDING steps become READY, STARTED waits
// SUCCEEDED.
func (m *memService) advance() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, op := range m.ops {
		switch {
		case op.Type == types.OperationTypeStep && op.Status == types.OperationStatusPending:
			op.Status = types.OperationStatusReady
		case op.Type == types.OperationTypeWait && op.Status == types.OperationStatusStarted:
			op.Status = types.OperationStatusSucceeded
		}
	}
}

// find returns the operations with this name.
func (m *memService) find(name string) []*types.Operation {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*types.Operation
	for _, op := range m.ops {
		if aws.ToString(op.Name) == name {
			out = append(out, op)
		}
	}
	return out
}

func (m *memService) updateCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, b := range m.batches {
		n += len(b)
	}
	return n
}

// allUpdates returns every accepted update in order.
func (m *memService) allUpdates() []types.OperationUpdate {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []types.OperationUpdate
	for _, b := range m.batches {
		out = append(out, b...)
	}
	return out
}

// invokeOnce runs one invocation and decodes its output.
func (m *memService) invokeOnce(t testing.TB, inv durable.Invoker, env durable.Env) (*durable.InvocationOutput, error) {
	t.Helper()
	env.Client = m
	if env.Clock == nil {
		env.Clock = harness.NewVirtualClock(time.Unix(1_700_000_000, 0))
	}
	raw, err := inv(context.Background(), env, m.envelope())
	if err != nil {
		return nil, err
	}
	out, derr := durable.DecodeInvocationOutput(raw)
	if derr != nil {
		t.Fatalf("bad output %s: %v", raw, derr)
	}
	return out, nil
}

// run invokes until the execution ends, advancing timers between
// invocations; it returns the final output and the number of invocations.
func (m *memService) run(t testing.TB, inv durable.Invoker, env durable.Env) (*durable.InvocationOutput, int) {
	t.Helper()
	for n := 1; n <= 50; n++ {
		out, err := m.invokeOnce(t, inv, env)
		if err != nil {
			t.Fatalf("invocation %d: %v", n, err)
		}
		if out.Status != durable.InvocationPending {
			return out, n
		}
		m.advance()
	}
	t.Fatal("execution did not end in 50 invocations")
	return nil, 0
}

func resultOf(t testing.TB, out *durable.InvocationOutput, v any) {
	t.Helper()
	if out.Status != durable.InvocationSucceeded {
		t.Fatalf("status %s, error %+v", out.Status, errString(out.Error))
	}
	if err := json.Unmarshal([]byte(out.Result), v); err != nil {
		t.Fatalf("result %q: %v", out.Result, err)
	}
}

func errString(o *types.ErrorObject) string {
	if o == nil {
		return "<nil>"
	}
	return aws.ToString(o.ErrorType) + ": " + aws.ToString(o.ErrorMessage)
}

// applyLocked applies one update from inside a fail hook (the lock is held).
func (m *memService) applyLocked(t testing.TB, u types.OperationUpdate) {
	if _, err := m.apply(&u); err != nil {
		t.Errorf("apply: %v", err)
	}
	m.batches = append(m.batches, []types.OperationUpdate{u})
}
