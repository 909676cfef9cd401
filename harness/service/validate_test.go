package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Each rejected case names the rule it breaks. Every rejection must be an
// InvalidParameterValueException and must leave the execution untouched:
// same history, same token still valid.
func TestCheckpointRejections(t *testing.T) {
	with := func(u types.OperationUpdate, f func(*types.OperationUpdate)) types.OperationUpdate {
		f(&u)
		return u
	}
	big := strings.Repeat("x", 256<<10+1)
	cases := []struct {
		name  string
		setup func(s *session)
		batch []types.OperationUpdate
		want  string
	}{
		// operation shape
		{name: "type missing", batch: []types.OperationUpdate{upd("a", "", types.OperationActionStart)}, want: "missing Type"},
		{name: "type unknown", batch: []types.OperationUpdate{upd("a", "TIMER", types.OperationActionStart)}, want: "not an OperationType"},
		{name: "action missing", batch: []types.OperationUpdate{upd("a", types.OperationTypeStep, "")}, want: "missing Action"},
		{name: "action unknown", batch: []types.OperationUpdate{upd("a", types.OperationTypeStep, "PAUSE")}, want: "not an OperationAction"},
		{name: "action not allowed: WAIT SUCCEED", batch: []types.OperationUpdate{upd("a", types.OperationTypeWait, types.OperationActionSucceed)}, want: "not allowed for a WAIT"},
		{name: "action not allowed: CONTEXT RETRY", batch: []types.OperationUpdate{upd("a", types.OperationTypeContext, types.OperationActionRetry)}, want: "not allowed for a CONTEXT"},
		{name: "action not allowed: STEP CANCEL", batch: []types.OperationUpdate{upd("a", types.OperationTypeStep, types.OperationActionCancel)}, want: "not allowed for a STEP"},
		{name: "action not allowed: EXECUTION START", batch: []types.OperationUpdate{upd("a", types.OperationTypeExecution, types.OperationActionStart)}, want: "not allowed for a EXECUTION"},
		{name: "id missing", batch: []types.OperationUpdate{{Type: types.OperationTypeStep, Action: types.OperationActionStart}}, want: "missing Id"},
		{name: "id too long", batch: []types.OperationUpdate{stepStart(strings.Repeat("a", 65), "s", "")}, want: "1-64 characters"},
		{name: "id with a bad character", batch: []types.OperationUpdate{stepStart("a/b", "s", "")}, want: "1-64 characters"},
		{name: "name too long", batch: []types.OperationUpdate{stepStart("a", strings.Repeat("n", 257), "")}, want: "invalid Name"},
		{name: "name not printable ASCII", batch: []types.OperationUpdate{stepStart("a", "caf\u00e9", "")}, want: "invalid Name"},
		{name: "name empty", batch: []types.OperationUpdate{stepStart("a", "", "")}, want: "invalid Name"},
		{name: "subtype too long", batch: []types.OperationUpdate{with(stepStart("a", "s", ""), func(u *types.OperationUpdate) { u.SubType = aws.String(strings.Repeat("S", 33)) })}, want: "invalid SubType"},
		{name: "parent id malformed", batch: []types.OperationUpdate{stepStart("a", "s", "no spaces")}, want: "ParentId"},
		{name: "callback completed by a checkpoint", batch: []types.OperationUpdate{upd("a", types.OperationTypeCallback, types.OperationActionSucceed)}, want: "not allowed for a CALLBACK"},
		{name: "callback twice in a batch", batch: []types.OperationUpdate{callbackStart("a", "c", "", 0, 0), callbackStart("a", "c", "", 0, 0)}, want: "more than once"},
		{name: "chained invoke without options", batch: []types.OperationUpdate{upd("a", types.OperationTypeChainedInvoke, types.OperationActionStart)}, want: "requires ChainedInvokeOptions.FunctionName"},
		{name: "chained invoke of a malformed function", batch: []types.OperationUpdate{chainedStart("a", "no/such:fn", "", nil)}, want: "is not a function name or ARN"},
		{name: "chained invoke with an error", batch: []types.OperationUpdate{with(chainedStart("a", "echo", "", nil), func(u *types.OperationUpdate) { u.Error = errObj("E", "m") })}, want: "must not carry an Error"},
		{name: "chained invoke with a bad tenant", batch: []types.OperationUpdate{chainedStart("a", "echo", "tab\there", nil)}, want: "TenantId"},
		{name: "chained invoke cancelled before it started", batch: []types.OperationUpdate{upd("a", types.OperationTypeChainedInvoke, types.OperationActionCancel)}, want: "cannot CANCEL chained invoke a: it is not started"},
		{name: "chained invoke payload over the limit", batch: []types.OperationUpdate{chainedStart("a", "echo", "", aws.String(strings.Repeat("x", 256<<10+1)))}, want: "the Payload is"},

		// batch rules
		{name: "EXECUTION update not last", batch: []types.OperationUpdate{upd("x", types.OperationTypeExecution, types.OperationActionSucceed), stepStart("a", "s", "")}, want: "must be the last"},
		{name: "two EXECUTION updates", batch: []types.OperationUpdate{upd("x", types.OperationTypeExecution, types.OperationActionSucceed), upd("y", types.OperationTypeExecution, types.OperationActionFail)}, want: "must be the last"},
		{name: "duplicate: START twice", batch: []types.OperationUpdate{stepStart("a", "s", ""), stepStart("a", "s", "")}, want: "more than once"},
		{name: "duplicate: SUCCEED after SUCCEED", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{stepSucceed("a", "1"), stepSucceed("a", "1")}, want: "more than once"},
		{name: "duplicate: three updates", batch: []types.OperationUpdate{stepStart("a", "s", ""), stepRetry("a", "E", "m", 1), stepStart("a", "s", "")}, want: "more than twice"},
		{name: "duplicate: WAIT START then CANCEL", batch: []types.OperationUpdate{waitStart("w", "w", "", 5), upd("w", types.OperationTypeWait, types.OperationActionCancel)}, want: "more than once"},
		{name: "duplicate: SUCCEED then START", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{stepRetry("a", "E", "m", 1), stepStart("a", "s", "")}, want: "more than once"},

		// parents
		{name: "parent does not exist", batch: []types.OperationUpdate{stepStart("a", "s", "ghost")}, want: "does not exist"},
		{name: "parent is a STEP", setup: func(s *session) { s.checkpoint(stepStart("p", "p", "")) }, batch: []types.OperationUpdate{stepStart("a", "s", "p")}, want: "not a CONTEXT"},
		{name: "parent is the EXECUTION", batch: []types.OperationUpdate{stepStart("a", "s", "EXEC")}, want: "not a CONTEXT"},
		{name: "parent started later in the batch", batch: []types.OperationUpdate{stepStart("a", "s", "p"), ctxStart("p", "p", "RunInChildContext", "")}, want: "does not exist"},
		{name: "parent context closed", setup: func(s *session) {
			s.checkpoint(ctxStart("p", "p", "RunInChildContext", ""), ctxSucceed("p", "1"))
		}, batch: []types.OperationUpdate{stepStart("a", "s", "p")}, want: "already SUCCEEDED"},
		{name: "update under a closed parent", setup: func(s *session) {
			s.checkpoint(ctxStart("p", "p", "Parallel", ""), ctxStart("b", "b", "ParallelBranch", "p"), stepStart("a", "s", "b"))
			s.checkpoint(ctxFail("b", "E", "m"), ctxSucceed("p", "{}"))
		}, batch: []types.OperationUpdate{stepSucceed("a", "1")}, want: "closed context"},
		{name: "own parent", batch: []types.OperationUpdate{ctxStart("p", "p", "RunInChildContext", "p")}, want: "its own parent"},

		// metadata consistency
		{name: "type differs from the stored operation", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{ctxSucceed("a", "1")}, want: "does not match the existing operation"},
		{name: "subtype differs", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{with(stepSucceed("a", "1"), func(u *types.OperationUpdate) { u.SubType = aws.String("WaitForCondition") })}, want: "SubType"},
		{name: "name differs", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{with(stepSucceed("a", "1"), func(u *types.OperationUpdate) { u.Name = aws.String("other") })}, want: "Name"},
		{name: "parent differs", setup: func(s *session) {
			s.checkpoint(ctxStart("p", "p", "RunInChildContext", ""), stepStart("a", "s", ""))
		}, batch: []types.OperationUpdate{with(stepSucceed("a", "1"), func(u *types.OperationUpdate) { u.ParentId = aws.String("p") })}, want: "ParentId"},
		{name: "update aimed at the EXECUTION operation", batch: []types.OperationUpdate{stepStart("EXEC", "s", "")}, want: "EXECUTION operation"},

		// STEP transitions
		{name: "STEP START while STARTED", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{stepStart("a", "s", "")}, want: "it is STARTED"},
		{name: "STEP START while PENDING", setup: func(s *session) { s.checkpoint(stepStart("a", "s", ""), stepRetry("a", "E", "m", 5)) }, batch: []types.OperationUpdate{stepStart("a", "s", "")}, want: "it is PENDING"},
		{name: "STEP START after SUCCEEDED", setup: func(s *session) { s.checkpoint(stepStart("a", "s", ""), stepSucceed("a", "1")) }, batch: []types.OperationUpdate{stepStart("a", "s", "")}, want: "it is SUCCEEDED"},
		{name: "STEP SUCCEED while PENDING", setup: func(s *session) { s.checkpoint(stepStart("a", "s", ""), stepRetry("a", "E", "m", 5)) }, batch: []types.OperationUpdate{stepSucceed("a", "1")}, want: "it is PENDING"},
		{name: "STEP FAIL after FAILED", setup: func(s *session) { s.checkpoint(stepStart("a", "s", ""), stepFail("a", "E", "m")) }, batch: []types.OperationUpdate{stepFail("a", "E", "m")}, want: "it is FAILED"},
		{name: "STEP SUCCEED with an Error", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{with(stepSucceed("a", "1"), func(u *types.OperationUpdate) { u.Error = errObj("E", "m") })}, want: "must not carry an Error"},
		{name: "STEP FAIL with a Payload", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{with(stepFail("a", "E", "m"), func(u *types.OperationUpdate) { u.Payload = aws.String("1") })}, want: "must not carry a Payload"},
		{name: "STEP RETRY without StepOptions", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{with(stepRetry("a", "E", "m", 1), func(u *types.OperationUpdate) { u.StepOptions = nil })}, want: "requires StepOptions"},
		{name: "STEP RETRY with delay 0", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{stepRetry("a", "E", "m", 0)}, want: "outside 1-"},
		{name: "STEP RETRY with delay over a year", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{stepRetry("a", "E", "m", 31622401)}, want: "outside 1-"},
		{name: "STEP RETRY with Error and Payload", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{with(stepRetry("a", "E", "m", 1), func(u *types.OperationUpdate) { u.Payload = aws.String("1") })}, want: "both an Error and a Payload"},

		// WAIT transitions
		{name: "WAIT START twice", setup: func(s *session) { s.checkpoint(waitStart("w", "w", "", 5)) }, batch: []types.OperationUpdate{waitStart("w", "w", "", 5)}, want: "already exists"},
		{name: "WAIT START without WaitOptions", batch: []types.OperationUpdate{with(waitStart("w", "w", "", 5), func(u *types.OperationUpdate) { u.WaitOptions = nil })}, want: "requires WaitOptions"},
		{name: "WAIT START of 0 seconds", batch: []types.OperationUpdate{waitStart("w", "w", "", 0)}, want: "outside 1-"},
		{name: "WAIT CANCEL never started", batch: []types.OperationUpdate{upd("w", types.OperationTypeWait, types.OperationActionCancel)}, want: "not started"},
		{name: "WAIT CANCEL after SUCCEEDED", setup: func(s *session) {
			s.checkpoint(waitStart("w", "w", "", 1), stepStart("a", "s", ""), stepRetry("a", "E", "m", 5))
			s.end(`{"Status":"PENDING"}`)
			s.b.Advance(time.Second)
			s.begin()
		}, batch: []types.OperationUpdate{upd("w", types.OperationTypeWait, types.OperationActionCancel)}, want: "it is SUCCEEDED"},

		// CONTEXT transitions
		{name: "CONTEXT START twice", setup: func(s *session) { s.checkpoint(ctxStart("c", "c", "RunInChildContext", "")) }, batch: []types.OperationUpdate{ctxStart("c", "c", "RunInChildContext", "")}, want: "already exists"},
		{name: "CONTEXT SUCCEED after SUCCEEDED", setup: func(s *session) { s.checkpoint(ctxStart("c", "c", "RunInChildContext", ""), ctxSucceed("c", "1")) }, batch: []types.OperationUpdate{ctxSucceed("c", "1")}, want: "it is SUCCEEDED"},
		{name: "CONTEXT SUCCEED with an Error", setup: func(s *session) { s.checkpoint(ctxStart("c", "c", "RunInChildContext", "")) }, batch: []types.OperationUpdate{with(ctxSucceed("c", "1"), func(u *types.OperationUpdate) { u.Error = errObj("E", "m") })}, want: "must not carry an Error"},
		{name: "CONTEXT FAIL with a Payload", setup: func(s *session) { s.checkpoint(ctxStart("c", "c", "RunInChildContext", "")) }, batch: []types.OperationUpdate{with(ctxFail("c", "E", "m"), func(u *types.OperationUpdate) { u.Payload = aws.String("1") })}, want: "must not carry a Payload"},

		// EXECUTION updates
		{name: "EXECUTION SUCCEED with an Error", batch: []types.OperationUpdate{with(upd("x", types.OperationTypeExecution, types.OperationActionSucceed), func(u *types.OperationUpdate) { u.Error = errObj("E", "m") })}, want: "must not carry an Error"},
		{name: "EXECUTION FAIL with a Payload", batch: []types.OperationUpdate{with(upd("x", types.OperationTypeExecution, types.OperationActionFail), func(u *types.OperationUpdate) { u.Payload = aws.String("1") })}, want: "must not carry a Payload"},

		// size limits
		{name: "payload over 256 KiB", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{stepSucceed("a", big)}, want: "Payload is 262145 bytes"},
		{name: "error over 256 KiB", setup: func(s *session) { s.checkpoint(stepStart("a", "s", "")) }, batch: []types.OperationUpdate{stepFail("a", "E", big)}, want: "Error is"},
		{name: "execution result over 6 MiB", batch: []types.OperationUpdate{with(upd("x", types.OperationTypeExecution, types.OperationActionSucceed), func(u *types.OperationUpdate) {
			u.Payload = aws.String(strings.Repeat("x", 6<<20+1))
		})}, want: "execution result is"},

		// atomicity: the valid first update must not be applied either
		{name: "valid update then invalid one", batch: []types.OperationUpdate{stepStart("a", "s", ""), upd("w", types.OperationTypeWait, types.OperationActionCancel)}, want: "not started"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSession(t, "null")
			// "EXEC" stands for the EXECUTION operation's id.
			execID := aws.ToString(s.env.InitialExecutionState.Operations[0].Id)
			for i := range tc.batch {
				for _, p := range []**string{&tc.batch[i].Id, &tc.batch[i].ParentId} {
					if *p != nil && **p == "EXEC" {
						*p = aws.String(execID)
					}
				}
			}
			if tc.setup != nil {
				tc.setup(s)
			}
			before := len(s.history())
			_, err := s.try(tc.batch...)
			wantServiceError[*types.InvalidParameterValueException](t, err, tc.want)
			if after := len(s.history()); after != before {
				t.Fatalf("a rejected batch wrote %d events", after-before)
			}
			s.checkpoint() // the token is still the current one
		})
	}
}

