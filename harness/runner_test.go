package harness

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/durable/wire"
	"github.com/dpcheck/dpcheck/harness/internal/historytest"
	"github.com/dpcheck/dpcheck/harness/service"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// The same histories as history_test.go, this time produced by real
// handlers on the durable runtime through the LocalRunner.

func run(t *testing.T, inv durable.Invoker, input any, opts ...RunnerOption) *Result {
	t.Helper()
	return NewLocalRunner(inv, opts...).MustRun(t, input)
}

func TestRunnerStepSucceeds(t *testing.T) {
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "custom_step_name", func(durable.StepContext) (string, error) { return "Hello, World!", nil })
	}), nil)
	res.RequireStatus(t, types.ExecutionStatusSucceeded)
	historytest.Match(t, res.History, historytest.StepSucceeds)
	if got := MustResultAs[string](t, res); got != "Hello, World!" {
		t.Fatalf("result %q", got)
	}
	if inv := res.Invocations[0]; inv.Executed() != 1 || inv.Replayed() != 0 || len(inv.StepRuns) != 1 || inv.CheckpointCalls < 1 {
		t.Fatalf("invocation record %+v", inv)
	}
}

func TestRunnerRetryThenSuccess(t *testing.T) {
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "unreliable", func(sc durable.StepContext) (string, error) {
			if sc.Attempt() == 1 {
				return "", errors.New("transient")
			}
			return "Operation succeeded", nil
		}, durable.WithRetry(durable.LinearRetry(3, time.Second, 0)))
	}), nil)
	res.RequireStatus(t, types.ExecutionStatusSucceeded)
	historytest.Match(t, res.History, historytest.RetryThenSuccess)
	if len(res.Invocations) != 2 {
		t.Fatalf("%d invocations, want 2", len(res.Invocations))
	}
	second := res.Invocations[1]
	if !second.Start.Equal(service.DefaultStart.Add(time.Second)) || second.Resumed() != 1 || len(second.StepRuns) != 1 || second.StepRuns[0].Attempt != 2 {
		t.Fatalf("second invocation %+v", second)
	}
	if op := res.Op("unreliable"); op.Attempts != 2 || op.Status != types.OperationStatusSucceeded || op.Error != nil {
		t.Fatalf("folded step %+v", op)
	}
}

func TestRunnerNoRetryFailure(t *testing.T) {
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "failing", func(durable.StepContext) (string, error) {
			return "", errors.New("always")
		}, durable.WithRetry(durable.NoRetry()))
	}), nil)
	res.RequireStatus(t, types.ExecutionStatusFailed)
	historytest.Match(t, res.History, historytest.NoRetryFailure)
	if got := historytest.EventTypes(res.History); got != "ExecutionStarted StepStarted StepFailed InvocationCompleted ExecutionFailed" {
		t.Fatalf("events %s", got)
	}
	if res.Error == nil || res.Output != nil {
		t.Fatalf("a failed execution has an error and no result: %+v %v", res.Error, res.Output)
	}
}

func TestRunnerWait(t *testing.T) {
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) (any, error) {
		return nil, durable.Wait(ctx, "pause", 2*time.Second)
	}), nil)
	res.RequireStatus(t, types.ExecutionStatusSucceeded)
	historytest.Match(t, res.History, historytest.Wait)
	if second := res.Invocations[1]; second.Replayed() != 1 || second.Executed() != 0 {
		t.Fatalf("the replay must replay the wait and run nothing: %+v", second)
	}
}

func TestRunnerParallelTwoBranches(t *testing.T) {
	branch := func(v string) func(durable.Context) (string, error) {
		return func(c durable.Context) (string, error) {
			return durable.Step(c, "task", func(durable.StepContext) (string, error) { return v, nil })
		}
	}
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) ([]string, error) {
		br, err := durable.Parallel(ctx, "parallel", []durable.Branch[string]{{Func: branch("task-1")}, {Func: branch("task-2")}},
			durable.WithMaxConcurrency(1))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return br.Results(), nil
	}), nil)
	res.RequireStatus(t, types.ExecutionStatusSucceeded)
	historytest.Match(t, res.History, historytest.ParallelTwoBranches)
	if got := MustResultAs[[]string](t, res); !reflect.DeepEqual(got, []string{"task-1", "task-2"}) {
		t.Fatalf("result %v", got)
	}
}

