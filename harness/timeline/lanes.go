package timeline

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

// laneBuilder turns operations into lanes, in tree order.
type laneBuilder struct {
	t       *Timeline
	cols    *columns
	eventAt map[*types.Event]int // history index of each event
	lanes   []*Lane
	endCol  map[*harness.Operation]int // column of each finished operation's last event
}

func buildLanes(t *Timeline, res *harness.Result, cols *columns) []*Lane {
	b := &laneBuilder{t: t, cols: cols, eventAt: make(map[*types.Event]int, len(res.History)), endCol: map[*harness.Operation]int{}}
	for i := range res.History {
		b.eventAt[&res.History[i]] = i
	}
	for _, op := range res.Operations {
		if finished(op.Status) && len(op.Events) > 0 {
			b.endCol[op] = b.col(op.Events[len(op.Events)-1])
		}
	}
	b.add(callOrder(res.TopLevel(), "", true), 0, "")
	return b.lanes
}

func (b *laneBuilder) col(ev *types.Event) int { return b.cols.of[b.eventAt[ev]] }

// add appends the lanes of ops and their descendants, in call order.
func (b *laneBuilder) add(ops []ordered, depth int, path string) {
	for _, o := range ops {
		op := o.op
		lane := &Lane{Op: op, Depth: depth, Path: joinPath(path, op.Name), Index: o.index, Outcome: string(op.Status), Unrecorded: o.unrecorded}
		b.lanes = append(b.lanes, lane)
		cut, stopped := b.cutoff(op)
		if !finished(op.Status) && stopped {
			lane.Outcome = Abandoned
		}
		switch {
		case o.unrecorded:
			b.unrecordedBar(lane, cut, stopped)
		case op.Type == types.OperationTypeStep:
			b.stepBars(lane, cut, stopped)
		case op.Type == types.OperationTypeWait:
			b.waitGap(lane, cut, stopped)
		default:
			b.lifeBar(lane, cut, stopped)
		}
		children := callOrder(op.Children, o.path, o.index > 0)
		if op.Type == types.OperationTypeContext && (op.SubType == "Parallel" || op.SubType == "Map") {
			lane.Batch = batchOf(op)
			children = withUnrecorded(children, op, o.path, lane.Batch)
		}
		b.add(children, depth+1, lane.Path)
	}
}

// unrecordedBar draws a batch item the payload says was in flight but
// that never checkpointed anything: over its batch's life, as it may have
// run at any point of it.
func (b *laneBuilder) unrecordedBar(lane *Lane, cut int, stopped bool) {
	p := lane.Op.Parent
	if len(p.Events) == 0 {
		return
	}
	from := b.col(p.Events[0])
	lane.Bars = append(lane.Bars, Bar{From: from, To: max(cut, from), Outcome: unfinished(stopped), Invocation: b.cols.band[from]})
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "/" + name
}

// finished reports whether an operation status is final.
func finished(s types.OperationStatus) bool {
	switch s {
	case types.OperationStatusSucceeded, types.OperationStatusFailed, types.OperationStatusCancelled,
		types.OperationStatusStopped, types.OperationStatusTimedOut:
		return true
	}
	return false
}

// cutoff is where an unfinished operation's drawing ends: at the end of
// its nearest finished ancestor (stopped: the operation was abandoned
// there), else at the execution's end (stopped when the execution ended).
func (b *laneBuilder) cutoff(op *harness.Operation) (col int, stopped bool) {
	for p := op.Parent; p != nil; p = p.Parent {
		if c, ok := b.endCol[p]; ok {
			return c, true
		}
	}
	return b.t.End, terminal(b.t.Status)
}

// unfinished is the outcome of a bar or gap still open at the cutoff.
func unfinished(stopped bool) string {
	if stopped {
		return Abandoned
	}
	return Running
}

