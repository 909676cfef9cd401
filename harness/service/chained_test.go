package service

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// targets is a ChainedInvoker over hand-written functions: plain ones
// answer directly; durable ones are driven on the backend with a scripted
// InvokeFunc.
type targets struct {
	b       *Backend
	plain   map[string]func(payload string) (string, *types.ErrorObject)
	durable map[string]InvokeFunc
	calls   []ChainedInvocation
}

func (ts *targets) Lookup(fn string) (bool, bool) {
	name, _ := SplitFunctionName(fn)
	if _, ok := ts.durable[name]; ok {
		return true, true
	}
	_, ok := ts.plain[name]
	return false, ok
}

func (ts *targets) Invoke(ctx context.Context, inv ChainedInvocation) ([]byte, *types.ErrorObject, error) {
	ts.calls = append(ts.calls, inv)
	name, _ := SplitFunctionName(inv.FunctionName)
	if inv.Durable {
		_, err := ts.b.Drive(ctx, inv.ExecutionArn, ts.durable[name], 0)
		return nil, nil, err
	}
	out, fnErr := ts.plain[name](aws.ToString(inv.Payload))
	return []byte(out), fnErr, nil
}

// answer is a durable target's handler that ends at once with output.
func answer(output string) InvokeFunc {
	return func(context.Context, []byte) ([]byte, error) { return []byte(output), nil }
}

func newTargets() *targets {
	return &targets{
		plain: map[string]func(string) (string, *types.ErrorObject){
			"echo": func(p string) (string, *types.ErrorObject) { return p, nil },
			"boom": func(string) (string, *types.ErrorObject) { return "", errObj("BoomError", "boom") },
		},
		durable: map[string]InvokeFunc{
			"dok":   answer(`{"Status":"SUCCEEDED","Result":"\"child done\""}`),
			"dfail": answer(`{"Status":"FAILED","Error":{"ErrorType":"ChildError","ErrorMessage":"no"}}`),
		},
	}
}

// chainedSession starts a chained invoke of function in a fresh session
// with the targets, ends the invocation PENDING and runs what it handed
// out.
func chainedSession(t *testing.T, ts *targets, function, tenant string, payload *string) (*session, Outcome) {
	t.Helper()
	s := newSession(t, "null", WithChainedInvoker(ts))
	ts.b = s.b
	out := s.checkpoint(chainedStart("ci1", function, tenant, payload))
	if op := out.NewExecutionState.Operations[0]; op.Status != types.OperationStatusStarted || op.Type != types.OperationTypeChainedInvoke {
		t.Fatalf("the chained invoke must be STARTED, got %+v", op)
	}
	if len(ts.calls) != 0 {
		t.Fatalf("the target ran during the invocation that started it")
	}
	o := s.end(`{"Status":"PENDING"}`)
	if o.Next != NextWait || o.InvocationError != nil || len(o.ChainedInvokes) != 1 || !o.WakeAt.IsZero() {
		t.Fatalf("outcome %+v: want NextWait on the outside, no timer, the chained invoke handed out", o)
	}
	if err := s.b.RunChainedInvoke(context.Background(), o.ChainedInvokes[0]); err != nil {
		t.Fatal(err)
	}
	return s, o
}

