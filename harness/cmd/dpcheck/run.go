package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/timeline"
)

func init() {
	verbs["run"] = verb{
		summary: "run FUNCTION INPUT_JSON [--json] [--seed N] [--crash-after K|--fail-checkpoint K] [--html FILE]   one execution on the in-process fake, until it ends",
		run:     runVerb,
	}
}

const runUsage = `usage: dpcheck run FUNCTION INPUT_JSON [--json] [--seed N] [--crash-after K|--fail-checkpoint K] [--html FILE]

Runs one execution of FUNCTION with INPUT_JSON on the in-process fake backend
(virtual clock, seeded branch scheduling) until it ends, then prints the
operation tree, the BatchResults of every Parallel and Map, the result and the
history. --json prints {"status","result","error","operations","history",
"invocations"} instead.

INPUT_JSON is the JSON text, - to read it from standard input, or @FILE to
read it from FILE (up to 6 MiB, the service's limit). A number beyond the
float64 range (such as 1e400) is refused, naming its field: the runtime
decodes JSON numbers as float64.

  --seed N              seed of the branch schedule and the retry jitter
                        (0 to 2^64-1, default 1), as check.WithSeed(N): a
                        seed a failing check printed reruns its schedule
  --crash-after K       crash the invocation right after checkpoint call K
                        of the execution (applied, response lost)
  --fail-checkpoint K   fail checkpoint call K with a throttling error
                        (nothing applied)
  --html FILE           also write the execution's timeline to FILE: a
                        self-contained HTML page (lanes, attempts, retries,
                        waits, invocations, replays, BatchResults, errors)

Exit status: 0 when the execution SUCCEEDED, 1 when it ended otherwise or
could not finish, 2 on a usage or input error, or when the fault's call K
is beyond the execution's last checkpoint call (the fault never fired).

functions: %s
`

// runFlags are the options of one dpcheck run.
type runFlags struct {
	asJSON         bool
	seed           uint64
	crashAfter     int // 0: no crash
	failCheckpoint int // 0: no failed call
	html           string
}

// fault is the fault the flags inject and its checkpoint call.
func (f runFlags) fault() (check.Fault, int) {
	switch {
	case f.crashAfter > 0:
		return check.CrashAfterCall, f.crashAfter
	case f.failCheckpoint > 0:
		return check.FailCall, f.failCheckpoint
	}
	return check.NoFault, 0
}

// unfired says why the flags' fault never fired in res ("" when there is
// no fault or it fired): its call is beyond the execution's last one.
func (f runFlags) unfired(res *harness.Result) string {
	fault, k := f.fault()
	if fault == check.NoFault {
		return ""
	}
	calls := 0
	for _, inv := range res.Invocations {
		if len(inv.Faults) > 0 {
			return ""
		}
		calls += inv.CheckpointCalls
	}
	flag := "--crash-after"
	if fault == check.FailCall {
		flag = "--fail-checkpoint"
	}
	return fmt.Sprintf("%s %d: the fault never fired: the execution made %d checkpoint calls, so call %d was never reached (pick K from 1 to %d)",
		flag, k, calls, k, calls)
}

// runnerOptions are the LocalRunner options that reproduce a check run
// with the flags' seed and fault: check.Seeded(seed) picks the branches and
// the same seed drives the jitter, as check.New(…, check.WithSeed(seed)) does.
func (f runFlags) runnerOptions(name string) []harness.RunnerOption {
	opts := []harness.RunnerOption{harness.WithFunctionName(name), harness.WithSeed(f.seed), harness.WithScheduler(check.Seeded(f.seed))}
	if f.crashAfter > 0 {
		opts = append(opts, harness.WithFaults(harness.CrashAfterCheckpoint(f.crashAfter)))
	}
	if f.failCheckpoint > 0 {
		opts = append(opts, harness.WithFaults(harness.FailCheckpoint(f.failCheckpoint, nil)))
	}
	return opts
}

