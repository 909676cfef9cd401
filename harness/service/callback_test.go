package service

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// startedCallback opens a callback in a fresh session and suspends the
// execution on it; it returns the session and the minted CallbackId.
func startedCallback(t *testing.T, timeout, heartbeat int32) (*session, string) {
	t.Helper()
	s := newSession(t, `"in"`)
	out := s.checkpoint(callbackStart("cb1", "approval", "", timeout, heartbeat))
	ops := out.NewExecutionState.Operations
	if len(ops) != 1 || ops[0].CallbackDetails == nil || aws.ToString(ops[0].CallbackDetails.CallbackId) == "" {
		t.Fatalf("the checkpoint response must carry the callback with its CallbackId: %+v", ops)
	}
	if o := s.end(`{"Status":"PENDING"}`); o.Next != NextWait || o.InvocationError != nil {
		t.Fatalf("PENDING on an open callback: outcome %+v, want NextWait without error", o)
	}
	return s, aws.ToString(ops[0].CallbackDetails.CallbackId)
}

func (s *session) succeed(id string, result []byte) error {
	_, err := s.b.SendDurableExecutionCallbackSuccess(context.Background(), &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: aws.String(id), Result: result})
	return err
}

func (s *session) fail(id string, e *types.ErrorObject) error {
	_, err := s.b.SendDurableExecutionCallbackFailure(context.Background(), &lambda.SendDurableExecutionCallbackFailureInput{CallbackId: aws.String(id), Error: e})
	return err
}

func (s *session) heartbeat(id string) error {
	_, err := s.b.SendDurableExecutionCallbackHeartbeat(context.Background(), &lambda.SendDurableExecutionCallbackHeartbeatInput{CallbackId: aws.String(id)})
	return err
}

// awake reports whether the execution needs an invocation.
func (s *session) awake() bool {
	e := s.b.lookup(&s.arn)
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.wake
}

func TestCallbackSuccess(t *testing.T) {
	s, id := startedCallback(t, 30, 0)
	if !strings.ContainsAny(id, "+/=") && len(id)%4 != 0 {
		t.Fatalf("CallbackId %q is not standard base64", id)
	}
	if s.b.OpenCallbacks() != 1 || s.awake() {
		t.Fatalf("open callbacks %d, awake %v; want 1 and asleep", s.b.OpenCallbacks(), s.awake())
	}
	s.b.Advance(10 * time.Second)
	if err := s.succeed(id, []byte(`"approved"`)); err != nil {
		t.Fatal(err)
	}
	if s.b.OpenCallbacks() != 0 || !s.awake() {
		t.Fatalf("after success: open callbacks %d, awake %v; want 0 and awake", s.b.OpenCallbacks(), s.awake())
	}
	for _, p := range s.b.PendingTimers() {
		if p.Kind == TimerCallback {
			t.Fatalf("the timeout timer outlived the callback: %+v", p)
		}
	}
	env := s.begin()
	cb := env.InitialExecutionState.Operations[1]
	if cb.Status != types.OperationStatusSucceeded || aws.ToString(cb.CallbackDetails.Result) != `"approved"` ||
		aws.ToString(cb.CallbackDetails.CallbackId) != id || !cb.EndTimestamp.Equal(DefaultStart.Add(10*time.Second)) {
		t.Fatalf("replay sees the callback %+v, want SUCCEEDED with the result verbatim at +10s", cb)
	}
	s.end(`{"Status":"SUCCEEDED","Result":"\"approved\""}`)
	h := s.history()
	if got, want := eventTypes(h), "ExecutionStarted CallbackStarted InvocationCompleted CallbackSucceeded InvocationCompleted ExecutionSucceeded"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	matchHistory(t, h, `
- {EventId: 2, EventType: CallbackStarted, SubType: Callback, Id: cb1, Name: approval, CallbackStartedDetails: {CallbackId: '*', Timeout: 30}}
- {EventId: 4, EventType: CallbackSucceeded, SubType: Callback, Id: cb1, Name: approval, CallbackSucceededDetails: {Result: {Payload: '"approved"', Truncated: false}}}
`)
	if h[1].CallbackStartedDetails.HeartbeatTimeout != nil {
		t.Errorf("a callback without a heartbeat timeout must not record one")
	}
	// after the execution ended its callbacks are closed
	wantServiceError[*types.CallbackTimeoutException](t, s.succeed(id, nil), "is closed: its durable execution has ended (SUCCEEDED)")
}

