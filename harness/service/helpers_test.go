package service

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/internal/historytest"
)

// session drives the backend by hand, as a runtime would: one execution,
// the current invocation's token, checkpoint calls written out in full.
type session struct {
	t     *testing.T
	b     *Backend
	arn   string
	token string
	env   *durable.InvocationInput
}

func newSession(t *testing.T, input string, opts ...BackendOption) *session {
	t.Helper()
	b := NewBackend(opts...)
	arn, err := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: input})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	s := &session{t: t, b: b, arn: arn}
	s.begin()
	return s
}

// begin opens an invocation and keeps its envelope and token.
func (s *session) begin() *durable.InvocationInput {
	s.t.Helper()
	raw, err := s.b.BeginInvocation(s.arn)
	if err != nil {
		s.t.Fatalf("BeginInvocation: %v", err)
	}
	return s.decode(raw)
}

// decode reads an envelope Drive handed over, and keeps its token.
func (s *session) decode(raw []byte) *durable.InvocationInput {
	s.t.Helper()
	env, err := durable.DecodeInvocationInput(raw)
	if err != nil {
		s.t.Fatalf("envelope does not decode: %v\n%s", err, raw)
	}
	s.env, s.token = env, env.CheckpointToken
	return env
}

func (s *session) try(updates ...types.OperationUpdate) (*lambda.CheckpointDurableExecutionOutput, error) {
	out, err := s.b.CheckpointDurableExecution(context.Background(), &lambda.CheckpointDurableExecutionInput{
		DurableExecutionArn: aws.String(s.arn),
		CheckpointToken:     aws.String(s.token),
		Updates:             updates,
	})
	if err == nil && out.CheckpointToken != nil {
		s.token = *out.CheckpointToken
	}
	return out, err
}

// checkpoint sends a batch that must be accepted.
func (s *session) checkpoint(updates ...types.OperationUpdate) *lambda.CheckpointDurableExecutionOutput {
	s.t.Helper()
	out, err := s.try(updates...)
	if err != nil {
		s.t.Fatalf("checkpoint rejected: %v", err)
	}
	return out
}

// end closes the invocation with a raw output.
func (s *session) end(output string) Outcome {
	s.t.Helper()
	o, err := s.b.EndInvocation(s.arn, []byte(output), nil)
	if err != nil {
		s.t.Fatalf("EndInvocation: %v", err)
	}
	return o
}

func (s *session) history() []types.Event {
	s.t.Helper()
	out, err := s.b.GetDurableExecutionHistory(context.Background(), &lambda.GetDurableExecutionHistoryInput{
		DurableExecutionArn: aws.String(s.arn), MaxItems: 1000,
	})
	if err != nil {
		s.t.Fatalf("GetDurableExecutionHistory: %v", err)
	}
	return out.Events
}

// state is every operation the service stores, children of completed
// contexts included (the envelope leaves those out).
func (s *session) state() []types.Operation {
	s.t.Helper()
	s.b.mu.RLock()
	e := s.b.byArnLocked(s.arn)
	s.b.mu.RUnlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	ops := make([]types.Operation, len(e.ops))
	for i, r := range e.ops {
		ops[i] = r.op
	}
	return ops
}

// Update builders, shaped like the runtime's updates.

func upd(id string, typ types.OperationType, action types.OperationAction) types.OperationUpdate {
	return types.OperationUpdate{Id: aws.String(id), Type: typ, Action: action}
}

func stepStart(id, name, parent string) types.OperationUpdate {
	u := upd(id, types.OperationTypeStep, types.OperationActionStart)
	u.Name, u.SubType = aws.String(name), aws.String("Step")
	if parent != "" {
		u.ParentId = aws.String(parent)
	}
	return u
}

func stepSucceed(id, payload string) types.OperationUpdate {
	u := upd(id, types.OperationTypeStep, types.OperationActionSucceed)
	u.Payload = aws.String(payload)
	return u
}

func errObj(typ, msg string) *types.ErrorObject {
	return &types.ErrorObject{ErrorType: aws.String(typ), ErrorMessage: aws.String(msg)}
}

func stepFail(id, typ, msg string) types.OperationUpdate {
	u := upd(id, types.OperationTypeStep, types.OperationActionFail)
	u.Error = errObj(typ, msg)
	return u
}

func stepRetry(id, typ, msg string, delay int32) types.OperationUpdate {
	u := upd(id, types.OperationTypeStep, types.OperationActionRetry)
	u.Error = errObj(typ, msg)
	u.StepOptions = &types.StepOptions{NextAttemptDelaySeconds: aws.Int32(delay)}
	return u
}

func waitStart(id, name, parent string, secs int32) types.OperationUpdate {
	u := upd(id, types.OperationTypeWait, types.OperationActionStart)
	u.Name, u.SubType = aws.String(name), aws.String("Wait")
	if parent != "" {
		u.ParentId = aws.String(parent)
	}
	u.WaitOptions = &types.WaitOptions{WaitSeconds: aws.Int32(secs)}
	return u
}

func ctxStart(id, name, subType, parent string) types.OperationUpdate {
	u := upd(id, types.OperationTypeContext, types.OperationActionStart)
	u.Name, u.SubType = aws.String(name), aws.String(subType)
	if parent != "" {
		u.ParentId = aws.String(parent)
	}
	return u
}

func ctxSucceed(id, payload string) types.OperationUpdate {
	u := upd(id, types.OperationTypeContext, types.OperationActionSucceed)
	u.Payload = aws.String(payload)
	return u
}

func ctxFail(id, typ, msg string) types.OperationUpdate {
	u := upd(id, types.OperationTypeContext, types.OperationActionFail)
	u.Error = errObj(typ, msg)
	return u
}

func callbackStart(id, name, parent string, timeout, heartbeat int32) types.OperationUpdate {
	u := upd(id, types.OperationTypeCallback, types.OperationActionStart)
	u.Name, u.SubType = aws.String(name), aws.String("Callback")
	if parent != "" {
		u.ParentId = aws.String(parent)
	}
	u.CallbackOptions = &types.CallbackOptions{TimeoutSeconds: timeout, HeartbeatTimeoutSeconds: heartbeat}
	return u
}

func chainedStart(id, function, tenant string, payload *string) types.OperationUpdate {
	u := upd(id, types.OperationTypeChainedInvoke, types.OperationActionStart)
	u.SubType, u.Payload = aws.String("ChainedInvoke"), payload
	u.ChainedInvokeOptions = &types.ChainedInvokeOptions{FunctionName: aws.String(function)}
	if tenant != "" {
		u.ChainedInvokeOptions.TenantId = aws.String(tenant)
	}
	return u
}

// wantServiceError asserts err is the SDK error type T with a message
// containing substr.
func wantServiceError[T interface {
	*types.InvalidParameterValueException | *types.ResourceNotFoundException |
		*types.DurableExecutionAlreadyStartedException | *types.TooManyRequestsException |
		*types.CallbackTimeoutException
	error
}](t *testing.T, err error, substr string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("got error %v (%T), want %T", err, err, target)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Fatalf("error %q does not mention %q", err.Error(), substr)
	}
}

// Shorthands for the shared history checks.
var (
	eventTypes   = historytest.EventTypes
	opIDs        = historytest.OpIDs
	matchHistory = historytest.Match
)
