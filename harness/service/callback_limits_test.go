package service

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// callbackLimit is the model's limit on a callback's Result
// (BinaryOperationPayload, protocol.md §3.6). The model sets none on the
// ErrorObject's fields; the service's operation error limit is the same
// 256 KiB, counted over all the fields together. Written out, not read
// from DefaultLimits, so a changed default fails here too.
const callbackLimit = 262144

// TestCallbackPayloadLimits: SendDurableExecutionCallbackSuccess takes a
// Result of exactly 262,144 bytes and refuses one byte more, and Failure
// does the same for each of the ErrorObject's fields and for fields that
// reach the limit together. A refusal is InvalidParameterValueException
// and leaves the callback open, its history as it was.
func TestCallbackPayloadLimits(t *testing.T) {
	filled := func(n int) *string { return aws.String(strings.Repeat("x", n)) }
	cases := []struct {
		name string
		want string // in the refusal
		send func(s *session, id string, n int) error
	}{
		{"Success Result", "the Result is", func(s *session, id string, n int) error {
			return s.succeed(id, []byte(*filled(n)))
		}},
		{"Failure ErrorType", "the Error is", func(s *session, id string, n int) error {
			return s.fail(id, &types.ErrorObject{ErrorType: filled(n)})
		}},
		{"Failure ErrorMessage", "the Error is", func(s *session, id string, n int) error {
			return s.fail(id, &types.ErrorObject{ErrorMessage: filled(n)})
		}},
		{"Failure ErrorData", "the Error is", func(s *session, id string, n int) error {
			return s.fail(id, &types.ErrorObject{ErrorData: filled(n)})
		}},
		{"Failure StackTrace", "the Error is", func(s *session, id string, n int) error {
			return s.fail(id, &types.ErrorObject{StackTrace: []string{*filled(n / 2), *filled(n - n/2)}})
		}},
		{"Failure fields together", "the Error is", func(s *session, id string, n int) error {
			q := n / 4
			return s.fail(id, &types.ErrorObject{ErrorType: filled(q), ErrorMessage: filled(q), ErrorData: filled(q), StackTrace: []string{*filled(n - 3*q)}})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, id := startedCallback(t, 0, 0)
			before := len(s.history())
			err := tc.send(s, id, callbackLimit+1)
			wantServiceError[*types.InvalidParameterValueException](t, err, tc.want)
			if !strings.Contains(err.Error(), "262145") {
				t.Errorf("refusal %q does not give the size sent", err)
			}
			if len(s.history()) != before || s.state()[1].Status != types.OperationStatusStarted || s.awake() {
				t.Fatalf("a refused call of %d bytes changed the execution", callbackLimit+1)
			}
			if err := tc.send(s, id, callbackLimit); err != nil {
				t.Fatalf("%d bytes is the limit, but: %v", callbackLimit, err)
			}
			if st := s.state()[1].Status; st == types.OperationStatusStarted || !s.awake() {
				t.Fatalf("the callback is %s after an accepted call; want it completed and the execution woken", st)
			}
		})
	}
}
