//go:build !race

package harness

// raceDetector reports whether the binary was built with -race.
const raceDetector = false
