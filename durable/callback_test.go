package durable_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

func errObjOf(typ, msg string) *types.ErrorObject {
	return &types.ErrorObject{ErrorType: aws.String(typ), ErrorMessage: aws.String(msg)}
}

// mustPending runs one invocation and requires it to suspend.
func mustPending(t *testing.T, m *memService, inv durable.Invoker) {
	t.Helper()
	out, err := m.invokeOnce(t, inv, durable.Env{})
	if err != nil || out.Status != durable.InvocationPending {
		t.Fatalf("invocation: %v, output %+v (want PENDING)", err, out)
	}
}

// replayUnchanged invokes once more after the execution ended and requires
// the same output with nothing checkpointed.
func replayUnchanged(t *testing.T, m *memService, inv durable.Invoker, want *durable.InvocationOutput) {
	t.Helper()
	before := m.updateCount()
	out, err := m.invokeOnce(t, inv, durable.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != want.Status || out.Result != want.Result || errString(out.Error) != errString(want.Error) {
		t.Fatalf("replay gave %s %q %s, first run %s %q %s", out.Status, out.Result, errString(out.Error), want.Status, want.Result, errString(want.Error))
	}
	if n := m.updateCount() - before; n != 0 {
		t.Fatalf("replay checkpointed %d updates", n)
	}
}

func TestCreateCallbackSuspendsUntilCompleted(t *testing.T) {
	var ids []string
	inv := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		cb, err := durable.CreateCallback[string](ctx, "approval", durable.WithCallbackTimeout(5*time.Second), durable.WithCallbackHeartbeatTimeout(1500*time.Millisecond))
		if err != nil {
			return "", err
		}
		ids = append(ids, cb.ID())
		return cb.Result()
	})
	m := newMem(`null`)
	mustPending(t, m, inv)
	start := m.startOf(types.OperationTypeCallback, "approval")
	if aws.ToString(start.SubType) != "Callback" || start.CallbackOptions == nil ||
		start.CallbackOptions.TimeoutSeconds != 5 || start.CallbackOptions.HeartbeatTimeoutSeconds != 2 {
		t.Fatalf("START %+v options %+v: want SubType Callback, timeout 5, heartbeat 2 (1.5 s rounded up)", start, start.CallbackOptions)
	}
	open := m.openCallbacks()
	if len(open) != 1 || ids[0] != open[0] {
		t.Fatalf("open callbacks %v, handler saw %v", open, ids)
	}
	// still open: the next invocation suspends again without a second START
	mustPending(t, m, inv)
	m.completeCallback(open[0], types.OperationStatusSucceeded, aws.String(`"yes"`), nil)
	out, _ := m.run(t, inv, durable.Env{})
	var got string
	resultOf(t, out, &got)
	if got != "yes" {
		t.Fatalf("result %q", got)
	}
	if len(ids) != 3 || ids[1] != ids[0] || ids[2] != ids[0] {
		t.Fatalf("callback ids across invocations %v: want one id", ids)
	}
	if n := m.updateCount(); n != 1 {
		t.Fatalf("%d updates, want the one START", n)
	}
	replayUnchanged(t, m, inv, out)
}

// A callback that fails or times out gives a *CallbackError of that kind;
// uncaught, it fails the execution with the external error's message.
func TestCallbackFailureKinds(t *testing.T) {
	for _, tc := range []struct {
		status   types.OperationStatus
		errObj   *types.ErrorObject
		kind     durable.CallbackErrorKind
		sentinel error
		wireType string
	}{
		{types.OperationStatusFailed, errObjOf("RejectedError", "not approved"), durable.CallbackFailed, durable.ErrCallbackFailed, "CallbackExternalError"},
		{types.OperationStatusTimedOut, errObjOf("Callback.Timeout", "Callback timed out"), durable.CallbackTimedOut, durable.ErrCallbackTimedOut, "CallbackTimeoutError"},
		{types.OperationStatusTimedOut, errObjOf("Callback.Heartbeat", "Callback heartbeat timed out"), durable.CallbackTimedOut, durable.ErrCallbackTimedOut, "CallbackTimeoutError"},
	} {
		t.Run(aws.ToString(tc.errObj.ErrorType), func(t *testing.T) {
			var seen []error
			inv := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
				cb, err := durable.CreateCallback[string](ctx, "cb")
				if err != nil {
					return "", err
				}
				v, err := cb.Result()
				if err != nil {
					seen = append(seen, err)
				}
				return v, err
			})
			m := newMem(`null`)
			mustPending(t, m, inv)
			m.completeCallback(m.openCallbacks()[0], tc.status, nil, tc.errObj)
			out, _ := m.run(t, inv, durable.Env{})
			want := tc.wireType + ": " + aws.ToString(tc.errObj.ErrorMessage)
			if out.Status != durable.InvocationFailed || errString(out.Error) != want {
				t.Fatalf("output %s %s, want FAILED %s", out.Status, errString(out.Error), want)
			}
			last := seen[len(seen)-1]
			ce, ok := errors.AsType[*durable.CallbackError](last)
			if !ok || ce.Kind != tc.kind || ce.ErrorType != aws.ToString(tc.errObj.ErrorType) || ce.CallbackID == "" || !errors.Is(last, tc.sentinel) {
				t.Fatalf("error %#v: want kind %d with the service's error", last, tc.kind)
			}
			for _, other := range []error{durable.ErrCallbackFailed, durable.ErrCallbackTimedOut, durable.ErrCallbackSubmitterFailed} {
				if other != tc.sentinel && errors.Is(last, other) {
					t.Fatalf("%v also matches %v", last, other)
				}
			}
			replayUnchanged(t, m, inv, out)
		})
	}
}

