package emulator

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/service"
	"github.com/dpcheck/dpcheck/internal/keepalive"
)

// Config configures New.
type Config struct {
	// Addr is the listen address; "" means 127.0.0.1:0 (a free port). A
	// host off the loopback interface needs AllowNonLoopback.
	Addr             string
	AllowNonLoopback bool
	// Listener, when set, is served instead of listening on Addr; its
	// address must pass the same loopback rule, and Close closes it.
	// Tests and benchmarks wrap one to count the connections clients open.
	Listener net.Listener
	// Functions are the durable functions Invoke can start.
	Functions []Function
	// Backend is the fake service behind the API; nil means a new one
	// with Retention and MaxExecutions. Its region and account must be
	// Region and Account (the defaults match service.NewBackend's).
	Backend *service.Backend
	// Retention is how long a finished execution stays, in the backend's
	// virtual time (default service.DefaultRetention); MaxExecutions how
	// many executions the backend holds at most before it removes the
	// earliest finished (default DefaultMaxExecutions). Both bound the
	// emulator's memory; an evicted ARN is a ResourceNotFoundException.
	// With a Backend of its own, give it the same bounds
	// (service.WithRetention, service.WithMaxExecutions): MaxExecutions
	// also bounds the emulator's own execution reports.
	Retention     time.Duration
	MaxExecutions int
	// Region and Account name the functions in ARNs; defaults us-east-1
	// and 123456789012.
	Region, Account string
	// FunctionTimeout bounds one invocation in wall-clock time, as the
	// function's Timeout does on Lambda (default 60 s): the process is
	// killed and the invocation fails with Sandbox.Timedout.
	FunctionTimeout time.Duration
	// MaxInstances caps the processes of one executable function, as
	// reserved concurrency does (default 8); further invocations queue.
	MaxInstances int
	// MaxInvocations caps the invocations of one execution (default
	// service.DefaultMaxInvocations); past it the execution is stopped.
	MaxInvocations int
	// CallbackTimeScale is how many virtual seconds pass per wall-clock
	// second while a callback is open and every execution waits (default
	// 1: a callback's 5 s timeout takes 5 s). The clock does not jump then,
	// because the callback's answer comes from outside after a real delay.
	CallbackTimeScale float64
	// Seed seeds the retry jitter of in-process functions.
	Seed uint64
	// StartTime is where the backend's virtual clock starts; zero means
	// the wall time when New runs, as the service's clock reads the real
	// time (StartedAfter filters and timestamps then look right). IDSeed,
	// when set, derives the execution names and ids the backend mints
	// (service.WithIDSeed), so a rerun mints the same ARNs; nil means a
	// random seed, so ARNs never repeat across emulators. Both apply only
	// to the backend New makes (Backend nil).
	StartTime time.Time
	IDSeed    *uint64
	// UI, when set, is served under /ui/ (GET and HEAD, with the prefix
	// stripped), a path no Lambda API route uses; dpcheck serve mounts the
	// execution timelines (package harness/timeline) there.
	UI http.Handler
	// Output receives the function processes' stdout and stderr (nil:
	// discarded); Logger the emulator's own log (nil: discarded).
	Output io.Writer
	Logger *slog.Logger
}

// Server is a running emulator. Close stops it and everything it started.
type Server struct {
	backend    *service.Backend
	functions  map[string]*function
	region     string
	account    string
	url        string
	addr       string // as configured
	ln         net.Listener
	http       *http.Server
	served     chan struct{}
	cancel     context.CancelFunc
	closing    chan struct{}
	draining   chan struct{} // closed by Drain: no new execution starts
	drainOnce  sync.Once
	closeOnce  sync.Once
	closeErr   error
	executions *executions
	transport  *http.Transport // the in-process functions' lambda client
	logger     *slog.Logger

	// checkpointHook, when set (by tests), runs after each checkpoint
	// request was applied, before the answer goes out.
	checkpointHook func(arn string)
}

