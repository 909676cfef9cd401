package main

import (
	"os"
	"runtime/debug"
)

// manyExecutionsGCPercent is the garbage collector's target (GOGC) for the
// verbs that make many executions (conform, sweep). An execution allocates
// tens of kilobytes that die together and little stays live, so at Go's
// default of 100 the heap sits near its 4 MB floor and a collection runs
// every hundred or so executions. 200 gave about 28 % more in-process
// calculator executions per CPU-second than 100 (README, Performance);
// 400 and 800 gained less or lost on the 2-core machine measured.
const manyExecutionsGCPercent = 200

// manyExecutionsGC sets manyExecutionsGCPercent, unless GOGC in the
// environment already chose a target, and returns the function that puts
// the previous target back (the verbs also run inside tests).
func manyExecutionsGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	prev := debug.SetGCPercent(manyExecutionsGCPercent)
	return func() { debug.SetGCPercent(prev) }
}