func TestCallbackEmptySuccessAndFailure(t *testing.T) {
	s, id := startedCallback(t, 0, 0)
	if err := s.succeed(id, nil); err != nil {
		t.Fatal(err)
	}
	if st := s.state()[1]; st.CallbackDetails.Result != nil {
		t.Fatalf("an empty success must store no result, got %q", *st.CallbackDetails.Result)
	}
	matchHistory(t, s.history(), `[{EventId: 4, EventType: CallbackSucceeded, CallbackSucceededDetails: {Result: {Truncated: false}}}]`)

	s, id = startedCallback(t, 0, 0)
	if err := s.fail(id, &types.ErrorObject{ErrorType: aws.String("RejectedError"), ErrorMessage: aws.String("not approved")}); err != nil {
		t.Fatal(err)
	}
	cb := s.state()[1]
	if cb.Status != types.OperationStatusFailed || cb.CallbackDetails.Error.ErrorData != nil || aws.ToString(cb.CallbackDetails.Error.ErrorType) != "RejectedError" {
		t.Fatalf("failed callback %+v: the error is kept as sent, absent fields absent", cb.CallbackDetails.Error)
	}
	matchHistory(t, s.history(), `
- {EventId: 4, EventType: CallbackFailed, Id: cb1, CallbackFailedDetails: {Error: {Payload: {ErrorType: RejectedError, ErrorMessage: not approved}, Truncated: false}}}
`)
	if !s.awake() {
		t.Fatal("a failed callback must re-invoke the execution")
	}
}

func TestCallbackTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name               string
		timeout, heartbeat int32
		heartbeats         []time.Duration // when heartbeats are sent, from the start
		firesAt            time.Duration
		errType            string
	}{
		{"overall timeout", 5, 0, nil, 5 * time.Second, "Callback.Timeout"},
		{"heartbeat timeout", 0, 5, nil, 5 * time.Second, "Callback.Heartbeat"},
		{"heartbeats keep it alive", 0, 5, []time.Duration{4 * time.Second, 8 * time.Second}, 13 * time.Second, "Callback.Heartbeat"},
		{"overall timeout beats heartbeats", 10, 5, []time.Duration{4 * time.Second, 8 * time.Second}, 10 * time.Second, "Callback.Timeout"},
		{"heartbeat without a heartbeat timeout is ignored", 7, 0, []time.Duration{3 * time.Second}, 7 * time.Second, "Callback.Timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, id := startedCallback(t, tc.timeout, tc.heartbeat)
			for _, at := range tc.heartbeats {
				s.b.AdvanceTo(DefaultStart.Add(at))
				if err := s.heartbeat(id); err != nil {
					t.Fatalf("heartbeat at %s: %v", at, err)
				}
				if s.awake() {
					t.Fatalf("a heartbeat must not re-invoke the execution")
				}
			}
			s.b.AdvanceTo(DefaultStart.Add(tc.firesAt - time.Millisecond))
			if s.state()[1].Status != types.OperationStatusStarted {
				t.Fatalf("timed out before %s", tc.firesAt)
			}
			s.b.AdvanceTo(DefaultStart.Add(tc.firesAt))
			cb := s.state()[1]
			if cb.Status != types.OperationStatusTimedOut || aws.ToString(cb.CallbackDetails.Error.ErrorType) != tc.errType ||
				!cb.EndTimestamp.Equal(DefaultStart.Add(tc.firesAt)) || !s.awake() || s.b.OpenCallbacks() != 0 {
				t.Fatalf("at %s the callback is %s with %+v (awake %v); want TIMED_OUT with %s and a wake-up",
					tc.firesAt, cb.Status, cb.CallbackDetails.Error, s.awake(), tc.errType)
			}
			matchHistory(t, s.history(), `
- {EventId: 4, EventType: CallbackTimedOut, Id: cb1, CallbackTimedOutDetails: {Error: {Payload: {ErrorType: `+tc.errType+`}, Truncated: false}}}
`)
			for _, p := range s.b.PendingTimers() {
				if p.OperationId == "cb1" {
					t.Fatalf("a timer of the timed-out callback is still armed: %+v", p)
				}
			}
			wantServiceError[*types.CallbackTimeoutException](t, s.succeed(id, nil), "timed out")
			wantServiceError[*types.CallbackTimeoutException](t, s.heartbeat(id), "timed out")
		})
	}
}

