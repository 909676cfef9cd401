package service

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// runningTarget is a ChainedInvoker with one target, "target", durable or
// plain, during whose run the test lets the caller go (letGo). A durable
// target is suspended on an hour's wait first, so its execution is running
// when the caller lets go; if it is still running afterwards it is driven
// to its end, as a target nobody stopped would be.
type runningTarget struct {
	t       *testing.T
	b       *Backend
	durable bool
	letGo   func()
	target  *session // the durable target's execution
	ran     bool     // the target reached its end and answered
}

func (r *runningTarget) Lookup(string) (isDurable, ok bool) { return r.durable, true }

func (r *runningTarget) Invoke(_ context.Context, inv ChainedInvocation) ([]byte, *types.ErrorObject, error) {
	if !inv.Durable {
		r.letGo()
		r.ran = true
		return []byte(`"plain done"`), nil, nil
	}
	r.target = &session{t: r.t, b: r.b, arn: inv.ExecutionArn}
	r.target.begin()
	r.target.checkpoint(waitStart("w1", "hold", "", 3600))
	r.target.end(`{"Status":"PENDING"}`)
	r.letGo()
	if st, _ := r.b.State(inv.ExecutionArn); st.Status == types.ExecutionStatusRunning {
		r.target.begin()
		r.target.end(`{"Status":"SUCCEEDED","Result":"\"target done\""}`)
		r.ran = true
	}
	return nil, nil, nil
}

// TestCancelledChainedInvokeStopsItsDurableTarget: a CANCEL of a chained
// invoke whose durable target is running stops the target's execution
// (ExecutionStopped with the CANCEL's error); a plain target is left to
// finish and its answer is dropped. A caller that is stopped or times out
// sends no CANCEL and its target runs on, as in the official Python testing
// service; the target's end is not recorded on the ended caller (doc.go,
// "Chained invokes").
func TestCancelledChainedInvokeStopsItsDurableTarget(t *testing.T) {
	cancelErr := errObj("CallerCancelled", "the caller gave up")
	cancel := func(s *session) func() {
		return func() {
			s.begin()
			u := upd("ci1", types.OperationTypeChainedInvoke, types.OperationActionCancel)
			u.Error = cancelErr
			s.checkpoint(u, waitStart("w2", "later", "", 60))
			s.end(`{"Status":"PENDING"}`)
		}
	}
	stop := func(s *session) func() {
		return func() {
			if _, err := s.b.StopDurableExecution(context.Background(), &lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(s.arn)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	timeOut := func(s *session) func() {
		return func() { s.b.Advance((callerTimeoutSecs + 1) * time.Second) }
	}
	const cancelled = "ExecutionStarted ChainedInvokeStarted InvocationCompleted ChainedInvokeStopped WaitStarted InvocationCompleted"
	cases := []struct {
		name    string
		durable bool
		letGo   func(*session) func()
		// how a durable target's execution ends: its status and last event
		target      types.ExecutionStatus
		targetEvent types.EventType
		caller      string // the caller's events
		targetRan   bool
	}{
		{"cancelled, durable target", true, cancel, types.ExecutionStatusStopped, types.EventTypeExecutionStopped, cancelled, false},
		{"cancelled, plain target", false, cancel, "", "", cancelled, true},
		{"caller stopped, durable target", true, stop, types.ExecutionStatusSucceeded, types.EventTypeExecutionSucceeded,
			"ExecutionStarted ChainedInvokeStarted InvocationCompleted ExecutionStopped", true},
		{"caller timed out, durable target", true, timeOut, types.ExecutionStatusSucceeded, types.EventTypeExecutionSucceeded,
			"ExecutionStarted ChainedInvokeStarted InvocationCompleted ExecutionTimedOut", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &runningTarget{t: t, durable: tc.durable}
			r.b = NewBackend(WithChainedInvoker(r))
			arn, err := r.b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: "null", ExecutionTimeout: callerTimeoutSecs})
			if err != nil {
				t.Fatal(err)
			}
			s := &session{t: t, b: r.b, arn: arn}
			s.begin()
			s.checkpoint(chainedStart("ci1", "target", "", nil))
			o := s.end(`{"Status":"PENDING"}`)
			r.letGo = tc.letGo(s)
			if err := r.b.RunChainedInvoke(context.Background(), o.ChainedInvokes[0]); err != nil {
				t.Fatalf("RunChainedInvoke: %v", err)
			}
			if r.ran != tc.targetRan {
				t.Errorf("the target ran to its end: %v, want %v", r.ran, tc.targetRan)
			}
			if tc.durable {
				st, _ := r.b.State(r.target.arn)
				h := r.target.history()
				last := h[len(h)-1]
				if st.Status != tc.target || last.EventType != tc.targetEvent {
					t.Fatalf("target execution %s, last event %s; want %s, %s", st.Status, last.EventType, tc.target, tc.targetEvent)
				}
				if tc.target == types.ExecutionStatusStopped && aws.ToString(last.ExecutionStoppedDetails.Error.Payload.ErrorType) != "CallerCancelled" {
					t.Errorf("the target's ExecutionStopped carries %+v, want the CANCEL's error", last.ExecutionStoppedDetails.Error.Payload)
				}
			}
			if got := eventTypes(s.history()); got != tc.caller {
				t.Errorf("caller events %s\nwant %s", got, tc.caller)
			}
			if s.awake() {
				t.Errorf("the caller was woken by a target it let go")
			}
		})
	}
}

// callerTimeoutSecs is the caller's execution timeout, well short of the
// target's hour-long wait.
const callerTimeoutSecs = 10
