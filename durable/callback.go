package durable

import (
	"errors"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Sub-types of the operations that wait on the outside world.
const (
	subCallback         = "Callback"
	subWaitForCallback  = "WaitForCallback"
	subWaitForCondition = "WaitForCondition"
	subChainedInvoke    = "ChainedInvoke"
)

func init() {
	for _, s := range []string{subCallback, subWaitForCallback, subWaitForCondition, subChainedInvoke} {
		subPtrs[s] = aws.String(s)
	}
}

// CallbackOption configures CreateCallback and WaitForCallback.
type CallbackOption func(*callbackConfig)

type callbackConfig struct {
	timeout, heartbeat time.Duration
	serdes             Serdes
	submitterRetry     RetryStrategy
}

// WithCallbackTimeout bounds the time the external system has to complete
// the callback (default: none). The service then ends it TIMED_OUT
// (Callback.Timeout) and the callback's result is a *CallbackError matching
// ErrCallbackTimedOut. Whole seconds, rounded up.
func WithCallbackTimeout(d time.Duration) CallbackOption {
	return func(c *callbackConfig) { c.timeout = d }
}

// WithCallbackHeartbeatTimeout bounds the time between two heartbeats
// (SendDurableExecutionCallbackHeartbeat) or between the start and the first
// one (default: none); past it the callback times out (Callback.Heartbeat).
// Whole seconds, rounded up.
func WithCallbackHeartbeatTimeout(d time.Duration) CallbackOption {
	return func(c *callbackConfig) { c.heartbeat = d }
}

// WithCallbackSerdes sets how the callback's result is read (default JSON).
// The service stores the bytes the external system sent as they are; the
// serdes's Unmarshal gets them as its data.
func WithCallbackSerdes(s Serdes) CallbackOption {
	return func(c *callbackConfig) { c.serdes = s }
}

// WithSubmitterRetry sets the retry strategy of WaitForCallback's submitter
// step (default DefaultRetry()). CreateCallback ignores it.
func WithSubmitterRetry(r RetryStrategy) CallbackOption {
	return func(c *callbackConfig) { c.submitterRetry = r }
}

func newCallbackConfig(opts []CallbackOption) (callbackConfig, error) {
	cfg := callbackConfig{submitterRetry: defaultRetry}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case cfg.timeout < 0:
		return cfg, &ValidationError{Message: "callback timeout must not be negative, got " + cfg.timeout.String()}
	case cfg.heartbeat < 0:
		return cfg, &ValidationError{Message: "callback heartbeat timeout must not be negative, got " + cfg.heartbeat.String()}
	}
	if cfg.submitterRetry == nil {
		cfg.submitterRetry = defaultRetry
	}
	return cfg, nil
}

// wholeSeconds is d in whole seconds, rounded up; 0 stays 0 (no timeout).
func wholeSeconds(d time.Duration) int32 {
	return int32(min(math.Ceil(d.Seconds()), math.MaxInt32))
}

// Callback is a callback created by CreateCallback: an id to hand to an
// external system, which completes it through the Lambda API
// (SendDurableExecutionCallbackSuccess, ...Failure, ...Heartbeat), and the
// result it sends.
type Callback[O any] struct {
	ctx        *dctx // the context that created it
	opID       string
	callbackID string
	name       string
	io         opSerdes
}

// ID is the callback id the service assigned, the one the external system
// passes to SendDurableExecutionCallbackSuccess or ...Failure. It is the same
// on every replay.
func (cb *Callback[O]) ID() string { return cb.callbackID }

// Result returns the callback's result once the external system completed
// it. Until then it suspends the invocation (the service invokes the
// function again when the callback completes or times out) and returns an
// error the caller should pass up unchanged. A callback completed with a
// failure, or timed out, gives a *CallbackExternalError or
// *CallbackTimeoutError (both *CallbackError). Call it from the context
// that created the callback (or code that context waits for).
func (cb *Callback[O]) Result() (O, error) {
	var zero O
	payload, err := cb.ctx.callbackOutcome(cb.name, cb.opID, cb.callbackID)
	if err != nil {
		return zero, err
	}
	var out O
	if err := cb.io.unmarshal(payload, &out); err != nil {
		return zero, err
	}
	return out, nil
}

// Done is closed when the callback's outcome is on record, so Result
// returns it without suspending. The service records an outcome between
// invocations, so in an invocation that found the callback open Done stays
// open (Result suspends).
func (cb *Callback[O]) Done() <-chan struct{} {
	if op := cb.ctx.exec.get(cb.opID); op != nil && terminal(op.Status) {
		return closedChan
	}
	return make(chan struct{})
}