func TestChainedInvokePlainTarget(t *testing.T) {
	ts := newTargets()
	s, o := chainedSession(t, ts, "echo", "tenant-7", aws.String(`"hi"`))
	if inv := ts.calls[0]; inv.TenantId != "tenant-7" || aws.ToString(inv.Payload) != `"hi"` || inv.Durable || inv.ParentArn != s.arn || inv.OperationId != "ci1" {
		t.Fatalf("the target got %+v", inv)
	}
	if !s.awake() {
		t.Fatal("a finished chained invoke must re-invoke the execution")
	}
	op := s.state()[1]
	if op.Status != types.OperationStatusSucceeded || aws.ToString(op.ChainedInvokeDetails.Result) != `"hi"` {
		t.Fatalf("operation %+v, want SUCCEEDED with the target's output", op)
	}
	h := s.history()
	if got, want := eventTypes(h), "ExecutionStarted ChainedInvokeStarted InvocationCompleted ChainedInvokeSucceeded"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	matchHistory(t, h, `
- EventId: 2
  EventType: ChainedInvokeStarted
  SubType: ChainedInvoke
  Id: ci1
  ChainedInvokeStartedDetails: {FunctionName: echo, TenantId: tenant-7, Input: {Payload: '"hi"', Truncated: false}, ExecutedVersion: $LATEST, DurableExecutionArn: '${/:function:echo:\$LATEST\/durable-execution\//}'}
- {EventId: 4, EventType: ChainedInvokeSucceeded, Id: ci1, ChainedInvokeSucceededDetails: {Result: {Payload: '"hi"', Truncated: false}}}
`)
	if arn := aws.ToString(h[1].ChainedInvokeStartedDetails.DurableExecutionArn); arn != o.ChainedInvokes[0].ExecutionArn {
		t.Fatalf("the event names %s, the invocation %s", arn, o.ChainedInvokes[0].ExecutionArn)
	}
}

func TestChainedInvokeOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name, function string
		status         types.OperationStatus
		event          string
		details        string
	}{
		{"plain target fails", "boom", types.OperationStatusFailed, "ChainedInvokeFailed",
			`ChainedInvokeFailedDetails: {Error: {Payload: {ErrorType: BoomError, ErrorMessage: boom}}}`},
		{"unknown target", "nobody", types.OperationStatusFailed, "ChainedInvokeFailed",
			`ChainedInvokeFailedDetails: {Error: {Payload: {ErrorType: ResourceNotFoundException, ErrorMessage: 'Function not found: nobody'}}}`},
		{"durable target succeeds", "dok:live", types.OperationStatusSucceeded, "ChainedInvokeSucceeded",
			`ChainedInvokeSucceededDetails: {Result: {Payload: '"child done"'}}`},
		{"durable target fails", "arn:aws:lambda:us-east-1:123456789012:function:dfail", types.OperationStatusFailed, "ChainedInvokeFailed",
			`ChainedInvokeFailedDetails: {Error: {Payload: {ErrorType: ChildError, ErrorMessage: "no"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, o := chainedSession(t, newTargets(), tc.function, "", aws.String(`{"n":1}`))
			if op := s.state()[1]; op.Status != tc.status {
				t.Fatalf("operation %s, want %s", op.Status, tc.status)
			}
			matchHistory(t, s.history(), `[{EventId: 4, EventType: `+tc.event+`, Id: ci1, `+tc.details+`}]`)
			inv := o.ChainedInvokes[0]
			if !inv.Durable {
				return
			}
			// the target's own execution: named in the event, with the input
			child, err := s.b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(inv.ExecutionArn)})
			if err != nil {
				t.Fatalf("the durable target's execution: %v", err)
			}
			if aws.ToString(child.InputPayload) != `{"n":1}` || string(child.Status) != string(tc.status) {
				t.Fatalf("child execution %s with input %s", child.Status, aws.ToString(child.InputPayload))
			}
			if strings.HasSuffix(tc.function, ":live") && !strings.Contains(inv.ExecutionArn, ":function:dok:live/durable-execution/") {
				t.Fatalf("the qualifier must carry into the child's ARN: %s", inv.ExecutionArn)
			}
		})
	}
}

// A durable target that is stopped or times out ends the operation the
// same way, with the target's error.
func TestChainedInvokeDurableTargetEnds(t *testing.T) {
	stopSelf := func(b *Backend) InvokeFunc {
		return func(ctx context.Context, raw []byte) ([]byte, error) {
			s := &session{t: t, b: b}
			env := s.decode(raw)
			_, err := b.StopDurableExecution(ctx, &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(env.DurableExecutionArn), Error: errObj("Halted", "stopped by test")})
			return []byte(`{"Status":"PENDING"}`), err
		}
	}
	waitLong := func(b *Backend) InvokeFunc {
		return func(ctx context.Context, raw []byte) ([]byte, error) {
			s := &session{t: t, b: b}
			env := s.decode(raw)
			s.arn = env.DurableExecutionArn
			if len(env.InitialExecutionState.Operations) == 1 {
				s.checkpoint(waitStart("w", "w", "", 7200))
			}
			return []byte(`{"Status":"PENDING"}`), nil
		}
	}
	for _, tc := range []struct {
		name   string
		target func(*Backend) InvokeFunc
		status types.OperationStatus
		event  string
	}{
		{"stopped", stopSelf, types.OperationStatusStopped, "ChainedInvokeStopped"},
		{"timed out", waitLong, types.OperationStatusTimedOut, "ChainedInvokeTimedOut"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTargets()
			b := NewBackend(WithChainedInvoker(ts), WithExecutionTimeout(time.Hour))
			ts.b = b
			ts.durable["child"] = tc.target(b)
			// the parent lives longer than the child's one hour
			arn, err := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: "null", ExecutionTimeout: 86400})
			if err != nil {
				t.Fatal(err)
			}
			s := &session{t: t, b: b, arn: arn}
			s.begin()
			s.checkpoint(chainedStart("ci1", "child", "", nil))
			o := s.end(`{"Status":"PENDING"}`)
			if err := b.RunChainedInvoke(context.Background(), o.ChainedInvokes[0]); err != nil {
				t.Fatal(err)
			}
			if op := s.state()[1]; op.Status != tc.status || op.ChainedInvokeDetails.Error == nil {
				t.Fatalf("operation %s with %+v, want %s with the child's error", op.Status, op.ChainedInvokeDetails, tc.status)
			}
			matchHistory(t, s.history(), `[{EventId: 4, EventType: `+tc.event+`, Id: ci1}]`)
		})
	}
}

func TestChainedInvokeCancel(t *testing.T) {
	ts := newTargets()
	s := newSession(t, "null", WithChainedInvoker(ts))
	ts.b = s.b
	s.checkpoint(chainedStart("ci1", "echo", "", nil))
	cancel := upd("ci1", types.OperationTypeChainedInvoke, types.OperationActionCancel)
	s.checkpoint(cancel)
	if _, err := s.try(cancel); err == nil || !strings.Contains(err.Error(), "it is STOPPED") {
		t.Fatalf("a second CANCEL: %v", err)
	}
	o := s.end(`{"Status":"SUCCEEDED","Result":"null"}`)
	if len(o.ChainedInvokes) != 0 || len(ts.calls) != 0 {
		t.Fatalf("a cancelled chained invoke must never run its target: %+v", o.ChainedInvokes)
	}
	matchHistory(t, s.history(), `[{EventId: 3, EventType: ChainedInvokeStopped, Id: ci1, ChainedInvokeStoppedDetails: {Error: {Payload: {ErrorMessage: Chained invoke cancelled}}}}]`)
}

// The chained invoke of a parent whose execution ended meanwhile leaves
// the operation alone; a cancelled context leaves it STARTED.
func TestChainedInvokeAfterParentEnded(t *testing.T) {
	ts := newTargets()
	s := newSession(t, "null", WithChainedInvoker(ts))
	ts.b = s.b
	s.checkpoint(chainedStart("ci1", "echo", "", aws.String("1")))
	o := s.end(`{"Status":"PENDING"}`)
	if _, err := s.b.StopDurableExecution(context.Background(), &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(s.arn)}); err != nil {
		t.Fatal(err)
	}
	if err := s.b.RunChainedInvoke(context.Background(), o.ChainedInvokes[0]); err != nil {
		t.Fatal(err)
	}
	if got := eventTypes(s.history()); got != "ExecutionStarted ChainedInvokeStarted InvocationCompleted ExecutionStopped" {
		t.Fatalf("events %s: nothing may be recorded after the execution ended", got)
	}

	s = newSession(t, "null", WithChainedInvoker(ts))
	s.checkpoint(chainedStart("ci1", "echo", "", nil))
	o = s.end(`{"Status":"PENDING"}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.b.RunChainedInvoke(ctx, o.ChainedInvokes[0]); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunChainedInvoke with an ended context: %v", err)
	}
	if op := s.state()[1]; op.Status != types.OperationStatusStarted {
		t.Fatalf("an interrupted chained invoke must stay STARTED, got %s", op.Status)
	}
}

