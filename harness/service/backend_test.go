package service

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

var _ durable.CheckpointClient = (*Backend)(nil)

func TestStartExecutionIdempotency(t *testing.T) {
	b := NewBackend()
	ctx := context.Background()
	arn, err := b.StartExecution(ctx, StartExecutionInput{FunctionName: "fn", ExecutionName: "order-1", Payload: `{"a":1}`})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(arn, "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST/durable-execution/order-1/") {
		t.Fatalf("ARN %s does not have the service's shape", arn)
	}
	again, err := b.StartExecution(ctx, StartExecutionInput{FunctionName: "fn", ExecutionName: "order-1", Payload: `{"a":1}`})
	if err != nil || again != arn {
		t.Fatalf("same name and payload must return the same execution: %s, %v", again, err)
	}
	_, err = b.StartExecution(ctx, StartExecutionInput{FunctionName: "fn", ExecutionName: "order-1", Payload: `{"a":2}`})
	wantServiceError[*types.DurableExecutionAlreadyStartedException](t, err, "different input")
	other, err := b.StartExecution(ctx, StartExecutionInput{FunctionName: "fn2", ExecutionName: "order-1", Payload: `{"a":2}`})
	if err != nil || other == arn {
		t.Fatalf("names are unique per function only: %s, %v", other, err)
	}
	for _, bad := range []StartExecutionInput{
		{FunctionName: "fn", ExecutionName: "has space"},
		{FunctionName: "fn/x"},
		{FunctionName: "fn", Payload: strings.Repeat("x", 6<<20+1)},
		{FunctionName: "fn", ExecutionTimeout: -1},
	} {
		_, err := b.StartExecution(ctx, bad)
		wantServiceError[*types.InvalidParameterValueException](t, err, "")
	}
	if got := b.Executions(); len(got) != 2 || got[0] != arn {
		t.Fatalf("Executions() = %v", got)
	}
}

func TestEnvelopeAndStatePaging(t *testing.T) {
	s := newSession(t, `{"k":"v"}`, WithEnvelopePageSize(2))
	if op := s.env.InitialExecutionState.Operations[0]; op.Type != types.OperationTypeExecution ||
		!strings.HasSuffix(s.arn, "/"+aws.ToString(op.Id)) || aws.ToString(op.ExecutionDetails.InputPayload) != `{"k":"v"}` {
		t.Fatalf("the first envelope operation must be the EXECUTION, id = last ARN segment, input verbatim: %+v", op)
	}
	for _, id := range []string{"a", "b", "c", "d"} {
		s.checkpoint(stepStart(id, id, ""), stepSucceed(id, `"`+id+`"`))
	}
	s.checkpoint(waitStart("w", "w", "", 1))
	s.end(`{"Status":"PENDING"}`)
	s.b.Advance(time.Second)
	env := s.begin()
	if n := len(env.InitialExecutionState.Operations); n != 2 || env.InitialExecutionState.NextMarker == "" {
		t.Fatalf("envelope page: %d operations, marker %q; want 2 and a marker", n, env.InitialExecutionState.NextMarker)
	}
	var ids []string
	marker := aws.String(env.InitialExecutionState.NextMarker)
	for marker != nil {
		page, err := s.b.GetDurableExecutionState(context.Background(), &lambda.GetDurableExecutionStateInput{
			DurableExecutionArn: aws.String(s.arn), CheckpointToken: aws.String(s.token), Marker: marker, MaxItems: 2,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range page.Operations {
			ids = append(ids, aws.ToString(op.Id))
		}
		marker = page.NextMarker
	}
	if got := strings.Join(ids, " "); got != "b c d w" {
		t.Fatalf("the later pages hold %s, want b c d w", got)
	}

	call := func(in lambda.GetDurableExecutionStateInput) error {
		in.DurableExecutionArn = aws.String(s.arn)
		if in.CheckpointToken == nil {
			in.CheckpointToken = aws.String(s.token)
		}
		_, err := s.b.GetDurableExecutionState(context.Background(), &in)
		return err
	}
	wantServiceError[*types.InvalidParameterValueException](t, call(lambda.GetDurableExecutionStateInput{MaxItems: 1001}), "MaxItems")
	wantServiceError[*types.InvalidParameterValueException](t, call(lambda.GetDurableExecutionStateInput{Marker: aws.String("bogus")}), "Marker")
	wantServiceError[*types.InvalidParameterValueException](t, call(lambda.GetDurableExecutionStateInput{CheckpointToken: aws.String("x")}), "Checkpoint Token")
	otherArn, _ := s.b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: "null"})
	otherMarker := s.b.executionFor(t, otherArn).encodeMarker(1)
	wantServiceError[*types.InvalidParameterValueException](t, call(lambda.GetDurableExecutionStateInput{Marker: otherMarker}), "Marker")
}

