package suites

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// callbackSuite holds the handlers of the callback suite (requirements
// callback/4-*). Each creates callbacks the runner answers with the
// requirement's CallbackActions, or leaves to time out. The callback is
// named after the input unless the requirement names it; a step between
// creating a callback and waiting for it is named step.
func callbackSuite() map[string]conformance.Entry {
	return map[string]conformance.Entry{
		"4-1":  withCallbacks(durable.Handle(callbackBasic)),
		"4-2":  withCallbacks(durable.Handle(callbackApproval)),
		"4-3":  withCallbacks(durable.Handle(callbackResult(durable.WithCallbackTimeout(5 * time.Second)))),
		"4-4":  withCallbacks(durable.Handle(callbackResult(durable.WithCallbackHeartbeatTimeout(5 * time.Second)))),
		"4-5":  withCallbacks(durable.Handle(callbackResult(durable.WithCallbackHeartbeatTimeout(10 * time.Second)))),
		"4-6":  withCallbacks(durable.Handle(callbackBasic)),
		"4-8":  withCallbacks(durable.Handle(callbackStepThenResult)),
		"4-9":  withCallbacks(durable.Handle(callbackWaitThenResult(nil, 5*time.Second))),
		"4-10": withCallbacks(durable.Handle(callbackWaitThenResult(nil, 5*time.Second))),
		"4-11": withCallbacks(durable.Handle(callbackWaitThenResult([]durable.CallbackOption{durable.WithCallbackTimeout(3 * time.Second)}, 6*time.Second))),
		"4-12": withCallbacks(durable.Handle(callbackResultThenWait)),
		"4-13": withCallbacks(durable.Handle(callbackCaughtThenWait())),
		"4-14": withCallbacks(durable.Handle(callbackCaughtThenWait(durable.WithCallbackTimeout(3 * time.Second)))),
		"4-16": withCallbacks(durable.Handle(callbackCustomSerdes)),
		"4-17": withCallbacks(durable.Handle(callbacksOneAfterTheOther)),
		"4-18": withCallbacks(durable.Handle(callbacksBothThenInOrder(false))),
		"4-19": withCallbacks(durable.Handle(callbacksBothThenInOrder(true))),
	}
}

// withCallbacks is the entry of a handler whose execution waits on
// callbacks.
func withCallbacks(inv durable.Invoker) conformance.Entry {
	return conformance.Entry{Handler: conformance.Plain(inv), Callbacks: true}
}

// awaitCallback creates the callback name and returns its result.
func awaitCallback[O any](ctx durable.Context, name string, opts ...durable.CallbackOption) (O, error) {
	cb, err := durable.CreateCallback[O](ctx, name, opts...)
	if err != nil {
		var zero O
		return zero, err
	}
	return cb.Result()
}

// 4-1: a callback named after the input; the result is what the external
// system sent. 4-6: the same handler, answered with a failure it does not
// catch.
func callbackBasic(ctx durable.Context, name string) (string, error) {
	return awaitCallback[string](ctx, name)
}

// 4-2: the callback is named approval.
func callbackApproval(ctx durable.Context, _ any) (string, error) {
	return awaitCallback[string](ctx, "approval")
}

// callbackResult is 4-1 with options: 4-3 a 5 s timeout, 4-4 a 5 s
// heartbeat timeout (both left to expire), 4-5 a 10 s heartbeat timeout kept
// alive by a heartbeat.
func callbackResult(opts ...durable.CallbackOption) func(durable.Context, string) (string, error) {
	return func(ctx durable.Context, name string) (string, error) {
		return awaitCallback[string](ctx, name, opts...)
	}
}

// 4-8: a callback with a 5 s timeout, then a step, then its result (it
// times out).
func callbackStepThenResult(ctx durable.Context, name string) (string, error) {
	cb, err := durable.CreateCallback[string](ctx, name, durable.WithCallbackTimeout(5*time.Second))
	if err != nil {
		return "", err
	}
	if _, err := echoStep(ctx, "step", "done"); err != nil {
		return "", err
	}
	return cb.Result()
}

// callbackWaitThenResult creates a callback, waits d, then returns the
// callback's result: 4-9 (answered with success during the wait), 4-10
// (with a failure), 4-11 (a 3 s timeout that expires during a 6 s wait).
func callbackWaitThenResult(opts []durable.CallbackOption, d time.Duration) func(durable.Context, string) (string, error) {
	return func(ctx durable.Context, name string) (string, error) {
		cb, err := durable.CreateCallback[string](ctx, name, opts...)
		if err != nil {
			return "", err
		}
		if err := durable.Wait(ctx, "", d); err != nil {
			return "", err
		}
		return cb.Result()
	}
}

// 4-12: the callback's result, then a 2 s wait, then that result.
func callbackResultThenWait(ctx durable.Context, name string) (string, error) {
	v, err := awaitCallback[string](ctx, name)
	if err != nil {
		return "", err
	}
	if err := durable.Wait(ctx, "", 2*time.Second); err != nil {
		return "", err
	}
	return v, nil
}

// callbackCaughtThenWait waits for the callback and keeps a message when it
// fails (4-13: answered with a failure) or times out (4-14: a 3 s timeout),
// then waits 2 s and returns the message.
func callbackCaughtThenWait(opts ...durable.CallbackOption) func(durable.Context, string) (string, error) {
	return func(ctx durable.Context, name string) (string, error) {
		msg, err := awaitCallback[string](ctx, name, opts...)
		if ce, ok := errors.AsType[*durable.CallbackError](err); ok {
			msg, err = "callback failed: "+ce.Message, nil
		}
		if err != nil {
			return "", err
		}
		if err := durable.Wait(ctx, "", 2*time.Second); err != nil {
			return "", err
		}
		return msg, nil
	}
}

// numberSerdes reads a callback's result as a plain decimal number.
type numberSerdes struct{}

func (numberSerdes) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	return []byte(strconv.Itoa(v.(int))), nil
}

func (numberSerdes) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	data := string(raw)
	n, err := strconv.Atoi(strings.TrimSpace(data))
	if err != nil {
		return err
	}
	*(ptr.(*int)) = n
	return nil
}

type countDoubled struct {
	Count   int `json:"count"`
	Doubled int `json:"doubled"`
}

// 4-16: a custom serdes turns the callback's payload (42) into a number.
func callbackCustomSerdes(ctx durable.Context, name string) (countDoubled, error) {
	n, err := awaitCallback[int](ctx, name, durable.WithCallbackSerdes(numberSerdes{}))
	return countDoubled{Count: n, Doubled: 2 * n}, err
}

// 4-17: callback A (input[0]) and its result, then callback B (input[1])
// and its result.
func callbacksOneAfterTheOther(ctx durable.Context, names []string) ([]string, error) {
	var out []string
	for _, name := range names {
		v, err := awaitCallback[string](ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// callbacksBothThenInOrder creates callbacks A and B (input[0], input[1]),
// then waits for A's result and B's (4-18), or B's and A's (4-19); it
// returns them as [A, B].
func callbacksBothThenInOrder(reverse bool) func(durable.Context, []string) ([]string, error) {
	return func(ctx durable.Context, names []string) ([]string, error) {
		var cbs []*durable.Callback[string]
		for _, name := range names {
			cb, err := durable.CreateCallback[string](ctx, name)
			if err != nil {
				return nil, err
			}
			cbs = append(cbs, cb)
		}
		out := make([]string, len(cbs))
		for k := range cbs {
			i := k
			if reverse {
				i = len(cbs) - 1 - k
			}
			v, err := cbs[i].Result()
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
}
