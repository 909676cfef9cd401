package durable

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// plugins are an invocation's registered plugins.
type plugins []Plugin

// notify calls a hook of every plugin (call picks and calls it), one
// goroutine per plugin when there are several; a panic stops only its own.
func (ps plugins) notify(call func(*Plugin)) {
	switch len(ps) {
	case 0:
		return
	case 1:
		safeHook(&ps[0], call)
		return
	}
	var wg sync.WaitGroup
	for i := range ps {
		p := &ps[i]
		wg.Go(func() { safeHook(p, call) })
	}
	wg.Wait()
}

func safeHook(p *Plugin, call func(*Plugin)) {
	defer func() { _ = recover() }() // a plugin's panic is its own business
	call(p)
}

type wrapHook = func(ctx context.Context, fn func(context.Context) (any, error)) (any, error)

// wrap runs body inside the wrap hooks get picks, plugins[0] outermost.
// body runs at most once, with ctx's cancellation and the values of the
// context the innermost hook passed; its own result is returned, whatever
// the hooks return, panic or forget.
func (ps plugins) wrap(ctx context.Context, get func(*Plugin) wrapHook, body func(context.Context) (any, error)) (any, error) {
	next := once(func(c context.Context) (any, error) {
		if c == nil {
			c = ctx
		}
		return body(hookValues{Context: ctx, values: c})
	})
	innermost := next
	for i := len(ps) - 1; i >= 0; i-- {
		hook := get(&ps[i])
		if hook == nil {
			continue
		}
		inner := next
		next = once(func(c context.Context) (any, error) {
			func() {
				defer func() { _ = recover() }()
				_, _ = hook(c, inner)
			}()
			return inner(c) // runs it now if the hook did not
		})
	}
	_, _ = next(ctx)
	return innermost(ctx)
}

// once returns f guarded to run at most once; later calls get its result.
func once(f func(context.Context) (any, error)) func(context.Context) (any, error) {
	var mu sync.Mutex
	var done bool
	var v any
	var err error
	return func(c context.Context) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			done = true
			v, err = f(c)
		}
		return v, err
	}
}

// hookValues is the context wrapped code runs with: the runtime's context
// (cancellation, deadline) with the values a wrap hook added on top.
type hookValues struct {
	context.Context
	values context.Context
}

func (h hookValues) Value(key any) any {
	if v := h.values.Value(key); v != nil {
		return v
	}
	return h.Context.Value(key)
}

// enrich is a log handler adding the plugins' EnrichLogContext fields to
// each record; attributes the record has win.
type enrich struct {
	next slog.Handler
	ps   plugins
}

func (h enrich) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h enrich) Handle(ctx context.Context, r slog.Record) error {
	fields := map[string]any{}
	for i := range h.ps {
		if f := h.ps[i].EnrichLogContext; f != nil {
			safeHook(&h.ps[i], func(*Plugin) { maps.Copy(fields, f(ctx)) })
		}
	}
	r.Attrs(func(a slog.Attr) bool {
		delete(fields, a.Key)
		return true
	})
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		r.AddAttrs(slog.Any(k, fields[k]))
	}
	return h.next.Handle(ctx, r)
}

func (h enrich) WithAttrs(as []slog.Attr) slog.Handler {
	return enrich{next: h.next.WithAttrs(as), ps: h.ps}
}

func (h enrich) WithGroup(name string) slog.Handler {
	return enrich{next: h.next.WithGroup(name), ps: h.ps}
}

func (ps plugins) enriches() bool {
	return slices.ContainsFunc(ps, func(p Plugin) bool { return p.EnrichLogContext != nil })
}

// now is the time hooks report: the Env's clock.
func (e *execution) now() time.Time { return e.clock.Now() }

// opInfo describes the recorded operation op.
func (e *execution) opInfo(op *types.Operation, replay bool) OperationHookInfo {
	info := OperationHookInfo{
		ExecutionArn: *e.arn, ID: aws.ToString(op.Id), Name: aws.ToString(op.Name), Type: string(op.Type),
		SubType: aws.ToString(op.SubType), Status: PluginOperationStatus(op.Status), IsReplay: replay,
		ParentID: aws.ToString(op.ParentId),
	}
	if op.StartTimestamp != nil {
		info.StartTimestamp = *op.StartTimestamp
	}
	if op.EndTimestamp != nil {
		info.EndTimestamp = *op.EndTimestamp
	}
	var errObj *types.ErrorObject
	switch {
	case op.StepDetails != nil:
		info.Attempt = int(op.StepDetails.Attempt)
		info.Result, errObj = aws.ToString(op.StepDetails.Result), op.StepDetails.Error
	case op.ContextDetails != nil:
		info.Result, errObj = aws.ToString(op.ContextDetails.Result), op.ContextDetails.Error
	case op.CallbackDetails != nil:
		info.Result, errObj = aws.ToString(op.CallbackDetails.Result), op.CallbackDetails.Error
	case op.ChainedInvokeDetails != nil:
		info.Result, errObj = aws.ToString(op.ChainedInvokeDetails.Result), op.ChainedInvokeDetails.Error
	}
	if errObj != nil {
		info.Error = standIn(aws.ToString(errObj.ErrorType), aws.ToString(errObj.ErrorMessage), nil)
	}
	if op.Status != types.OperationStatusSucceeded {
		info.Result = ""
	}
	return info
}

// opInfos describes the operations named by ids (all recorded ones when
// ids is nil), the EXECUTION operation left out.
func (e *execution) opInfos(ids []string, replay bool) map[string]OperationHookInfo {
	e.opsMu.RLock()
	defer e.opsMu.RUnlock()
	out := map[string]OperationHookInfo{}
	add := func(op *types.Operation) {
		if op != nil && op.Type != types.OperationTypeExecution {
			out[aws.ToString(op.Id)] = e.opInfo(op, replay)
		}
	}
	if ids == nil {
		for _, op := range e.ops.list {
			add(op)
		}
	}
	for _, id := range ids {
		add(e.ops.get(id))
	}
	return out
}

