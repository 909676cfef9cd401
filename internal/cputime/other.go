//go:build !unix

package cputime

import "time"

// Process is unavailable here: 0, and benchmarks report wall time only.
func Process() time.Duration { return 0 }
