// Package service is dpcheck's strict in-memory fake of the AWS Lambda
// durable execution service: executions, checkpoints, state, history, a
// virtual clock and the invocation lifecycle. The local runner
// (package harness) and the HTTP emulator (package emulator) both sit on
// it; it imports nothing of theirs, only durable/, the standard library and
// the AWS SDK.
//
// # API
//
// NewBackend returns a Backend. Its API methods have exactly the
// signatures of *lambda.Client from aws-sdk-go-v2, so a Backend is a
// durable.CheckpointClient and an HTTP front end can route requests
// straight to it:
//
//	CheckpointDurableExecution, GetDurableExecutionState,
//	GetDurableExecution, GetDurableExecutionHistory,
//	ListDurableExecutionsByFunction, StopDurableExecution,
//	SendDurableExecutionCallbackSuccess, SendDurableExecutionCallbackFailure,
//	SendDurableExecutionCallbackHeartbeat
//
// Errors are the SDK's typed errors from lambda/types, matchable with
// errors.As exactly as against the real service.
//
// # What it enforces (protocol.md §6), and the error each breach gets
//
// A rejected call changes nothing.
//
//   - Checkpoint tokens (§6.1): every accepted checkpoint rotates the token.
//     A stale token, one from an earlier invocation, any token while no
//     invocation is in flight, or after the execution ended:
//     InvalidParameterValueException whose message starts "Invalid
//     Checkpoint Token" (the official JS SDK re-invokes on that prefix,
//     case-sensitively, and fails the execution on any other). Empty
//     Updates is a legal poll. A batch that ends the execution gets no new
//     token. A repeat of the last call with the same ClientToken and
//     CheckpointToken gets the same response and changes nothing.
//   - Actions and state machines (§6.3): the actions each operation type
//     allows; a STEP may START only when new or READY and close only from
//     STARTED or READY; RETRY needs StepOptions and not both Error and
//     Payload; a WAIT or CONTEXT starts once; WAIT CANCEL only from STARTED;
//     CONTEXT closes only from STARTED. Otherwise
//     InvalidParameterValueException naming the operation and the rule.
//     A SUCCEED, FAIL or RETRY for a STEP or CONTEXT never STARTed is
//     accepted, as the official testing service accepts it: the operation
//     is created in its final state and the history has no Started event
//     for it (decisions.md §3; protocol.md §6.3 says otherwise).
//   - Batches (§6.3): a ParentId must name a CONTEXT that exists (or starts
//     earlier in the batch) and is still open; an id appears at most twice
//     in a batch (a STEP or CONTEXT START plus one other action); Type,
//     SubType, Name and ParentId must agree with the stored operation; an
//     EXECUTION update comes last. InvalidParameterValueException.
//   - Limits (Limits, DefaultLimits): operation payloads and errors up to
//     256 KiB, execution input and result up to 6 MiB, waits and retry
//     delays 1 s to one year. InvalidParameterValueException naming the
//     field and the limit.
//   - Unknown executions (never started, or evicted): the error the
//     service's model gives each route (protocol.md §2), one message:
//     ResourceNotFoundException on GetDurableExecution,
//     GetDurableExecutionHistory and StopDurableExecution,
//     InvalidParameterValueException on CheckpointDurableExecution and
//     GetDurableExecutionState, whose model has no ResourceNotFound; an
//     evicted ARN's message says why it is gone. Unknown functions on
//     ListDurableExecutionsByFunction: ResourceNotFoundException.
//   - Execution names (§2.1): StartExecution is idempotent per name (same
//     input: same ARN); another input: DurableExecutionAlreadyStartedException.
//   - ARNs (§6.5): arn:aws:lambda:REGION:ACCOUNT:function:FN:QUALIFIER/
//     durable-execution/NAME/ID, where ID is the EXECUTION operation's id.
//   - CALLBACK (§6.3): START is its only update, once, without Payload or
//     Error; CallbackOptions timeouts 0 (none) to one year.
//   - CHAINED_INVOKE (§6.3): START once, with ChainedInvokeOptions.
//     FunctionName (NAME, NAME:QUALIFIER or an ARN) and an optional
//     printable TenantId; CANCEL only while STARTED.
//   - Send* on a callback: a missing or malformed CallbackId (1-1024 of the
//     base64 alphabet), one naming no callback, a Result over the payload
//     limit or an Error over the error limit: InvalidParameterValueException;
//     a closed callback (timed out, already completed, or of an ended
//     execution): CallbackTimeoutException, which the API model describes
//     as "the callback ID token has either expired or the callback
//     associated with the token has already been closed". These are the
//     errors the model lists for the three operations (with
//     ServiceException and TooManyRequestsException). The official Python
//     testing service answers every one of these cases with
//     ResourceNotFoundException, an error the model does not list for
//     them; dpcheck follows the model.
//
// ThrottlingError and ServiceError build the TooManyRequestsException and
// ServiceException a fault injector answers with.
//
// # State (§6.2)
//
// A checkpoint answers with the operations the handler has not seen, in
// creation order. GetDurableExecutionState and the invocation envelope page
// the operations (MaxItems, markers) and, like the service, leave out the
// descendants of a completed CONTEXT unless it was closed with
// ReplayChildren.
//
// # History (§7)
//
// Written as the conformance requirements expect: EventIds 1..N in order,
// ExecutionStarted first (Input, ExecutionTimeout), the empty
// StepStartedDetails and ContextStartedDetails, RetryDetails on
// StepSucceeded and StepFailed (a RETRY is a StepFailed with
// NextAttemptDelaySeconds), WaitStarted with Duration and
// ScheduledEndTimestamp, WaitSucceeded when the timer fires, payloads in
// EventResult/EventError/EventInput with Truncated, an InvocationCompleted
// after every invocation (with a Runtime.ExitError for a crashed one) and
// the execution's terminal event last.
//
// # Lifecycle: starting and invoking executions (§6.4)
//
// The service side of Invoke is split so any invoker can drive it (the
// local runner in process, the emulator over HTTP):
//
//	arn, err := b.StartExecution(ctx, service.StartExecutionInput{FunctionName: "fn", Payload: `{"a":1}`})
//	envelope, err := b.BeginInvocation(arn)      // durable.InvocationInput JSON, a fresh token
//	output, invokeErr := runTheHandler(envelope) // {"Status":"SUCCEEDED","Result":"…"} / FAILED / PENDING
//	outcome, err := b.EndInvocation(arn, output, invokeErr)
//
// At most one invocation of an execution is in flight (*LifecycleError
// otherwise). EndInvocation validates the output (protocol §5.2; PENDING
// needs a timer, a wake-up or an open callback or chained invoke), records
// InvocationCompleted, ends the execution on SUCCEEDED or FAILED, and says
// what comes next: NextTerminal, NextInvoke (work is ready, or the
// invocation failed: a crash, an error, an invalid output; five failures in
// a row fail the execution), or NextWait until Outcome.WakeAt (zero when
// only an outside actor can resume it). Drive runs
// that loop for an InvokeFunc, advancing the clock while the execution
// waits, with an invocation cap (*InvocationCapError).
// StopDurableExecution makes the execution STOPPED at once with
// ExecutionStopped last in its history, even mid-invocation: the
// invocation in flight is recorded as completed first, its token is
// refused from then on, and its EndInvocation records nothing.
//
// # Callbacks
//
// A CALLBACK START mints the CallbackId (standard base64 of the execution
// ARN and the operation id, so it may hold '/', '+' and '='), returns it in
// the checkpoint's new state, records CallbackStarted (CallbackId, Timeout,
// HeartbeatTimeout when set) and arms the timeout and heartbeat timers.
// SendDurableExecutionCallbackSuccess stores the body verbatim as the
// result (none when empty) with CallbackSucceeded; ...Failure stores the
// ErrorObject with CallbackFailed; ...Heartbeat restarts the heartbeat
// timer and records nothing. A timer that fires makes the callback
// TIMED_OUT with CallbackTimedOut and ErrorType Callback.Timeout or
// Callback.Heartbeat. Every completion re-invokes the execution (at once
// when it is suspended, after the invocation in flight otherwise).
// OpenCallbacks counts the STARTED callbacks of running executions.
//
// # Chained invokes
//
// The service owns no functions: WithChainedInvoker (or SetChainedInvoker,
// before it serves anything) gives it a ChainedInvoker that looks targets
// up and runs them. A CHAINED_INVOKE
// START records ChainedInvokeStarted (FunctionName, TenantId, Input,
// ExecutedVersion, DurableExecutionArn) at once; the target runs only once
// the invocation that started it has ended, so its completion is recorded
// after that InvocationCompleted, as the conformance histories show.
// EndInvocation hands the started chained invokes out in
// Outcome.ChainedInvokes and the driver runs each with RunChainedInvoke,
// which starts a durable target's execution (its ARN was named in the
// event; a plain target gets an ARN of the same shape naming no
// execution), lets the invoker run it to its end and completes the
// operation: SUCCEEDED with the result, FAILED with the error
// (ResourceNotFoundException for a target the invoker does not know),
// TIMED_OUT or STOPPED as a durable target's execution ended, each with its
// ChainedInvoke* event, and the parent is re-invoked.
//
// CANCEL (only while STARTED) records ChainedInvokeStopped with the
// update's Error at once. A target not yet run never runs. A durable
// target's execution that is running is stopped: STOPPED, with
// ExecutionStopped carrying the same Error last in its history. A plain
// target already running is left to finish, and its answer is dropped.
// The official JS testing library also takes CANCEL from STARTED only but
// lets every target run on; stopping a durable one is dpcheck's rule, so a
// cancelled target does no work nobody waits for.
//
// A caller that is stopped or times out sends no CANCEL, and its targets
// run on, as in the official Python testing service (stopping acts on the
// one execution named, as the Lambda documentation says of
// StopDurableExecution); a target's end is not recorded on a caller that
// has ended.
//
// A driver that runs completions concurrently (the emulator) checks Awake
// before it puts a suspended execution to sleep, so a callback answered or
// a chained invoke finished in between is not lost.
//
// # Outside actors in process
//
// DriveWith takes an Actor: the world that answers callbacks. Each time
// the execution suspends the actor is told, and it answers at once or at a
// virtual instant with Schedule, a timer like the others, so a callback
// sent "after one second" lands between the timers around it
// deterministically. With nothing left to resume it, the execution times
// out at its ExecutionTimeout, as an unanswered callback does on the
// service.
//
// # Retention (WithRetention, WithMaxExecutions)
//
// By default a backend keeps every execution. WithRetention removes a
// finished execution once that much virtual time has passed since it
// ended, as the service drops histories after RetentionPeriodInDays;
// WithMaxExecutions bounds how many it holds, removing the earliest
// finished first. A running execution is never removed. Dead timers are
// pruned as the clock's queues grow, so nothing else keeps a removed
// execution alive.
//
// # Virtual clock
//
// Every timestamp comes from the backend's virtual clock, which starts at
// DefaultStart (or WithStartTime), so runs are repeatable. Time moves only
// when asked: Advance(d), AdvanceTo(t), FireNext() (to the next timer) or
// AdvanceUntilIdle() (every operation timer in due order). Timers fire
// at their due time: a WAIT becomes SUCCEEDED (WaitSucceeded), a STEP
// retry becomes READY, a callback times out, a scheduled action runs, and
// the execution timeout makes the execution TIMED_OUT. PendingTimers lists
// what is armed.
package service
