package service

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/internal/historytest"
)

// The expectations below are copied from the official conformance
// requirements (ExpectedExecutionHistory), so the fake is held to the
// format the real service produces. Each test also pins the full event
// sequence, which the requirements leave partly open.

func TestHistoryStepSucceeds(t *testing.T) {
	s := newSession(t, "null")
	s.checkpoint(stepStart("s1", "custom_step_name", ""), stepSucceed("s1", `"Hello, World!"`))
	o := s.end(`{"Status":"SUCCEEDED","Result":"\"Hello, World!\""}`)
	if o.Next != NextTerminal || o.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("outcome %+v, want terminal SUCCEEDED", o)
	}
	h := s.history()
	matchHistory(t, h, historytest.StepSucceeds)
	matchHistory(t, h, `
- EventId: 1
  EventType: ExecutionStarted
  Id: ${EXEC}
  ExecutionStartedDetails: {Input: {Payload: 'null', Truncated: false}, ExecutionTimeout: 86400}
- EventId: 3
  StepSucceededDetails: {Result: {Payload: '"Hello, World!"', Truncated: false}, RetryDetails: {CurrentAttempt: 1}}
- EventId: 4
  InvocationCompletedDetails: {StartTimestamp: 1767225600, EndTimestamp: 1767225600, RequestId: '*'}
- EventId: 5
  EventType: ExecutionSucceeded
  Id: ${EXEC}
  ExecutionSucceededDetails: {Result: {Payload: '"Hello, World!"', Truncated: false}}
`)
	if got, want := eventTypes(h), "ExecutionStarted StepStarted StepSucceeded InvocationCompleted ExecutionSucceeded"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	ex, err := s.b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(s.arn)})
	if err != nil || ex.Status != types.ExecutionStatusSucceeded || aws.ToString(ex.Result) != `"Hello, World!"` {
		t.Fatalf("GetDurableExecution = %+v, %v", ex, err)
	}
	if h[1].StepSucceededDetails != nil || h[1].StepStartedDetails == nil || h[2].StepStartedDetails != nil {
		t.Errorf("each event must carry exactly its own details member")
	}
}

func TestHistoryRetryThenSuccess(t *testing.T) {
	s := newSession(t, "null")
	s.checkpoint(stepStart("s1", "unreliable", ""))
	s.checkpoint(stepRetry("s1", "Error", "flaky", 1))
	o := s.end(`{"Status":"PENDING"}`)
	if o.Next != NextWait || !o.WakeAt.Equal(DefaultStart.Add(time.Second)) {
		t.Fatalf("outcome %+v, want a wait until start+1s", o)
	}
	st, _ := s.b.State(s.arn)
	if op := st.Operations[1]; op.Status != types.OperationStatusPending || op.StepDetails.Attempt != 1 ||
		!op.StepDetails.NextAttemptTimestamp.Equal(DefaultStart.Add(time.Second)) {
		t.Fatalf("after RETRY the step is %+v %+v, want PENDING, attempt 1, next attempt at +1s", op, op.StepDetails)
	}
	if fired := s.b.Advance(time.Second); len(fired) != 1 || fired[0].Kind != TimerRetry || fired[0].OperationId != "s1" {
		t.Fatalf("fired %+v, want the retry timer of s1", fired)
	}
	env := s.begin()
	step := env.InitialExecutionState.Operations[1]
	if step.Status != types.OperationStatusReady || step.StepDetails.Attempt != 1 || step.StepDetails.NextAttemptTimestamp != nil {
		t.Fatalf("replay sees the step %+v %+v, want READY, attempt 1, no next-attempt time", step, step.StepDetails)
	}
	s.checkpoint(stepStart("s1", "unreliable", ""), stepSucceed("s1", `"Operation succeeded"`))
	s.end(`{"Status":"SUCCEEDED","Result":"\"Operation succeeded\""}`)

	h := s.history()
	matchHistory(t, h, historytest.RetryThenSuccess)
	matchHistory(t, h, `
- {EventId: 3, StepFailedDetails: {Error: {Payload: {ErrorType: Error, ErrorMessage: flaky}, Truncated: false}, RetryDetails: {CurrentAttempt: 1, NextAttemptDelaySeconds: 1}}}
- {EventId: 5, EventTimestamp: 1767225601}
- {EventId: 6, StepSucceededDetails: {Result: {Payload: '"Operation succeeded"'}}}
- {EventId: 8, EventType: ExecutionSucceeded}
`)
	if h[5].StepSucceededDetails.RetryDetails.NextAttemptDelaySeconds != nil {
		t.Errorf("a final StepSucceeded must not carry NextAttemptDelaySeconds")
	}
	if got, want := eventTypes(h), "ExecutionStarted StepStarted StepFailed InvocationCompleted StepStarted StepSucceeded InvocationCompleted ExecutionSucceeded"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
}

