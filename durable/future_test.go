package durable_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// plainError names itself Error on the wire, as a JavaScript Error does.
type plainError struct{ msg string }

func (e plainError) Error() string     { return e.msg }
func (e plainError) ErrorType() string { return "Error" }

func okStep[O any](ctx durable.Context, name string, v O) *durable.Future[O] {
	return durable.StepAsync(ctx, name, func(durable.StepContext) (O, error) { return v, nil })
}

func failStep(ctx durable.Context, name string) *durable.Future[int] {
	return durable.StepAsync(ctx, name, func(durable.StepContext) (int, error) {
		return 0, plainError{name + " failed"}
	}, durable.WithRetry(durable.NoRetry()))
}

// delayed waits seconds in a child context of its own, then steps.
func delayed(ctx durable.Context, name string, seconds int, v string) *durable.Future[string] {
	return durable.Go(ctx, name, func(c durable.Context) (string, error) {
		if err := durable.Wait(c, "pause", time.Duration(seconds)*time.Second); err != nil {
			return "", err
		}
		return durable.Step(c, "after", func(durable.StepContext) (string, error) { return v, nil })
	})
}

func runFuture[R any](t *testing.T, fn func(durable.Context, struct{}) (R, error), opts ...harness.RunnerOption) *harness.Result {
	t.Helper()
	r, err := harness.NewLocalRunner(durable.Handle(fn), opts...).Run(context.Background(), struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The combinator is a CONTEXT made after its futures, with no children,
// holding the combined value.
func TestAllRecordsOneContextAfterItsFutures(t *testing.T) {
	r := runFuture(t, func(ctx durable.Context, _ struct{}) ([]int, error) {
		return durable.All(ctx, "all", []*durable.Future[int]{okStep(ctx, "a", 1), okStep(ctx, "b", 2)})
	})
	r.RequireStatus(t, types.ExecutionStatusSucceeded)
	if got := aws.ToString(r.Output); got != "[1,2]" {
		t.Fatalf("result %s, want [1,2]", got)
	}
	all := r.MustOp(t, "all")
	if all.Type != types.OperationTypeContext || all.SubType != "RunInChildContext" || len(all.Children) != 0 || all.ParentId != "" {
		t.Fatalf("all: %s/%s parent %q, %d children", all.Type, all.SubType, all.ParentId, len(all.Children))
	}
	if aws.ToString(all.Result) != "[1,2]" {
		t.Fatalf("all recorded %s", aws.ToString(all.Result))
	}
	a, b := r.MustOp(t, "a"), r.MustOp(t, "b")
	wantIDs := []string{id(1), id(2), id(3)}
	if got := []string{a.Id, b.Id, all.Id}; strings.Join(got, ",") != strings.Join(wantIDs, ",") {
		t.Fatalf("ids %v, want positions 1, 2, 3: %v", got, wantIDs)
	}
}

func id(n int) string { i, _ := durable.ChildOperationID("", n); return i }

// A failed future fails All: the combinator records the future's error,
// the caller gets a *CombinatorError, PromiseCombinatorError on the wire.
func TestAllFailureIsPromiseCombinatorError(t *testing.T) {
	var got error
	r := runFuture(t, func(ctx durable.Context, _ struct{}) ([]int, error) {
		v, err := durable.All(ctx, "all", []*durable.Future[int]{okStep(ctx, "a", 1), failStep(ctx, "b")})
		got = err
		return v, err
	})
	r.RequireStatus(t, types.ExecutionStatusFailed)
	var ce *durable.CombinatorError
	if !errors.As(got, &ce) || ce.Name != "all" || ce.ErrorType != "StepError" || ce.Message != "b failed" {
		t.Fatalf("error %#v, want a *CombinatorError for all: StepError: b failed", got)
	}
	var se *durable.StepError
	if !errors.As(got, &se) {
		t.Fatalf("error %v does not hold the step's *StepError", got)
	}
	all := r.MustOp(t, "all")
	if all.Status != types.OperationStatusFailed || aws.ToString(all.Error.ErrorType) != "StepError" || aws.ToString(all.Error.ErrorMessage) != "b failed" || all.Error.ErrorData != nil {
		t.Fatalf("all recorded %s %+v", all.Status, all.Error)
	}
	if aws.ToString(r.Error.ErrorType) != "PromiseCombinatorError" || aws.ToString(r.Error.ErrorMessage) != "b failed" {
		t.Fatalf("execution error %+v", r.Error)
	}
}

// Any with every future failed records AggregateError, as Promise.any.
func TestAnyAllFailedIsAggregateError(t *testing.T) {
	r := runFuture(t, func(ctx durable.Context, _ struct{}) (int, error) {
		return durable.Any(ctx, "any", []*durable.Future[int]{failStep(ctx, "a"), failStep(ctx, "b")})
	})
	any := r.MustOp(t, "any")
	if aws.ToString(any.Error.ErrorType) != "AggregateError" || aws.ToString(any.Error.ErrorMessage) != "All promises were rejected" {
		t.Fatalf("any recorded %+v", any.Error)
	}
	if aws.ToString(r.Error.ErrorType) != "PromiseCombinatorError" {
		t.Fatalf("execution error %+v", r.Error)
	}
}

// A future that cannot finish in this invocation does not hold up Race:
// the step wins, and the execution ends with the wait still running.
func TestRaceWinnerBeatsAPendingWait(t *testing.T) {
	r := runFuture(t, func(ctx durable.Context, _ struct{}) (string, error) {
		return durable.Race(ctx, "race", []*durable.Future[string]{delayed(ctx, "slow", 5, "late"), okStep(ctx, "fast", "early")})
	})
	r.RequireStatus(t, types.ExecutionStatusSucceeded)
	if got := aws.ToString(r.Output); got != `"early"` || len(r.Invocations) != 1 {
		t.Fatalf("result %s in %d invocations", got, len(r.Invocations))
	}
	if w := r.MustOp(t, "pause"); w.Status != types.OperationStatusStarted {
		t.Fatalf("the losing wait is %s", w.Status)
	}
}

// All over a future that waits suspends, and the next invocation ends it.
func TestWaitInsideAFutureSuspendsAll(t *testing.T) {
	r := runFuture(t, func(ctx durable.Context, _ struct{}) ([]string, error) {
		return durable.All(ctx, "all", []*durable.Future[string]{okStep(ctx, "a", "now"), delayed(ctx, "later", 2, "then")})
	})
	r.RequireStatus(t, types.ExecutionStatusSucceeded)
	if got := aws.ToString(r.Output); got != `["now","then"]` || len(r.Invocations) != 2 {
		t.Fatalf("result %s in %d invocations", got, len(r.Invocations))
	}
}

// AllSettled records the JS SDK's shape and rebuilds the errors on replay.
func TestAllSettledRecordsEachOutcome(t *testing.T) {
	var got []durable.Settled[int]
	r := runFuture(t, func(ctx durable.Context, _ struct{}) (int, error) {
		s, err := durable.AllSettled(ctx, "settled", []*durable.Future[int]{okStep(ctx, "a", 1), failStep(ctx, "b")})
		got = s
		return len(s), err
	})
	r.RequireStatus(t, types.ExecutionStatusSucceeded)
	want := `[{"status":"fulfilled","value":1},{"status":"rejected","reason":{"message":"b failed","name":"StepError"}}]`
	if rec := aws.ToString(r.MustOp(t, "settled").Result); rec != want {
		t.Fatalf("recorded %s, want %s", rec, want)
	}
	var se *durable.StepError
	if len(got) != 2 || got[0].Value != 1 || got[0].Err != nil || !errors.As(got[1].Err, &se) || se.Message != "b failed" {
		t.Fatalf("outcomes %+v", got)
	}
}

// Select records the winner's name with its value.
func TestSelectRecordsTheWinner(t *testing.T) {
	r := runFuture(t, func(ctx durable.Context, _ struct{}) (string, error) {
		w, v, err := durable.Select(ctx, "pick", []durable.Branch[string]{
			{Name: "slow", Func: func(c durable.Context) (string, error) {
				if err := durable.Wait(c, "pause", 5*time.Second); err != nil {
					return "", err
				}
				return "late", nil
			}},
			{Name: "fast", Func: func(c durable.Context) (string, error) {
				return durable.Step(c, "s", func(durable.StepContext) (string, error) { return "early", nil })
			}},
		})
		return w + "=" + v, err
	})
	r.RequireStatus(t, types.ExecutionStatusSucceeded)
	if got := aws.ToString(r.Output); got != `"fast=early"` {
		t.Fatalf("result %s", got)
	}
	pick := r.MustOp(t, "pick")
	if rec := aws.ToString(pick.Result); rec != `{"winner":"fast","outcome":{"status":"fulfilled","value":"early"}}` {
		t.Fatalf("recorded %s", rec)
	}
	// The loser ran until its wait, before pick recorded the winner.
	if slow := pick.Child("slow"); slow == nil || slow.Child("pause") == nil || slow.Status != types.OperationStatusStarted {
		t.Fatalf("the losing branch did not reach its wait: %s", r.Tree())
	}
}

// Under a seeded Scheduler every interleaving of futures, a combinator and
// a context returning with a future unread ends, and the same seed gives
// the same winner.
func TestFuturesUnderSeededSchedules(t *testing.T) {
	h := func(ctx durable.Context, _ struct{}) (string, error) {
		unread := okStep(ctx, "unread", 0)
		_ = unread
		w, err := durable.Race(ctx, "race", []*durable.Future[string]{okStep(ctx, "x", "x"), okStep(ctx, "y", "y"), delayed(ctx, "z", 3, "z")})
		if err != nil {
			return "", err
		}
		vs, err := durable.All(ctx, "all", []*durable.Future[string]{
			durable.Go(ctx, "g", func(c durable.Context) (string, error) {
				return durable.Any(c, "any", []*durable.Future[string]{okStep(c, "p", "p"), okStep(c, "q", "q")})
			}),
			okStep(ctx, "r", "r"),
		})
		if err != nil {
			return "", err
		}
		return w + strings.Join(vs, ""), nil
	}
	winners := map[string]bool{}
	for seed := uint64(1); seed <= 40; seed++ {
		first := runFuture(t, h, harness.WithSeededScheduler(seed))
		again := runFuture(t, h, harness.WithSeededScheduler(seed))
		first.RequireStatus(t, types.ExecutionStatusSucceeded)
		if a, b := aws.ToString(first.Output), aws.ToString(again.Output); a != b {
			t.Fatalf("seed %d: %s then %s %v\n%s", seed, a, b, again.Error, again.Tree())
		}
		winners[aws.ToString(first.Output)[1:2]] = true
	}
	if !winners["x"] || !winners["y"] {
		t.Fatalf("40 seeds gave the winners %v: the schedules do not vary who settles first", winners)
	}
}
