package check

import (
	"fmt"
	"strings"
)

// Fault is the kind of fault a boundary sweep injects at checkpoint call K.
type Fault int

const (
	// NoFault marks a divergence found without injecting anything (replay).
	NoFault Fault = iota
	// CrashAfterCall applies call K, loses its response and kills the
	// invocation; the next invocation replays.
	CrashAfterCall
	// FailCall rejects call K (nothing applied) with a throttling or
	// service error; the invocation fails and the next one replays.
	FailCall
)

func (f Fault) String() string {
	switch f {
	case CrashAfterCall:
		return "crash after checkpoint call"
	case FailCall:
		return "fail checkpoint call"
	}
	return "no fault"
}

// Divergence is a check's finding: a run that did not do what the reference
// run (or the finished log, for a replay) says it must. Match it with
// errors.As.
type Divergence struct {
	Check string // "boundaries" or "replay"
	Fault Fault
	K     int // the faulted checkpoint call, 1-based; 0 for a replay
	Calls int // checkpoint calls of the crash-free run
	Seed  uint64
	// Problem says what differs, with what was found and what was expected.
	Problem string
	Picks   []Pick
	Tree    string // the diverging run's operation tree, if it has one
	// Command reruns the case with dpcheck run and writes its timeline
	// (RunCommand): for a replay, the run whose log was replayed.
	Command string
	// Hint is the diverging or reference run's harness.Result
	// WallClockHint: user code took wall time while updates were queued,
	// which the in-process flush timer does not see.
	Hint string
}

func (d *Divergence) Error() string {
	var sb strings.Builder
	sb.WriteString("check: ")
	if d.Fault != NoFault {
		fmt.Fprintf(&sb, "%s %d of %d ", d.Fault, d.K, d.Calls)
	} else {
		sb.WriteString(d.Check + " ")
	}
	fmt.Fprintf(&sb, "(seed %d): %s", d.Seed, strings.TrimRight(d.Problem, "\n"))
	sb.WriteString("\n  picks: " + FormatPicks(d.Picks))
	if d.Command != "" {
		sb.WriteString("\n  picture: " + d.Command)
	}
	if d.Hint != "" {
		sb.WriteString("\n  hint: " + d.Hint)
	}
	if d.Tree != "" {
		sb.WriteString("\n  operations:\n" + indent(d.Tree, "    "))
	}
	return sb.String()
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
