package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/durable"
)

// ErrCrashed is what an invocation returns after Tools.Crash: the service sees a
// process that exited (Runtime.ExitError) and re-invokes.
var ErrCrashed = errors.New("conformance: the handler process exited (Tools.Crash)")

// Tools are the runner features a handler uses while it runs. The runner makes
// one per run and wraps the handler's invoker so that every invocation goes
// through it: its logger is captured for ExpectedLogs and, with NeedsCrash, it
// can be crashed.
type Tools struct {
	crashEnabled bool
	logs         logSink

	mu      sync.Mutex
	current *invocation // the invocation in flight, nil between invocations
}

type invocation struct {
	cancel  context.CancelFunc
	crashed atomic.Bool
}

// Crash ends the invocation in flight as a process exit would (step/1-17's
// "Lambda crashes"): from then on nothing the invocation does reaches the
// service (checkpoint calls fail, log records are dropped), the invocation
// returns ErrCrashed, which the service records as an InvocationCompleted with
// Runtime.ExitError, and the execution is re-invoked.
//
// Crash does not return. It cancels the invocation's context and panics; the
// runtime recovers panics in handler, step and branch code and unwinds through
// its usual error paths, which end at the silenced client. Handler code must
// not recover the panic. Crash panics with a plain message when the handler was
// registered without NeedsCrash or is called outside an invocation.
func (t *Tools) Crash() {
	if !t.crashEnabled {
		panic("conformance: Tools.Crash called by a handler registered without NeedsCrash")
	}
	t.mu.Lock()
	in := t.current
	t.mu.Unlock()
	if in == nil {
		panic("conformance: Tools.Crash called outside an invocation")
	}
	in.crashed.Store(true)
	in.cancel()
	panic(crashSignal{})
}

// crashSignal is the panic value of Crash.
type crashSignal struct{}

func (crashSignal) String() string { return ErrCrashed.Error() }

// Logs returns the records the handler logged so far, across invocations.
func (t *Tools) Logs() []LogRecord { return t.logs.snapshot() }

// wrap returns inv with the runner features installed: the Env logger tees into
// the capture and, with crash enabled, the client and the capture go silent
// once Crash is called.
func (t *Tools) wrap(inv durable.Invoker) durable.Invoker {
	return func(ctx context.Context, env durable.Env, envelope []byte) (out []byte, err error) {
		if !t.crashEnabled {
			env.Logger = t.logs.logger(env.Logger, nil)
			return inv(ctx, env, envelope)
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		in := &invocation{cancel: cancel}
		t.mu.Lock()
		if t.current != nil {
			t.mu.Unlock()
			return nil, fmt.Errorf("conformance: two invocations of one execution in flight")
		}
		t.current = in
		t.mu.Unlock()
		defer func() {
			t.mu.Lock()
			t.current = nil
			t.mu.Unlock()
			if p := recover(); p != nil {
				if _, ok := p.(crashSignal); !ok {
					panic(p)
				}
			}
			if in.crashed.Load() {
				out, err = nil, ErrCrashed
			}
		}()
		env.Client = crashGuard{CheckpointClient: env.Client, in: in}
		env.Logger = t.logs.logger(env.Logger, &in.crashed)
		return inv(ctx, env, envelope)
	}
}

// crashGuard drops every call once its invocation crashed: a dead process
// checkpoints nothing.
type crashGuard struct {
	durable.CheckpointClient
	in *invocation
}

func (g crashGuard) CheckpointDurableExecution(ctx context.Context, in *lambda.CheckpointDurableExecutionInput, optFns ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	if g.in.crashed.Load() {
		return nil, ErrCrashed
	}
	return g.CheckpointClient.CheckpointDurableExecution(ctx, in, optFns...)
}

func (g crashGuard) GetDurableExecutionState(ctx context.Context, in *lambda.GetDurableExecutionStateInput, optFns ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error) {
	if g.in.crashed.Load() {
		return nil, ErrCrashed
	}
	return g.CheckpointClient.GetDurableExecutionState(ctx, in, optFns...)
}