func TestRunnerCrashedStepIsNotRerun(t *testing.T) {
	// step/1-17: AtMostOncePerRetry, no retry; the process dies right after
	// the START is acknowledged.
	runs := 0
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "at_most_once_flaky_step", func(durable.StepContext) (string, error) {
			runs++
			return "never", nil
		}, durable.WithSemantics(durable.AtMostOncePerRetry), durable.WithRetry(durable.NoRetry()))
	}), nil, WithFaults(CrashAfterCheckpoint(1)))
	res.RequireStatus(t, types.ExecutionStatusFailed)
	historytest.Match(t, res.History, `
- {EventType: StepStarted, SubType: Step, EventId: 2, Id: '${ID1}', Name: at_most_once_flaky_step, StepStartedDetails: {}}
- {EventType: InvocationCompleted, EventId: 3, InvocationCompletedDetails: {Error: {Payload: {ErrorMessage: '*', ErrorType: Runtime.ExitError}}}}
- {EventType: StepFailed, SubType: Step, EventId: 4, Id: '${ID1}', Name: at_most_once_flaky_step, StepFailedDetails: {Error: {Payload: {ErrorMessage: '*', ErrorType: '*'}}, RetryDetails: {CurrentAttempt: 1}}}
- {EventType: InvocationCompleted, EventId: 5, InvocationCompletedDetails: {}}
- {EventType: ExecutionFailed, EventId: 6}
`)
	if runs != 0 {
		t.Fatalf("the step body ran %d times; the crash came before it and the replay must not run it", runs)
	}
	if f := res.Invocations[0].Faults; len(f) != 1 || !strings.Contains(f[0], "crash after checkpoint call 1") {
		t.Fatalf("faults recorded %v", f)
	}
}

func TestRunnerThrottledCheckpoint(t *testing.T) {
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "s", func(durable.StepContext) (int, error) { return 7, nil })
	}), nil, WithFaults(FailCheckpoint(1, nil)))
	res.RequireStatus(t, types.ExecutionStatusSucceeded)
	if len(res.Invocations) != 2 || res.Invocations[0].Error == nil || res.Invocations[1].Error != nil {
		t.Fatalf("a throttled checkpoint must fail the first invocation only: %+v", res.Invocations)
	}
	if msg := aws.ToString(res.Invocations[0].Error.ErrorMessage); !strings.Contains(msg, "TooManyRequestsException") {
		t.Fatalf("the failed invocation does not say why: %s", msg)
	}
	if got := MustResultAs[int](t, res); got != 7 {
		t.Fatalf("result %d", got)
	}
}

// fanout is a workload with every kind of boundary: a Parallel of steps,
// a retried step, a wait and a child context.
func fanout(ctx durable.Context, n int) (string, error) {
	br := make([]durable.Branch[int], 3)
	for i := range br {
		br[i] = durable.Branch[int]{Name: fmt.Sprintf("b%d", i), Func: func(c durable.Context) (int, error) {
			return durable.Step(c, "square", func(durable.StepContext) (int, error) { return (n + i) * (n + i), nil })
		}}
	}
	batch, err := durable.Parallel(ctx, "squares", br, durable.WithCompletion(durable.AllCompleted()))
	if batchfail.Settled(err) != nil {
		return "", err
	}
	flaky, err := durable.Step(ctx, "flaky", func(sc durable.StepContext) (int, error) {
		if sc.Attempt() < 2 {
			return 0, errors.New("again")
		}
		return sc.Attempt(), nil
	}, durable.WithRetry(durable.LinearRetry(3, time.Second, 0)))
	if err != nil {
		return "", err
	}
	if err := durable.Wait(ctx, "nap", time.Minute); err != nil {
		return "", err
	}
	tail, err := durable.RunInChildContext(ctx, "tail", func(c durable.Context) (string, error) {
		return durable.Step(c, "sum", func(durable.StepContext) (string, error) {
			sum := 0
			for _, v := range batch.Results() {
				sum += v
			}
			return fmt.Sprint(sum, "/", flaky), nil
		})
	})
	return tail, err
}

// Crashing after any checkpoint call, and throttling any call, must not
// change the outcome: the replay picks up where the history left off.
func TestRunnerFaultAtEveryCheckpoint(t *testing.T) {
	inv := durable.Handle(fanout)
	clean := run(t, inv, 3, WithSeededScheduler(1))
	clean.RequireStatus(t, types.ExecutionStatusSucceeded)
	calls := 0
	for _, i := range clean.Invocations {
		calls += i.CheckpointCalls
	}
	if calls < 5 {
		t.Fatalf("only %d checkpoint calls: the workload is too small to be interesting", calls)
	}
	want := MustResultAs[string](t, clean)
	for n := 1; n <= calls; n++ {
		for _, fault := range []FaultHook{CrashAfterCheckpoint(n), FailCheckpoint(n, service.ServiceError("boom"))} {
			res := run(t, inv, 3, WithSeededScheduler(1), WithFaults(fault))
			res.RequireStatus(t, types.ExecutionStatusSucceeded)
			if got := MustResultAs[string](t, res); got != want {
				t.Fatalf("fault at call %d: result %q, want %q", n, got, want)
			}
			if res.SignatureString() != clean.SignatureString() {
				t.Fatalf("fault at call %d changed the operations:\n%s\nwant\n%s", n, res.SignatureString(), clean.SignatureString())
			}
			failed := 0
			for _, i := range res.Invocations {
				if i.Error != nil {
					failed++
				}
			}
			if failed != 1 || len(res.Invocations) != len(clean.Invocations)+1 {
				t.Fatalf("fault at call %d: %d failed of %d invocations (clean run: %d)", n, failed, len(res.Invocations), len(clean.Invocations))
			}
		}
	}
}

