// Package cputime reads the CPU time this process has used, so benchmarks
// can report throughput per CPU-second on a busy machine, where wall time
// includes other processes' turns.
package cputime
