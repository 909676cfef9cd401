package suites

import (
	"testing"

	"go.uber.org/goleak"
)

// No goroutine of a handler, a branch or the runner outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
