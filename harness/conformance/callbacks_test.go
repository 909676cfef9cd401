package conformance_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

func TestCallbackPlan(t *testing.T) {
	act := func(name string, op conformance.CallbackOperation) conformance.CallbackAction {
		return conformance.CallbackAction{CallbackName: name, Operation: op}
	}
	hb, ok, no := conformance.CallbackHeartbeat, conformance.CallbackSuccess, conformance.CallbackFailure
	for _, tc := range []struct {
		name    string
		actions []conformance.CallbackAction
		opened  []string // callbacks opened in order
		want    []string // per callback: the operations it gets, "ERR" for an error
	}{
		{"literal names in any order", []conformance.CallbackAction{act("b", ok), act("a", no)}, []string{"a", "b"}, []string{"failure", "success"}},
		{"a heartbeat keeps the callback open", []conformance.CallbackAction{act("a", hb), act("a", ok)}, []string{"a"}, []string{"heartbeat success"}},
		{"wildcard, one action each", []conformance.CallbackAction{act("*", ok), act("*", no)}, []string{"x", "y", "z"}, []string{"success", "failure", "ERR"}},
		{"regex", []conformance.CallbackAction{act("${/^ord-[0-9]+$/}", ok)}, []string{"ord-x", "ord-12"}, []string{"ERR", "success"}},
		{"no actions leaves callbacks open", nil, []string{"a", "b"}, []string{"", ""}},
		{"an unmatched callback is an error", []conformance.CallbackAction{act("a", ok)}, []string{"b"}, []string{"ERR"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := conformance.NewCallbackPlan(tc.actions)
			for i, name := range tc.opened {
				got, err := p.For(name)
				var ops []string
				for _, a := range got {
					ops = append(ops, string(a.Operation))
				}
				s := strings.Join(ops, " ")
				if err != nil {
					s = "ERR"
				}
				if s != tc.want[i] {
					t.Fatalf("callback %q got %q (err %v), want %q", name, s, err, tc.want[i])
				}
			}
		})
	}
}

func TestCallbackStartsRestoresWaitForCallbackNames(t *testing.T) {
	events := []types.Event{
		event(2, types.EventTypeContextStarted, op("ctx", "WaitForCallback", "approval")),
		event(3, types.EventTypeCallbackStarted, op("cb", "Callback", ""), parent("ctx"), func(e *types.Event) {
			e.CallbackStartedDetails = &types.CallbackStartedDetails{CallbackId: aws.String("id-1")}
		}),
		event(4, types.EventTypeCallbackStarted, op("cb2", "Callback", "own"), func(e *types.Event) {
			e.CallbackStartedDetails = &types.CallbackStartedDetails{CallbackId: aws.String("id-2")}
		}),
	}
	got := conformance.CallbackStarts(events)
	if len(got) != 2 || got[0].Name != "approval" || got[0].CallbackID != "id-1" || got[1].Name != "own" || !got[1].Started.Equal(t0.Add(4e9)) {
		t.Fatalf("CallbackStarts = %+v", got)
	}
}

// recordingClient keeps what SendCallback sent.
type recordingClient struct {
	success []*lambda.SendDurableExecutionCallbackSuccessInput
	failure []*lambda.SendDurableExecutionCallbackFailureInput
	beats   int
}

func (c *recordingClient) SendDurableExecutionCallbackSuccess(_ context.Context, in *lambda.SendDurableExecutionCallbackSuccessInput, _ ...func(*lambda.Options)) (*lambda.SendDurableExecutionCallbackSuccessOutput, error) {
	c.success = append(c.success, in)
	return &lambda.SendDurableExecutionCallbackSuccessOutput{}, nil
}

func (c *recordingClient) SendDurableExecutionCallbackFailure(_ context.Context, in *lambda.SendDurableExecutionCallbackFailureInput, _ ...func(*lambda.Options)) (*lambda.SendDurableExecutionCallbackFailureOutput, error) {
	c.failure = append(c.failure, in)
	return &lambda.SendDurableExecutionCallbackFailureOutput{}, nil
}

func (c *recordingClient) SendDurableExecutionCallbackHeartbeat(context.Context, *lambda.SendDurableExecutionCallbackHeartbeatInput, ...func(*lambda.Options)) (*lambda.SendDurableExecutionCallbackHeartbeatOutput, error) {
	c.beats++
	return &lambda.SendDurableExecutionCallbackHeartbeatOutput{}, nil
}