// stepBars draws one bar per attempt and a retry gap after each attempt
// that was given another.
func (b *laneBuilder) stepBars(lane *Lane, cut int, stopped bool) {
	var cur *Bar
	var gap *Gap
	closeGap := func(col int) {
		if gap != nil {
			gap.To, gap.Outcome = col, string(types.OperationStatusSucceeded)
			lane.Gaps = append(lane.Gaps, *gap)
			gap = nil
		}
	}
	begin := func(col int) *Bar {
		return &Bar{Attempt: len(lane.Bars) + 1, From: col, Invocation: b.cols.band[col]}
	}
	for _, ev := range lane.Op.Events {
		col := b.col(ev)
		switch ev.EventType {
		case types.EventTypeStepStarted:
			closeGap(col)
			if cur != nil {
				// started again before this attempt ended: its invocation died
				cur.To, cur.Outcome = b.bandEnd(cur, col), Interrupted
				lane.Bars = append(lane.Bars, *cur)
			}
			cur = begin(col)
		case types.EventTypeStepSucceeded, types.EventTypeStepFailed:
			closeGap(col)
			if cur == nil {
				cur = begin(col)
			}
			var rd *types.RetryDetails
			if d := ev.StepSucceededDetails; d != nil {
				rd, cur.Outcome = d.RetryDetails, string(types.OperationStatusSucceeded)
			}
			if d := ev.StepFailedDetails; d != nil {
				rd, cur.Outcome = d.RetryDetails, string(types.OperationStatusFailed)
				if d.Error != nil {
					cur.Error = d.Error.Payload
				}
			}
			if rd != nil && rd.CurrentAttempt > 0 {
				cur.Attempt = int(rd.CurrentAttempt)
			}
			cur.To = col
			if rd != nil && rd.NextAttemptDelaySeconds != nil {
				cur.Outcome = Retry
				gap = &Gap{Kind: "retry", From: col, Seconds: int(*rd.NextAttemptDelaySeconds)}
			}
			lane.Bars = append(lane.Bars, *cur)
			cur = nil
		}
	}
	if cur != nil {
		cur.To, cur.Outcome = max(cut, cur.From), unfinished(stopped)
		lane.Bars = append(lane.Bars, *cur)
	}
	if gap != nil {
		gap.To, gap.Outcome = max(cut, gap.From), unfinished(stopped)
		lane.Gaps = append(lane.Gaps, *gap)
	}
}

// bandEnd is the last column of the invocation a bar started in, but not
// past limit.
func (b *laneBuilder) bandEnd(bar *Bar, limit int) int {
	if k := bar.Invocation; k > 0 && b.t.Bands[k-1].To < limit {
		return b.t.Bands[k-1].To
	}
	return max(bar.From, limit-1)
}

// waitGap draws a wait as a gap from its start to its end.
func (b *laneBuilder) waitGap(lane *Lane, cut int, stopped bool) {
	var gap *Gap
	for _, ev := range lane.Op.Events {
		col := b.col(ev)
		switch ev.EventType {
		case types.EventTypeWaitStarted:
			gap = &Gap{Kind: "wait", From: col, Seconds: int(lane.Op.WaitSeconds)}
		case types.EventTypeWaitSucceeded, types.EventTypeWaitCancelled:
			if gap == nil {
				gap = &Gap{Kind: "wait", From: col, Seconds: int(lane.Op.WaitSeconds)}
			}
			gap.To, gap.Outcome = col, string(lane.Op.Status)
		}
	}
	if gap == nil {
		return
	}
	if gap.Outcome == "" {
		gap.To, gap.Outcome = max(cut, gap.From), unfinished(stopped)
	}
	lane.Gaps = append(lane.Gaps, *gap)
}

// lifeBar draws any other operation as one bar from its first event to
// its last.
func (b *laneBuilder) lifeBar(lane *Lane, cut int, stopped bool) {
	op := lane.Op
	if len(op.Events) == 0 {
		return
	}
	from := b.col(op.Events[0])
	bar := Bar{From: from, Invocation: b.cols.band[from], Outcome: lane.Outcome, Error: op.Error}
	if c, ok := b.endCol[op]; ok {
		bar.To = c
	} else {
		bar.To, bar.Outcome = max(cut, from), unfinished(stopped)
	}
	lane.Bars = append(lane.Bars, bar)
}

// errorType is an error's type, "" for none.
func errorType(e *types.ErrorObject) string {
	if e == nil {
		return ""
	}
	return aws.ToString(e.ErrorType)
}
