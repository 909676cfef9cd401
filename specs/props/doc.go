// Package props holds dpcheck's rapid property tests: plain
// `func TestX(t *testing.T)` tests over generated calculator inputs and
// generated branch programs, run on the in-process fake backend.
//
// # Generators
//
// Calculator events cover zero of either sign, negative, huge, tiny,
// integral and fractional numbers, values next to the float64 overflow
// threshold, literals that round or underflow, missing, extra and duplicated
// keys, and badly typed fields. Branch programs are one Parallel of up to
// four branches under a random completion policy and maximum concurrency;
// each branch is a sequence of steps (succeeding, failing for good with a
// typed error, or failing n times under a retry strategy), waits, and nested
// Parallels with their own policy. interpret turns a program, given as the
// execution's input, into the durable handler that runs it. Schedules are
// drawn too: a prefix of scripted Pick answers, then a seeded scheduler, so a
// counterexample shrinks to the interleaving that matters.
//
// # Models
//
// The calculator's response is computed in the test from decisions §4,
// byte for byte. A program's outcome is computed from its branches and a
// model of the completion policy (decisions §2.2-§2.4) wherever the outcome
// cannot depend on the schedule: maximum concurrency 1, a single branch, or a
// policy that cannot stop before every branch finished. Elsewhere the
// properties check what holds under every schedule.
//
// # Running
//
//	go test ./specs/props -rapid.checks=1000
//
// A failure prints the rapid seed and writes a fail file under
// testdata/rapid; `-rapid.seed=N` or `-rapid.failfile=...` reproduces it,
// and committed fail files are replayed first on every run. -short skips the
// thousand-input crash sweep.
package props
