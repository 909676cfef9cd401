package harness

import (
	"fmt"
	"strings"
	"time"
)

// WallClockHint says when user code took wall time (time.Sleep, real I/O)
// while checkpoint updates were queued, for longer than a real SDK keeps
// them: in process the flush timer runs on the run's virtual clock, which
// only Sleep moves, so the timed flush a real SDK makes then never came,
// and the run may differ from one on Lambda. "" when it did not happen.
func (r *Result) WallClockHint() string {
	var parts []string
	for _, inv := range r.Invocations {
		for _, st := range inv.WallStalls {
			what := "user code"
			if st.Step != "" {
				what = fmt.Sprintf("step %q", st.Step)
			}
			parts = append(parts, fmt.Sprintf("%s took %s of wall time in invocation %d", what, st.Waited.Round(time.Millisecond), inv.Index))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + " while checkpoint updates were queued: a real SDK sends them after at most 1 s (a timed flush), " +
		"but here the flush timer runs on the run's virtual clock, which the wall clock does not move; " +
		"call harness.Sleep(ctx, d) instead of time.Sleep in the step so the flush happens as it would on Lambda"
}

// attributeStalls names, for each stall, the last step whose body started
// while the updates were queued.
func attributeStalls(stalls []wallStall, runs []stepRunStart) []WallStall {
	out := make([]WallStall, 0, len(stalls))
	for _, st := range stalls {
		ws := WallStall{Waited: st.waited}
		end := st.from.Add(st.waited)
		for _, r := range runs {
			if !r.at.Before(st.from) && !r.at.After(end) {
				ws.Step = r.name
			}
		}
		out = append(out, ws)
	}
	return out
}

// stepRunStart is when a step body started, on the wall clock.
type stepRunStart struct {
	name string
	at   time.Time
}
