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

type purchase struct {
	ID    string `json:"id"`
	Items []int  `json:"items"`
}

func TestInvokeSuspendsUntilTheFunctionFinishes(t *testing.T) {
	inv := durable.Handle(func(ctx durable.Context, in purchase) (purchase, error) {
		return durable.Invoke[purchase](ctx, "price", "pricing:live", in, durable.WithTenantID("tenant-7"))
	})
	m := newMem(`{"id":"o1","items":[1,2]}`)
	mustPending(t, m, inv)
	mustPending(t, m, inv) // still running: no second START
	start := m.startOf(types.OperationTypeChainedInvoke, "price")
	o := start.ChainedInvokeOptions
	if aws.ToString(start.SubType) != "ChainedInvoke" || aws.ToString(start.Payload) != `{"id":"o1","items":[1,2]}` ||
		aws.ToString(o.FunctionName) != "pricing:live" || aws.ToString(o.TenantId) != "tenant-7" {
		t.Fatalf("START %s payload %s options %s %s", aws.ToString(start.SubType), aws.ToString(start.Payload), aws.ToString(o.FunctionName), aws.ToString(o.TenantId))
	}
	m.completeInvoke("price", types.OperationStatusSucceeded, aws.String(`{"id":"o1","items":[3]}`), nil)
	out, _ := m.run(t, inv, durable.Env{})
	var got purchase
	resultOf(t, out, &got)
	if got.ID != "o1" || len(got.Items) != 1 || got.Items[0] != 3 || m.updateCount() != 1 {
		t.Fatalf("result %+v, %d updates", got, m.updateCount())
	}
	replayUnchanged(t, m, inv, out)
}

// A function that failed, timed out or was stopped gives an *InvokeError
// with the service's error; uncaught it fails the execution as InvokeError.
func TestInvokeFailures(t *testing.T) {
	for _, status := range []types.OperationStatus{types.OperationStatusFailed, types.OperationStatusTimedOut, types.OperationStatusStopped} {
		t.Run(string(status), func(t *testing.T) {
			var seen []error
			inv := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
				v, err := durable.Invoke[string](ctx, "call", "target", "x")
				if err != nil {
					seen = append(seen, err)
				}
				return v, err
			})
			m := newMem(`null`)
			mustPending(t, m, inv)
			m.completeInvoke("call", status, nil, errObjOf("TargetError", "target function failed"))
			out, _ := m.run(t, inv, durable.Env{})
			if out.Status != durable.InvocationFailed || errString(out.Error) != "InvokeError: target function failed" {
				t.Fatalf("output %s %s", out.Status, errString(out.Error))
			}
			ie, ok := errors.AsType[*durable.InvokeError](seen[len(seen)-1])
			if !ok || ie.Status != status || ie.FunctionID != "target" || ie.ErrorType != "TargetError" || ie.Message != "target function failed" {
				t.Fatalf("error %#v", seen[len(seen)-1])
			}
			replayUnchanged(t, m, inv, out)
		})
	}
}

type upperSerdes struct{}

func (upperSerdes) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	return []byte(`"` + strings.ToUpper(v.(string)) + `"`), nil
}
func (upperSerdes) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	data := string(raw)
	*(ptr.(*string)) = strings.ToUpper(data)
	return nil
}

// 5-15 and 5-16's shapes: custom serdes on the way out and on the way back;
// and an invoke inside a child context is parented to it, its failure found
// through the child's error.
func TestInvokeSerdesAndNesting(t *testing.T) {
	var childErr error
	inv := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		v, err := durable.Invoke[string](ctx, "up", "echo", "hello", durable.WithInvokePayloadSerdes(upperSerdes{}), durable.WithInvokeResultSerdes(upperSerdes{}))
		if err != nil {
			return "", err
		}
		_, childErr = durable.RunInChildContext(ctx, "wrapper", func(cc durable.Context) (string, error) {
			return durable.Invoke[string](cc, "inner", "fail", 1)
		})
		return v, nil // a suspended child suspends the invocation whatever the handler returns
	})
	m := newMem(`null`)
	mustPending(t, m, inv)
	if p := aws.ToString(m.startOf(types.OperationTypeChainedInvoke, "up").Payload); p != `"HELLO"` {
		t.Fatalf("payload %s", p)
	}
	m.completeInvoke("up", types.OperationStatusSucceeded, aws.String(`"hello"`), nil)
	mustPending(t, m, inv)
	inner := m.opNamed(types.OperationTypeChainedInvoke, "inner")
	if aws.ToString(inner.ParentId) != aws.ToString(m.opNamed(types.OperationTypeContext, "wrapper").Id) {
		t.Fatal("the invoke inside the child context is not parented to it")
	}
	m.completeInvoke("inner", types.OperationStatusFailed, nil, errObjOf("Boom", "no"))
	out, _ := m.run(t, inv, durable.Env{})
	var got string
	resultOf(t, out, &got)
	if got != `"HELLO"` {
		t.Fatalf("result %q: the result serdes gets the recorded payload as it is", got)
	}
	if ie, ok := errors.AsType[*durable.InvokeError](childErr); !ok || ie.ErrorType != "Boom" || ie.Message != "no" {
		t.Fatalf("child error %v: want the invoke error through the ChildContextError", childErr)
	}
}

func TestInvokeValidation(t *testing.T) {
	m := newMem(`null`)
	var errs []error
	out, _ := m.run(t, durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		_, err := durable.Invoke[int](ctx, "noname", "", 1)
		errs = append(errs, err)
		_, err = durable.Invoke[int](ctx, "big", "fn", strings.Repeat("x", 256<<10))
		errs = append(errs, err)
		_, err = durable.Invoke[int](ctx, "chan", "fn", make(chan int))
		errs = append(errs, err)
		return 0, nil
	}), durable.Env{})
	if _, ok := errors.AsType[*durable.ValidationError](errs[0]); !ok {
		t.Errorf("empty function name: %v", errs[0])
	}
	if _, ok := errors.AsType[*durable.PayloadTooLargeError](errs[1]); !ok {
		t.Errorf("input over 256 KiB: %v", errs[1])
	}
	if _, ok := errors.AsType[*durable.SerdesError](errs[2]); !ok {
		t.Errorf("unserializable input: %v", errs[2])
	}
	if out.Status != durable.InvocationSucceeded || m.updateCount() != 0 {
		t.Fatalf("status %s, %d updates: nothing is recorded for a refused input", out.Status, m.updateCount())
	}
}
