package check

import (
	"context"
	"fmt"
	"strings"
)

// Exploration is the set of distinct outcomes one execution reached under
// a range of seeds.
type Exploration struct {
	Seeds  []uint64
	Groups []Group // in the order their first seed appears in Seeds
}

// Group is one distinct outcome and the seeds that reached it.
type Group struct {
	Outcome Outcome
	Seeds   []uint64
	Picks   []Pick // the interleaving of the first seed
}

// Outcomes is the number of distinct outcomes.
func (e *Exploration) Outcomes() int { return len(e.Groups) }

// String lists each outcome with its seeds.
func (e *Exploration) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d distinct outcomes over %d seeds", len(e.Groups), len(e.Seeds))
	for i, g := range e.Groups {
		fmt.Fprintf(&sb, "\n#%d %s\n  seeds %s\n  first seed's picks: %s", i+1, g.Outcome, formatSeeds(g.Seeds), FormatPicks(g.Picks))
	}
	return sb.String()
}

func formatSeeds(seeds []uint64) string {
	const show = 12
	parts := make([]string, 0, min(len(seeds), show))
	for i, s := range seeds {
		if i == show {
			break
		}
		parts = append(parts, fmt.Sprint(s))
	}
	out := strings.Join(parts, " ")
	if len(seeds) > show {
		out += fmt.Sprintf(" … (%d seeds)", len(seeds))
	}
	return out
}

// By regroups the runs by a coarser view of their outcome, such as
// ByBatches: it maps each distinct key to the seeds that reached it.
func (e *Exploration) By(key func(Outcome) string) map[string][]uint64 {
	out := map[string][]uint64{}
	for _, g := range e.Groups {
		k := key(g.Outcome)
		out[k] = append(out[k], g.Seeds...)
	}
	return out
}

// ByBatches keys an outcome by its BatchResult counts and reasons alone.
func ByBatches(o Outcome) string {
	parts := make([]string, len(o.Batches))
	for i, b := range o.Batches {
		parts[i] = b.String()
	}
	return strings.Join(parts, "; ")
}

// Seeds returns n consecutive seeds starting at from.
func Seeds(from uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = from + uint64(i)
	}
	return out
}

// Explore runs the execution once per seed (each seed drives the scheduler
// and the jitter) and groups the runs by Outcome: result, normalized
// operation view and BatchResult counts.
func (c *Checker) Explore(ctx context.Context, input any, seeds []uint64) (*Exploration, error) {
	payload, err := encodeInput(input)
	if err != nil {
		return nil, err
	}
	runs := make([]*Run, len(seeds))
	errs := make([]error, len(seeds))
	parallelDo(len(seeds), c.cfg.workers, func(i int) {
		runs[i], errs[i] = c.run(ctx, payload, seeds[i], nil)
	})
	e := &Exploration{Seeds: seeds}
	index := map[string]int{}
	for i, run := range runs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		o, err := OutcomeOf(run.Result)
		if err != nil {
			return nil, err
		}
		k := o.Key()
		g, ok := index[k]
		if !ok {
			g = len(e.Groups)
			index[k] = g
			e.Groups = append(e.Groups, Group{Outcome: o, Picks: run.Picks})
		}
		e.Groups[g].Seeds = append(e.Groups[g].Seeds, seeds[i])
	}
	return e, nil
}
