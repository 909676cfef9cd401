package durable_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
)

// realEnvelopes are the envelopes of calculator executions on the fake
// service, including invocations after a crash, which carry STEP and
// CONTEXT operations in every state a crash leaves.
func realEnvelopes(f *testing.F) [][]byte {
	f.Helper()
	var mu sync.Mutex
	var envs [][]byte
	inner := durable.Handle(function.Handler)
	record := func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
		mu.Lock()
		envs = append(envs, bytes.Clone(envelope))
		mu.Unlock()
		return inner(ctx, env, envelope)
	}
	for _, crash := range []int{0, 2, 5} {
		opts := []harness.RunnerOption{harness.WithSeededScheduler(uint64(crash))}
		if crash > 0 {
			opts = append(opts, harness.WithFaults(harness.CrashAfterCheckpoint(crash)))
		}
		for _, input := range []string{`{"num1":10,"num2":5}`, `{"num1":1,"num2":0}`} {
			if _, err := harness.NewLocalRunner(record, opts...).RunJSON(context.Background(), input); err != nil {
				f.Fatal(err)
			}
		}
	}
	return envs
}

// FuzzDecodeInvocationInput: any bytes decode to a usable envelope or to an
// *EnvelopeError, never a panic; a decoded envelope encodes to bytes that
// decode to the same envelope (the encoding is a fixed point).
func FuzzDecodeInvocationInput(f *testing.F) {
	for _, env := range realEnvelopes(f) {
		f.Add(env)
	}
	for _, s := range []string{
		`{}`, `[]`, `null`, `{"DurableExecutionArn":"a","CheckpointToken":"t"}`,
		`{"DurableExecutionArn":"a","CheckpointToken":"t","InitialExecutionState":{"Operations":[{"Id":"x","Type":"EXECUTION","Status":"STARTED","StartTimestamp":1.5e12}]}}`,
		`{"DurableExecutionArn":"a","CheckpointToken":"t","InitialExecutionState":{"Operations":[{"Id":"x","Type":"EXECUTION","StartTimestamp":1e400}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := durable.DecodeInvocationInput(data)
		if err != nil {
			var ee *durable.EnvelopeError
			if !errors.As(err, &ee) || !strings.HasPrefix(err.Error(), "durable: ") {
				t.Fatalf("error %v (%T) is not a *durable.EnvelopeError", err, err)
			}
			return
		}
		if in.DurableExecutionArn == "" || in.CheckpointToken == "" {
			t.Fatalf("accepted an envelope without ARN or token: %+v", in)
		}
		execution := false
		for _, op := range in.InitialExecutionState.Operations {
			execution = execution || op.Type == "EXECUTION"
		}
		if !execution {
			t.Fatalf("accepted an envelope without an EXECUTION operation")
		}
		once, err := durable.EncodeInvocationInput(in)
		if err != nil {
			t.Fatalf("a decoded envelope does not encode: %v", err)
		}
		again, err := durable.DecodeInvocationInput(once)
		if err != nil {
			t.Fatalf("the encoding of a decoded envelope does not decode: %v\n%s", err, once)
		}
		twice, err := durable.EncodeInvocationInput(again)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("encode(decode(x)) is not a fixed point (%v):\n%s\n%s", err, once, twice)
		}
	})
}
