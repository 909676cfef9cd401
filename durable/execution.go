package durable

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// execution is the state of one invocation.
type execution struct {
	ctx      context.Context
	arn      *string
	client   CheckpointClient
	observer Observer
	logger   *slog.Logger // Env.Logger, for step bodies (which run live only)
	ctxLog   *slog.Logger // the logger of Context.Logger: quiet while replaying
	seq      *sequencer
	serial   time.Duration // Env.SerialBranches; 0 under a Scheduler

	plugins    plugins
	serdes     Serdes // Env.Serdes, never nil
	first      bool   // nothing but the EXECUTION operation on record, no changes reported
	replaying  atomic.Bool
	replayLeft atomic.Int64 // terminal records the code has not reached yet
	replayLogs bool
	lambda     *lambdacontext.LambdaContext
	startTime  time.Time

	jitterMu sync.Mutex
	jitterFn func() float64

	opsMu sync.RWMutex
	ops   opIndex

	failed  atomic.Bool
	failMu  sync.Mutex
	failErr error

	qmu      sync.Mutex
	queue    []types.OperationUpdate // the updates waiting, a window of qbuf
	qbuf     []types.OperationUpdate // the queue's array, from its front
	qarr     *queueArray             // qbuf's first array, from queueArrays
	lent     bool                    // a batch of qbuf is out with the client
	enqueued uint64

	// the flush timer (flush_timer.go), under qmu
	clock       Clock
	timerStop   func() bool // nil: no timer pending
	firstQueued time.Time   // zero: the queue was empty after the last call
	lastQueued  time.Time
	timerEnded  bool
	timerWG     sync.WaitGroup // timed flushes in progress

	sendMu sync.Mutex // held across a checkpoint call; guards token, sent, closed
	token  *string    // the last response's, passed on as is
	sent   uint64
	closed bool
}

// queueRoom is the checkpoint queue's first capacity: what waits while a
// call is out (the calculator's invocation queues at most 4 at once). The
// array is used again once each call has answered.
const queueRoom = 4

var discardLogger = slog.New(slog.DiscardHandler)

func newExecution(ctx context.Context, env Env, in *InvocationInput) *execution {
	e := &execution{
		ctx:      ctx,
		arn:      aws.String(in.DurableExecutionArn),
		client:   env.Client,
		observer: env.Observer,
		logger:   env.Logger,
		seq:      newSequencer(env.Scheduler),
		jitterFn: env.Jitter,
		clock:    env.Clock,
		token:    aws.String(in.CheckpointToken),
		ops:      newOpIndex(len(in.InitialExecutionState.Operations)),
		qarr:     queueArrays.Get().(*queueArray),
	}
	if e.logger == nil {
		e.logger = discardLogger
	}
	e.qbuf = e.qarr.updates[:0]
	e.queue = e.qbuf
	e.replayLogs, e.plugins, e.serdes = env.ReplayLogs, env.Plugins, env.Serdes
	if e.seq == nil {
		e.serial = env.SerialBranches
	}
	if e.serdes == nil {
		e.serdes = defaultSerdes
	}
	if e.plugins.enriches() {
		e.logger = slog.New(enrich{next: e.logger.Handler(), ps: e.plugins})
	}
	e.ctxLog = slog.New(replayHandler{next: e.logger.Handler(), exec: e})
	e.lambda, _ = lambdacontext.FromContext(ctx)
	if op := executionOp(in.InitialExecutionState.Operations); op != nil && op.StartTimestamp != nil {
		e.startTime = *op.StartTimestamp
	}

	if e.jitterFn == nil {
		e.jitterFn = rand.Float64
	}
	if e.clock == nil {
		e.clock = wallClock{}
	}
	e.merge(in.InitialExecutionState.Operations)
	e.first = in.UpdatedOperationIds == nil && len(in.InitialExecutionState.Operations) == 1
	return e
}

// jitter draws from Env.Jitter; calls are serialized so a seeded source
// needs no locking of its own.
func (e *execution) jitter() float64 {
	e.jitterMu.Lock()
	defer e.jitterMu.Unlock()
	return e.jitterFn()
}

func (e *execution) get(id string) *types.Operation {
	e.opsMu.RLock()
	op := e.ops.get(id)
	e.opsMu.RUnlock()
	return op
}

