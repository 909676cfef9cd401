// Package props holds dpcheck's rapid property tests: plain
// `func TestX(t *testing.T)` tests over generated calculator events and
// generated branch programs, run in process on the fake backend.
//
// # Generators
//
// Calculator events (calcEventGen) cover zero of either sign, negative,
// huge, tiny, integral and fractional numbers, values next to the float64
// overflow threshold, literals that round or underflow, num2 tied to num1
// so that sums, products and quotients overflow, missing, extra and
// duplicated keys, badly typed fields and events that are not objects.
//
// Branch programs (programGen) are one Parallel of up to four branches
// under a random completion policy, maximum concurrency and nesting; each
// branch is a sequence of steps (succeeding, failing for good with a typed
// error, or failing n times under a linear or exponential retry strategy,
// possibly filtered by error type), waits, futures ops (two or three
// StepAsync or waiting Go futures joined by All, AllSettled, Any, Race or
// Join, the combinator's answer or failure traced), and nested Parallels
// with their own policy, whose failure the branch may throw. A program travels as the
// execution's input: interpret is the one durable handler that runs them
// all, and answers the root Parallel's BatchResult as it saw it.
//
// Schedules (scheduleGen) are a prefix of scripted Pick answers followed
// by a seeded scheduler, so a counterexample shrinks to the interleaving
// that matters. Faults (drawFault) crash the invocation right after one
// checkpoint call, or fail the call with a throttling or service error.
//
// # Models
//
// The calculator's response is computed in the test from decisions §4,
// byte for byte. A program's outcome is computed from its branches and an
// independent model of the completion policy (decisions §2.2-§2.4)
// wherever it cannot depend on the schedule: maximum concurrency 1, a
// single branch, or a policy that cannot stop before every branch
// finished. A futures op's answer is modelled where it cannot depend on
// which future settles first (futures_prog_test.go). Elsewhere the
// properties check what holds under every
// schedule: the accessors agree with the items, the reason with the
// counts, each item with its branch's own outcome and its branch's record,
// and nothing of an abandoned branch is checkpointed after the stop.
//
// # Running
//
//	go test ./specs/props -rapid.checks=1000
//
// A failure prints the rapid seed and writes a fail file under
// testdata/rapid; `-rapid.seed=N` or `-rapid.failfile=...` reproduces it,
// and committed fail files are replayed first on every run. Counterexamples
// of real bugs are also kept in regressions_test.go, since fail files
// expire when the generators change. TestCalculatorCrashAtEveryBoundary
// (skipped with -short) sweeps harness/check's crash at every boundary over
// a thousand events and logs how long that took; the benchmark of the same
// name reports it too.
package props
