package check

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/service"
)

// Log is a finished execution's complete operation log and how it ended.
type Log struct {
	Arn        string
	Operations []types.Operation // every stored operation, EXECUTION first
	Status     types.ExecutionStatus
	Result     *string            // when SUCCEEDED
	Error      *types.ErrorObject // when FAILED
}

// LogOf reads the log of the execution r ran on b.
func LogOf(b *service.Backend, r *harness.Result) (Log, error) {
	st, err := b.State(r.Arn)
	if err != nil {
		return Log{}, fmt.Errorf("check: reading the operation log: %w", err)
	}
	return Log{Arn: r.Arn, Operations: st.Operations, Status: st.Status, Result: r.Output, Error: r.Error}, nil
}

// ReplayReport is what one replaying invocation did.
type ReplayReport struct {
	Log    Log
	Output *durable.InvocationOutput // nil when the invocation itself failed
	// InvokeErr is the error the invocation failed with, if it did.
	InvokeErr error
	// Events lists, in order, the operations met, the step bodies run and
	// the checkpoint and state calls attempted.
	Events []ReplayEvent
	Picks  []Pick
	// Divergence is the first difference from the log, or nil.
	Divergence *Divergence
}

// Err returns the divergence, or nil.
func (r *ReplayReport) Err() error {
	if r.Divergence == nil {
		return nil
	}
	return r.Divergence
}

// StepRuns counts the step bodies the replay ran.
func (r *ReplayReport) StepRuns() int { return r.count(EventStepRun) }

// CheckpointCalls counts the checkpoint calls the replay attempted.
func (r *ReplayReport) CheckpointCalls() int { return r.count(EventCheckpoint) }

// Met counts the operations the replay met in mode m.
func (r *ReplayReport) Met(m durable.OperationMode) int {
	n := 0
	for _, e := range r.Events {
		if e.Kind == EventOperation && e.Operation.Mode == m {
			n++
		}
	}
	return n
}