// Drive runs a chained invoke between the invocation that started it and
// the one that sees its result.
func TestDriveRunsChainedInvokes(t *testing.T) {
	ts := newTargets()
	b := NewBackend(WithChainedInvoker(ts))
	ts.b = b
	arn, err := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: `"x"`})
	if err != nil {
		t.Fatal(err)
	}
	handler := func(ctx context.Context, raw []byte) ([]byte, error) {
		s := &session{t: t, b: b, arn: arn}
		env := s.decode(raw)
		ops := env.InitialExecutionState.Operations
		if len(ops) == 1 {
			s.checkpoint(chainedStart("ci1", "dok", "", aws.String(`"x"`)))
			return []byte(`{"Status":"PENDING"}`), nil
		}
		return []byte(`{"Status":"SUCCEEDED","Result":` + jsonQuote(*ops[1].ChainedInvokeDetails.Result) + `}`), nil
	}
	n, err := b.Drive(context.Background(), arn, handler, 0)
	if err != nil || n != 2 {
		t.Fatalf("Drive: %d invocations, %v; want 2", n, err)
	}
	ex, _ := b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
	if aws.ToString(ex.Result) != `"child done"` {
		t.Fatalf("result %s", aws.ToString(ex.Result))
	}
	h, _ := b.SharedHistory(arn)
	if got, want := eventTypes(h), "ExecutionStarted ChainedInvokeStarted InvocationCompleted ChainedInvokeSucceeded InvocationCompleted ExecutionSucceeded"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
}

// A chained invoke without a payload starts its durable target with no
// InputPayload at all (not ""): the official SDKs read a missing input as
// "{}" and fail on an empty string.
func TestChainedInvokeWithoutPayloadLeavesInputAbsent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload *string
		want    *string
	}{
		{"no payload", nil, nil},
		{"empty payload", aws.String(""), aws.String("")},
		{"payload", aws.String(`{"a":1}`), aws.String(`{"a":1}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTargets()
			var envelopeInput *string
			ts.durable["child"] = func(_ context.Context, raw []byte) ([]byte, error) {
				env := (&session{t: t, b: ts.b}).decode(raw)
				envelopeInput = env.InitialExecutionState.Operations[0].ExecutionDetails.InputPayload
				return []byte(`{"Status":"SUCCEEDED","Result":"1"}`), nil
			}
			_, o := chainedSession(t, ts, "child", "", tc.payload)
			same := func(a, b *string) bool { return (a == nil) == (b == nil) && aws.ToString(a) == aws.ToString(b) }
			if !same(envelopeInput, tc.want) {
				t.Errorf("envelope InputPayload %v, want %v", ptrText(envelopeInput), ptrText(tc.want))
			}
			child, err := ts.b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(o.ChainedInvokes[0].ExecutionArn)})
			if err != nil {
				t.Fatal(err)
			}
			if !same(child.InputPayload, tc.want) {
				t.Errorf("GetDurableExecution InputPayload %v, want %v", ptrText(child.InputPayload), ptrText(tc.want))
			}
		})
	}
}

func ptrText(s *string) string {
	if s == nil {
		return "absent"
	}
	return strconv.Quote(*s)
}
