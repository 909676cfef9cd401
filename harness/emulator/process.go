package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// processPool runs a function's invocations in child processes that talk
// to a Lambda Runtime API, as the service runs a function's instances: one
// invocation at a time per process, a new process when all are busy (up to
// a cap), and a fresh one in place of a process that died.
type processPool struct {
	name     string
	path     string
	env      []string  // the environment every instance starts with
	output   io.Writer // the processes' stdout and stderr
	timeout  time.Duration
	slots    chan struct{} // one token per instance that may run
	mu       sync.Mutex
	idle     []*instance
	all      map[*instance]bool
	running  map[string]*instance // execution ARN -> instance running its invocation
	closed   bool
	nextID   int
	waitDone sync.WaitGroup

	// logLine receives each output line with the invocation it belongs to.
	logLine func(inv *invocation, line string)
}

func newProcessPool(name, path string, env []string, output io.Writer, maxInstances int, timeout time.Duration) *processPool {
	return &processPool{
		name:    name,
		path:    path,
		env:     env,
		output:  output,
		timeout: timeout,
		slots:   make(chan struct{}, maxInstances),
		all:     map[*instance]bool{},
		running: map[string]*instance{},
	}
}

// run hands inv to an idle instance, starting one if none is idle. The
// function timeout counts from the hand-over, a new process's start and
// init included, as the service counts it: a process that never asks for
// the invocation is stopped at the deadline like one that never answers
// (Sandbox.Timedout, or the init error it posted). The invocation fails
// with Runtime.ExitError when the process dies before it answers. While
// it waits for an instance and for the process to take it, its driver keeps
// its claim on the virtual clock: the clock never moves while an invocation
// is queued for a process or in flight (a lent claim let a chained invoke's
// caller and target both jump to their execution timeouts).
func (p *processPool) run(ctx context.Context, inv *invocation) ([]byte, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	inv.deadline = time.Now().Add(p.timeout)
	inst, err := p.acquire(inv.key())
	if err != nil {
		return nil, err
	}
	defer p.release(inst, inv.key())
	return inst.run(ctx, inv)
}

func (p *processPool) acquire(arn string) (*instance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errClosed
	}
	for len(p.idle) > 0 {
		inst := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if inst.alive() {
			p.running[arn] = inst
			return inst, nil
		}
	}
	p.nextID++
	inst, err := startInstance(p, p.nextID)
	if err != nil {
		return nil, err
	}
	p.all[inst] = true
	p.running[arn] = inst
	return inst, nil
}

func (p *processPool) release(inst *instance, arn string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.running, arn)
	if inst.alive() && !p.closed {
		p.idle = append(p.idle, inst)
	}
}

// kill sends SIGKILL to the process running arn's invocation, if any, and
// waits until it has exited.
func (p *processPool) kill(arn string) bool {
	p.mu.Lock()
	inst := p.running[arn]
	p.mu.Unlock()
	if inst == nil {
		return false
	}
	inst.stop()
	return true
}

// doom withdraws arn's invocation from the process running it: an answer the
// process posts from now on is refused, so an invocation about to be killed
// ends as a crash even when its answer would have beaten the SIGKILL.
func (p *processPool) doom(arn string) {
	p.mu.Lock()
	inst := p.running[arn]
	p.mu.Unlock()
	if inst == nil {
		return
	}
	inst.mu.Lock()
	inst.current = nil
	inst.mu.Unlock()
}

// close kills every process and waits until each has been reaped and its
// Runtime API server has stopped.
func (p *processPool) close() {
	p.mu.Lock()
	p.closed = true
	all := make([]*instance, 0, len(p.all))
	for inst := range p.all {
		all = append(all, inst)
	}
	p.idle = nil
	p.mu.Unlock()
	for _, inst := range all {
		inst.kill()
	}
	p.waitDone.Wait()
}

// forget drops a dead instance from the pool's books.
func (p *processPool) forget(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.all, inst)
}

// instance is one function process with its own Runtime API listener, so
// /next and /response always concern this process alone.
type instance struct {
	pool    *processPool
	cmd     *exec.Cmd
	ln      net.Listener
	srv     *http.Server
	work    chan *pending // hands an invocation to the process's /next
	dead    chan struct{} // closed once the process has exited
	exitErr error         // set before dead is closed
	mu      sync.Mutex
	current *pending
	last    *invocation // the invocation in flight or, between two, the last one: its output lines
	initErr *InvocationError
	output  *outputPipe // the process's stdout and stderr
}

// pending is an invocation handed to an instance, waiting for its answer.
type pending struct {
	inv  *invocation
	done chan outcome // buffered: the Runtime API never blocks on it
}

type outcome struct {
	body []byte
	err  error
}

