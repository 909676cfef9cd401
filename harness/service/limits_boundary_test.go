package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestLimitsAtTheExactBoundary: every size and range limit accepts its
// limit exactly and refuses one past it, with an error naming the field.
func TestLimitsAtTheExactBoundary(t *testing.T) {
	lim := DefaultLimits
	started := func(t *testing.T, updates ...types.OperationUpdate) *session {
		s := newSession(t, "null")
		s.checkpoint(updates...)
		return s
	}
	outputErr := func(o Outcome) error {
		if o.InvocationError != nil {
			return errors.New(aws.ToString(o.InvocationError.ErrorMessage))
		}
		return nil
	}
	cases := []struct {
		name     string
		ok, over int
		want     string // in the error past the limit
		try      func(t *testing.T, n int) error
	}{
		{"step Payload", lim.MaxPayloadBytes, lim.MaxPayloadBytes + 1, "Payload is", func(t *testing.T, n int) error {
			_, err := started(t, stepStart("a", "a", "")).try(stepSucceed("a", strings.Repeat("x", n)))
			return err
		}},
		{"context Payload", lim.MaxPayloadBytes, lim.MaxPayloadBytes + 1, "Payload is", func(t *testing.T, n int) error {
			_, err := started(t, ctxStart("c", "c", "RunInChildContext", "")).try(ctxSucceed("c", strings.Repeat("x", n)))
			return err
		}},
		{"step Error (all fields together)", lim.MaxErrorBytes, lim.MaxErrorBytes + 1, "Error is", func(t *testing.T, n int) error {
			_, err := started(t, stepStart("a", "a", "")).try(stepFail("a", "E", strings.Repeat("m", n-1)))
			return err
		}},
		{"EXECUTION SUCCEED Payload", lim.MaxExecutionPayloadBytes, lim.MaxExecutionPayloadBytes + 1, "execution result is", func(t *testing.T, n int) error {
			s := newSession(t, "null")
			u := upd(aws.ToString(s.env.InitialExecutionState.Operations[0].Id), types.OperationTypeExecution, types.OperationActionSucceed)
			u.Payload = aws.String(strings.Repeat("x", n))
			_, err := s.try(u)
			return err
		}},
		{"invocation output Result", lim.MaxExecutionPayloadBytes, lim.MaxExecutionPayloadBytes + 1, "the result is", func(t *testing.T, n int) error {
			return outputErr(newSession(t, "null").end(`{"Status":"SUCCEEDED","Result":"` + strings.Repeat("x", n) + `"}`))
		}},
		{"invocation output Error", lim.MaxErrorBytes, lim.MaxErrorBytes + 1, "the error is", func(t *testing.T, n int) error {
			return outputErr(newSession(t, "null").end(`{"Status":"FAILED","Error":{"ErrorType":"E","ErrorMessage":"` + strings.Repeat("m", n-1) + `"}}`))
		}},
		{"execution input", lim.MaxExecutionPayloadBytes, lim.MaxExecutionPayloadBytes + 1, "input payload is", func(t *testing.T, n int) error {
			_, err := NewBackend().StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: strings.Repeat("x", n)})
			return err
		}},
		{"WaitSeconds at most", int(lim.MaxWaitSeconds), int(lim.MaxWaitSeconds) + 1, "WaitSeconds", func(t *testing.T, n int) error {
			_, err := newSession(t, "null").try(waitStart("w", "w", "", int32(n)))
			return err
		}},
		{"WaitSeconds at least", 1, 0, "WaitSeconds", func(t *testing.T, n int) error {
			_, err := newSession(t, "null").try(waitStart("w", "w", "", int32(n)))
			return err
		}},
		{"NextAttemptDelaySeconds at most", int(lim.MaxWaitSeconds), int(lim.MaxWaitSeconds) + 1, "NextAttemptDelaySeconds", func(t *testing.T, n int) error {
			_, err := started(t, stepStart("a", "a", "")).try(stepRetry("a", "E", "m", int32(n)))
			return err
		}},
		{"NextAttemptDelaySeconds at least", 1, 0, "NextAttemptDelaySeconds", func(t *testing.T, n int) error {
			_, err := started(t, stepStart("a", "a", "")).try(stepRetry("a", "E", "m", int32(n)))
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.try(t, tc.ok); err != nil {
				t.Fatalf("%d is within the limit, but: %v", tc.ok, err)
			}
			err := tc.try(t, tc.over)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), fmt.Sprint(tc.over)) {
				t.Fatalf("%d is past the limit: got %v, want an error naming %q and %d", tc.over, err, tc.want, tc.over)
			}
		})
	}
}
