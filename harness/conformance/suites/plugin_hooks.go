package suites

import (
	"context"
	"errors"

	"github.com/dpcheck/dpcheck/durable"
)

// The plugins of the plugin suite. Each builder makes one invocation's
// plugins over its log; every record carries the execution ARN once
// invocation-start has seen it.

// arnKeeper is the invocation-start hook every plugin has: it keeps the ARN
// for the records that follow.
func arnKeeper(l *pluginLog, also func(durable.InvocationHookInfo)) func(context.Context, durable.InvocationHookInfo) {
	return func(_ context.Context, info durable.InvocationHookInfo) {
		l.keepArn(info.ExecutionArn)
		if also != nil {
			also(info)
		}
	}
}

// 10-1, 10-7: invocation start (first) and end (status).
func invocationHooks(l *pluginLog) []durable.Plugin {
	return []durable.Plugin{{
		OnInvocationStart: arnKeeper(l, func(info durable.InvocationHookInfo) {
			l.emit(confPlugin, "invocation-start", "first", info.IsFirstInvocation)
		}),
		OnInvocationEnd: func(_ context.Context, info durable.InvocationEndHookInfo) {
			l.emit(confPlugin, "invocation-end", "status", string(info.Status))
		},
	}}
}

// 10-16: invocation start and end, the end stamped with its own
// invocation's first flag and whether its status is terminal.
func invocationFirstHooks(l *pluginLog) []durable.Plugin {
	return []durable.Plugin{{
		OnInvocationStart: arnKeeper(l, func(info durable.InvocationHookInfo) {
			l.emit(confPlugin, "invocation-start", "first", info.IsFirstInvocation)
		}),
		OnInvocationEnd: func(_ context.Context, info durable.InvocationEndHookInfo) {
			l.emit(confPlugin, "invocation-end", "first", info.IsFirstInvocation, "terminal", terminalStatus(info.Status), "status", string(info.Status))
		},
	}}
}

// 10-19: the invocation infos dumped whole.
func invocationDump(l *pluginLog) []durable.Plugin {
	return []durable.Plugin{{
		OnInvocationStart: arnKeeper(l, func(info durable.InvocationHookInfo) {
			l.emit(confPlugin, "invocation-start", "isFirstInvocation", info.IsFirstInvocation, "requestId", info.RequestID,
				"operationsCount", len(info.Operations), "updatedOperationsCount", len(info.UpdatedOperations),
				"executionStartTimestamp", stamp(info.ExecutionStartTimestamp))
		}),
		OnInvocationEnd: func(_ context.Context, info durable.InvocationEndHookInfo) {
			fields := []any{"isFirstInvocation", info.IsFirstInvocation, "requestId", info.RequestID,
				"operationsCount", len(info.Operations), "executionStartTimestamp", stamp(info.ExecutionStartTimestamp),
				"status", string(info.Status), "terminal", terminalStatus(info.Status)}
			if info.ExecutionError != nil {
				fields = append(fields, "executionError", info.ExecutionError.Error())
			}
			l.emit(confPlugin, "invocation-end", fields...)
		},
	}}
}

// 10-5: two plugins, A and B, with the invocation hooks.
func twoPlugins(l *pluginLog) []durable.Plugin {
	one := func(name string) durable.Plugin {
		return durable.Plugin{
			OnInvocationStart: arnKeeper(l, func(durable.InvocationHookInfo) { l.emit(name, "invocation-start") }),
			OnInvocationEnd: func(_ context.Context, info durable.InvocationEndHookInfo) {
				l.emit(name, "invocation-end", "status", string(info.Status))
			},
		}
	}
	return []durable.Plugin{one("CONFPLUGIN-A"), one("CONFPLUGIN-B")}
}

// operationHooks logs operation start ({op} plus what extra adds) and end
// ({op, status} plus extra) for the operations keep selects.
func operationHooks(keep func(durable.OperationHookInfo) bool, extra func(start bool, info durable.OperationHookInfo) []any) func(*pluginLog) []durable.Plugin {
	return func(l *pluginLog) []durable.Plugin {
		fields := func(start bool, info durable.OperationHookInfo) []any {
			f := []any{"op", info.ID}
			if !start {
				f = append(f, "status", string(info.Status))
			}
			if extra != nil {
				f = append(f, extra(start, info)...)
			}
			return f
		}
		return []durable.Plugin{{
			OnInvocationStart: arnKeeper(l, nil),
			OnOperationStart: func(_ context.Context, info durable.OperationHookInfo) {
				if keep(info) {
					l.emit(confPlugin, "operation-start", fields(true, info)...)
				}
			},
			OnOperationEnd: func(_ context.Context, info durable.OperationHookInfo) {
				if keep(info) {
					l.emit(confPlugin, "operation-end", fields(false, info)...)
				}
			},
		}}
	}
}

