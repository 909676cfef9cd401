package props

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// checkProgram checks one execution of p against the model where the model
// knows the outcome, and against what holds under every schedule
// elsewhere. faultFree adds what only a run without faults shows.
func checkProgram(t harness.TB, p program, res *harness.Result, faultFree bool) {
	t.Helper()
	checkStructure(t, res)
	model, throws := modelProgram(p)

	root := res.Op("root")
	sub := "Parallel"
	if p.Root.Map {
		sub = "Map"
	}
	if root == nil || root.Type != types.OperationTypeContext || root.SubType != sub || root.Status != types.OperationStatusSucceeded {
		t.Fatalf("no SUCCEEDED %s \"root\"\n%s", sub, res.Tree())
	}
	stored := payloadView(t, p.Root, root)
	var firstFailed *errorView
	for _, it := range stored.Items {
		if it.Status == "FAILED" {
			firstFailed = it.Error
			break
		}
	}
	switch {
	case p.Throw && firstFailed != nil:
		want := "ChildContextError: " + firstFailed.StepMessage
		if res.Status != types.ExecutionStatusFailed || errorText(res.Error) != want {
			t.Fatalf("execution %s %s, want FAILED %s (a branch failed and the handler threw)\n%s", res.Status, errorText(res.Error), want, res.Tree())
		}
		if model.known && (throws == nil || *throws != *firstFailed) {
			t.Fatalf("the execution threw %+v, the model %+v", firstFailed, throws)
		}
	default:
		if res.Status != types.ExecutionStatusSucceeded {
			t.Fatalf("execution %s %s, want SUCCEEDED\n%s", res.Status, errorText(res.Error), res.Tree())
		}
		var live batchView
		if err := res.Decode(&live); err != nil {
			t.Fatalf("result %s: %v", deref(res.Output), err)
		}
		// The BatchResult the handler saw is the one checkpointed.
		if g, w := mustJSON(live), mustJSON(stored); g != w {
			t.Fatalf("the handler's BatchResult\n%s\ndiffers from the Parallel's payload\n%s", g, w)
		}
		if g := mustJSON(live); deref(res.Output) != g {
			t.Fatalf("result %s does not re-encode to itself: %s", deref(res.Output), g)
		}
	}
	checkBatch(t, "root", stored, p.Root, model, faultFree)
	checkSteps(t, p, res, faultFree)
	checkBatchesAgainstLog(t, res, faultFree)
	if faultFree {
		checkAbandoned(t, res)
	}
	for _, inv := range res.Invocations {
		if faultFree && inv.Error != nil {
			t.Fatalf("invocation %d failed: %s\n%s", inv.Index, errorText(inv.Error), res.Tree())
		}
	}
}