func TestSendCallbackBodies(t *testing.T) {
	c := &recordingClient{}
	ctx := context.Background()
	for _, a := range []conformance.CallbackAction{
		{Operation: conformance.CallbackSuccess, Payload: map[string]any{"status": "approved", "n": int64(2)}},
		{Operation: conformance.CallbackSuccess, Payload: "ok"},
		{Operation: conformance.CallbackSuccess},
		{Operation: conformance.CallbackFailure, Payload: map[string]any{"ErrorType": "RejectedError", "ErrorMessage": "not approved", "StackTrace": []any{"a", "b"}}},
		{Operation: conformance.CallbackHeartbeat},
	} {
		if err := conformance.SendCallback(ctx, c, "id", a); err != nil {
			t.Fatal(err)
		}
	}
	if got := string(c.success[0].Result); got != `{"n": 2, "status": "approved"}` {
		t.Errorf("object body %s: want Python's json.dumps text", got)
	}
	if got := string(c.success[1].Result); got != `"ok"` {
		t.Errorf("string body %s", got)
	}
	if c.success[2].Result != nil {
		t.Errorf("a null payload must send no body, sent %q", c.success[2].Result)
	}
	f := c.failure[0].Error
	if aws.ToString(f.ErrorType) != "RejectedError" || aws.ToString(f.ErrorMessage) != "not approved" || f.ErrorData != nil || len(f.StackTrace) != 2 {
		t.Errorf("failure error %+v", f)
	}
	if c.beats != 1 {
		t.Errorf("%d heartbeats", c.beats)
	}
}

// awaitCallback is a handler written against the service API by hand: it
// opens callback "cb" named after its input string with the given
// options, optionally starts a wait beside it, and returns the callback's
// result once it (and the wait) are done, or fails with its error.
func awaitCallback(opts types.CallbackOptions, waitSecs int32) durable.Invoker {
	return func(ctx context.Context, env durable.Env, raw []byte) ([]byte, error) {
		in, err := durable.DecodeInvocationInput(raw)
		if err != nil {
			return nil, err
		}
		ops := map[string]types.Operation{}
		for _, o := range in.InitialExecutionState.Operations {
			ops[aws.ToString(o.Id)] = o
		}
		if _, ok := ops["cb"]; !ok {
			name := strings.Trim(aws.ToString(in.InitialExecutionState.Operations[0].ExecutionDetails.InputPayload), `"`)
			updates := []types.OperationUpdate{{Id: aws.String("cb"), Name: aws.String(name), Type: types.OperationTypeCallback,
				SubType: aws.String("Callback"), Action: types.OperationActionStart, CallbackOptions: &opts}}
			if waitSecs > 0 {
				updates = append(updates, types.OperationUpdate{Id: aws.String("w"), Type: types.OperationTypeWait, SubType: aws.String("Wait"),
					Action: types.OperationActionStart, WaitOptions: &types.WaitOptions{WaitSeconds: aws.Int32(waitSecs)}})
			}
			if _, err := env.Client.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{
				DurableExecutionArn: aws.String(in.DurableExecutionArn), CheckpointToken: aws.String(in.CheckpointToken), Updates: updates,
			}); err != nil {
				return nil, err
			}
			return durable.EncodeInvocationOutput(&durable.InvocationOutput{Status: "PENDING"})
		}
		cb, w := ops["cb"], ops["w"]
		if cb.Status == types.OperationStatusStarted || waitSecs > 0 && w.Status == types.OperationStatusStarted {
			return durable.EncodeInvocationOutput(&durable.InvocationOutput{Status: "PENDING"})
		}
		if cb.Status != types.OperationStatusSucceeded {
			return durable.EncodeInvocationOutput(&durable.InvocationOutput{Status: "FAILED", Error: cb.CallbackDetails.Error})
		}
		return durable.EncodeInvocationOutput(&durable.InvocationOutput{Status: "SUCCEEDED", Result: aws.ToString(cb.CallbackDetails.Result)})
	}
}

const callbackHead = `
AsyncInvoke: true
Variables:
  CB_NAME: ${GEN_STR:10}
  CB_PAYLOAD: ${GEN_STR:12}
Input: ${CB_NAME}
`