var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// CreateCallback records a CALLBACK operation and returns its id and a handle
// on its result. Creating does not wait: hand Callback.ID to the external
// system, then call Result. On replay the callback is not created again and
// has the same id.
func CreateCallback[O any](ctx Context, name string, opts ...CallbackOption) (*Callback[O], error) {
	c, err := internal(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := newCallbackConfig(opts)
	if err != nil {
		return nil, err
	}
	opID, path, cbID, err := c.createCallback(name, &cfg)
	if err != nil {
		return nil, err
	}
	io := c.serdesFor(cfg.serdes, "callback", cbID).at(path)
	return &Callback[O]{ctx: c, opID: opID, callbackID: cbID, name: name, io: io}, nil
}

// createCallback starts (or finds) the CALLBACK operation named name and
// returns its operation id, positional path and callback id. START is blocking: the id comes
// back in the checkpoint response.
func (c *dctx) createCallback(name string, cfg *callbackConfig) (opID, path, cbID string, err error) {
	id, path, rec, err := c.begin(types.OperationTypeCallback, subCallback, name)
	if err != nil {
		return "", "", "", err
	}
	if rec == nil {
		u := c.ref(id, types.OperationTypeCallback, subCallback, name).update(types.OperationActionStart)
		u.CallbackOptions = &types.CallbackOptions{TimeoutSeconds: wholeSeconds(cfg.timeout), HeartbeatTimeoutSeconds: wholeSeconds(cfg.heartbeat)}
		if err := c.send(u, true); err != nil {
			return "", "", "", err
		}
		rec = c.exec.get(id)
	}
	if rec == nil || rec.CallbackDetails == nil || aws.ToString(rec.CallbackDetails.CallbackId) == "" {
		return "", "", "", c.exec.fail((&CallbackError{Name: name, Kind: CallbackFailed, ErrorType: "CallbackError",
			Message: "the service returned no callback id for callback " + id}).typed())
	}
	return id, path, aws.ToString(rec.CallbackDetails.CallbackId), nil
}

// callbackOutcome reads the callback operation opID: its result payload once
// it succeeded, a *CallbackError once it failed or timed out; while it runs
// the context suspends.
func (c *dctx) callbackOutcome(name, opID, cbID string) (string, error) {
	if err := c.enter(); err != nil {
		return "", err
	}
	rec := c.exec.get(opID)
	if rec == nil {
		return "", c.suspend()
	}
	d := rec.CallbackDetails
	if d == nil {
		d = &types.CallbackDetails{}
	}
	switch rec.Status {
	case types.OperationStatusSucceeded:
		return aws.ToString(d.Result), nil
	case types.OperationStatusStarted, types.OperationStatusPending, types.OperationStatusReady:
		return "", c.suspend()
	}
	kind := CallbackFailed
	if rec.Status == types.OperationStatusTimedOut {
		kind = CallbackTimedOut
	}
	typ, msg, data := objFields(d.Error)
	if typ == "" && msg == "" {
		typ, msg = "Callback."+string(rec.Status), "callback ended "+string(rec.Status)
	}
	return "", (&CallbackError{Name: name, Kind: kind, CallbackID: cbID, ErrorType: typ, Message: msg, ErrorData: data}).typed()
}

// WaitForCallback creates a callback, runs submitter with its id (as a step,
// retried by WithSubmitterRetry's strategy), and returns the callback's
// result, all in one CONTEXT operation of SubType WaitForCallback. The
// submitter hands the id to the external system; it must not wait for the
// result itself. Until the callback completes WaitForCallback suspends the
// invocation and returns an error the caller should pass up unchanged. A
// failed or timed-out callback, or a submitter that failed for good, gives a
// *CallbackError (Kind says which), live and on replay.
func WaitForCallback[O any](ctx Context, name string, submitter func(sc StepContext, callbackID string) error, opts ...CallbackOption) (O, error) {
	var zero O
	c, err := internal(ctx)
	if err != nil {
		return zero, err
	}
	if submitter == nil {
		return zero, &ValidationError{Message: "wait for callback " + quote(name) + " has no submitter"}
	}
	cfg, err := newCallbackConfig(opts)
	if err != nil {
		return zero, err
	}
	if err := c.enter(); err != nil {
		return zero, err
	}
	path := c.nextPath()
	r := c.runContext(ctx, hashID(path), path, subWaitForCallback, name, false, nil, nil, func(cc *dctx) (string, error) {
		return cc.waitForCallback(name, &cfg, submitter)
	})
	payload, errObj, err := c.settleContext(r)
	if err != nil {
		return zero, err
	}
	if errObj != nil {
		return zero, callbackErrorFrom(name, errObj)
	}
	var out O
	io := c.serdesFor(cfg.serdes, "wait for callback", name).at(path)
	if err := io.unmarshal(payload, &out); err != nil {
		return zero, err
	}
	return out, nil
}

// waitForCallback is the body of a WaitForCallback context: the callback,
// the submitter step, and the callback's raw result, which becomes the
// context's payload as it is (the caller deserializes it).
func (cc *dctx) waitForCallback(name string, cfg *callbackConfig, submitter func(StepContext, string) error) (string, error) {
	opID, _, cbID, err := cc.createCallback("", cfg)
	if err != nil {
		return "", err
	}
	scfg := stepConfig{retry: cfg.submitterRetry}
	_, err = cc.step(cc, "", &scfg, func(sc StepContext) (string, error) {
		return "null", submitter(sc, cbID)
	})
	if se, ok := errors.AsType[*StepError](err); ok {
		return "", (&CallbackError{Name: name, Kind: CallbackSubmitterFailed, CallbackID: cbID, ErrorType: se.ErrorType, Message: se.Message, ErrorData: se.ErrorData}).typed()
	}
	if err != nil {
		return "", err
	}
	return cc.callbackOutcome(name, opID, cbID)
}
