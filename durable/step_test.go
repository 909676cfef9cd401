package durable_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

type transientError struct{}

func (transientError) Error() string     { return "try again" }
func (transientError) ErrorType() string { return "TransientError" }

type plainTypedError struct{ msg string }

func (e *plainTypedError) Error() string { return e.msg }

// failingStep returns a handler whose one step fails with err on every
// attempt, counting the attempts it saw.
func failingStep(attempts *[]int, err error, opts ...durable.StepOption) func(durable.Context, any) (int, error) {
	return func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "flaky", func(sc durable.StepContext) (int, error) {
			*attempts = append(*attempts, sc.Attempt())
			return 0, err
		}, opts...)
	}
}

// retryDelays returns the NextAttemptDelaySeconds of every RETRY.
func retryDelays(m *memService) []int32 {
	var out []int32
	for _, u := range m.allUpdates() {
		if u.Action == types.OperationActionRetry {
			out = append(out, aws.ToInt32(u.StepOptions.NextAttemptDelaySeconds))
		}
	}
	return out
}

func TestNoRetryMakesOneAttempt(t *testing.T) {
	var attempts []int
	m := newMem(`{}`)
	out, n := m.run(t, durable.Handle(failingStep(&attempts, errBoom, durable.WithRetry(durable.NoRetry()))), durable.Env{})
	if n != 1 || !slices.Equal(attempts, []int{1}) || len(retryDelays(m)) != 0 {
		t.Fatalf("invocations %d, attempts %v, retries %v", n, attempts, retryDelays(m))
	}
	if out.Status != durable.InvocationFailed || errString(out.Error) != "StepError: boom" {
		t.Fatalf("output %s %s", out.Status, errString(out.Error))
	}
	op := m.find("flaky")[0]
	if op.Status != types.OperationStatusFailed || op.StepDetails.Attempt != 1 || errString(op.StepDetails.Error) != "Error: boom" {
		t.Fatalf("step %s attempt %d error %s", op.Status, op.StepDetails.Attempt, errString(op.StepDetails.Error))
	}
}

func TestDefaultRetryDelays(t *testing.T) {
	for _, tc := range []struct {
		jitter float64
		want   []int32
	}{
		{0.5, []int32{3, 5, 10, 20, 30}}, // ceil(0.5 * 5,10,20,40,60)
		{0, []int32{1, 1, 1, 1, 1}},      // never below 1 s
		{0.999, []int32{5, 10, 20, 40, 60}},
	} {
		var attempts []int
		m := newMem(`{}`)
		out, n := m.run(t, durable.Handle(failingStep(&attempts, errBoom)), durable.Env{Jitter: func() float64 { return tc.jitter }})
		if got := retryDelays(m); !slices.Equal(got, tc.want) {
			t.Fatalf("jitter %v: delays %v, want %v", tc.jitter, got, tc.want)
		}
		if n != 6 || !slices.Equal(attempts, []int{1, 2, 3, 4, 5, 6}) || out.Status != durable.InvocationFailed {
			t.Fatalf("invocations %d attempts %v status %s", n, attempts, out.Status)
		}
		if op := m.find("flaky")[0]; op.StepDetails.Attempt != 6 || op.Status != types.OperationStatusFailed {
			t.Fatalf("step %+v", op.StepDetails)
		}
	}
}

func TestLinearRetryDelays(t *testing.T) {
	var attempts []int
	m := newMem(`{}`)
	m.run(t, durable.Handle(failingStep(&attempts, errBoom, durable.WithRetry(durable.LinearRetry(4, time.Second, 2*time.Second)))), durable.Env{})
	if got := retryDelays(m); !slices.Equal(got, []int32{1, 3, 5}) || len(attempts) != 4 {
		t.Fatalf("delays %v attempts %v", got, attempts)
	}
}

func TestRetryFilters(t *testing.T) {
	cfg := durable.RetryConfig{MaxAttempts: 3, InitialDelay: time.Second, Jitter: durable.JitterNone, RetryableErrorTypes: []string{"TransientError"}}
	var attempts []int
	m := newMem(`{}`)
	m.run(t, durable.Handle(failingStep(&attempts, transientError{}, durable.WithRetry(durable.MustNewRetryStrategy(cfg)))), durable.Env{})
	if got := retryDelays(m); !slices.Equal(got, []int32{1, 2}) || len(attempts) != 3 {
		t.Fatalf("transient: delays %v attempts %v", got, attempts)
	}
	attempts = nil
	m = newMem(`{}`)
	m.run(t, durable.Handle(failingStep(&attempts, errBoom, durable.WithRetry(durable.MustNewRetryStrategy(cfg)))), durable.Env{})
	if len(retryDelays(m)) != 0 || len(attempts) != 1 {
		t.Fatalf("other error retried: %v", attempts)
	}
	msgCfg := durable.RetryConfig{MaxAttempts: 2, Jitter: durable.JitterNone, RetryableErrors: []string{"^bo+m$"}}
	attempts = nil
	m = newMem(`{}`)
	m.run(t, durable.Handle(failingStep(&attempts, errBoom, durable.WithRetry(durable.MustNewRetryStrategy(msgCfg)))), durable.Env{})
	if got := retryDelays(m); !slices.Equal(got, []int32{5}) {
		t.Fatalf("message filter: delays %v", got)
	}
}

