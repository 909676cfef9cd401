package props

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/service"
)

// run drives one execution of inv on a fresh backend, which it returns for
// a later replay. Any error from the runner (the invocation cap above all)
// fails t: every generated execution must end on its own.
func run(t harness.TB, inv durable.Invoker, input string, opts ...harness.RunnerOption) (*harness.Result, *service.Backend) {
	t.Helper()
	b := service.NewBackend()
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

// timers bounds the invocations a program needs beyond the first: each
// wait and each retry can suspend the execution once.
func (p parallelProg) timers() int {
	n := 0
	for _, b := range p.Branches {
		for _, o := range b.Ops {
			switch o.Kind {
			case opWait:
				n++
			case opFutures:
				n += o.futureTimers()
			case opStep:
				n += o.allowedAttempts() - 1
			case opParallel:
				n += o.Nested.timers()
			}
		}
	}
	return n
}

// maxInvocations is the cap a run of p gets: one invocation per timer, the
// first, and one per injected fault. Reaching it means an invocation did
// not end or the runtime asked to be invoked for nothing.
func (p program) maxInvocations(faults int) int { return 1 + p.Root.timers() + faults }

// runProgram runs p under sched, with the fault f when it is not nil.
func runProgram(t harness.TB, p program, sched schedule, f *fault) (*harness.Result, *service.Backend) {
	t.Helper()
	input, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("encoding the program: %v", err)
	}
	opts := []harness.RunnerOption{harness.WithScheduler(sched.scheduler()), harness.WithMaxInvocations(p.maxInvocations(0))}
	if f != nil {
		opts = append(opts, harness.WithFaults(f.hook()), harness.WithMaxInvocations(p.maxInvocations(1)))
	}
	return run(t, interpret, string(input), opts...)
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

// checkReplay re-invokes the finished execution res ran on b with its
// complete log (check.ReplayLog): it must answer what the execution ended
// with, run no step body and call the service not once. Every operation
// it meets must be replayed outright, none resumed.
func checkReplay(t harness.TB, b *service.Backend, res *harness.Result, inv durable.Invoker) {
	t.Helper()
	log, err := check.LogOf(b, res)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	rep, err := check.New(inv).ReplayLog(context.Background(), log)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if err := rep.Err(); err != nil {
		t.Fatalf("replay of the finished execution: %v", err)
	}
	if rep.StepRuns() != 0 || rep.CheckpointCalls() != 0 || rep.Met(durable.OperationNew) != 0 || rep.Met(durable.OperationResumed) != 0 {
		t.Fatalf("replay ran %d step bodies, made %d checkpoint calls, met %d operations as new and %d as resumed; want none",
			rep.StepRuns(), rep.CheckpointCalls(), rep.Met(durable.OperationNew), rep.Met(durable.OperationResumed))
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