// executionFor is a test hook to reach an execution's internals.
func (b *Backend) executionFor(t *testing.T, arn string) *execution {
	t.Helper()
	e := b.lookup(&arn)
	if e == nil {
		t.Fatalf("no execution %s", arn)
	}
	return e
}

func TestReplayChildrenVisibility(t *testing.T) {
	s := newSession(t, "null")
	replay := ctxSucceed("big", `{"summary":true}`)
	replay.ContextOptions = &types.ContextOptions{ReplayChildren: aws.Bool(true)}
	s.checkpoint(ctxStart("small", "small", "RunInChildContext", ""), stepStart("s1", "s1", "small"), stepSucceed("s1", "1"), ctxSucceed("small", "1"))
	s.checkpoint(ctxStart("big", "big", "RunInChildContext", ""), stepStart("s2", "s2", "big"), stepSucceed("s2", "2"), replay)
	s.checkpoint(ctxStart("open", "open", "RunInChildContext", ""), waitStart("w", "w", "open", 5))
	s.end(`{"Status":"PENDING"}`)
	s.b.AdvanceUntilIdle()
	env := s.begin()
	if got := opIDs(env.InitialExecutionState.Operations[1:]); got != "small big s2 open w" {
		t.Fatalf("replay sees %s; want the children of a completed context hidden unless ReplayChildren", got)
	}
	st, _ := s.b.State(s.arn)
	if len(st.Operations) != 7 {
		t.Fatalf("State must show every stored operation, got %d", len(st.Operations))
	}
}

