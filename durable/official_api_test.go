package durable_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/dpcheck/dpcheck/durable"
)

// This file is written only against names and signatures of the official
// Go SDK's durable package as go-sdk-parity.md's "newest" column reads them
// (batch.go 9692d6c, errors.go/callback.go 0ac7067, retry.go 08d8e3b,
// plugin.go 146b649), so that a handler using them moves by changing the
// import. If it stops compiling, the runtime has left that API shape; the
// rows kept different are listed in doc.go.

// The signatures, pinned by their types.
var (
	_ func(durable.BatchResult[int]) []int                           = durable.BatchResult[int].Results
	_ func(durable.BatchResult[int]) []durable.BatchItem[int]        = durable.BatchResult[int].Succeeded
	_ func(durable.BatchResult[int]) []durable.BatchItem[int]        = durable.BatchResult[int].Failed
	_ func(durable.BatchResult[int]) []durable.BatchItem[int]        = durable.BatchResult[int].Started
	_ func(durable.BatchResult[int]) int                             = durable.BatchResult[int].StartedCount
	_ func(durable.BatchResult[int], string) *durable.BatchItem[int] = durable.BatchResult[int].Item
	_ func(durable.BatchResult[int], string) (int, bool)             = durable.BatchResult[int].Result
	_ func(durable.BatchResult[int]) []error                         = durable.BatchResult[int].Errors
	_ func(durable.BatchResult[int]) bool                            = durable.BatchResult[int].HasFailure
	_ func(durable.BatchResult[int]) int                             = durable.BatchResult[int].SuccessCount
	_ func(durable.BatchResult[int]) int                             = durable.BatchResult[int].FailureCount
	_ func(durable.BatchResult[int]) int                             = durable.BatchResult[int].TotalCount
	_ func(durable.BatchResult[int]) durable.BatchItemStatus         = durable.BatchResult[int].Status
	_ func(durable.CompletionReason) string                          = durable.CompletionReason.String
	_ func(durable.BatchItemStatus) string                           = durable.BatchItemStatus.String
	_ func(int) durable.BatchOption                                  = durable.WithMaxConcurrency
	_ func(durable.CompletionConfig) durable.BatchOption             = durable.WithCompletion
	_ func(durable.Serdes) durable.BatchOption                       = durable.WithBatchSerdes
	_ func(durable.Serdes) durable.BatchOption                       = durable.WithBatchResultSerdes
	_ func(durable.NestingMode) durable.BatchOption                  = durable.WithNesting
	_ func(func(index int) string) durable.BatchOption               = durable.WithItemNamer
	_ func() durable.CompletionDecision                              = durable.ContinueBatch
	_ func(durable.CompletionOutcome) durable.CompletionDecision     = durable.CompleteBatch
	_ func(durable.RetryConfig) (durable.RetryStrategy, error)       = durable.NewRetryStrategy
	_ func(durable.RetryConfig) durable.RetryStrategy                = durable.MustNewRetryStrategy
	_ func() durable.RetryStrategy                                   = durable.ExponentialBackoff
	_ func() durable.RetryStrategy                                   = durable.NoRetry
	_ func(error, string) error                                      = durable.WithErrorData
	_ func(durable.Context) time.Time                                = durable.ExecutionStartTime
	_ func(time.Duration) durable.CallbackOption                     = durable.WithCallbackHeartbeatTimeout
	_ func(time.Duration) durable.CallbackOption                     = durable.WithCallbackTimeout
	_ func(*durable.Callback[string]) (string, error)                = (*durable.Callback[string]).Result
	_ func(*durable.Callback[string]) string                         = (*durable.Callback[string]).ID
	_ func(durable.Context) string                                   = durable.Context.ExecutionArn
	_ func(durable.Context) bool                                     = durable.Context.IsReplaying
	_ func(durable.Context) string                                   = durable.Context.RequestID
	_ func(durable.Context) *lambdacontext.LambdaContext             = durable.Context.LambdaContext
	_ func(durable.Context) (durable.BatchResult[int], error)        = officialParallel
	_ func(durable.Context, []string) ([]string, error)              = officialHandler
)

