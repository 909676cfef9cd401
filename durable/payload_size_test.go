package durable

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestBatchSizeCoversPayload: encodeBatch's text fits the size its builder
// starts with, for plain and quoted results, failures with long messages,
// and items still started.
func TestBatchSizeCoversPayload(t *testing.T) {
	quoted := strings.Repeat(`{"k":"v"}`, 30)
	long := &types.ErrorObject{ErrorType: aws.String("StepError"), ErrorMessage: aws.String(strings.Repeat("división by zero ", 20)), ErrorData: aws.String(quoted)}
	for name, b := range map[string]*batchOutcome{
		"empty":   {reason: CompletionAllCompleted},
		"stopped": {reason: CompletionMinSuccessfulReached, items: []itemOutcome{{index: 0, status: BatchItemStarted}}},
		"calculator": {reason: CompletionAllCompleted, items: []itemOutcome{
			{index: 0, status: BatchItemSucceeded, payload: "15"},
			{index: 1, status: BatchItemSucceeded, payload: "5"},
			{index: 2, status: BatchItemSucceeded, payload: "50"},
			{index: 3, status: BatchItemFailed, errObj: &types.ErrorObject{ErrorType: aws.String("StepError"), ErrorMessage: aws.String("cannot divide by zero")}},
		}},
		"long": {reason: CompletionFailureToleranceExceeded, items: []itemOutcome{
			{index: 0, status: BatchItemSucceeded, payload: quoted},
			{index: 1, status: BatchItemFailed, errObj: long},
			{index: 2, status: BatchItemStarted},
			{index: 3, status: BatchItemSucceeded},
		}},
	} {
		for _, plain := range []bool{true, false} {
			if got, est := len(encodeBatch(b, plain)), batchSize(b, plain); got > est {
				t.Errorf("%s (plain JSON %v): %d bytes, estimated %d", name, plain, got, est)
			}
		}
	}
}
