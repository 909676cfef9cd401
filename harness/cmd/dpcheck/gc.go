package main

import "github.com/dpcheck/dpcheck/internal/gctarget"

// manyExecutionsGC sets the garbage collector's target for the verbs that
// make many executions (gctarget.ManyExecutions), unless GOGC in the
// environment already chose one, and returns the function that puts the
// previous target back (the verbs also run inside tests).
func manyExecutionsGC() (restore func()) { return gctarget.SetManyExecutions() }
