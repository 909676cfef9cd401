package check

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/dpcheck/dpcheck/durable"
)

// Scheduler is a durable.Scheduler that records every choice it makes, so a
// failing check can print the interleaving it ran. Use one Scheduler per
// execution: its pick sequence and random stream span all the execution's
// invocations.
type Scheduler struct {
	seed uint64
	// One of these decides: inner; else rank (the lowest rank runs); else
	// the PRNG.
	inner durable.Scheduler
	rank  func(t durable.Task, pick int) int

	mu         sync.Mutex
	rng        *rand.Rand
	invocation int
	picks      []Pick
}

var _ durable.Scheduler = (*Scheduler)(nil)

// Seeded returns a Scheduler that picks among the ready tasks with a PRNG
// seeded by seed: the same seed and the same handler give the same
// interleaving.
func Seeded(seed uint64) *Scheduler {
	return &Scheduler{seed: seed, rng: rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc909))}
}

// Prefer returns a deterministic Scheduler that always runs the ready task
// whose name comes first in names; tasks not named rank after, by creation
// order. A preferred task keeps the turn until it finishes or blocks, so
// Prefer("b", "a") runs branch b to its end before branch a moves.
func Prefer(names ...string) *Scheduler {
	order := make(map[string]int, len(names))
	for i, n := range names {
		if _, dup := order[n]; !dup {
			order[n] = i
		}
	}
	return &Scheduler{rank: func(t durable.Task, _ int) int {
		if r, ok := order[t.Name]; ok {
			return r
		}
		return len(order) + t.Seq
	}}
}

// InOrder returns a deterministic Scheduler that always runs the ready task
// created first: branches run one after another in index order.
func InOrder() *Scheduler {
	return &Scheduler{rank: func(t durable.Task, _ int) int { return t.Seq }}
}

// Script returns a deterministic Scheduler for a hand-written interleaving:
// choice i goes to the ready task named names[i] (to the one created first
// if none is); after the script the last name keeps the turn whenever it is
// ready, as with Prefer. A task's turns end before each durable operation,
// after each step body and before its branch's terminal checkpoint, so
// Script("a", "a", "a", "a", "b") lets branch a run its first step and the
// body of its second, then runs b to its end before a checkpoints that body.
func Script(names ...string) *Scheduler {
	return &Scheduler{rank: func(t durable.Task, pick int) int {
		if len(names) == 0 {
			return t.Seq
		}
		if t.Name == names[min(pick, len(names)-1)] {
			return -1
		}
		return t.Seq
	}}
}

// Recording returns a Scheduler that lets s decide and records its
// choices, for a schedule made elsewhere (say, drawn by rapid).
func Recording(s durable.Scheduler) *Scheduler { return &Scheduler{inner: s} }

// Pick implements durable.Scheduler.
func (s *Scheduler) Pick(ready []durable.Task) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := 0
	switch {
	case s.inner != nil:
		i = s.inner.Pick(ready)
	case s.rank == nil:
		i = s.rng.IntN(len(ready))
	default:
		n := len(s.picks)
		best := s.rank(ready[0], n)
		for j := 1; j < len(ready); j++ {
			if r := s.rank(ready[j], n); r < best {
				i, best = j, r
			}
		}
	}
	s.picks = append(s.picks, Pick{Invocation: s.invocation, Ready: s.readyNames(ready), Chosen: i})
	return i
}

// readyNames names the ready tasks, sharing the previous pick's slice when
// the ready set has not changed (the common case: a task yields and is
// ready again).
func (s *Scheduler) readyNames(ready []durable.Task) []string {
	if n := len(s.picks); n > 0 {
		prev := s.picks[n-1].Ready
		if len(prev) == len(ready) {
			same := true
			for j, t := range ready {
				if prev[j] != taskName(t) {
					same = false
					break
				}
			}
			if same {
				return prev
			}
		}
	}
	names := make([]string, len(ready))
	for j, t := range ready {
		names[j] = taskName(t)
	}
	return names
}

// BeginInvocation marks the start of the execution's next invocation in the
// pick record. The Checker calls it; a test driving a LocalRunner itself
// may too.
func (s *Scheduler) BeginInvocation() {
	s.mu.Lock()
	s.invocation++
	s.mu.Unlock()
}

// Seed is the seed of a Seeded scheduler (0 for a deterministic one).
func (s *Scheduler) Seed() uint64 { return s.seed }

// Picks returns the choices made so far, in order.
func (s *Scheduler) Picks() []Pick {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Pick(nil), s.picks...)
}

// Pick is one scheduling decision: which of the ready tasks got the turn.
type Pick struct {
	Invocation int      // 1-based when the Checker ran it; 0 if nobody marked invocations
	Ready      []string // the ready tasks' names, in creation order ("handler" for the root)
	Chosen     int      // index in Ready
}

// String is "name/of": the chosen task and how many were ready.
func (p Pick) String() string {
	return p.Ready[p.Chosen] + "/" + strconv.Itoa(len(p.Ready))
}

// FormatPicks renders a pick sequence on one line, grouped by invocation:
// "inv 1: addition/4 addition/4 division/3 | inv 2: ...".
func FormatPicks(picks []Pick) string {
	if len(picks) == 0 {
		return "(no choices: never more than one task was ready)"
	}
	var sb strings.Builder
	inv := -1
	for _, p := range picks {
		if p.Invocation != inv {
			if inv != -1 {
				sb.WriteString(" | ")
			}
			inv = p.Invocation
			fmt.Fprintf(&sb, "inv %d:", inv)
		}
		sb.WriteByte(' ')
		sb.WriteString(p.String())
	}
	return sb.String()
}

func taskName(t durable.Task) string {
	switch {
	case t.Seq == 0 && t.ID == "":
		return "handler"
	case t.Name == "":
		return "#" + strconv.Itoa(t.Seq)
	}
	return t.Name
}
