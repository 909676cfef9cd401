package props

import (
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/harness"
)

func TestZZSweepCompare(t *testing.T) {
	gen := calcEventGen().Filter(func(e calcEvent) bool { return e.Invalid == "" })
	start := time.Now()
	crashSweep(t, 200)
	t.Logf("check: %v", time.Since(start))
	start = time.Now()
	for i := range 200 {
		ev := gen.Example(i)
		s := schedule{Seed: uint64(i)}
		clean, _ := run(t, calculator, ev.JSON, harness.WithScheduler(s.scheduler()))
		for k := 1; k <= checkpointCalls(clean); k++ {
			c, _ := run(t, calculator, ev.JSON, harness.WithScheduler(s.scheduler()), harness.WithFaults(harness.CrashAfterCheckpoint(k)))
			sameOutcome(t, clean, c)
		}
	}
	t.Logf("own: %v", time.Since(start))
}
