package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// EndpointSweep is a fault sweep of a function served by dpcheck's emulator
// (dpcheck serve), written with any SDK: the function runs as its own
// process and is reached only through the Lambda API, so the faults are
// injected by the emulator through a per-execution fault plan (the
// emulator.FaultHeader Invoke header) and the checkpoint calls are counted
// there (emulator.Inspect).
type EndpointSweep struct {
	// Endpoint is the emulator's URL, e.g. http://127.0.0.1:9000.
	Endpoint string
	// Function is the function name, NAME or NAME:QUALIFIER; an
	// unqualified name is invoked as NAME:$LATEST.
	Function string
	// Faults are the kinds to inject (default: emulator.FaultKinds).
	Faults []emulator.FaultKind
	// Calls restricts the sweep to these checkpoint calls (default: every
	// call 1..N of the clean run); a rerun of one case names one.
	Calls []int
	// Workers is how many faulted executions run at once (default 2).
	Workers int
	// Tries is how many times a faulted execution is made when it ends
	// before reaching its planned call (default 3): a function whose
	// number of checkpoint calls depends on timing (parallel branches
	// batched differently) may take fewer calls than the clean run.
	Tries int
	// Timeout bounds each execution (default 2 minutes).
	Timeout time.Duration
	// Client is the Lambda client (default: one on Endpoint).
	Client *lambda.Client
	// HTTPClient reads the emulator's execution reports (default
	// http.DefaultClient).
	HTTPClient *http.Client
	// OnRun, when set, is told of each run as soon as it and every run
	// before it are known: the clean run first, then the faulted runs in
	// report order. Progress, when set, is told how many runs of how many
	// have finished, as each finishes. Neither is called concurrently.
	OnRun    func(SweepRun)
	Progress func(done, total int)
}

// SweepRun is one execution of a sweep: the clean run (Fault zero) or one
// with a fault at a checkpoint call.
type SweepRun struct {
	Fault   emulator.Fault
	Arn     string
	Outcome Outcome
	// Attempts lists, per step, the attempts the history records, one
	// sorted line each: "path/name: N attempt(s)".
	Attempts string
	// Calls and Invocations are what the emulator counted.
	Calls, Invocations int
	// Applied reports whether the planned call came. A fault plan at a
	// call the faulted execution never made (it took fewer calls, Tries
	// times) is not a divergence by itself; its outcome is still compared.
	Applied bool
	// Tries is how many executions were made for this plan.
	Tries int
	// Cause says how a run that did not succeed ended: its error and the
	// checkpoint calls the service refused (emulator.ExecutionReport.Cause).
	Cause string
	// Divergence is the first difference from the clean run, nil if none.
	Divergence *SweepDivergence
	result     *harness.Result
	refused    bool // the service refused a checkpoint call of the run
}

// SweepDivergence is a faulted run that ended unlike the clean run.
type SweepDivergence struct {
	Fault emulator.Fault
	// What is the first difference (status, error, result, operation view,
	// BatchResult or step attempts), with both values.
	What string
	// Event is the first history event of the faulted run that the clean
	// run has no counterpart for (or the clean event it lacks), by
	// EventId, type, subtype and name; "" when the histories agree.
	Event string
}

func (d *SweepDivergence) Error() string {
	msg := fmt.Sprintf("check: fault %s: %s", d.Fault, d.What)
	if d.Event != "" {
		msg += "\n  first differing event: " + d.Event
	}
	return msg
}

// SweepReport is a finished sweep.
type SweepReport struct {
	Function string
	Input    string
	Clean    SweepRun
	// CleanFailure is set when the clean run did not finish on its own (see
	// FinishedOnItsOwn): it says how it ended, and no faulted run was made,
	// since a fault is compared with a run that is itself sound.
	CleanFailure string
	// Runs are the faulted runs, ordered by call, then fault kind.
	Runs []SweepRun
}

// Divergences returns the faulted runs that diverged.
func (r *SweepReport) Divergences() []SweepRun {
	var out []SweepRun
	for _, run := range r.Runs {
		if run.Divergence != nil {
			out = append(out, run)
		}
	}
	return out
}

// Line is the one-line summary of a run.
func (run SweepRun) Line() string {
	name := "clean"
	if run.Fault.Call > 0 {
		name = run.Fault.String()
	}
	verdict := "same"
	switch {
	case run.Fault.Call == 0:
		verdict = "reference"
	case run.Divergence != nil:
		verdict = "DIVERGED"
	}
	applied := ""
	if run.Fault.Call > 0 && !run.Applied {
		applied = fmt.Sprintf(" (call not reached in %d tries)", run.Tries)
	}
	status := string(run.Outcome.Status)
	if run.Cause != "" {
		status += " (" + run.Cause + ")"
	}
	return fmt.Sprintf("%-14s %-9s %s, %d calls, %d invocations%s", name, verdict, status, run.Calls, run.Invocations, applied)
}

