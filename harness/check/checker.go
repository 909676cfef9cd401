package check

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/service"
)

// Option configures a Checker.
type Option func(*config)

type config struct {
	seed        uint64
	schedule    func(seed uint64) *Scheduler
	runnerOpts  []harness.RunnerOption
	backendOpts []service.BackendOption
	workers     int
	failErr     error
	// function is the name dpcheck run knows the handler by, for the
	// rerun command a divergence names.
	function       string
	customSchedule bool
}

// WithSeed sets the seed of the Checker's runs (default 1): it seeds the
// scheduler and the retry jitter, so one number reproduces a run.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithSchedule sets how each run's scheduler is made from its seed (default
// Seeded). Pass func(uint64) *Scheduler { return InOrder() } for a fixed
// interleaving.
func WithSchedule(f func(seed uint64) *Scheduler) Option {
	return func(c *config) { c.schedule, c.customSchedule = f, true }
}

// WithFunctionName names the handler as dpcheck run knows it (a function
// of its registry, such as "calculator"), so a divergence names a
// runnable command that reruns its case and draws its timeline (see
// RunCommand); without it the command says FUNCTION.
func WithFunctionName(name string) Option { return func(c *config) { c.function = name } }

// WithRunnerOptions passes options to every LocalRunner the Checker makes.
// The Checker sets the backend, the scheduler and the faults itself; use
// WithBackendOptions and WithSchedule for those.
func WithRunnerOptions(opts ...harness.RunnerOption) Option {
	return func(c *config) { c.runnerOpts = append(c.runnerOpts, opts...) }
}

// WithBackendOptions configures the fresh backend of every run.
func WithBackendOptions(opts ...service.BackendOption) Option {
	return func(c *config) { c.backendOpts = append(c.backendOpts, opts...) }
}

// WithWorkers bounds how many executions a sweep or an exploration runs at
// once (default GOMAXPROCS).
func WithWorkers(n int) Option { return func(c *config) { c.workers = max(n, 1) } }

// WithFailError sets the error a failed checkpoint call returns in
// FailEveryBoundary (default service.ThrottlingError(); service.ServiceError
// makes a 500).
func WithFailError(err error) Option { return func(c *config) { c.failErr = err } }

// Checker runs one durable handler under the checks of this package. It is
// safe for concurrent use; every run gets a backend of its own.
type Checker struct {
	invoker durable.Invoker
	cfg     config
}

// New returns a Checker for invoker (durable.Handle(fn)).
func New(invoker durable.Invoker, opts ...Option) *Checker {
	cfg := config{seed: 1, schedule: Seeded, workers: runtime.GOMAXPROCS(0)}
	for _, o := range opts {
		o(&cfg)
	}
	return &Checker{invoker: invoker, cfg: cfg}
}

// Seed is the seed the Checker's runs use.
func (c *Checker) Seed() uint64 { return c.cfg.seed }

// Run is one execution the Checker drove to its end.
type Run struct {
	Seed   uint64
	Picks  []Pick
	Result *harness.Result
	// Backend holds the execution, for reading its operation log.
	Backend *service.Backend
	// Calls is the number of checkpoint calls the execution made.
	Calls int
}

// Log returns the run's complete operation log.
func (r *Run) Log() (Log, error) { return LogOf(r.Backend, r.Result) }

// Run executes the handler once with input under the Checker's seed.
// input is marshalled with encoding/json, except json.RawMessage, []byte and
// string, which are taken as JSON text.
func (c *Checker) Run(ctx context.Context, input any) (*Run, error) {
	payload, err := encodeInput(input)
	if err != nil {
		return nil, err
	}
	return c.run(ctx, payload, c.cfg.seed, nil)
}

// run executes one execution under seed with the extra fault hooks.
func (c *Checker) run(ctx context.Context, payload string, seed uint64, hooks []harness.FaultHook) (*Run, error) {
	sched := c.cfg.schedule(seed)
	b := service.NewBackend(c.cfg.backendOpts...)
	opts := make([]harness.RunnerOption, 0, len(c.cfg.runnerOpts)+4)
	opts = append(opts, harness.WithSeed(seed))
	opts = append(opts, c.cfg.runnerOpts...)
	opts = append(opts, harness.WithBackend(b), harness.WithScheduler(sched), harness.WithFaults(hooks...))
	inner := c.invoker
	marked := func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
		sched.BeginInvocation()
		return inner(ctx, env, envelope)
	}
	res, err := harness.NewLocalRunner(marked, opts...).RunJSON(ctx, payload)
	run := &Run{Seed: seed, Picks: sched.Picks(), Result: res, Backend: b}
	if res != nil {
		for _, inv := range res.Invocations {
			run.Calls += inv.CheckpointCalls
		}
	}
	if err != nil {
		return run, fmt.Errorf("check: run (seed %d) did not complete: %w", seed, err)
	}
	return run, nil
}

// encodeInput takes a string as JSON text, as check's callers pass inputs.
func encodeInput(input any) (string, error) {
	if s, ok := input.(string); ok {
		return s, nil
	}
	return harness.InputJSON(input)
}

// parallelDo runs do(0..n-1) on at most workers goroutines and returns once
// all are done.
func parallelDo(n, workers int, do func(i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			do(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				do(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
