package specs_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/onsi/gomega/gcustom"
	gtypes "github.com/onsi/gomega/types"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
)

// Domain matchers. Their failure messages carry the operation tree (or the
// check's own report, which names the seed and the interleaving).

// HaveExecutionStatus matches a *harness.Result that ended with status.
func HaveExecutionStatus(status types.ExecutionStatus) gtypes.GomegaMatcher {
	return gcustom.MakeMatcher(func(r *harness.Result) (bool, error) {
		return r.Status == status, nil
	}).WithTemplate("Expected the execution to end {{.To}} {{.Data}}, it ended {{.Actual.Status}}\n{{.Actual.Tree}}", status)
}

// HaveOperation matches a *harness.Result holding an operation named name
// whose final status is status.
func HaveOperation(name string, status types.OperationStatus) gtypes.GomegaMatcher {
	return gcustom.MakeMatcher(func(r *harness.Result) (bool, error) {
		for _, op := range r.OpsNamed(name) {
			if op.Status == status {
				return true, nil
			}
		}
		return false, nil
	}).WithTemplate("Expected the execution {{.To}} have an operation {{.Data}}\n{{.Actual.Tree}}", fmt.Sprintf("%q %s", name, status))
}

// HaveStepEvents matches a *harness.Result whose history holds exactly n
// events of type et for the step named name.
func HaveStepEvents(name string, et types.EventType, n int) gtypes.GomegaMatcher {
	var got int
	return gcustom.MakeMatcher(func(r *harness.Result) (bool, error) {
		op := stepOp(r, name)
		if op == nil {
			return false, fmt.Errorf("no step named %q", name)
		}
		got = r.CountEvents(et, op)
		return got == n, nil
	}).WithTemplate("Expected step {{.Data.Name}} {{.To}} have {{.Data.N}} {{.Data.Type}} events, it has {{.Data.Got}}", &struct {
		Name string
		Type types.EventType
		N    int
		Got  *int
	}{name, et, n, &got})
}

// HaveBatch matches a batchReport with these counts and reason.
func HaveBatch(succeeded, failed, started int, reason string) gtypes.GomegaMatcher {
	return gcustom.MakeMatcher(func(r batchReport) (bool, error) {
		return r.Succeeded == succeeded && r.Failed == failed && r.Started == started &&
			r.Total == succeeded+failed+started && r.Reason == reason, nil
	}).WithTemplate("Expected BatchResult {{.To}} be {{.Data}}, got {{.Actual.Succeeded}} succeeded, {{.Actual.Failed}} failed, {{.Actual.Started}} started of {{.Actual.Total}}, {{.Actual.Reason}}",
		fmt.Sprintf("%d succeeded, %d failed, %d started, %s", succeeded, failed, started, reason))
}

// HaveReplayedWithoutExecuting matches a *check.ReplayReport whose replay
// met only recorded operations, ran no step body, sent no checkpoint and
// answered the execution's own result.
func HaveReplayedWithoutExecuting() gtypes.GomegaMatcher {
	return gcustom.MakeMatcher(func(r *check.ReplayReport) (bool, error) {
		return r.Err() == nil && r.StepRuns() == 0 && r.CheckpointCalls() == 0, nil
	}).WithTemplate("Expected the replay {{.To}} do no work and answer the recorded result:\n{{.Actual.Err}}")
}

// SurviveEveryBoundary matches a *check.Sweep in which every faulted run
// reached the crash-free outcome without re-running a finished step.
func SurviveEveryBoundary() gtypes.GomegaMatcher {
	return gcustom.MakeMatcher(func(s *check.Sweep) (bool, error) {
		return s.Err() == nil, nil
	}).WithTemplate("Expected every faulted run {{.To}} match the crash-free run ({{.Actual}}):\n{{.Actual.Err}}")
}

