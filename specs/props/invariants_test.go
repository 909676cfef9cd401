package props

import (
	"fmt"
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
	for _, p := range res.OpsOfType(types.OperationTypeContext, "Parallel", "Map") {
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

// checkBatchesAgainstLog fails t unless every Parallel's checkpointed
// BatchResult agrees with its branches' own records: a SUCCEEDED or FAILED
// item's branch ended so, a STARTED item's branch (in flight when the batch
// stopped, decisions §2.4) has no terminal record, and a branch not listed
// never finished (in a fault-free run: never started, so has no record at
// all). A branch that finished is a fact of the log: no schedule and no
// replay may turn it back into STARTED. Flat Parallels have no branch
// records to compare with.
func checkBatchesAgainstLog(t harness.TB, res *harness.Result, faultFree bool) {
	t.Helper()
	for _, p := range res.OpsOfType(types.OperationTypeContext, "Parallel", "Map") {
		if p.Status != types.OperationStatusSucceeded {
			continue
		}
		batch := decodeBatch(t, p)
		listed := map[*harness.Operation]bool{}
		for _, it := range batch.All {
			br := branchOp(p, it.Index)
			if br == nil {
				continue
			}
			listed[br] = true
			want := map[string]types.OperationStatus{"SUCCEEDED": types.OperationStatusSucceeded, "FAILED": types.OperationStatusFailed}[it.Status]
			if (want == "" && terminal(br.Status)) || (want != "" && br.Status != want) {
				t.Fatalf("Parallel %q lists branch %q as %s, but the branch's record is %s\n%s", p.Name, br.Name, it.Status, br.Status, res.Tree())
			}
		}
		for _, c := range p.Children {
			if isItem(c) && !listed[c] && (faultFree || terminal(c.Status)) {
				t.Fatalf("Parallel %q has a %s record of branch %q but does not list it as started\n%s", p.Name, c.Status, c.Name, res.Tree())
			}
		}
	}
}

// checkAbandoned fails t if a branch left STARTED by an early stop
// checkpointed anything after the stop (decisions §2.5). The stop is
// decided when the last counted branch finishes, holding the turn, so
// nothing of an abandoned branch may come after that branch's terminal
// event. Only a fault-free run shows that order: after a fault the replay
// decides the stop anew.
func checkAbandoned(t harness.TB, res *harness.Result) {
	t.Helper()
	for _, p := range res.OpsOfType(types.OperationTypeContext, "Parallel", "Map") {
		if p.Status != types.OperationStatusSucceeded {
			continue
		}
		batch := decodeBatch(t, p)
		trigger := int32(-1)
		var abandoned []*harness.Operation
		for _, it := range batch.All {
			br := branchOp(p, it.Index)
			switch {
			case br == nil:
			case it.Status == "STARTED":
				abandoned = append(abandoned, br)
			default:
				for _, ev := range br.Events {
					if finishes(ev) {
						trigger = max(trigger, aws.ToInt32(ev.EventId))
					}
				}
			}
		}
		for _, br := range abandoned {
			for _, op := range append([]*harness.Operation{br}, br.Descendants()...) {
				for _, ev := range op.Events {
					if ev.EventType != types.EventTypeWaitSucceeded && aws.ToInt32(ev.EventId) > trigger {
						t.Fatalf("%s of %q (%s) came after the early stop of %q that abandoned its branch %q\n%s",
							ev.EventType, op.Name, op.Path(), p.Name, br.Name, res.Tree())
					}
				}
			}
		}
	}
}

// isItem reports whether c is the record of a Parallel branch or a Map
// iteration.
func isItem(c *harness.Operation) bool {
	return c.SubType == "ParallelBranch" || c.SubType == "MapIteration"
}

// branchOp finds the ParallelBranch or MapIteration record of item i of
// Parallel or Map p, named as the interpreter names it or by the runtime's
// default.
func branchOp(p *harness.Operation, i int) *harness.Operation {
	for _, c := range p.Children {
		if isItem(c) && (c.Name == fmt.Sprintf("b%d", i) || c.Name == fmt.Sprintf("parallel-branch-%d", i) || c.Name == fmt.Sprintf("map-item-%d", i)) {
			return c
		}
	}
	return nil
}
