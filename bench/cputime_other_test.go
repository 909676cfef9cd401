//go:build !unix

package bench

import "time"

// cpuTime is unavailable here; the benchmarks then report no CPU figures.
func cpuTime(int) time.Duration { return 0 }

const (
	self     = 0
	children = 1
)
