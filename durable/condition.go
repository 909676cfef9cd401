package durable

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// WaitDecision says whether to check again and after how long (the runtime
// rounds the delay up to whole seconds, at least 1), or, with Err and no
// Continue, that the WaitForCondition fails with Err recorded.
type WaitDecision struct {
	Continue bool
	Delay    time.Duration
	Err      error
}

// WaitStrategy decides, after check number attempt (1-based) returned state,
// whether to poll again. It must decide from its arguments (jitter aside).
type WaitStrategy[S any] func(state S, attempt int) WaitDecision

// WaitStrategyConfig configures NewWaitStrategy. Zero fields take the
// defaults of the official SDKs: 60 attempts, 5 s initial delay, 5 min cap,
// rate 1.5, full jitter.
type WaitStrategyConfig[S any] struct {
	// ShouldContinuePolling reports whether the condition still needs
	// waiting for; nil polls until MaxAttempts (the official default).
	ShouldContinuePolling func(S) bool
	MaxAttempts           int // total checks, the first included
	InitialDelay          time.Duration
	MaxDelay              time.Duration
	BackoffRate           float64
	Jitter                JitterStrategy
}

// NewWaitStrategy builds a strategy that polls while ShouldContinuePolling
// says so, with exponential backoff: the delay after check n is
// min(InitialDelay*BackoffRate^(n-1), MaxDelay), jittered with draws from
// math/rand (a strategy gets no seeded source; under the harness use
// JitterNone, or the default strategy, for reproducible delays). When the
// condition still holds after MaxAttempts checks its decision carries a
// *WaitMaxAttemptsError.
func NewWaitStrategy[S any](c WaitStrategyConfig[S]) WaitStrategy[S] {
	return newWaitStrategy(c, rand.Float64)
}

func newWaitStrategy[S any](c WaitStrategyConfig[S], jitter func() float64) WaitStrategy[S] {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 60
	}
	if c.InitialDelay <= 0 {
		c.InitialDelay = 5 * time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 5 * time.Minute
	}
	if c.BackoffRate <= 0 {
		c.BackoffRate = 1.5
	}
	return func(state S, attempt int) WaitDecision {
		if c.ShouldContinuePolling != nil && !c.ShouldContinuePolling(state) {
			return WaitDecision{}
		}
		if attempt >= c.MaxAttempts {
			return WaitDecision{Err: &WaitMaxAttemptsError{MaxAttempts: c.MaxAttempts}}
		}
		return WaitDecision{Continue: true, Delay: backoff(c.InitialDelay, c.MaxDelay, c.BackoffRate, c.Jitter, attempt, jitter)}
	}
}

// ConditionConfig configures one WaitForCondition. A nil WaitStrategy is the
// official default: poll with 5 s backoff ×1.5 up to 5 min, full jitter
// (from Env.Jitter), and fail after 60 checks.
type ConditionConfig[S any] struct {
	InitialState S // the state the first check receives
	WaitStrategy func(state S, attempt int) WaitDecision
	Serdes       Serdes // how the state is stored (default: the handler's Serdes)
}

// WaitForCondition polls check until the wait strategy says stop, and returns
// the last state. It is one STEP operation of SubType WaitForCondition: each
// check is an attempt; the state it returns is checkpointed, and the strategy
// decides on it. To poll again the runtime records RETRY with the state and
// the delay and suspends the invocation; the service invokes the function
// again after the delay, and the next check receives that state. A check
// that returns an error is not retried: it fails the operation, as does an
// error in the strategy's decision, and WaitForCondition returns a
// *WaitForConditionError, live and on replay. A finished WaitForCondition
// replays its final state without running check.
func WaitForCondition[S any](ctx Context, name string, check func(sc StepContext, state S) (S, error), cfg ConditionConfig[S]) (S, error) {
	var zero S
	c, err := internal(ctx)
	if err != nil {
		return zero, err
	}
	if check == nil {
		return zero, &ValidationError{Message: "wait for condition " + quote(name) + " needs a check function"}
	}
	strategy := cfg.WaitStrategy
	if strategy == nil {
		strategy = newWaitStrategy(WaitStrategyConfig[S]{}, c.exec.jitter)
	}
	io := c.serdesFor(cfg.Serdes, "wait for condition", name)
	p := poll{
		io:      &io,
		initial: func() (string, error) { return io.marshal(cfg.InitialState) },
		check: func(sc StepContext, payload string) (string, WaitDecision, error) {
			var state S
			if err := io.unmarshal(payload, &state); err != nil {
				return "", WaitDecision{}, err
			}
			next, err := check(sc, state)
			if err != nil {
				return "", WaitDecision{}, err
			}
			// the strategy decides on what a replay would read back
			out, err := io.marshal(next)
			if err != nil {
				return "", WaitDecision{}, err
			}
			var stored S
			if err := io.unmarshal(out, &stored); err != nil {
				return "", WaitDecision{}, err
			}
			d := strategy(stored, sc.Attempt())
			if !d.Continue && d.Err != nil {
				return out, d, d.Err
			}
			return out, d, nil
		},
	}
	payload, err := c.waitForCondition(ctx, name, &p)
	if err != nil {
		return zero, err
	}
	var out S
	if err := io.unmarshal(payload, &out); err != nil {
		return zero, err
	}
	return out, nil
}

