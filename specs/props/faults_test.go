package props

import (
	"pgregory.net/rapid"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/service"
)

// Fault kinds: a crash right after the call (applied, response lost), or
// the call rejected before anything is applied, throttled or with a 500.
const (
	faultCrash        = "crash"
	faultThrottled    = "throttled"
	faultServiceError = "serviceError"
)

// fault is a drawn checkpoint fault: its kind and the execution-wide call
// (1-based) it hits.
type fault struct {
	Kind string
	Call int
}

// drawFault draws a fault on one of calls checkpoint calls.
func drawFault(t *rapid.T, calls int) fault {
	return fault{
		Kind: rapid.SampledFrom([]string{faultCrash, faultThrottled, faultServiceError}).Draw(t, "fault"),
		Call: rapid.IntRange(1, calls).Draw(t, "faultCall"),
	}
}

func (f fault) hook() harness.FaultHook {
	switch f.Kind {
	case faultCrash:
		return harness.CrashAfterCheckpoint(f.Call)
	case faultThrottled:
		return harness.FailCheckpoint(f.Call, service.ThrottlingError())
	}
	return harness.FailCheckpoint(f.Call, service.ServiceError("props: injected service error"))
}
