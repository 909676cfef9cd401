package durable

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Context is what a durable handler, a child context function and a Parallel
// branch receive. Durable operations take it as their first argument.
// Logger's records are dropped while IsReplaying (the official SDK's
// Logger is an interface with Debug, Info, Warn and Error(msg, fields...),
// which *slog.Logger has, so calls port unchanged).
type Context interface {
	context.Context
	Logger() *slog.Logger
	ExecutionArn() string
	IsReplaying() bool
	RequestID() string
	LambdaContext() *lambdacontext.LambdaContext
}

// Sub-types recorded on the wire.
const (
	subStep         = "Step"
	subWait         = "Wait"
	subChild        = "RunInChildContext"
	subParallel     = "Parallel"
	subBranch       = "ParallelBranch"
	subMap          = "Map"
	subMapIteration = "MapIteration"
)

type ctxKey struct{}

// dctx is the runtime's Context: one per durable context (the handler's root,
// a child context, a Parallel branch). Operations in one context are numbered
// in call order by n.
type dctx struct {
	context.Context
	exec *execution
	path string // positional path of this context's operation; "" at the root
	// parentID is the ParentId of operations made in this context: the
	// context's own id, or the Parallel's id for a FLAT branch.
	parentID  string
	parentIDp *string // points to parentID, shared by updates
	n         atomic.Int32
	suspended atomic.Bool // beside n: the two share a word, which keeps a dctx in 128 bytes
	task      *task
	parent    *dctx
	branch    *branchRun // set on a Parallel branch's context
	futures   futureSet  // made here by Go, StepAsync…; finished when the context's function returns
}

func (c *dctx) Logger() *slog.Logger { return c.exec.ctxLog }

func (c *dctx) Value(key any) any {
	if key == (ctxKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// internal finds the runtime context behind ctx (which may be a user type
// embedding it).
func internal(ctx Context) (*dctx, error) {
	if c, ok := ctx.(*dctx); ok {
		return c, nil
	}
	if ctx != nil {
		if c, ok := ctx.Value(ctxKey{}).(*dctx); ok {
			return c, nil
		}
	}
	return nil, &ValidationError{Message: "the context is not a durable.Context made by this runtime"}
}

// newChild makes the context of the child operation ref, at path. base is
// the Context the user passed, so values it carries reach the child.
func (c *dctx) newChild(base context.Context, path string, ref *opRef) *dctx {
	return &dctx{Context: base, exec: c.exec, path: path, parentID: *ref.id, parentIDp: ref.id, task: c.task, parent: c}
}

// nextPath numbers the next operation in this context.
func (c *dctx) nextPath() string { return childPath(c.path, int(c.n.Add(1))) }

// live returns the error that must unwind the caller, if any: an execution
// that failed, a branch abandoned by an early stop, a suspended context.
func (c *dctx) live() error {
	if c.exec.failed.Load() {
		return c.exec.failure()
	}
	if c.abandoned() {
		return errAbandoned
	}
	if c.suspended.Load() {
		return errSuspended
	}
	return nil
}

func (c *dctx) abandoned() bool {
	for x := c; x != nil; x = x.parent {
		if x.branch != nil && x.branch.abandoned.Load() {
			return true
		}
	}
	return false
}

// enter starts a durable operation: it checks the context is live and, under
// a Scheduler, takes a turn.
func (c *dctx) enter() error {
	if err := c.live(); err != nil {
		return err
	}
	if c.exec.seq != nil {
		c.exec.seq.yield(c.task)
		return c.live()
	}
	return nil
}

// suspend marks the context suspended and returns the unwinding error.
func (c *dctx) suspend() error {
	c.suspended.Store(true)
	return errSuspended
}

// lookup returns the record stored under id, checking that it is the
// operation the code asks for.
func (c *dctx) lookup(id string, typ types.OperationType, sub, name string) (*types.Operation, error) {
	op := c.exec.get(id)
	c.exec.reached(op)
	if op == nil {
		return nil, nil
	}
	if op.Type != typ || aws.ToString(op.SubType) != sub || aws.ToString(op.Name) != name {
		err := &NonDeterministicExecutionError{
			ID:       id,
			Expected: describeOp(string(typ), sub, name),
			Actual:   describeOp(string(op.Type), aws.ToString(op.SubType), aws.ToString(op.Name)),
		}
		c.exec.fail(err)
		return nil, err
	}
	return op, nil
}

// begin starts the operation of type typ/sub named name at the next position
// of this context: it takes a turn, numbers the operation, looks up its
// record and tells the Observer how it was met.
func (c *dctx) begin(typ types.OperationType, sub, name string) (id, path string, rec *types.Operation, err error) {
	if err := c.enter(); err != nil {
		return "", "", nil, err
	}
	path = c.nextPath()
	id = hashID(path)
	rec, err = c.lookup(id, typ, sub, name)
	if err != nil {
		return "", "", nil, err
	}
	c.observe(id, name, typ, sub, modeOf(rec))
	return id, path, rec, nil
}

func describeOp(typ, sub, name string) string {
	return fmt.Sprintf("%s/%s %q", typ, sub, name)
}

// opRef names one operation made in a context. Its updates share its string
// pointers, which saves an allocation per field per update.
type opRef struct {
	id, parent, name, sub *string
	typ                   types.OperationType
}

var subPtrs = map[string]*string{}

func init() {
	for _, s := range []string{subStep, subWait, subChild, subParallel, subBranch, subMap, subMapIteration} {
		subPtrs[s] = aws.String(s)
	}
}

// ref names the operation id of type typ/sub made in this context.
func (c *dctx) ref(id string, typ types.OperationType, sub, name string) *opRef {
	r := &opRef{sub: subPtrs[sub], typ: typ}
	if name != "" {
		// one allocation for both strings
		strs := &[2]string{id, name}
		r.id, r.name = &strs[0], &strs[1]
	} else {
		r.id = aws.String(id)
	}
	if c.parentID != "" {
		r.parent = c.parentIDp
	}
	return r
}

// update starts an OperationUpdate for the operation.
func (r *opRef) update(action types.OperationAction) types.OperationUpdate {
	return types.OperationUpdate{Id: r.id, ParentId: r.parent, Name: r.name, Type: r.typ, SubType: r.sub, Action: action}
}

// send queues u; a blocking send returns once the service acknowledged it.
func (c *dctx) send(u types.OperationUpdate, blocking bool) error {
	seq, err := c.exec.enqueue(u, c)
	if err != nil || !blocking {
		return err
	}
	return c.exec.flush(seq)
}

func (c *dctx) observe(id, name string, typ types.OperationType, sub string, mode OperationMode) {
	if o := c.exec.observer; o != nil {
		o.ObserveOperation(OperationEvent{ID: id, ParentID: c.parentID, Name: name, Type: typ, SubType: sub, Mode: mode})
	}
	c.operationStarted(id, name, typ, sub, mode)
}

// modeOf maps a found record to how the operation was met.
func modeOf(op *types.Operation) OperationMode {
	if op == nil {
		return OperationNew
	}
	if terminal(op.Status) {
		return OperationReplayed
	}
	return OperationResumed
}

func terminal(s types.OperationStatus) bool {
	switch s {
	case types.OperationStatusSucceeded, types.OperationStatusFailed, types.OperationStatusCancelled,
		types.OperationStatusTimedOut, types.OperationStatusStopped:
		return true
	}
	return false
}

// protect runs fn, turning a panic into a *PanicError.
func protect(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r}
		}
	}()
	return fn()
}