func TestCheckpointRequestRejections(t *testing.T) {
	call := func(s *session, arn, token, client *string) error {
		_, err := s.b.CheckpointDurableExecution(context.Background(), &lambda.CheckpointDurableExecutionInput{
			DurableExecutionArn: arn, CheckpointToken: token, ClientToken: client,
		})
		return err
	}
	cases := []struct {
		name string
		run  func(s *session) error
		want string
	}{
		{"execution ARN missing", func(s *session) error { return call(s, nil, &s.token, nil) }, "DurableExecutionArn is required"},
		{"execution unknown", func(s *session) error { return call(s, aws.String(s.arn+"x"), &s.token, nil) }, "does not exist"},
		{"checkpoint token missing", func(s *session) error { return call(s, &s.arn, nil, nil) }, "CheckpointToken is required"},
		{"checkpoint token malformed", func(s *session) error { return call(s, &s.arn, aws.String("not-a-token"), nil) }, "not a token of"},
		{"checkpoint token stale", func(s *session) error {
			old := s.token
			s.checkpoint()
			return call(s, &s.arn, &old, nil)
		}, "already used"},
		{"checkpoint token of an earlier invocation", func(s *session) error {
			s.checkpoint(waitStart("w", "w", "", 1))
			old := s.token
			s.end(`{"Status":"PENDING"}`)
			s.begin()
			return call(s, &s.arn, &old, nil)
		}, "belongs to invocation 1"},
		{"no invocation in flight", func(s *session) error {
			s.checkpoint(waitStart("w", "w", "", 1))
			tok := s.token
			s.end(`{"Status":"PENDING"}`)
			return call(s, &s.arn, &tok, nil)
		}, "no invocation"},
		{"execution already completed", func(s *session) error {
			tok := s.token
			s.end(`{"Status":"SUCCEEDED","Result":"1"}`)
			return call(s, &s.arn, &tok, nil)
		}, "already completed"},
		{"client token with a space", func(s *session) error { return call(s, &s.arn, &s.token, aws.String("a b")) }, "ClientToken"},
		{"client token too long", func(s *session) error { return call(s, &s.arn, &s.token, aws.String(strings.Repeat("c", 65))) }, "ClientToken"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantServiceError[*types.InvalidParameterValueException](t, tc.run(newSession(t, "null")), tc.want)
		})
	}
}

