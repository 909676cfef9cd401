package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/harness/emulator"
	"github.com/dpcheck/dpcheck/harness/service"
	"github.com/dpcheck/dpcheck/harness/timeline"
)

func init() {
	verbs["serve"] = verb{
		summary: "serve [--addr 127.0.0.1:9000] [--function NAME=EXECUTABLE]... [--allow-non-loopback] [--timeout D] [--max-instances N] [--retention D] [--max-executions N] [--callback-time-scale F] [--start-time TIME] [--seed N] [--shutdown-timeout D] [--quiet]   the Lambda API emulator for durable functions",
		run:     serveVerb,
	}
}

const serveUsage = `usage: dpcheck serve [--addr 127.0.0.1:9000] [--function NAME=EXECUTABLE]... [--allow-non-loopback]
                     [--timeout 60s] [--max-instances 8] [--retention 336h]
                     [--max-executions 5000] [--callback-time-scale 1]
                     [--start-time TIME] [--seed N] [--shutdown-timeout 10s]
                     [--quiet]

Serves the AWS Lambda API for durable functions over HTTP until interrupted
(SIGINT or SIGTERM, then --shutdown-timeout to drain):
the durable-execution REST API (checkpoint, state, execution, history, list,
stop) and Invoke, on dpcheck's fake service and its virtual clock. Point any
AWS SDK or the AWS CLI at it with AWS_ENDPOINT_URL_LAMBDA=http://ADDR (any
credentials; the emulator checks none).

  --function NAME=EXECUTABLE  a Lambda bootstrap (custom runtime) to serve as
                              NAME, run as child processes with a Runtime API
                              each; repeatable. Invoke it as NAME:live.
  --addr HOST:PORT            listen address (default 127.0.0.1:9000; port 0
                              picks a free one)
  --allow-non-loopback        allow an address off the loopback interface
                              (the emulator has no authentication)
  --timeout D                 per-invocation time limit, counted from the
                              hand-over to a process, its start included
                              (default 60s)
  --max-instances N           processes per executable function (default 8)
  --retention D               how long a finished execution is kept, in the
                              emulator's virtual time (default 336h, the
                              service's 14 days)
  --max-executions N          executions kept at most; past it the earliest
                              finished go first (default 5000)
  --callback-time-scale F     virtual seconds per real second while a callback
                              is open and nothing else can run (default 1:
                              the clock does not jump past timers a callback
                              races; a 5 s callback timeout takes 5 s)
  --start-time TIME           where the virtual clock starts, RFC 3339 (default:
                              the wall time at start, as on Lambda)
  --seed N                    derive execution names and ids (and in-process
                              functions' retry jitter) from N, so a rerun
                              mints the same ARNs (default: random, so ARNs
                              never repeat across restarts)
  --shutdown-timeout D         on SIGINT or SIGTERM, how long running executions
                              may take to end before serve closes (default
                              10s; a second signal stops at once). Meanwhile
                              a new Invoke gets a 503 ServiceUnavailableException;
                              afterwards so does every client still waiting
  --quiet                     do not copy function output and emulator log to stderr

Also served, in process: the functions dpcheck run knows (%s) unless an
executable takes the name, and the conformance handlers, each as the function
SUITE--ID (e.g. step--1-1), with the functions their chained invokes call
(e.g. echo). Callbacks are answered through the three
SendDurableExecutionCallback* routes.

The timeline of every execution is at http://ADDR/ui/ (the list, newest
first, and a page per execution).

dpcheck's own additions for checking any SDK (not the Lambda API): an Invoke
header X-Dpcheck-Fault: KIND@K (kill, lose, throttle or duplicate) puts one
fault at the execution's checkpoint call K (dpcheck sweep uses it), and
GET /dpcheck/2026-12-01/executions/ARN reports the execution's checkpoint
calls, invocations, fault and the lines its function processes printed.

On start it prints "dpcheck serve: listening on URL" to stdout, URL being the
address it listens on (http://0.0.0.0:PORT for --addr 0.0.0.0:0, followed by
"dpcheck serve: on this machine: http://127.0.0.1:PORT").
`

// functionFlags collects repeated --function NAME=EXECUTABLE.
type functionFlags []emulator.Function

func (f *functionFlags) String() string { return "" }

func (f *functionFlags) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || name == "" || path == "" {
		return fmt.Errorf("--function %q: want NAME=EXECUTABLE", v)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("--function %q: %v", v, err)
	}
	*f = append(*f, emulator.Function{Name: name, Executable: abs})
	return nil
}