// checkBatch checks a Parallel's view against its model: equal when the
// model knows it; otherwise consistent with the policy and with each
// branch's own outcome.
func checkBatch(t harness.TB, where string, v batchView, p parallelProg, m parallelOutcome, faultFree bool) {
	t.Helper()
	if m.known {
		if g, w := mustJSON(v), mustJSON(m.view); g != w {
			t.Fatalf("%s: BatchResult\n%s\nwant (model)\n%s", where, g, w)
		}
		return
	}
	k := len(p.Branches)
	c := completionOf(p.Policy)
	n := map[string]int{}
	if len(v.Items) > k {
		t.Fatalf("%s: %d items for %d branches", where, len(v.Items), k)
	}
	for i, it := range v.Items {
		// Branches start in index order, so the started ones are a prefix;
		// after a fault, one started by the failed invocation only may be
		// missing.
		if faultFree && it.Index != i {
			t.Fatalf("%s: item %d has index %d; started branches must be 0..%d", where, i, it.Index, len(v.Items)-1)
		}
		if it.Index < 0 || it.Index >= k || (i > 0 && it.Index <= v.Items[i-1].Index) {
			t.Fatalf("%s: item indexes %s are not increasing within 0..%d", where, mustJSON(v.Items), k-1)
		}
		if want := itemName(p, it.Index); it.Name != want {
			t.Fatalf("%s: item %d is named %q, want %q", where, i, it.Name, want)
		}
		n[it.Status]++
		bo := m.branches[it.Index]
		switch it.Status {
		case "SUCCEEDED":
			if bo.known && (bo.err != nil || mustJSON(*it.Value) != mustJSON(bo.value)) {
				t.Fatalf("%s: branch %d SUCCEEDED with %s; on its own it gives %s / %+v", where, it.Index, mustJSON(it.Value), mustJSON(bo.value), bo.err)
			}
			if !bo.known {
				checkNested(t, fmt.Sprintf("%s/%d", where, it.Index), *it.Value, p.Branches[it.Index], faultFree)
			}
		case "FAILED":
			if bo.known && (bo.err == nil || *bo.err != *it.Error) {
				t.Fatalf("%s: branch %d FAILED with %+v; on its own it gives %s / %+v", where, it.Index, it.Error, mustJSON(bo.value), bo.err)
			}
		case "STARTED":
		default:
			t.Fatalf("%s: item %d has status %q", where, i, it.Status)
		}
	}
	s, f, started := n["SUCCEEDED"], n["FAILED"], n["STARTED"]
	if want := countsOf(v.Items); v.Counts != want || s+f+started != v.Counts.Total {
		t.Fatalf("%s: BatchResult accessors answer %+v; its items say %+v", where, v.Counts, want)
	}
	if p.MaxConcurrency > 0 && started > p.MaxConcurrency {
		t.Fatalf("%s: %d branches in flight with max concurrency %d", where, started, p.MaxConcurrency)
	}
	// The batch stops at the first completion that meets a criterion; the
	// ones after it stay STARTED.
	ok := false
	switch v.Reason {
	case "ALL_COMPLETED":
		ok = len(v.Items) == k && started == 0 && !c.exceeded(f, k)
	case "FAILURE_TOLERANCE_EXCEEDED":
		ok = c.exceeded(f, k) && !c.exceeded(f-1, k)
	case "MIN_SUCCESSFUL_REACHED":
		ok = c.min != nil && s == *c.min && !c.exceeded(f, k) && s+f < k
	}
	if !ok {
		t.Fatalf("%s: reason %s with %d succeeded, %d failed, %d started of %d branches, policy %s\n%s",
			where, v.Reason, s, f, started, k, mustJSON(p.Policy), mustJSON(v))
	}
}

// checkNested checks the nested Parallels of a branch whose outcome the
// model could not predict.
func checkNested(t harness.TB, where string, v branchValue, b branchProg, faultFree bool) {
	t.Helper()
	n := 0
	for j, o := range b.Ops {
		if o.Kind != opParallel {
			continue
		}
		if n >= len(v.Nested) {
			t.Fatalf("%s: op %d's Parallel is missing from the branch value %s", where, j, mustJSON(v))
		}
		checkBatch(t, fmt.Sprintf("%s/op%d", where, j), v.Nested[n], *o.Nested, modelParallel(*o.Nested), faultFree)
		n++
	}
}

// itemName is the name of item i: the interpreter's, or the runtime's
// default for a Parallel branch or a Map iteration.
func itemName(p parallelProg, i int) string {
	if n := branchName(p, i); n != "" {
		return n
	}
	if p.Map {
		return fmt.Sprintf("map-item-%d", i)
	}
	return fmt.Sprintf("parallel-branch-%d", i)
}

