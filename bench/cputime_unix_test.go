//go:build unix

package bench

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) used by this process (who =
// syscall.RUSAGE_SELF) or by its finished, reaped child processes
// (syscall.RUSAGE_CHILDREN). On a busy machine it measures the work done
// independently of the turns other processes take.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const (
	self     = syscall.RUSAGE_SELF
	children = syscall.RUSAGE_CHILDREN
)
