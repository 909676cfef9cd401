// Package conncount counts the connections a listener accepts: the
// keep-alive test and benchmarks serve the emulator on one to see whether
// clients reuse their connections.
package conncount
