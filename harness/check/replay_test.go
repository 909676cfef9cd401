package check_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/check"
)

func TestCalculatorReplaysWithoutWork(t *testing.T) {
	for _, in := range calculatorInputs {
		r := check.New(calculator).RequireReplay(t, in)
		if r.StepRuns() != 0 || r.CheckpointCalls() != 0 || r.Met(durable.OperationNew) != 0 {
			t.Fatalf("%s: replay did work: %v", in, r.Events)
		}
	}
}

func TestReplayReportsAChangedHandler(t *testing.T) {
	ctx := context.Background()
	run, err := check.New(calculator).Run(ctx, `{"num1":10,"num2":5}`)
	if err != nil {
		t.Fatal(err)
	}
	log, err := run.Log()
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		inv  durable.Invoker
		want string
	}{
		"renamed parallel": {renamed, "NonDeterministicExecutionError"},
		"extra step":       {extraStep, `"audit"`},
	} {
		_, err := check.New(tc.inv).ReplayLog(ctx, log)
		var d *check.Divergence
		if !errors.As(err, &d) || !strings.Contains(d.Problem, tc.want) {
			t.Errorf("%s: err = %v; want a divergence mentioning %s", name, err, tc.want)
		}
	}
}
