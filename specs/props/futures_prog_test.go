package props

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/dpcheck/dpcheck/durable"
)

// opFutures is an operation that starts two or three futures and joins
// them with one combinator; its trace entry is the combinator's answer.
const opFutures = "futures"

// futureProg is one future of a futures op: a StepAsync, or, when Wait is
// set, a Go child context that waits Wait seconds before its step. Its
// step fails (no retry) when Fail is set.
type futureProg struct {
	Fail bool `json:"fail,omitempty"`
	Wait int  `json:"wait,omitempty"`
}

var combinators = []string{"all", "allSettled", "any", "race", "join"}

func drawFutures(t *rapid.T, label string) op {
	o := op{Kind: opFutures, Combinator: rapid.SampledFrom(combinators).Draw(t, label+".combinator")}
	for range rapid.IntRange(2, 3).Draw(t, label+".futures") {
		f := futureProg{Fail: rapid.IntRange(0, 2).Draw(t, label+".futureFails") == 2}
		if rapid.IntRange(0, 3).Draw(t, label+".futureWaits") == 3 {
			f.Wait = rapid.IntRange(1, 10).Draw(t, label+".futureWait")
		}
		o.Futures = append(o.Futures, f)
	}
	return o
}

// futureName names future k of the futures op name; stepName its step.
func futureName(name string, k int) string { return fmt.Sprintf("%s.f%d", name, k) }

func (f futureProg) stepName(name string, k int) string {
	if f.Wait > 0 {
		return futureName(name, k) + ".s"
	}
	return futureName(name, k)
}

// step is the future's step as an op, for the checks of step records.
func (f futureProg) step() op {
	s := op{Kind: opStep, Attempts: 1, ErrorType: errorTypes[0]}
	if f.Fail {
		s.Failures = -1
	}
	return s
}

// start starts future k of the futures op name.
func (f futureProg) start(ctx durable.Context, name string, k int) *durable.Future[string] {
	stepName := f.stepName(name, k)
	body := func(durable.StepContext) (string, error) {
		if f.Fail {
			return "", &progError{errorTypes[0], stepMessage(stepName, 1)}
		}
		return stepValue(stepName, 1), nil
	}
	if f.Wait == 0 {
		return durable.StepAsync(ctx, stepName, body, durable.WithRetry(durable.NoRetry()))
	}
	return durable.Go(ctx, futureName(name, k), func(c durable.Context) (string, error) {
		if err := durable.Wait(c, futureName(name, k)+".w", time.Duration(f.Wait)*time.Second); err != nil {
			return "", err
		}
		return durable.Step(c, stepName, body, durable.WithRetry(durable.NoRetry()))
	})
}

