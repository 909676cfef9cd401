package props

import "slices"

// completion is a completion policy as decisions §2.2-§2.3 and semantics §3
// define it, written out independently of the runtime.
type completion struct {
	min, tolCount *int
	tolPct        *int
}

func completionOf(p policy) completion {
	switch p.Preset {
	case policyDefault:
		return completion{} // every field unset: fail-fast
	case policyAllSuccessful: // stop at the first failure
		return completion{tolCount: ptr(0)}
	case policyAllCompleted: // never stop for failures
		return completion{tolPct: ptr(100)}
	case policyFirstSuccessful: // stop at the first success
		return completion{min: ptr(1)}
	}
	return completion{min: p.MinSuccessful, tolCount: p.ToleratedFailureCount, tolPct: p.ToleratedFailurePercentage}
}

// exceeded: with nothing set one failure is too many; otherwise a set
// tolerance is exceeded strictly, the percentage over all branches.
func (c completion) exceeded(failed, total int) bool {
	if c.min == nil && c.tolCount == nil && c.tolPct == nil {
		return failed > 0
	}
	if c.tolCount != nil && failed > *c.tolCount {
		return true
	}
	return c.tolPct != nil && total > 0 && float64(failed)/float64(total)*100 > float64(*c.tolPct)
}

// decide says whether a batch with these counts stops, and why: tolerance
// exceeded, then all completed, then min successful.
func (c completion) decide(succeeded, failed, total int) (bool, string) {
	switch {
	case c.exceeded(failed, total):
		return true, "FAILURE_TOLERANCE_EXCEEDED"
	case succeeded+failed >= total:
		return true, "ALL_COMPLETED"
	case c.min != nil && succeeded >= *c.min:
		return true, "MIN_SUCCESSFUL_REACHED"
	}
	return false, ""
}

// outcome is what the model knows of a branch or a Parallel. known is
// false when the outcome may depend on the schedule.
type branchOutcome struct {
	known bool
	value branchValue
	err   *errorView
}

type parallelOutcome struct {
	known    bool
	view     batchView
	branches []branchOutcome // each branch on its own, whether or not it ran
}

// modelProgram predicts the handler's answer: the root Parallel's view, or
// the error it throws.
func modelProgram(p program) (parallelOutcome, *errorView) {
	out := modelParallel(p.Root)
	if !out.known || !p.Throw {
		return out, nil
	}
	for _, it := range out.view.Items {
		if it.Status == "FAILED" {
			return out, it.Error
		}
	}
	return out, nil
}

// modelParallel predicts a Parallel. Each branch's own outcome never
// depends on the schedule unless it nests an unpredictable Parallel. The
// batch's outcome is predictable when branches run one at a time in index
// order (one slot, or one branch), or when the policy cannot stop before
// every branch finished: tolerance not exceeded by all the failures and
// fewer successes than MinSuccessful.
func modelParallel(p parallelProg) parallelOutcome {
	c := completionOf(p.Policy)
	k := len(p.Branches)
	out := parallelOutcome{known: true, view: batchView{Items: []itemView{}}}
	succ, fail := 0, 0
	for i, b := range p.Branches {
		bo := modelBranch(i, b)
		out.branches = append(out.branches, bo)
		out.known = out.known && bo.known
		if bo.err != nil {
			fail++
		} else {
			succ++
		}
	}
	if !out.known {
		return out
	}
	sequential := p.MaxConcurrency == 1 || k <= 1
	runsAll := !c.exceeded(fail, k) && (c.min == nil || succ < *c.min)
	if !sequential && !runsAll {
		out.known = false
		return out
	}
	succ, fail = 0, 0
	stop, reason := c.decide(0, 0, k)
	for i := 0; i < k && !stop; i++ {
		bo := out.branches[i]
		it := itemView{Index: i, Name: itemName(p, i)}
		if bo.err != nil {
			it.Status, it.Error = "FAILED", bo.err
			fail++
		} else {
			v := bo.value
			it.Status, it.Value = "SUCCEEDED", &v
			succ++
		}
		out.view.Items = append(out.view.Items, it)
		stop, reason = c.decide(succ, fail, k)
	}
	out.view.Reason = reason
	out.view.Counts = countsOf(out.view.Items)
	return out
}

// modelBranch runs a branch's operations in the model.
func modelBranch(i int, b branchProg) branchOutcome {
	out := branchOutcome{known: true}
	for j, o := range b.Ops {
		name := opName(i, j)
		switch o.Kind {
		case opStep:
			attempts, ok := o.outcome()
			if !ok {
				out.err = &errorView{Type: "StepError", StepType: o.ErrorType, StepMessage: stepMessage(name, attempts)}
				return out
			}
			out.value.Trace = append(out.value.Trace, stepValue(name, attempts))
		case opWait:
			out.value.Trace = append(out.value.Trace, name+" waited")
		case opFutures:
			entry, known := modelFutures(name, o)
			if !known {
				return branchOutcome{}
			}
			out.value.Trace = append(out.value.Trace, entry)
		case opParallel:
			n := modelParallel(*o.Nested)
			if !n.known {
				return branchOutcome{}
			}
			out.value.Nested = append(out.value.Nested, n.view)
			if o.Throw {
				for _, it := range n.view.Items {
					if it.Status == "FAILED" {
						out.err = &errorView{Type: "ChildContextError", StepType: it.Error.StepType, StepMessage: it.Error.StepMessage}
						return out
					}
				}
			}
		}
	}
	return out
}

// outcome says how many attempts a step makes and whether the last one
// succeeds: it fails its first Failures attempts; the strategy allows
// Attempts in all, or just one when the error's type is not retryable.
func (o op) outcome() (attempts int, ok bool) {
	allowed := o.allowedAttempts()
	if o.Failures >= 0 && o.Failures < allowed {
		return o.Failures + 1, true
	}
	return allowed, false
}

// allowedAttempts is how many attempts the step's strategy allows its error.
func (o op) allowedAttempts() int {
	if len(o.RetryTypes) > 0 && !slices.Contains(o.RetryTypes, o.ErrorType) {
		return 1
	}
	return o.Attempts
}
