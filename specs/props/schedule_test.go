package props

import (
	"sync"

	"pgregory.net/rapid"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// schedule is a drawn interleaving: the first answers to Pick come from
// Picks (modulo the number of ready tasks), the rest from a seeded
// scheduler. Shrinking empties Picks and zeroes Seed, so a counterexample
// keeps only the choices it needs.
type schedule struct {
	Picks []int
	Seed  uint64
}

func scheduleGen() *rapid.Generator[schedule] {
	return rapid.Custom(func(t *rapid.T) schedule {
		return schedule{
			Picks: rapid.SliceOfN(rapid.IntRange(0, 3), 0, 24).Draw(t, "picks"),
			Seed:  rapid.Uint64().Draw(t, "schedSeed"),
		}
	})
}

// scheduler returns a fresh durable.Scheduler playing s; every run needs its
// own, since a scheduler consumes its answers.
func (s schedule) scheduler() durable.Scheduler {
	return &scriptedScheduler{picks: s.Picks, rest: harness.SeededScheduler(s.Seed)}
}

type scriptedScheduler struct {
	mu    sync.Mutex
	picks []int
	rest  durable.Scheduler
}

func (s *scriptedScheduler) Pick(ready []durable.Task) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.picks) > 0 {
		p := s.picks[0] % len(ready)
		s.picks = s.picks[1:]
		return p
	}
	return s.rest.Pick(ready)
}