// poll is WaitForCondition without generics: states are serialized.
type poll struct {
	io      *opSerdes // told the operation's id once it has begun
	initial func() (string, error)
	// check runs one check on the stored state and returns the new one,
	// serialized, with the strategy's decision on it.
	check func(sc StepContext, state string) (string, WaitDecision, error)
}

func (c *dctx) waitForCondition(base Context, name string, p *poll) (string, error) {
	id, path, rec, err := c.begin(types.OperationTypeStep, subWaitForCondition, name)
	if err != nil {
		return "", err
	}
	p.io.setID(path)
	ref := c.ref(id, types.OperationTypeStep, subWaitForCondition, name)
	attempt, start := 1, true
	var state *string // the state a RETRY stored; nil: the initial state
	if rec != nil {
		d := rec.StepDetails
		if d == nil {
			d = &types.StepDetails{}
		}
		attempt, state = int(d.Attempt)+1, d.Result
		switch rec.Status {
		case types.OperationStatusSucceeded:
			return aws.ToString(d.Result), nil
		case types.OperationStatusPending:
			return "", c.suspend()
		case types.OperationStatusStarted: // an attempt cut off: check again, no new START
			start = false
		case types.OperationStatusReady:
		default:
			typ, msg, data := objFields(d.Error)
			return "", &WaitForConditionError{Name: name, Attempts: int(d.Attempt), ErrorType: typ, Message: msg, ErrorData: data, Err: standIn(typ, msg, nil)}
		}
	}
	var in string
	if state != nil {
		in = *state
	} else if in, err = p.initial(); err != nil {
		return "", err
	}
	if start {
		if err := c.send(ref.update(types.OperationActionStart), false); err != nil {
			return "", err
		}
	}
	if o := c.exec.observer; o != nil {
		o.ObserveStepRun(StepRunEvent{ID: id, Name: name, Attempt: attempt})
	}
	var out string
	var decision WaitDecision
	var uerr error
	if len(c.exec.plugins) == 0 {
		// no closure for the attempt hooks, as for a step
		out, decision, uerr = c.conditionAttempt(base, attempt, name, p, in)
	} else {
		var s string
		var d WaitDecision
		info := OperationHookInfo{ExecutionArn: *c.exec.arn, ID: id, Name: name, Type: string(types.OperationTypeStep), SubType: subWaitForCondition, ParentID: c.parentID, IsReplay: rec != nil}
		uerr = c.attempt(base, info, attempt, func(actx context.Context) (err error) {
			s, d, err = c.conditionAttempt(actx, attempt, name, p, in)
			return err
		})
		out, decision = s, d
	}
	if err := c.enter(); err != nil { // a turn boundary between the check and its checkpoint
		return "", err
	}
	if uerr == nil && len(out) > maxPayloadBytes {
		uerr = &PayloadTooLargeError{What: "the state of wait for condition " + quote(name), Size: len(out), Limit: maxPayloadBytes}
	}
	if uerr != nil {
		obj := errorObject(uerr)
		u := ref.update(types.OperationActionFail)
		u.Error = &obj
		if err := c.send(u, true); err != nil {
			return "", err
		}
		typ, msg, data := objFields(&obj)
		return "", &WaitForConditionError{Name: name, Attempts: attempt, ErrorType: typ, Message: msg, ErrorData: data, Err: standIn(typ, msg, nil)}
	}
	if !decision.Continue {
		u := ref.update(types.OperationActionSucceed)
		u.Payload = aws.String(out)
		if err := c.send(u, true); err != nil {
			return "", err
		}
		return out, nil
	}
	u := ref.update(types.OperationActionRetry)
	u.Payload = aws.String(out)
	u.StepOptions = &types.StepOptions{NextAttemptDelaySeconds: aws.Int32(delaySeconds(decision.Delay))}
	if err := c.send(u, true); err != nil {
		return "", err
	}
	return "", c.suspend()
}

// conditionAttempt runs one check of a wait for condition; a panic is its
// error.
func (c *dctx) conditionAttempt(ctx context.Context, attempt int, name string, p *poll, state string) (out string, d WaitDecision, err error) {
	sc := &stepCtx{Context: ctx, attempt: attempt, name: name, base: c.exec.logger}
	err = protect(func() (err error) {
		out, d, err = p.check(sc, state)
		return err
	})
	return out, d, err
}
