package durable_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
)

// The integer reasons and statuses encode as their wire names, both ways.
func TestReasonAndStatusWireNames(t *testing.T) {
	type pair struct {
		Reason durable.CompletionReason `json:"reason"`
		Status durable.BatchItemStatus  `json:"status"`
	}
	cases := map[string]pair{
		`{"reason":"ALL_COMPLETED","status":"SUCCEEDED"}`:           {durable.CompletionAllCompleted, durable.BatchItemSucceeded},
		`{"reason":"MIN_SUCCESSFUL_REACHED","status":"STARTED"}`:    {durable.CompletionMinSuccessfulReached, durable.BatchItemStarted},
		`{"reason":"FAILURE_TOLERANCE_EXCEEDED","status":"FAILED"}`: {durable.CompletionFailureToleranceExceeded, durable.BatchItemFailed},
	}
	for text, p := range cases {
		b, err := json.Marshal(p)
		if err != nil || string(b) != text {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", p, b, err, text)
		}
		var back pair
		if err := json.Unmarshal([]byte(text), &back); err != nil || back != p {
			t.Errorf("Unmarshal(%s) = %+v, %v; want %+v", text, back, err, p)
		}
	}
	var r durable.CompletionReason
	var se *durable.SerdesError
	if err := json.Unmarshal([]byte(`"DONE"`), &r); !errors.As(err, &se) {
		t.Errorf("an unknown reason gave %v, want a *SerdesError", err)
	}
}

// An explicit tolerated failure count of 0 differs from unset: with
// MinSuccessful 2 of 4 and the first branch failing, unset tolerates the
// failure and the batch goes on to MIN_SUCCESSFUL_REACHED; an explicit 0
// stops it at the failure.
func TestExplicitZeroToleratedFailureCount(t *testing.T) {
	for cfg, want := range map[*durable.CompletionConfig]string{
		{MinSuccessful: 2}: "MIN_SUCCESSFUL_REACHED",
		{MinSuccessful: 2, ToleratedFailureCount: new(0)}: "FAILURE_TOLERANCE_EXCEEDED",
		ptrTo(durable.WithToleratedFailureCount(0)):       "FAILURE_TOLERANCE_EXCEEDED",
		ptrTo(durable.WithToleratedFailureCount(1)):       "ALL_COMPLETED",
	} {
		v, _ := runView(t, "xooo", seq1(), durable.WithCompletion(*cfg))
		if v.Reason != want {
			t.Errorf("%+v: reason %s, want %s", *cfg, v.Reason, want)
		}
	}
}
