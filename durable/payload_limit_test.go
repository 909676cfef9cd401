package durable_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

// payloadLimit is the checkpoint limit on an operation's result (256 KiB).
const payloadLimit = 256 * 1024

// jsonString returns a string whose JSON encoding is exactly n bytes.
func jsonString(n int) string { return strings.Repeat("x", n-2) }

// TestStepResultAtThePayloadLimit: a step result of exactly 256 KiB is
// checkpointed; one byte more fails the step with PayloadTooLargeError.
func TestStepResultAtThePayloadLimit(t *testing.T) {
	for _, size := range []int{payloadLimit, payloadLimit + 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			var stepErr error
			h := func(ctx durable.Context, _ any) (int, error) {
				v, err := durable.Step(ctx, "big", func(durable.StepContext) (string, error) { return jsonString(size), nil })
				stepErr = err
				return len(v), err
			}
			m := newMem(`{}`)
			out, _ := m.run(t, durable.Handle(h), durable.Env{})
			op := m.find("big")[0]
			if size <= payloadLimit {
				if out.Status != durable.InvocationSucceeded || op.Status != types.OperationStatusSucceeded || len(aws.ToString(op.StepDetails.Result)) != size {
					t.Fatalf("a %d-byte result: execution %s, step %s (%s), %d bytes recorded", size, out.Status, op.Status, errString(op.StepDetails.Error), len(aws.ToString(op.StepDetails.Result)))
				}
				return
			}
			var se *durable.StepError
			if !errors.As(stepErr, &se) {
				t.Fatalf("Step returned %v, want a *StepError", stepErr)
			}
			if op.Status != types.OperationStatusFailed || aws.ToString(op.StepDetails.Error.ErrorType) != "PayloadTooLargeError" ||
				!strings.Contains(aws.ToString(op.StepDetails.Error.ErrorMessage), fmt.Sprint(size)) {
				t.Fatalf("a %d-byte result: step %s %s", size, op.Status, errString(op.StepDetails.Error))
			}
		})
	}
}

// TestChildResultAtThePayloadLimit: a child context result of exactly
// 256 KiB is recorded as it is; one byte more is recorded as a summary with
// ReplayChildren.
func TestChildResultAtThePayloadLimit(t *testing.T) {
	for _, size := range []int{payloadLimit, payloadLimit + 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			h := func(ctx durable.Context, _ any) (int, error) {
				v, err := durable.RunInChildContext(ctx, "c", func(durable.Context) (string, error) { return jsonString(size), nil })
				return len(v), err
			}
			m := newMem(`{}`)
			out, _ := m.run(t, durable.Handle(h), durable.Env{})
			if out.Result != fmt.Sprint(size-2) {
				t.Fatalf("result %s %s", out.Result, errString(out.Error))
			}
			d := m.find("c")[0].ContextDetails
			summarized := aws.ToBool(d.ReplayChildren)
			recorded := aws.ToString(d.Result)
			switch {
			case size <= payloadLimit && (summarized || len(recorded) != size):
				t.Fatalf("a %d-byte result was not recorded as it is: ReplayChildren %v, %d bytes", size, summarized, len(recorded))
			case size > payloadLimit && (!summarized || recorded != fmt.Sprintf(`{"type":"RunInChildContext","size":%d}`, size)):
				t.Fatalf("a %d-byte result was not summarized: ReplayChildren %v, %.80s", size, summarized, recorded)
			}
		})
	}
}

// TestParallelPayloadAtThePayloadLimit: a Parallel whose BatchResult
// payload is exactly 256 KiB records it as it is; one byte more records the
// summary with ReplayChildren.
func TestParallelPayloadAtThePayloadLimit(t *testing.T) {
	record := func(t *testing.T, n int) *types.ContextDetails {
		t.Helper()
		h := func(ctx durable.Context, _ any) (int, error) {
			r, err := durable.Parallel(ctx, "p", []durable.Branch[string]{{Func: func(durable.Context) (string, error) {
				return strings.Repeat("x", n), nil
			}}})
			return r.SuccessCount(), err
		}
		m := newMem(`{}`)
		if out, _ := m.run(t, durable.Handle(h), durable.Env{}); out.Result != "1" {
			t.Fatalf("result %s %s", out.Result, errString(out.Error))
		}
		return m.find("p")[0].ContextDetails
	}
	// The payload of a one-branch batch grows byte for byte with the
	// branch's result; an empty result gives its fixed part.
	fixed := len(aws.ToString(record(t, 0).Result))
	for _, size := range []int{payloadLimit, payloadLimit + 1} {
		d := record(t, size-fixed)
		summarized, n := aws.ToBool(d.ReplayChildren), len(aws.ToString(d.Result))
		switch {
		case size <= payloadLimit && (summarized || n != size):
			t.Fatalf("a %d-byte batch payload was not recorded as it is: ReplayChildren %v, %d bytes", size, summarized, n)
		case size > payloadLimit && (!summarized || !strings.Contains(aws.ToString(d.Result), `"type":"ParallelResult"`)):
			t.Fatalf("a %d-byte batch payload was not summarized: ReplayChildren %v, %d bytes", size, summarized, n)
		}
	}
}

// TestExecutionResultAtTheOutputLimit: a result of exactly the largest size
// an invocation output carries goes in the output; one byte more is
// checkpointed as the EXECUTION's SUCCEED and the output's Result is empty.
func TestExecutionResultAtTheOutputLimit(t *testing.T) {
	const maxResult = 6*1024*1024 - 50
	for _, size := range []int{maxResult, maxResult + 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			h := func(durable.Context, any) (string, error) { return jsonString(size), nil }
			m := newMem(`{}`)
			out, _ := m.run(t, durable.Handle(h), durable.Env{})
			ups := m.allUpdates()
			if out.Status != durable.InvocationSucceeded {
				t.Fatalf("status %s %s", out.Status, errString(out.Error))
			}
			if size <= maxResult && (len(out.Result) != size || len(ups) != 0) {
				t.Fatalf("a %d-byte result: %d bytes in the output, %d updates", size, len(out.Result), len(ups))
			}
			if size > maxResult && (out.Result != "" || len(ups) != 1 || ups[0].Type != types.OperationTypeExecution || len(aws.ToString(ups[0].Payload)) != size) {
				t.Fatalf("a %d-byte result: %d bytes in the output, updates %d", size, len(out.Result), len(ups))
			}
		})
	}
}
