package cloud

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// The official runner's polling defaults (AsyncConfig).
const (
	defaultPollInterval = 2 * time.Second
	defaultNoProgress   = 30 * time.Second
)

// NoProgressError reports an asynchronous run whose history stopped
// growing before the execution ended.
type NoProgressError struct {
	Arn    string
	Events int
	For    time.Duration
}

func (e *NoProgressError) Error() string {
	return fmt.Sprintf("cloud: execution %s made no progress for %s (%d events, not ended)", e.Arn, e.For, e.Events)
}

// runPolled is the official runner's asynchronous path: an Event invoke,
// then the history polled until the execution ends (or, for a requirement
// without ExpectedResult, until it shows what is expected), answering
// each callback it opens with the request's CallbackActions (sleeping each
// action's Delay first, one action after the other), and giving up when
// the history has not grown for NoProgressTimeoutSeconds.
func (t *Target) runPolled(ctx context.Context, req conformance.Request) (*conformance.Execution, error) {
	r := NewRunner(t.Client, t.function(req.Key), append(append([]Option(nil), t.Options...), WithExecutionName(req.Name))...)
	cfg := r.cfg
	out, err := t.Client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:         aws.String(r.function),
		DurableExecutionName: aws.String(req.Name),
		Payload:              req.Input,
		InvocationType:       types.InvocationTypeEvent,
	})
	if err != nil {
		return nil, fmt.Errorf("cloud: invoke %s (execution %s): %w", r.function, req.Name, err)
	}
	arn := aws.ToString(out.DurableExecutionArn)
	if arn == "" {
		return nil, fmt.Errorf("cloud: invoke %s answered %d without X-Amz-Durable-Execution-Arn: is it a durable function?", r.function, out.StatusCode)
	}
	interval, patience := defaultPollInterval, defaultNoProgress
	if p := req.Poll; p != nil {
		if p.PollIntervalSeconds > 0 {
			interval = time.Duration(p.PollIntervalSeconds * float64(time.Second))
		}
		if p.NoProgressTimeoutSeconds > 0 {
			patience = time.Duration(p.NoProgressTimeoutSeconds * float64(time.Second))
		}
	}
	if t.PollInterval > 0 {
		interval = t.PollInterval
	}
	plan := conformance.NewCallbackPlan(req.CallbackActions)
	answered := map[string]bool{}
	seen, progressed := 0, cfg.now()
	for {
		events, err := r.history(ctx, arn)
		if err != nil {
			return nil, err
		}
		if len(events) != seen {
			seen, progressed = len(events), cfg.now()
		}
		if ended(events) || req.Settled != nil && req.Settled(events) {
			return t.report(ctx, r, arn)
		}
		for _, cb := range conformance.CallbackStarts(events) {
			if answered[cb.CallbackID] {
				continue
			}
			answered[cb.CallbackID] = true
			actions, err := plan.For(cb.Name)
			if err != nil {
				return nil, err
			}
			for _, a := range actions {
				if err := cfg.sleep(ctx, time.Duration(a.Delay*float64(time.Second))); err != nil {
					return nil, err
				}
				if err := conformance.SendCallback(ctx, t.Client, cb.CallbackID, a); err != nil {
					return nil, err
				}
			}
			progressed = cfg.now() // sending took the time, not the execution
		}
		if waited := cfg.now().Sub(progressed); waited > patience {
			exec, _ := t.report(ctx, r, arn)
			return exec, &NoProgressError{Arn: arn, Events: seen, For: waited.Round(time.Millisecond)}
		}
		if err := cfg.sleep(ctx, interval); err != nil {
			return nil, err
		}
	}
}

// ended reports whether a history holds the execution's terminal event.
func ended(events []types.Event) bool {
	for i := len(events) - 1; i >= 0; i-- {
		switch events[i].EventType {
		case types.EventTypeExecutionSucceeded, types.EventTypeExecutionFailed,
			types.EventTypeExecutionTimedOut, types.EventTypeExecutionStopped:
			return true
		}
	}
	return false
}

// report reads the execution and its whole history.
func (t *Target) report(ctx context.Context, r *Runner, arn string) (*conformance.Execution, error) {
	exec, err := t.Client.GetDurableExecution(ctx, &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("cloud: GetDurableExecution %s: %w", arn, err)
	}
	events, err := r.history(ctx, arn)
	if err != nil {
		return nil, err
	}
	out := &conformance.Execution{Status: string(exec.Status), Result: aws.ToString(exec.Result), History: events}
	return out, t.details(ctx, out, arn, exec.Status, exec.Error)
}
