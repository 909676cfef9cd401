package suites

import (
	"errors"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// waitForCallbackSuite holds the handlers of the wait_for_callback suite
// (requirements wait_for_callback/7-*). The operation is named after the
// input unless the requirement says otherwise, and its submitter only
// receives the callback id: the runner answers every callback it sees.
func waitForCallbackSuite() map[string]conformance.Entry {
	return map[string]conformance.Entry{
		"7-1":  withCallbacks(durable.Handle(waitForCallbackNamed())),
		"7-2":  withCallbacks(durable.Handle(waitForCallbackFixedName("approval"))),
		"7-3":  withCallbacks(durable.Handle(waitForCallbackFixedName(""))),
		"7-4":  withCallbacks(durable.Handle(waitForCallbackNamed())),
		"7-5":  withCallbacks(durable.Handle(waitForCallbackNamed(durable.WithCallbackTimeout(3 * time.Second)))),
		"7-6":  withCallbacks(durable.Handle(waitForCallbackRecovers("recovered"))),
		"7-7":  withCallbacks(durable.Handle(waitForCallbackSubmitterFails)),
		"7-8":  withCallbacks(durable.Handle(waitForCallbackInChild)),
		"7-10": withCallbacks(durable.Handle(waitForCallbackAfterWaitAndStep)),
		"7-11": withCallbacks(durable.Handle(waitForCallbackObject)),
		"7-12": withCallbacks(durable.Handle(waitForCallbackNamed(durable.WithCallbackHeartbeatTimeout(5 * time.Second)))),
		"7-13": withCallbacks(durable.Handle(waitForCallbackNamed(durable.WithCallbackHeartbeatTimeout(10 * time.Second)))),
		"7-14": withCallbacks(durable.Handle(waitForCallbackRecovers("timed-out-handled", durable.WithCallbackTimeout(3*time.Second)))),
		"7-15": withCallbacks(durable.Handle(waitForCallbackNull)),
	}
}

// submitNothing is the suite's submitter: it has the id and nothing to do
// with it, since the runner finds the callback in the history.
func submitNothing(durable.StepContext, string) error { return nil }

// waitForCallbackNamed returns the result of a WaitForCallback named after
// the input: 7-1 (success), 7-4 (a failure it does not catch), 7-5 (a 3 s
// timeout that expires), 7-12 (a 5 s heartbeat timeout that expires), 7-13
// (a 10 s heartbeat timeout kept alive by a heartbeat).
func waitForCallbackNamed(opts ...durable.CallbackOption) func(durable.Context, string) (string, error) {
	return func(ctx durable.Context, name string) (string, error) {
		return durable.WaitForCallback[string](ctx, name, submitNothing, opts...)
	}
}

// waitForCallbackFixedName is 7-1 with a fixed name: 7-2 approval, 7-3 none.
func waitForCallbackFixedName(name string) func(durable.Context, any) (string, error) {
	return func(ctx durable.Context, _ any) (string, error) {
		return durable.WaitForCallback[string](ctx, name, submitNothing)
	}
}

// waitForCallbackRecovers catches the callback's error and returns msg: 7-6
// (a failure), 7-14 (a 3 s timeout).
func waitForCallbackRecovers(msg string, opts ...durable.CallbackOption) func(durable.Context, string) (string, error) {
	return func(ctx durable.Context, name string) (string, error) {
		v, err := durable.WaitForCallback[string](ctx, name, submitNothing, opts...)
		if _, ok := errors.AsType[*durable.CallbackError](err); ok {
			return msg, nil
		}
		return v, err
	}
}

// 7-7: the submitter fails on every attempt; it may make 2, 1 s apart.
func waitForCallbackSubmitterFails(ctx durable.Context, name string) (string, error) {
	return durable.WaitForCallback[string](ctx, name, func(durable.StepContext, string) error {
		return errors.New("submitter failed")
	}, durable.WithSubmitterRetry(durable.LinearRetry(2, time.Second, 0)))
}

// 7-8: the WaitForCallback runs inside a child context named wrapper, which
// returns its result.
func waitForCallbackInChild(ctx durable.Context, name string) (string, error) {
	return durable.RunInChildContext(ctx, "wrapper", func(cc durable.Context) (string, error) {
		return durable.WaitForCallback[string](cc, name, submitNothing)
	})
}

// 7-10: a 1 s wait, a step returning fixed data, then the WaitForCallback.
func waitForCallbackAfterWaitAndStep(ctx durable.Context, name string) (string, error) {
	if err := durable.Wait(ctx, "", time.Second); err != nil {
		return "", err
	}
	if _, err := echoStep(ctx, "step", "fixed data"); err != nil {
		return "", err
	}
	return durable.WaitForCallback[string](ctx, name, submitNothing)
}

type statusOnly struct {
	Status string `json:"status"`
}

// 7-11: the result is read as a JSON object; the handler returns its
// status.
func waitForCallbackObject(ctx durable.Context, name string) (string, error) {
	v, err := durable.WaitForCallback[statusOnly](ctx, name, submitNothing)
	return v.Status, err
}

// 7-15: the callback succeeds with no payload; the result is null.
func waitForCallbackNull(ctx durable.Context, name string) (*string, error) {
	return durable.WaitForCallback[*string](ctx, name, submitNothing)
}