// FinishedOnItsOwn reports whether a run ended by the function's own
// doing: it succeeded, or it failed with an error of the function's,
// not one the platform raised (a Sandbox.* or Runtime.* error, the
// emulator's dpcheck.* stop, any STOPPED) and with no checkpoint call
// refused by the service.
func (run SweepRun) FinishedOnItsOwn() bool {
	switch {
	case run.Outcome.Status == types.ExecutionStatusSucceeded:
		return true
	case run.Outcome.Status == types.ExecutionStatusStopped, run.refused:
		return false
	}
	for _, prefix := range []string{"Sandbox.", "Runtime.", "dpcheck."} {
		if strings.HasPrefix(run.Outcome.Error, prefix) {
			return false
		}
	}
	return true
}

// Run sweeps the function with input (JSON text): the clean run, then one
// execution per fault kind and checkpoint call. The error is non-nil only
// when a run could not be made (a run that diverged is reported in the
// SweepReport); a SweepReport is returned whenever the clean run worked.
func (s EndpointSweep) Run(ctx context.Context, input string) (*SweepReport, error) {
	if err := s.defaults(ctx); err != nil {
		return nil, err
	}
	rep := &SweepReport{Function: s.Function, Input: input}
	clean, err := s.run(ctx, input, emulator.Fault{})
	if err != nil {
		return nil, fmt.Errorf("check: the clean run: %w", err)
	}
	rep.Clean = clean
	if !clean.FinishedOnItsOwn() {
		rep.CleanFailure = fmt.Sprintf("the clean run did not finish on its own: %s", clean.Cause)
	}
	if s.OnRun != nil {
		s.OnRun(clean)
	}
	if rep.CleanFailure != "" {
		return rep, nil
	}
	calls := s.Calls
	if calls == nil {
		for k := 1; k <= clean.Calls; k++ {
			calls = append(calls, k)
		}
	}
	var plans []emulator.Fault
	for _, k := range calls {
		for _, kind := range s.Faults {
			plans = append(plans, emulator.Fault{Kind: kind, Call: k})
		}
	}
	rep.Runs = make([]SweepRun, len(plans))
	errs := make([]error, len(plans))
	announce := s.announcer(rep.Runs)
	var wg sync.WaitGroup
	sem := make(chan struct{}, s.Workers)
	for i, plan := range plans {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer announce(i)
			var run SweepRun
			var err error
			for try := 1; try <= s.Tries && !run.Applied; try++ {
				if run, err = s.run(ctx, input, plan); err != nil {
					errs[i] = fmt.Errorf("check: fault %s: %w", plan, err)
					return
				}
				run.Tries = try
			}
			run.Divergence = compareRuns(clean, run)
			rep.Runs[i] = run
		}()
	}
	wg.Wait()
	return rep, errors.Join(errs...)
}

// announcer returns the function each faulted run calls when it has
// finished (made or not): it tells Progress, and OnRun of every run now
// known in order. A run that could not be made (its Fault is zero) is
// passed over; the error Run returns names it.
func (s EndpointSweep) announcer(runs []SweepRun) func(i int) {
	var mu sync.Mutex
	finished := make([]bool, len(runs))
	next, done := 0, 0
	return func(i int) {
		mu.Lock()
		defer mu.Unlock()
		finished[i] = true
		done++
		for ; next < len(runs) && finished[next]; next++ {
			if s.OnRun != nil && runs[next].Fault.Call > 0 {
				s.OnRun(runs[next])
			}
		}
		if s.Progress != nil {
			s.Progress(done, len(runs))
		}
	}
}

func (s *EndpointSweep) defaults(ctx context.Context) error {
	switch {
	case s.Endpoint == "":
		return errors.New("check: EndpointSweep.Endpoint is empty: want the emulator's URL")
	case s.Function == "":
		return errors.New("check: EndpointSweep.Function is empty")
	}
	if s.Faults == nil {
		s.Faults = emulator.FaultKinds
	}
	if s.Workers <= 0 {
		s.Workers = 2
	}
	if s.Tries <= 0 {
		s.Tries = 3
	}
	if s.Timeout <= 0 {
		s.Timeout = 2 * time.Minute
	}
	if s.Client == nil {
		c, err := cloud.NewClient(ctx, s.Endpoint)
		if err != nil {
			return err
		}
		s.Client = c
	}
	return nil
}

// run makes one execution with plan (none when plan.Call is 0) and reads
// what the Lambda API and the emulator report of it.
func (s EndpointSweep) run(ctx context.Context, input string, plan emulator.Fault) (SweepRun, error) {
	out := SweepRun{Fault: plan}
	client := cloud.Client(s.Client)
	if plan.Call > 0 {
		client = faultClient{Client: s.Client, plan: plan.String()}
	}
	runner := cloud.NewRunner(client, s.Function, cloud.WithQualifier("$LATEST"), cloud.WithTimeout(s.Timeout),
		cloud.WithNamePrefix("sweep"), cloud.WithPolling(20*time.Millisecond, time.Second))
	res, err := runner.RunJSON(ctx, input)
	if err != nil {
		return out, err
	}
	rep, err := emulator.Inspect(ctx, s.HTTPClient, s.Endpoint, res.Arn)
	if err != nil {
		return out, err
	}
	o, err := OutcomeOf(res)
	if err != nil {
		return out, err
	}
	out.Arn, out.Outcome, out.Attempts, out.result = res.Arn, o, stepAttempts(res), res
	out.Calls, out.Invocations, out.Applied = rep.CheckpointCalls, rep.Invocations, rep.FaultApplied
	out.Cause, out.refused = rep.Cause(res.Status, res.Error), len(rep.Refused) > 0
	return out, nil
}