// 4-16's shape: a custom serdes reads the bytes the external system sent.
type countSerdes struct{}

func (countSerdes) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	return []byte(strconv.Itoa(v.(int))), nil
}
func (countSerdes) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	data := string(raw)
	n, err := strconv.Atoi(strings.TrimSpace(data))
	*(ptr.(*int)) = n
	return err
}

func TestCallbackCustomSerdesAndEmptyResult(t *testing.T) {
	inv := durable.Handle(func(ctx durable.Context, _ any) ([]int, error) {
		a, err := durable.CreateCallback[int](ctx, "count", durable.WithCallbackSerdes(countSerdes{}))
		if err != nil {
			return nil, err
		}
		b, err := durable.CreateCallback[int](ctx, "empty")
		if err != nil {
			return nil, err
		}
		x, err := a.Result()
		if err != nil {
			return nil, err
		}
		y, err := b.Result()
		return []int{x, 2 * x, y}, err
	})
	m := newMem(`null`)
	mustPending(t, m, inv)
	open := m.openCallbacks()
	m.completeCallback(open[1], types.OperationStatusSucceeded, nil, nil) // a success with no payload
	mustPending(t, m, inv)                                                // count is still open
	m.completeCallback(open[0], types.OperationStatusSucceeded, aws.String(" 42"), nil)
	out, _ := m.run(t, inv, durable.Env{})
	var got []int
	resultOf(t, out, &got)
	if len(got) != 3 || got[0] != 42 || got[1] != 84 || got[2] != 0 {
		t.Fatalf("result %v", got)
	}
}

// WaitForCallback is a WaitForCallback CONTEXT holding an unnamed CALLBACK
// and an unnamed submitter STEP; the submitter gets the callback id and runs
// once; the context's payload is the callback's result as sent.
func TestWaitForCallbackStructure(t *testing.T) {
	type approval struct{ Status string }
	var submitted []string
	inv := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		v, err := durable.WaitForCallback[approval](ctx, "approve", func(sc durable.StepContext, id string) error {
			submitted = append(submitted, id)
			return nil
		}, durable.WithCallbackTimeout(3*time.Second))
		return v.Status, err
	})
	m := newMem(`null`)
	mustPending(t, m, inv)
	mustPending(t, m, inv)
	open := m.openCallbacks()
	if len(submitted) != 1 || len(open) != 1 || submitted[0] != open[0] {
		t.Fatalf("submitter ran with %v; open callbacks %v: want one run with the callback's id", submitted, open)
	}
	const sent = `{"Status": "approved"}`
	m.completeCallback(open[0], types.OperationStatusSucceeded, aws.String(sent), nil)
	out, _ := m.run(t, inv, durable.Env{})
	var got string
	resultOf(t, out, &got)
	if got != "approved" || len(submitted) != 1 {
		t.Fatalf("result %q, submitter runs %d", got, len(submitted))
	}
	ctxOp := m.opNamed(types.OperationTypeContext, "approve")
	if aws.ToString(ctxOp.SubType) != "WaitForCallback" || ctxOp.Status != types.OperationStatusSucceeded || aws.ToString(ctxOp.ContextDetails.Result) != sent {
		t.Fatalf("context %s %s payload %q", aws.ToString(ctxOp.SubType), ctxOp.Status, aws.ToString(ctxOp.ContextDetails.Result))
	}
	var kids []string
	for _, op := range m.ops {
		if aws.ToString(op.ParentId) == aws.ToString(ctxOp.Id) {
			if op.Name != nil {
				t.Errorf("child %s has name %q", op.Type, aws.ToString(op.Name))
			}
			kids = append(kids, string(op.Type)+"/"+aws.ToString(op.SubType))
		}
	}
	if strings.Join(kids, " ") != "CALLBACK/Callback STEP/Step" {
		t.Fatalf("children %v", kids)
	}
	if o := m.startOf(types.OperationTypeCallback, "").CallbackOptions; o.TimeoutSeconds != 3 {
		t.Fatalf("callback options %+v", o)
	}
	replayUnchanged(t, m, inv, out)
}

