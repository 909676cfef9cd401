package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/service"
)

// RunnerOption configures a LocalRunner.
type RunnerOption func(*runnerConfig)

type runnerConfig struct {
	function       string
	name           string
	maxInvocations int
	seed           uint64
	jitter         func() float64
	scheduler      durable.Scheduler
	schedSeed      *uint64
	observer       durable.Observer
	logger         *slog.Logger
	faults         []FaultHook
	backend        *service.Backend
	backendOpts    []service.BackendOption
	functions      Functions
	actor          service.Actor
	wall           func() time.Time // the wall clock for WallStalls; nil means time.Now (tests fake it)
}

// WithFunctionName names the function the executions belong to (default
// "function"); it appears in the ARNs.
func WithFunctionName(name string) RunnerOption { return func(c *runnerConfig) { c.function = name } }

// WithExecutionName gives the execution a name (default: generated).
func WithExecutionName(name string) RunnerOption { return func(c *runnerConfig) { c.name = name } }

// WithMaxInvocations caps the invocations of one Run (default
// DefaultMaxInvocations); past it Run returns *InvocationCapError.
func WithMaxInvocations(n int) RunnerOption { return func(c *runnerConfig) { c.maxInvocations = n } }

// WithSeed seeds the retry jitter (default 1). Every Run starts the
// sequence afresh, so equal seeds give equal histories.
func WithSeed(seed uint64) RunnerOption { return func(c *runnerConfig) { c.seed = seed } }

// WithJitter replaces the seeded jitter source with f (values in [0,1)).
func WithJitter(f func() float64) RunnerOption { return func(c *runnerConfig) { c.jitter = f } }

// WithScheduler hands the runtime a scheduler that picks which branch runs
// next (durable.Env.Scheduler).
func WithScheduler(s durable.Scheduler) RunnerOption {
	return func(c *runnerConfig) { c.scheduler = s }
}

// WithSeededScheduler gives every Run a fresh SeededScheduler(seed), so
// each Run explores the same interleaving.
func WithSeededScheduler(seed uint64) RunnerOption {
	return func(c *runnerConfig) { c.schedSeed = &seed }
}

// WithObserver also tells o about every operation and step run
// (durable.Env.Observer); the runner records them per invocation anyway.
func WithObserver(o durable.Observer) RunnerOption { return func(c *runnerConfig) { c.observer = o } }

// WithLogger gives the runtime a logger (default: discard).
func WithLogger(l *slog.Logger) RunnerOption { return func(c *runnerConfig) { c.logger = l } }

// WithFaults injects faults into the checkpoint calls of every Run.
func WithFaults(hooks ...FaultHook) RunnerOption {
	return func(c *runnerConfig) { c.faults = append(c.faults, hooks...) }
}

// WithBackend runs executions on b instead of a fresh backend per Run, so
// several runs share one clock and one store.
func WithBackend(b *service.Backend) RunnerOption { return func(c *runnerConfig) { c.backend = b } }

// WithBackendOptions configures the fresh backend each Run creates.
func WithBackendOptions(opts ...service.BackendOption) RunnerOption {
	return func(c *runnerConfig) { c.backendOpts = append(c.backendOpts, opts...) }
}

// LocalRunner runs a durable handler in process against the fake backend,
// invocation after invocation on the virtual clock, until the execution
// ends. A LocalRunner is safe for concurrent Runs unless they share a
// backend through WithBackend and an execution name.
type LocalRunner struct {
	invoker durable.Invoker
	cfg     runnerConfig
}

// NewLocalRunner returns a runner for invoker (durable.Handle(fn)).
func NewLocalRunner(invoker durable.Invoker, opts ...RunnerOption) *LocalRunner {
	cfg := runnerConfig{function: "function", seed: 1, maxInvocations: service.DefaultMaxInvocations}
	for _, o := range opts {
		o(&cfg)
	}
	return &LocalRunner{invoker: invoker, cfg: cfg}
}

// Run starts an execution with input and drives it to its end. input is
// marshalled with encoding/json, except json.RawMessage and []byte, which
// are used verbatim. On an invocation cap or a
// cancelled ctx it returns the Result so far together with the error.
func (r *LocalRunner) Run(ctx context.Context, input any) (*Result, error) {
	payload, err := InputJSON(input)
	if err != nil {
		return nil, err
	}
	return r.RunJSON(ctx, payload)
}

// InputJSON is the JSON text of an execution input: json.RawMessage and
// []byte as they are, any other value marshalled with encoding/json. Every
// runner (local, cloud, check) reads its inputs this way.
func InputJSON(input any) (string, error) {
	switch v := input.(type) {
	case json.RawMessage:
		return string(v), nil
	case []byte:
		return string(v), nil
	}
	b, err := json.Marshal(input)
	if err != nil {
		return "", fmt.Errorf("harness: encoding the input: %w", err)
	}
	return string(b), nil
}

