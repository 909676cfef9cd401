package props

import (
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

// wireID is the service's operation id syntax.
var wireID = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// checkStructure fails t unless the operation log is well formed whatever
// the program or the schedule: ids are unique and well formed, every parent
// exists, no operation is finished twice, and nothing under a finished
// Parallel is checkpointed after it (decisions §2.5: every branch has
// returned before the Parallel's SUCCEED, and an abandoned branch
// checkpoints nothing).
func checkStructure(t harness.TB, res *harness.Result) {
	t.Helper()
	seen := map[string]bool{}
	for _, op := range res.Operations {
		if !wireID.MatchString(op.Id) {
			t.Fatalf("operation %q has id %q, not 1-64 of [a-zA-Z0-9_-]\n%s", op.Name, op.Id, res.Tree())
		}
		if seen[op.Id] {
			t.Fatalf("operation id %s is used twice\n%s", op.Id, res.Tree())
		}
		seen[op.Id] = true
		if op.ParentId != "" && res.OpByID(op.ParentId) == nil {
			t.Fatalf("operation %q (%s) has parent %s, which does not exist\n%s", op.Name, op.Id, op.ParentId, res.Tree())
		}
		ends := 0
		for _, ev := range op.Events {
			if finishes(ev) {
				ends++
			}
		}
		if ends > 1 {
			t.Fatalf("operation %q (%s) finished %d times\n%s", op.Name, op.Id, ends, res.Tree())
		}
	}
	for _, p := range res.OpsOfType(types.OperationTypeContext, "Parallel") {
		end := int32(-1)
		for _, ev := range p.Events {
			if ev.EventType == types.EventTypeContextSucceeded || ev.EventType == types.EventTypeContextFailed {
				end = aws.ToInt32(ev.EventId)
			}
		}
		if end < 0 {
			continue
		}
		for _, d := range p.Descendants() {
			for _, ev := range d.Events {
				// A wait's timer fires on the service's side, not through
				// the branch: only checkpointed events count.
				if ev.EventType != types.EventTypeWaitSucceeded && aws.ToInt32(ev.EventId) > end {
					t.Fatalf("%s of %q (%s) was checkpointed after its Parallel %q finished\n%s",
						ev.EventType, d.Name, d.Path(), p.Name, res.Tree())
				}
			}
		}
	}
}

// finishes reports whether ev ends its operation (a step's failed attempt
// that is retried does not).
func finishes(ev *types.Event) bool {
	switch ev.EventType {
	case types.EventTypeStepSucceeded:
		d := ev.StepSucceededDetails
		return d == nil || d.RetryDetails == nil || d.RetryDetails.NextAttemptDelaySeconds == nil
	case types.EventTypeStepFailed:
		d := ev.StepFailedDetails
		return d == nil || d.RetryDetails == nil || d.RetryDetails.NextAttemptDelaySeconds == nil
	case types.EventTypeContextSucceeded, types.EventTypeContextFailed,
		types.EventTypeWaitSucceeded, types.EventTypeWaitCancelled:
		return true
	}
	return false
}
