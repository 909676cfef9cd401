package harness

import (
	"testing"

	"go.uber.org/goleak"
)

// No run may leave a goroutine behind: the runtime promises that no branch
// outlives its invocation, and the backend starts none.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
