// Package harness is dpcheck's in-memory fake of the AWS Lambda durable
// execution service, the local runner that drives a durable handler
// against it on a virtual clock, and the Result type every runner returns.
//
// # Backend: the fake service
//
// NewBackend returns a Backend. Its API methods have exactly the
// signatures of *lambda.Client from aws-sdk-go-v2, so a Backend is a
// durable.CheckpointClient and an HTTP front end can route requests
// straight to it:
//
//	CheckpointDurableExecution, GetDurableExecutionState,
//	GetDurableExecution, GetDurableExecutionHistory,
//	ListDurableExecutionsByFunction, StopDurableExecution
//
// Errors are the SDK's typed errors from lambda/types
// (*types.InvalidParameterValueException, *types.ResourceNotFoundException,
// *types.DurableExecutionAlreadyStartedException, ...), matchable with
// errors.As exactly as against the real service.
//
// The backend is strict: a checkpoint the real service would reject is
// rejected, and a rejected batch changes nothing. It checks the checkpoint
// token (rotated by every accepted checkpoint; a stale token, one from an
// earlier invocation, any token while no invocation is in flight or after
// the execution ended are refused), the actions each operation type allows,
// the state machine of each type (a STEP may START only when new or READY,
// close only from STARTED or READY; a WAIT or CONTEXT starts once; ...),
// that a parent exists, is a CONTEXT and is still open, that an id appears
// at most twice in a batch (a STEP or CONTEXT START plus one other action),
// that Type, SubType, Name and ParentId agree with the stored operation,
// that an EXECUTION update comes last, and the size limits (Limits). A
// repeat of the last call with the same ClientToken and CheckpointToken
// gets the same response. CALLBACK and CHAINED_INVOKE operations are
// refused as unsupported.
//
// GetDurableExecutionState and the invocation envelope page the operations
// (MaxItems, markers) and, like the service, leave out the descendants of
// a completed CONTEXT unless it was closed with ReplayChildren.
//
// The history is written as the conformance requirements expect: EventIds
// 1..N in order, ExecutionStarted first (Input, ExecutionTimeout), the
// empty StepStartedDetails and ContextStartedDetails, RetryDetails on
// StepSucceeded and StepFailed (a RETRY is a StepFailed with
// NextAttemptDelaySeconds), WaitStarted with Duration and
// ScheduledEndTimestamp, WaitSucceeded when the timer fires, payloads in
// EventResult/EventError/EventInput with Truncated, an InvocationCompleted
// after every invocation (with a Runtime.ExitError for a crashed one) and
// the execution's terminal event last.
//
// # Lifecycle: starting and invoking executions
//
// The service side of Invoke is split so any invoker can drive it (the
// LocalRunner in process, the emulator over HTTP):
//
//	arn, err := b.StartExecution(ctx, harness.StartExecutionInput{FunctionName: "fn", Payload: `{"a":1}`})
//	envelope, err := b.BeginInvocation(arn)      // durable.InvocationInput JSON, a fresh token
//	output, invokeErr := runTheHandler(envelope) // {"Status":"SUCCEEDED","Result":"…"} / FAILED / PENDING
//	outcome, err := b.EndInvocation(arn, output, invokeErr)
//
// StartExecution is idempotent per execution name (same input: same ARN;
// other input: DurableExecutionAlreadyStartedException). EndInvocation
// validates the output (protocol §5.2), records InvocationCompleted, ends
// the execution on SUCCEEDED or FAILED, and says what comes next:
// NextTerminal, NextInvoke (work is ready, or the invocation failed: a
// crash, an error, an invalid output; five failures in a row fail the
// execution), or NextWait until Outcome.WakeAt. Drive runs that loop for an
// InvokeFunc, advancing the clock while the execution waits, with an
// invocation cap (*InvocationCapError).
//
// # Virtual clock
//
// Every timestamp comes from the backend's virtual clock, which starts at
// DefaultStart (or WithStartTime), so runs are repeatable. Time moves only
// when asked: Advance(d), AdvanceTo(t), FireNext() (to the next timer) or
// AdvanceUntilIdle() (every wait and retry timer in due order). Timers fire
// at their due time: a WAIT becomes SUCCEEDED (WaitSucceeded), a STEP
// retry becomes READY, and the execution timeout makes the execution
// TIMED_OUT. PendingTimers lists what is armed.
//
// # LocalRunner
//
//	r := harness.NewLocalRunner(durable.Handle(handler), harness.WithSeed(7))
//	res, err := r.Run(ctx, input)   // or r.MustRun(t, input)
//
// Each Run gets a fresh Backend (WithBackend shares one), starts an
// execution and invokes the handler in process until it ends, with a
// seeded retry jitter (WithSeed, WithJitter), an optional branch scheduler
// (WithScheduler, WithSeededScheduler), an observer (WithObserver) and
// injected faults (WithFaults). It stops at WithMaxInvocations with
// *InvocationCapError and the Result so far.
//
// # Faults
//
// FaultClient wraps any checkpoint client (the runner puts one in front of
// the backend). CrashAfterCheckpoint(n) lets the n-th checkpoint call of
// the execution through, loses its response and kills the invocation (the
// history gets an InvocationCompleted with Runtime.ExitError and the next
// invocation replays); FailCheckpoint(n, err) rejects the n-th call before
// it is applied (default: TooManyRequestsException). A FaultHook can
// decide per call from CheckpointCall.
//
// # Result
//
// A Result is built from what the Lambda API reports (CollectResult reads
// GetDurableExecution and every history page from any ExecutionReader,
// *lambda.Client included; BuildResult folds a history), so a cloud runner
// returns the same type. It has the status, the result (Decode, ResultAs,
// MustResultAs), the error, the history, one Invocation per
// InvocationCompleted (the local runner adds the operations the runtime
// observed as new, resumed or replayed, the step bodies run, the checkpoint
// calls and the faults), and the operations folded from the history: by
// name (Op, OpN for the n-th occurrence, OpsNamed), by index (OpAt), by id
// (OpByID), by type and subtype (OpsOfType), by status (OpsWithStatus),
// with Parent, Children, Child(name) and Path. Tree prints the operation
// tree; Signature gives a normalized, order-independent view (type,
// subtype, name, status, parent path) for comparing runs; ReportJSON is the
// dpcheck run --json document; WriteHistory prints the history.
//
// # Test helpers and registry
//
// The helpers (MustRun, RequireStatus, MustOp, MustResultAs) take a TB, the
// part of testing.TB that plain tests, Ginkgo's GinkgoT() and rapid's *T
// all have. Registry maps function names to durable.Invokers for the
// dpcheck command, the conformance runner and the emulator.
package harness
