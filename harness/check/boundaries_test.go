package check_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/harness/check"
)

var calculatorInputs = []string{
	`{"num1":10,"num2":5}`,
	`{"num1":10,"num2":0}`,
	`{}`,
	`{"num1":-0.0,"num2":-0.0}`,
	`{"num1":1e308,"num2":10}`,
	`{"num1":"10","num2":2}`,
}

func TestCalculatorSurvivesEveryBoundary(t *testing.T) {
	for _, in := range calculatorInputs {
		s := check.New(calculator, check.WithSeed(7)).RequireBoundaries(t, in)
		if in == `{"num1":"10","num2":2}` {
			if s.Baseline.Calls != 0 || len(s.Runs) != 0 {
				t.Fatalf("%s: %s; an invalid input checkpoints nothing", in, s)
			}
			continue
		}
		if s.Baseline.Calls < 3 || len(s.Runs) != 2*s.Baseline.Calls {
			t.Fatalf("%s: %s; want 2 faulted runs per checkpoint call", in, s)
		}
		for _, fr := range s.Runs {
			if len(fr.Run.Result.Invocations) < 2 || fr.FaultInvocation != 1 {
				t.Fatalf("%s: %s %d: %d invocations, fault in invocation %d; want a replay after a fault in the first",
					in, fr.Fault, fr.K, len(fr.Run.Result.Invocations), fr.FaultInvocation)
			}
		}
	}
}

// A service that loses finished steps makes them run again after a crash:
// the sweep must say so, naming the faulted call.
func TestCrashSweepReportsARerunStep(t *testing.T) {
	_, err := check.New(forgetful(calculator)).CrashEveryBoundary(context.Background(), `{"num1":10,"num2":5}`)
	var d *check.Divergence
	if !errors.As(err, &d) {
		t.Fatalf("err = %v, want a *check.Divergence", err)
	}
	if d.Fault != check.CrashAfterCall || d.K < 1 || !strings.Contains(d.Problem, "ran again") {
		t.Fatalf("divergence %+v; want a crash whose replay re-ran a finished step", d)
	}
	if msg := d.Error(); !strings.Contains(msg, "seed 1") || !strings.Contains(msg, "picks: inv 1:") {
		t.Fatalf("message lacks the seed or the picks:\n%s", msg)
	}
}
