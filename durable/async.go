package durable

import (
	"time"
)

// Go runs fn in a child context of its own, like RunInChildContext, on a
// goroutine: the replay-safe go statement. The child takes its position
// when Go is called, so several Go calls from one goroutine get the same
// ids on every replay, whatever order they finish in.
func Go[O any](ctx Context, name string, fn func(Context) (O, error), opts ...ChildOption) *Future[O] {
	return spawn(ctx, name, func(slot *dctx) (O, error) { return RunInChildContext(slot, name, fn, opts...) })
}

// RunInChildContextAsync is RunInChildContext returning a Future; it is Go.
func RunInChildContextAsync[O any](ctx Context, name string, fn func(Context) (O, error), opts ...ChildOption) *Future[O] {
	return Go(ctx, name, fn, opts...)
}

// StepAsync is Step returning a Future: the step starts at once and runs
// (with its retries within this invocation) on a goroutine of its own.
func StepAsync[O any](ctx Context, name string, fn func(StepContext) (O, error), opts ...StepOption) *Future[O] {
	return spawn(ctx, name, func(slot *dctx) (O, error) { return Step(slot, name, fn, opts...) })
}

// WaitAsync is Wait returning a Future that settles when the wait is over:
// in a later invocation, since a wait always outlasts the one that starts it.
func WaitAsync(ctx Context, name string, d time.Duration) *Future[Void] {
	return spawn(ctx, name, func(slot *dctx) (Void, error) { return Void{}, Wait(slot, name, d) })
}

// InvokeAsync is Invoke returning a Future.
func InvokeAsync[O, I any](ctx Context, name, functionName string, input I, opts ...InvokeOption) *Future[O] {
	return spawn(ctx, name, func(slot *dctx) (O, error) { return Invoke[O](slot, name, functionName, input, opts...) })
}

// spawn claims the next position of ctx's context and runs op there on a
// goroutine of its own (a Scheduler task, like a Parallel branch). op runs
// in a slot: a stand-in for the context whose next operation is the
// claimed position, so a suspension or an abandonment stays the future's
// own and never unwinds the context that made it.
func spawn[O any](ctx Context, name string, op func(slot *dctx) (O, error)) *Future[O] {
	c, err := internal(ctx)
	if err != nil {
		return settledFuture[O](nil, err)
	}
	if err := c.enter(); err != nil {
		return settledFuture[O](c.exec, err)
	}
	e := c.exec
	n := c.n.Add(1)
	run := &branchRun{}
	slot := &dctx{Context: ctx, exec: e, path: c.path, parentID: c.parentID, parentIDp: c.parentIDp, parent: c, branch: run}
	slot.n.Store(n - 1)
	f := &Future[O]{core: newFuture(e, run)}
	c.futures.add(f.core)
	run.task = e.seq.newTask(hashID(childPath(c.path, int(n))), name)
	slot.task = run.task
	go func() {
		e.seq.start(run.task)
		defer e.seq.exit(run.task)
		var v O
		err := slot.live()
		if err == nil {
			err = protect(func() (err error) {
				v, err = op(slot)
				return err
			})
		}
		e.seq.yield(run.task) // a turn boundary before the future settles
		f.value = v
		f.core.settle(err)
	}()
	return f
}

// settledFuture is a future that failed before its operation could start.
func settledFuture[O any](e *execution, err error) *Future[O] {
	f := &Future[O]{core: newFuture(e, &branchRun{})}
	if e == nil {
		f.core.exec = &execution{}
	}
	f.core.settle(err)
	return f
}
