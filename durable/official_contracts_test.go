package durable_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

// ShouldComplete decides the batch: its outcome alone gives the reason, the
// Status and whether a *BatchError comes back; it sees every item's state.
func TestCustomCompletion(t *testing.T) {
	var snapshots []string
	stopAtFirstFailure := func(outcome durable.CompletionOutcome) durable.CompletionConfig {
		return durable.CompletionConfig{ShouldComplete: func(p durable.BatchProgress) durable.CompletionDecision {
			var states []string
			for _, it := range p.Items {
				states = append(states, it.Status.String())
			}
			snapshots = append(snapshots, fmt.Sprintf("%d/%d/%d %s", p.SuccessCount, p.FailureCount, p.TotalCount, strings.Join(states, ",")))
			if p.FailureCount > 0 {
				return durable.CompleteBatch(outcome)
			}
			return durable.ContinueBatch()
		}}
	}
	for _, tc := range []struct {
		outcome durable.CompletionOutcome
		want    batchView
	}{
		{durable.CompletionOutcomeFailed, batchView{Reason: "CUSTOM_COMPLETION_FAILED", Status: "FAILED", Success: 1, Failure: 1, Total: 2, Indexes: []int{0, 1}, Results: []int{0}}},
		{durable.CompletionOutcomeSucceeded, batchView{Reason: "CUSTOM_COMPLETION_SUCCEEDED", Status: "SUCCEEDED", Success: 1, Failure: 1, Total: 2, Indexes: []int{0, 1}, Results: []int{0}}},
	} {
		snapshots = nil
		got, _ := runView(t, "oxoo", seq1(), durable.WithCompletion(stopAtFirstFailure(tc.outcome)))
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Fatalf("%s: got %+v\nwant %+v", tc.outcome, got, tc.want)
		}
		want := []string{"1/0/4 SUCCEEDED,NOT_STARTED,NOT_STARTED,NOT_STARTED", "1/1/4 SUCCEEDED,FAILED,NOT_STARTED,NOT_STARTED"}
		if !slices.Equal(snapshots, want) {
			t.Fatalf("%s: snapshots %q, want %q", tc.outcome, snapshots, want)
		}
	}

	// The BatchError follows the decision, not the items.
	var berr *durable.BatchError
	h := func(ctx durable.Context, _ any) (string, error) {
		_, err := durable.Parallel(ctx, "p", outcomes("ox"), seq1(), durable.WithCompletion(stopAtFirstFailure(durable.CompletionOutcomeSucceeded)))
		return fmt.Sprint(errors.As(err, &berr)), nil
	}
	m := newMem(`{}`)
	if out, _ := m.run(t, durable.Handle(h), durable.Env{}); out.Result != `"false"` {
		t.Fatalf("a custom success with a failed item returned a BatchError: %s", out.Result)
	}

	both := durable.CompletionConfig{MinSuccessful: 1, ShouldComplete: func(durable.BatchProgress) durable.CompletionDecision { return durable.ContinueBatch() }}
	h = func(ctx durable.Context, _ any) (string, error) {
		_, err := durable.Parallel(ctx, "p", outcomes("o"), durable.WithCompletion(both))
		return "", err
	}
	m = newMem(`{}`)
	if out, _ := m.run(t, durable.Handle(h), durable.Env{}); out.Status != durable.InvocationFailed || !strings.Contains(errString(out.Error), "mutually exclusive") {
		t.Fatalf("ShouldComplete with a threshold: %+v %s", out, errString(out.Error))
	}
}

// Every typed error converts to *OperationError with errors.As, with the
// recorded fields; WithErrorData's payload is recorded and comes back.
func TestOperationErrorBase(t *testing.T) {
	var got []string
	h := func(ctx durable.Context, _ any) (string, error) {
		_, err := durable.Step(ctx, "charge", func(durable.StepContext) (int, error) {
			return 0, durable.WithErrorData(errors.New("card declined"), `{"code":42}`)
		}, durable.WithRetry(durable.NoRetry()))
		var opErr *durable.OperationError
		var stepErr *durable.StepError
		if !errors.As(err, &opErr) || !errors.As(err, &stepErr) {
			return "", fmt.Errorf("not an operation error: %v", err)
		}
		got = append(got, opErr.Name, opErr.ErrorType, opErr.Message, opErr.ErrorData, fmt.Sprint(stepErr.Attempts), fmt.Sprint(opErr.Err))
		_, err = durable.RunInChildContext(ctx, "child", func(cc durable.Context) (int, error) {
			return 0, errors.New("child broke")
		})
		if errors.As(err, &opErr) {
			got = append(got, opErr.Name, opErr.ErrorType, opErr.Message)
		}
		return "done", nil
	}
	m := newMem(`{}`)
	if out, _ := m.run(t, durable.Handle(h), durable.Env{}); out.Status != durable.InvocationSucceeded {
		t.Fatalf("%+v %s", out, errString(out.Error))
	}
	want := []string{"charge", "Error", "card declined", `{"code":42}`, "1", "card declined", "child", "Error", "child broke"}
	if !slices.Equal(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	rec := m.find("charge")[0]
	if d := aws.ToString(rec.StepDetails.Error.ErrorData); d != `{"code":42}` {
		t.Fatalf("recorded ErrorData %q", d)
	}
}

// A callback's failure comes back as the subtype of its kind, which
// converts to *CallbackError and *OperationError; Result takes no context.
func TestCallbackErrorSubtypes(t *testing.T) {
	for _, tc := range []struct {
		status    types.OperationStatus
		errObj    *types.ErrorObject
		heartbeat bool
		check     func(error) bool
	}{
		{types.OperationStatusFailed, errObjOf("RejectedError", "no"), false, func(err error) bool { _, ok := errors.AsType[*durable.CallbackExternalError](err); return ok }},
		{types.OperationStatusTimedOut, errObjOf("Callback.Timeout", "timed out"), false, func(err error) bool {
			e, ok := errors.AsType[*durable.CallbackTimeoutError](err)
			return ok && !e.Heartbeat
		}},
		{types.OperationStatusTimedOut, errObjOf("Callback.Heartbeat", "heartbeat timed out"), true, func(err error) bool {
			e, ok := errors.AsType[*durable.CallbackTimeoutError](err)
			return ok && e.Heartbeat && errors.Is(err, durable.ErrCallbackTimedOut)
		}},
	} {
		var seen error
		inv := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
			cb, err := durable.CreateCallback[string](ctx, "cb")
			if err != nil {
				return "", err
			}
			v, err := cb.Result()
			seen = err
			return v, err
		})
		m := newMem(`null`)
		mustPending(t, m, inv)
		m.completeCallback(m.openCallbacks()[0], tc.status, nil, tc.errObj)
		m.run(t, inv, durable.Env{})
		ce, isBase := errors.AsType[*durable.CallbackError](seen)
		op, isOp := errors.AsType[*durable.OperationError](seen)
		if !tc.check(seen) || !isBase || !isOp || ce.Name != "cb" || op.ErrorType != aws.ToString(tc.errObj.ErrorType) {
			t.Fatalf("%s: got %T %v", aws.ToString(tc.errObj.ErrorType), seen, seen)
		}
	}
}