// runFutures is the interpreter of a futures op: a failed combinator is
// part of the trace, not a failure of the branch.
func runFutures(ctx durable.Context, name string, o op) (string, error) {
	fs := make([]*durable.Future[string], len(o.Futures))
	for k, f := range o.Futures {
		fs[k] = f.start(ctx, name, k)
	}
	var values []string
	var err error
	switch o.Combinator {
	case "all":
		values, err = durable.All(ctx, name, fs)
	case "any", "race":
		var v string
		if o.Combinator == "any" {
			v, err = durable.Any(ctx, name, fs)
		} else {
			v, err = durable.Race(ctx, name, fs)
		}
		values = []string{v}
	case "join":
		aw := make([]durable.Awaitable, len(fs))
		for k, f := range fs {
			aw[k] = f
		}
		if err = durable.Join(ctx, name, aw); err == nil {
			for _, f := range fs {
				v, _ := f.Result()
				values = append(values, v)
			}
		}
	case "allSettled":
		var ss []durable.Settled[string]
		ss, err = durable.AllSettled(ctx, name, fs)
		for _, s := range ss {
			values = append(values, settledText(s))
		}
	}
	var ce *durable.CombinatorError
	if errors.As(err, &ce) {
		return fmt.Sprintf("%s %s!%s: %s", name, o.Combinator, ce.ErrorType, ce.Message), nil
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %s=%s", name, o.Combinator, strings.Join(values, ",")), nil
}

// settledText is a settled outcome as the trace shows it: the value, or
// "!type: message" as recorded.
func settledText(s durable.Settled[string]) string {
	if s.Err == nil {
		return s.Value
	}
	b, _ := json.Marshal(s)
	var rec struct {
		Reason struct{ Message, Name string }
	}
	_ = json.Unmarshal(b, &rec)
	return "!" + rec.Reason.Name + ": " + rec.Reason.Message
}

// modelFutures predicts a futures op's trace entry; known is false when
// the answer depends on which future settles first. A future that waits
// cannot settle in the invocation that starts it, so it settles after
// every future that does not wait.
func modelFutures(name string, o op) (entry string, known bool) {
	type outcome struct{ value, typ, msg string }
	outs := make([]outcome, len(o.Futures))
	for k, f := range o.Futures {
		s := f.stepName(name, k)
		typ := "StepError"
		if f.Wait > 0 {
			typ = "ChildContextError"
		}
		if f.Fail {
			outs[k] = outcome{typ: typ, msg: stepMessage(s, 1)}
		} else {
			outs[k] = outcome{value: stepValue(s, 1)}
		}
	}
	ok := func(vs ...string) string { return fmt.Sprintf("%s %s=%s", name, o.Combinator, strings.Join(vs, ",")) }
	failed := func(typ, msg string) string { return fmt.Sprintf("%s %s!%s: %s", name, o.Combinator, typ, msg) }
	switch o.Combinator {
	case "allSettled":
		var vs []string
		for _, x := range outs {
			if x.typ != "" {
				vs = append(vs, "!"+x.typ+": "+x.msg)
			} else {
				vs = append(vs, x.value)
			}
		}
		return ok(vs...), true
	case "all", "join":
		// The first failure in argument order among the futures that do
		// not wait decides in the first invocation; failures of waiting
		// futures decide later, in the order their waits end.
		var waitingFails []int
		for k, f := range o.Futures {
			if outs[k].typ == "" {
				continue
			}
			if f.Wait == 0 {
				return failed(outs[k].typ, outs[k].msg), true
			}
			waitingFails = append(waitingFails, k)
		}
		switch len(waitingFails) {
		case 0:
			var vs []string
			for _, x := range outs {
				vs = append(vs, x.value)
			}
			return ok(vs...), true
		case 1:
			return failed(outs[waitingFails[0]].typ, outs[waitingFails[0]].msg), true
		}
		return "", false
	case "any":
		var wins []int
		for k, x := range outs {
			if x.typ == "" {
				wins = append(wins, k)
			}
		}
		switch len(wins) {
		case 0:
			return failed("AggregateError", "All promises were rejected"), true
		case 1:
			return ok(outs[wins[0]].value), true
		}
		return "", false
	}
	// race: the one future that can settle first, if there is one
	var first []int
	for k, f := range o.Futures {
		if f.Wait == 0 {
			first = append(first, k)
		}
	}
	if len(first) != 1 {
		return "", false
	}
	if x := outs[first[0]]; x.typ != "" {
		return failed(x.typ, x.msg), true
	}
	return ok(outs[first[0]].value), true
}

// futureTimers is how many invocations the futures op may need beyond
// the first: one per waiting future.
func (o op) futureTimers() int {
	n := 0
	for _, f := range o.Futures {
		if f.Wait > 0 {
			n++
		}
	}
	return n
}

// collectFutureSteps adds the steps of a futures op under base.
func (o op) collectFutureSteps(base, name string, into map[string]op) {
	for k, f := range o.Futures {
		if f.Wait > 0 {
			into[base+"/"+futureName(name, k)+"/"+f.stepName(name, k)] = f.step()
		} else {
			into[base+"/"+f.stepName(name, k)] = f.step()
		}
	}
}
