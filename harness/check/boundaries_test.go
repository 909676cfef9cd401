package check_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
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

// A handler that computes its result outside a step answers differently
// once an invocation is replayed: both sweeps must name the faulted call.
func TestSweepsReportAResultComputedOutsideAStep(t *testing.T) {
	inv := func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
		in, err := durable.DecodeInvocationInput(envelope)
		if err != nil {
			return nil, err
		}
		n := len(in.InitialExecutionState.Operations) // 1 on a first invocation
		return durable.Handle(func(ctx durable.Context, _ struct{}) (int, error) {
			for _, name := range []string{"one", "two"} {
				if _, err := durable.Step(ctx, name, func(durable.StepContext) (int, error) { return 1, nil }); err != nil {
					return 0, err
				}
			}
			return n, nil // the bug: n is not durable
		})(ctx, env, envelope)
	}
	c := check.New(inv)
	for _, tc := range []struct {
		sweep func(context.Context, any) (*check.Sweep, error)
		first int // the first call whose fault leaves something recorded
	}{{c.CrashEveryBoundary, 1}, {c.FailEveryBoundary, 2}} {
		s, err := tc.sweep(context.Background(), `{}`)
		var d *check.Divergence
		if !errors.As(err, &d) || d.K != tc.first || !strings.Contains(d.Problem, "result 2, want 1") {
			t.Fatalf("err = %v; want a divergence at call %d about the result", err, tc.first)
		}
		if s.Baseline.Calls != 2 || len(s.Divergences) != 3-tc.first {
			t.Fatalf("%s; want %d divergences", s, 3-tc.first)
		}
	}
}
