// Package timeline draws an execution as a self-contained HTML page: one
// lane per operation in tree order (a Parallel or Map, its branches or
// items, their steps), a bar per step attempt on the execution's clock,
// retry delays and waits as dashed gaps labelled with their delay, every
// invocation as a vertical band with its outcome, the operations an
// invocation replayed or resumed marked, each batch's BatchResult (reason
// and counts) on its lane, and each failure's error on hover (SVG titles)
// and on click (a details entry below the chart). CSS and SVG are inline;
// the page fetches nothing and prints legibly.
//
//	t := timeline.Build(res)                     // res is a harness.Result
//	err := timeline.Render(w, t, timeline.Options{Command: "dpcheck run …"})
//	err = timeline.WriteFile("out.html", res, timeline.Options{})
//
// # The axis
//
// The fake service's clock is virtual: it stands still while an
// invocation runs and jumps between invocations. A strictly proportional
// axis would draw every invocation as a line. So every history event gets
// a column of its own, in history order (which shows which branch ran
// first), and wherever the clock moves a labelled break (+5s) is drawn.
// A real clock's millisecond steps inside an invocation are not marked.
//
// # Lanes and ids
//
// The children of a context are put in call order, batch items in index
// order, by recovering each operation's position from its id (dpcheck's
// runtime derives ids from positions; durable.ChildOperationID); ids from
// another SDK keep history order. A BatchResult is read from the batch's
// recorded payload (the wire form, or the summary of a result over 256
// KiB), not from durable's Go types.
//
// Replays: the local runner records what each invocation met again
// (harness.Invocation.Observed); for a Result without those records (the
// emulator, a cloud run) the marks are inferred from the history and
// drawn dashed.
//
// # DOM hooks
//
// Tests and tools find things by stable attributes: main#timeline
// (data-status, data-lanes, data-invocations); g.lane#lane-ID (data-op-id,
// data-name, data-path, data-type, data-subtype, data-status,
// data-outcome, data-depth, data-index, data-unrecorded); rect.bar (data-attempt,
// data-outcome, data-invocation, data-error-type); g.gap (data-kind,
// data-seconds, data-outcome); g.mark (data-mode, data-invocation,
// data-inferred); g.batch (data-reason, data-succeeded, data-failed,
// data-started, data-total, data-source); g.band#inv-K (data-index,
// data-outcome, data-error-type); details.failure#err-ID (data-op-id).
//
// # Serving
//
// Handler serves the pages of every execution a service.Backend holds:
// an execution list at the root, newest first, and one page per
// execution; dpcheck serve mounts it at /ui/.
package timeline