// changed reports operations a checkpoint response or an envelope says
// changed: OnOperationChange for all, OnOperationEnd for each that reached
// a terminal status (was stands for the records before the change).
func (e *execution) changed(ops []*types.Operation, was map[string]bool, replay bool) {
	if len(e.plugins) == 0 || len(ops) == 0 {
		return
	}
	updated := map[string]OperationHookInfo{}
	var ended []OperationHookInfo
	for _, op := range ops {
		if op.Type == types.OperationTypeExecution {
			continue
		}
		info := e.opInfo(op, replay)
		updated[info.ID] = info
		if terminal(op.Status) && !was[info.ID] {
			ended = append(ended, info)
		}
	}
	if len(updated) == 0 {
		return
	}
	all := e.opInfos(nil, replay)
	e.plugins.notify(func(p *Plugin) {
		if p.OnOperationChange != nil {
			p.OnOperationChange(e.ctx, OperationChangeHookInfo{ExecutionArn: *e.arn, UpdatedOperations: updated, Operations: all})
		}
	})
	for _, info := range ended {
		e.plugins.notify(func(p *Plugin) {
			if p.OnOperationEnd != nil {
				p.OnOperationEnd(e.ctx, info)
			}
		})
	}
}

// operationStarted reports an operation the code reached: a new one, or
// one recorded unfinished (replay). Finished ones are not reported again.
func (c *dctx) operationStarted(id, name string, typ types.OperationType, sub string, mode OperationMode) {
	e := c.exec
	if len(e.plugins) == 0 || mode == OperationReplayed {
		return
	}
	info := OperationHookInfo{ExecutionArn: *e.arn, ID: id, Name: name, Type: string(typ), SubType: sub,
		Status: PluginOperationStarted, ParentID: c.parentID, StartTimestamp: e.now()}
	if op := e.get(id); op != nil && mode == OperationResumed {
		info = e.opInfo(op, true)
	}
	e.plugins.notify(func(p *Plugin) {
		if p.OnOperationStart != nil {
			p.OnOperationStart(e.ctx, info)
		}
	})
}

// attempt runs one attempt of a step or condition check (body) between the
// attempt hooks, inside the plugins' WrapOperationAttemptFn; base is the
// context the body's StepContext builds on. Callers without plugins run the
// body directly, so no step allocates a closure for hooks it does not have.
func (c *dctx) attempt(base context.Context, info OperationHookInfo, n int, body func(context.Context) error) error {
	e := c.exec
	info.Attempt, info.Status, info.StartTimestamp = n, PluginOperationStarted, e.now()
	start := AttemptHookInfo{OperationHookInfo: info, Attempt: n}
	e.plugins.notify(func(p *Plugin) {
		if p.OnOperationAttemptStart != nil {
			p.OnOperationAttemptStart(e.ctx, start)
		}
	})
	_, err := e.plugins.wrap(base, func(p *Plugin) wrapHook {
		if p.WrapOperationAttemptFn == nil {
			return nil
		}
		return func(ctx context.Context, fn func(context.Context) (any, error)) (any, error) {
			return p.WrapOperationAttemptFn(ctx, start, fn)
		}
	}, func(ctx context.Context) (any, error) { return nil, body(ctx) })
	end := AttemptEndHookInfo{OperationHookInfo: info, Attempt: n, Outcome: PluginAttemptSucceeded}
	end.EndTimestamp = e.now()
	if err != nil && !errors.Is(err, errSuspended) && !errors.Is(err, errAbandoned) {
		end.Outcome, end.Error, end.OperationHookInfo.Error = PluginAttemptFailed, err, err
	}
	e.plugins.notify(func(p *Plugin) {
		if p.OnOperationAttemptEnd != nil {
			p.OnOperationAttemptEnd(e.ctx, end)
		}
	})
	return err
}

// childFn runs a context's function inside the plugins'
// WrapChildContextFn; replaying says its recorded children replay. Callers
// without plugins run fn directly, so no closure is allocated for it.
func (c *dctx) childFn(child *dctx, id, name, sub string, replaying bool, fn func(*dctx) error) error {
	e := c.exec
	info := OperationHookInfo{ExecutionArn: *e.arn, ID: id, Name: name, Type: string(types.OperationTypeContext), SubType: sub,
		Status: PluginOperationStarted, ParentID: c.parentID, IsReplay: replaying, IsReplayingChildren: replaying, StartTimestamp: e.now()}
	_, err := e.plugins.wrap(child.Context, func(p *Plugin) wrapHook {
		if p.WrapChildContextFn == nil {
			return nil
		}
		return func(ctx context.Context, fn func(context.Context) (any, error)) (any, error) {
			return p.WrapChildContextFn(ctx, info, fn)
		}
	}, func(ctx context.Context) (any, error) {
		child.Context = ctx
		return nil, fn(child)
	})
	return err
}

// terminalAmong says which of ops are recorded terminal before they merge.
func (e *execution) terminalAmong(ops []types.Operation) map[string]bool {
	if len(e.plugins) == 0 {
		return nil
	}
	was := map[string]bool{}
	for i := range ops {
		id := aws.ToString(ops[i].Id)
		if op := e.get(id); op != nil && terminal(op.Status) {
			was[id] = true
		}
	}
	return was
}

func ptrs(ops []types.Operation) []*types.Operation {
	out := make([]*types.Operation, len(ops))
	for i := range ops {
		out[i] = &ops[i]
	}
	return out
}
