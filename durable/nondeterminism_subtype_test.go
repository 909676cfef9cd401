package durable_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dpcheck/dpcheck/durable"
)

// TestNonDeterminismComparesSubType: a CONTEXT of the same name at the same
// position, but of another SubType (a child context replayed as a Parallel,
// or the other way round), is another operation: the replay ends FAILED
// with NonDeterministicExecutionError naming both.
func TestNonDeterminismComparesSubType(t *testing.T) {
	child := func(ctx durable.Context) error {
		_, err := durable.RunInChildContext(ctx, "a", func(durable.Context) (int, error) { return 1, nil })
		return err
	}
	parallel := func(ctx durable.Context) error {
		_, err := durable.Parallel(ctx, "a", []durable.Branch[int]{{Func: func(durable.Context) (int, error) { return 1, nil }}})
		return err
	}
	cases := []struct {
		name             string
		first, replay    func(durable.Context) error
		expected, actual string
	}{
		{"child context replayed as a Parallel", child, parallel, `CONTEXT/Parallel "a"`, `CONTEXT/RunInChildContext "a"`},
		{"Parallel replayed as a child context", parallel, child, `CONTEXT/RunInChildContext "a"`, `CONTEXT/Parallel "a"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newMem(`{}`)
			first := func(ctx durable.Context, _ any) (int, error) {
				if err := tc.first(ctx); err != nil {
					return 0, err
				}
				return 0, durable.Wait(ctx, "w", time.Second)
			}
			if out, _ := m.invokeOnce(t, durable.Handle(first), durable.Env{}); out.Status != durable.InvocationPending {
				t.Fatalf("first invocation %s %s", out.Status, errString(out.Error))
			}
			m.advance()
			var seen error
			replay := func(ctx durable.Context, _ any) (int, error) {
				seen = tc.replay(ctx)
				return 0, seen
			}
			out, err := m.invokeOnce(t, durable.Handle(replay), durable.Env{})
			var nd *durable.NonDeterministicExecutionError
			if err != nil || !errors.As(seen, &nd) || out.Status != durable.InvocationFailed || aws.ToString(out.Error.ErrorType) != "NonDeterministicExecutionError" {
				t.Fatalf("replay: invoke error %v, operation error %v, output %s %s", err, seen, out.Status, errString(out.Error))
			}
			if nd.ID != aws.ToString(m.find("a")[0].Id) || nd.Expected != tc.expected || nd.Actual != tc.actual ||
				!strings.Contains(aws.ToString(out.Error.ErrorMessage), nd.ID) {
				t.Fatalf("error %+v, message %s", nd, aws.ToString(out.Error.ErrorMessage))
			}
		})
	}
}
