package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/service"
)

// LocalTarget runs each request's handler in process on a fresh fake backend
// (harness.LocalRunner): virtual clock, so waits and retry delays cost nothing;
// retry jitter and branch scheduling seeded with Seed; at most MaxInvocations
// invocations (0: the runner's default). Async requests run to the end like
// sync ones: only the final history is matched, which is what an async
// requirement without ExpectedResult asks for once its events are there.
//
// Callbacks are answered on the virtual clock: an action with Delay d is
// sent d virtual seconds after its callback started (after the actions
// before it, for a callback that takes several), so it lands between the
// waits and timeouts around it in a fixed order, where the official runner
// sleeps d real seconds after it saw the callback. Chained invokes reach
// Request.Functions on the same backend and clock.
type LocalTarget struct {
	Seed           uint64
	MaxInvocations int
}

// Run implements Target.
func (t LocalTarget) Run(ctx context.Context, req Request) (*Execution, error) {
	if req.Invoker == nil {
		return nil, errors.New("conformance: the local target needs an in-process handler")
	}
	opts := []harness.RunnerOption{
		harness.WithFunctionName(strings.ReplaceAll(req.Key, "/", "-")),
		harness.WithExecutionName(req.Name),
		harness.WithSeed(t.Seed),
		harness.WithSeededScheduler(t.Seed),
	}
	if t.MaxInvocations > 0 {
		opts = append(opts, harness.WithMaxInvocations(t.MaxInvocations))
	}
	actor := &callbackActor{plan: NewCallbackPlan(req.CallbackActions), seen: map[string]bool{}}
	opts = append(opts, harness.WithActor(actor), harness.WithFunctions(req.Functions))
	res, err := harness.NewLocalRunner(req.Invoker, opts...).RunJSON(ctx, string(req.Input))
	if err == nil {
		err = actor.err
	}
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("%w (status %s after %d invocations)", err, res.Status, len(res.Invocations))
		}
		return nil, err
	}
	exec := &Execution{Status: string(res.Status), History: res.History}
	if res.Error != nil && res.Status != types.ExecutionStatusSucceeded {
		exec.Cause = aws.ToString(res.Error.ErrorType) + ": " + aws.ToString(res.Error.ErrorMessage)
	}
	if res.Output != nil {
		exec.Result = *res.Output
	}
	return exec, nil
}

// Supports implements FeatureTarget: the local target answers callbacks.
func (LocalTarget) Supports(f Feature) bool { return f == FeatureCallbacks }

// callbackActor answers an execution's callbacks with a CallbackPlan on
// the backend's virtual clock.
type callbackActor struct {
	plan *CallbackPlan
	seen map[string]bool // callback ids already planned
	err  error           // the first send that failed
}

func (a *callbackActor) Suspended(ctx context.Context, b *service.Backend, arn string) error {
	events, err := b.SharedHistory(arn)
	if err != nil {
		return err
	}
	for _, cb := range CallbackStarts(events) {
		if a.seen[cb.CallbackID] {
			continue
		}
		a.seen[cb.CallbackID] = true
		actions, err := a.plan.For(cb.Name)
		if err != nil {
			return err
		}
		at := cb.Started
		for _, act := range actions {
			at = at.Add(time.Duration(act.Delay * float64(time.Second)))
			id := cb.CallbackID
			if err := b.Schedule(arn, at, func() {
				if err := SendCallback(ctx, b, id, act); err != nil && a.err == nil {
					a.err = err
				}
			}); err != nil {
				return err
			}
		}
	}
	return nil
}
