package durable_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
)

// recordingSerdes is JSON that notes each call: the direction, the
// operation id it was told, and whether it was told the execution's ARN
// and given a context.
type recordingSerdes struct {
	arn string
	mu  sync.Mutex
	log []string
}

func (r *recordingSerdes) note(dir string, ctx context.Context, meta durable.SerdesContext) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := dir + " " + meta.OperationID
	if meta.DurableExecutionArn != r.arn {
		e += " wrong-arn:" + meta.DurableExecutionArn
	}
	if ctx == nil {
		e += " no-context"
	}
	r.log = append(r.log, e)
}

func (r *recordingSerdes) Marshal(ctx context.Context, meta durable.SerdesContext, v any) ([]byte, error) {
	r.note("marshal", ctx, meta)
	return json.Marshal(v)
}

func (r *recordingSerdes) Unmarshal(ctx context.Context, meta durable.SerdesContext, data []byte, v any) error {
	r.note("unmarshal", ctx, meta)
	return json.Unmarshal(data, v)
}

// take returns the calls noted since the last take.
func (r *recordingSerdes) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.log
	r.log = nil
	return out
}

// A Serdes is told the positional id of the operation whose value it
// handles and the execution's ARN, live and on replay; a step's own serdes
// wins over the handler-wide one, which covers the rest.
func TestSerdesContextLiveAndReplay(t *testing.T) {
	m := newMem(`{}`)
	own, handlerWide := &recordingSerdes{arn: m.arn}, &recordingSerdes{arn: m.arn}
	h := func(ctx durable.Context, _ any) (string, error) {
		a, err := durable.Step(ctx, "a", func(durable.StepContext) (string, error) { return "x", nil }, durable.WithStepSerdes(own))
		if err != nil {
			return "", err
		}
		if err := durable.Wait(ctx, "w", time.Second); err != nil {
			return "", err
		}
		b, err := durable.RunInChildContext(ctx, "c", func(cc durable.Context) (string, error) {
			return durable.Step(cc, "inner", func(durable.StepContext) (string, error) { return "y", nil })
		})
		return a + "|" + b, err
	}
	inv := durable.Handle(h, durable.WithSerdes(handlerWide))

	out, err := m.invokeOnce(t, inv, durable.Env{})
	if err != nil || out.Status != durable.InvocationPending {
		t.Fatalf("first invocation: %+v %v", out, err)
	}
	if got, want := own.take(), []string{"marshal 1", "unmarshal 1"}; !slices.Equal(got, want) {
		t.Fatalf("live step serdes calls %q, want %q", got, want)
	}
	if got := handlerWide.take(); len(got) != 0 {
		t.Fatalf("handler-wide serdes used before the wait: %q", got)
	}

	m.advance()
	out, err = m.invokeOnce(t, inv, durable.Env{})
	if err != nil || out.Status != durable.InvocationSucceeded || out.Result != `"x|y"` {
		t.Fatalf("second invocation: %+v %v", out, err)
	}
	if got, want := own.take(), []string{"unmarshal 1"}; !slices.Equal(got, want) {
		t.Fatalf("replayed step serdes calls %q, want %q", got, want)
	}
	if got, want := handlerWide.take(), []string{"marshal 3-1", "unmarshal 3-1", "marshal 3", "unmarshal 3"}; !slices.Equal(got, want) {
		t.Fatalf("handler-wide serdes calls %q, want %q", got, want)
	}
}

var errSerdesBroken = errors.New("serdes broken")

// brokenSerdes writes JSON and fails to read anything back; with
// failMarshal it fails to write too.
type brokenSerdes struct{ failMarshal bool }

func (b brokenSerdes) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	if b.failMarshal {
		return nil, errSerdesBroken
	}
	return json.Marshal(v)
}

func (brokenSerdes) Unmarshal(context.Context, durable.SerdesContext, []byte, any) error {
	return errSerdesBroken
}

// A failing Serdes surfaces as a *SerdesError wrapping its error: when a
// step's result is read back, and when an invoke's input is written.
func TestSerdesFailureIsSerdesError(t *testing.T) {
	var stepErr, invokeErr error
	h := func(ctx durable.Context, _ any) (int, error) {
		_, stepErr = durable.Step(ctx, "s", func(durable.StepContext) (int, error) { return 1, nil }, durable.WithStepSerdes(brokenSerdes{}))
		_, invokeErr = durable.Invoke[int](ctx, "i", "target", 2, durable.WithInvokePayloadSerdes(brokenSerdes{failMarshal: true}))
		return 0, nil
	}
	m := newMem(`{}`)
	if out, err := m.invokeOnce(t, durable.Handle(h), durable.Env{}); err != nil || out.Status != durable.InvocationSucceeded {
		t.Fatalf("%+v %v", out, err)
	}
	for _, c := range []struct {
		err  error
		what string
	}{{stepErr, `the result of step "s"`}, {invokeErr, `the input of invoke "i"`}} {
		se, ok := errors.AsType[*durable.SerdesError](c.err)
		if !ok || !errors.Is(c.err, errSerdesBroken) || se.What != c.what || !strings.Contains(se.Error(), "serdes broken") {
			t.Fatalf("got %#v (%v), want a *SerdesError about %s wrapping the serdes's error", c.err, c.err, c.what)
		}
	}
	if len(m.find("i")) != 0 {
		t.Fatal("an invoke whose input could not be serialized was started")
	}
}
