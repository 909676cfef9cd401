package durable_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

func echo(ctx durable.Context, in map[string]int) (map[string]int, error) { return in, nil }

func TestMalformedEnvelope(t *testing.T) {
	for envelope, want := range map[string]string{
		`not json`:                    "malformed JSON",
		`[]`:                          "an object",
		`{"CheckpointToken":"t"}`:     "no DurableExecutionArn",
		`{"DurableExecutionArn":"a"}`: "no CheckpointToken",
		`{"DurableExecutionArn":"a","CheckpointToken":"t"}`: "no EXECUTION operation",
		`{"DurableExecutionArn":"a","CheckpointToken":"t","InitialExecutionState":{"Operations":[{"Id":"x","Type":"STEP","Status":"STARTED"}]}}`: "no EXECUTION operation",
	} {
		_, err := durable.Handle(echo)(context.Background(), durable.Env{Client: newMem("")}, []byte(envelope))
		var ee *durable.EnvelopeError
		if !errors.As(err, &ee) || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "durable: ") {
			t.Fatalf("%s: %v, want %q", envelope, err, want)
		}
	}
}

func TestNoClient(t *testing.T) {
	m := newMem(`{}`)
	_, err := durable.Handle(echo)(context.Background(), durable.Env{}, m.envelope())
	var ve *durable.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%v", err)
	}
}

func TestInputDecoding(t *testing.T) {
	for input, want := range map[string]string{
		`{"a":1}`: `{"a":1}`,
		``:        `null`,
		`   `:     `null`,
	} {
		m := newMem(input)
		out, _ := m.run(t, durable.Handle(echo), durable.Env{})
		if out.Status != durable.InvocationSucceeded || out.Result != want {
			t.Fatalf("%q: %+v", input, out)
		}
	}
	m := newMem(`{"a":"x"}`)
	out, _ := m.run(t, durable.Handle(echo), durable.Env{})
	if out.Status != durable.InvocationFailed || aws.ToString(out.Error.ErrorType) != "SerdesError" ||
		!strings.Contains(aws.ToString(out.Error.ErrorMessage), "cannot unmarshal string") || m.calls != 0 {
		t.Fatalf("%+v %s", out, errString(out.Error))
	}
}

func TestHandlerPanic(t *testing.T) {
	h := func(durable.Context, any) (int, error) { panic(errors.New("handler exploded")) }
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	if errString(out.Error) != "PanicError: panic: handler exploded" {
		t.Fatalf("%+v", out)
	}
}

func TestResultNotSerializable(t *testing.T) {
	h := func(durable.Context, any) (func(), error) { return func() {}, nil }
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	if aws.ToString(out.Error.ErrorType) != "SerdesError" {
		t.Fatalf("%+v", out)
	}
}

func TestLargeExecutionResult(t *testing.T) {
	h := func(durable.Context, any) (string, error) { return strings.Repeat("r", 7*1024*1024), nil }
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	ups := m.allUpdates()
	if out.Status != durable.InvocationSucceeded || out.Result != "" || len(ups) != 1 ||
		ups[0].Type != types.OperationTypeExecution || ups[0].Action != types.OperationActionSucceed || len(aws.ToString(ups[0].Payload)) != 7*1024*1024+2 {
		t.Fatalf("status %s, result %d bytes, %d updates", out.Status, len(out.Result), len(ups))
	}
}

func TestOutputJSON(t *testing.T) {
	for _, tc := range []struct {
		out  durable.InvocationOutput
		want string
	}{
		{durable.InvocationOutput{Status: durable.InvocationSucceeded, Result: `{"a":1}`}, `{"Status":"SUCCEEDED","Result":"{\"a\":1}"}`},
		{durable.InvocationOutput{Status: durable.InvocationSucceeded}, `{"Status":"SUCCEEDED","Result":""}`},
		{durable.InvocationOutput{Status: durable.InvocationPending}, `{"Status":"PENDING"}`},
		{durable.InvocationOutput{Status: durable.InvocationFailed, Error: &types.ErrorObject{ErrorType: aws.String("StepError"), ErrorMessage: aws.String("m")}},
			`{"Status":"FAILED","Error":{"ErrorMessage":"m","ErrorType":"StepError"}}`},
	} {
		b, err := durable.EncodeInvocationOutput(&tc.out)
		if err != nil || string(b) != tc.want {
			t.Fatalf("%s %v, want %s", b, err, tc.want)
		}
		back, err := durable.DecodeInvocationOutput(b)
		if err != nil || back.Status != tc.out.Status || back.Result != tc.out.Result || errString(back.Error) != errString(tc.out.Error) {
			t.Fatalf("round trip %+v %v", back, err)
		}
	}
	if _, err := durable.DecodeInvocationOutput([]byte(`{"Status":"RETRY"}`)); err == nil {
		t.Fatal("accepted an unknown status")
	}
}

func TestWrap(t *testing.T) {
	m := newMem(`{"x":2}`)
	obs := newRecorder()
	f := durable.Wrap(func(ctx durable.Context, in map[string]int) (int, error) {
		return durable.Step(ctx, "double", func(durable.StepContext) (int, error) { return in["x"] * 2, nil })
	}, durable.WithClient(m), durable.WithObserver(obs), durable.WithJitter(func() float64 { return 0 }), durable.WithLogger(nil), durable.WithScheduler(nil))
	raw, err := f(context.Background(), m.envelope())
	if err != nil || string(raw) != `{"Status":"SUCCEEDED","Result":"4"}` || obs.stepRuns() != 1 {
		t.Fatalf("%s %v", raw, err)
	}
}

// The ids of the operations changed since the previous invocation round-trip
// through the envelope; a first invocation's envelope has none.
func TestEnvelopeUpdatedOperationIds(t *testing.T) {
	const env = `{"DurableExecutionArn":"a","CheckpointToken":"t","UpdatedOperationIds":["w1","r"],` +
		`"InitialExecutionState":{"Operations":[{"Id":"x","Type":"EXECUTION","Status":"STARTED"}]}}`
	in, err := durable.DecodeInvocationInput([]byte(env))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(in.UpdatedOperationIds, ",") != "w1,r" {
		t.Fatalf("UpdatedOperationIds = %q, want [w1 r]", in.UpdatedOperationIds)
	}
	in.UpdatedOperationIds = nil
	out, err := durable.EncodeInvocationInput(in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "UpdatedOperationIds") {
		t.Fatalf("a first invocation's envelope names updated operations: %s", out)
	}
}
