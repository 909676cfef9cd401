// Package check runs a durable handler under the checks no official local
// runner offers: chosen branch interleavings, a fault at every checkpoint
// boundary, and replay of a finished execution. It works on any handler
// (durable.Handle(fn)) and takes the small TB interface of package harness,
// so plain tests, Ginkgo (GinkgoT()) and rapid (*rapid.T) can all call it.
//
// # Quick start
//
//	c := check.New(durable.Handle(function.Handler), check.WithSeed(7))
//	c.RequireBoundaries(t, `{"num1":10,"num2":0}`) // crash and fail every checkpoint call
//	c.RequireReplay(t, `{"num1":10,"num2":0}`)     // replay the finished log: no work, same result
//	e := c.MustExplore(t, `{"num1":10,"num2":0}`, check.Seeds(1, 64))
//	t.Log(e) // the distinct outcomes and which seeds reached them
//
// Inputs are JSON text (string, []byte, json.RawMessage) or any value
// encoding/json marshals.
//
// # Schedules
//
// Each run gets its own Scheduler, a durable.Scheduler that decides which
// ready branch goroutine proceeds at every turn boundary (before each
// durable operation and each branch's terminal checkpoint). Seeded picks at
// random from a seed; InOrder and Prefer are deterministic. Every pick is
// recorded, so a failure prints the seed and the interleaving
// (FormatPicks). One seed drives both the scheduler and the retry jitter.
//
// # Outcomes
//
// An Outcome is what two runs must agree on: status, result, error, the
// normalized operation view (harness.Result.SignatureString: type, subtype,
// name, status and path of every operation; no ids, payloads or
// timestamps) and the counts of every Parallel's BatchResult. Explore groups
// runs by Outcome; Exploration.By(ByBatches) groups them by counts alone.
//
// # Faults at every boundary
//
// CrashEveryBoundary runs the execution crash-free, counts its N checkpoint
// calls, then runs it N more times crashing right after call k (its updates
// applied, its response lost, the invocation dead); FailEveryBoundary fails
// call k instead (nothing applied) with a throttling error, or the error
// given to WithFailError; Boundaries does both. Every faulted run must reach
// the crash-free Outcome, and no step checkpointed SUCCEEDED or FAILED
// before the fault may run its body again in a later invocation (the
// harness runner's per-invocation Observer records tell). The first
// difference is a *Divergence naming the fault, k, the seed and the picks.
// The faulted runs execute concurrently (WithWorkers).
//
// A seeded schedule is fixed for the crash-free run and for each faulted
// run up to the fault; after it the replaying invocation meets different
// ready sets, so a handler whose outcome depends on the interleaving (the
// default fail-fast completion with unlimited concurrency) can legitimately
// diverge. Sweep such handlers under InOrder or Prefer, which continue alike.
//
// # Any SDK through the emulator
//
// EndpointSweep does the boundary sweep for a function that runs as its own
// process under dpcheck's emulator (dpcheck serve), written with any SDK:
// a clean run, then for every checkpoint call k of it and every fault kind
// (emulator.FaultKinds: the process killed after call k, the answer to k
// lost, k throttled, the invocation delivered twice) a fresh execution
// with that one fault, compared with the clean run on status, result,
// error, operation view, BatchResult counts and the step attempts the
// history records. A SweepDivergence names the first difference and the
// first history event where the two runs part. `dpcheck sweep` is the
// command line of it.
//
// # Replay
//
// ReplayLog invokes the handler once with the complete operation log of a
// finished execution (LogOf reads it from the backend), as the service
// would re-invoke it. The replay must meet only recorded operations, run no
// step body, send no checkpoint (every call is refused) and answer the
// execution's own result or error. The ReplayReport lists what the replay
// did in order; its Divergence names the first difference.
//
// # Errors
//
// Methods return (report, error): the error is a *Divergence when the
// handler misbehaved, or what kept a run from completing (an invocation
// cap, a backend error). The Must and Require variants fail t instead.
//
// A divergence names the command that reruns its case and draws its
// timeline (RunCommand; package harness/timeline), seed and fault
// included:
//
//	picture: dpcheck run calculator '{"num1":10,"num2":5}' --seed 7 --crash-after 3 --html out.html
//
// WithFunctionName gives the name dpcheck run knows the handler by; without
// it the command says FUNCTION.
package check
