package interop_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// endpointEnv names the `dpcheck serve` that `make interop` started with
// the JavaScript functions; the sweeps need Node and the SDK's packages, so
// they run there and nowhere else.
const endpointEnv = "DPCHECK_INTEROP_ENDPOINT"

// knownDivergence is a faulted run of the JS calculator that does not end
// as the clean run, with why. The test fails when one appears that is not
// listed, when a listed one no longer diverges, or when it diverges in
// another way (What must start with want).
type knownDivergence struct {
	want   string // the start of SweepDivergence.What
	event  string // a part of SweepDivergence.Event
	reason string
}

// knownJS lists the divergences the sweep finds in the official
// JavaScript SDK (@aws/durable-execution-sdk-js 2.4.0), by fault plan. It
// is empty: the one it held, duplicate@1 ending FAILED with
// CheckpointUnrecoverableExecutionError, came from the fake's wording of a
// refused token. The SDK retries the invocation only when the message
// starts with "Invalid Checkpoint Token" (case-sensitive, in
// CheckpointManager.classifyCheckpointError), and the fake now says so.
var knownJS = map[string]knownDivergence{}

func TestSweepJSCalculator(t *testing.T) {
	endpoint := os.Getenv(endpointEnv)
	if endpoint == "" {
		t.Skipf("%s is not set: make interop serves the JavaScript functions and sets it", endpointEnv)
	}
	for _, input := range []string{`{"num1":10,"num2":5}`, `{"num1":10,"num2":0}`} {
		t.Run(input, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			rep, err := check.EndpointSweep{Endpoint: endpoint, Function: "calculator"}.Run(ctx, input)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Clean.Calls < 2 || len(rep.Runs) != len(emulator.FaultKinds)*rep.Clean.Calls {
				t.Fatalf("%d calls, %d runs: want every call with every fault", rep.Clean.Calls, len(rep.Runs))
			}
			var diverged []string
			for _, run := range rep.Runs {
				t.Log(run.Line())
				if !run.Applied {
					t.Errorf("%s never fired", run.Fault)
				}
				plan := run.Fault.String()
				known, isKnown := knownJS[plan]
				switch d := run.Divergence; {
				case d == nil:
				case !isKnown:
					t.Errorf("a new divergence: %v", d)
				case !strings.HasPrefix(d.What, known.want) || !strings.Contains(d.Event, known.event):
					t.Errorf("known divergence %s changed: %q at %q, was %q at %q", plan, d.What, d.Event, known.want, known.event)
				default:
					t.Logf("known divergence %s: %s (%s): %s", plan, known.want, d.Event, known.reason)
				}
				if run.Divergence != nil {
					diverged = append(diverged, plan)
				}
			}
			for plan := range knownJS {
				if !slices.Contains(diverged, plan) {
					t.Errorf("known divergence %s no longer happens: remove it from knownJS", plan)
				}
			}
		})
	}
}