func TestHistoryPaging(t *testing.T) {
	s := newSession(t, `"in"`)
	for _, id := range []string{"a", "b", "c"} {
		s.checkpoint(stepStart(id, id, ""), stepSucceed(id, `"`+id+`"`))
	}
	s.end(`{"Status":"SUCCEEDED","Result":"\"out\""}`)
	all := s.history()
	if len(all) != 9 {
		t.Fatalf("history has %d events, want 9", len(all))
	}
	page := func(reverse bool, marker *string) *lambda.GetDurableExecutionHistoryOutput {
		out, err := s.b.GetDurableExecutionHistory(context.Background(), &lambda.GetDurableExecutionHistoryInput{
			DurableExecutionArn: aws.String(s.arn), MaxItems: 4, Marker: marker, ReverseOrder: aws.Bool(reverse),
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, reverse := range []bool{false, true} {
		var ids []int32
		var marker *string
		for {
			p := page(reverse, marker)
			for _, ev := range p.Events {
				ids = append(ids, aws.ToInt32(ev.EventId))
			}
			if marker = p.NextMarker; marker == nil {
				break
			}
		}
		for i, id := range ids {
			want := int32(i + 1)
			if reverse {
				want = int32(len(all) - i)
			}
			if id != want {
				t.Fatalf("reverse=%v: event ids %v", reverse, ids)
			}
		}
		if len(ids) != len(all) {
			t.Fatalf("reverse=%v: paged %d events of %d", reverse, len(ids), len(all))
		}
	}
	noData, err := s.b.GetDurableExecutionHistory(context.Background(), &lambda.GetDurableExecutionHistoryInput{
		DurableExecutionArn: aws.String(s.arn), IncludeExecutionData: aws.Bool(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	first, last := noData.Events[0].ExecutionStartedDetails.Input, noData.Events[8].ExecutionSucceededDetails.Result
	if first.Payload != nil || !aws.ToBool(first.Truncated) || last.Payload != nil || !aws.ToBool(last.Truncated) {
		t.Fatalf("IncludeExecutionData=false must drop payloads and mark them Truncated")
	}
	_, err = s.b.GetDurableExecutionHistory(context.Background(), &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(s.arn), Marker: aws.String("99")})
	wantServiceError[*types.InvalidParameterValueException](t, err, "Marker")
	_, err = s.b.GetDurableExecutionHistory(context.Background(), &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String("arn:nope")})
	wantServiceError[*types.ResourceNotFoundException](t, err, "does not exist")
}

func TestDeepCopies(t *testing.T) {
	s := newSession(t, "null")
	u := stepStart("a", "s", "")
	out := s.checkpoint(u)
	*u.Name = "changed-after-send"
	*out.NewExecutionState.Operations[0].Name = "changed-in-response"
	h := s.history()
	*h[1].Name = "changed-in-history"
	st, _ := s.b.State(s.arn)
	if got := aws.ToString(st.Operations[1].Name); got != "s" {
		t.Fatalf("stored name is %q: the backend shares pointers with its callers", got)
	}
	if got := aws.ToString(s.history()[1].Name); got != "s" {
		t.Fatalf("history name is %q", got)
	}
}

func TestListDurableExecutionsByFunction(t *testing.T) {
	b := NewBackend()
	ctx := context.Background()
	var arns []string
	for _, name := range []string{"e1", "e2", "e3"} {
		arn, _ := b.StartExecution(ctx, StartExecutionInput{FunctionName: "fn", ExecutionName: name, Payload: "null"})
		arns = append(arns, arn)
	}
	if _, err := b.StopDurableExecution(ctx, &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(arns[1])}); err != nil {
		t.Fatal(err)
	}
	list := func(in lambda.ListDurableExecutionsByFunctionInput) []string {
		t.Helper()
		if in.FunctionName == nil {
			in.FunctionName = aws.String("fn")
		}
		var names []string
		for {
			out, err := b.ListDurableExecutionsByFunction(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range out.DurableExecutions {
				names = append(names, aws.ToString(x.DurableExecutionName))
			}
			if out.NextMarker == nil {
				return names
			}
			in.Marker = out.NextMarker
		}
	}
	if got := strings.Join(list(lambda.ListDurableExecutionsByFunctionInput{MaxItems: 2}), " "); got != "e3 e2 e1" {
		t.Fatalf("default order (newest first, paged by 2): %s", got)
	}
	if got := strings.Join(list(lambda.ListDurableExecutionsByFunctionInput{ReverseOrder: aws.Bool(true)}), " "); got != "e1 e2 e3" {
		t.Fatalf("ReverseOrder: %s", got)
	}
	if got := strings.Join(list(lambda.ListDurableExecutionsByFunctionInput{Statuses: []types.ExecutionStatus{types.ExecutionStatusStopped}}), " "); got != "e2" {
		t.Fatalf("status filter: %s", got)
	}
	if got := strings.Join(list(lambda.ListDurableExecutionsByFunctionInput{DurableExecutionName: aws.String("e1")}), " "); got != "e1" {
		t.Fatalf("name filter: %s", got)
	}
	if got := list(lambda.ListDurableExecutionsByFunctionInput{Qualifier: aws.String("7")}); len(got) != 0 {
		t.Fatalf("qualifier filter: %v", got)
	}
	b.RegisterFunction("idle")
	if got := list(lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String("idle")}); len(got) != 0 {
		t.Fatalf("a registered function without executions lists nothing: %v", got)
	}
	_, err := b.ListDurableExecutionsByFunction(ctx, &lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String("nope")})
	wantServiceError[*types.ResourceNotFoundException](t, err, "nope")
}

func TestStopDurableExecution(t *testing.T) {
	ctx := context.Background()
	stop := func(b *Backend, arn string) (*lambda.StopDurableExecutionOutput, error) {
		return b.StopDurableExecution(ctx, &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
	}

	// stopped while suspended: at once, with the default message
	s := newSession(t, "null")
	s.checkpoint(waitStart("w", "w", "", 60))
	s.end(`{"Status":"PENDING"}`)
	if _, err := stop(s.b, s.arn); err != nil {
		t.Fatal(err)
	}
	h := s.history()
	if ev := h[len(h)-1]; ev.EventType != types.EventTypeExecutionStopped ||
		aws.ToString(ev.ExecutionStoppedDetails.Error.Payload.ErrorMessage) != "Execution stopped by user request" {
		t.Fatalf("last event %+v", ev)
	}
	if p := s.b.PendingTimers(); len(p) != 0 {
		t.Fatalf("a stopped execution keeps timers: %+v", p)
	}
	if _, err := stop(s.b, s.arn); err != nil {
		t.Fatalf("stopping twice must answer again: %v", err)
	}

	// stopped mid-invocation: see TestStopDuringAnInvocation

	// stopping a finished execution is refused
	s = newSession(t, "null")
	s.end(`{"Status":"SUCCEEDED","Result":"1"}`)
	_, err := stop(s.b, s.arn)
	wantServiceError[*types.InvalidParameterValueException](t, err, "already ended")
	_, err = stop(s.b, "arn:none")
	wantServiceError[*types.ResourceNotFoundException](t, err, "does not exist")
}

func TestExecutionTimeout(t *testing.T) {
	b := NewBackend(WithExecutionTimeout(10 * time.Second))
	arn, _ := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: "null"})
	s := &session{t: t, b: b, arn: arn}
	s.begin()
	s.checkpoint(waitStart("w", "w", "", 60))
	if o := s.end(`{"Status":"PENDING"}`); o.Next != NextWait {
		t.Fatalf("outcome %+v", o)
	}
	fired := b.Advance(time.Minute)
	if len(fired) != 1 || fired[0].Kind != TimerExecutionTimeout || !fired[0].Due.Equal(DefaultStart.Add(10*time.Second)) {
		t.Fatalf("fired %+v, want only the execution timeout at +10s", fired)
	}
	h := s.history()
	if ev := h[len(h)-1]; ev.EventType != types.EventTypeExecutionTimedOut || !aws.ToTime(ev.EventTimestamp).Equal(DefaultStart.Add(10*time.Second)) {
		t.Fatalf("last event %+v", ev)
	}
	if !b.Now().Equal(DefaultStart.Add(time.Minute)) {
		t.Fatalf("the clock reads %v after Advance(1m)", b.Now())
	}
	if _, err := b.BeginInvocation(arn); err == nil {
		t.Fatalf("a timed-out execution must not be invoked")
	}
}

func TestTimersFireInDueOrder(t *testing.T) {
	s := newSession(t, "null")
	s.checkpoint(waitStart("w3", "w3", "", 3), waitStart("w1", "w1", "", 1), stepStart("r", "r", ""))
	s.checkpoint(stepRetry("r", "E", "m", 2))
	s.end(`{"Status":"PENDING"}`)
	var kinds []string
	for _, p := range s.b.PendingTimers() {
		kinds = append(kinds, p.OperationId+"@"+p.Due.Sub(DefaultStart).String())
	}
	if got := strings.Join(kinds, " "); got != "w1@1s r@2s w3@3s @24h0m0s" {
		t.Fatalf("pending timers %s", got)
	}
	if f := s.b.FireNext(); len(f) != 1 || f[0].OperationId != "w1" || !s.b.Now().Equal(DefaultStart.Add(time.Second)) {
		t.Fatalf("FireNext fired %+v, clock %v", f, s.b.Now())
	}
	f := s.b.AdvanceUntilIdle()
	if len(f) != 2 || f[0].OperationId != "r" || f[1].OperationId != "w3" {
		t.Fatalf("AdvanceUntilIdle fired %+v", f)
	}
	if p := s.b.PendingTimers(); len(p) != 1 || p[0].Kind != TimerExecutionTimeout {
		t.Fatalf("AdvanceUntilIdle must leave the execution timeout alone: %+v", p)
	}
	matchHistory(t, s.history(), `
- {EventId: 6, EventType: InvocationCompleted}
- {EventId: 7, EventType: WaitSucceeded, Id: w1, EventTimestamp: 1767225601}
- {EventId: 8, EventType: WaitSucceeded, Id: w3, EventTimestamp: 1767225603}
`)
}

func TestInvocationOutputValidation(t *testing.T) {
	cases := []struct{ name, output, want string }{
		{"not JSON", `nope`, "not an invocation output"},
		{"status missing", `{}`, "Status is missing"},
		{"status unknown", `{"Status":"RETRY"}`, "not SUCCEEDED, FAILED or PENDING"},
		{"SUCCEEDED with an Error", `{"Status":"SUCCEEDED","Result":"1","Error":{"ErrorType":"E"}}`, "must not carry an Error"},
		{"FAILED with a Result", `{"Status":"FAILED","Result":"1","Error":{"ErrorType":"E"}}`, "must not carry a Result"},
		{"FAILED without an Error", `{"Status":"FAILED"}`, "must carry an Error"},
		{"PENDING with a Result", `{"Status":"PENDING","Result":"1"}`, "neither Result nor Error"},
		{"PENDING with nothing pending", `{"Status":"PENDING"}`, "no operation is pending"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSession(t, "null")
			o := s.end(tc.output)
			if o.Next != NextInvoke || o.InvocationError == nil || aws.ToString(o.InvocationError.ErrorType) != "Runtime.InvalidResponse" ||
				!strings.Contains(aws.ToString(o.InvocationError.ErrorMessage), tc.want) {
				t.Fatalf("outcome %+v %+v, want a failed invocation mentioning %q", o, o.InvocationError, tc.want)
			}
			h := s.history()
			if ev := h[len(h)-1]; ev.EventType != types.EventTypeInvocationCompleted || ev.InvocationCompletedDetails.Error == nil {
				t.Fatalf("last event %+v", ev)
			}
		})
	}
	// five failed invocations in a row fail the execution
	s := newSession(t, "null")
	for i := 1; i <= 5; i++ {
		o := s.end(`{"Status":"PENDING"}`)
		if (i < 5) != (o.Next == NextInvoke) {
			t.Fatalf("invocation %d: outcome %+v", i, o)
		}
		if i < 5 {
			s.begin()
		}
	}
	r, err := s.b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(s.arn)})
	if err != nil {
		t.Fatal(err)
	}
	invocations := strings.Count(eventTypes(s.history()), string(types.EventTypeInvocationCompleted))
	if r.Status != types.ExecutionStatusFailed || r.Error == nil || aws.ToString(r.Error.ErrorType) != "Runtime.InvalidResponse" || invocations != 5 {
		t.Fatalf("after 5 failed invocations: %s %+v, %d invocations", r.Status, r.Error, invocations)
	}
}

