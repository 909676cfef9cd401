// Package emulator serves the AWS Lambda API for durable functions over
// HTTP, backed by the fake service of package harness, so unmodified AWS
// clients and unmodified function binaries run against it on one machine
// without AWS.
//
// It answers the durable-execution REST API (checkpoint, state, get
// execution, history, list by function, stop, and the three
// SendDurableExecutionCallback* routes, whose answer wakes the execution)
// and Invoke: a RequestResponse invoke blocks until the
// execution ends, an Event invoke answers 202 at once, both carry
// X-Amz-Durable-Execution-Arn, and X-Amz-Durable-Execution-Name makes the
// start idempotent. Errors have the service's shape (X-Amzn-ErrorType,
// __type, Message), so the aws-sdk-go-v2 client returns its typed errors.
//
// Each executable function is a Lambda bootstrap started as child
// processes, each with its own Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)
// and AWS_ENDPOINT_URL_LAMBDA pointing back at the emulator with dummy
// credentials, so the function checkpoints over HTTP through its own AWS
// SDK. A process that dies mid-invocation is replaced and the invocation
// retried, with Runtime.ExitError recorded in the history, as the service
// does. The function timeout counts from the hand-over to a process, its
// start included, so a process that never asks for work times out like
// one that never answers; the virtual clock does not move while an
// invocation waits for a process or runs in one (decisions.md §3). StopDurableExecution ends the execution at once
// and kills the process running its invocation. In-process functions (a durable.Invoker) checkpoint over the same
// HTTP API.
//
// Time is the backend's virtual clock. The emulator moves it as a
// discrete-event simulation: when no execution can progress, the clock
// jumps to the next timer (a wait, a retry, an execution timeout), so a
// one-hour wait costs nothing and concurrent executions agree on the time.
//
// While a callback is open the clock does not jump: the answer comes from
// outside, after a real delay (a test that sends it a second after it saw
// CallbackStarted), and a jump would fire the timers it races first (the
// five-second wait beside it in callback/4-9). Virtual time then follows
// the wall clock, scaled by Config.CallbackTimeScale (default 1), until the
// last open callback is answered or times out; from then on the clock
// jumps again. So a callback's timeout or heartbeat timeout costs real
// time (scaled) and nothing else does. The alternative, real-time timers
// for callback timeouts only, would still let the clock jump past a wait
// before the callback arrives.
//
// Chained invokes reach the served functions: the target runs as a durable
// execution of its own, started once the invocation that asked for it has
// ended and driven like any other, and its end completes the caller's
// CHAINED_INVOKE operation and wakes the caller.
//
// Finished executions are removed after Config.Retention of virtual time
// or beyond Config.MaxExecutions, so a long-running emulator's memory
// stays bounded; an evicted ARN gets the service's not-found error.
//
// # Fault plans and execution reports (dpcheck's own, not the Lambda API)
//
// An Invoke may carry the header X-Dpcheck-Fault: KIND@K (FaultHeader) to
// give the execution it starts one fault at its K-th checkpoint call,
// counted from 1 over all its invocations, whatever SDK the function uses:
//
//   - kill: the call is applied and answered, then the function process
//     gets SIGKILL (executable functions only); the service re-invokes.
//   - lose: the call is applied, then the connection is dropped unanswered.
//   - throttle: the call is refused with TooManyRequestsException, unapplied.
//   - duplicate: before the call is applied, the invocation that makes it is
//     delivered again, to another process, and run to its end; its answer
//     is discarded. Then the call goes on.
//
// GET /dpcheck/2026-12-01/executions/{arn} (Inspect) answers an
// ExecutionReport: the checkpoint calls the function made, its
// invocations, the plan and whether it fired, and every line the function
// processes wrote to stdout or stderr while they held an invocation of the
// execution, with that invocation's number: the CloudWatch log stream a
// deployed function would have. check.EndpointSweep and `dpcheck sweep`
// use both; the conformance target reads the lines for ExpectedLogs.
//
// The emulator listens on loopback only unless told otherwise: it has no
// authentication and runs executables.
package emulator
