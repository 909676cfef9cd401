package durable

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ExecutionArn is the durable execution's ARN.
func (c *dctx) ExecutionArn() string { return *c.exec.arn }

// IsReplaying reports whether the handler is still replaying operations
// recorded by earlier invocations: true from the start of an invocation
// with finished operations on record until the code has reached them all,
// or an operation without a terminal record. Context.Logger's records are
// dropped while it holds.
func (c *dctx) IsReplaying() bool { return c.exec.replaying.Load() }

// RequestID is the Lambda request id of the invocation ("" when the
// invocation's context carries no Lambda context).
func (c *dctx) RequestID() string { return c.exec.requestID() }

// LambdaContext is the invocation's Lambda context, nil outside Lambda.
func (c *dctx) LambdaContext() *lambdacontext.LambdaContext { return c.exec.lambda }

// ExecutionStartTime is when the execution was created (the EXECUTION
// operation's StartTimestamp; zero when the service did not send it). It is
// the same on every invocation, unlike time.Now.
func ExecutionStartTime(ctx Context) time.Time {
	c, err := internal(ctx)
	if err != nil {
		return time.Time{}
	}
	return c.exec.startTime
}

// replayHandler drops records while the execution replays, so a line
// logged between operations appears once, not once per invocation.
type replayHandler struct {
	next slog.Handler
	exec *execution
}

func (h replayHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return !h.exec.quiet() && h.next.Enabled(ctx, l)
}

func (h replayHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.exec.quiet() {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h replayHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return replayHandler{next: h.next.WithAttrs(as), exec: h.exec}
}

func (h replayHandler) WithGroup(name string) slog.Handler {
	return replayHandler{next: h.next.WithGroup(name), exec: h.exec}
}

// quiet reports whether Context.Logger drops records now.
func (e *execution) quiet() bool { return !e.replayLogs && e.replaying.Load() }

// startReplay counts the terminal records the invocation starts with: it
// replays until the code has reached them all, or an operation without one.
func (e *execution) startReplay() {
	e.opsMu.RLock()
	n := 0
	for _, op := range e.ops.list {
		if op.Type != types.OperationTypeExecution && terminal(op.Status) {
			n++
		}
	}
	e.opsMu.RUnlock()
	e.replayLeft.Store(int64(n))
	e.replaying.Store(n > 0)
}

// reached notes that the code reached the operation recorded as op (nil:
// none recorded).
func (e *execution) reached(op *types.Operation) {
	if op == nil || !terminal(op.Status) || e.replayLeft.Add(-1) <= 0 {
		e.replaying.Store(false)
	}
}