// 10-10: the operation's type token.
func typeField(_ bool, info durable.OperationHookInfo) []any { return []any{"type", info.Type} }

// 10-13: the replay flag on operation-start.
func replayField(start bool, info durable.OperationHookInfo) []any {
	if start {
		return []any{"replay", info.IsReplay}
	}
	return nil
}

// 10-18: type and name, and on operation-start the replay flag and whether
// the operation is still unfinished by the info's own status.
func pendingFields(start bool, info durable.OperationHookInfo) []any {
	f := []any{"type", info.Type, "name", info.Name}
	if start {
		pending := info.Status != durable.PluginOperationSucceeded && info.Status != durable.PluginOperationFailed &&
			info.Status != durable.PluginOperationTimedOut && info.Status != durable.PluginOperationStopped &&
			info.Status != durable.PluginOperationCancelled
		f = append(f, "replay", info.IsReplay, "pending", pending)
	}
	return f
}

// 10-11: every operation's end with its parent id (NONE at the top).
func operationEndWithParent(l *pluginLog) []durable.Plugin {
	return []durable.Plugin{{
		OnInvocationStart: arnKeeper(l, nil),
		OnOperationEnd: func(_ context.Context, info durable.OperationHookInfo) {
			l.emit(confPlugin, "operation-end", "op", info.ID, "parent", orNone(info.ParentID), "status", string(info.Status))
		},
	}}
}

// 10-14: each step's end with its recorded result and error message.
func operationEndPayload(l *pluginLog) []durable.Plugin {
	return []durable.Plugin{{
		OnInvocationStart: arnKeeper(l, nil),
		OnOperationEnd: func(_ context.Context, info durable.OperationHookInfo) {
			if stepOps(info) {
				l.emit(confPlugin, "operation-end", "op", info.ID, "status", string(info.Status),
					"result", orNone(info.Result), "error", orNone(errText(info.Error)))
			}
		},
	}}
}

// attemptHooks logs each step attempt's start {n, op} and end {n, outcome,
// op}; more adds hooks to the same plugin.
func attemptHooks(more func(*pluginLog, *durable.Plugin)) func(*pluginLog) []durable.Plugin {
	return func(l *pluginLog) []durable.Plugin {
		p := durable.Plugin{
			OnInvocationStart: arnKeeper(l, nil),
			OnOperationAttemptStart: func(_ context.Context, info durable.AttemptHookInfo) {
				if stepOps(info.OperationHookInfo) {
					l.emit(confPlugin, "attempt-start", "n", info.Attempt, "op", info.ID)
				}
			},
			OnOperationAttemptEnd: func(_ context.Context, info durable.AttemptEndHookInfo) {
				if stepOps(info.OperationHookInfo) {
					l.emit(confPlugin, "attempt-end", "n", info.Attempt, "outcome", string(info.Outcome), "op", info.ID)
				}
			},
		}
		if more != nil {
			more(l, &p)
		}
		return []durable.Plugin{p}
	}
}

// 10-15: the step's terminal end too.
func operationEndOnly(l *pluginLog, p *durable.Plugin) {
	p.OnOperationEnd = func(_ context.Context, info durable.OperationHookInfo) {
		if stepOps(info) {
			l.emit(confPlugin, "operation-end", "op", info.ID, "status", string(info.Status))
		}
	}
}

// 10-21: each step attempt's info dumped whole.
func attemptDump(l *pluginLog) []durable.Plugin {
	return []durable.Plugin{{
		OnInvocationStart: arnKeeper(l, nil),
		OnOperationAttemptStart: func(_ context.Context, info durable.AttemptHookInfo) {
			if stepOps(info.OperationHookInfo) {
				l.emit(confPlugin, "attempt-start", opDump(info.OperationHookInfo, info.Attempt)...)
			}
		},
		OnOperationAttemptEnd: func(_ context.Context, info durable.AttemptEndHookInfo) {
			if stepOps(info.OperationHookInfo) {
				f := append(opDump(info.OperationHookInfo, info.Attempt), "outcome", string(info.Outcome))
				if info.Error != nil {
					f = append(f, "error", info.Error.Error())
				}
				l.emit(confPlugin, "attempt-end", f...)
			}
		},
	}}
}