// faultClient adds the fault plan header to Invoke.
type faultClient struct {
	*lambda.Client
	plan string
}

func (c faultClient) Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	optFns = append(optFns, func(o *lambda.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue(emulator.FaultHeader, c.plan))
	})
	return c.Client.Invoke(ctx, in, optFns...)
}

// stepAttempts is one sorted line per step: its path, name and attempts.
func stepAttempts(r *harness.Result) string {
	var lines []string
	for _, op := range r.Operations {
		if op.Type != types.OperationTypeStep {
			continue
		}
		name := op.Name
		if p := op.Path(); p != "" {
			name = p + "/" + name
		}
		lines = append(lines, fmt.Sprintf("%s: %d attempt(s)", name, op.Attempts))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// compareRuns names the first difference of a faulted run from the clean
// one, or nil.
func compareRuns(clean, run SweepRun) *SweepDivergence {
	what := run.Outcome.Diff(clean.Outcome)
	if what == "" && run.Attempts != clean.Attempts {
		what = "step attempts differ:\n" + lineDiff(run.Attempts, clean.Attempts)
	}
	if what == "" {
		return nil
	}
	return &SweepDivergence{Fault: run.Fault, What: what, Event: firstDifferingEvent(clean.result, run.result)}
}

// firstDifferingEvent finds where two histories part: the first event of
// the faulted run with no counterpart left in the clean run, else the first
// clean event the faulted run lacks. Events are compared by type, subtype,
// operation path and name, and result or error; InvocationCompleted events
// are left out, since a fault legitimately adds invocations.
func firstDifferingEvent(clean, faulted *harness.Result) string {
	if clean == nil || faulted == nil {
		return ""
	}
	if ev, k := firstUnmatched(faulted, clean); ev != nil {
		return fmt.Sprintf("#%d %s (the clean run has no such event)", aws.ToInt32(ev.EventId), k)
	}
	if ev, k := firstUnmatched(clean, faulted); ev != nil {
		return fmt.Sprintf("clean run's #%d %s (missing from the faulted run)", aws.ToInt32(ev.EventId), k)
	}
	return ""
}

// firstUnmatched returns the first event of a, with its key, once each
// event of b has cancelled one event of a with the same key.
func firstUnmatched(a, b *harness.Result) (*types.Event, string) {
	left := map[string]int{}
	for i := range b.History {
		if k, ok := eventKey(b, &b.History[i]); ok {
			left[k]++
		}
	}
	for i := range a.History {
		ev := &a.History[i]
		k, ok := eventKey(a, ev)
		if !ok {
			continue
		}
		if left[k] == 0 {
			return ev, k
		}
		left[k]--
	}
	return nil, ""
}

func eventKey(r *harness.Result, ev *types.Event) (string, bool) {
	if ev.EventType == types.EventTypeInvocationCompleted {
		return "", false
	}
	name := aws.ToString(ev.Name)
	if strings.HasPrefix(string(ev.EventType), "Execution") {
		name = "" // the execution's name differs from run to run
	}
	if op := r.OpByID(aws.ToString(ev.Id)); op != nil && op.Path() != "" {
		name = op.Path() + "/" + name
	}
	k := string(ev.EventType)
	if st := aws.ToString(ev.SubType); st != "" {
		k += "/" + st
	}
	if name != "" {
		k += " " + name
	}
	if detail := eventOutcome(ev); detail != "" {
		k += " " + detail
	}
	return k, true
}

// eventOutcome is the result payload or error type an event records.
func eventOutcome(ev *types.Event) string {
	payload := func(r *types.EventResult) string {
		if r == nil {
			return ""
		}
		return "-> " + aws.ToString(r.Payload)
	}
	failure := func(e *types.EventError) string {
		if e == nil || e.Payload == nil {
			return ""
		}
		return "error " + aws.ToString(e.Payload.ErrorType)
	}
	switch {
	case ev.StepSucceededDetails != nil:
		return payload(ev.StepSucceededDetails.Result)
	case ev.StepFailedDetails != nil:
		return failure(ev.StepFailedDetails.Error)
	case ev.ContextSucceededDetails != nil:
		return payload(ev.ContextSucceededDetails.Result)
	case ev.ContextFailedDetails != nil:
		return failure(ev.ContextFailedDetails.Error)
	case ev.ExecutionSucceededDetails != nil:
		return payload(ev.ExecutionSucceededDetails.Result)
	case ev.ExecutionFailedDetails != nil:
		return failure(ev.ExecutionFailedDetails.Error)
	}
	return ""
}
