// Package harness is dpcheck's local runner: it drives a durable handler
// in process against the fake service (package harness/service) on a
// virtual clock, injects faults, and returns the Result every runner
// returns (the cloud runner and the emulator build the same type from the
// Lambda API).
//
// # LocalRunner
//
//	r := harness.NewLocalRunner(durable.Handle(handler), harness.WithSeed(7))
//	res, err := r.Run(ctx, input)   // or r.MustRun(t, input)
//
// Each Run gets a fresh service.Backend (WithBackend shares one), starts an
// execution and invokes the handler in process until it ends, with a
// seeded retry jitter (WithSeed, WithJitter), an optional branch scheduler
// (WithScheduler, WithSeededScheduler), an observer (WithObserver) and
// injected faults (WithFaults). It stops at WithMaxInvocations with
// *service.InvocationCapError and the Result so far.
//
// Without a scheduler the branches of a Parallel or Map run one after
// another on one goroutine for as long as each ends within a millisecond
// (durable.Env.SerialBranches), since the in-process backend answers in
// microseconds and hand-offs between cores cost more than the branches;
// a slower branch lets the ones behind it start on goroutines of their
// own. Built with -race, every branch gets its own goroutine at once, so
// the race detector sees branches as concurrent.
//
// The runtime's timed flush (fire-and-forget updates sent after 100 ms
// without a new one, at the latest 1 s after the first) runs on a
// VirtualClock of the run's own, which moves only when user code calls
// Sleep(ctx, d) with a context of the invocation: a step body that "takes"
// d. Nothing else moves it, so a run makes the same checkpoint calls at
// the same points every time, and a timed flush is a checkpoint boundary
// for the crash sweeps like any other call.
//
// # Callbacks and chained invokes
//
// WithActor gives the run a service.Actor, the world outside the execution:
// it is told each time the execution suspends and answers callbacks, at
// once or at a virtual instant (service.Backend.Schedule), so a callback
// answered "after a second" lands between the timers around it the same
// way every run. Without one a callback waits for its timeout (or the
// execution's). WithFunctions gives chained invokes (durable.Invoke) their
// targets by name: a Function is a durable handler, run as a durable
// execution of its own on the same backend, clock, jitter, scheduler and
// actor, or a plain function from payload to output, whose error is
// recorded with PlainErrorObject's ErrorType.
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