func TestHistoryNoRetryFailure(t *testing.T) {
	s := newSession(t, "null")
	s.checkpoint(stepStart("s1", "failing", ""), stepFail("s1", "Error", "boom"))
	o := s.end(`{"Status":"FAILED","Error":{"ErrorType":"StepError","ErrorMessage":"boom"}}`)
	if o.Next != NextTerminal || o.Status != types.ExecutionStatusFailed {
		t.Fatalf("outcome %+v, want terminal FAILED", o)
	}
	h := s.history()
	matchHistory(t, h, historytest.NoRetryFailure)
	matchHistory(t, h, `
- {EventId: 3, StepFailedDetails: {RetryDetails: {CurrentAttempt: 1}}}
- {EventId: 5, EventType: ExecutionFailed, ExecutionFailedDetails: {Error: {Payload: {ErrorType: StepError, ErrorMessage: boom}, Truncated: false}}}
`)
	if h[2].StepFailedDetails.RetryDetails.NextAttemptDelaySeconds != nil {
		t.Errorf("a final StepFailed must not carry NextAttemptDelaySeconds")
	}
	if got, want := eventTypes(h), "ExecutionStarted StepStarted StepFailed InvocationCompleted ExecutionFailed"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	ex, _ := s.b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(s.arn)})
	if ex.Result != nil || aws.ToString(ex.Error.ErrorType) != "StepError" {
		t.Fatalf("GetDurableExecution of a failed execution: Result %v, Error %+v", ex.Result, ex.Error)
	}
}

func TestHistoryWait(t *testing.T) {
	s := newSession(t, "null")
	s.checkpoint(waitStart("w1", "pause", "", 2))
	o := s.end(`{"Status":"PENDING"}`)
	if o.Next != NextWait || !o.WakeAt.Equal(DefaultStart.Add(2*time.Second)) {
		t.Fatalf("outcome %+v, want a wait until +2s", o)
	}
	if p := s.b.PendingTimers(); len(p) != 2 || p[0].Kind != TimerWait || p[1].Kind != TimerExecutionTimeout {
		t.Fatalf("pending timers %+v, want the wait then the execution timeout", p)
	}
	s.b.Advance(time.Second)
	if st, _ := s.b.State(s.arn); st.Operations[1].Status != types.OperationStatusStarted {
		t.Fatalf("the wait fired early")
	}
	s.b.Advance(time.Second)
	env := s.begin()
	if w := env.InitialExecutionState.Operations[1]; w.Status != types.OperationStatusSucceeded || !w.EndTimestamp.Equal(DefaultStart.Add(2*time.Second)) {
		t.Fatalf("replay sees the wait %+v, want SUCCEEDED at +2s", w)
	}
	s.end(`{"Status":"SUCCEEDED","Result":"null"}`)
	h := s.history()
	matchHistory(t, h, historytest.Wait)
	matchHistory(t, h, `
- {EventId: 2, EventTimestamp: 1767225600, WaitStartedDetails: {ScheduledEndTimestamp: 1767225602}}
- {EventId: 4, EventTimestamp: 1767225602}
- {EventId: 6, EventType: ExecutionSucceeded}
`)
	if got, want := eventTypes(h), "ExecutionStarted WaitStarted InvocationCompleted WaitSucceeded InvocationCompleted ExecutionSucceeded"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
}

func TestHistoryParallelTwoBranches(t *testing.T) {
	s := newSession(t, "null")
	s.checkpoint(ctxStart("p", "parallel", "Parallel", ""), ctxStart("b1", "parallel-branch-0", "ParallelBranch", "p"),
		stepStart("s1", "task", "b1"), stepSucceed("s1", `"task-1"`))
	s.checkpoint(ctxSucceed("b1", `"task-1"`), ctxStart("b2", "parallel-branch-1", "ParallelBranch", "p"),
		stepStart("s2", "task", "b2"), stepSucceed("s2", `"task-2"`))
	out := s.checkpoint(ctxSucceed("b2", `"task-2"`), ctxSucceed("p", `{"all":[]}`))
	if ops := out.NewExecutionState.Operations; len(ops) != 2 || aws.ToString(ops[0].Id) != "p" || aws.ToString(ops[1].Id) != "b2" {
		t.Fatalf("the delta must hold the changed operations in creation order, got %d ops", len(ops))
	}
	s.end(`{"Status":"SUCCEEDED","Result":"[\"task-1\",\"task-2\"]"}`)
	h := s.history()
	matchHistory(t, h, historytest.ParallelTwoBranches)
	if got, want := eventTypes(h), "ExecutionStarted ContextStarted ContextStarted StepStarted StepSucceeded ContextSucceeded "+
		"ContextStarted StepStarted StepSucceeded ContextSucceeded ContextSucceeded InvocationCompleted ExecutionSucceeded"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	// the stored tree: both branches under the Parallel, each step under its branch
	parents := map[string]string{}
	for _, op := range s.state() {
		parents[aws.ToString(op.Id)] = aws.ToString(op.ParentId)
	}
	if parents["b1"] != "p" || parents["b2"] != "p" || parents["s1"] != "b1" || parents["s2"] != "b2" {
		t.Fatalf("the stored tree is wrong: parent of each id %v", parents)
	}
}