// valueFlag reads a flag with a value at args[i], given as "--name VALUE",
// "--name=VALUE" or with one dash, and returns its name, its value and how
// many arguments it took (0: args[i] is none of names).
func valueFlag(args []string, i int, names ...string) (name, value string, used int, err error) {
	a := "-" + strings.TrimPrefix(strings.TrimPrefix(args[i], "-"), "-")
	for _, n := range names {
		switch {
		case a == "-"+n:
			if i+1 >= len(args) {
				return n, "", 1, fmt.Errorf("--%s needs a value", n)
			}
			return n, args[i+1], 2, nil
		case strings.HasPrefix(a, "-"+n+"="):
			return n, strings.TrimPrefix(a, "-"+n+"="), 1, nil
		}
	}
	return "", "", 0, nil
}

// set parses the value of a run flag: --html names a file, --seed takes
// any seed (parseSeed), the fault flags a whole number ≥ 1.
func (f *runFlags) set(name, v string) error {
	switch name {
	case "html":
		if v == "" {
			return fmt.Errorf("--html needs a file name")
		}
		f.html = v
		return nil
	case "seed":
		seed, err := parseSeed(v)
		f.seed = seed
		return err
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil || n == 0 {
		return fmt.Errorf("--%s wants a whole number ≥ 1, got %q", name, v)
	}
	switch name {
	case "crash-after":
		f.crashAfter = int(n)
	case "fail-checkpoint":
		f.failCheckpoint = int(n)
	}
	return nil
}

func runVerb(args []string, stdout, stderr io.Writer) int {
	var positional []string
	flags := runFlags{seed: 1}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if name, v, used, err := valueFlag(args, i, "seed", "crash-after", "fail-checkpoint", "html"); used > 0 {
			if err == nil {
				err = flags.set(name, v)
			}
			if err != nil {
				return fail(stderr, "run", "%v (dpcheck run -h)", err)
			}
			i += used - 1
			continue
		}
		switch {
		case a == "-h" || a == "-help" || a == "--help":
			fmt.Fprintf(stdout, runUsage, strings.Join(registry.Names(), ", "))
			return 0
		case a == "--json" || a == "-json":
			flags.asJSON = true
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && len(a) > 1 && (a[1] < '0' || a[1] > '9'):
			return fail(stderr, "run", "unknown flag %s (dpcheck run -h)", a)
		default:
			positional = append(positional, a)
		}
	}
	if flags.crashAfter > 0 && flags.failCheckpoint > 0 {
		return fail(stderr, "run", "--crash-after and --fail-checkpoint exclude each other (one fault per run)")
	}
	if len(positional) != 2 {
		return fail(stderr, "run", "want FUNCTION and INPUT_JSON, got %d arguments (dpcheck run -h)", len(positional))
	}
	name := positional[0]
	invoker, err := registry.Lookup(name)
	if err != nil {
		return fail(stderr, "run", "unknown function %q (known: %s)", name, strings.Join(registry.Names(), ", "))
	}
	input, _, err := runInput(positional[1])
	if err != nil {
		return fail(stderr, "run", "%v", err)
	}

	var page *os.File
	if flags.html != "" {
		// opened before the run, so a path that cannot be written costs nothing
		if page, err = os.Create(flags.html); err != nil {
			return fail(stderr, "run", "cannot write the --html file: %v", err)
		}
		defer page.Close()
	}
	runner := harness.NewLocalRunner(invoker, flags.runnerOptions(name)...)
	res, runErr := runner.RunJSON(context.Background(), input)
	if res == nil {
		fmt.Fprintf(stderr, "dpcheck run: %v\n", runErr)
		return 1
	}
	if page != nil {
		fault, k := flags.fault()
		opts := timeline.Options{Command: check.RunCommand(name, input, flags.seed, fault, k, flags.html)}
		err := timeline.Render(page, timeline.Build(res), opts)
		if err == nil {
			err = page.Close()
		}
		if err != nil {
			fmt.Fprintf(stderr, "dpcheck run: writing %s: %v\n", flags.html, err)
			return 1
		}
	}
	if flags.asJSON {
		out, err := res.ReportJSON()
		if err != nil {
			fmt.Fprintf(stderr, "dpcheck run: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", out)
	} else {
		printText(stdout, res, flags.seed)
		if page != nil {
			fmt.Fprintf(stdout, "\nTimeline: %s\n", flags.html)
		}
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "dpcheck run: %v\n", runErr)
		return 1
	}
	if msg := flags.unfired(res); msg != "" {
		fmt.Fprintf(stderr, "dpcheck run: %s\n", msg)
		return 2
	}
	if res.Status != types.ExecutionStatusSucceeded {
		return 1
	}
	return 0
}

