// Package durable is a small durable-execution runtime for AWS Lambda
// durable functions, with the vocabulary of the official Go SDK: a handler
// func(durable.Context, E) (R, error) calls package-level operations
// (Step, Parallel, Map, RunInChildContext, Wait, CreateCallback,
// WaitForCallback, WaitForCondition, Invoke) whose outcomes are checkpointed
// through the Lambda API (CheckpointDurableExecution,
// GetDurableExecutionState). The service invokes the function again after
// every suspension, and after a failed invocation; each invocation replays
// the handler from the top, and finished operations return what they
// returned the first time without running user code.
//
//	func handler(ctx durable.Context, in Input) (Output, error) {
//		sum, err := durable.Step(ctx, "add", func(durable.StepContext) (int, error) {
//			return in.A + in.B, nil
//		})
//		if err != nil {
//			return Output{}, err
//		}
//		...
//	}
//
//	func main() { durable.Start(handler) }
//
// # Determinism
//
// Replay works only if the handler makes the same durable calls, in the
// same order, in every context, on every invocation:
//
//   - Every operation gets an id from its position: each context numbers
//     its direct children 1, 2, 3 in call order, and a Parallel numbers its
//     branches by index. The id is a hash of that path, so it does not
//     depend on timing or on the order branches finish in.
//   - Put everything non-deterministic (clocks, random numbers, I/O, calls
//     to other services) inside a Step: its result is recorded and replayed.
//     Code between operations runs again on every invocation.
//   - Do not branch on anything that can change between invocations unless
//     it came out of a Step.
//   - Never call durable operations from goroutines you start yourself, and
//     never use one Context from two goroutines; use Go, Parallel or Map.
//   - Pass errors returned by durable operations up unchanged unless you
//     mean to handle a *StepError, *ChildContextError, *CallbackError,
//     *InvokeError or *WaitForConditionError: when an invocation suspends
//     (a Wait, a retry, a callback or invoke not finished, a branch
//     waiting), or an enclosing Parallel stopped early, operations return
//     an error that unwinds your code.
//     Swallowing it does no harm (further operations in that context return
//     it again and the runtime ignores what the context returns) but code
//     after it still runs.
//
// A record that does not match what the code asks for (another Type,
// SubType or Name at the same position) ends the execution FAILED with a
// *NonDeterministicExecutionError naming the id and both operations.
//
// # Steps
//
// Step runs its function once per attempt. Its result is serialized with
// encoding/json (WithStepSerdes for one step, WithSerdes for the handler),
// checkpointed, and returned
// after a serialize/deserialize round trip, so the first run returns
// exactly what a replay will. A result over 256 KiB, or one that cannot be
// serialized, fails the step without retrying.
//
// A failed attempt goes to the retry strategy (WithRetry; DefaultRetry is 6
// attempts, 5 s doubling to 60 s, full jitter). A retry is checkpointed as
// RETRY with NextAttemptDelaySeconds = max(1, ceil(delay)) and suspends the
// invocation; the service invokes again when the delay is over. When the
// strategy gives up the step is recorded FAILED and Step returns a
// *StepError carrying the step error's type and message.
//
// AtLeastOncePerRetry (default) runs an attempt found STARTED on replay
// again; AtMostOncePerRetry waits for START to be acknowledged before
// running the body, and treats an attempt found STARTED on replay as failed
// (StepInterruptedError) without running it again.
//
// # Parallel and Map
//
// Parallel runs branches in goroutines, each in its own child context
// (a ParallelBranch CONTEXT operation under the Parallel's, or no branch
// operation with WithNesting(NestingFlat)). Map runs one function over a
// list of items the same way, each call a MapIteration CONTEXT under the
// Map's (named "map-item-{index}" unless WithItemNamer says otherwise). Both
// run on one batch engine: everything below holds for both. Items start in
// index order, at most WithMaxConcurrency at a time (default: all); a
// suspended item keeps its slot.
//
// The batch stops when the completion config says so (WithCompletion;
// default fail-fast). Reasons, in precedence order: FAILURE_TOLERANCE_EXCEEDED
// (failures > ToleratedFailureCount, or failed/total*100 >
// ToleratedFailurePercentage, strictly), ALL_COMPLETED, MIN_SUCCESSFUL_REACHED.
// A nil tolerance is unset, an explicit 0 stops at the first failure;
// ShouldComplete replaces the thresholds with a callback (reasons
// CUSTOM_COMPLETION_SUCCEEDED and CUSTOM_COMPLETION_FAILED). Items still running when it stops are abandoned: each
// unwinds at its next durable operation and records nothing more, and is
// reported STARTED. Items never started are left out of the result. Every
// item goroutine has returned before the batch is checkpointed SUCCEEDED.
//
// An item's SUCCEED or FAIL is queued together with the completion
// decision it leads to, under the lock that also guards the checkpoint
// queue, so nothing of an item abandoned by that decision is checkpointed
// after it. It leaves with the next blocking update (at the latest the
// batch's SUCCEED), so items finishing together share a call.
//
// The API has the official Go SDK's shape: BatchResult{Items, Reason},
// integer BatchItemStatus and CompletionReason values whose String (and
// text encoding) is the wire name, BatchOption options (WithMaxConcurrency,
// WithCompletion, WithNesting, WithBatchSerdes for each item's result,
// WithBatchResultSerdes for the whole result, WithItemNamer). The payload
// recorded for a finished batch is plain JSON,
// {"all":[{"index":0,"status":"SUCCEEDED","result":…}],"completionReason":"…"},
// unless WithBatchResultSerdes says otherwise.
//
// When the result's Status is failed (an item failed, the tolerance was
// exceeded, or a custom completion failed it), Map and Parallel return the
// populated BatchResult together with a *BatchError{Name, Reason, Errors};
// the batch is still recorded SUCCEEDED with its result, and a replay
// returns the same *BatchError. So `if err != nil { return err }` fails the
// execution when an item failed; to go on, test errors.As(err, &batchErr)
// and read the result. Any other error (a *ValidationError found before
// anything is recorded, or an unwinding error) comes with a zero result.
//
// # Callbacks, invokes and polled conditions
//
// Three kinds of operation wait on the outside world; each suspends the
// invocation until the service has the outcome and invokes the function
// again, and each replays its recorded outcome:
//
//   - CreateCallback records a CALLBACK; the service assigns the id
//     (Callback.ID) that an external system passes to
//     SendDurableExecutionCallbackSuccess or ...Failure. Callback.Result
//     returns what it sent, or a *CallbackError when it failed or timed out
//     (WithCallbackTimeout, WithHeartbeatTimeout). WaitForCallback wraps a
//     callback and a submitter step, which hands the id out, in one CONTEXT
//     of SubType WaitForCallback; a submitter that fails for good is a
//     *CallbackError too, as one of its subtypes: *CallbackExternalError,
//     *CallbackTimeoutError (Heartbeat says which timeout),
//     *CallbackSubmitterError; errors.Is also tells the kinds apart
//     (ErrCallbackFailed, ErrCallbackTimedOut, ErrCallbackSubmitterFailed).
//   - Invoke records a CHAINED_INVOKE: the service invokes another function
//     with the input and records its result, or its error (*InvokeError).
//   - WaitForCondition polls a check function: one STEP of SubType
//     WaitForCondition, one attempt per check; to poll again it records
//     RETRY with the state and the wait strategy's delay (the official
//     default when ConditionConfig.WaitStrategy is nil, NewWaitStrategy,
//     or any func(state, attempt) WaitDecision), and the next check gets
//     that state back. A check error or a decision's Err fails it with a
//     *WaitForConditionError.
//
// They work in any context, Parallel branches included: a branch waiting for
// a callback is suspended and keeps its slot, and a branch that failed
// because of one carries the *CallbackError (or *InvokeError,
// *WaitForConditionError) behind its *ChildContextError, live and on replay.
//
// # Futures and combinators
//
// Go (the replay-safe go statement), RunInChildContextAsync, StepAsync,
// WaitAsync and InvokeAsync start their operation at once on a goroutine of
// their own and return a *Future; the operation takes its position (its id)
// when the call is made, so ids follow call order, not finishing order.
// Result waits for one future; All, AllSettled, Any, Race and Join wait
// for several, and Select runs named branches and reports the winner:
//
//	a := durable.StepAsync(ctx, "quote-a", quoteA)
//	b := durable.Go(ctx, "quote-b", quoteB)
//	best, err := durable.Any(ctx, "best-quote", []*durable.Future[int]{a, b})
//
// Each combinator is one CONTEXT operation (SubType RunInChildContext)
// made after its futures, with no children (Select's branches are its
// children). It records the combined value: All a JSON array, Any and Race
// the winner's value, AllSettled [{"status":"fulfilled","value":…} |
// {"status":"rejected","reason":{"message":…,"name":…}}], Join {}, Select
// {"winner":…,"outcome":<a settled outcome>}. A failure records the
// deciding future's error type and message (AggregateError "All promises
// were rejected" for Any) and returns a *CombinatorError, a
// PromiseCombinatorError on the wire. A finished combinator replays from
// its record, so Race, Any and Select return the recorded winner whatever
// finishes first on the replay.
//
// Rules dpcheck fixes, with the official SDKs' behaviour beside them:
//
//   - All fails on the first failed future in argument order, even while
//     an earlier one cannot finish in this invocation; so does Join, after
//     every future settled. The JS SDK fails on the first rejection in
//     time (the same record for these cases); the official Go SDK suspends
//     when a suspension was seen first.
//   - Race and Any take the first future to settle (the settlement order,
//     which a Scheduler makes reproducible). A future that cannot finish in
//     this invocation (a pending wait or retry) never wins and never holds
//     up a winner; only when no future can finish does the combinator
//     suspend. This is what the JS SDK's histories show (a step beats a
//     waiting child context in the first invocation); the official Go SDK
//     suspends Race when a pending invoke loses.
//   - A future that is never awaited runs anyway. When the context that
//     made it returns, it waits until the future has finished or suspended:
//     the records do not depend on timing and no goroutine outlives the
//     invocation (decisions §2.5). The JS SDK lets it run until the
//     invocation ends; the official Go SDK lets it run past the response
//     and drops its checkpoints. A future inside a Parallel branch that an
//     early stop abandons stops with the branch.
//   - The combinator's failure record is the deciding future's error type
//     and message with no ErrorData, as the JS SDK's (StepError "b
//     failed"; AggregateError for Any); the newest official Go SDK records
//     PromiseCombinatorError there. The caller's error, and so an
//     execution failed by it, is PromiseCombinatorError with the deciding
//     message in all three.
//   - AllSettled records the JS SDK's shape without the reason's "stack";
//     the official Go SDK records {"status","value","error","errorType",…}.
//   - Race over no futures and Select over no branches (or duplicate
//     names) are a *ValidationError and record nothing, as the newest
//     official Go SDK; Promise.race([]) never settles. Any over no futures
//     records AggregateError, as Promise.any([]).
//   - Select records SUCCEEDED even when the winning branch failed; the
//     winner's failure is in the record and comes back as a
//     *CombinatorError. The JS SDK has no Select or Join.
//   - Future.Result takes no Context and Future has Done, as
//     go-sdk-parity.md lists them; one later official version reads
//     Result(ctx) and drops Done.
//
// # Errors
//
// Errors are recorded as ErrorObjects without stack traces. A user error
// may name its ErrorType with a method `ErrorType() string`; otherwise its
// Go type name is used ("Error" for errors.New and fmt.Errorf);
// WithErrorData attaches the ErrorData recorded with it. Every typed error
// converts to *OperationError{Name, ErrorType, Message, ErrorData,
// StackTrace, Err} with errors.As, which tells an operation's failure from
// the unwinding errors that must be passed up. A failed
// step records the user error; a failed context records StepError with the
// step's own ErrorObject in ErrorData, so *ChildContextError (returned by
// RunInChildContext, held by BatchItem.Err) unwraps with errors.As to the
// failing step's *StepError, live and on replay alike. Errors returned by
// durable operations are rebuilt from these records, never the original Go
// values, so a replay sees the same errors as the first run. A panic in
// user code becomes a *PanicError.
//
// A failed checkpoint call (for example throttling) ends the invocation:
// every goroutine unwinds and the Invoker returns a *CheckpointError; the
// service invokes the function again later.
//
// # Replay
//
// On each invocation the runtime loads the execution's operations (the
// envelope's first page, further pages through GetDurableExecutionState)
// into a map by id. An operation with a terminal record returns its stored
// result or error without running user code; a finished Parallel is rebuilt
// from its payload without running any branch (a Map likewise). An unfinished one first counts every branch with a terminal
// record, in index order and before any completion decision: those
// branches finished in an earlier invocation, before the batch could stop,
// so they take no slot and no live branch can stop the batch ahead of them,
// and a decision the earlier run made (and crashed before recording) is
// made again from the same outcomes. Then the other branches run, in index
// order. A branch with NestingFlat has no record of its own, so it runs
// again like an unfinished one, and where it ends among the live branches
// depends on the schedule.
//
// A context result over 256 KiB is recorded with ReplayChildren and a
// summary instead ({"type":"RunInChildContext","size":N} unless WithSummary
// says otherwise; a Parallel or Map records the summary of its BatchResult), and a
// replay runs its function again with every operation inside replayed.
//
// Checkpoints go out in the order they were made, one call at a time,
// each with the token the previous response returned. Fire-and-forget
// updates (a step's or context's START, a Parallel branch's or Map
// iteration's SUCCEED or FAIL) wait in a queue and leave with the next
// blocking one, or on their own once 100 ms pass without a new update and
// at the latest 1 s after the first of them, as the official SDKs'
// background batcher sends them; in batches of at most 250 updates and
// about 750 KiB. So a process that dies inside a long step body has sent
// that step's START.
//
// # Running handlers
//
// Handle turns a handler into an Invoker, which runs one invocation over
// the raw envelope JSON with an Env: the checkpoint client, and hooks for a
// test harness:
//
//   - Observer is told about every operation met (OperationNew,
//     OperationResumed, OperationReplayed) and every step body run, so a
//     replay checker can assert that no step body ran.
//   - Scheduler, when set, serializes the goroutines running user code
//     (the handler's and one per branch): only one runs at a time, each
//     gives up its turn before every durable operation and before every
//     terminal checkpoint, and Pick chooses the next one once all have
//     reached such a point. A seeded Pick makes an interleaving reproducible.
//     Pick must not panic or block; step bodies must not wait on each other.
//   - Jitter is the retry jitter source; a seeded one makes delays
//     reproducible.
//   - Clock is the time source of the timed flush (default: the wall
//     clock). A virtual one whose timers fire only when the test moves its
//     time on makes the timed flushes happen at reproducible points.
//   - SerialBranches, when positive and no Scheduler is set, runs a
//     Parallel's or Map's branches one after another on the caller's
//     goroutine while each ends within that time; a watchdog gives the
//     branches behind a slower one goroutines of their own. An in-process
//     backend answers in microseconds, and then this is faster than
//     spreading the branches over cores; production leaves it at zero,
//     where every branch starts on a goroutine of its own at once.
//
// Wrap binds an Env and gives the function a Lambda runtime loop calls;
// Start runs it with aws-lambda-go and a lambda.Client from the default AWS
// configuration.
//
// # Parity with the official Go SDK
//
// The API follows the newest official Go SDK read (the "newest" column of
// go-sdk-parity.md): a handler using the names pinned by
// official_api_test.go moves by changing the import. These rows are kept
// different, on purpose or for lack of time:
//
//   - A strategy made by NewWaitStrategy jitters with math/rand (the
//     official strategy signature has no jitter source); the default one
//     (a nil ConditionConfig.WaitStrategy) draws from Env.Jitter, so only it
//     is reproducible under a seed.
//   - CreateCallback takes the same CallbackOption as WaitForCallback
//     (WithSubmitterRetry is ignored there, not a compile error).
//   - Logger() returns *slog.Logger rather than a Logger interface; its
//     Debug/Info/Warn/Error(msg, args...) calls compile against both.
//   - Option is func(*Env), not a sealed HandlerOption interface, and
//     Env also carries the harness's hooks (Observer, Scheduler, Jitter,
//     Clock, SerialBranches): dpcheck's reason to exist. WithExecutionClient takes the
//     Lambda client's two calls, not an SDK interface.
//   - Errors: StackTrace is always nil (histories stay deterministic);
//     NonDeterministicExecutionError, PayloadTooLargeError and SerdesError
//     keep their names and fields; InvokeError.Status is the Lambda SDK's
//     OperationStatus.
//   - Retry: JitterStrategy is an int, RetryAttempt carries Jitter (the
//     seedable source) instead of Elapsed; LinearRetry(n, initial, step)
//     stands for LinearBackoff(LinearRetryConfig).
//   - No `_ [0]func()` guard fields (SerdesContext's excepted): keyed
//     literals port both ways.
//   - Serdes: no FileSystemSerdes, SerdesOf or ConfigureSerdes; the
//     JSONSerdes shortcut for numbers, booleans and plain strings writes
//     what encoding/json writes. SerdesContext.OperationID is the
//     positional id ("1-2"), the official one; the wire id is its hash.
//   - BatchResult.Results is nil, not empty, when nothing succeeded.
//   - Extras kept: ThrowIfError, CompletionReason(), WithToleratedFailureCount,
//     AllSuccessful/AllCompleted/FirstSuccessful, DefaultRetry, WithReplayLogs.
//   - Not here: the Retry group operation, the DAG, WithCallbackDeserializer
//     and the WaitOption, RetryOption and WaitForCallbackOption types.
//   - Plugin hook infos carry a few fields beyond the official ones
//     (RequestID, Operations, IsFirstInvocation on invocation end,
//     IsReplayingChildren): the official plugin conformance suite probes
//     them. OnOperationChange also reports what a checkpoint response says
//     changed, not only the envelope's UpdatedOperationIds (the suite
//     expects a step's SUCCEEDED there).
package durable
