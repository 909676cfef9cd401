package conformance

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

// Verdict is the outcome of one requirement.
type Verdict string

// Verdicts.
const (
	Pass Verdict = "PASS"
	Fail Verdict = "FAIL"
	Skip Verdict = "SKIP"
)

// Outcome is the verdict on one requirement and what it is based on.
type Outcome struct {
	Requirement *Requirement
	Verdict     Verdict
	// Message is the report for FAIL (without the requirement key) and the
	// reason for SKIP.
	Message   string
	Execution *Execution // the run; nil when it did not run
	Bindings  Bindings   // the Variables and every placeholder bound while matching
	Duration  time.Duration
}

// OptionalFailure reports a failed requirement marked optional: reported, but it
// does not fail the run.
func (o *Outcome) OptionalFailure() bool {
	return o.Verdict == Fail && o.Requirement.Optional
}

// Line is the console line: verdict, key, description, then the report or the
// skip reason.
func (o *Outcome) Line() string {
	head := string(o.Verdict)
	if o.OptionalFailure() {
		head += " (optional)"
	}
	head += " " + o.Requirement.Key()
	if o.Requirement.Description != "" {
		head += " " + oneLine(o.Requirement.Description)
	}
	if o.Verdict == Fail && o.Execution != nil && o.Execution.Cause != "" {
		head += " [" + o.Execution.Status + ": " + cutReport(o.Execution.Cause) + "]"
	}
	switch o.Verdict {
	case Fail:
		return head + "\n" + strings.TrimSuffix(indent(cutReport(o.Message)+"\n", "    "), "\n")
	case Skip:
		return head + ": " + cutReport(o.Message)
	}
	return head
}

// Runner runs requirements on a target with the registered handlers.
type Runner struct {
	Registry *Registry
	Target   Target
	// Seed drives the generated Variables and execution names; each requirement
	// draws from its own source derived from Seed and its key, so a run of one
	// file reproduces the same values as a run of the whole suite.
	Seed uint64
}

// RunAll runs the requirements one after the other.
func (r *Runner) RunAll(ctx context.Context, reqs []*Requirement) []Outcome {
	out := make([]Outcome, 0, len(reqs))
	for _, req := range reqs {
		out = append(out, r.Run(ctx, req))
	}
	return out
}

// Run runs one requirement: handler lookup, one execution on the target, then
// history, result and logs are matched.
func (r *Runner) Run(ctx context.Context, req *Requirement) Outcome {
	start := time.Now()
	o := r.run(ctx, req)
	o.Requirement = req
	o.Duration = time.Since(start)
	return o
}

