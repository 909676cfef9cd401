package conformance_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// Handlers written with the runtime for a few official requirements, run on
// the in-process fake: the whole chain reader -> runner -> local target ->
// matcher, with nothing faked.

func greet(ctx durable.Context, name string) (string, error) {
	return durable.Step(ctx, "greet", func(durable.StepContext) (string, error) {
		return "Hello, " + name + "!", nil
	})
}

func flakyOnce(ctx durable.Context, _ any) (string, error) {
	return durable.Step(ctx, "unreliable", func(sc durable.StepContext) (string, error) {
		if sc.Attempt() == 1 {
			return "", errors.New("first attempt fails")
		}
		return "Operation succeeded", nil
	}, durable.WithRetry(durable.LinearRetry(2, time.Second, 0)))
}

// crashInStep is step/1-17: an at-most-once step without retry that logs its
// input and crashes the process.
func crashInStep(tools *conformance.Tools) durable.Invoker {
	return durable.Handle(func(ctx durable.Context, in string) (string, error) {
		return durable.Step(ctx, "at_most_once_flaky_step", func(sc durable.StepContext) (string, error) {
			sc.Logger().Info("processing " + in)
			tools.Crash()
			return "unreachable", nil
		}, durable.WithSemantics(durable.AtMostOncePerRetry), durable.WithRetry(durable.NoRetry()))
	})
}

// failFast is parallel/8-6 with the given failure tolerance (8-6 asks for 0).
func failFast(tolerated int) durable.Invoker {
	return durable.Handle(func(ctx durable.Context, _ any) (map[string]any, error) {
		br, err := durable.Parallel(ctx, "failfast", []durable.Branch[string]{
			{Func: func(durable.Context) (string, error) { return "ok", nil }},
			{Func: func(durable.Context) (string, error) { return "", errors.New("b1 fails") }},
			{Func: func(durable.Context) (string, error) { return "never", nil }},
		}, durable.WithMaxConcurrency(1), durable.WithCompletion(durable.WithToleratedFailureCount(tolerated)))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return map[string]any{
			"completionReason": br.CompletionReason(), "status": br.Status(),
			"successCount": br.SuccessCount(), "failureCount": br.FailureCount(), "totalCount": br.TotalCount(),
		}, nil
	})
}

func localRun(t *testing.T, reg *conformance.Registry, paths ...string) []conformance.Outcome {
	t.Helper()
	reqs, err := conformance.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	r := &conformance.Runner{Registry: reg, Target: conformance.LocalTarget{Seed: 1}, Seed: 1}
	return r.RunAll(context.Background(), reqs)
}

func TestLocalTargetRunsOfficialRequirements(t *testing.T) {
	reg := conformance.NewRegistry()
	reg.Register("step/1-1", conformance.Plain(durable.Handle(greet)))
	reg.Register("step/1-11", conformance.Plain(durable.Handle(flakyOnce)))
	reg.Register("step/1-17", crashInStep, conformance.NeedsCrash())
	reg.Register("parallel/8-6", conformance.Plain(failFast(0)))
	outs := localRun(t, reg,
		"testdata/official/step/1-1.yaml", "testdata/official/step/1-11.yaml",
		"testdata/official/step/1-17.yaml", "testdata/official/parallel/8-6.yaml")
	for _, o := range outs {
		if o.Verdict != conformance.Pass {
			t.Errorf("%s", o.Line())
		}
	}
	if s := conformance.Summarize(outs).String(); s != "4 passed, 0 failed" {
		t.Errorf("summary = %s", s)
	}
}

// The check of the runner itself: an off-by-one in a failure
// tolerance lets branch 2 start, and the report names that first differing
// event.
func TestLocalTargetCatchesAnOffByOneTolerance(t *testing.T) {
	reg := conformance.NewRegistry()
	reg.Register("parallel/8-6", conformance.Plain(failFast(1)))
	outs := localRun(t, reg, "testdata/official/parallel/8-6.yaml")
	o := outs[0]
	if o.Verdict != conformance.Fail {
		t.Fatalf("verdict = %s, want FAIL", o.Verdict)
	}
	want := "event 7 (ContextSucceeded, line 68) differs at EventType: expected \"ContextSucceeded\", got \"ContextStarted\""
	if got := firstLine(o.Message); got != want {
		t.Errorf("first line = %q\nwant         %q\n%s", got, want, o.Message)
	}
	if !strings.Contains(o.Message, "result differs: expected result") {
		t.Errorf("report does not show the result difference too:\n%s", o.Message)
	}
}

func TestLocalTargetChecksLogs(t *testing.T) {
	reg := conformance.NewRegistry()
	// step/1-17 wants the input logged once; logging it on every attempt of
	// a re-run step would be caught. Here the handler logs it twice.
	reg.Register("step/1-17", func(tools *conformance.Tools) durable.Invoker {
		return durable.Handle(func(ctx durable.Context, in string) (string, error) {
			return durable.Step(ctx, "at_most_once_flaky_step", func(sc durable.StepContext) (string, error) {
				sc.Logger().Info("processing " + in)
				sc.Logger().Info("still processing " + in)
				tools.Crash()
				return "", nil
			}, durable.WithSemantics(durable.AtMostOncePerRetry), durable.WithRetry(durable.NoRetry()))
		})
	}, conformance.NeedsCrash())
	o := localRun(t, reg, "testdata/official/step/1-17.yaml")[0]
	if o.Verdict != conformance.Fail || !strings.HasPrefix(o.Message, "ExpectedLogs[0] (match {\"message\":\"/${INPUT_1}/\"}) wants exactly 1, found 2") {
		t.Fatalf("outcome = %s\n%s", o.Verdict, o.Message)
	}
}
