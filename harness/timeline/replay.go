package timeline

import (
	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// markReplays puts a mark on the lane of every operation an invocation met
// again rather than executing it: from what the local runner observed
// when it has a record of any invocation, else inferred from the history.
func markReplays(t *Timeline, res *harness.Result, cols *columns) {
	byID := make(map[string]*Lane, len(t.Lanes))
	for _, l := range t.Lanes {
		byID[l.Op.Id] = l
	}
	observed := false
	for _, inv := range res.Invocations {
		observed = observed || len(inv.Observed) > 0
	}
	for k := 2; k <= len(t.Bands); k++ {
		col := cols.markCol[k-1]
		if observed {
			if k > len(res.Invocations) {
				continue
			}
			for _, o := range res.Invocations[k-1].Observed {
				l := byID[o.ID]
				if l == nil || o.Mode == durable.OperationNew {
					continue
				}
				l.Marks = append(l.Marks, Mark{Invocation: k, Column: col, Mode: o.Mode.String()})
			}
			continue
		}
		inferMarks(t, k, col)
	}
}

// inferMarks marks what invocation k must have met again: every operation
// that an earlier invocation recorded, finished ones replayed and the
// others resumed, except below a context that had finished by then (its
// result is replayed without running its function).
func inferMarks(t *Timeline, k, col int) {
	from := t.Bands[k-1].From
	closed := map[*harness.Operation]bool{} // finished before band k
	for _, l := range t.Lanes {             // tree order: parents first
		if len(l.Bars)+len(l.Gaps) == 0 || first(l) >= from {
			continue
		}
		if p := l.Op.Parent; p != nil && closed[p] {
			closed[l.Op] = true
			continue
		}
		mode := durable.OperationResumed.String()
		if last(l) < from && finished(l.Op.Status) {
			mode = durable.OperationReplayed.String()
			closed[l.Op] = true
		}
		l.Marks = append(l.Marks, Mark{Invocation: k, Column: col, Mode: mode, Inferred: true})
	}
}

// first and last are the first and last columns a lane draws on.
func first(l *Lane) int {
	c := -1
	for _, b := range l.Bars {
		if c < 0 || b.From < c {
			c = b.From
		}
	}
	for _, g := range l.Gaps {
		if c < 0 || g.From < c {
			c = g.From
		}
	}
	return c
}

func last(l *Lane) int {
	c := -1
	for _, b := range l.Bars {
		c = max(c, b.To)
	}
	for _, g := range l.Gaps {
		c = max(c, g.To)
	}
	return c
}
