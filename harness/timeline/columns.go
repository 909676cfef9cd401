package timeline

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

// minGap is the smallest clock step drawn as a break: on a real clock the
// events of one invocation are milliseconds apart, and marking each of
// those would hide the delays that matter (retries, waits, restarts).
const minGap = 500 * time.Millisecond

// columns maps the history onto the axis.
type columns struct {
	of []int // history index -> column
	// band is the invocation (1-based) each column belongs to, 0 outside
	// every band.
	band []int
	// markCol is, per band index-1, the column that band opens with to
	// hold its replay marks (-1 for the first band, which replays nothing).
	markCol []int
}

// serviceEvent reports whether the service writes the event on its own
// (a timer fired, the execution ended), rather than an invocation's code
// checkpointing it. Such events between two invocations belong to
// neither band.
func serviceEvent(t types.EventType) bool {
	switch t {
	case types.EventTypeExecutionStarted, types.EventTypeExecutionSucceeded, types.EventTypeExecutionFailed,
		types.EventTypeExecutionTimedOut, types.EventTypeExecutionStopped,
		types.EventTypeWaitSucceeded, types.EventTypeWaitCancelled,
		types.EventTypeCallbackSucceeded, types.EventTypeCallbackFailed, types.EventTypeCallbackTimedOut,
		types.EventTypeChainedInvokeSucceeded, types.EventTypeChainedInvokeFailed,
		types.EventTypeChainedInvokeTimedOut, types.EventTypeChainedInvokeStopped:
		return true
	}
	return false
}

// layoutColumns gives every history event a column, opens a band at the
// first event an invocation's code wrote (with a leading column for its
// replay marks from the second invocation on) and closes it at its
// InvocationCompleted, and fills t.Columns, t.Bands and t.End.
func layoutColumns(t *Timeline, res *harness.Result) *columns {
	c := &columns{of: make([]int, len(res.History))}
	var prev time.Time
	add := func(event int, at time.Time, band int) int {
		col := Column{Event: event, At: at}
		if len(t.Columns) == 0 {
			t.Start = at
		} else if d := at.Sub(prev); d >= minGap {
			col.Gap = d
		}
		prev = at
		t.Columns = append(t.Columns, col)
		c.band = append(c.band, band)
		return len(t.Columns) - 1
	}
	open := false
	openBand := func(at time.Time) {
		k := len(t.Bands) + 1
		b := Band{Index: k, From: len(t.Columns), Outcome: Running}
		mark := -1
		if k > 1 {
			mark = add(-1, at, k)
		}
		if k <= len(res.Invocations) {
			inv := &res.Invocations[k-1]
			b.RequestId, b.Error, b.Faults, b.Start, b.End = inv.RequestId, inv.Error, inv.Faults, inv.Start, inv.End
		}
		t.Bands = append(t.Bands, b)
		c.markCol = append(c.markCol, mark)
		open = true
	}
	for i := range res.History {
		ev := &res.History[i]
		at := aws.ToTime(ev.EventTimestamp)
		switch {
		case ev.EventType == types.EventTypeInvocationCompleted:
			if !open {
				openBand(at) // an invocation that checkpointed nothing
			}
			b := &t.Bands[len(t.Bands)-1]
			c.of[i] = add(i, at, b.Index)
			b.To = c.of[i]
			b.Outcome = bandOutcome(b, res.History[i+1:])
			open = false
		case open || !serviceEvent(ev.EventType):
			if !open {
				openBand(at)
			}
			c.of[i] = add(i, at, len(t.Bands))
		default:
			c.of[i] = add(i, at, 0)
		}
	}
	if open {
		t.Bands[len(t.Bands)-1].To = len(t.Columns) - 1
	}
	t.End = len(t.Columns) - 1
	return c
}

// bandOutcome is what an invocation ended with: its error type, the
// execution's final status when the execution ended with it (the events
// that follow its InvocationCompleted), else PENDING.
func bandOutcome(b *Band, after []types.Event) string {
	if b.Error != nil {
		if typ := aws.ToString(b.Error.ErrorType); typ != "" {
			return typ
		}
		return string(types.ExecutionStatusFailed)
	}
	for _, ev := range after {
		switch ev.EventType {
		case types.EventTypeExecutionSucceeded:
			return string(types.ExecutionStatusSucceeded)
		case types.EventTypeExecutionFailed:
			return string(types.ExecutionStatusFailed)
		case types.EventTypeExecutionTimedOut:
			return string(types.ExecutionStatusTimedOut)
		case types.EventTypeExecutionStopped:
			return string(types.ExecutionStatusStopped)
		}
		if !serviceEvent(ev.EventType) {
			break
		}
	}
	return string(types.OperationStatusPending)
}