func TestLifecycleMisuse(t *testing.T) {
	s := newSession(t, "null")
	var le *LifecycleError
	if _, err := s.b.BeginInvocation(s.arn); !errors.As(err, &le) || !strings.Contains(err.Error(), "already in flight") {
		t.Fatalf("a second invocation in flight: %v", err)
	}
	s.end(`{"Status":"SUCCEEDED","Result":"1"}`)
	if _, err := s.b.EndInvocation(s.arn, nil, nil); !errors.As(err, &le) {
		t.Fatalf("EndInvocation without one in flight: %v", err)
	}
	if _, err := s.b.BeginInvocation(s.arn); !errors.As(err, &le) || !strings.Contains(err.Error(), "ended") {
		t.Fatalf("invoking an ended execution: %v", err)
	}
	if _, err := s.b.BeginInvocation("arn:none"); err == nil {
		t.Fatalf("invoking an unknown execution must fail")
	}
}

// Many executions on one backend at once: run with -race.
func TestConcurrentExecutions(t *testing.T) {
	b := NewBackend()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arn, err := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: "null"})
			if err != nil {
				errs <- err
				return
			}
			_, err = b.Drive(context.Background(), arn, scriptedWaitThenSucceed(b, arn), 0)
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, arn := range b.Executions() {
		st, _ := b.State(arn)
		if st.Status != types.ExecutionStatusSucceeded || st.Invocations != 2 {
			t.Fatalf("%s: %s after %d invocations", arn, st.Status, st.Invocations)
		}
	}
}

// scriptedWaitThenSucceed is a hand-written handler: the first invocation
// starts a 5 s wait, the second finishes.
func scriptedWaitThenSucceed(b *Backend, arn string) InvokeFunc {
	return func(ctx context.Context, envelope []byte) ([]byte, error) {
		env, err := durable.DecodeInvocationInput(envelope)
		if err != nil {
			return nil, err
		}
		if len(env.InitialExecutionState.Operations) > 1 {
			return []byte(`{"Status":"SUCCEEDED","Result":"\"done\""}`), nil
		}
		_, err = b.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{
			DurableExecutionArn: aws.String(arn), CheckpointToken: aws.String(env.CheckpointToken),
			Updates: []types.OperationUpdate{waitStart("w", "w", "", 5)},
		})
		if err != nil {
			return nil, err
		}
		return []byte(`{"Status":"PENDING"}`), nil
	}
}
