package durable

import (
	"context"
	"errors"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ChildOption configures one RunInChildContext.
type ChildOption func(*childConfig)

type childConfig struct {
	serdes  Serdes // nil: the handler's
	summary func(payload string) string
	io      opSerdes // set by the combinators once the operation is numbered
}

// WithChildSerdes sets how the child's result is stored (default: the
// handler's Serdes).
func WithChildSerdes(s Serdes) ChildOption { return func(c *childConfig) { c.serdes = s } }

// WithSummary sets the payload recorded instead of a result over 256 KiB
// (default: {"type":"RunInChildContext","size":N}, N the result's size in
// bytes). Such a child is recorded with ReplayChildren, and a replay runs
// its function again with every operation inside replayed.
func WithSummary(f func(payload string) string) ChildOption {
	return func(c *childConfig) { c.summary = f }
}

// RunInChildContext runs fn in a context of its own, recorded as one CONTEXT
// operation: on replay a finished child returns its stored result (or its
// *ChildContextError) without running fn.
func RunInChildContext[O any](ctx Context, name string, fn func(Context) (O, error), opts ...ChildOption) (O, error) {
	var zero O
	c, err := internal(ctx)
	if err != nil {
		return zero, err
	}
	cfg := childConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	if err := c.enter(); err != nil {
		return zero, err
	}
	path := c.nextPath()
	io := c.serdesFor(cfg.serdes, "child context", name).at(path)
	r := c.runContext(ctx, hashID(path), path, subChild, name, false, nil, cfg.summary, func(cc *dctx) (string, error) {
		v, err := fn(cc)
		if err != nil {
			return "", err
		}
		return io.marshal(v)
	})
	payload, errObj, err := c.settleContext(r)
	if err != nil {
		return zero, err
	}
	if errObj != nil {
		return zero, childErrorFrom(name, errObj)
	}
	var out O
	if err := io.unmarshal(payload, &out); err != nil {
		return zero, err
	}
	return out, nil
}

// settleContext finishes a context operation run in c by runContext, for a
// caller that waits for it: a control error unwinds c (suspending it when
// the child suspended), a terminal update still to send is sent, and the
// outcome is the payload or the failure's error object.
func (c *dctx) settleContext(r ctxRun) (string, *types.ErrorObject, error) {
	if r.err != nil {
		if r.err == errSuspended {
			c.suspend()
		}
		return "", nil, r.err
	}
	if r.final != nil {
		if err := c.enter(); err != nil { // a turn boundary before the terminal checkpoint
			return "", nil, err
		}
		if err := r.owner.send(*r.final, true); err != nil {
			return "", nil, err
		}
	}
	return r.payload, r.errObj, nil
}

// ctxRun is the outcome of a context operation (child context or Parallel
// branch): a result payload, a failure, or a control error (err) that
// unwinds the caller.
type ctxRun struct {
	payload string
	errObj  *types.ErrorObject
	err     error
	// final is the SUCCEED or FAIL still to send (nil when the outcome came
	// from the record, or nothing is recorded), sent by owner.
	final *types.OperationUpdate
	owner *dctx
}

// runContext resolves the context operation id at path, made in context c:
// a terminal record is returned as stored, otherwise fn runs in a new child
// context (br marks a Parallel branch). A flat context has no record and
// records nothing; its operations are parented to c's parent id.
func (c *dctx) runContext(base context.Context, id, path, sub, name string, flat bool, br *branchRun, summary func(string) string, fn func(*dctx) (string, error)) ctxRun {
	ref := c.ref(id, types.OperationTypeContext, sub, name)
	child := c.newChild(base, path, ref)
	if br != nil {
		child.branch, child.task = br, br.task
	}
	if flat {
		child.parentID, child.parentIDp = c.parentID, c.parentIDp
	}
	replayChildren, recorded := false, false
	if !flat {
		rec, err := c.lookup(id, types.OperationTypeContext, sub, name)
		if err != nil {
			return ctxRun{err: err}
		}
		recorded = rec != nil
		mode := modeOf(rec)
		if rec != nil && rec.Status == types.OperationStatusSucceeded && rec.ContextDetails != nil && aws.ToBool(rec.ContextDetails.ReplayChildren) {
			mode, replayChildren = OperationResumed, true
		}
		c.observe(id, name, types.OperationTypeContext, sub, mode)
		switch {
		case rec == nil:
			if _, err := c.exec.enqueue(ref.update(types.OperationActionStart), child); err != nil {
				return ctxRun{err: err}
			}
		case replayChildren:
		case rec.Status == types.OperationStatusSucceeded:
			if rec.ContextDetails == nil {
				return ctxRun{}
			}
			return ctxRun{payload: aws.ToString(rec.ContextDetails.Result)}
		case terminal(rec.Status):
			var o *types.ErrorObject
			if rec.ContextDetails != nil {
				o = rec.ContextDetails.Error
			}
			if o == nil {
				o = &types.ErrorObject{ErrorType: aws.String("ChildContextError"), ErrorMessage: aws.String("context ended " + string(rec.Status))}
			}
			return ctxRun{errObj: o}
		}
	}
	var payload string
	var uerr error
	if len(c.exec.plugins) == 0 {
		// no closure for the wrap hooks: this is every context's path
		payload, uerr = runProtected(child, fn)
	} else {
		var p string
		uerr = c.childFn(child, id, name, sub, recorded, func(child *dctx) (err error) {
			p, err = runProtected(child, fn)
			return err
		})
		payload = p
	}
	child.finishFutures()
	switch {
	case c.exec.failed.Load():
		return ctxRun{err: c.exec.failure()}
	case child.abandoned() || errors.Is(uerr, errAbandoned):
		return ctxRun{err: errAbandoned}
	case child.suspended.Load() || errors.Is(uerr, errSuspended):
		return ctxRun{err: errSuspended}
	}
	r := ctxRun{owner: child}
	var u types.OperationUpdate
	if uerr != nil {
		obj := errorObject(uerr)
		r.errObj = &obj
		u = ref.update(types.OperationActionFail)
		u.Error = &obj
	} else {
		r.payload = payload
		u = ref.update(types.OperationActionSucceed)
		if len(payload) > maxPayloadBytes {
			if summary == nil {
				summary = defaultSummary(sub)
			}
			u.ContextOptions = &types.ContextOptions{ReplayChildren: aws.Bool(true)}
			u.Payload = aws.String(summary(payload))
		} else {
			u.Payload = aws.String(payload)
		}
	}
	if !flat && !replayChildren {
		r.final = &u
	}
	return r
}

// defaultSummary is the summary recorded for a context result over 256 KiB
// when none was given: {"type":sub,"size":N}, N the result's size in bytes
// (sub is RunInChildContext, or ParallelBranch for a Parallel branch).
func defaultSummary(sub string) func(string) string {
	return func(payload string) string {
		return `{"type":"` + sub + `","size":` + strconv.Itoa(len(payload)) + `}`
	}
}

// runProtected runs a context's function; a panic is its error.
func runProtected(child *dctx, fn func(*dctx) (string, error)) (payload string, err error) {
	err = protect(func() (err error) {
		payload, err = fn(child)
		return err
	})
	return payload, err
}