// FailAsNonDeterministic matches a *harness.Result that FAILED with
// NonDeterministicExecutionError naming both descriptions.
func FailAsNonDeterministic(expected, actual string) gtypes.GomegaMatcher {
	return gcustom.MakeMatcher(func(r *harness.Result) (bool, error) {
		if r.Status != types.ExecutionStatusFailed || r.Error == nil {
			return false, nil
		}
		msg := aws.ToString(r.Error.ErrorMessage)
		return aws.ToString(r.Error.ErrorType) == "NonDeterministicExecutionError" &&
			strings.Contains(msg, expected) && strings.Contains(msg, actual), nil
	}).WithTemplate("Expected the execution {{.To}} fail with NonDeterministicExecutionError naming {{.Data}}\n{{.Actual.Tree}}",
		expected+" and "+actual)
}

// RecordNothingAfterStop matches a *harness.Result in which every Parallel
// that stopped early shows the runtime's promise: once the branch that
// decided the stop was checkpointed, no branch still in flight checkpoints
// anything, and the Parallel's own SUCCEED closes its subtree. The stopping
// branch's terminal event marks the decision exactly when a check.Scheduler
// ran the execution (no other goroutine moves between that checkpoint and
// the decision); free-running, an update queued in that instant would
// legitimately land after the mark.
func RecordNothingAfterStop() gtypes.GomegaMatcher {
	var problem string
	return gcustom.MakeMatcher(func(r *harness.Result) (bool, error) {
		problem = afterStop(r)
		return problem == "", nil
	}).WithTemplate("Expected the execution {{.To}} record nothing from abandoned branches: {{.Data.Problem}}\n{{.Actual.Tree}}",
		&struct{ Problem *string }{&problem})
}

func afterStop(r *harness.Result) string {
	for _, p := range r.OpsOfType(types.OperationTypeContext, "Parallel") {
		if p.Status != types.OperationStatusSucceeded {
			continue // still running, or ended by the execution: nothing was decided
		}
		last := lastEventID(p)
		var stop int32
		var open []*harness.Operation
		for _, b := range p.Children {
			switch b.Status {
			case types.OperationStatusSucceeded, types.OperationStatusFailed:
				stop = max(stop, lastEventID(b))
			default:
				open = append(open, b)
			}
		}
		for _, op := range append([]*harness.Operation{p}, p.Descendants()...) {
			for _, ev := range op.Events {
				id := aws.ToInt32(ev.EventId)
				if op != p && id > last {
					return fmt.Sprintf("event %d (%s of %q) comes after parallel %q succeeded", id, ev.EventType, op.Name, p.Name)
				}
			}
		}
		for _, b := range open {
			for _, op := range append([]*harness.Operation{b}, b.Descendants()...) {
				for _, ev := range op.Events {
					if id := aws.ToInt32(ev.EventId); id > stop {
						return fmt.Sprintf("event %d (%s of %q in abandoned branch %q) comes after the stop at event %d", id, ev.EventType, op.Name, b.Name, stop)
					}
				}
			}
		}
	}
	return ""
}

// stepOp is the first STEP named name (a calculator branch and its step
// share their name).
func stepOp(r *harness.Result, name string) *harness.Operation {
	for _, op := range r.OpsNamed(name) {
		if op.Type == types.OperationTypeStep {
			return op
		}
	}
	return nil
}

func lastEventID(op *harness.Operation) int32 {
	if len(op.Events) == 0 {
		return 0
	}
	return aws.ToInt32(op.Events[len(op.Events)-1].EventId)
}

// BeDivergence matches an error that is a *check.Divergence whose problem
// mentions every one of words.
func BeDivergence(words ...string) gtypes.GomegaMatcher {
	return gcustom.MakeMatcher(func(err error) (bool, error) {
		var d *check.Divergence
		if !errors.As(err, &d) {
			return false, nil
		}
		return !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(d.Problem, w) }), nil
	}).WithTemplate("Expected {{.Actual}} {{.To}} be a check divergence mentioning {{.Data}}", words)
}
