package props

import (
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/harness/check"
)

// sweepInputs is how many calculator events the crash sweep covers.
const sweepInputs = 1000

// TestCalculatorCrashAtEveryBoundary crashes the calculator after every
// checkpoint call in turn (check.CrashEveryBoundary) for a thousand
// generated valid events, each under its own seeded schedule: every crashed
// run must reach the crash-free run's outcome, which must be the model's.
// The events are rapid examples 0..n, so a failure names the one to replay.
// It logs the time the sweep took; the time is a figure, not a check.
func TestCalculatorCrashAtEveryBoundary(t *testing.T) {
	if testing.Short() {
		t.Skip("the thousand-event sweep runs without -short")
	}
	start := time.Now()
	runs := crashSweep(t, sweepInputs)
	elapsed := time.Since(start)
	t.Logf("crash at every boundary: %d events, %d executions (%d crashed), %v (%v per event)",
		sweepInputs, runs, runs-sweepInputs, elapsed.Round(time.Millisecond), (elapsed / sweepInputs).Round(time.Microsecond))
}

// BenchmarkCalculatorCrashAtEveryBoundary times one sweep of a thousand
// events per iteration.
func BenchmarkCalculatorCrashAtEveryBoundary(b *testing.B) {
	runs := 0
	for b.Loop() {
		runs = crashSweep(b, sweepInputs)
	}
	b.ReportMetric(float64(runs), "executions/sweep")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/sweep")
}

// crashSweep runs the crash sweep over n valid events and returns the
// number of executions it made.
func crashSweep(t testing.TB, n int) int {
	t.Helper()
	gen := calcEventGen().Filter(func(e calcEvent) bool { return e.Invalid == "" })
	runs := 0
	for i := range n {
		ev := gen.Example(i)
		sweep := check.New(calculator, check.WithSeed(uint64(i)), check.WithFunctionName("calculator")).RequireCrashEveryBoundary(t, ev.JSON)
		checkCalc(t, ev, sweep.Baseline.Result)
		runs += 1 + len(sweep.Runs)
	}
	return runs
}
