package conformance_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// scriptedTarget stands in for a backend: it optionally runs the handler
// (invocations times, in process) and reports the execution its script builds
// from the request.
type scriptedTarget struct {
	invocations int // how many times to call req.Invoker; 0 = out of process
	script      func(req conformance.Request) *conformance.Execution
	callbacks   bool
	served      bool // runs the function a key names: no handler needed

	client   *countingClient
	results  []error // what each invocation returned
	requests []conformance.Request
}

func (s *scriptedTarget) Run(ctx context.Context, req conformance.Request) (*conformance.Execution, error) {
	s.requests = append(s.requests, req)
	if s.client == nil {
		s.client = &countingClient{}
	}
	for range s.invocations {
		_, err := req.Invoker(ctx, durable.Env{Client: s.client}, []byte(`{}`))
		s.results = append(s.results, err)
	}
	return s.script(req), nil
}

func (s *scriptedTarget) Supports(f conformance.Feature) bool {
	return (f == conformance.FeatureCallbacks && s.callbacks) || (f == conformance.FeatureServedFunctions && s.served)
}

type countingClient struct {
	mu    sync.Mutex
	calls int
}

func (c *countingClient) CheckpointDurableExecution(context.Context, *lambda.CheckpointDurableExecutionInput, ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return &lambda.CheckpointDurableExecutionOutput{}, nil
}

func (c *countingClient) GetDurableExecutionState(context.Context, *lambda.GetDurableExecutionStateInput, ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error) {
	return &lambda.GetDurableExecutionStateOutput{}, nil
}

func (c *countingClient) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// noop is a handler for targets that never run it.
var noop = conformance.Plain(func(context.Context, durable.Env, []byte) ([]byte, error) { return nil, nil })

func retryExecution(conformance.Request) *conformance.Execution {
	return &conformance.Execution{Status: "SUCCEEDED", Result: `"Operation succeeded"`, History: retryHistory()}
}