// The keyed literals and constants a handler writes.
var (
	_ = durable.BatchItem[int]{Index: 0, Name: "", Status: durable.BatchItemStarted, Result: 0, Err: nil}
	_ = durable.BatchResult[int]{Items: nil, Reason: durable.CompletionAllCompleted}
	_ = durable.CompletionConfig{MinSuccessful: 1, ToleratedFailureCount: new(1), ToleratedFailurePercentage: new(50),
		ShouldComplete: func(p durable.BatchProgress) durable.CompletionDecision { return durable.ContinueBatch() }}
	_ = durable.BatchProgress{TotalCount: 1, CompletedCount: 0, SuccessCount: 0, FailureCount: 0,
		Items: []durable.BatchItemProgress{{Index: 0, Name: "", Status: durable.BatchItemNotStarted}}}
	_ = durable.Branch[int]{Name: "", Func: nil}
	_ = durable.BatchError{Name: "", Reason: durable.CompletionCustomFailed, Errors: nil}
	_ = durable.OperationError{Name: "", ErrorType: "", Message: "", ErrorData: "", StackTrace: nil, Err: nil}
	_ = durable.StepError{Name: "", Attempts: 1, ErrorType: "", Message: "", ErrorData: "", StackTrace: nil, Err: nil}
	_ = durable.ChildContextError{Name: "", ErrorType: "", Message: "", ErrorData: "", StackTrace: nil, Err: nil}
	_ = durable.InvokeError{Name: "", FunctionID: "", ErrorType: "", Message: "", ErrorData: "", StackTrace: nil, Err: nil}
	_ = durable.WaitForConditionError{Name: "", Attempts: 1, ErrorType: "", Message: "", ErrorData: "", StackTrace: nil, Err: nil}
	_ = durable.CallbackError{Name: "", CallbackID: "", ErrorType: "", Message: "", ErrorData: "", StackTrace: nil, Err: nil}
	_ = durable.CallbackTimeoutError{Heartbeat: true}
	_ = durable.CallbackExternalError{}
	_ = durable.CallbackSubmitterError{}
	_ = durable.RetryConfig{MaxAttempts: 2, InitialDelay: time.Second, MaxDelay: time.Minute, BackoffRate: 2, Jitter: durable.JitterFull}
	_ = [2]durable.NestingMode{durable.NestingNormal, durable.NestingFlat}
	_ = [5]durable.CompletionReason{durable.CompletionAllCompleted, durable.CompletionMinSuccessfulReached,
		durable.CompletionFailureToleranceExceeded, durable.CompletionCustomSucceeded, durable.CompletionCustomFailed}
	_ = [2]durable.CompletionOutcome{durable.CompletionOutcomeSucceeded, durable.CompletionOutcomeFailed}
	_ = [4]error{durable.ErrCallbackTimedOut, durable.ErrInvokeTimedOut, durable.ErrExecutionStopped, durable.ErrExecutionCancelled}
)

func officialParallel(ctx durable.Context) (durable.BatchResult[int], error) {
	return durable.Parallel(ctx, "p", []durable.Branch[int]{
		{Name: "one", Func: func(durable.Context) (int, error) { return 1, nil }},
		{Name: "two", Func: func(durable.Context) (int, error) { return 0, errors.New("two fails") }},
	}, durable.WithMaxConcurrency(1), durable.WithNesting(durable.NestingNormal),
		durable.WithCompletion(durable.CompletionConfig{ToleratedFailurePercentage: new(50)}))
}

// officialHandler runs a Map with an item namer under fail-fast, then a
// Parallel, reading both through the *BatchError the official SDK's
// documentation shows, and reports them through the official accessors.
func officialHandler(ctx durable.Context, items []string) ([]string, error) {
	m, err := durable.Map(ctx, "m", items, func(_ durable.Context, item string, index int) (string, error) {
		if item == "bad" {
			return "", durable.WithErrorData(errors.New("bad item"), `{"item":"bad"}`)
		}
		return strings.ToUpper(item), nil
	}, durable.WithMaxConcurrency(1), durable.WithCompletion(durable.CompletionConfig{ToleratedFailureCount: new(0)}),
		durable.WithItemNamer(func(i int) string { return "item-" + items[i] }))
	var berr *durable.BatchError
	switch {
	case errors.As(err, &berr):
	case err != nil:
		return nil, err
	}
	out := append([]string{berr.Name, berr.Reason.String(), m.Status().String()}, m.Results()...)
	var opErr *durable.OperationError
	if bad := m.Item("item-bad"); bad != nil && errors.As(bad.Err, &opErr) {
		out = append(out, opErr.Name+" failed: "+opErr.ErrorType)
		var childErr *durable.ChildContextError
		if errors.As(bad.Err, &childErr) {
			out = append(out, childErr.Message+" "+childErr.ErrorData)
		}
	}
	if v, ok := m.Result("item-a"); ok {
		out = append(out, "a="+v)
	}
	p, err := officialParallel(ctx)
	if !errors.As(err, &berr) {
		return nil, err
	}
	return append(out, p.Reason.String(), p.Status().String(), p.Failed()[0].Name, ctx.ExecutionArn()), nil
}