func TestLocalTargetAnswersCallbacks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler durable.Invoker
		yaml    string
		verdict conformance.Verdict
		message string
	}{
		{"success after a delay", awaitCallback(types.CallbackOptions{}, 0), callbackHead + `
ExpectedResult: {ExecutionStatus: SUCCEEDED, Result: '${CB_PAYLOAD}'}
CallbackActions:
  - {CallbackName: '${CB_NAME}', Operation: success, Payload: '${CB_PAYLOAD}', Delay: 1}
ExpectedExecutionHistory:
  - {EventId: 2, EventType: CallbackStarted, Name: '${CB_NAME}', CallbackStartedDetails: {CallbackId: '*'}}
  - {EventId: 3, EventType: InvocationCompleted}
  - {EventId: 4, EventType: CallbackSucceeded, CallbackSucceededDetails: {Result: {Payload: '"${CB_PAYLOAD}"'}}}
  - {EventId: 6, EventType: ExecutionSucceeded}
`, conformance.Pass, ""},
		// callback/4-9's shape: the callback lands during the wait
		{"callback during a wait", awaitCallback(types.CallbackOptions{}, 5), callbackHead + `
ExpectedResult: {ExecutionStatus: SUCCEEDED}
CallbackActions:
  - {CallbackName: '*', Operation: success, Payload: '${CB_PAYLOAD}', Delay: 1}
ExpectedExecutionHistory:
  - {EventId: 4, EventType: InvocationCompleted}
  - {EventId: 5, EventType: CallbackSucceeded}
  - {EventId: 6, EventType: InvocationCompleted}
  - {EventId: 7, EventType: WaitSucceeded}
  - {EventId: 9, EventType: ExecutionSucceeded}
`, conformance.Pass, ""},
		{"heartbeats keep it alive", awaitCallback(types.CallbackOptions{HeartbeatTimeoutSeconds: 3}, 0), callbackHead + `
ExpectedResult: {ExecutionStatus: SUCCEEDED}
CallbackActions:
  - {CallbackName: '${CB_NAME}', Operation: heartbeat, Delay: 2}
  - {CallbackName: '${CB_NAME}', Operation: heartbeat, Delay: 2}
  - {CallbackName: '${CB_NAME}', Operation: success, Delay: 2}
ExpectedExecutionHistory:
  - {EventId: 4, EventType: CallbackSucceeded}
`, conformance.Pass, ""},
		{"failure", awaitCallback(types.CallbackOptions{}, 0), callbackHead + `
ExpectedResult: {ExecutionStatus: FAILED}
CallbackActions:
  - {CallbackName: '*', Operation: failure, Payload: {ErrorType: RejectedError, ErrorMessage: not approved}}
ExpectedExecutionHistory:
  - {EventId: 4, EventType: CallbackFailed, CallbackFailedDetails: {Error: {Payload: {ErrorType: RejectedError, ErrorMessage: not approved}}}}
  - {EventId: 6, EventType: ExecutionFailed, ExecutionFailedDetails: {Error: {Payload: {ErrorMessage: not approved}}}}
`, conformance.Pass, ""},
		{"no actions: it times out", awaitCallback(types.CallbackOptions{TimeoutSeconds: 5}, 0), callbackHead + `
ExpectedResult: {ExecutionStatus: FAILED}
ExpectedExecutionHistory:
  - {EventId: 4, EventType: CallbackTimedOut, CallbackTimedOutDetails: {Error: {Payload: {ErrorType: Callback.Timeout}}}}
`, conformance.Pass, ""},
		// an action too late for the heartbeat: the history shows the timeout
		{"a late heartbeat is caught", awaitCallback(types.CallbackOptions{HeartbeatTimeoutSeconds: 3}, 0), callbackHead + `
ExpectedResult: {ExecutionStatus: SUCCEEDED}
CallbackActions:
  - {CallbackName: '*', Operation: success, Delay: 4}
ExpectedExecutionHistory:
  - {EventId: 4, EventType: CallbackSucceeded}
`, conformance.Fail, `got "CallbackTimedOut"`},
		{"no matching action", awaitCallback(types.CallbackOptions{}, 0), callbackHead + `
ExpectedResult: {ExecutionStatus: SUCCEEDED}
CallbackActions:
  - {CallbackName: someone-else, Operation: success}
ExpectedExecutionHistory:
  - {EventId: 2, EventType: CallbackStarted}
`, conformance.Fail, "no unused CallbackAction matches"},
		// without ExpectedResult only the listed events count
		{"no expected result", awaitCallback(types.CallbackOptions{}, 0), callbackHead + `
CallbackActions:
  - {CallbackName: '*', Operation: success, Delay: 1}
ExpectedExecutionHistory:
  - {EventId: 2, EventType: CallbackStarted}
`, conformance.Pass, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := conformance.Parse("callback/x-1.yaml", "callback", "x-1", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			reg := conformance.NewRegistry()
			reg.Register("callback/x-1", conformance.Plain(tc.handler), conformance.NeedsCallbacks())
			out := (&conformance.Runner{Registry: reg, Target: conformance.LocalTarget{Seed: 1}, Seed: 3}).Run(context.Background(), req)
			if out.Verdict != tc.verdict || !strings.Contains(out.Message, tc.message) {
				t.Fatalf("verdict %s (%s), want %s mentioning %q", out.Verdict, out.Message, tc.verdict, tc.message)
			}
		})
	}
}

