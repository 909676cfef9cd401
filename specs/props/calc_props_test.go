package props

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"pgregory.net/rapid"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
)

var calculator = durable.Handle(function.Handler)

var calcSteps = []string{"addition", "subtraction", "multiplication", "division"}

// TestCalculatorMatchesModel: under any schedule, the calculator answers
// exactly the model's response, its BatchResult counts the model's
// successes and failures with ALL_COMPLETED, and every step (division
// above all) runs exactly once in one invocation.
func TestCalculatorMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ev := calcEventGen().Draw(t, "event")
		sched := scheduleGen().Draw(t, "schedule")
		res, _ := run(t, calculator, ev.JSON, harness.WithScheduler(sched.scheduler()))
		checkCalc(t, ev, res)
		if len(res.Invocations) != 1 {
			t.Fatalf("%d invocations, want 1: nothing is retried or waits\n%s", len(res.Invocations), res.Tree())
		}
		if ev.Invalid != "" {
			return
		}
		runs := stepRuns(res)
		for _, name := range calcSteps {
			if runs[name] != 1 {
				t.Fatalf("step %s ran %d times, want once", name, runs[name])
			}
		}
	})
}

// TestCalculatorScheduleIndependent: two schedules give the same result
// and the same normalized operation view.
func TestCalculatorScheduleIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ev := calcEventGen().Draw(t, "event")
		a, _ := run(t, calculator, ev.JSON, harness.WithScheduler(scheduleGen().Draw(t, "scheduleA").scheduler()))
		b, _ := run(t, calculator, ev.JSON, harness.WithScheduler(scheduleGen().Draw(t, "scheduleB").scheduler()))
		sameOutcome(t, a, b)
	})
}

// TestCalculatorSurvivesFaults: a crash right after any checkpoint call,
// or the failure of any call, gives the fault-free run's result and
// signature; the replay does not run a step that finished before the
// fault, and division is never retried.
func TestCalculatorSurvivesFaults(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ev := calcEventGen().Filter(func(e calcEvent) bool { return e.Invalid == "" }).Draw(t, "event")
		sched := scheduleGen().Draw(t, "schedule")
		clean, _ := run(t, calculator, ev.JSON, harness.WithScheduler(sched.scheduler()))
		f := drawFault(t, checkpointCalls(clean))
		faulted, _ := run(t, calculator, ev.JSON, harness.WithScheduler(sched.scheduler()), harness.WithFaults(f.hook()))
		checkFaultedCalc(t, ev, clean, faulted)
	})
}

// TestCalculatorReplayRunsNothing: re-invoking a finished execution with
// its whole log answers the same, runs no step body and sends nothing.
func TestCalculatorReplayRunsNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ev := calcEventGen().Draw(t, "event")
		res, b := run(t, calculator, ev.JSON, harness.WithScheduler(scheduleGen().Draw(t, "schedule").scheduler()))
		checkReplay(t, b, res, calculator)
	})
}

// checkFaultedCalc compares a run with one checkpoint fault with the clean
// run of the same event and schedule.
func checkFaultedCalc(t harness.TB, ev calcEvent, clean, faulted *harness.Result) {
	t.Helper()
	checkCalc(t, ev, faulted)
	sameOutcome(t, clean, faulted)
	if n := len(faulted.Invocations); n != 2 || faulted.Invocations[0].Error == nil {
		t.Fatalf("%d invocations, want a failed one and its replay\n%s", n, faulted.Tree())
	}
	// A step whose end reached the service before the fault is answered
	// from the log by the replay.
	crashEnd := int32(-1)
	for _, e := range faulted.History {
		if e.EventType == types.EventTypeInvocationCompleted {
			crashEnd = aws.ToInt32(e.EventId)
			break
		}
	}
	for _, r := range faulted.Invocations[1].StepRuns {
		op := faulted.OpByID(r.ID)
		if op == nil {
			t.Fatalf("step run %q (%s) has no operation", r.Name, r.ID)
		}
		for _, e := range op.Events {
			if finishes(e) && aws.ToInt32(e.EventId) < crashEnd {
				t.Fatalf("step %s finished before the fault and ran again on replay\n%s", r.Name, faulted.Tree())
			}
		}
	}
}