func startInstance(p *processPool, id int) (*instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("emulator: function %s: Runtime API listener: %w", p.name, err)
	}
	inst := &instance{
		pool: p,
		ln:   ln,
		work: make(chan *pending),
		dead: make(chan struct{}),
	}
	inst.srv = &http.Server{Handler: inst.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}
	cmd := exec.Command(p.path)
	cmd.Dir = filepath.Dir(p.path)
	cmd.Env = append(append([]string(nil), p.env...),
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(),
		fmt.Sprintf("AWS_LAMBDA_LOG_STREAM_NAME=dpcheck/%s/%d", p.name, id))
	// One pipe for both streams, so their lines keep their order; the
	// emulator reads it itself, to know when a line is in (outputPipe.sync).
	output, err := newOutputPipe(&lineWriter{next: p.output, line: inst.logLine})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("emulator: function %s: output pipe: %w", p.name, err)
	}
	inst.output = output
	cmd.Stdout = output.w
	cmd.Stderr = output.w
	// A process that forked (a shell script running its runtime) dies with
	// its children.
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		ln.Close()
		output.finish(0)
		return nil, fmt.Errorf("emulator: function %s: starting %s: %w", p.name, p.path, err)
	}
	inst.cmd = cmd
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = inst.srv.Serve(ln)
	}()
	p.waitDone.Add(1)
	go func() {
		defer p.waitDone.Done()
		err := cmd.Wait()
		// Every line the process wrote is read before its death is known;
		// a child that escaped its group may hold the pipe open, so only
		// for a second.
		output.finish(time.Second)
		inst.exitErr = err
		close(inst.dead)
		// The process is gone; its Runtime API handlers return once they see
		// dead, so Shutdown finishes promptly.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = inst.srv.Shutdown(ctx)
		cancel()
		_ = inst.srv.Close()
		<-served
		p.forget(inst)
	}()
	return inst, nil
}

func (inst *instance) alive() bool {
	select {
	case <-inst.dead:
		return false
	default:
		return true
	}
}

func (inst *instance) kill() {
	if inst.alive() {
		killGroup(inst.cmd)
	}
}

func (inst *instance) run(ctx context.Context, inv *invocation) ([]byte, error) {
	job := &pending{inv: inv, done: make(chan outcome, 1)}
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	select {
	case inst.work <- job:
	case <-inst.dead:
		return nil, inst.deathError()
	case <-timer.C:
		return nil, inst.timedOut("did not ask for the invocation (its init did not complete)")
	case <-ctx.Done():
		inst.stop()
		return nil, ctx.Err()
	}
	select {
	case out := <-job.done:
		return out.body, out.err
	case <-inst.dead:
		// An answer posted just before the process exited still counts.
		select {
		case out := <-job.done:
			return out.body, out.err
		default:
			return nil, inst.deathError()
		}
	case <-timer.C:
		return nil, inst.timedOut("did not answer")
	case <-ctx.Done():
		inst.stop()
		return nil, ctx.Err()
	}
}

// timedOut stops a process that ran past the invocation's deadline and
// reports Sandbox.Timedout, or the init error the process posted first.
func (inst *instance) timedOut(what string) error {
	inst.stop()
	inst.mu.Lock()
	initErr := inst.initErr
	inst.mu.Unlock()
	if initErr != nil {
		return initErr
	}
	return &InvocationError{Type: "Sandbox.Timedout",
		Message: fmt.Sprintf("Task timed out after %.2f seconds: function %s %s; its process was stopped", inst.pool.timeout.Seconds(), inst.pool.name, what)}
}

// stop kills the process and waits until it has exited, so the pool never
// hands a dying process another invocation.
func (inst *instance) stop() {
	inst.kill()
	<-inst.dead
}

// deathError is how the service reports a process that exited during an
// invocation; an init error the process posted first takes precedence.
func (inst *instance) deathError() error {
	inst.mu.Lock()
	initErr := inst.initErr
	inst.mu.Unlock()
	if initErr != nil {
		return initErr
	}
	reason := "Runtime exited without providing a reason"
	var exit *exec.ExitError
	if errors.As(inst.exitErr, &exit) {
		reason = "Runtime exited with error: " + exit.ProcessState.String()
	}
	return &InvocationError{Type: "Runtime.ExitError", Message: reason}
}

// childEnv builds the environment of a function process: the parent's,
// without its AWS settings, plus what the Lambda service sets and what
// points the function's SDK clients at the emulator with dummy credentials.
//
// A Go runtime gets GOMAXPROCS=1 unless the parent sets GOMAXPROCS: the
// instance has 128 MB, and Lambda gives a function below 1,769 MB less than
// one vCPU. It is also much cheaper here: with a second P idle, every
// goroutine hand-off in the process (each HTTP round trip has several)
// wakes another thread, and with up to eight processes beside the emulator
// on a small machine those wake-ups cost more CPU than the function's own
// work (measured: a third or more of each process's CPU).
func childEnv(name, path, region, endpoint string, timeout time.Duration) []string {
	var env []string
	procs := "GOMAXPROCS=1"
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "_X_AMZN") || strings.HasPrefix(kv, "LAMBDA_") {
			continue
		}
		if strings.HasPrefix(kv, "GOMAXPROCS=") {
			procs = ""
		}
		env = append(env, kv)
	}
	if procs != "" {
		env = append(env, procs)
	}
	return append(env,
		"AWS_ENDPOINT_URL_LAMBDA="+endpoint,
		"AWS_REGION="+region,
		"AWS_DEFAULT_REGION="+region,
		"AWS_ACCESS_KEY_ID=dpcheck",
		"AWS_SECRET_ACCESS_KEY=dpcheck",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_LAMBDA_FUNCTION_NAME="+name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", int(timeout.Seconds())),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+name,
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"_HANDLER="+filepath.Base(path),
		"LAMBDA_TASK_ROOT="+filepath.Dir(path),
	)
}