// errClosed answers what the emulator can no longer serve once it closes:
// an AWS-shaped 503, which the SDKs treat as retryable.
var errClosed error = &apiError{"ServiceUnavailableException", "dpcheck serve is shutting down; the request was not served"}

// New listens on cfg.Addr and serves the Lambda API until Close.
func New(cfg Config) (*Server, error) {
	if cfg.Listener != nil {
		cfg.Addr = cfg.Listener.Addr().String()
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if err := checkLoopback(cfg.Addr, cfg.AllowNonLoopback); err != nil {
		return nil, err
	}
	defaults(&cfg)
	fns := map[string]*function{}
	for _, f := range cfg.Functions {
		if err := f.validate(); err != nil {
			return nil, err
		}
		if fns[f.Name] != nil {
			return nil, fmt.Errorf("emulator: function %s is registered twice", f.Name)
		}
		fns[f.Name] = &function{name: f.Name, timeout: int32(f.ExecutionTimeout / time.Second)}
	}
	ln := cfg.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		backend:   cfg.Backend,
		functions: fns,
		region:    cfg.Region,
		account:   cfg.Account,
		url:       localURL(ln.Addr()),
		addr:      cfg.Addr,
		ln:        ln,
		served:    make(chan struct{}),
		cancel:    cancel,
		closing:   make(chan struct{}),
		draining:  make(chan struct{}),
		logger:    cfg.Logger,
	}
	s.executions = newExecutions(ctx, s.backend, cfg.Logger, cfg.MaxInvocations, cfg.CallbackTimeScale)
	s.executions.finished = &reportStore{max: cfg.MaxExecutions, byArn: map[string]ExecutionReport{}}
	if !s.backend.HasChainedInvoker() {
		s.backend.SetChainedInvoker(&chainedInvoker{s: s})
	}
	s.transport = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	client := lambda.New(lambda.Options{
		BaseEndpoint: aws.String(s.url),
		Region:       cfg.Region,
		Credentials:  aws.AnonymousCredentials{},
		HTTPClient:   &http.Client{Transport: s.transport},
	}, keepalive.LambdaOption)
	for _, f := range cfg.Functions {
		s.backend.RegisterFunction(f.Name)
		if f.Invoker != nil {
			fns[f.Name].runner = &inProcess{invoker: f.Invoker, client: client, seed: cfg.Seed, timeout: cfg.FunctionTimeout, logLine: s.executions.logLine}
			continue
		}
		env := childEnv(f.Name, f.Executable, cfg.Region, s.url, cfg.FunctionTimeout)
		pool := newProcessPool(f.Name, f.Executable, env, cfg.Output, cfg.MaxInstances, cfg.FunctionTimeout)
		pool.logLine = s.executions.logLine
		fns[f.Name].runner = pool
	}

	mux := http.NewServeMux()
	s.durableRoutes(mux)
	mux.HandleFunc("POST /2015-03-31/functions/{function}/invocations", s.invoke)
	if cfg.UI != nil {
		mux.Handle("GET /ui/", http.StripPrefix("/ui", cfg.UI))
	}
	mux.HandleFunc("GET "+inspectPath+"{arn}", s.inspect)
	mux.HandleFunc("/", s.unknown)
	s.http = &http.Server{Handler: requestID(mux), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// DefaultMaxExecutions is how many executions an emulator holds at most
// unless Config.MaxExecutions says otherwise: tens of megabytes of
// calculator executions.
const DefaultMaxExecutions = 5000

func defaults(cfg *Config) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Account == "" {
		cfg.Account = "123456789012"
	}
	if cfg.Retention <= 0 {
		cfg.Retention = service.DefaultRetention
	}
	if cfg.MaxExecutions <= 0 {
		cfg.MaxExecutions = DefaultMaxExecutions
	}
	if cfg.Backend == nil {
		cfg.Backend = service.NewBackend(append(BackendOptions(cfg.StartTime, cfg.IDSeed),
			service.WithRegion(cfg.Region, cfg.Account),
			service.WithRetention(cfg.Retention), service.WithMaxExecutions(cfg.MaxExecutions))...)
	}
	if cfg.FunctionTimeout <= 0 {
		cfg.FunctionTimeout = time.Minute
	}
	if cfg.CallbackTimeScale <= 0 {
		cfg.CallbackTimeScale = 1
	}
	if cfg.MaxInstances <= 0 {
		cfg.MaxInstances = 8
	}
	if cfg.MaxInvocations <= 0 {
		cfg.MaxInvocations = service.DefaultMaxInvocations
	}
	if cfg.Output == nil {
		cfg.Output = io.Discard
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
}

// BackendOptions are the clock and id options of an emulator's backend
// (see Config.StartTime and Config.IDSeed), for a caller that makes the
// backend itself.
func BackendOptions(start time.Time, idSeed *uint64) []service.BackendOption {
	if start.IsZero() {
		start = time.Now().UTC().Truncate(time.Millisecond)
	}
	seed := rand.Uint64()
	if idSeed != nil {
		seed = *idSeed
	}
	return []service.BackendOption{service.WithStartTime(start), service.WithIDSeed(seed)}
}

// URL is the emulator's endpoint, e.g. http://127.0.0.1:9000: the value for
// AWS_ENDPOINT_URL_LAMBDA or lambda.Options.BaseEndpoint.
func (s *Server) URL() string { return s.url }

// Addr is the address the emulator listens on: the host it was given with
// the port it got, e.g. 0.0.0.0:41234 for 0.0.0.0:0 (the listener reports
// that dual-stack socket as [::]); URL is how this machine reaches it.
func (s *Server) Addr() string { return listenAddr(s.addr, s.ln.Addr()) }

// Backend is the fake service behind the API.
func (s *Server) Backend() *service.Backend { return s.backend }

// Wait blocks until the execution arn, started through Invoke, has ended
// (or the emulator closed).
func (s *Server) Wait(ctx context.Context, arn string) error {
	r := s.executions.lookup(arn)
	if r == nil {
		// Its driver has finished, or it was never started here.
		st, err := s.backend.State(arn)
		switch {
		case err != nil:
			return err
		case st.Status != types.ExecutionStatusRunning:
			return nil
		}
		return invalidParameter("durable execution %s was not started through this emulator", arn)
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Kill sends SIGKILL to the function process running arn's invocation, as
// a crashed Lambda instance, and returns once the process has exited, so it
// reads nothing sent after the call. It reports whether a process was
// running an invocation of arn.
func (s *Server) Kill(arn string) bool {
	r := s.executions.lookup(arn)
	if r == nil {
		return false
	}
	pool, ok := r.fn.runner.(*processPool)
	return ok && pool.kill(arn)
}

// doom makes arn's invocation in flight end as a crash whatever its
// process posts from now on (see processPool.doom).
func (s *Server) doom(arn string) {
	if r := s.executions.lookup(arn); r != nil {
		if pool, ok := r.fn.runner.(*processPool); ok {
			pool.doom(arn)
		}
	}
}

// Close stops accepting requests, stops the execution drivers (an
// invocation in flight is cancelled and its process killed), kills every
// function process and waits until all of it is gone. Executions that had
// not ended stay RUNNING in the backend.
func (s *Server) Close() error {
	s.closeOnce.Do(s.shutdown)
	return s.closeErr
}

func (s *Server) shutdown() {
	close(s.closing)
	s.cancel()
	s.executions.close()
	for _, fn := range s.functions {
		fn.runner.close()
	}
	// Connections the in-process client dialled but never used count as
	// busy for Shutdown until they are closed.
	s.transport.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.closeErr = s.http.Shutdown(ctx); s.closeErr != nil {
		_ = s.http.Close()
	}
	<-s.served
}

// requestID gives every response the x-amzn-RequestId header the SDKs
// read into their response metadata.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Requestid", newRequestID())
		next.ServeHTTP(w, r)
	})
}