func TestRetryThenSucceed(t *testing.T) {
	var attempts []int
	h := func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "flaky", func(sc durable.StepContext) (string, error) {
			attempts = append(attempts, sc.Attempt())
			if sc.Attempt() < 3 {
				return "", transientError{}
			}
			return "ok", nil
		})
	}
	m := newMem(`{}`)
	out, n := m.run(t, durable.Handle(h), durable.Env{Jitter: func() float64 { return 0 }})
	if out.Result != `"ok"` || n != 3 || !slices.Equal(attempts, []int{1, 2, 3}) {
		t.Fatalf("result %s invocations %d attempts %v", out.Result, n, attempts)
	}
	retry := m.allUpdates()[1]
	if retry.Action != types.OperationActionRetry || errString(retry.Error) != "TransientError: try again" {
		t.Fatalf("retry update %+v", retry)
	}
}

// crashOn makes the service fail the first checkpoint call holding an
// update with this action for a step with this name.
func crashOn(m *memService, name string, action types.OperationAction) {
	crashed := false
	m.fail = func(_ int, ups []types.OperationUpdate) error {
		for _, u := range ups {
			if !crashed && aws.ToString(u.Name) == name && u.Action == action {
				crashed = true
				return errors.New("injected crash")
			}
		}
		return nil
	}
}

func TestAtMostOnceStartedIsNotRerun(t *testing.T) {
	runs := 0
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "once", func(durable.StepContext) (int, error) { runs++; return 1, nil },
			durable.WithSemantics(durable.AtMostOncePerRetry), durable.WithRetry(durable.NoRetry()))
	}
	m := newMem(`{}`)
	crashOn(m, "once", types.OperationActionSucceed)
	inv := durable.Handle(h)
	if _, err := m.invokeOnce(t, inv, durable.Env{}); err == nil || !strings.Contains(err.Error(), "injected crash") {
		t.Fatalf("crashed invocation returned %v", err)
	}
	// START went out alone (blocking) before the body ran.
	if ups := m.allUpdates(); len(ups) != 1 || ups[0].Action != types.OperationActionStart || m.calls != 2 {
		t.Fatalf("updates %+v calls %d", ups, m.calls)
	}
	out, err := m.invokeOnce(t, inv, durable.Env{})
	if err != nil || out.Status != durable.InvocationFailed || runs != 1 {
		t.Fatalf("replay: %v %+v, body ran %d times", err, out, runs)
	}
	op := m.find("once")[0]
	if op.Status != types.OperationStatusFailed || aws.ToString(op.StepDetails.Error.ErrorType) != "StepInterruptedError" {
		t.Fatalf("step %s %s", op.Status, errString(op.StepDetails.Error))
	}
	if ups := m.allUpdates(); ups[len(ups)-1].Action != types.OperationActionFail || len(ups) != 2 {
		t.Fatalf("a START was sent again: %+v", ups)
	}
}

func TestAtMostOnceInterruptedRetries(t *testing.T) {
	var attempts []int
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "once", func(sc durable.StepContext) (int, error) { attempts = append(attempts, sc.Attempt()); return 7, nil },
			durable.WithSemantics(durable.AtMostOncePerRetry), durable.WithRetry(durable.LinearRetry(3, time.Second, 0)))
	}
	m := newMem(`{}`)
	crashOn(m, "once", types.OperationActionSucceed)
	inv := durable.Handle(h)
	if _, err := m.invokeOnce(t, inv, durable.Env{}); err == nil {
		t.Fatal("no crash")
	}
	out, _ := m.run(t, inv, durable.Env{})
	if out.Result != "7" || !slices.Equal(attempts, []int{1, 2}) {
		t.Fatalf("result %s attempts %v", out.Result, attempts)
	}
}

func TestAtLeastOnceStartedIsRerun(t *testing.T) {
	runs := 0
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "again", func(sc durable.StepContext) (int, error) { runs++; return sc.Attempt(), nil })
	}
	m := newMem(`{}`)
	crashOn(m, "again", types.OperationActionSucceed)
	inv := durable.Handle(h)
	if _, err := m.invokeOnce(t, inv, durable.Env{}); err == nil {
		t.Fatal("no crash")
	}
	// The crashed call carried START and SUCCEED together; nothing was applied.
	m.fail = nil
	out, _ := m.run(t, inv, durable.Env{})
	if out.Result != "1" || runs != 2 {
		t.Fatalf("result %s runs %d", out.Result, runs)
	}
}