func TestOfficialAPIShape(t *testing.T) {
	if durable.BatchItemNotStarted != 0 || durable.BatchItemSucceeded != 1 || durable.BatchItemFailed != 2 || durable.BatchItemStarted != 4 {
		t.Fatalf("item statuses %d %d %d %d, the official SDK's are 0 1 2 4", durable.BatchItemNotStarted, durable.BatchItemSucceeded, durable.BatchItemFailed, durable.BatchItemStarted)
	}
	if durable.CompletionAllCompleted != 1 || durable.CompletionCustomFailed != 5 {
		t.Fatalf("completion reasons %d..%d, the official SDK's are 1..5", durable.CompletionAllCompleted, durable.CompletionCustomFailed)
	}
	m := newMem(`["a","bad","c"]`)
	out, _ := m.run(t, durable.Handle(officialHandler), durable.Env{})
	var got []string
	resultOf(t, out, &got)
	want := []string{"m", "FAILURE_TOLERANCE_EXCEEDED", "FAILED", "A", "item-bad failed: Error",
		`bad item {"item":"bad"}`, "a=A", "ALL_COMPLETED", "FAILED", "two", arnOf(t, m)}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func arnOf(t *testing.T, m *memService) string {
	t.Helper()
	in, err := durable.DecodeInvocationInput(m.envelope())
	if err != nil {
		t.Fatal(err)
	}
	return in.DurableExecutionArn
}

// Map returns the populated BatchResult together with a *BatchError when an
// item failed, live and on replay alike, while the batch itself is recorded
// SUCCEEDED; `if err != nil { return err }` therefore fails the execution.
func TestMapReturnsBatchErrorWithResult(t *testing.T) {
	var seen []string
	h := func(ctx durable.Context, _ any) ([]string, error) {
		r, err := durable.Map(ctx, "m", []int{1, 0, 3}, func(_ durable.Context, n, _ int) (int, error) {
			if n == 0 {
				return 0, errors.New("zero")
			}
			return 10 / n, nil
		}, durable.WithCompletion(durable.AllCompleted()))
		var berr *durable.BatchError
		if !errors.As(err, &berr) {
			return nil, fmt.Errorf("no *BatchError, got %v", err)
		}
		seen = append(seen, berr.Reason.String())
		if len(berr.Errors) != 1 || r.SuccessCount() != 2 || r.Items[1].Status != durable.BatchItemFailed {
			return nil, errors.New("result not populated")
		}
		if err := durable.Wait(ctx, "w", time.Second); err != nil {
			return nil, err
		}
		return []string{berr.Name, strings.Join(seen, ",")}, nil
	}
	m := newMem(`{}`)
	out, invocations := m.run(t, durable.Handle(h), durable.Env{})
	var got []string
	resultOf(t, out, &got)
	if invocations != 2 || strings.Join(got, "|") != "m|ALL_COMPLETED,ALL_COMPLETED" {
		t.Fatalf("%d invocations, result %q: want the BatchError live and on replay", invocations, got)
	}
	if ops := m.find("m"); len(ops) != 1 || ops[0].Status != "SUCCEEDED" {
		t.Fatalf("the map must be recorded SUCCEEDED: %+v", ops)
	}

	plain := durable.Handle(func(ctx durable.Context, _ any) ([]int, error) {
		r, err := durable.Map(ctx, "m", []int{0}, func(_ durable.Context, n, _ int) (int, error) { return 0, errors.New("zero") })
		if err != nil {
			return nil, err
		}
		return r.Results(), nil
	})
	m = newMem(`{}`)
	if out, _ := m.run(t, plain, durable.Env{}); out.Status != durable.InvocationFailed || *out.Error.ErrorType != "BatchError" {
		t.Fatalf("a handler returning the map's error must fail with BatchError: %+v", out)
	}
}

// WaitForCondition's official shape.
var (
	_ = durable.ConditionConfig[int]{InitialState: 0, WaitStrategy: func(state int, attempt int) durable.WaitDecision {
		return durable.WaitDecision{Continue: state < 3, Delay: time.Second, Err: nil}
	}, Serdes: nil}
	_ func(durable.Context, string, func(durable.StepContext, int) (int, error), durable.ConditionConfig[int]) (int, error) = durable.WaitForCondition[int]
)

// A named Handler passes to Start, Wrap and Handle.
var (
	_ durable.Handler[[]string, []string] = officialHandler
	_                                     = durable.Wrap(durable.Handler[[]string, []string](officialHandler))
	_                                     = durable.Handle(durable.Handler[[]string, []string](officialHandler))
)

var _ func(*durable.Callback[string]) <-chan struct{} = (*durable.Callback[string]).Done

// The official Serdes: Marshal/Unmarshal with the operation's context and
// identity, on bytes; its per-operation options and the handler-wide one.
type officialSerdes struct{}

func (officialSerdes) Marshal(ctx context.Context, meta durable.SerdesContext, v any) ([]byte, error) {
	return json.Marshal(v)
}

func (officialSerdes) Unmarshal(ctx context.Context, meta durable.SerdesContext, data []byte, v any) error {
	return json.Unmarshal(data, v)
}

var (
	_ durable.Serdes                              = officialSerdes{}
	_ durable.Serdes                              = durable.JSONSerdes{}
	_                                             = durable.SerdesContext{OperationID: "1-2", DurableExecutionArn: "arn"}
	_ func(durable.Serdes) durable.StepOption     = durable.WithStepSerdes
	_ func(durable.Serdes) durable.ChildOption    = durable.WithChildSerdes
	_ func(durable.Serdes) durable.InvokeOption   = durable.WithInvokePayloadSerdes
	_ func(durable.Serdes) durable.InvokeOption   = durable.WithInvokeResultSerdes
	_ func(durable.Serdes) durable.CallbackOption = durable.WithCallbackSerdes
	_                                             = durable.Wrap(officialHandler, durable.WithSerdes(officialSerdes{}))
)