func printText(w io.Writer, res *harness.Result, seed uint64) {
	fmt.Fprintln(w, "Operations:")
	res.WriteTree(w)
	if batches := res.OpsOfType(types.OperationTypeContext, "Parallel", "Map"); len(batches) > 0 {
		fmt.Fprintln(w, "\nBatchResults:")
		for _, op := range batches {
			printBatch(w, op)
		}
	}
	fmt.Fprintf(w, "\nStatus: %s\n", res.Status)
	if res.Output != nil {
		fmt.Fprintf(w, "Result: %s\n", *res.Output)
	}
	if res.Error != nil {
		fmt.Fprintf(w, "Error: %s\n", harness.ErrorLine(res.Error))
	}
	fmt.Fprintf(w, "Seed: %d\n", seed)
	if hint := res.WallClockHint(); hint != "" {
		fmt.Fprintf(w, "Hint: %s\n", hint)
	}
	fmt.Fprintf(w, "\nHistory (%d events, %d invocations):\n", len(res.History), len(res.Invocations))
	harness.WriteHistory(w, res.History)
}

// batchPayload is the runtime's Parallel and Map payload (decisions §2.9),
// or the summary recorded instead of one over 256 KiB.
type batchPayload struct {
	Type         string `json:"type"` // set on a summary: ParallelResult, MapResult
	TotalCount   int    `json:"totalCount"`
	SuccessCount int    `json:"successCount"`
	FailureCount int    `json:"failureCount"`
	StartedCount int    `json:"startedCount"`
	All          []struct {
		Index  int                `json:"index"`
		Status string             `json:"status"`
		Result json.RawMessage    `json:"result"`
		Error  *types.ErrorObject `json:"error"`
	} `json:"all"`
	CompletionReason string `json:"completionReason"`
}

func printBatch(w io.Writer, op *harness.Operation) {
	var b batchPayload
	label := op.Name
	if op.Result == nil {
		fmt.Fprintf(w, "  %s: %s, no result recorded\n", label, op.Status)
		return
	}
	if err := json.Unmarshal([]byte(*op.Result), &b); err != nil {
		fmt.Fprintf(w, "  %s: payload of the handler's own serdes: %s\n", label, *op.Result)
		return
	}
	if b.Type != "" {
		fmt.Fprintf(w, "  %s: %s, %d succeeded, %d failed, %d started (a summary: the result is over 256 KiB)\n", label,
			b.CompletionReason, b.SuccessCount, b.FailureCount, b.StartedCount)
		return
	}
	counts := map[string]int{}
	for _, it := range b.All {
		counts[it.Status]++
	}
	fmt.Fprintf(w, "  %s: %s, %d succeeded, %d failed, %d started\n", label, b.CompletionReason,
		counts["SUCCEEDED"], counts["FAILED"], counts["STARTED"])
	for _, it := range b.All {
		line := fmt.Sprintf("    [%d] %s", it.Index, it.Status)
		if len(it.Result) > 0 {
			line += " " + string(it.Result)
		}
		if it.Error != nil {
			line += " " + itemError(it.Error)
		}
		fmt.Fprintln(w, line)
	}
}

// itemError names a failed branch's error; a branch that failed through a
// step carries the step's own ErrorObject in ErrorData, which says more.
func itemError(e *types.ErrorObject) string {
	var cause types.ErrorObject
	if e.ErrorData != nil && json.Unmarshal([]byte(*e.ErrorData), &cause) == nil && cause.ErrorType != nil {
		return harness.ErrorLine(&cause) + " (" + aws.ToString(e.ErrorType) + ")"
	}
	return harness.ErrorLine(e)
}
