package emulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/emulator"
	"github.com/dpcheck/dpcheck/harness/internal/historytest"
)

// suspended waits until the execution has suspended after n invocations,
// checking the backend's state (no wall-clock guess).
func suspended(t *testing.T, srv *emulator.Server, arn string, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st, err := srv.Backend().State(arn)
		if err == nil && !st.InFlight && st.Invocations >= n && st.Status == types.ExecutionStatusRunning {
			return
		}
		if err == nil && st.Status != types.ExecutionStatusRunning || time.Now().After(deadline) {
			t.Fatalf("the execution did not suspend after %d invocations: %+v, %v", n, st, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func startAsync(t *testing.T, lc *lambda.Client, function, payload string) string {
	t.Helper()
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String(function + ":$LATEST"), InvocationType: types.InvocationTypeEvent, Payload: []byte(payload)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.DurableExecutionArn)
}

// approval opens a callback with the given timeouts, hands its id to the
// test, and returns its result.
func approval(ids chan<- string, opts ...durable.CallbackOption) durable.Invoker {
	return durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		cb, err := durable.CreateCallback[string](ctx, "approval", opts...)
		if err != nil {
			return "", err
		}
		select {
		case ids <- cb.ID():
		default: // a replay: the test has it already
		}
		return cb.Result()
	})
}

// The three callback routes through the real client: the id travels as an
// escaped path label ('/', '+', '='), the success body is raw bytes, the
// failure body a bare ErrorObject, and each completion re-invokes.
func TestCallbackRoutes(t *testing.T) {
	ids := make(chan string, 1)
	srv, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "approval", Invoker: approval(ids, durable.WithCallbackHeartbeatTimeout(time.Hour))}}})
	c := ctx(t)

	arn := startAsync(t, lc, "approval", `{}`)
	id := <-ids
	suspended(t, srv, arn, 1)
	if _, err := lc.SendDurableExecutionCallbackHeartbeat(c, &lambda.SendDurableExecutionCallbackHeartbeatInput{CallbackId: aws.String(id)}); err != nil {
		t.Fatalf("heartbeat: %v", err)
	}
	if _, err := lc.SendDurableExecutionCallbackSuccess(c, &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: aws.String(id), Result: []byte(`"ok / +=é"`)}); err != nil {
		t.Fatalf("success: %v", err)
	}
	if err := srv.Wait(c, arn); err != nil {
		t.Fatal(err)
	}
	res := collect(t, lc, arn)
	if res.Status != types.ExecutionStatusSucceeded || aws.ToString(res.Output) != `"ok / +=é"` {
		t.Fatalf("%s with %s, want SUCCEEDED with the body", res.Status, aws.ToString(res.Output))
	}
	historytest.Match(t, res.History, `
- {EventId: 2, EventType: CallbackStarted, Name: approval, CallbackStartedDetails: {CallbackId: '*', HeartbeatTimeout: 3600}}
- {EventId: 3, EventType: InvocationCompleted}
- {EventId: 4, EventType: CallbackSucceeded, CallbackSucceededDetails: {Result: {Payload: '"ok / +=é"', Truncated: false}}}
- {EventId: 5, EventType: InvocationCompleted}
- {EventId: 6, EventType: ExecutionSucceeded}
`)
	// an answer to a closed callback: the API model's CallbackTimeoutException
	_, err := lc.SendDurableExecutionCallbackSuccess(c, &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: aws.String(id)})
	expectAPIError[*types.CallbackTimeoutException](t, err, 400)

	select { // the replay offered the first id again
	case <-ids:
	default:
	}
	arn = startAsync(t, lc, "approval", `{}`)
	id = <-ids
	suspended(t, srv, arn, 1)
	if _, err := lc.SendDurableExecutionCallbackFailure(c, &lambda.SendDurableExecutionCallbackFailureInput{
		CallbackId: aws.String(id), Error: &types.ErrorObject{ErrorType: aws.String("RejectedError"), ErrorMessage: aws.String("not approved"), StackTrace: []string{"a"}},
	}); err != nil {
		t.Fatalf("failure: %v", err)
	}
	if err := srv.Wait(c, arn); err != nil {
		t.Fatal(err)
	}
	res = collect(t, lc, arn)
	historytest.Match(t, res.History, `
- {EventId: 4, EventType: CallbackFailed, CallbackFailedDetails: {Error: {Payload: {ErrorType: RejectedError, ErrorMessage: not approved, StackTrace: [a]}}}}
`)
	if res.Status != types.ExecutionStatusFailed {
		t.Fatalf("status %s, want FAILED", res.Status)
	}
}

