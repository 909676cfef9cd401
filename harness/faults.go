package harness

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/service"
)

// CheckpointCall describes a checkpoint call about to be made, for a
// FaultHook to decide on.
type CheckpointCall struct {
	Call             int // 1-based, counted over the whole execution
	Invocation       int // 1-based invocation number
	CallInInvocation int // 1-based, counted within the invocation
	// Updates is the call's batch, valid only while the hook runs: the
	// runtime uses its array again once the call has answered, so a hook
	// that keeps updates for later copies them.
	Updates []types.OperationUpdate
}

// FaultAction is what a FaultHook asks for.
type FaultAction int

const (
	// Pass lets the call through untouched.
	Pass FaultAction = iota
	// CrashAfter applies the call, loses the response and kills the
	// invocation: this call and every later one in the invocation fail
	// with *CrashError, and the invocation ends as a crashed one
	// (Runtime.ExitError) whatever the handler returns.
	CrashAfter
	// FailBefore rejects the call with Fault.Err before it reaches the
	// backend (nothing is applied).
	FailBefore
)

// Fault is a FaultHook's decision.
type Fault struct {
	Action FaultAction
	Err    error // for FailBefore; nil means service.ThrottlingError()
}

// FaultHook decides the fate of each checkpoint call. The first hook that
// does not Pass wins.
type FaultHook func(CheckpointCall) Fault

// CrashAfterCheckpoint crashes the invocation right after the n-th
// checkpoint call of the execution (1-based): its updates are applied, its
// response is lost, and the next invocation replays.
func CrashAfterCheckpoint(n int) FaultHook {
	return func(c CheckpointCall) Fault {
		if c.Call == n {
			return Fault{Action: CrashAfter}
		}
		return Fault{}
	}
}

// FailCheckpoint fails the n-th checkpoint call of the execution with err
// (nil means the service's TooManyRequestsException); nothing is applied.
func FailCheckpoint(n int, err error) FaultHook {
	return func(c CheckpointCall) Fault {
		if c.Call == n {
			return Fault{Action: FailBefore, Err: err}
		}
		return Fault{}
	}
}

// FaultClient wraps a durable.CheckpointClient, counts the calls made
// through it and injects the faults its hooks ask for. The local runner
// puts one between every runtime and the backend.
type FaultClient struct {
	inner durable.CheckpointClient
	hooks []FaultHook

	mu         sync.Mutex
	calls      int
	invocation int
	invCalls   int
	stateCalls int
	crash      *service.CrashError
	injected   []string
}

var _ durable.CheckpointClient = (*FaultClient)(nil)

// NewFaultClient wraps inner.
func NewFaultClient(inner durable.CheckpointClient, hooks ...FaultHook) *FaultClient {
	return &FaultClient{inner: inner, hooks: hooks}
}

// BeginInvocation starts counting a new invocation and revives the client
// after a crash.
func (c *FaultClient) BeginInvocation() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invocation++
	c.invCalls, c.stateCalls = 0, 0
	c.crash = nil
	c.injected = nil
}

// InvocationStats reports, for the current invocation, the checkpoint and
// state calls made, the crash injected (nil if none) and a description of
// every fault injected.
func (c *FaultClient) InvocationStats() (checkpoints, states int, crash *service.CrashError, faults []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.invCalls, c.stateCalls, c.crash, append([]string(nil), c.injected...)
}

// CheckpointDurableExecution forwards the call unless a hook intervenes.
func (c *FaultClient) CheckpointDurableExecution(ctx context.Context, in *lambda.CheckpointDurableExecutionInput, optFns ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	c.mu.Lock()
	if c.crash != nil {
		crash := c.crash
		c.mu.Unlock()
		return nil, crash
	}
	c.calls++
	c.invCalls++
	call := CheckpointCall{Call: c.calls, Invocation: c.invocation, CallInInvocation: c.invCalls, Updates: in.Updates}
	var fault Fault
	for _, h := range c.hooks {
		if fault = h(call); fault.Action != Pass {
			break
		}
	}
	if fault.Action == FailBefore {
		err := fault.Err
		if err == nil {
			err = service.ThrottlingError()
		}
		c.injected = append(c.injected, fmt.Sprintf("checkpoint call %d failed: %v", call.Call, err))
		c.mu.Unlock()
		return nil, err
	}
	c.mu.Unlock()

	out, err := c.inner.CheckpointDurableExecution(ctx, in, optFns...)
	if err != nil || fault.Action != CrashAfter {
		return out, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.crash = &service.CrashError{Call: call.Call}
	c.injected = append(c.injected, fmt.Sprintf("crash after checkpoint call %d", call.Call))
	return nil, c.crash
}

// GetDurableExecutionState forwards the call; after a crash it fails too.
func (c *FaultClient) GetDurableExecutionState(ctx context.Context, in *lambda.GetDurableExecutionStateInput, optFns ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error) {
	c.mu.Lock()
	if c.crash != nil {
		crash := c.crash
		c.mu.Unlock()
		return nil, crash
	}
	c.stateCalls++
	c.mu.Unlock()
	return c.inner.GetDurableExecutionState(ctx, in, optFns...)
}