// The accepted counterparts of the rules, so validation is not stricter
// than the service.
func TestCheckpointAcceptance(t *testing.T) {
	s := newSession(t, "null")
	out := s.checkpoint()
	if out.CheckpointToken == nil || len(out.NewExecutionState.Operations) != 0 {
		t.Fatalf("an empty checkpoint must return a fresh token and no changes")
	}
	s.checkpoint(
		ctxStart("c", "child", "RunInChildContext", ""), // a parent started earlier in the batch
		stepStart("a", "s", "c"), stepSucceed("a", "1"), // START and one more action in one batch
		stepStart("b", "poll", "c"),
	)
	// a wait-for-condition style RETRY: state in Payload, no error
	poll := upd("b", types.OperationTypeStep, types.OperationActionRetry)
	poll.Payload = aws.String(`{"n":1}`)
	poll.StepOptions = &types.StepOptions{NextAttemptDelaySeconds: aws.Int32(2)}
	s.checkpoint(poll, waitStart("w", "w", "c", 10))
	s.checkpoint(upd("w", types.OperationTypeWait, types.OperationActionCancel))
	s.end(`{"Status":"PENDING"}`)
	s.b.Advance(2 * time.Second)
	env := s.begin()
	var b types.Operation
	for _, op := range env.InitialExecutionState.Operations {
		if aws.ToString(op.Id) == "b" {
			b = op
		}
	}
	if b.Status != types.OperationStatusReady || aws.ToString(b.StepDetails.Result) != `{"n":1}` {
		t.Fatalf("the polled step is %+v, want READY with its state kept", b)
	}
	s.checkpoint(stepStart("b", "poll", "c"), stepSucceed("b", "2"), ctxSucceed("c", "3"))
	s.end(`{"Status":"SUCCEEDED","Result":"3"}`)
	matchHistory(t, s.history(), `
- {EventId: 6, EventType: StepSucceeded, Id: b, StepSucceededDetails: {Result: {Payload: '{"n":1}'}, RetryDetails: {CurrentAttempt: 1, NextAttemptDelaySeconds: 2}}}
- {EventId: 7, EventType: WaitStarted, Id: w}
- {EventId: 8, EventType: WaitCancelled, Id: w, WaitCancelledDetails: {Error: {Truncated: false}}}
- {EventId: 9, EventType: InvocationCompleted}
- {EventId: 10, EventType: StepStarted, Id: b}
- {EventId: 11, EventType: StepSucceeded, Id: b, StepSucceededDetails: {RetryDetails: {CurrentAttempt: 2}}}
`)
}