func TestCallbackSendRejected(t *testing.T) {
	s, id := startedCallback(t, 0, 0)
	other := base64.StdEncoding.EncodeToString([]byte(s.arn + "\x00nope"))
	noExec := base64.StdEncoding.EncodeToString([]byte("arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST/durable-execution/x/y\x00cb1"))
	big := make([]byte, DefaultLimits.MaxPayloadBytes+1)
	for _, tc := range []struct {
		name string
		send func() error
		want string
	}{
		{"no id", func() error { return s.succeed("", nil) }, "CallbackId is required"},
		{"not base64", func() error { return s.heartbeat("has space") }, "base64 alphabet"},
		{"too long", func() error { return s.heartbeat(strings.Repeat("A", 1025)) }, "1-1024"},
		{"undecodable", func() error { return s.succeed("AAAA", nil) }, "does not name a callback"},
		{"unknown operation", func() error { return s.fail(other, nil) }, "does not name a callback"},
		{"unknown execution", func() error { return s.succeed(noExec, nil) }, "does not name a callback"},
		{"result over the limit", func() error { return s.succeed(id, big) }, "the Result is"},
		{"error over the limit", func() error {
			return s.fail(id, &types.ErrorObject{ErrorMessage: aws.String(string(big))})
		}, "the Error is"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.history())
			wantServiceError[*types.InvalidParameterValueException](t, tc.send(), tc.want)
			if len(s.history()) != before || s.state()[1].Status != types.OperationStatusStarted || s.awake() {
				t.Fatalf("a rejected call changed the execution")
			}
		})
	}
	if err := s.succeed(id, []byte("1")); err != nil {
		t.Fatal(err)
	}
	wantServiceError[*types.CallbackTimeoutException](t, s.succeed(id, nil), "callback "+id+" is closed: already SUCCEEDED")
	wantServiceError[*types.CallbackTimeoutException](t, s.fail(id, nil), "callback "+id+" is closed: already SUCCEEDED")
	wantServiceError[*types.CallbackTimeoutException](t, s.heartbeat(id), "callback "+id+" is closed: already SUCCEEDED")

	// a callback of an ended execution
	s, id = startedCallback(t, 0, 0)
	if _, err := s.b.StopDurableExecution(context.Background(), &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(s.arn)}); err != nil {
		t.Fatal(err)
	}
	wantServiceError[*types.CallbackTimeoutException](t, s.succeed(id, nil), "callback "+id+" is closed: its durable execution has ended (STOPPED)")
	if s.b.OpenCallbacks() != 0 {
		t.Fatalf("an ended execution's callbacks still count as open: %d", s.b.OpenCallbacks())
	}
}

func TestCallbackStartRejected(t *testing.T) {
	s := newSession(t, "null")
	s.checkpoint(callbackStart("cb1", "a", "", 0, 0))
	withPayload := callbackStart("cb2", "b", "", 0, 0)
	withPayload.Payload = aws.String("1")
	for _, tc := range []struct {
		name string
		u    types.OperationUpdate
		want string
	}{
		{"twice", callbackStart("cb1", "a", "", 0, 0), "already exists"},
		{"succeed", upd("cb1", types.OperationTypeCallback, types.OperationActionSucceed), "not allowed for a CALLBACK"},
		{"negative timeout", callbackStart("cb3", "c", "", -1, 0), "TimeoutSeconds -1"},
		{"heartbeat over a year", callbackStart("cb3", "c", "", 0, DefaultLimits.MaxWaitSeconds+1), "HeartbeatTimeoutSeconds"},
		{"payload", withPayload, "neither Payload nor Error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.try(tc.u)
			wantServiceError[*types.InvalidParameterValueException](t, err, tc.want)
		})
	}
}

// A callback completed while an invocation is in flight reaches the
// handler in the next checkpoint response, and the invocation's end asks
// for another invocation instead of suspending.
func TestCallbackCompletedMidInvocation(t *testing.T) {
	s := newSession(t, "null")
	out := s.checkpoint(callbackStart("cb1", "a", "", 0, 0))
	id := aws.ToString(out.NewExecutionState.Operations[0].CallbackDetails.CallbackId)
	if err := s.succeed(id, []byte("7")); err != nil {
		t.Fatal(err)
	}
	out = s.checkpoint()
	if ops := out.NewExecutionState.Operations; len(ops) != 1 || ops[0].Status != types.OperationStatusSucceeded || aws.ToString(ops[0].CallbackDetails.Result) != "7" {
		t.Fatalf("the poll must deliver the completed callback: %+v", ops)
	}
	if o := s.end(`{"Status":"PENDING"}`); o.Next != NextInvoke {
		t.Fatalf("outcome %+v, want NextInvoke", o)
	}
}

// scriptedActor answers each callback of its execution once, with a
// success after delay, the way a conformance CallbackAction does.
type scriptedActor struct {
	delay    time.Duration
	answered map[string]bool
}

