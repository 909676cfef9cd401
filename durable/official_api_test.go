package durable_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
)

// This file is written only against names the official Go SDK's durable
// package has (its BatchResult, BatchItem, BatchItemStatus,
// CompletionReason, CompletionConfig, BatchOption and With* options,
// Branch, Parallel, Map), so that a handler moves to it by changing the
// import. If it stops compiling, the runtime has left the official API
// shape.

// The method sets, pinned by their types.
var (
	_ func(durable.BatchResult[int]) []int                    = durable.BatchResult[int].Results
	_ func(durable.BatchResult[int]) []durable.BatchItem[int] = durable.BatchResult[int].Succeeded
	_ func(durable.BatchResult[int]) []durable.BatchItem[int] = durable.BatchResult[int].Failed
	_ func(durable.BatchResult[int]) []error                  = durable.BatchResult[int].Errors
	_ func(durable.BatchResult[int]) bool                     = durable.BatchResult[int].HasFailure
	_ func(durable.BatchResult[int]) error                    = durable.BatchResult[int].ThrowIfError
	_ func(durable.BatchResult[int]) int                      = durable.BatchResult[int].SuccessCount
	_ func(durable.BatchResult[int]) int                      = durable.BatchResult[int].FailureCount
	_ func(durable.BatchResult[int]) int                      = durable.BatchResult[int].TotalCount
	_ func(durable.BatchResult[int]) string                   = durable.BatchResult[int].Status
	_ func(durable.CompletionReason) string                   = durable.CompletionReason.String
	_ func(int) durable.CompletionConfig                      = durable.WithToleratedFailureCount
	_ func(int) durable.BatchOption                           = durable.WithMaxConcurrency
	_ func(durable.CompletionConfig) durable.BatchOption      = durable.WithCompletion
	_ func(durable.Serdes) durable.BatchOption                = durable.WithBatchSerdes
	_ func(durable.Serdes) durable.BatchOption                = durable.WithBatchResultSerdes
	_ func(durable.Nesting) durable.BatchOption               = durable.WithNesting
	_ func(func(string, int) string) durable.BatchOption      = durable.WithItemNamer[string]
	_ func(durable.Context) (durable.BatchResult[int], error) = officialParallel
	_ func(durable.Context, []string) ([]string, error)       = officialHandler
	_ durable.BatchItem[int]                                  = durable.BatchItem[int]{Index: 0, Name: "", Status: durable.BatchItemStarted, Result: 0, Err: nil}
	_ durable.BatchResult[int]                                = durable.BatchResult[int]{Items: nil, Reason: durable.CompletionAllCompleted}
	_ durable.CompletionConfig                                = durable.CompletionConfig{MinSuccessful: 1, ToleratedFailureCount: 1, ToleratedFailurePercentage: 50}
	_ durable.Branch[int]                                     = durable.Branch[int]{Name: "", Func: nil}
	_ [2]durable.Nesting                                      = [2]durable.Nesting{durable.NestingNormal, durable.NestingFlat}
	_ [3]durable.CompletionReason                             = [3]durable.CompletionReason{durable.CompletionAllCompleted, durable.CompletionMinSuccessfulReached, durable.CompletionFailureToleranceExceeded}
)

func officialParallel(ctx durable.Context) (durable.BatchResult[int], error) {
	return durable.Parallel(ctx, "p", []durable.Branch[int]{
		{Name: "one", Func: func(durable.Context) (int, error) { return 1, nil }},
		{Name: "two", Func: func(durable.Context) (int, error) { return 0, errors.New("two fails") }},
	}, durable.WithMaxConcurrency(1), durable.WithNesting(durable.NestingNormal),
		durable.WithCompletion(durable.CompletionConfig{ToleratedFailurePercentage: 50}))
}

// officialHandler runs a Map with an item namer under fail-fast, then a
// Parallel, and reports both through the official accessors.
func officialHandler(ctx durable.Context, items []string) ([]string, error) {
	m, err := durable.Map(ctx, "m", items, func(_ durable.Context, item string, index int) (string, error) {
		if item == "bad" {
			return "", errors.New("bad item")
		}
		return strings.ToUpper(item), nil
	}, durable.WithMaxConcurrency(1), durable.WithCompletion(durable.WithToleratedFailureCount(0)),
		durable.WithItemNamer(func(item string, index int) string { return "item-" + item }))
	if err != nil {
		return nil, err
	}
	out := append([]string{m.Reason.String(), m.Status()}, m.Results()...)
	for _, it := range m.Items {
		if it.Status == durable.BatchItemFailed {
			out = append(out, it.Name+" failed")
		}
	}
	p, err := officialParallel(ctx)
	if err != nil {
		return nil, err
	}
	return append(out, p.Reason.String(), p.Status(), p.Failed()[0].Name), nil
}

func TestOfficialAPIShape(t *testing.T) {
	if durable.BatchItemSucceeded != 1 || durable.BatchItemFailed != 2 || durable.BatchItemStarted != 4 {
		t.Fatalf("item statuses %d %d %d, the official SDK's are 1 2 4", durable.BatchItemSucceeded, durable.BatchItemFailed, durable.BatchItemStarted)
	}
	if durable.CompletionAllCompleted != 1 {
		t.Fatalf("CompletionAllCompleted = %d, the official SDK's is 1", durable.CompletionAllCompleted)
	}
	m := newMem(`["a","bad","c"]`)
	out, _ := m.run(t, durable.Handle(officialHandler), durable.Env{})
	var got []string
	resultOf(t, out, &got)
	want := []string{"FAILURE_TOLERANCE_EXCEEDED", "FAILED", "A", "item-bad failed", "ALL_COMPLETED", "FAILED", "two"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