// From parallel/8-14.yaml: a branch suspends on a wait; the parent and the
// finished branch stay as they are across the suspension.
func TestHistoryParallelBranchWaits(t *testing.T) {
	s := newSession(t, "null")
	s.checkpoint(ctxStart("p", "replay", "Parallel", ""), ctxStart("b1", "b0", "ParallelBranch", "p"),
		stepStart("s1", "b0", "b1"), stepSucceed("s1", `"b0"`))
	s.checkpoint(ctxSucceed("b1", `"b0"`), ctxStart("b2", "b1", "ParallelBranch", "p"), waitStart("w1", "w", "b2", 2))
	s.end(`{"Status":"PENDING"}`)
	s.b.AdvanceUntilIdle()
	env := s.begin()
	// s1 is left out: its branch completed without ReplayChildren.
	if got := opIDs(env.InitialExecutionState.Operations[1:]); got != "p b1 b2 w1" {
		t.Fatalf("replay envelope holds %s, want p b1 b2 w1", got)
	}
	s.checkpoint(ctxSucceed("b2", `"b1"`), ctxSucceed("p", `{}`))
	s.end(`{"Status":"SUCCEEDED","Result":"[\"b0\",\"b1\"]"}`)
	matchHistory(t, s.history(), `
- {EventType: WaitStarted, SubType: Wait, EventId: 8, Id: '${WAIT1}', ParentId: '${CTX_B2}', WaitStartedDetails: {Duration: 2}}
- {EventType: InvocationCompleted, EventId: 9, InvocationCompletedDetails: '*'}
- {EventType: WaitSucceeded, SubType: Wait, EventId: 10, Id: '${WAIT1}', ParentId: '${CTX_B2}', WaitSucceededDetails: {Duration: 2}}
- {EventType: ContextSucceeded, SubType: ParallelBranch, EventId: 11, Id: '${CTX_B2}', ContextSucceededDetails: {Result: {Payload: '"b1"'}}}
- {EventType: ContextSucceeded, SubType: Parallel, EventId: 12}
- {EventType: InvocationCompleted, EventId: 13}
- {EventType: ExecutionSucceeded, EventId: 14, ExecutionSucceededDetails: {Result: '*'}}
`)
}

func TestHistoryCrashedInvocation(t *testing.T) {
	// step/1-17: the first invocation dies after StepStarted; the replay
	// fails the interrupted step.
	s := newSession(t, `"abc"`)
	s.checkpoint(stepStart("s1", "at_most_once_flaky_step", ""))
	o, err := s.b.EndInvocation(s.arn, nil, &CrashError{Call: 1})
	if err != nil || o.Next != NextInvoke || aws.ToString(o.InvocationError.ErrorType) != "Runtime.ExitError" {
		t.Fatalf("crashed invocation: %+v, %v", o, err)
	}
	s.begin()
	s.checkpoint(stepFail("s1", "StepInterruptedError", "interrupted"))
	s.end(`{"Status":"FAILED","Error":{"ErrorType":"StepInterruptedError"}}`)
	matchHistory(t, s.history(), `
- {EventType: StepStarted, SubType: Step, EventId: 2, Id: '${ID1}', Name: at_most_once_flaky_step, StepStartedDetails: {}}
- {EventType: InvocationCompleted, EventId: 3, InvocationCompletedDetails: {Error: {Payload: {ErrorMessage: '*', ErrorType: Runtime.ExitError}}}}
- {EventType: StepFailed, SubType: Step, EventId: 4, Id: '${ID1}', StepFailedDetails: {Error: {Payload: {ErrorMessage: '*', ErrorType: '*'}}, RetryDetails: {CurrentAttempt: 1}}}
- {EventType: InvocationCompleted, EventId: 5, InvocationCompletedDetails: {}}
- {EventType: ExecutionFailed, EventId: 6}
`)
}

func TestHistoryExecutionUpdateEndsAfterInvocationCompleted(t *testing.T) {
	s := newSession(t, "null")
	u := upd("execution-result-1", types.OperationTypeExecution, types.OperationActionSucceed)
	u.Payload = aws.String(`"big"`)
	out := s.checkpoint(stepStart("s1", "a", ""), stepSucceed("s1", "1"), u)
	if out.CheckpointToken != nil {
		t.Fatalf("a batch that ends the execution must get no token back")
	}
	if _, err := s.try(); err == nil {
		t.Fatalf("a checkpoint after the EXECUTION update must be rejected")
	}
	o := s.end(`{"Status":"SUCCEEDED","Result":""}`)
	if o.Next != NextTerminal {
		t.Fatalf("outcome %+v", o)
	}
	h := s.history()
	if got, want := eventTypes(h), "ExecutionStarted StepStarted StepSucceeded InvocationCompleted ExecutionSucceeded"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	if p := aws.ToString(h[4].ExecutionSucceededDetails.Result.Payload); p != `"big"` {
		t.Fatalf("the checkpointed result is lost: %q", p)
	}
}
