package durable

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// maxPayloadBytes is the checkpoint limit for a step or context result.
const maxPayloadBytes = 256 * 1024

// StepContext is what a step body receives.
type StepContext interface {
	context.Context
	Attempt() int // 1-based
	Logger() *slog.Logger
}

// StepSemantics says what happens to an attempt cut off by a crash.
type StepSemantics int

const (
	// AtLeastOncePerRetry (the default) sends START without waiting and
	// re-runs an attempt found STARTED on replay.
	AtLeastOncePerRetry StepSemantics = iota
	// AtMostOncePerRetry waits for START to be acknowledged before running
	// the body, and treats an attempt found STARTED on replay as failed
	// (StepInterruptedError, handed to the retry strategy), never re-running it.
	AtMostOncePerRetry
)

// StepOption configures one Step.
type StepOption func(*stepConfig)

type stepConfig struct {
	retry     RetryStrategy
	semantics StepSemantics
	serdes    Serdes   // WithStepSerdes; nil: the handler's
	io        opSerdes // serdes bound to the step once it has begun
}

// WithRetry sets the retry strategy (default DefaultRetry()).
func WithRetry(r RetryStrategy) StepOption { return func(c *stepConfig) { c.retry = r } }

// WithSemantics sets the step semantics (default AtLeastOncePerRetry).
func WithSemantics(s StepSemantics) StepOption { return func(c *stepConfig) { c.semantics = s } }

// WithStepSerdes sets how the step's result is stored (default: the
// handler's Serdes, JSON unless WithSerdes says otherwise).
func WithStepSerdes(s Serdes) StepOption { return func(c *stepConfig) { c.serdes = s } }

type stepCtx struct {
	context.Context
	attempt int
	name    string
	base    *slog.Logger
	logger  *slog.Logger
}

func (s *stepCtx) Attempt() int { return s.attempt }

// Value hides the durable context: a StepContext also satisfies Context,
// and durable operations inside a step body are not allowed.
func (s *stepCtx) Value(key any) any {
	if key == (ctxKey{}) {
		return nil
	}
	return s.Context.Value(key)
}

func (s *stepCtx) Logger() *slog.Logger {
	if s.logger == nil {
		if s.base.Handler() == slog.DiscardHandler {
			// With would build attributes only to drop them: a logger
			// that discards is the same with or without them.
			s.logger = s.base
		} else {
			s.logger = s.base.With("step", s.name, "attempt", s.attempt)
		}
	}
	return s.logger
}

// Step runs fn once per attempt until it succeeds or the retry strategy
// gives up, checkpointing the outcome. On replay a finished step returns its
// stored result (or its *StepError) without running fn. A failed step
// returns a *StepError; a retry suspends the invocation, and Step then
// returns an error the caller should pass up unchanged.
func Step[O any](ctx Context, name string, fn func(StepContext) (O, error), opts ...StepOption) (O, error) {
	var zero O
	c, err := internal(ctx)
	if err != nil {
		return zero, err
	}
	cfg := stepConfig{retry: defaultRetry}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.io = c.serdesFor(cfg.serdes, "step", name)
	payload, err := c.step(ctx, name, &cfg, func(sc StepContext) (string, error) {
		v, err := fn(sc)
		if err != nil {
			return "", err
		}
		return cfg.io.marshal(v)
	})
	if err != nil {
		return zero, err
	}
	var out O
	if err := cfg.io.unmarshal(payload, &out); err != nil {
		return zero, err
	}
	return out, nil
}