// callbackBesideWait is callback/4-9's handler: a callback, a wait, then
// the callback's result.
func callbackBesideWait(ids chan<- string, wait time.Duration, opts ...durable.CallbackOption) durable.Invoker {
	return durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		cb, err := durable.CreateCallback[string](ctx, "cb", opts...)
		if err != nil {
			return "", err
		}
		select {
		case ids <- cb.ID():
		default:
		}
		if err := durable.Wait(ctx, "pause", wait); err != nil {
			return "", err
		}
		return cb.Result()
	})
}

// The clock policy: while a callback is open the clock does not jump past
// the wait beside it, so a callback answered after the invocation ended
// still lands first; once no callback is open, waits cost nothing again.
func TestClockWaitsForOpenCallbacks(t *testing.T) {
	ids := make(chan string, 1)
	srv, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "cbwait", Invoker: callbackBesideWait(ids, time.Hour)}}})
	c := ctx(t)
	arn := startAsync(t, lc, "cbwait", `{}`)
	id := <-ids
	suspended(t, srv, arn, 1)
	if _, err := lc.SendDurableExecutionCallbackSuccess(c, &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: aws.String(id), Result: []byte(`"yes"`)}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(c, arn); err != nil {
		t.Fatal(err)
	}
	res := collect(t, lc, arn)
	if got, want := historytest.EventTypes(res.History), "ExecutionStarted CallbackStarted WaitStarted InvocationCompleted CallbackSucceeded InvocationCompleted WaitSucceeded InvocationCompleted ExecutionSucceeded"; got != want {
		t.Fatalf("events %s\nwant %s: the clock jumped past the open callback", got, want)
	}
}

// A callback answered in the backend wakes its execution before the clock
// may move, even when the emulator's poke after the answer has not come yet:
// here the pacer, started as the driver fell asleep, first looks at the
// clock only after the answer, and the poke never comes. Jumping then would
// fire the hour-long wait before the invocation that sees the answer.
func TestClockStandsForAnAnsweredCallback(t *testing.T) {
	ids := make(chan string, 1)
	srv, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "cbwait", Invoker: callbackBesideWait(ids, time.Hour)}}})
	pacing, answered := make(chan struct{}, 1), make(chan struct{})
	emulator.SetPaceHook(srv, func() {
		select {
		case pacing <- struct{}{}:
		default:
		}
		<-answered
	})
	c := ctx(t)
	arn := startAsync(t, lc, "cbwait", `{}`)
	id := <-ids
	<-pacing // the driver is asleep, the callback open
	if _, err := srv.Backend().SendDurableExecutionCallbackSuccess(c, &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: aws.String(id), Result: []byte(`"yes"`)}); err != nil {
		t.Fatal(err)
	}
	close(answered)
	if err := srv.Wait(c, arn); err != nil {
		t.Fatal(err)
	}
	res := collect(t, lc, arn)
	if got, want := historytest.EventTypes(res.History), "ExecutionStarted CallbackStarted WaitStarted InvocationCompleted CallbackSucceeded InvocationCompleted WaitSucceeded InvocationCompleted ExecutionSucceeded"; got != want {
		t.Fatalf("events %s\nwant %s: the clock moved while the execution was runnable", got, want)
	}
}