func (r *ReplayReport) count(k EventKind) int {
	n := 0
	for _, e := range r.Events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// EventKind says what a ReplayEvent records.
type EventKind int

const (
	EventOperation  EventKind = iota // the code met an operation
	EventStepRun                     // a step body ran
	EventCheckpoint                  // a CheckpointDurableExecution call was attempted
	EventState                       // a GetDurableExecutionState call was attempted
)

// ReplayEvent is one thing the replaying invocation did.
type ReplayEvent struct {
	Kind      EventKind
	Operation durable.OperationEvent  // EventOperation
	StepRun   durable.StepRunEvent    // EventStepRun
	Updates   []types.OperationUpdate // EventCheckpoint
}

func (e ReplayEvent) String() string {
	switch e.Kind {
	case EventOperation:
		o := e.Operation
		return fmt.Sprintf("met %s/%s %q (id %s) %s", o.Type, o.SubType, o.Name, o.ID, o.Mode)
	case EventStepRun:
		return fmt.Sprintf("ran step %q (id %s) attempt %d", e.StepRun.Name, e.StepRun.ID, e.StepRun.Attempt)
	case EventCheckpoint:
		s := fmt.Sprintf("sent a checkpoint of %d updates", len(e.Updates))
		for _, u := range e.Updates {
			s += fmt.Sprintf("; %s %s/%s %q", u.Action, u.Type, aws.ToString(u.SubType), aws.ToString(u.Name))
		}
		return s
	}
	return "asked for the execution state"
}

// Replay runs the execution once, then replays it with ReplayLog. The error
// is the replay's *Divergence, or what stopped the run.
func (c *Checker) Replay(ctx context.Context, input any) (*ReplayReport, error) {
	run, err := c.Run(ctx, input)
	if err != nil {
		return nil, err
	}
	log, err := run.Log()
	if err != nil {
		return nil, err
	}
	return c.ReplayLog(ctx, log)
}

// ReplayLog invokes the Checker's handler once with the complete log of a
// finished execution, as the service would re-invoke it, and requires that
// no operation is new, no step body runs, no checkpoint is sent, and the
// invocation answers the execution's own result (or error). Checkpoint and
// state calls are refused, so a handler that does new work fails.
// The error is the first *Divergence.
func (c *Checker) ReplayLog(ctx context.Context, log Log) (*ReplayReport, error) {
	switch log.Status {
	case types.ExecutionStatusSucceeded, types.ExecutionStatusFailed:
	default:
		return nil, fmt.Errorf("check: replay needs an execution that SUCCEEDED or FAILED, not %s", log.Status)
	}
	rep := &ReplayReport{Log: log}
	envelope, err := durable.EncodeInvocationInput(&durable.InvocationInput{
		DurableExecutionArn:   log.Arn,
		CheckpointToken:       "dpcheck-replay",
		InitialExecutionState: durable.InitialExecutionState{Operations: log.Operations},
	})
	if err != nil {
		return nil, fmt.Errorf("check: encoding the replay envelope: %w", err)
	}
	rec := &replayRecorder{}
	sched := c.cfg.schedule(c.cfg.seed)
	sched.BeginInvocation()
	jitter := rand.New(rand.NewPCG(c.cfg.seed, 0)).Float64
	clk := harness.NewVirtualClock(time.Unix(0, 0))
	env := durable.Env{Client: rec, Scheduler: sched, Observer: rec, Jitter: jitter, Clock: clk}
	out, err := c.invoker(harness.WithVirtualClock(ctx, clk), env, envelope)
	rep.Events, rep.Picks = rec.snapshot(), sched.Picks()
	if err != nil {
		rep.InvokeErr = err
	} else if rep.Output, err = durable.DecodeInvocationOutput(out); err != nil {
		rep.InvokeErr = err
	}
	if p := rep.firstProblem(); p != "" {
		rep.Divergence = &Divergence{Check: "replay", Seed: c.cfg.seed, Problem: p, Picks: rep.Picks, Command: c.command(logInput(log), NoFault, 0)}
		return rep, rep.Divergence
	}
	return rep, nil
}

// firstProblem names the first way the replay differs from the log.
func (r *ReplayReport) firstProblem() string {
	for i, e := range r.Events {
		switch {
		case e.Kind == EventOperation && e.Operation.Mode == durable.OperationNew:
			return fmt.Sprintf("event %d: %s: the operation is not in the log, so the handler does new work on replay", i+1, e)
		case e.Kind != EventOperation:
			return fmt.Sprintf("event %d: %s; a replay of a finished execution must not", i+1, e)
		}
	}
	if r.InvokeErr != nil {
		return "the invocation failed: " + r.InvokeErr.Error()
	}
	got, want := r.Output, r.Log
	switch {
	case string(got.Status) != string(want.Status):
		s := fmt.Sprintf("the replay answered %s, the execution ended %s", got.Status, want.Status)
		if got.Error != nil {
			s += " (replay error " + errorText(got.Error) + ")"
		}
		return s
	case want.Status == types.ExecutionStatusSucceeded && got.Result != aws.ToString(want.Result):
		return fmt.Sprintf("result %s, the execution's result is %s", got.Result, aws.ToString(want.Result))
	case want.Status == types.ExecutionStatusFailed && !sameError(got.Error, want.Error):
		return fmt.Sprintf("error %s, the execution's error is %s", errorText(got.Error), errorText(want.Error))
	}
	return ""
}

// errorText is "Type: message", unabridged.
func errorText(e *types.ErrorObject) string {
	if e == nil {
		return "none"
	}
	return aws.ToString(e.ErrorType) + ": " + aws.ToString(e.ErrorMessage)
}

func sameError(a, b *types.ErrorObject) bool {
	if a == nil || b == nil {
		return a == b
	}
	return aws.ToString(a.ErrorType) == aws.ToString(b.ErrorType) &&
		aws.ToString(a.ErrorMessage) == aws.ToString(b.ErrorMessage) &&
		aws.ToString(a.ErrorData) == aws.ToString(b.ErrorData)
}

// errReplayWrite is what the replay's client answers every call with.
var errReplayWrite = errors.New("check: a replay of a finished execution may not call the service")

// replayRecorder is the replay's checkpoint client and observer: it records
// everything in order and refuses every call.
type replayRecorder struct {
	mu     sync.Mutex
	events []ReplayEvent
}

func (r *replayRecorder) add(e ReplayEvent) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *replayRecorder) snapshot() []ReplayEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ReplayEvent(nil), r.events...)
}

func (r *replayRecorder) ObserveOperation(ev durable.OperationEvent) {
	r.add(ReplayEvent{Kind: EventOperation, Operation: ev})
}

func (r *replayRecorder) ObserveStepRun(ev durable.StepRunEvent) {
	r.add(ReplayEvent{Kind: EventStepRun, StepRun: ev})
}

func (r *replayRecorder) CheckpointDurableExecution(_ context.Context, in *lambda.CheckpointDurableExecutionInput, _ ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	r.add(ReplayEvent{Kind: EventCheckpoint, Updates: in.Updates})
	return nil, errReplayWrite
}

func (r *replayRecorder) GetDurableExecutionState(context.Context, *lambda.GetDurableExecutionStateInput, ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error) {
	r.add(ReplayEvent{Kind: EventState})
	return nil, errReplayWrite
}
