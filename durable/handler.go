package durable

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"
)

// Env is what one invocation runs with.
type Env struct {
	Client    CheckpointClient // required
	Jitter    func() float64   // full-jitter draw in [0,1); nil = math/rand/v2
	Scheduler Scheduler        // nil = free-running goroutines
	Clock     Clock            // the flush timer's time source; nil = the wall clock
	Observer  Observer         // nil = nobody is told
	Logger    *slog.Logger     // nil = discard
	// ReplayLogs keeps the records Context.Logger gets while the handler
	// replays (by default they are dropped, as the official SDKs drop them).
	ReplayLogs bool
	Plugins    []Plugin // see Plugin and WithPlugins
	// Serdes is how operation values are stored when an operation names no
	// serdes of its own; nil = JSONSerdes. The handler's input and result
	// are always JSON.
	Serdes Serdes
	// SerialBranches, when positive and no Scheduler is set, runs the
	// branches of a Parallel or Map one after another on one goroutine for
	// as long as each ends within that time; once one runs longer, the
	// branches still waiting get goroutines of their own, as every branch
	// does at once when it is zero. See launch.go.
	SerialBranches time.Duration
}

// Handler is a durable handler's type, as the official SDK names it; Start,
// Wrap and Handle take any such function.
type Handler[I, O any] func(ctx Context, event I) (O, error)

// Invoker runs ONE invocation over the raw JSON envelope and returns the raw
// JSON output. A non-nil error means the invocation itself failed (malformed
// envelope, a checkpoint call failed): the service treats it as a failed
// invocation and re-invokes later.
type Invoker func(ctx context.Context, env Env, envelope []byte) ([]byte, error)

// InvocationHandler runs one invocation on a decoded envelope. It is the
// Invoker without the JSON: an in-process runner that holds the operations
// already skips encoding and decoding them. The runtime does not modify in;
// in must not change during the call.
type InvocationHandler func(ctx context.Context, env Env, in *InvocationInput) (*InvocationOutput, error)

// Handle turns a typed durable handler into an Invoker. The event is the
// JSON-decoded InputPayload of the EXECUTION operation (the zero E when the
// payload is empty); the result is JSON-encoded into the output's Result.
// opts are applied to the Env of every invocation, over what the caller
// passes (WithPlugins adds to its plugins).
func Handle[E, R any](fn func(Context, E) (R, error), opts ...Option) Invoker {
	h := HandleInvocation(fn, opts...)
	return func(ctx context.Context, env Env, envelope []byte) ([]byte, error) {
		in, err := DecodeInvocationInput(envelope)
		if err != nil {
			return nil, err
		}
		out, err := h(ctx, env, in)
		if err != nil {
			return nil, err
		}
		return EncodeInvocationOutput(out)
	}
}

// HandleInvocation turns a typed durable handler into an InvocationHandler,
// with the same rules as Handle.
func HandleInvocation[E, R any](fn func(Context, E) (R, error), opts ...Option) InvocationHandler {
	body := func(c *dctx, input string) (string, error) {
		var event E
		if strings.TrimSpace(input) != "" {
			if err := json.Unmarshal([]byte(input), &event); err != nil {
				return "", &SerdesError{What: "the handler's input", Err: err}
			}
		}
		r, err := fn(c, event)
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(r)
		if err != nil {
			return "", &SerdesError{What: "the handler's result", Err: err}
		}
		return string(b), nil
	}
	return func(ctx context.Context, env Env, in *InvocationInput) (*InvocationOutput, error) {
		for _, o := range opts {
			o(&env)
		}
		return invoke(ctx, env, in, body)
	}
}

// Option sets a field of the Env that Wrap and Start bind.
type Option func(*Env)

// WithClient sets the checkpoint client.
func WithClient(c CheckpointClient) Option { return func(e *Env) { e.Client = c } }

// WithExecutionClient is the official SDK's name for WithClient. (Its
// client is an SDK interface; here it is the Lambda client's two calls.)
func WithExecutionClient(c CheckpointClient) Option { return WithClient(c) }

// WithJitter sets the retry jitter source.
func WithJitter(f func() float64) Option { return func(e *Env) { e.Jitter = f } }

// WithScheduler sets the branch scheduler.
func WithScheduler(s Scheduler) Option { return func(e *Env) { e.Scheduler = s } }

// WithClock sets the flush timer's time source.
func WithClock(c Clock) Option { return func(e *Env) { e.Clock = c } }

// WithObserver sets the operation observer.
func WithObserver(o Observer) Option { return func(e *Env) { e.Observer = o } }

// WithLogger sets the logger handed to user code.
func WithLogger(l *slog.Logger) Option { return func(e *Env) { e.Logger = l } }

// WithSerdes sets the handler-wide default Serdes (Env.Serdes): every
// step, child context, invoke, callback, condition state and batch item that
// sets none of its own.
func WithSerdes(s Serdes) Option { return func(e *Env) { e.Serdes = s } }

// WithReplayLogs keeps Context.Logger's records while the handler replays
// (Env.ReplayLogs); the JavaScript SDK's modeAware: false.
func WithReplayLogs() Option { return func(e *Env) { e.ReplayLogs = true } }

// Wrap binds a handler to an Env built from opts, giving the
// func(ctx, envelope) (output, error) shape a Lambda runtime loop calls.
func Wrap[E, R any](fn func(Context, E) (R, error), opts ...Option) func(context.Context, []byte) ([]byte, error) {
	var env Env
	for _, o := range opts {
		o(&env)
	}
	inv := Handle(fn)
	return func(ctx context.Context, envelope []byte) ([]byte, error) {
		return inv(ctx, env, envelope)
	}
}