// An unanswered callback times out after its timeout of paced time (scaled
// here 20x), and the hour-long wait beside it then costs nothing.
func TestCallbackTimeoutIsPaced(t *testing.T) {
	ids := make(chan string, 1)
	srv, lc := start(t, emulator.Config{
		CallbackTimeScale: 20,
		Functions:         []emulator.Function{{Name: "cbwait", Invoker: callbackBesideWait(ids, time.Hour, durable.WithCallbackTimeout(2*time.Second))}},
	})
	c := ctx(t)
	began := time.Now()
	arn := startAsync(t, lc, "cbwait", `{}`)
	<-ids
	if err := srv.Wait(c, arn); err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	res := collect(t, lc, arn)
	if got, want := historytest.EventTypes(res.History), "ExecutionStarted CallbackStarted WaitStarted InvocationCompleted CallbackTimedOut InvocationCompleted WaitSucceeded InvocationCompleted ExecutionFailed"; got != want {
		t.Fatalf("events %s\nwant %s", got, want)
	}
	historytest.Match(t, res.History, `[{EventId: 5, EventType: CallbackTimedOut, CallbackTimedOutDetails: {Error: {Payload: {ErrorType: Callback.Timeout}}}}]`)
	// 2 s of virtual time at 20x is 100 ms of real time: paced, not jumped
	if took < 100*time.Millisecond {
		t.Fatalf("the callback timed out after %s of real time: the clock jumped over it", took)
	}
	// the timeout fired at its due instant, not later
	if d := res.History[4].EventTimestamp.Sub(*res.History[1].EventTimestamp); d < 2*time.Second || d > 3*time.Second {
		t.Fatalf("the callback timed out %s after it started, want about 2 s", d)
	}
}

// A chained invoke of a served durable function runs as an execution of
// its own, driven like any other (its wait on the same clock), and its
// result reaches the caller.
func TestChainedInvokeOfAServedFunction(t *testing.T) {
	upper := durable.Handle(func(ctx durable.Context, in string) (string, error) {
		if err := durable.Wait(ctx, "pause", time.Hour); err != nil {
			return "", err
		}
		return strings.ToUpper(in), nil
	})
	caller := durable.Handle(func(ctx durable.Context, in string) (string, error) {
		return durable.Invoke[string](ctx, "shout", "upper", in, durable.WithTenantID("t-9"))
	})
	_, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "upper", Invoker: upper}, {Name: "caller", Invoker: caller}}})
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("caller:$LATEST"), Payload: []byte(`"hi"`)})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("invoke: %v %s", err, out.Payload)
	}
	if string(out.Payload) != `"HI"` {
		t.Fatalf("payload %s, want \"HI\"", out.Payload)
	}
	res := collect(t, lc, aws.ToString(out.DurableExecutionArn))
	historytest.Match(t, res.History, `
- {EventId: 2, EventType: ChainedInvokeStarted, Name: shout, ChainedInvokeStartedDetails: {FunctionName: upper, TenantId: t-9, Input: {Payload: '"hi"'}, ExecutedVersion: $LATEST, DurableExecutionArn: '*'}}
- {EventId: 3, EventType: InvocationCompleted}
- {EventId: 4, EventType: ChainedInvokeSucceeded, ChainedInvokeSucceededDetails: {Result: {Payload: '"HI"'}}}
`)
	child := collect(t, lc, aws.ToString(res.History[1].ChainedInvokeStartedDetails.DurableExecutionArn))
	if child.Status != types.ExecutionStatusSucceeded || len(child.Invocations) != 2 {
		t.Fatalf("the target's execution: %s after %d invocations, want SUCCEEDED after 2", child.Status, len(child.Invocations))
	}
}

// A served caller chained-invoking a served target finishes: the clock
// stands while the target's invocation waits for its process, so neither
// execution jumps to its execution timeout.
func TestChainedInvokeBetweenServedProcesses(t *testing.T) {
	cfg := testFunction(t, "chain")
	self := cfg.Functions[0].Executable
	cfg.Functions = []emulator.Function{{Name: "caller", Executable: self}, {Name: "target", Executable: self}}
	_, lc := start(t, cfg)
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("caller:$LATEST"), Payload: []byte(`"hi"`)})
	if err != nil {
		t.Fatal(err)
	}
	res := collect(t, lc, aws.ToString(out.DurableExecutionArn))
	if out.FunctionError != nil || string(out.Payload) != `"HI"` || res.Status != types.ExecutionStatusSucceeded {
		var events []string
		for _, ev := range res.History {
			events = append(events, string(ev.EventType))
		}
		t.Fatalf("caller: %s, function error %q, payload %s, want SUCCEEDED \"HI\"; history %v",
			res.Status, aws.ToString(out.FunctionError), out.Payload, events)
	}
	historytest.Match(t, res.History, `
- {EventId: 2, EventType: ChainedInvokeStarted, Name: call}
- {EventId: 3, EventType: InvocationCompleted}
- {EventId: 4, EventType: ChainedInvokeSucceeded, ChainedInvokeSucceededDetails: {Result: {Payload: '"HI"'}}}
`)
}