func serveVerb(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:9000", "")
	allow := fs.Bool("allow-non-loopback", false, "")
	timeout := fs.Duration("timeout", time.Minute, "")
	maxInstances := fs.Int("max-instances", 8, "")
	retention := fs.Duration("retention", service.DefaultRetention, "")
	maxExecutions := fs.Int("max-executions", emulator.DefaultMaxExecutions, "")
	quiet := fs.Bool("quiet", false, "")
	callbackScale := fs.Float64("callback-time-scale", 1, "")
	startText := fs.String("start-time", "", "")
	seedText := fs.String("seed", "", "")
	shutdownTimeout := fs.Duration("shutdown-timeout", 10*time.Second, "")
	var executables functionFlags
	fs.Var(&executables, "function", "")
	err := fs.Parse(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, serveUsage, strings.Join(registry.Names(), ", "))
			return 0
		}
		return fail(stderr, "serve", "%v (dpcheck serve -h)", err)
	}
	if fs.NArg() > 0 {
		return fail(stderr, "serve", "unexpected argument %q (dpcheck serve -h)", fs.Arg(0))
	}
	for _, f := range []struct {
		name     string
		positive bool
	}{{"timeout", *timeout > 0}, {"max-instances", *maxInstances > 0}, {"retention", *retention > 0}, {"max-executions", *maxExecutions > 0}} {
		if !f.positive {
			return fail(stderr, "serve", "--%s must be positive (dpcheck serve -h)", f.name)
		}
	}

	var start time.Time
	if *startText != "" {
		if start, err = time.Parse(time.RFC3339, *startText); err != nil {
			return fail(stderr, "serve", "--start-time %q: want an RFC 3339 time such as 2026-01-01T00:00:00Z", *startText)
		}
	}
	var idSeed *uint64
	if *seedText != "" {
		seed, err := parseSeed(*seedText)
		if err != nil {
			return fail(stderr, "serve", "%v", err)
		}
		idSeed = &seed
	}
	backend := service.NewBackend(append(emulator.BackendOptions(start, idSeed),
		service.WithRetention(*retention), service.WithMaxExecutions(*maxExecutions))...)
	cfg := emulator.Config{
		Backend:           backend,
		UI:                timeline.Handler(backend),
		Addr:              *addr,
		AllowNonLoopback:  *allow,
		Functions:         servedFunctions(executables),
		FunctionTimeout:   *timeout,
		MaxInstances:      *maxInstances,
		CallbackTimeScale: *callbackScale,
		Retention:         *retention,
		MaxExecutions:     *maxExecutions,
	}
	if idSeed != nil {
		cfg.Seed = *idSeed
	}
	if *shutdownTimeout < 0 {
		return fail(stderr, "serve", "--shutdown-timeout %v: want 0 or more", *shutdownTimeout)
	}
	if *callbackScale <= 0 {
		return fail(stderr, "serve", "--callback-time-scale %v: want a positive number", *callbackScale)
	}
	if !*quiet {
		cfg.Output = stderr
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	// Catch the signals before the listening line goes out: a signal sent as
	// soon as it is seen must stop the emulator cleanly (its executables
	// included), not kill the process.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := emulator.New(cfg)
	if err != nil {
		return fail(stderr, "serve", "%v", err)
	}
	listening := "http://" + srv.Addr()
	fmt.Fprintf(stdout, "dpcheck serve: listening on %s\n", listening)
	if listening != srv.URL() {
		fmt.Fprintf(stdout, "dpcheck serve: on this machine: %s\n", srv.URL())
	}
	fmt.Fprintf(stdout, "dpcheck serve: timelines at %s/ui/\n", srv.URL())
	for _, f := range executables {
		fmt.Fprintf(stdout, "dpcheck serve: function %s runs %s\n", f.Name, f.Executable)
	}

	<-ctx.Done()
	fmt.Fprintln(stdout, "dpcheck serve: stopping")
	drain(srv, *shutdownTimeout, stderr)
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "dpcheck serve: %v\n", err)
		return 1
	}
	return 0
}

// drain lets the running executions end, for up to timeout, before the
// emulator closes: new Invokes get a 503 meanwhile, and a second signal
// ends the wait.
func drain(srv *emulator.Server, timeout time.Duration, stderr io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Drain(ctx); err != nil {
		fmt.Fprintf(stderr, "dpcheck serve: %v; the clients waiting on them get a 503 ServiceUnavailableException\n", err)
	}
}

// servedFunctions is the executables, then the in-process functions of the
// registry whose names no executable took, then the conformance handlers
// that need no runner feature the emulator lacks (a crash hook), then the
// durable functions their chained invokes call (a plain function cannot be
// served: every function the emulator serves is durable).
func servedFunctions(executables []emulator.Function) []emulator.Function {
	fns := append([]emulator.Function(nil), executables...)
	taken := func(name string) bool {
		return slices.ContainsFunc(fns, func(f emulator.Function) bool { return f.Name == name })
	}
	for _, name := range registry.Names() {
		if taken(name) {
			continue
		}
		inv, err := registry.Lookup(name)
		if err == nil {
			fns = append(fns, emulator.Function{Name: name, Invoker: inv})
		}
	}
	for _, key := range conformanceRegistry.Keys() {
		entry, _ := conformanceRegistry.Lookup(key)
		if name := cloud.FunctionName(key); !entry.Crash && !taken(name) {
			fns = append(fns, emulator.Function{Name: name, Invoker: perExecution(entry.Handler)})
		}
	}
	targets := conformanceRegistry.Functions()
	for _, name := range slices.Sorted(maps.Keys(targets)) {
		if f := targets[name]; f.Durable != nil && !taken(name) {
			fns = append(fns, emulator.Function{Name: name, Invoker: f.Durable})
		}
	}
	return fns
}

// perExecution builds a conformance handler once per execution, as the
// conformance runner does for each run, so state a handler keeps in its
// closure stays with its execution.
func perExecution(h conformance.HandlerFunc) durable.Invoker {
	var mu sync.Mutex
	byArn := map[string]durable.Invoker{}
	return func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
		in, err := durable.DecodeInvocationInput(envelope)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		inv := byArn[in.DurableExecutionArn]
		if inv == nil {
			inv = h(&conformance.Tools{})
			byArn[in.DurableExecutionArn] = inv
		}
		mu.Unlock()
		return inv(ctx, env, envelope)
	}
}
