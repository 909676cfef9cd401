package conformance

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// Target runs one durable execution to its end and reports what the service
// recorded. The in-process [LocalTarget] runs Request.Invoker on the fake
// backend; a target for a deployed stack or an HTTP emulator runs the function
// it maps Request.Key to.
type Target interface {
	Run(ctx context.Context, req Request) (*Execution, error)
}

// Request is one execution to run.
type Request struct {
	Key     string          // requirement "suite/id", for targets that map requirements to deployed functions
	Invoker durable.Invoker // the handler, for targets that run it in process
	Input   []byte          // the user event, JSON
	Name    string          // execution name, unique per run
	// Async asks for an Event invoke (the official runner then polls the
	// history); a target that always runs to the end may ignore it.
	Async bool
	// CallbackActions answer the callbacks the execution opens, with the
	// run's placeholders substituted; only targets that support
	// [FeatureCallbacks] receive any.
	CallbackActions []CallbackAction
	// Functions are the targets of the handler's chained invokes, for
	// targets that run them in process.
	Functions harness.Functions
	// Settled, when set, reports that the history shown already holds what
	// the requirement expects: a requirement without ExpectedResult is done
	// then, even if its execution runs on (the official runner stops
	// polling there).
	Settled func(history []types.Event) bool
	// Poll tunes the polling of an asynchronous run; nil for the defaults.
	Poll *AsyncConfig
}

// Execution is what a target reports: the GetDurableExecution status and
// result, and the GetDurableExecutionHistory events (with execution data).
type Execution struct {
	Status  string // SUCCEEDED, FAILED, TIMED_OUT, STOPPED
	Result  string // the result JSON text when SUCCEEDED
	History []types.Event
	// Logs are the records of an out-of-process function's output, for
	// targets that capture it (dpcheck's emulator does, per execution);
	// nil when the target does not.
	Logs []LogRecord
	// Cause says how an execution that did not succeed ended: its error,
	// and what the target saw besides (dpcheck's emulator: a checkpoint
	// call the service refused). "" for SUCCEEDED.
	Cause string
}

// Feature is a runner capability beyond running a handler to its end.
type Feature string

// FeatureCallbacks: the target answers callbacks with CallbackActions while
// the execution runs.
const FeatureCallbacks Feature = "callbacks"

// FeatureServedFunctions: the target runs the function it maps a
// requirement's key to (a function written with any SDK, served or
// deployed), so a requirement runs without a registered Go handler.
const FeatureServedFunctions Feature = "served-functions"

// FeatureTarget is a Target that declares optional features. A Target that does
// not implement it supports none.
type FeatureTarget interface {
	Target
	Supports(Feature) bool
}

func supports(t Target, f Feature) bool {
	ft, ok := t.(FeatureTarget)
	return ok && ft.Supports(f)
}