func readReq(t *testing.T, path string) *conformance.Requirement {
	t.Helper()
	r, err := conformance.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunnerNoHandlerRegistered(t *testing.T) {
	r := &conformance.Runner{Registry: conformance.NewRegistry(), Target: &scriptedTarget{script: retryExecution}}
	o := r.Run(context.Background(), readReq(t, "testdata/official/step/1-11.yaml"))
	if o.Verdict != conformance.Skip || !strings.HasPrefix(o.Message, "no Go handler is registered for step/1-11 (") {
		t.Fatalf("outcome = %s %q", o.Verdict, o.Message)
	}
	if line := o.Line(); !strings.HasPrefix(line, "SKIP step/1-11 Step with retry (fails then succeeds): no Go handler is registered") {
		t.Errorf("line = %q", line)
	}
}

func TestRunnerPass(t *testing.T) {
	reg := conformance.NewRegistry()
	reg.Register("step/1-11", noop)
	r := &conformance.Runner{Registry: reg, Target: &scriptedTarget{script: retryExecution}}
	o := r.Run(context.Background(), readReq(t, "testdata/official/step/1-11.yaml"))
	if o.Verdict != conformance.Pass {
		t.Fatalf("outcome = %s\n%s", o.Verdict, o.Message)
	}
	if o.Line() != "PASS step/1-11 Step with retry (fails then succeeds)" {
		t.Errorf("line = %q", o.Line())
	}
	if o.Bindings["ID1"] != "op-1" || o.Execution == nil {
		t.Errorf("bindings %v, execution %v", o.Bindings, o.Execution)
	}
}

// A runtime with an off-by-one in its attempt count: the report must name the
// first differing event, not a later one.
func TestRunnerReportsTheFirstDifferingEvent(t *testing.T) {
	reg := conformance.NewRegistry()
	reg.Register("step/1-11", noop)
	offByOne := func(conformance.Request) *conformance.Execution {
		h := retryHistory()
		h[2].StepFailedDetails.RetryDetails.CurrentAttempt = 2    // EventId 3
		h[5].StepSucceededDetails.RetryDetails.CurrentAttempt = 3 // EventId 6
		return &conformance.Execution{Status: "SUCCEEDED", Result: `"Operation succeeded"`, History: h}
	}
	r := &conformance.Runner{Registry: reg, Target: &scriptedTarget{script: offByOne}}
	o := r.Run(context.Background(), readReq(t, "testdata/official/step/1-11.yaml"))
	if o.Verdict != conformance.Fail {
		t.Fatalf("verdict = %s, want FAIL", o.Verdict)
	}
	first := firstLine(o.Message)
	want := "event 3 (StepFailed, line 20) differs at StepFailedDetails.RetryDetails.CurrentAttempt: expected 1, got 2"
	if first != want {
		t.Errorf("first line = %q\nwant          %q", first, want)
	}
	if strings.Contains(o.Message, "event 6") {
		t.Errorf("report goes past the first differing event:\n%s", o.Message)
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func TestRunnerTargetError(t *testing.T) {
	reg := conformance.NewRegistry()
	reg.Register("step/1-11", noop)
	r := &conformance.Runner{Registry: reg, Target: failingTarget{}}
	o := r.Run(context.Background(), readReq(t, "testdata/official/step/1-11.yaml"))
	if o.Verdict != conformance.Fail || o.Message != "run failed: invocation cap reached" {
		t.Fatalf("outcome = %s %q", o.Verdict, o.Message)
	}
}

type failingTarget struct{}

func (failingTarget) Run(context.Context, conformance.Request) (*conformance.Execution, error) {
	return nil, errors.New("invocation cap reached")
}

// greeter logs as step/1-7 asks, through the Env logger, and a script that
// returns the history and result 1-7 expects for the run's input.
func greeter(logs ...string) conformance.HandlerFunc {
	return conformance.Plain(func(_ context.Context, env durable.Env, _ []byte) ([]byte, error) {
		for _, l := range logs {
			env.Logger.Info(l)
		}
		env.Logger.Debug("debug records are below Lambda's default level")
		return nil, nil
	})
}

func greetingExecution(req conformance.Request) *conformance.Execution {
	var name string
	_ = json.Unmarshal(req.Input, &name)
	greeting, _ := json.Marshal("Hello, " + name + "!")
	return &conformance.Execution{Status: "SUCCEEDED", Result: string(greeting), History: []types.Event{
		executionStarted(string(req.Input)),
		stepStarted(2, "op-1"),
		stepSucceeded(3, "op-1", string(greeting), 1),
		invocationCompleted(4),
		executionSucceeded(5, string(greeting)),
	}}
}

func TestRunnerChecksLogsOfAnInProcessRun(t *testing.T) {
	req := readReq(t, "testdata/official/step/1-7.yaml")
	run := func(h conformance.HandlerFunc, invocations int) conformance.Outcome {
		reg := conformance.NewRegistry()
		reg.Register("step/1-7", h)
		r := &conformance.Runner{Registry: reg, Target: &scriptedTarget{invocations: invocations, script: greetingExecution}, Seed: 42}
		return r.Run(context.Background(), req)
	}
	// The handler must log with the generated input, so it reads it from the bindings of
	// the same seed: a run with seed 42 draws the same INPUT_1.
	probe := run(greeter(), 1)
	input := probe.Bindings["INPUT_1"].(string)

	ok := run(greeter("Greeting step started for: "+input, "Greeting step completed with: Hello, "+input+"!"), 1)
	if ok.Verdict != conformance.Pass {
		t.Fatalf("with the right logs: %s\n%s", ok.Verdict, ok.Message)
	}

	twice := run(greeter("Greeting step started for: "+input, "Greeting step started for: "+input, "Greeting step completed with: Hello, "+input+"!"), 1)
	if twice.Verdict != conformance.Fail || !twice.OptionalFailure() {
		t.Fatalf("with a duplicated log: %s (optional failure %v)", twice.Verdict, twice.OptionalFailure())
	}
	if !strings.HasPrefix(twice.Message, "ExpectedLogs[0] (match {\"message\":\"/Greeting step started for: ${INPUT_1}/\"}) wants exactly 1, found 2") {
		t.Errorf("message = %q", twice.Message)
	}
	if !strings.HasPrefix(twice.Line(), "FAIL (optional) step/1-7") {
		t.Errorf("line = %q", twice.Line())
	}

	remote := run(greeter(), 0)
	if remote.Verdict != conformance.Skip || !strings.Contains(remote.Message, "ExpectedLogs not checked: the target runs the handler out of process") {
		t.Fatalf("out of process: %s %q", remote.Verdict, remote.Message)
	}
	if !strings.HasPrefix(remote.Line(), "SKIP step/1-7 Step with context logger: history and result match; ExpectedLogs not checked") {
		t.Errorf("line = %q", remote.Line())
	}
}

func TestRunnerSkipsCallbackHandlersOnTargetsWithoutCallbacks(t *testing.T) {
	reg := conformance.NewRegistry()
	reg.Register("step/1-11", noop, conformance.NeedsCallbacks())
	without := &conformance.Runner{Registry: reg, Target: &scriptedTarget{script: retryExecution}}
	o := without.Run(context.Background(), readReq(t, "testdata/official/step/1-11.yaml"))
	if o.Verdict != conformance.Skip || !strings.Contains(o.Message, "does not answer them") {
		t.Fatalf("outcome = %s %q", o.Verdict, o.Message)
	}
	with := &conformance.Runner{Registry: reg, Target: &scriptedTarget{script: retryExecution, callbacks: true}}
	if o := with.Run(context.Background(), readReq(t, "testdata/official/step/1-11.yaml")); o.Verdict != conformance.Pass {
		t.Fatalf("outcome = %s %q", o.Verdict, o.Message)
	}
}

func TestCrashEndsTheInvocationLikeAProcessExit(t *testing.T) {
	reg := conformance.NewRegistry()
	var afterCrash error
	var seen *conformance.Tools
	reg.Register("step/1-11", func(tools *conformance.Tools) durable.Invoker {
		seen = tools
		n := 0
		return func(ctx context.Context, env durable.Env, _ []byte) ([]byte, error) {
			n++
			if _, err := env.Client.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{}); err != nil {
				return nil, err
			}
			env.Logger.Info("before the crash")
			if n > 1 {
				return []byte(`{"Status":"SUCCEEDED"}`), nil
			}
			// What the runtime does with a panic in user code: recover it,
			// try to checkpoint the failure, log, and answer. None of it may
			// reach the service once the process is gone.
			func() {
				defer func() {
					if recover() == nil {
						t.Error("Crash returned")
					}
					<-ctx.Done()
					_, afterCrash = env.Client.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{})
					env.Logger.Info("after the crash")
				}()
				tools.Crash()
			}()
			return []byte(`{"Status":"FAILED"}`), nil
		}
	}, conformance.NeedsCrash())
	target := &scriptedTarget{invocations: 2, script: retryExecution}
	r := &conformance.Runner{Registry: reg, Target: target}
	if o := r.Run(context.Background(), readReq(t, "testdata/official/step/1-11.yaml")); o.Verdict != conformance.Pass {
		t.Fatalf("outcome = %s %q", o.Verdict, o.Message)
	}
	if len(target.results) != 2 || !errors.Is(target.results[0], conformance.ErrCrashed) || target.results[1] != nil {
		t.Fatalf("invocation results = %v, want [ErrCrashed <nil>]", target.results)
	}
	if !errors.Is(afterCrash, conformance.ErrCrashed) {
		t.Errorf("checkpoint after the crash returned %v, want ErrCrashed", afterCrash)
	}
	if got := target.client.count(); got != 2 {
		t.Errorf("%d checkpoint calls reached the service, want 2 (one per invocation, none after the crash)", got)
	}
	var logged []string
	for _, rec := range seen.Logs() {
		logged = append(logged, fmt.Sprint(rec["message"]))
	}
	if strings.Join(logged, "|") != "before the crash|before the crash" {
		t.Errorf("captured logs = %q, want the two records from before the crash", logged)
	}
}

func TestCrashNeedsTheOption(t *testing.T) {
	reg := conformance.NewRegistry()
	var recovered any
	reg.Register("step/1-11", func(tools *conformance.Tools) durable.Invoker {
		return func(context.Context, durable.Env, []byte) ([]byte, error) {
			defer func() { recovered = recover() }()
			tools.Crash()
			return nil, nil
		}
	})
	r := &conformance.Runner{Registry: reg, Target: &scriptedTarget{invocations: 1, script: retryExecution}}
	r.Run(context.Background(), readReq(t, "testdata/official/step/1-11.yaml"))
	if s, _ := recovered.(string); !strings.Contains(s, "registered without NeedsCrash") {
		t.Fatalf("recovered %v, want the NeedsCrash panic", recovered)
	}
}

func TestSeedDrivesVariablesAndExecutionNames(t *testing.T) {
	req := readReq(t, "testdata/official/child/3-2.yaml")
	reg := conformance.NewRegistry()
	reg.Register("child/3-2", noop)
	run := func(seed uint64) conformance.Request {
		target := &scriptedTarget{script: func(conformance.Request) *conformance.Execution {
			return &conformance.Execution{Status: "FAILED"}
		}}
		(&conformance.Runner{Registry: reg, Target: target, Seed: seed}).Run(context.Background(), req)
		return target.requests[0]
	}
	a, b, c := run(1), run(1), run(2)
	if string(a.Input) != string(b.Input) || a.Name != b.Name {
		t.Errorf("seed 1 twice: %s %s / %s %s", a.Input, a.Name, b.Input, b.Name)
	}
	if string(a.Input) == string(c.Input) || a.Name == c.Name {
		t.Errorf("seeds 1 and 2 agree: %s %s", a.Input, a.Name)
	}
	if !regexp.MustCompile(`^conform-child-3-2-[a-z0-9]{8}$`).MatchString(a.Name) {
		t.Errorf("execution name %q", a.Name)
	}
	if a.Key != "child/3-2" || a.Async || a.Invoker == nil {
		t.Errorf("request = %+v", a)
	}
}

func TestSummary(t *testing.T) {
	req := func(optional bool) *conformance.Requirement {
		return &conformance.Requirement{Suite: "s", ID: "1", Optional: optional}
	}
	outs := []conformance.Outcome{
		{Requirement: req(false), Verdict: conformance.Pass},
		{Requirement: req(false), Verdict: conformance.Fail},
		{Requirement: req(true), Verdict: conformance.Fail},
		{Requirement: req(false), Verdict: conformance.Skip},
		{Requirement: req(true), Verdict: conformance.Pass},
	}
	s := conformance.Summarize(outs)
	if s.String() != "2 passed, 1 failed, 1 skipped, 1 optional failed" {
		t.Errorf("summary = %q", s)
	}
	if got := conformance.Summarize(outs[:1]).String(); got != "1 passed, 0 failed" {
		t.Errorf("summary = %q", got)
	}
}

func TestRegistry(t *testing.T) {
	reg := conformance.NewRegistry()
	reg.Register("step/1-10", noop)
	reg.Register("step/1-2", noop, conformance.NeedsCrash())
	reg.Register("parallel/8-1", noop)
	if got := strings.Join(reg.Keys(), " "); got != "parallel/8-1 step/1-2 step/1-10" {
		t.Errorf("keys = %s", got)
	}
	if e, ok := reg.Lookup("step/1-2"); !ok || !e.Crash || e.Callbacks {
		t.Errorf("entry = %+v, %v", e, ok)
	}
	for _, bad := range []string{"1-1", "step/", "a/b/c"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", bad)
				}
			}()
			reg.Register(bad, noop)
		}()
	}
	defer func() {
		if s, _ := recover().(string); !strings.Contains(s, "already registered") {
			t.Errorf("duplicate register: %v", s)
		}
	}()
	reg.Register("step/1-2", noop)
}

// A handler that crashes its process runs in process (the served case is
// TestRunnerServedCrashRequirementRuns).
func TestRunnerRunsCrashHandlersInProcess(t *testing.T) {
	reg := conformance.NewRegistry()
	reg.Register("step/1-11", noop, conformance.NeedsCrash())
	inProcess := &conformance.Runner{Registry: reg, Target: &scriptedTarget{script: retryExecution, invocations: 1}}
	if o := inProcess.Run(context.Background(), readReq(t, "testdata/official/step/1-11.yaml")); o.Verdict != conformance.Pass {
		t.Fatalf("outcome = %s %q", o.Verdict, o.Message)
	}
}