func TestCheckpointIdempotentRetry(t *testing.T) {
	s := newSession(t, "null")
	in := &lambda.CheckpointDurableExecutionInput{
		DurableExecutionArn: aws.String(s.arn),
		CheckpointToken:     aws.String(s.token),
		ClientToken:         aws.String("client-1"),
		Updates:             []types.OperationUpdate{stepStart("a", "s", ""), stepSucceed("a", "1")},
	}
	first, err := s.b.CheckpointDurableExecution(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	events := len(s.history())
	again, err := s.b.CheckpointDurableExecution(context.Background(), in)
	if err != nil {
		t.Fatalf("a retry with the same client token must succeed: %v", err)
	}
	if aws.ToString(again.CheckpointToken) != aws.ToString(first.CheckpointToken) || len(again.NewExecutionState.Operations) != 1 {
		t.Fatalf("the retry must get the same response")
	}
	if len(s.history()) != events {
		t.Fatalf("the retry changed the state")
	}
	// the cached response is a copy: mutating one answer cannot leak
	*again.NewExecutionState.Operations[0].Id = "mutated"
	third, _ := s.b.CheckpointDurableExecution(context.Background(), in)
	if aws.ToString(third.NewExecutionState.Operations[0].Id) != "a" {
		t.Fatalf("the cached response was mutated through a returned pointer")
	}
	in.ClientToken = aws.String("client-2")
	_, err = s.b.CheckpointDurableExecution(context.Background(), in)
	wantServiceError[*types.InvalidParameterValueException](t, err, "already used")
}