func (a *scriptedActor) Suspended(ctx context.Context, b *Backend, arn string) error {
	st, err := b.State(arn)
	if err != nil {
		return err
	}
	for _, op := range st.Operations {
		if op.Type != types.OperationTypeCallback || op.Status != types.OperationStatusStarted || a.answered[*op.Id] {
			continue
		}
		a.answered[*op.Id] = true
		id := op.CallbackDetails.CallbackId
		err := b.Schedule(arn, op.StartTimestamp.Add(a.delay), func() {
			_, _ = b.SendDurableExecutionCallbackSuccess(ctx, &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: id, Result: []byte(`"ok"`)})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// callbackThenWait is callback/4-9's handler written against the service
// by hand: a callback and a 5 s wait, then the callback's result.
func callbackThenWait(t *testing.T, b *Backend, arn string) InvokeFunc {
	return func(ctx context.Context, raw []byte) ([]byte, error) {
		s := &session{t: t, b: b, arn: arn}
		env := s.decode(raw)
		ops := map[string]types.Operation{}
		for _, op := range env.InitialExecutionState.Operations {
			ops[aws.ToString(op.Id)] = op
		}
		if _, ok := ops["cb"]; !ok {
			s.checkpoint(callbackStart("cb", "cb", "", 0, 0), waitStart("w", "w", "", 5))
			return []byte(`{"Status":"PENDING"}`), nil
		}
		if ops["cb"].Status != types.OperationStatusSucceeded || ops["w"].Status != types.OperationStatusSucceeded {
			return []byte(`{"Status":"PENDING"}`), nil
		}
		return []byte(`{"Status":"SUCCEEDED","Result":` + jsonQuote(*ops["cb"].CallbackDetails.Result) + `}`), nil
	}
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestDriveWithActor(t *testing.T) {
	for _, tc := range []struct {
		name   string
		delay  time.Duration
		events string
		status types.ExecutionStatus
	}{
		// the callback arrives during the wait: one extra invocation sees it
		{"callback before the wait ends", time.Second,
			"ExecutionStarted CallbackStarted WaitStarted InvocationCompleted CallbackSucceeded InvocationCompleted WaitSucceeded InvocationCompleted ExecutionSucceeded",
			types.ExecutionStatusSucceeded},
		{"callback after the wait ends", 9 * time.Second,
			"ExecutionStarted CallbackStarted WaitStarted InvocationCompleted WaitSucceeded InvocationCompleted CallbackSucceeded InvocationCompleted ExecutionSucceeded",
			types.ExecutionStatusSucceeded},
		// nobody answers: the execution timeout ends it
		{"no actor", 0,
			"ExecutionStarted CallbackStarted WaitStarted InvocationCompleted WaitSucceeded InvocationCompleted ExecutionTimedOut",
			types.ExecutionStatusTimedOut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBackend(WithExecutionTimeout(time.Hour))
			arn, err := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: "null"})
			if err != nil {
				t.Fatal(err)
			}
			opts := DriveOptions{}
			if tc.delay > 0 {
				opts.Actor = &scriptedActor{delay: tc.delay, answered: map[string]bool{}}
			}
			if _, err := b.DriveWith(context.Background(), arn, callbackThenWait(t, b, arn), opts); err != nil {
				t.Fatal(err)
			}
			st, _ := b.State(arn)
			h, _ := b.SharedHistory(arn)
			if got := eventTypes(h); got != tc.events || st.Status != tc.status {
				t.Fatalf("%s with events\n%s\nwant %s with\n%s", st.Status, got, tc.status, tc.events)
			}
		})
	}
}

func TestScheduleAndAwake(t *testing.T) {
	s, id := startedCallback(t, 0, 0)
	s.b.Advance(10 * time.Second)
	ran := 0
	// an instant already past runs at the clock's now, in due order
	if err := s.b.Schedule(s.arn, DefaultStart, func() { ran++ }); err != nil {
		t.Fatal(err)
	}
	if err := s.b.Schedule(s.arn, s.b.Now().Add(time.Second), func() {
		ran++
		if err := s.succeed(id, []byte("1")); err != nil {
			t.Errorf("the action calls the API: %v", err)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if s.b.Awake(s.arn) {
		t.Fatal("nothing has happened yet: not awake")
	}
	if fired := s.b.FireNext(); len(fired) != 1 || fired[0].Kind != TimerAction || ran != 1 || !s.b.Now().Equal(DefaultStart.Add(10*time.Second)) {
		t.Fatalf("fired %+v (ran %d) at %s: the past action runs first, at now", fired, ran, s.b.Now())
	}
	s.b.FireNext()
	if ran != 2 || !s.b.Awake(s.arn) {
		t.Fatalf("ran %d, awake %v: the second action answered the callback", ran, s.b.Awake(s.arn))
	}
	// an action of an execution that ended meanwhile does not run
	if err := s.b.Schedule(s.arn, s.b.Now().Add(time.Second), func() { ran++ }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.b.StopDurableExecution(context.Background(), &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(s.arn)}); err != nil {
		t.Fatal(err)
	}
	s.b.Advance(time.Minute)
	if ran != 2 || s.b.Awake(s.arn) {
		t.Fatalf("ran %d, awake %v after the stop", ran, s.b.Awake(s.arn))
	}
	var le *LifecycleError
	if err := s.b.Schedule(s.arn, s.b.Now(), func() {}); !errors.As(err, &le) {
		t.Fatalf("Schedule on an ended execution: %v, want *LifecycleError", err)
	}
}
