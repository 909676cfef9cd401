// Package gctarget holds the garbage collector's target for work that makes
// many executions in one process: dpcheck's conform and sweep verbs set it,
// and the bench package measures the in-process calculator under it too.
package gctarget

import (
	"os"
	"runtime/debug"
)

// ManyExecutions is the garbage collector's target (GOGC) for making many
// executions. An execution allocates tens of kilobytes that die together
// and little stays live, so at Go's default of 100 the heap sits near its
// 4 MB floor and a collection runs every fifty or so executions, each
// marking the ~1.5 MB the AWS SDK keeps live. 200 gave about 28 % more
// in-process calculator executions per CPU-second than 100 (README,
// Performance); 400 and 800 gained less or lost on the 2-core machine
// measured.
const ManyExecutions = 200

// SetManyExecutions sets ManyExecutions, unless GOGC in the environment
// already chose a target, and returns the function that puts the previous
// target back.
func SetManyExecutions() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	prev := debug.SetGCPercent(ManyExecutions)
	return func() { debug.SetGCPercent(prev) }
}