// opDump is an operation info as canonical fields, unset ones left out.
func opDump(info durable.OperationHookInfo, attempt int) []any {
	f := []any{"id", info.ID, "name", info.Name, "type", info.Type, "subType", info.SubType, "status", string(info.Status),
		"attempt", attempt, "isReplay", info.IsReplay}
	if info.ParentID != "" {
		f = append(f, "parentId", info.ParentID)
	}
	if !info.StartTimestamp.IsZero() {
		f = append(f, "startTimestamp", stamp(info.StartTimestamp))
	}
	if !info.EndTimestamp.IsZero() {
		f = append(f, "endTimestamp", stamp(info.EndTimestamp))
	}
	if info.Error != nil {
		f = append(f, "error", info.Error.Error())
	}
	return f
}

// changeHooks logs each step in an operation-change's delta: {op, status,
// in_full_map}, or (dump) the whole item with the change's own fields.
func changeHooks(dump bool) func(*pluginLog) []durable.Plugin {
	return func(l *pluginLog) []durable.Plugin {
		return []durable.Plugin{{
			OnInvocationStart: arnKeeper(l, nil),
			OnOperationChange: func(_ context.Context, info durable.OperationChangeHookInfo) {
				for id, op := range info.UpdatedOperations {
					if !stepOps(op) {
						continue
					}
					_, inFull := info.Operations[id]
					if !dump {
						l.emit(confPlugin, "operation-change", "op", id, "status", string(op.Status), "in_full_map", inFull)
						continue
					}
					f := append([]any{"executionArn", info.ExecutionArn, "updatedOperationsCount", len(info.UpdatedOperations),
						"operationsCount", len(info.Operations), "inFullMap", inFull}, opDump(op, op.Attempt)...)
					l.emit(confPlugin, "operation-change", f...)
				}
			},
		}}
	}
}

// 10-23: CONTEXT operations' start and their functions' start (the
// WrapChildContextFn hook), dumped whole.
func contextDump(l *pluginLog) []durable.Plugin {
	dump := func(info durable.OperationHookInfo) []any {
		f := []any{"id", info.ID, "name", info.Name, "type", info.Type, "subType", info.SubType}
		if info.ParentID != "" {
			f = append(f, "parentId", info.ParentID)
		}
		return f
	}
	return []durable.Plugin{{
		OnInvocationStart: arnKeeper(l, nil),
		OnOperationStart: func(_ context.Context, info durable.OperationHookInfo) {
			if info.Type == "CONTEXT" {
				l.emit(confPlugin, "operation-start", append(dump(info), "isReplay", info.IsReplay)...)
			}
		},
		WrapChildContextFn: func(ctx context.Context, info durable.OperationHookInfo, fn func(context.Context) (any, error)) (any, error) {
			l.emit(confPlugin, "fn-start", append(dump(info), "isReplayingChildren", info.IsReplayingChildren)...)
			return fn(ctx)
		},
	}}
}

// errFaulty is what the faulty plugin's hooks throw.
var errFaulty = errors.New("CONFPLUGIN-FAULTY hook failure")

// 10-4: every hook logs, then panics; the wrap hooks panic before or after
// calling the wrapped code, or return an error of their own.
func faultyHooks(l *pluginLog) []durable.Plugin {
	throw := func(hook string) { l.emit("CONFPLUGIN-FAULTY", hook); panic(errFaulty) }
	return []durable.Plugin{{
		OnInvocationStart: func(_ context.Context, info durable.InvocationHookInfo) {
			l.keepArn(info.ExecutionArn)
			throw("invocation-start")
		},
		OnInvocationEnd: func(context.Context, durable.InvocationEndHookInfo) { throw("invocation-end") },
		OnOperationStart: func(_ context.Context, info durable.OperationHookInfo) {
			if stepOps(info) {
				throw("operation-start")
			}
		},
		OnOperationEnd: func(_ context.Context, info durable.OperationHookInfo) {
			if stepOps(info) {
				throw("operation-end")
			}
		},
		OnOperationAttemptStart: func(_ context.Context, info durable.AttemptHookInfo) {
			if stepOps(info.OperationHookInfo) {
				throw("attempt-start")
			}
		},
		OnOperationAttemptEnd: func(_ context.Context, info durable.AttemptEndHookInfo) {
			if stepOps(info.OperationHookInfo) {
				throw("attempt-end")
			}
		},
		WrapInvocation: func(context.Context, durable.InvocationHookInfo, func(context.Context) (any, error)) (any, error) {
			panic(errFaulty)
		},
		WrapOperationAttemptFn: func(ctx context.Context, _ durable.AttemptHookInfo, fn func(context.Context) (any, error)) (any, error) {
			_, _ = fn(ctx)
			panic(errFaulty)
		},
		WrapChildContextFn: func(context.Context, durable.OperationHookInfo, func(context.Context) (any, error)) (any, error) {
			return nil, errFaulty
		},
		EnrichLogContext: func(context.Context) map[string]any { panic(errFaulty) },
	}}
}