// RunJSON is Run with the input given as JSON text, stored verbatim.
func (r *LocalRunner) RunJSON(ctx context.Context, payload string) (*Result, error) {
	jitter := r.cfg.jitter
	if jitter == nil {
		jitter = rand.New(rand.NewPCG(r.cfg.seed, 0x9e3779b97f4a7c15)).Float64
	}
	sched := r.cfg.scheduler
	if r.cfg.schedSeed != nil {
		sched = SeededScheduler(*r.cfg.schedSeed)
	}
	b := r.cfg.backend
	if b == nil {
		opts := r.cfg.backendOpts
		var li *localInvoker
		if r.cfg.functions != nil {
			li = &localInvoker{fns: r.cfg.functions, actor: r.cfg.actor, max: r.cfg.maxInvocations}
			opts = append(opts[:len(opts):len(opts)], service.WithChainedInvoker(li))
		}
		b = service.NewBackend(opts...)
		if li != nil {
			li.b = b
			li.env = func() durable.Env {
				return durable.Env{Client: b, Jitter: jitter, Scheduler: sched, Logger: r.cfg.logger, Clock: NewVirtualClock(b.Now()), SerialBranches: serialBranches()}
			}
		}
	}
	arn, err := b.StartExecution(ctx, service.StartExecutionInput{FunctionName: r.cfg.function, ExecutionName: r.cfg.name, Payload: payload})
	if err != nil {
		return nil, err
	}
	// The runtime's flush timer runs on a clock of the run's own, which
	// only Sleep moves: timed flushes are checkpoint calls at reproducible
	// points, boundaries like any other for the crash sweeps.
	clk := NewVirtualClock(b.Now())
	clk.wall = r.cfg.wall
	client := NewFaultClient(b, r.cfg.faults...)
	var records []Invocation
	invoke := func(ctx context.Context, envelope []byte) (out []byte, err error) {
		client.BeginInvocation()
		rec := newRecorder(r.cfg.observer, clk.wallNow)
		env := durable.Env{Client: client, Jitter: jitter, Scheduler: sched, Observer: rec, Logger: r.cfg.logger, Clock: clk, SerialBranches: serialBranches()}
		defer func() {
			if p := recover(); p != nil {
				out, err = nil, fmt.Errorf("harness: the invoker panicked: %v", p)
			}
			inv := Invocation{}
			inv.Observed, inv.StepRuns = rec.snapshot()
			var crash *service.CrashError
			inv.CheckpointCalls, inv.StateCalls, crash, inv.Faults = client.InvocationStats()
			if stalls := clk.takeStalls(); len(stalls) > 0 {
				inv.WallStalls = attributeStalls(stalls, rec.starts())
			}
			if crash != nil {
				// the process died: whatever the handler answered is lost
				out, err = nil, crash
			}
			records = append(records, inv)
		}()
		return r.invoker(WithVirtualClock(ctx, clk), env, envelope)
	}
	_, driveErr := b.DriveWith(ctx, arn, invoke, service.DriveOptions{MaxInvocations: r.cfg.maxInvocations, Actor: r.cfg.actor})
	var res *Result
	if r.cfg.backend == nil {
		res, err = ownedResult(b, arn)
	} else {
		res, err = CollectResult(context.WithoutCancel(ctx), b, arn)
	}
	if err != nil {
		return nil, err
	}
	res.Seed = r.cfg.seed
	for i := range res.Invocations {
		if i < len(records) {
			rec := records[i]
			inv := &res.Invocations[i]
			inv.CheckpointCalls, inv.StateCalls = rec.CheckpointCalls, rec.StateCalls
			inv.Observed, inv.StepRuns, inv.Faults, inv.WallStalls = rec.Observed, rec.StepRuns, rec.Faults, rec.WallStalls
		}
	}
	return res, driveErr
}

// recorder collects what the runtime reports during one invocation and
// passes it on.
type recorder struct {
	next   durable.Observer
	mu     sync.Mutex
	ops    []durable.OperationEvent
	runs   []durable.StepRunEvent
	runsAt []time.Time      // wall time each step run started, for WallStalls
	wall   func() time.Time // the run's VirtualClock's wall clock
	room   recorderRoom
}

// recorderRoom is where a recorder's lists start, in the recorder's own
// allocation: enough for a small invocation (the calculator's has nine
// operations and four step runs; room for ten keeps the recorder within
// 1,280 bytes); longer lists grow as usual.
type recorderRoom struct {
	ops    [10]durable.OperationEvent
	runs   [4]durable.StepRunEvent
	runsAt [4]time.Time
}

func newRecorder(next durable.Observer, wall func() time.Time) *recorder {
	o := &recorder{next: next, wall: wall}
	o.ops, o.runs, o.runsAt = o.room.ops[:0], o.room.runs[:0], o.room.runsAt[:0]
	return o
}

// starts lists the step runs with the wall time each started.
func (o *recorder) starts() []stepRunStart {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]stepRunStart, len(o.runs))
	for i, r := range o.runs {
		out[i] = stepRunStart{name: r.Name, at: o.runsAt[i]}
	}
	return out
}

func (o *recorder) ObserveOperation(ev durable.OperationEvent) {
	o.mu.Lock()
	o.ops = append(o.ops, ev)
	o.mu.Unlock()
	if o.next != nil {
		o.next.ObserveOperation(ev)
	}
}

func (o *recorder) snapshot() ([]durable.OperationEvent, []durable.StepRunEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ops, o.runs
}

func (o *recorder) ObserveStepRun(ev durable.StepRunEvent) {
	o.mu.Lock()
	o.runs = append(o.runs, ev)
	o.runsAt = append(o.runsAt, o.wall())
	o.mu.Unlock()
	if o.next != nil {
		o.next.ObserveStepRun(ev)
	}
}

// SeededScheduler returns a durable.Scheduler that picks the next branch
// pseudo-randomly from seed: the same seed gives the same interleaving.
func SeededScheduler(seed uint64) durable.Scheduler {
	return &seededScheduler{rng: rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))}
}

type seededScheduler struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func (s *seededScheduler) Pick(ready []durable.Task) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.IntN(len(ready))
}