// payloadView reads a Parallel's checkpointed payload (decisions §2.9) as
// the interpreter's view.
func payloadView(t harness.TB, p parallelProg, op *harness.Operation) batchView {
	t.Helper()
	b := decodeBatch(t, op)
	v := batchView{Reason: b.CompletionReason, Items: []itemView{}}
	for _, it := range b.All {
		iv := itemView{Index: it.Index, Name: itemName(p, it.Index), Status: it.Status}
		switch it.Status {
		case "SUCCEEDED":
			iv.Value = &branchValue{}
			if err := json.Unmarshal(it.Result, iv.Value); err != nil {
				t.Fatalf("payload of %q: item %d: %v", op.Name, it.Index, err)
			}
		case "FAILED":
			var e struct{ ErrorType, ErrorMessage, ErrorData string }
			if err := json.Unmarshal(it.Error, &e); err != nil {
				t.Fatalf("payload of %q: item %d error: %v", op.Name, it.Index, err)
			}
			iv.Error = &errorView{Type: e.ErrorType}
			var step struct{ ErrorType, ErrorMessage string }
			if json.Unmarshal([]byte(e.ErrorData), &step) == nil {
				iv.Error.StepType, iv.Error.StepMessage = step.ErrorType, step.ErrorMessage
			}
		}
		v.Items = append(v.Items, iv)
	}
	v.Counts = countsOf(v.Items)
	return v
}

// checkSteps matches every STEP of the log with its place in the program:
// a finished step made exactly the model's attempts and ended as the model
// says. In a fault-free run every attempt's body ran exactly once, and no
// operation was met as new twice.
func checkSteps(t harness.TB, p program, res *harness.Result, faultFree bool) {
	t.Helper()
	steps := map[string]op{}
	p.Root.collectSteps("root", steps)
	runs := map[string][]int{}
	news := map[string]int{}
	for _, inv := range res.Invocations {
		for _, r := range inv.StepRuns {
			runs[r.ID] = append(runs[r.ID], r.Attempt)
		}
		for _, o := range inv.Observed {
			if o.Mode == durable.OperationNew {
				news[o.ID]++
			}
		}
	}
	for _, sop := range res.OpsOfType(types.OperationTypeStep) {
		full := sop.Name
		if path := sop.Path(); path != "" {
			full = path + "/" + sop.Name
		}
		o, ok := steps[full]
		if !ok {
			t.Fatalf("step %s is not in the program\n%s", full, res.Tree())
		}
		attempts, succeeds := o.outcome()
		switch sop.Status {
		case types.OperationStatusSucceeded:
			if !succeeds || sop.Attempts != attempts {
				t.Fatalf("step %s SUCCEEDED after %d attempts; the model: %d attempts, success %v\n%s", full, sop.Attempts, attempts, succeeds, res.Tree())
			}
		case types.OperationStatusFailed:
			want := o.ErrorType + ": " + stepMessage(sop.Name, attempts)
			if succeeds || sop.Attempts != attempts || errorText(sop.Error) != want {
				t.Fatalf("step %s FAILED after %d attempts with %s; the model: %d attempts, success %v, %s\n%s",
					full, sop.Attempts, errorText(sop.Error), attempts, succeeds, want, res.Tree())
			}
		}
		if !faultFree {
			continue
		}
		for i, a := range runs[sop.Id] {
			if a != i+1 {
				t.Fatalf("step %s ran attempts %v, want 1, 2, ... each once", full, runs[sop.Id])
			}
		}
		if terminal(sop.Status) && len(runs[sop.Id]) != attempts {
			t.Fatalf("step %s ran attempts %v, want %d", full, runs[sop.Id], attempts)
		}
	}
	if faultFree {
		for id, n := range news {
			if n > 1 {
				t.Fatalf("operation %s was met as new in %d invocations\n%s", id, n, res.Tree())
			}
		}
	}
}

func terminal(s types.OperationStatus) bool {
	return s == types.OperationStatusSucceeded || s == types.OperationStatusFailed
}

// collectSteps maps the log path of every step of p (ancestor names and
// its own, "/"-joined) to its op; full is p's own path.
func (p parallelProg) collectSteps(full string, into map[string]op) {
	for i, b := range p.Branches {
		base := full
		if !p.Flat {
			base = full + "/" + itemName(p, i)
		}
		for j, o := range b.Ops {
			switch o.Kind {
			case opStep:
				into[base+"/"+opName(i, j)] = o
			case opFutures:
				o.collectFutureSteps(base, opName(i, j), into)
			case opParallel:
				o.Nested.collectSteps(base+"/"+opName(i, j), into)
			}
		}
	}
}