// step is Step without generics: run returns the serialized result.
func (c *dctx) step(base context.Context, name string, cfg *stepConfig, run func(StepContext) (string, error)) (string, error) {
	id, path, rec, err := c.begin(types.OperationTypeStep, subStep, name)
	if err != nil {
		return "", err
	}
	cfg.io.setID(path)
	ref := c.ref(id, types.OperationTypeStep, subStep, name)
	attempt, start := 1, true
	if rec != nil {
		if d := rec.StepDetails; d != nil {
			attempt = int(d.Attempt) + 1
		}
		switch rec.Status {
		case types.OperationStatusSucceeded:
			if rec.StepDetails == nil {
				return "", nil
			}
			return aws.ToString(rec.StepDetails.Result), nil
		case types.OperationStatusPending:
			return "", c.suspend()
		case types.OperationStatusStarted:
			if cfg.semantics == AtMostOncePerRetry {
				return "", c.retryOrFail(ref, cfg, attempt, &StepInterruptedError{ID: id, Name: name})
			}
			start = false
		case types.OperationStatusReady:
		default: // FAILED, or ended by the service
			var o *types.ErrorObject
			if rec.StepDetails != nil {
				o = rec.StepDetails.Error
			}
			return "", stepErrorFrom(aws.ToString(ref.name), attempt-1, o)
		}
	}
	if start {
		if err := c.send(ref.update(types.OperationActionStart), cfg.semantics == AtMostOncePerRetry); err != nil {
			return "", err
		}
	}
	if o := c.exec.observer; o != nil {
		o.ObserveStepRun(StepRunEvent{ID: id, Name: name, Attempt: attempt})
	}
	var payload string
	var uerr error
	if len(c.exec.plugins) == 0 {
		// no closure for the attempt hooks: this is every step's path
		payload, uerr = c.stepAttempt(base, attempt, name, run)
	} else {
		var p string
		info := OperationHookInfo{ExecutionArn: *c.exec.arn, ID: id, Name: name, Type: string(types.OperationTypeStep), SubType: subStep, ParentID: c.parentID, IsReplay: rec != nil}
		uerr = c.attempt(base, info, attempt, func(actx context.Context) (err error) {
			p, err = c.stepAttempt(actx, attempt, name, run)
			return err
		})
		payload = p
	}
	// A turn boundary between the body and its checkpoint; an early stop
	// decided meanwhile abandons the step here.
	if err := c.enter(); err != nil {
		return "", err
	}
	if uerr == nil && len(payload) > maxPayloadBytes {
		uerr = &PayloadTooLargeError{What: "the result of step " + quote(name), Size: len(payload), Limit: maxPayloadBytes}
	}
	if uerr == nil {
		u := ref.update(types.OperationActionSucceed)
		u.Payload = aws.String(payload)
		if err := c.send(u, true); err != nil {
			return "", err
		}
		return payload, nil
	}
	switch uerr.(type) {
	case *SerdesError, *PayloadTooLargeError: // the same result would fail again
		return "", c.failStep(ref, attempt, uerr)
	}
	return "", c.retryOrFail(ref, cfg, attempt, uerr)
}

// stepAttempt runs one attempt of a step body; a panic is its error.
func (c *dctx) stepAttempt(ctx context.Context, attempt int, name string, run func(StepContext) (string, error)) (payload string, err error) {
	sc := &stepCtx{Context: ctx, attempt: attempt, name: name, base: c.exec.logger}
	err = protect(func() (err error) {
		payload, err = run(sc)
		return err
	})
	return payload, err
}

// retryOrFail hands a failed attempt to the retry strategy: RETRY and
// suspend, or FAIL.
func (c *dctx) retryOrFail(ref *opRef, cfg *stepConfig, attempt int, uerr error) error {
	d := cfg.retry(RetryAttempt{Err: uerr, Attempt: attempt, Jitter: c.exec.jitter})
	if !d.Retry {
		return c.failStep(ref, attempt, uerr)
	}
	obj := errorObject(uerr)
	u := ref.update(types.OperationActionRetry)
	u.Error = &obj
	u.StepOptions = &types.StepOptions{NextAttemptDelaySeconds: aws.Int32(delaySeconds(d.Delay))}
	if err := c.send(u, true); err != nil {
		return err
	}
	return c.suspend()
}

func (c *dctx) failStep(ref *opRef, attempt int, uerr error) error {
	obj := errorObject(uerr)
	u := ref.update(types.OperationActionFail)
	u.Error = &obj
	if err := c.send(u, true); err != nil {
		return err
	}
	return stepErrorFrom(aws.ToString(ref.name), attempt, &obj)
}

func quote(s string) string { return `"` + s + `"` }