// checkCalc checks one calculator execution against the model.
func checkCalc(t harness.TB, ev calcEvent, res *harness.Result) {
	t.Helper()
	checkStructure(t, res)
	if ev.Invalid != "" {
		if res.Status != types.ExecutionStatusFailed || errorText(res.Error) != "InvalidInputError: "+ev.Invalid {
			t.Fatalf("event %s: %s %s, want FAILED InvalidInputError: %s", ev.JSON, res.Status, errorText(res.Error), ev.Invalid)
		}
		if len(res.Operations) != 0 {
			t.Fatalf("event %s: %d operations before the input was rejected, want none\n%s", ev.JSON, len(res.Operations), res.Tree())
		}
		return
	}
	m := modelCalc(ev.Num1, ev.Num2)
	if res.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("event %s: %s %s, want SUCCEEDED\n%s", ev.JSON, res.Status, errorText(res.Error), res.Tree())
	}
	if got := deref(res.Output); got != m.response {
		t.Fatalf("event %s (num1 %v, num2 %v):\nresult %s\nwant   %s", ev.JSON, ev.Num1, ev.Num2, got, m.response)
	}

	p := res.Op(function.ParallelName)
	if p == nil || p.Status != types.OperationStatusSucceeded {
		t.Fatalf("no SUCCEEDED Parallel %q\n%s", function.ParallelName, res.Tree())
	}
	batch := decodeBatch(t, p)
	counts := map[string]int{}
	for _, it := range batch.All {
		counts[it.Status]++
	}
	if len(batch.All) != 4 || counts["SUCCEEDED"] != m.success || counts["FAILED"] != len(m.failures) || batch.CompletionReason != "ALL_COMPLETED" {
		t.Fatalf("event %s: BatchResult %d items, %d succeeded, %d failed, %s; want 4, %d, %d, ALL_COMPLETED",
			ev.JSON, len(batch.All), counts["SUCCEEDED"], counts["FAILED"], batch.CompletionReason, m.success, len(m.failures))
	}

	failed := map[string]calcFailure{}
	for _, f := range m.failures {
		failed[f.operation] = f
	}
	for _, name := range calcSteps {
		step := stepNamed(res, name)
		if step == nil {
			t.Fatalf("no step %q\n%s", name, res.Tree())
		}
		if step.Attempts != 1 {
			t.Fatalf("event %s: step %s made %d attempts, want 1", ev.JSON, name, step.Attempts)
		}
		for _, e := range step.Events {
			if finishes(e) != (e.EventType != types.EventTypeStepStarted) {
				t.Fatalf("event %s: step %s was retried (%s)\n%s", ev.JSON, name, e.EventType, res.Tree())
			}
		}
		f, isFailed := failed[name]
		switch {
		case isFailed && (step.Status != types.OperationStatusFailed || errorText(step.Error) != f.errorType+": "+f.errorMessage):
			t.Fatalf("event %s: step %s is %s %s, want FAILED %s: %s", ev.JSON, name, step.Status, errorText(step.Error), f.errorType, f.errorMessage)
		case !isFailed && step.Status != types.OperationStatusSucceeded:
			t.Fatalf("event %s: step %s is %s %s, want SUCCEEDED", ev.JSON, name, step.Status, errorText(step.Error))
		}
	}
}

// stepNamed finds the STEP called name (its branch carries the same name).
func stepNamed(res *harness.Result, name string) *harness.Operation {
	for _, op := range res.OpsNamed(name) {
		if op.Type == types.OperationTypeStep {
			return op
		}
	}
	return nil
}

// sameOutcome fails t unless two runs of one execution ended alike: status,
// result, error and normalized operation view.
func sameOutcome(t harness.TB, want, got *harness.Result) {
	t.Helper()
	if got.Status != want.Status || deref(got.Output) != deref(want.Output) || errorText(got.Error) != errorText(want.Error) {
		t.Fatalf("outcome %s %s %s, want %s %s %s\n%s", got.Status, deref(got.Output), errorText(got.Error),
			want.Status, deref(want.Output), errorText(want.Error), got.Tree())
	}
	if g, w := outcomeSignature(got), outcomeSignature(want); g != w {
		t.Fatalf("signature\n%s\nwant\n%s", g, w)
	}
}

// outcomeSignature is a run's signature in which a wait whose parent
// context was left STARTED (a future its combinator abandoned, a branch an
// early stop abandoned) reads STARTED|SUCCEEDED: the service ends such a
// wait when its timer falls due while the execution still runs, so its
// status says how long the execution ran, which a fault or a retry changes.
func outcomeSignature(r *harness.Result) string {
	sigs := r.Signature()
	status := make(map[string]types.OperationStatus, len(sigs))
	for _, s := range sigs {
		status[sigKey(s.Path, s.Name)] = s.Status
	}
	var sb strings.Builder
	for _, s := range sigs {
		if s.Type == types.OperationTypeWait && s.Path != "" && status[s.Path] == types.OperationStatusStarted &&
			(s.Status == types.OperationStatusStarted || s.Status == types.OperationStatusSucceeded) {
			s.Status = "STARTED|SUCCEEDED"
		}
		sb.WriteString(s.String())
		sb.WriteByte('\n')
	}
	return sb.String()
}

func sigKey(path, name string) string {
	if path == "" {
		return name
	}
	return path + "/" + name
}

// batchPayload is a Parallel's checkpointed payload (decisions §2.9).
type batchPayload struct {
	All []struct {
		Index  int             `json:"index"`
		Status string          `json:"status"`
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	} `json:"all"`
	CompletionReason string `json:"completionReason"`
}

func decodeBatch(t harness.TB, p *harness.Operation) batchPayload {
	t.Helper()
	var b batchPayload
	if err := p.Decode(&b); err != nil {
		t.Fatalf("payload of Parallel %q: %v", p.Name, err)
	}
	return b
}
