package harness

import "time"

// serialBranchesFor is the durable.Env.SerialBranches of the harness's
// in-process runs: the in-process backend answers in microseconds, so a
// batch's branches run one after another on one goroutine unless one of
// them takes longer than this (durable/launch.go says why).
const serialBranchesFor = time.Millisecond

// serialBranches is serialBranchesFor, or 0 under the race detector: there
// every branch gets a goroutine of its own at once, as in production, so
// that the detector sees branches as concurrent and reports a data race
// between them (branches run one after another on one goroutine are
// ordered, and their races would go unseen).
func serialBranches() time.Duration {
	if raceDetector {
		return 0
	}
	return serialBranchesFor
}
