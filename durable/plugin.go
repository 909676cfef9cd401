package durable

import (
	"context"
	"time"
)

// Plugin observes and wraps an execution, as the official Go SDK's plugins
// do (EXPERIMENTAL there too). Set only the hooks you need; nil ones cost
// nothing. Hooks of one plugin may run from several goroutines at once (the
// branches of a Parallel); with several plugins, each notification goes to
// all of them concurrently and returns once all are done.
//
// A plugin cannot change an execution's outcome: a panic in a hook is
// recovered and the other plugins still get theirs; a wrap hook's own
// result is ignored in favour of what the wrapped code returned. A wrap hook
// must call fn once; the code runs at most once whatever the hook does (a
// hook that never calls it, or panics first, gets it run after it), and
// values the hook puts in the context it passes to fn are visible to the
// wrapped code (its cancellation and deadline stay the invocation's).
type Plugin struct {
	// OnInvocationStart: each invocation, before the handler runs.
	OnInvocationStart func(ctx context.Context, info InvocationHookInfo)
	// OnInvocationEnd: each invocation's end, PENDING on suspension.
	OnInvocationEnd func(ctx context.Context, info InvocationEndHookInfo)
	// OnOperationStart: an operation begins, or is met again unfinished on
	// replay (IsReplay); an operation finished earlier is not reported again.
	OnOperationStart func(ctx context.Context, info OperationHookInfo)
	// OnOperationEnd: an operation reaches its terminal status, once: when
	// the checkpoint that records it is answered, or, for one that ended
	// between invocations (a wait, a callback, an invoke), at the next
	// invocation's start.
	OnOperationEnd func(ctx context.Context, info OperationHookInfo)
	// OnOperationAttemptStart and OnOperationAttemptEnd: around each attempt
	// of a step or check of a WaitForCondition, on its goroutine.
	OnOperationAttemptStart func(ctx context.Context, info AttemptHookInfo)
	OnOperationAttemptEnd   func(ctx context.Context, info AttemptEndHookInfo)
	// OnOperationChange: operations changed outside the code, from the
	// envelope's UpdatedOperationIds at an invocation's start, and those a
	// checkpoint response reports changed.
	OnOperationChange func(ctx context.Context, info OperationChangeHookInfo)
	// WrapInvocation wraps the handler; plugins[0] is outermost.
	WrapInvocation func(ctx context.Context, info InvocationHookInfo, fn func(ctx context.Context) (any, error)) (any, error)
	// WrapOperationAttemptFn wraps a step body or a condition check.
	WrapOperationAttemptFn func(ctx context.Context, info AttemptHookInfo, fn func(ctx context.Context) (any, error)) (any, error)
	// WrapChildContextFn wraps the function of a child context, a Parallel
	// branch or a Map iteration, each time it runs (again on replay).
	WrapChildContextFn func(ctx context.Context, info OperationHookInfo, fn func(ctx context.Context) (any, error)) (any, error)
	// EnrichLogContext adds fields to each record logged through
	// Context.Logger and StepContext.Logger (after replay suppression);
	// fields the record already has win.
	EnrichLogContext func(ctx context.Context) map[string]any
}

// InvocationHookInfo describes an invocation. RequestID and Operations are
// additions to the official SDK's fields (the conformance suite probes
// them).
type InvocationHookInfo struct {
	ExecutionArn            string
	IsFirstInvocation       bool
	ExecutionInput          any // the event, JSON-decoded into an any
	ExecutionStartTimestamp time.Time
	UpdatedOperations       map[string]OperationHookInfo // changed since the previous invocation
	RequestID               string
	Operations              map[string]OperationHookInfo // every operation on record
}

// InvocationEndHookInfo describes how an invocation ended. The fields after
// ExecutionError are additions to the official SDK's.
type InvocationEndHookInfo struct {
	ExecutionArn            string
	Status                  PluginInvocationStatus
	ExecutionResult         any   // the handler's result when SUCCEEDED
	ExecutionError          error // the failure when FAILED
	IsFirstInvocation       bool
	RequestID               string
	ExecutionStartTimestamp time.Time
	Operations              map[string]OperationHookInfo
}

// PluginInvocationStatus is an invocation's outcome.
type PluginInvocationStatus string

const (
	PluginInvocationSucceeded PluginInvocationStatus = "SUCCEEDED"
	PluginInvocationFailed    PluginInvocationStatus = "FAILED"
	PluginInvocationPending   PluginInvocationStatus = "PENDING"
)

// OperationHookInfo describes an operation. IsReplayingChildren, an
// addition, says a context's function runs again over recorded children.
type OperationHookInfo struct {
	ExecutionArn        string
	ID                  string
	Name                string
	Type                string // STEP, WAIT, CONTEXT, CALLBACK, CHAINED_INVOKE
	SubType             string
	Status              PluginOperationStatus
	Attempt             int
	IsReplay            bool
	ParentID            string
	StartTimestamp      time.Time
	EndTimestamp        time.Time
	Result              string // the recorded result, when SUCCEEDED
	Error               error  // the recorded failure, when it failed
	IsReplayingChildren bool
}

// PluginOperationStatus is an operation's status.
type PluginOperationStatus string

const (
	PluginOperationStarted   PluginOperationStatus = "STARTED"
	PluginOperationReady     PluginOperationStatus = "READY"
	PluginOperationPending   PluginOperationStatus = "PENDING"
	PluginOperationSucceeded PluginOperationStatus = "SUCCEEDED"
	PluginOperationFailed    PluginOperationStatus = "FAILED"
	PluginOperationTimedOut  PluginOperationStatus = "TIMED_OUT"
	PluginOperationStopped   PluginOperationStatus = "STOPPED"
	PluginOperationCancelled PluginOperationStatus = "CANCELLED"
)

// AttemptHookInfo describes one attempt.
type AttemptHookInfo struct {
	OperationHookInfo
	Attempt int
}

// AttemptEndHookInfo describes how an attempt ended.
type AttemptEndHookInfo struct {
	OperationHookInfo
	Attempt int
	Outcome PluginAttemptOutcome
	Error   error
}

// PluginAttemptOutcome is an attempt's outcome.
type PluginAttemptOutcome string

const (
	PluginAttemptSucceeded PluginAttemptOutcome = "SUCCEEDED"
	PluginAttemptFailed    PluginAttemptOutcome = "FAILED"
)

// OperationChangeHookInfo lists changed operations; Operations, an
// addition, is every operation on record.
type OperationChangeHookInfo struct {
	ExecutionArn      string
	UpdatedOperations map[string]OperationHookInfo
	Operations        map[string]OperationHookInfo
}

// WithPlugins registers plugins (Env.Plugins); given to Handle, Wrap or
// Start they are added to those the Env already has.
func WithPlugins(plugins ...Plugin) Option {
	return func(e *Env) { e.Plugins = append(e.Plugins[:len(e.Plugins):len(e.Plugins)], plugins...) }
}