func TestAtLeastOnceStartedRecordRerunsWithoutStart(t *testing.T) {
	runs := 0
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "s", func(sc durable.StepContext) (int, error) { runs++; return 1, nil })
	}
	m := newMem(`{}`)
	// Let START through alone, then crash on the SUCCEED batch.
	m.fail = func(call int, ups []types.OperationUpdate) error {
		if call == 1 && len(ups) == 2 {
			m.applyLocked(t, ups[0])
			return errors.New("injected crash")
		}
		return nil
	}
	inv := durable.Handle(h)
	if _, err := m.invokeOnce(t, inv, durable.Env{}); err == nil {
		t.Fatal("no crash")
	}
	if op := m.find("s")[0]; op.Status != types.OperationStatusStarted {
		t.Fatalf("step %s", op.Status)
	}
	m.fail = nil
	before := len(m.allUpdates())
	out, _ := m.run(t, inv, durable.Env{})
	ups := m.allUpdates()[before:]
	if out.Result != "1" || runs != 2 || len(ups) != 1 || ups[0].Action != types.OperationActionSucceed {
		t.Fatalf("result %s runs %d updates %+v", out.Result, runs, ups)
	}
}

func TestStepResultTooLarge(t *testing.T) {
	var attempts []int
	h := func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "big", func(sc durable.StepContext) (string, error) {
			attempts = append(attempts, sc.Attempt())
			return strings.Repeat("x", 300*1024), nil
		})
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	if out.Status != durable.InvocationFailed || len(attempts) != 1 {
		t.Fatalf("%s attempts %v", out.Status, attempts)
	}
	op := m.find("big")[0]
	if op.Status != types.OperationStatusFailed || aws.ToString(op.StepDetails.Error.ErrorType) != "PayloadTooLargeError" {
		t.Fatalf("step %s %s", op.Status, errString(op.StepDetails.Error))
	}
}

func TestStepResultNotSerializable(t *testing.T) {
	h := func(ctx durable.Context, _ any) (float64, error) {
		return durable.Step(ctx, "nan", func(durable.StepContext) (float64, error) { return math.NaN(), nil })
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	op := m.find("nan")[0]
	if out.Status != durable.InvocationFailed || aws.ToString(op.StepDetails.Error.ErrorType) != "SerdesError" || len(retryDelays(m)) != 0 {
		t.Fatalf("%s %s", out.Status, errString(op.StepDetails.Error))
	}
}

func TestStepPanicBecomesError(t *testing.T) {
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "p", func(durable.StepContext) (int, error) { panic("oops") }, durable.WithRetry(durable.NoRetry()))
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	op := m.find("p")[0]
	if out.Status != durable.InvocationFailed || errString(op.StepDetails.Error) != "PanicError: panic: oops" {
		t.Fatalf("%s %s", out.Status, errString(op.StepDetails.Error))
	}
}

func TestErrorTypeNames(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{transientError{}, "TransientError"},
		{&plainTypedError{"x"}, "plainTypedError"},
		{errors.New("x"), "Error"},
		{errors.Join(errBoom, transientError{}), "TransientError"},
	} {
		var attempts []int
		m := newMem(`{}`)
		m.run(t, durable.Handle(failingStep(&attempts, tc.err, durable.WithRetry(durable.NoRetry()))), durable.Env{})
		if got := aws.ToString(m.find("flaky")[0].StepDetails.Error.ErrorType); got != tc.want {
			t.Fatalf("%T: ErrorType %s, want %s", tc.err, got, tc.want)
		}
	}
}

// upper is a Serdes storing strings upper-cased (conformance 1-6).
type upper struct{}

func (upper) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	return []byte(`"` + strings.ToUpper(v.(string)) + `"`), nil
}
func (upper) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	s := string(raw)
	*ptr.(*string) = strings.Trim(s, `"`)
	return nil
}

func TestStepSerdes(t *testing.T) {
	h := func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "s", func(durable.StepContext) (string, error) { return "hello world", nil }, durable.WithStepSerdes(upper{}))
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	if out.Result != `"HELLO WORLD"` || aws.ToString(m.find("s")[0].StepDetails.Result) != `"HELLO WORLD"` {
		t.Fatalf("%s", out.Result)
	}
}

// stepAsContext gets a StepContext past the compiler where a Context is
// wanted, as code that wraps contexts could.
type stepAsContext struct{ durable.StepContext }

func (stepAsContext) ExecutionArn() string                        { return "" }
func (stepAsContext) IsReplaying() bool                           { return false }
func (stepAsContext) RequestID() string                           { return "" }
func (stepAsContext) LambdaContext() *lambdacontext.LambdaContext { return nil }

func TestNoDurableOperationInsideAStep(t *testing.T) {
	var inner error
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "outer", func(sc durable.StepContext) (int, error) {
			_, inner = durable.Step(stepAsContext{sc}, "inner", func(durable.StepContext) (int, error) { return 1, nil })
			return 2, nil
		})
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	var ve *durable.ValidationError
	if out.Result != "2" || !errors.As(inner, &ve) || len(m.find("inner")) != 0 {
		t.Fatalf("%s %v", out.Result, inner)
	}
}
