package suites

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// The functions the invoke suite's handlers call, registered with the
// handlers (Register): durable ones, so every chained invoke has a durable
// execution of its own, as the requirements' ChainedInvokeStartedDetails
// expect.
const (
	echoTarget = "echo" // returns its input unchanged
	failTarget = "fail" // fails with TargetError
)

// targetError is the failure of the fail target.
type targetError struct{}

func (targetError) Error() string     { return "target function failed" }
func (targetError) ErrorType() string { return "TargetError" }

// invokeTargets returns the invoke suite's target functions by name.
func invokeTargets() map[string]harness.Function {
	return map[string]harness.Function{
		echoTarget: {Durable: durable.Handle(func(_ durable.Context, in json.RawMessage) (json.RawMessage, error) {
			if in == nil {
				return json.RawMessage("null"), nil
			}
			return in, nil
		})},
		failTarget: {Durable: durable.Handle(func(durable.Context, any) (any, error) {
			return nil, targetError{}
		})},
	}
}

// invokeSuite holds the handlers of the invoke suite (requirements
// invoke/5-*). An invoke is unnamed unless the requirement names it.
func invokeSuite() map[string]conformance.Entry {
	return map[string]conformance.Entry{
		"5-1":  plain(durable.Handle(invokeEcho)),
		"5-2":  plain(durable.Handle(invokeNamed)),
		"5-3":  plain(durable.Handle(invokeEcho)),
		"5-4":  plain(durable.Handle(invokeEcho)),
		"5-5":  plain(durable.Handle(invokeFails)),
		"5-6":  plain(durable.Handle(invokeFailureCaught)),
		"5-7":  plain(durable.Handle(invokeLargePayload)),
		"5-8":  plain(durable.Handle(invokeForTenant)),
		"5-9":  plain(durable.Handle(invokeThenWait)),
		"5-11": plain(durable.Handle(stepThenInvoke)),
		"5-12": plain(durable.Handle(invokeThenStep)),
		"5-13": plain(durable.Handle(invokeInChild)),
		"5-14": plain(durable.Handle(invokeTwice)),
		"5-15": plain(durable.Handle(invokeUppercasedPayload)),
		"5-16": plain(durable.Handle(invokeUppercasedResult)),
	}
}

// echo invokes the echo target with in and returns what it returned.
func echo(ctx durable.Context, name string, in json.RawMessage, opts ...durable.InvokeOption) (json.RawMessage, error) {
	return durable.Invoke[json.RawMessage](ctx, name, echoTarget, in, opts...)
}

// 5-1, 5-3, 5-4: the event goes to the echo target (a string, a nested
// object, null) and its result is returned.
func invokeEcho(ctx durable.Context, in json.RawMessage) (json.RawMessage, error) {
	return echo(ctx, "", in)
}

type namedPayload struct {
	Name    string `json:"name"`
	Payload string `json:"payload"`
}

// 5-2: the invoke is named after the event's name and sends its payload.
func invokeNamed(ctx durable.Context, in namedPayload) (string, error) {
	return durable.Invoke[string](ctx, in.Name, echoTarget, in.Payload)
}

// 5-5: the target fails; the InvokeError is not caught.
func invokeFails(ctx durable.Context, _ any) (string, error) {
	return durable.Invoke[string](ctx, "", failTarget, "x")
}

// 5-6: the target fails; the InvokeError is caught and a fallback returned.
func invokeFailureCaught(ctx durable.Context, _ any) (string, error) {
	v, err := durable.Invoke[string](ctx, "", failTarget, "x")
	if _, ok := errors.AsType[*durable.InvokeError](err); ok {
		return "fallback", nil
	}
	return v, err
}

// largeInput is the size of 5-7's payload: close under the 256 KiB limit of
// an operation payload.
const largeInput = 250 * 1024

// 5-7: a payload near the size limit goes to the echo target; the handler
// returns the size of what came back.
func invokeLargePayload(ctx durable.Context, _ any) (int, error) {
	v, err := durable.Invoke[string](ctx, "", echoTarget, strings.Repeat("x", largeInput-2))
	return len(v), err
}

type tenantPayload struct {
	TenantID string `json:"tenantId"`
	Payload  string `json:"payload"`
}

// 5-8: the payload goes to the echo target for the event's tenant.
func invokeForTenant(ctx durable.Context, in tenantPayload) (string, error) {
	return durable.Invoke[string](ctx, "", echoTarget, in.Payload, durable.WithTenantID(in.TenantID))
}

// 5-9: an invoke, then a 1 s wait; the replay after it takes the invoke's
// result from its record.
func invokeThenWait(ctx durable.Context, _ any) (string, error) {
	v, err := durable.Invoke[string](ctx, "", echoTarget, "cached")
	if err != nil {
		return "", err
	}
	if err := durable.Wait(ctx, "", time.Second); err != nil {
		return "", err
	}
	return v, nil
}

// 5-11: a step, then an invoke of its result.
func stepThenInvoke(ctx durable.Context, _ any) (string, error) {
	v, err := echoStep(ctx, "step", "from step")
	if err != nil {
		return "", err
	}
	return durable.Invoke[string](ctx, "", echoTarget, v)
}

// 5-12: an invoke, then a step that returns its result.
func invokeThenStep(ctx durable.Context, _ any) (string, error) {
	v, err := durable.Invoke[string](ctx, "", echoTarget, "from invoke")
	if err != nil {
		return "", err
	}
	return echoStep(ctx, "step", v)
}

// 5-13: an invoke inside a child context, which returns its result.
func invokeInChild(ctx durable.Context, _ any) (string, error) {
	return durable.RunInChildContext(ctx, "child", func(cc durable.Context) (string, error) {
		return durable.Invoke[string](cc, "", echoTarget, "inside")
	})
}

// 5-14: two invokes one after the other.
func invokeTwice(ctx durable.Context, _ any) ([]string, error) {
	var out []string
	for _, in := range []string{"first", "second"} {
		v, err := durable.Invoke[string](ctx, "", echoTarget, in)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// upperSerdes upper-cases on the way out (the JSON text of the value) and on
// the way in (the recorded text, taken as the string).
type upperSerdes struct{}

func (upperSerdes) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return bytes.ToUpper(b), err
}

func (upperSerdes) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	*(ptr.(*string)) = strings.ToUpper(string(raw))
	return nil
}

// 5-15: a custom serdes upper-cases the payload ({"data":"hello"}) before
// it is sent; the echo target gets {"DATA":"HELLO"}.
func invokeUppercasedPayload(ctx durable.Context, in json.RawMessage) (json.RawMessage, error) {
	return echo(ctx, "", in, durable.WithInvokePayloadSerdes(upperSerdes{}))
}

// 5-16: a custom serdes upper-cases the result as recorded ("hello", with
// its quotes), so the handler returns the string "HELLO" with quotes.
func invokeUppercasedResult(ctx durable.Context, in string) (string, error) {
	return durable.Invoke[string](ctx, "", echoTarget, in, durable.WithInvokeResultSerdes(upperSerdes{}))
}