// Context.Logger drops what is logged while the handler replays, unless
// replay logs are asked for; IsReplaying says which phase the code is in.
func TestReplayLogSuppression(t *testing.T) {
	for _, keep := range []bool{false, true} {
		var buf strings.Builder
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
		var phases []bool
		h := func(ctx durable.Context, _ any) (int, error) {
			phases = append(phases, ctx.IsReplaying())
			ctx.Logger().Info("before")
			if err := durable.Wait(ctx, "w", time.Second); err != nil {
				return 0, err
			}
			phases = append(phases, ctx.IsReplaying())
			ctx.Logger().Info("after")
			return 1, nil
		}
		var opts []durable.Option
		if keep {
			opts = append(opts, durable.WithReplayLogs())
		}
		m := newMem(`{}`)
		m.run(t, durable.Handle(h, opts...), durable.Env{Logger: logger})
		before := strings.Count(buf.String(), "msg=before")
		if want := map[bool]int{false: 1, true: 2}[keep]; before != want || strings.Count(buf.String(), "msg=after") != 1 {
			t.Fatalf("replay logs %v: logged\n%s", keep, buf.String())
		}
		if fmt.Sprint(phases) != "[false true false]" {
			t.Fatalf("IsReplaying over the invocations: %v", phases)
		}
	}
}

// The Context accessors: the ARN, the Lambda request id, the execution's
// start time from its record.
func TestContextAccessors(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var got []string
	h := func(ctx durable.Context, _ any) (int, error) {
		lc := ctx.LambdaContext()
		got = append(got, ctx.RequestID(), fmt.Sprint(lc != nil && lc.AwsRequestID == ctx.RequestID()),
			durable.ExecutionStartTime(ctx).UTC().Format(time.RFC3339), fmt.Sprint(strings.HasSuffix(ctx.ExecutionArn(), "/exec-1")))
		return 1, nil
	}
	m := newMem(`{}`)
	m.ops[0].StartTimestamp = &start
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	if _, err := durable.Handle(h)(ctx, durable.Env{Client: m}, m.envelope()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"req-1", "true", "2026-12-01T10:00:00Z", "true"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// NewRetryStrategy refuses a config out of range, naming the field.
func TestNewRetryStrategyValidation(t *testing.T) {
	for field, c := range map[string]durable.RetryConfig{
		"MaxAttempts": {MaxAttempts: -1},
		"delays":      {InitialDelay: -time.Second},
		"MaxDelay":    {InitialDelay: time.Minute, MaxDelay: time.Second},
		"BackoffRate": {BackoffRate: 0.5},
		"Jitter":      {Jitter: durable.JitterStrategy(7)},
	} {
		s, err := durable.NewRetryStrategy(c)
		if _, ok := errors.AsType[*durable.ValidationError](err); !ok || s != nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
	if s, err := durable.NewRetryStrategy(durable.RetryConfig{MaxAttempts: 2}); err != nil || s == nil {
		t.Fatalf("a valid config: %v", err)
	}
}

// Callback.Done is open while the callback is, and closed once its outcome
// is on record.
func TestCallbackDone(t *testing.T) {
	var done []bool
	inv := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		cb, err := durable.CreateCallback[string](ctx, "cb")
		if err != nil {
			return "", err
		}
		select {
		case <-cb.Done():
			done = append(done, true)
		default:
			done = append(done, false)
		}
		return cb.Result()
	})
	m := newMem(`null`)
	mustPending(t, m, inv)
	m.completeCallback(m.openCallbacks()[0], types.OperationStatusSucceeded, aws.String(`"yes"`), nil)
	out, _ := m.run(t, inv, durable.Env{})
	if out.Result != `"yes"` || fmt.Sprint(done) != "[false true]" {
		t.Fatalf("result %s, done %v", out.Result, done)
	}
}