// The three ways a WaitForCallback fails, live and when rebuilt from the
// context's record on replay (its children are then hidden).
func TestWaitForCallbackFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   types.OperationStatus // how the callback ends; "" for a failing submitter
		errObj   *types.ErrorObject
		kind     durable.CallbackErrorKind
		wantWire string
	}{
		{"external", types.OperationStatusFailed, errObjOf("RejectedError", "not approved"), durable.CallbackFailed, "CallbackExternalError: not approved"},
		{"timeout", types.OperationStatusTimedOut, errObjOf("Callback.Timeout", "timed out"), durable.CallbackTimedOut, "CallbackTimeoutError: timed out"},
		{"submitter", "", errObjOf("Error", "queue unavailable"), durable.CallbackSubmitterFailed, "CallbackSubmitterError: queue unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen []*durable.CallbackError
			inv := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
				_, err := durable.WaitForCallback[string](ctx, "w", func(durable.StepContext, string) error {
					if tc.status == "" {
						return errors.New("queue unavailable")
					}
					return nil
				}, durable.WithSubmitterRetry(durable.LinearRetry(2, time.Second, 0)))
				if ce, ok := errors.AsType[*durable.CallbackError](err); ok {
					seen = append(seen, ce)
					return "caught " + ce.ErrorType, nil
				}
				return "", err
			})
			m := newMem(`null`)
			mustPending(t, m, inv)
			if tc.status != "" {
				m.completeCallback(m.openCallbacks()[0], tc.status, nil, tc.errObj)
			}
			out, n := m.run(t, inv, durable.Env{})
			var got string
			resultOf(t, out, &got)
			if want := "caught " + aws.ToString(tc.errObj.ErrorType); got != want {
				t.Fatalf("result %q, want %q", got, want)
			}
			if tc.status == "" && n != 2 {
				t.Fatalf("%d more invocations: want the submitter's retry after 1 s", n)
			}
			ctxOp := m.opNamed(types.OperationTypeContext, "w")
			if ctxOp.Status != types.OperationStatusFailed || errString(ctxOp.ContextDetails.Error) != tc.wantWire {
				t.Fatalf("context %s %s, want FAILED %s", ctxOp.Status, errString(ctxOp.ContextDetails.Error), tc.wantWire)
			}
			replayUnchanged(t, m, inv, out)
			live, replayed := seen[len(seen)-2], seen[len(seen)-1]
			if live.Kind != tc.kind || replayed.Kind != tc.kind || live.Message != replayed.Message || live.ErrorType != replayed.ErrorType {
				t.Fatalf("live %+v, replayed %+v: want kind %d and the same error", live, replayed, tc.kind)
			}
		})
	}
}