func TestRunnerInvocationCap(t *testing.T) {
	r := NewLocalRunner(durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		for i := 0; ; i++ {
			if err := durable.Wait(ctx, fmt.Sprint("w", i), time.Second); err != nil {
				return 0, err
			}
		}
	}), WithMaxInvocations(3))
	res, err := r.Run(context.Background(), nil)
	var capErr *service.InvocationCapError
	if !errors.As(err, &capErr) || capErr.Max != 3 {
		t.Fatalf("want an service.InvocationCapError, got %v", err)
	}
	if res == nil || res.Status != types.ExecutionStatusRunning || len(res.Invocations) != 3 {
		t.Fatalf("the partial result must come back: %+v", res)
	}
}

func TestRunnerDeterminism(t *testing.T) {
	inv := durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "retried", func(sc durable.StepContext) (int, error) {
			if sc.Attempt() < 4 {
				return 0, errors.New("not yet")
			}
			return 1, nil
		})
	})
	history := func(seed uint64) string {
		res := run(t, inv, nil, WithSeed(seed), WithSeededScheduler(seed))
		b, err := wire.Marshal(res.History, wire.Seconds)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a := history(42)
	if b := history(42); a != b {
		t.Fatalf("two runs with seed 42 differ:\n%s\n%s", a, b)
	}
	res := run(t, inv, nil, WithSeed(42))
	for _, ev := range res.EventsOfType(types.EventTypeStepFailed) {
		rd := ev.StepFailedDetails.RetryDetails
		// default strategy: full jitter of 5 s, 10 s, 20 s, whole seconds, at least 1
		if d := aws.ToInt32(rd.NextAttemptDelaySeconds); d < 1 || d > 5<<(rd.CurrentAttempt-1) {
			t.Fatalf("attempt %d: delay %d outside the default strategy's range", rd.CurrentAttempt, d)
		}
	}
}

func TestRunnerSharedBackend(t *testing.T) {
	b := service.NewBackend()
	r := NewLocalRunner(durable.Handle(func(ctx durable.Context, in string) (string, error) {
		return in + "!", durable.Wait(ctx, "w", time.Hour)
	}), WithBackend(b), WithFunctionName("echo"))
	one := r.MustRun(t, "a")
	two := r.MustRun(t, "b")
	if one.Arn == two.Arn || len(b.Executions()) != 2 {
		t.Fatalf("two runs on one backend must be two executions")
	}
	if MustResultAs[string](t, two) != "b!" || !b.Now().Equal(service.DefaultStart.Add(2*time.Hour)) {
		t.Fatalf("the shared clock reads %v after two one-hour waits", b.Now())
	}
}

func TestRunnerPanickingInvoker(t *testing.T) {
	calls := 0
	r := NewLocalRunner(func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
		calls++
		if calls == 1 {
			panic("kaboom")
		}
		return []byte(`{"Status":"SUCCEEDED","Result":"1"}`), nil
	})
	res, err := r.Run(context.Background(), nil)
	if err != nil || res.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("a panicking invocation must count as a crash and be retried: %v %v", res, err)
	}
	if e := res.Invocations[0].Error; e == nil || !strings.Contains(aws.ToString(e.ErrorMessage), "kaboom") {
		t.Fatalf("the crash is not recorded: %+v", res.Invocations[0])
	}
}

// With a one-operation envelope page the runtime must fetch the rest of
// the state through GetDurableExecutionState, and still replay correctly.
func TestRunnerStatePaging(t *testing.T) {
	inv := durable.Handle(fanout)
	want := run(t, inv, 2, WithSeededScheduler(3))
	paged := run(t, inv, 2, WithSeededScheduler(3), WithBackendOptions(service.WithEnvelopePageSize(1)))
	paged.RequireStatus(t, types.ExecutionStatusSucceeded)
	if MustResultAs[string](t, paged) != MustResultAs[string](t, want) || paged.SignatureString() != want.SignatureString() {
		t.Fatalf("paging changed the run:\n%s\nwant\n%s", paged.Tree(), want.Tree())
	}
	states := 0
	for _, inv := range paged.Invocations[1:] {
		states += inv.StateCalls
	}
	if states == 0 {
		t.Fatalf("no replay fetched state pages")
	}
}

// Runs racing on one backend (one clock, one store): each must end right.
func TestRunnerConcurrentRunsOnSharedBackend(t *testing.T) {
	b := service.NewBackend()
	r := NewLocalRunner(durable.Handle(fanout), WithBackend(b))
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			res, err := r.Run(context.Background(), i)
			if err == nil && res.Status != types.ExecutionStatusSucceeded {
				err = fmt.Errorf("run %d ended %s:\n%s", i, res.Status, res.Tree())
			}
			errs <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := len(b.Executions()); n != 8 {
		t.Fatalf("%d executions on the shared backend, want 8", n)
	}
}
