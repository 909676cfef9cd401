package check

import (
	"context"
	"errors"

	"github.com/dpcheck/dpcheck/harness"
)

// TB is the part of testing.TB the checks need (harness.TB), so plain tests,
// Ginkgo (GinkgoT()) and rapid (*rapid.T) can all use them.
type TB = harness.TB

// MustRun is Run, failing t if the run could not complete.
func (c *Checker) MustRun(t TB, input any) *Run {
	t.Helper()
	run, err := c.Run(context.Background(), input)
	if err != nil {
		c.fatal(t, err, run)
	}
	return run
}

// MustExplore is Explore, failing t if a run could not complete.
func (c *Checker) MustExplore(t TB, input any, seeds []uint64) *Exploration {
	t.Helper()
	e, err := c.Explore(context.Background(), input, seeds)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return e
}

// RequireCrashEveryBoundary is CrashEveryBoundary, failing t at the first
// divergence (which prints the seed, the faulted call and the picks).
func (c *Checker) RequireCrashEveryBoundary(t TB, input any) *Sweep {
	t.Helper()
	s, err := c.CrashEveryBoundary(context.Background(), input)
	c.failSweep(t, s, err)
	return s
}

// RequireFailEveryBoundary is FailEveryBoundary, failing t at the first
// divergence.
func (c *Checker) RequireFailEveryBoundary(t TB, input any) *Sweep {
	t.Helper()
	s, err := c.FailEveryBoundary(context.Background(), input)
	c.failSweep(t, s, err)
	return s
}

// RequireBoundaries is Boundaries, failing t at the first divergence.
func (c *Checker) RequireBoundaries(t TB, input any) *Sweep {
	t.Helper()
	s, err := c.Boundaries(context.Background(), input)
	c.failSweep(t, s, err)
	return s
}

func (c *Checker) failSweep(t TB, s *Sweep, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if s != nil && len(s.Divergences) > 1 {
		t.Logf("check: %d of %d faulted runs diverged; the first:", len(s.Divergences), len(s.Runs))
	}
	var run *Run
	if s != nil {
		run = s.Baseline
	}
	c.fatal(t, err, run)
}

// RequireReplay is Replay, failing t at the divergence.
func (c *Checker) RequireReplay(t TB, input any) *ReplayReport {
	t.Helper()
	r, err := c.Replay(context.Background(), input)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return r
}

// fatal fails t with err; for an error that is not a Divergence it adds
// the run's picks, operations and rerun command, which a Divergence
// carries itself.
func (c *Checker) fatal(t TB, err error, run *Run) {
	t.Helper()
	var d *Divergence
	if errors.As(err, &d) || run == nil {
		t.Fatalf("%v", err)
		return
	}
	tree := ""
	if run.Result != nil {
		tree = "\n  operations:\n" + indent(run.Result.Tree(), "    ")
	}
	picture := ""
	if run.Result != nil {
		picture = "\n  picture: " + c.command(run.Result.Input, NoFault, 0)
	}
	t.Fatalf("%v\n  picks: %s%s%s", err, FormatPicks(run.Picks), picture, tree)
}
