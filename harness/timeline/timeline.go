package timeline

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

// Timeline is an execution laid out for drawing: lanes in tree order, the
// invocations as bands, all positioned on columns (see Column). Build makes
// one from a harness.Result; Render draws it.
type Timeline struct {
	Name   string
	Arn    string
	Status types.ExecutionStatus
	Input  string
	Output *string
	Error  *types.ErrorObject
	// Seed is the jitter seed of a local run (0 for other runs).
	Seed uint64
	// Start is the time of the first history event: clock labels count
	// from it.
	Start time.Time

	Columns []Column
	Lanes   []*Lane
	Bands   []Band
	// End is the column of the execution's terminal event, or the last
	// column while it runs.
	End int
}

// Column is one slot of the horizontal axis. Every history event has a
// column of its own, in history order, so operations that share a virtual
// instant (everything one invocation does) still show which ran first;
// the clock is shown where it moves: Gap is the time since the previous
// column, drawn as a labelled break before this one.
type Column struct {
	// Event is the history index of the column's event, or -1 for the
	// column a band opens with to show what its invocation replayed.
	Event int
	At    time.Time
	Gap   time.Duration
}

// Lane is one operation's row.
type Lane struct {
	Op    *harness.Operation
	Depth int    // 0 for a top-level operation
	Path  string // the names from the top-level ancestor down to this one, "/"-joined
	// Outcome is the operation's status, or Abandoned when it never
	// finished although its parent (or the execution) did.
	Outcome string
	Bars    []Bar
	Gaps    []Gap
	Marks   []Mark
	Batch   *Batch // for a Parallel or a Map
	// Unrecorded marks a batch item that only its batch's payload knows:
	// admitted (STARTED) when the batch stopped, it checkpointed nothing,
	// so Op is made up from the payload (named "item N").
	Unrecorded bool
	// Index is the operation's position among its siblings in call
	// order (branch index + 1 for a batch item) when the ids tell it,
	// else 0.
	Index int
}

// Outcomes beyond the operation statuses.
const (
	// Abandoned: started, never finished, and its parent or the execution
	// has ended: a branch in flight when its batch stopped early.
	Abandoned = "ABANDONED"
	// Running: not finished and the execution has not ended.
	Running = "RUNNING"
	// Retry: a step attempt that failed and was given another.
	Retry = "RETRY"
	// Interrupted: a step attempt whose invocation ended before it did.
	Interrupted = "INTERRUPTED"
)

// Bar is one attempt of a step, or the whole life of any other operation
// but a wait, from its first column to its last.
type Bar struct {
	Attempt  int // 1-based for a step; 0 otherwise
	From, To int // columns
	Outcome  string
	Error    *types.ErrorObject
	// Invocation is the invocation the bar started in (0 if none).
	Invocation int
}

// Gap is time an operation spent waiting: a step's retry delay, or a wait.
type Gap struct {
	Kind     string // "retry" or "wait"
	From, To int    // columns
	Seconds  int
	// Outcome is how the gap ended: SUCCEEDED (the wait or delay ran
	// out), CANCELLED, Abandoned or Running (not ended yet).
	Outcome string
}

// Mark says an invocation met an operation it did not execute afresh.
type Mark struct {
	Invocation int
	Column     int
	Mode       string // "replayed" or "resumed"
	// Inferred is true when the Result had no record of what the code
	// met (a cloud or emulator run) and the mark follows from the
	// history: a deterministic handler meets again every operation that
	// an earlier invocation recorded, except inside a finished context.
	Inferred bool
}

// Band is one invocation, from its first column to its
// InvocationCompleted event.
type Band struct {
	Index     int
	From, To  int
	RequestId string
	// Outcome is PENDING (suspended), SUCCEEDED or FAILED (the execution
	// ended with it), or the invocation's error type when it failed
	// (Runtime.ExitError for a crash).
	Outcome string
	Error   *types.ErrorObject
	Faults  []string
	Start   time.Time
	End     time.Time
}

// Build lays out res. It reads only the history, the folded operations
// and the invocations; what the local runner recorded per invocation
// (what the code replayed, the faults) is used when present.
func Build(res *harness.Result) *Timeline {
	t := &Timeline{
		Name: res.Name, Arn: res.Arn, Status: res.Status, Input: res.Input,
		Output: res.Output, Error: res.Error, Seed: res.Seed,
	}
	cols := layoutColumns(t, res)
	t.Lanes = buildLanes(t, res, cols)
	markReplays(t, res, cols)
	return t
}

// terminal reports whether an execution status is final.
func terminal(s types.ExecutionStatus) bool {
	return s != "" && s != types.ExecutionStatusRunning
}