func (e *execution) merge(ops []types.Operation) {
	if len(ops) == 0 {
		return
	}
	e.opsMu.Lock()
	for i := range ops {
		if aws.ToString(ops[i].Id) != "" {
			e.ops.put(&ops[i]) // the slice is ours alone: no copy
		}
	}
	e.opsMu.Unlock()
}

// fail ends the execution: every goroutine unwinds at its next durable
// operation. The first failure wins.
func (e *execution) fail(err error) error {
	e.failMu.Lock()
	if e.failErr == nil {
		e.failErr = err
		e.failed.Store(true)
	}
	err = e.failErr
	e.failMu.Unlock()
	return err
}

func (e *execution) failure() error {
	e.failMu.Lock()
	defer e.failMu.Unlock()
	return e.failErr
}

// maxResultBytes is the largest Result an invocation output carries; a
// larger one is checkpointed as an EXECUTION SUCCEED instead.
const maxResultBytes = 6*1024*1024 - 50

// handlerBody runs the user's handler on the raw input payload and returns
// the serialized result.
type handlerBody func(c *dctx, input string) (string, error)

// invoke runs one invocation, between the plugins' invocation hooks.
func invoke(ctx context.Context, env Env, in *InvocationInput, body handlerBody) (*InvocationOutput, error) {
	e, out, err := runInvocation(ctx, env, in, body)
	if e != nil {
		e.invocationEnded(in, out, err)
		e.releaseQueue()
	}
	return out, err
}

// runInvocation runs one invocation; e is nil when it never started.
func runInvocation(ctx context.Context, env Env, in *InvocationInput, body handlerBody) (*execution, *InvocationOutput, error) {
	if env.Client == nil {
		return nil, nil, &ValidationError{Message: "Env.Client is nil"}
	}
	if err := in.check(); err != nil {
		return nil, nil, err
	}
	e := newExecution(ctx, env, in)
	if err := e.fetchPages(in.InitialExecutionState.NextMarker); err != nil {
		return nil, nil, err
	}
	e.startReplay()
	execOp := executionOp(in.InitialExecutionState.Operations)
	var input string
	if execOp.ExecutionDetails != nil {
		input = aws.ToString(execOp.ExecutionDetails.InputPayload)
	}
	root := &dctx{Context: ctx, exec: e}
	root.task = e.seq.newTask("", "")
	start := e.invocationStarted(in, input)
	e.seq.start(root.task)
	var result string
	var err error
	if len(e.plugins) == 0 {
		// no wrap closures: this is every invocation's path
		result, err = runProtected(root, func(root *dctx) (string, error) { return body(root, input) })
	} else {
		var r string
		_, err = e.plugins.wrap(ctx, func(p *Plugin) wrapHook {
			if p.WrapInvocation == nil {
				return nil
			}
			return func(ctx context.Context, fn func(context.Context) (any, error)) (any, error) {
				return p.WrapInvocation(ctx, start, fn)
			}
		}, func(wctx context.Context) (any, error) {
			root.Context = wctx
			var err error
			r, err = runProtected(root, func(root *dctx) (string, error) { return body(root, input) })
			return nil, err
		})
		result = r
	}
	root.finishFutures()
	e.seq.exit(root.task)

	e.stopTimer()
	if !e.failed.Load() {
		e.flushAll()
	}
	if f := e.failure(); f != nil {
		if _, ok := f.(*CheckpointError); ok {
			return e, nil, f
		}
		return e, failedOutput(f), nil
	}
	if root.suspended.Load() || errors.Is(err, errSuspended) {
		return e, &InvocationOutput{Status: InvocationPending}, nil
	}
	if err != nil {
		return e, failedOutput(err), nil
	}
	if len(result) > maxResultBytes {
		u := types.OperationUpdate{Id: execOp.Id, Type: types.OperationTypeExecution, Action: types.OperationActionSucceed, Payload: aws.String(result)}
		if err := root.send(u, true); err != nil {
			return e, nil, err
		}
		result = ""
	}
	return e, &InvocationOutput{Status: InvocationSucceeded, Result: result}, nil
}

func failedOutput(err error) *InvocationOutput {
	o := errorObject(err)
	return &InvocationOutput{Status: InvocationFailed, Error: &o}
}

// executionOp finds the EXECUTION operation.
func executionOp(ops []types.Operation) *types.Operation {
	for i := range ops {
		if ops[i].Type == types.OperationTypeExecution {
			return &ops[i]
		}
	}
	return nil
}