// invokeTarget is a parent written by hand that chained-invokes function
// with its own input and returns the target's result.
func invokeTarget(function string) durable.Invoker {
	return func(ctx context.Context, env durable.Env, raw []byte) ([]byte, error) {
		in, err := durable.DecodeInvocationInput(raw)
		if err != nil {
			return nil, err
		}
		ops := in.InitialExecutionState.Operations
		if len(ops) == 1 {
			if _, err := env.Client.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{
				DurableExecutionArn: aws.String(in.DurableExecutionArn), CheckpointToken: aws.String(in.CheckpointToken),
				Updates: []types.OperationUpdate{{Id: aws.String("ci"), Type: types.OperationTypeChainedInvoke, SubType: aws.String("ChainedInvoke"),
					Action: types.OperationActionStart, Payload: ops[0].ExecutionDetails.InputPayload,
					ChainedInvokeOptions: &types.ChainedInvokeOptions{FunctionName: aws.String(function), TenantId: aws.String("t-1")}}},
			}); err != nil {
				return nil, err
			}
			return durable.EncodeInvocationOutput(&durable.InvocationOutput{Status: "PENDING"})
		}
		return durable.EncodeInvocationOutput(&durable.InvocationOutput{Status: "SUCCEEDED", Result: aws.ToString(ops[1].ChainedInvokeDetails.Result)})
	}
}

func TestLocalTargetChainedInvokes(t *testing.T) {
	req, err := conformance.Parse("invoke/x-1.yaml", "invoke", "x-1", []byte(`
AsyncInvoke: true
Variables:
  INPUT_1: ${GEN_STR:8}
Input: ${INPUT_1}
ExpectedResult: {ExecutionStatus: SUCCEEDED, Result: '${INPUT_1}'}
ExpectedExecutionHistory:
  - EventType: ChainedInvokeStarted
    EventId: 2
    ChainedInvokeStartedDetails: {FunctionName: echo, TenantId: t-1, Input: {Payload: '"${INPUT_1}"'}, ExecutedVersion: '*', DurableExecutionArn: '*'}
  - {EventId: 3, EventType: InvocationCompleted}
  - {EventId: 4, EventType: ChainedInvokeSucceeded, ChainedInvokeSucceededDetails: {Result: {Payload: '"${INPUT_1}"'}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []harness.Function{
		{Plain: func(_ context.Context, p []byte) ([]byte, error) { return p, nil }},
		{Durable: durable.Handle(func(_ durable.Context, in string) (string, error) { return in, nil })},
	} {
		reg := conformance.NewRegistry()
		reg.Register("invoke/x-1", conformance.Plain(invokeTarget("echo")))
		reg.RegisterFunction("echo", target)
		out := (&conformance.Runner{Registry: reg, Target: conformance.LocalTarget{Seed: 1}, Seed: 3}).Run(context.Background(), req)
		if out.Verdict != conformance.Pass {
			t.Fatalf("durable target %v: %s %s", target.Durable != nil, out.Verdict, out.Message)
		}
	}
}
