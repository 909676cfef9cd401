package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

func init() {
	verbs["sweep"] = verb{
		summary:        "sweep --endpoint URL [--fault KIND] [--call K] [--workers N] FUNCTION INPUT_JSON   a fault at every checkpoint call of a served function",
		run:            sweepVerb,
		manyExecutions: true,
	}
}

const sweepUsage = `usage: dpcheck sweep --endpoint URL [--fault KIND]... [--call K]... [--workers N] FUNCTION INPUT_JSON

Runs FUNCTION (served by dpcheck serve at URL, written with any SDK) once
cleanly with INPUT_JSON, counts its checkpoint calls N, then for every call
k = 1..N and every fault kind runs a fresh execution with that one fault at
call k, and compares each with the clean run: status, result, error, the
normalized operation view, BatchResult counts and the step attempts the
history records. The faults (the emulator's fault plans, header %s):

  kill       the call is applied and answered, then the function process
             gets SIGKILL; the emulator re-invokes and the replay goes on
  lose       the call is applied, then the connection drops unanswered
  throttle   the call is refused with TooManyRequestsException, not applied
  duplicate  before the call is applied, the invocation that makes it is
             delivered a second time to another process and run to its end

Prints one line per run as soon as it is known, in order (and, on a
terminal, how many runs have finished on stderr); for a divergence, the
first difference, the first history event where the runs part, and a
command that reruns that case. A run that did not succeed shows its cause:
its error, and the checkpoint call the service refused, if any.

When the clean run did not finish on its own (STOPPED, or FAILED with an
error the platform raised: Sandbox.Timedout, Runtime.*, the emulator's
invocation cap, or after the service refused a checkpoint call), the sweep
says so first, with the cause, makes no faulted run and exits 1. When it
failed with the function's own error, each faulted run must fail the same
way.

  --endpoint URL  the emulator (dpcheck serve), e.g. http://127.0.0.1:9000
  --fault KIND    only this kind (repeatable; default all four)
  --call K        only checkpoint call K (repeatable; default every call)
  --workers N     faulted executions at once (default 2)

Exit status: 0 when every faulted run matched the clean run, 1 on a
divergence or a clean run that did not finish on its own, 2 on a usage or
input error or a run that could not be made.
`

type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func sweepVerb(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	endpoint := fs.String("endpoint", "", "")
	workers := fs.Int("workers", 2, "")
	var faults, calls repeated
	fs.Var(&faults, "fault", "")
	fs.Var(&calls, "call", "")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stdout, sweepUsage, emulator.FaultHeader)
				return 0
			}
			return fail(stderr, "sweep", "%v (dpcheck sweep -h)", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 2 {
		return fail(stderr, "sweep", "want FUNCTION and INPUT_JSON, got %d arguments (dpcheck sweep -h)", len(pos))
	}
	if u, err := url.Parse(*endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(stderr, "sweep", "--endpoint %q: want the http(s) URL of dpcheck serve, e.g. http://127.0.0.1:9000", *endpoint)
	}
	if !json.Valid([]byte(pos[1])) {
		return fail(stderr, "sweep", "INPUT_JSON %q is not JSON", pos[1])
	}
	if *workers < 1 {
		return fail(stderr, "sweep", "--workers %d: want at least 1", *workers)
	}
	s := check.EndpointSweep{Endpoint: *endpoint, Function: pos[0], Workers: *workers}
	for _, f := range faults {
		kind, err := parseKind(f)
		if err != nil {
			return fail(stderr, "sweep", "%v", err)
		}
		s.Faults = append(s.Faults, kind)
	}
	for _, c := range calls {
		k, err := strconv.Atoi(c)
		if err != nil || k < 1 {
			return fail(stderr, "sweep", "--call %q: want a checkpoint call number from 1", c)
		}
		s.Calls = append(s.Calls, k)
	}
	progress := newProgress(stderr)
	diverged := 0
	s.Progress = progress.show
	s.OnRun = func(run SweepRun) {
		progress.clear()
		if run.Fault.Call == 0 {
			fmt.Fprintln(stdout, sweepHeader(s, pos[1], run))
		}
		fmt.Fprintln(stdout, run.Line())
		if d := run.Divergence; d != nil {
			diverged++
			fmt.Fprintln(stdout, indentLines(d.What, "    "))
			if d.Event != "" {
				fmt.Fprintf(stdout, "    first differing event: %s\n", d.Event)
			}
			fmt.Fprintf(stdout, "    rerun: %s\n", rerunCommand(s.Endpoint, s.Function, pos[1], d.Fault))
		}
	}
	rep, err := s.Run(context.Background(), pos[1])
	progress.clear()
	if rep == nil {
		return fail(stderr, "sweep", "%v", err)
	}
	if rep.CleanFailure != "" {
		fmt.Fprintln(stdout, "sweep: no faulted run made: a fault is compared with a clean run that finishes on its own; make it finish first")
		return 1
	}
	fmt.Fprintf(stdout, "sweep: %d runs, %d same, %d diverged\n", len(rep.Runs), len(rep.Runs)-diverged, diverged)
	if err != nil {
		fmt.Fprintf(stderr, "dpcheck sweep: %v\n", err)
		return 2
	}
	if diverged > 0 {
		return 1
	}
	return 0
}

// SweepRun is check.SweepRun, named short for the verb's callbacks.
type SweepRun = check.SweepRun

// sweepHeader is the sweep's first line, printed once the clean run is
// known: what is swept, and how the clean run ended when it did not
// succeed, since every faulted run is judged against it.
func sweepHeader(s check.EndpointSweep, input string, clean SweepRun) string {
	head := fmt.Sprintf("sweep %s %s on %s: ", s.Function, input, s.Endpoint)
	switch {
	case !clean.FinishedOnItsOwn():
		return head + fmt.Sprintf("the clean run did not finish on its own: it ended %s after %d checkpoint calls: %s",
			clean.Outcome.Status, clean.Calls, clean.Cause)
	case clean.Outcome.Status != types.ExecutionStatusSucceeded:
		return head + fmt.Sprintf("the clean run ended %s after %d checkpoint calls: %s; every faulted run must end the same way",
			clean.Outcome.Status, clean.Calls, clean.Cause)
	}
	return head + fmt.Sprintf("the clean run made %d checkpoint calls", clean.Calls)
}

func parseKind(v string) (emulator.FaultKind, error) {
	for _, k := range emulator.FaultKinds {
		if string(k) == v {
			return k, nil
		}
	}
	return "", fmt.Errorf("--fault %q: want one of %v", v, emulator.FaultKinds)
}

// rerunCommand is the command line that reruns one faulted case.
func rerunCommand(endpoint, function, input string, f emulator.Fault) string {
	return fmt.Sprintf("dpcheck sweep --endpoint %s --fault %s --call %d %s %s",
		endpoint, f.Kind, f.Call, shellQuote(function), shellQuote(input))
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == ':' || r == '/' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func indentLines(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