// Branches waiting for callbacks: each suspends, the Parallel suspends until
// all are answered, and a branch's callback error is found through its
// BatchItem's error.
func TestCallbacksInParallelBranches(t *testing.T) {
	branch := func(name string) durable.Branch[string] {
		return durable.Branch[string]{Name: name, Func: func(ctx durable.Context) (string, error) {
			return durable.WaitForCallback[string](ctx, name, func(durable.StepContext, string) error { return nil })
		}}
	}
	var res durable.BatchResult[string]
	inv := durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		r, err := durable.Parallel(ctx, "approvals", []durable.Branch[string]{branch("ok"), branch("late"), branch("no")}, durable.WithCompletion(durable.AllCompleted()))
		res = r
		return r.SuccessCount(), batchfail.Settled(err)
	})
	m := newMem(`null`)
	mustPending(t, m, inv)
	if open := m.openCallbacks(); len(open) != 3 {
		t.Fatalf("open callbacks %v", open)
	}
	m.completeCallback(m.callbackUnder("ok"), types.OperationStatusSucceeded, aws.String(`"fine"`), nil)
	mustPending(t, m, inv)
	m.completeCallback(m.callbackUnder("late"), types.OperationStatusTimedOut, nil, errObjOf("Callback.Timeout", "timed out"))
	m.completeCallback(m.callbackUnder("no"), types.OperationStatusFailed, nil, errObjOf("RejectedError", "not approved"))
	out, _ := m.run(t, inv, durable.Env{})
	var n int
	resultOf(t, out, &n)
	if n != 1 || res.FailureCount() != 2 || res.CompletionReason() != durable.CompletionAllCompleted || res.Results()[0] != "fine" {
		t.Fatalf("successes %d failures %d reason %s results %v", n, res.FailureCount(), res.CompletionReason(), res.Results())
	}
	kinds := map[string]durable.CallbackErrorKind{"late": durable.CallbackTimedOut, "no": durable.CallbackFailed}
	for _, it := range res.Failed() {
		ce, ok := errors.AsType[*durable.CallbackError](it.Err)
		if !ok || ce.Kind != kinds[it.Name] {
			t.Errorf("branch %s: error %v, want a callback error of kind %d", it.Name, it.Err, kinds[it.Name])
		}
	}
	replayUnchanged(t, m, inv, out)
}

func TestCallbackValidationAndNonDeterminism(t *testing.T) {
	m := newMem(`null`)
	var errs []error
	out, _ := m.run(t, durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		_, err := durable.CreateCallback[int](ctx, "neg", durable.WithCallbackTimeout(-time.Second))
		errs = append(errs, err)
		_, err = durable.WaitForCallback[int](ctx, "nil", nil)
		errs = append(errs, err)
		return 0, nil
	}), durable.Env{})
	for _, err := range errs {
		if _, ok := errors.AsType[*durable.ValidationError](err); !ok {
			t.Errorf("error %v, want a ValidationError", err)
		}
	}
	if out.Status != durable.InvocationSucceeded || m.updateCount() != 0 {
		t.Fatalf("status %s, %d updates: a validation error records nothing", out.Status, m.updateCount())
	}

	// a recorded callback where the code now invokes
	m = newMem(`null`)
	mustPending(t, m, durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		cb, err := durable.CreateCallback[int](ctx, "x")
		if err != nil {
			return 0, err
		}
		return cb.Result()
	}))
	out, _ = m.run(t, durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		return durable.Invoke[int](ctx, "x", "fn", 1)
	}), durable.Env{})
	if out.Status != durable.InvocationFailed || aws.ToString(out.Error.ErrorType) != "NonDeterministicExecutionError" {
		t.Fatalf("output %s %s", out.Status, errString(out.Error))
	}
}

// Map items wait on the outside world like Parallel branches: each item
// here invokes a function, then waits for a callback.
func TestInvokeAndCallbackInMapItems(t *testing.T) {
	inv := durable.Handle(func(ctx durable.Context, _ any) ([]string, error) {
		res, err := durable.Map(ctx, "items", []string{"a", "b"}, func(ic durable.Context, item string, _ int) (string, error) {
			v, err := durable.Invoke[string](ic, "call-"+item, "fn", item)
			if batchfail.Settled(err) != nil {
				return "", err
			}
			w, err := durable.WaitForCallback[string](ic, "cb-"+item, func(durable.StepContext, string) error { return nil })
			return v + w, err
		})
		if err != nil {
			return nil, err
		}
		return res.Results(), res.ThrowIfError()
	})
	m := newMem(`null`)
	mustPending(t, m, inv)
	m.completeInvoke("call-a", types.OperationStatusSucceeded, aws.String(`"A"`), nil)
	m.completeInvoke("call-b", types.OperationStatusSucceeded, aws.String(`"B"`), nil)
	mustPending(t, m, inv)
	m.completeCallback(m.callbackUnder("cb-b"), types.OperationStatusSucceeded, aws.String(`"2"`), nil)
	mustPending(t, m, inv)
	m.completeCallback(m.callbackUnder("cb-a"), types.OperationStatusSucceeded, aws.String(`"1"`), nil)
	out, _ := m.run(t, inv, durable.Env{})
	var got []string
	resultOf(t, out, &got)
	if len(got) != 2 || got[0] != "A1" || got[1] != "B2" {
		t.Fatalf("results %v", got)
	}
	replayUnchanged(t, m, inv, out)
}
