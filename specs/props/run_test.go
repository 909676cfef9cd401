package props

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// run drives one execution of inv on a fresh backend, which it returns for
// a later replay. Any error from the runner (the invocation cap above all)
// fails t: every generated execution must end on its own.
func run(t harness.TB, inv durable.Invoker, input string, opts ...harness.RunnerOption) (*harness.Result, *harness.Backend) {
	t.Helper()
	b := harness.NewBackend()
	opts = append(opts, harness.WithBackend(b))
	res, err := harness.NewLocalRunner(inv, opts...).RunJSON(context.Background(), input)
	if err != nil {
		if res != nil {
			t.Fatalf("run %s: %v\n%s", input, err, res.Tree())
		}
		t.Fatalf("run %s: %v", input, err)
	}
	return res, b
}

// checkpointCalls counts the checkpoint calls of every invocation: the
// boundaries a crash can be injected at.
func checkpointCalls(res *harness.Result) int {
	n := 0
	for _, inv := range res.Invocations {
		n += inv.CheckpointCalls
	}
	return n
}

// stepRuns counts the step bodies run over the whole execution, per step
// name.
func stepRuns(res *harness.Result) map[string]int {
	runs := map[string]int{}
	for _, inv := range res.Invocations {
		for _, r := range inv.StepRuns {
			runs[r.Name]++
		}
	}
	return runs
}

// replay is what re-invoking a finished execution with its complete log
// showed.
type replay struct {
	output      *durable.InvocationOutput
	err         error // the invocation itself failed
	checkpoints int   // CheckpointDurableExecution calls attempted
	stateCalls  int   // GetDurableExecutionState calls attempted
	observer    observer
}

// replayFinished invokes inv once more with every operation the execution
// stored, as a replay after the end would see them. The client refuses
// every call, so a replay that needs the service shows up as a failed
// invocation as well as in the counts.
func replayFinished(t harness.TB, b *harness.Backend, arn string, inv durable.Invoker) *replay {
	t.Helper()
	st, err := b.State(arn)
	if err != nil {
		t.Fatalf("state of %s: %v", arn, err)
	}
	envelope, err := durable.EncodeInvocationInput(&durable.InvocationInput{
		DurableExecutionArn:   arn,
		CheckpointToken:       "replay-of-a-finished-execution",
		InitialExecutionState: durable.InitialExecutionState{Operations: st.Operations},
	})
	if err != nil {
		t.Fatalf("envelope: %v", err)
	}
	r := &replay{}
	client := &refusingClient{r: r}
	out, err := inv(context.Background(), durable.Env{Client: client, Observer: &r.observer}, envelope)
	if err != nil {
		r.err = err
		return r
	}
	if r.output, err = durable.DecodeInvocationOutput(out); err != nil {
		t.Fatalf("replay output %s: %v", out, err)
	}
	return r
}

var errRefused = errors.New("props: the replay of a finished execution called the service")

// refusingClient answers every call with errRefused and counts them.
type refusingClient struct {
	mu sync.Mutex
	r  *replay
}

func (c *refusingClient) CheckpointDurableExecution(context.Context, *lambda.CheckpointDurableExecutionInput, ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.r.checkpoints++
	return nil, errRefused
}

func (c *refusingClient) GetDurableExecutionState(context.Context, *lambda.GetDurableExecutionStateInput, ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.r.stateCalls++
	return nil, errRefused
}

// observer records what the runtime reports during one invocation.
type observer struct {
	mu   sync.Mutex
	ops  []durable.OperationEvent
	runs []durable.StepRunEvent
}

func (o *observer) ObserveOperation(ev durable.OperationEvent) {
	o.mu.Lock()
	o.ops = append(o.ops, ev)
	o.mu.Unlock()
}

func (o *observer) ObserveStepRun(ev durable.StepRunEvent) {
	o.mu.Lock()
	o.runs = append(o.runs, ev)
	o.mu.Unlock()
}

// checkReplay fails t unless the replay of a finished execution answered
// exactly what the execution ended with, ran no step body, met every
// operation as replayed and called the service not once.
func checkReplay(t harness.TB, res *harness.Result, r *replay) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("replay of the finished execution failed: %v", r.err)
	}
	if r.checkpoints != 0 || r.stateCalls != 0 {
		t.Fatalf("replay made %d checkpoint and %d state calls, want none", r.checkpoints, r.stateCalls)
	}
	if len(r.observer.runs) != 0 {
		t.Fatalf("replay ran %d step bodies, want none: %+v", len(r.observer.runs), r.observer.runs)
	}
	for _, op := range r.observer.ops {
		if op.Mode != durable.OperationReplayed {
			t.Fatalf("replay met %s %q (%s) as %s, want replayed", op.Type, op.Name, op.ID, op.Mode)
		}
	}
	switch res.Status {
	case "SUCCEEDED":
		if r.output.Status != durable.InvocationSucceeded || r.output.Result != deref(res.Output) {
			t.Fatalf("replay answered %s %q, the execution SUCCEEDED with %q", r.output.Status, r.output.Result, deref(res.Output))
		}
	case "FAILED":
		if r.output.Status != durable.InvocationFailed || errorText(r.output.Error) != errorText(res.Error) {
			t.Fatalf("replay answered %s %s, the execution FAILED with %s", r.output.Status, errorText(r.output.Error), errorText(res.Error))
		}
	default:
		t.Fatalf("the execution ended %s", res.Status)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// errorText is "Type: message" in full ("" for no error).
func errorText(e *types.ErrorObject) string {
	if e == nil {
		return ""
	}
	return aws.ToString(e.ErrorType) + ": " + aws.ToString(e.ErrorMessage)
}