func (r *Runner) run(ctx context.Context, req *Requirement) Outcome {
	key := req.Key()
	entry, ok := r.Registry.Lookup(key)
	if !ok && !supports(r.Target, FeatureServedFunctions) {
		return Outcome{Verdict: Skip, Message: "no Go handler is registered for " + key + " (in process a requirement runs only its registered Go handler; --endpoint runs any served function)"}
	}
	if (entry.Callbacks || len(req.CallbackActions) > 0) && !supports(r.Target, FeatureCallbacks) {
		return Outcome{Verdict: Skip, Message: "the execution waits on callbacks and this target does not answer them"}
	}
	rng := rand.New(rand.NewPCG(r.Seed, keyHash(key)))
	b := req.Bind(rng)
	input, err := req.InputJSON(b)
	if err != nil {
		return Outcome{Verdict: Fail, Message: err.Error(), Bindings: b}
	}
	tools := &Tools{crashEnabled: entry.Crash}
	var invocations atomic.Int64
	var inv durable.Invoker // nil without a handler: the target runs the function it serves
	if ok {
		inner := tools.wrap(entry.Handler(tools))
		inv = func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
			invocations.Add(1)
			return inner(ctx, env, envelope)
		}
	}
	run := Request{
		Key:             key,
		Invoker:         inv,
		Input:           input,
		Name:            executionName(req, rng),
		Async:           req.AsyncInvoke,
		CallbackActions: substituteActions(req.CallbackActions, b),
		Functions:       r.Registry.Functions(),
		Poll:            req.AsyncConfig,
	}
	if req.ExpectedResult == nil {
		run.Settled = func(h []types.Event) bool {
			m, err := MatchHistory(req.ExpectedExecutionHistory, h, b.clone())
			return err == nil && m == nil
		}
	}
	exec, err := r.Target.Run(ctx, run)
	if err != nil {
		var missing *types.ResourceNotFoundException
		if entry.Crash && supports(r.Target, FeatureServedFunctions) && errors.As(err, &missing) {
			// Whatever a target serves under this name is another program
			// (dpcheck serve never serves a Go handler that needs
			// Tools.Crash, which works only in the runner's process), so the
			// requirement runs; with nothing served, only dpcheck's own
			// handler could have run it.
			return Outcome{Verdict: Skip, Bindings: b, Message: "dpcheck's Go handler for " + key +
				" crashes its process with Tools.Crash, so dpcheck serve does not serve it, and the endpoint serves no function under its name: " + err.Error()}
		}
		return Outcome{Verdict: Fail, Message: "run failed: " + err.Error(), Bindings: b}
	}
	o := Outcome{Execution: exec, Bindings: b}
	mms, err := Check(req, exec, b)
	if err != nil {
		o.Verdict, o.Message = Fail, withCause(exec, err.Error())
		return o
	}
	if len(mms) > 0 {
		reports := make([]string, len(mms))
		for i, m := range mms {
			reports[i] = m.report()
		}
		o.Verdict, o.Message = Fail, withCause(exec, strings.Join(reports, "\n"))
		return o
	}
	if len(req.ExpectedLogs) > 0 {
		records := exec.Logs // out of process: what the target captured, nil if nothing
		if invocations.Load() > 0 {
			records = append([]LogRecord{}, tools.Logs()...)
		}
		if reason := logsUncheckable(records); reason != "" {
			o.Verdict, o.Message = Skip, "history and result match; ExpectedLogs not checked: "+reason
			return o
		}
		lm, err := CheckLogs(req.ExpectedLogs, records, b)
		if err != nil {
			o.Verdict, o.Message = Fail, err.Error()
			return o
		}
		if lm != nil {
			o.Verdict, o.Message = Fail, lm.Error()
			return o
		}
	}
	o.Verdict = Pass
	return o
}

// withCause puts how the execution ended first in a failure's report, when
// it did not succeed.
func withCause(exec *Execution, report string) string {
	if exec.Cause == "" {
		return report
	}
	return "the execution ended " + exec.Status + ": " + exec.Cause + "\n" + report
}

func logsUncheckable(records []LogRecord) string {
	if records == nil {
		return "the target runs the handler out of process and does not capture its output"
	}
	return ""
}

func keyHash(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()
}

// executionName is unique per run and valid for the service: letters, digits,
// '-' and '_', at most 64 characters.
func executionName(req *Requirement, rng *rand.Rand) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
				return r
			}
			return '-'
		}, s)
	}
	name := fmt.Sprintf("conform-%s-%s", clean(req.Suite), clean(req.ID))
	if len(name) > 55 {
		name = name[:55]
	}
	return name + "-" + genStr(rng, 8)
}

// Summary counts outcomes.
type Summary struct {
	Passed, Failed, Skipped, OptionalFailed int
}

// Summarize counts the outcomes; an optional failure is counted apart.
func Summarize(outs []Outcome) Summary {
	var s Summary
	for i := range outs {
		switch {
		case outs[i].OptionalFailure():
			s.OptionalFailed++
		case outs[i].Verdict == Pass:
			s.Passed++
		case outs[i].Verdict == Fail:
			s.Failed++
		default:
			s.Skipped++
		}
	}
	return s
}

// String is "N passed, N failed", then ", N skipped" and ", N optional failed"
// when there are any.
func (s Summary) String() string {
	out := fmt.Sprintf("%d passed, %d failed", s.Passed, s.Failed)
	if s.Skipped > 0 {
		out += fmt.Sprintf(", %d skipped", s.Skipped)
	}
	if s.OptionalFailed > 0 {
		out += fmt.Sprintf(", %d optional failed", s.OptionalFailed)
	}
	return out
}
