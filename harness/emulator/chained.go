package emulator

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/service"
)

// chainedInvoker lets the backend's chained invokes reach the emulator's
// functions: every served function is a durable function, so a chained
// invoke of one runs as a durable execution of its own, driven like any
// other, and its end completes the caller's operation.
type chainedInvoker struct {
	s *Server
}

func (c *chainedInvoker) Lookup(function string) (isDurable, ok bool) {
	name, _ := service.SplitFunctionName(function)
	return true, c.s.functions[name] != nil
}

// Invoke drives the target's execution, which the backend has started, to
// its end, on the dispatcher's busy token (see runChained and adopt).
func (c *chainedInvoker) Invoke(ctx context.Context, inv service.ChainedInvocation) ([]byte, *types.ErrorObject, error) {
	name, _ := service.SplitFunctionName(inv.FunctionName)
	fn := c.s.functions[name]
	if fn == nil {
		return nil, nil, fmt.Errorf("emulator: function %s is not served", name)
	}
	r, handed, err := c.s.executions.adopt(fn, inv.ExecutionArn)
	if !handed {
		// the token was given up: take one again before the completion
		defer c.s.executions.acquire()
	}
	if err != nil {
		return nil, nil, err
	}
	select {
	case <-r.done:
		return nil, nil, nil
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// runChained runs one chained invoke the invocation that just ended
// started, concurrently: the caller suspends meanwhile. The dispatcher
// holds a busy token from now until the caller is woken with the result
// (lending it to the target's driver while that runs), so the clock never
// moves past a completion being recorded.
func (x *executions) runChained(ctx context.Context, ci service.ChainedInvocation) {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return
	}
	x.claimLocked()
	x.wg.Add(1)
	x.mu.Unlock()
	go func() {
		defer x.wg.Done()
		defer x.release()
		if err := x.backend.RunChainedInvoke(ctx, ci); err != nil {
			x.logger.Warn("emulator: chained invoke did not finish", "arn", ci.ParentArn, "operation", ci.OperationId, "err", err)
		}
		x.poke()
	}()
}
