package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// conformanceRegistry holds the handlers of the requirements `conform` runs,
// by "suite/id". Files that bring conformance or fixture handlers register
// them here from their init.
var conformanceRegistry = conformance.NewRegistry()

func init() {
	verbs["conform"] = verb{
		summary:        "conform DIR|FILE... [--endpoint URL|aws] [--junit FILE] [--seed N] [--parallel N] [--shard K/N] [--allow-skip FILE] [--update]   run requirement files against the registered handlers",
		run:            conformVerb,
		manyExecutions: true,
	}
}

const conformUsage = `usage: dpcheck conform DIR|FILE... [--endpoint URL|aws] [--junit FILE] [--seed N]
                       [--parallel N] [--shard K/N] [--allow-skip FILE] [--update]

Runs requirement files in the official conformance format (a DIR contributes
every .yaml below it; the suite is the folder name, the id the file stem)
against the registered handlers, each on a fresh in-process fake backend (or
through the Lambda API with --endpoint), and
prints a PASS, FAIL or SKIP line per requirement, then "N passed, N failed"
(", N skipped", ", N optional failed" when there are any). In process, a
requirement without a registered Go handler is skipped. Every SKIP line says
why, and a requirement that did not run fails the run unless --allow-skip
lists it.

  --endpoint U  run through the Lambda API at URL U (e.g. dpcheck serve), or on
                AWS with "aws"; requirement suite/id invokes the function
                named by DPCHECK_FUNCTIONS, else SUITE--ID (as serve names it),
                written with any SDK: no Go handler is needed. The qualifier
                is $LATEST unless DPCHECK_QUALIFIER says otherwise. On dpcheck
                serve, ExpectedLogs are checked against the lines the function
                process printed during the execution (a JSON line by its
                fields, each value by its type; before/after anchors too)
  --junit FILE  also write a JUnit XML report to FILE (created before
                anything runs, so a bad path fails at once)
  --seed N      seed for generated variables, retry jitter and branch
                scheduling (default: random, printed when something fails)
  --parallel N  run up to N requirements at once (default 1); the report
                stays in file order
  --shard K/N   run only the K-th of N slices (1 <= K <= N): the
                requirements whose position in file order, counted from 0,
                leaves K-1 when divided by N; the N slices together run every
                requirement once, so a CI matrix can spread a suite
  --allow-skip FILE
                requirements allowed to be skipped: one "suite/id reason"
                per line (the reason is required; blank lines and lines
                starting with # are ignored). A listed requirement that runs
                is reported as a stale entry, not an error
  --update      rewrite each file's ExpectedResult and ExpectedExecutionHistory
                from the actual run (ids as ${...} placeholders, timestamps as
                '*'), for review by hand before committing

A file named twice (or also inside a named DIR) runs once. A requirement
file is refused when it is larger than %d bytes (1 MiB) or when its YAML
expands to more than %d nodes, every use of an anchor (*alias) counting as
a copy. Long descriptions and reports are cut on the console (the JUnit
report keeps them whole).

Exit status: 0 when nothing failed, 1 when a requirement failed or was
skipped without an --allow-skip entry (with --update: when a requirement
could not run), 2 on a usage or input error.

handlers registered: %d
`

func conformVerb(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	junit := fs.String("junit", "", "")
	endpoint := fs.String("endpoint", "", "")
	seedText := fs.String("seed", "", "")
	update := fs.Bool("update", false, "")
	parallel := fs.Int("parallel", 1, "")
	shardText := fs.String("shard", "", "")
	allowPath := fs.String("allow-skip", "", "")
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stdout, conformUsage, conformance.MaxFileBytes, conformance.MaxNodes, len(conformanceRegistry.Keys()))
				return 0
			}
			return fail(stderr, "conform", "%v (dpcheck conform -h)", err)
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(paths) == 0 {
		return fail(stderr, "conform", "want at least one requirement DIR or FILE (dpcheck conform -h)")
	}
	if *parallel < 1 {
		return fail(stderr, "conform", "--parallel %d: want at least 1", *parallel)
	}
	shard, err := parseShard(*shardText)
	if err != nil {
		return fail(stderr, "conform", "%v", err)
	}
	allowed, err := readAllowSkip(*allowPath)
	if err != nil {
		return fail(stderr, "conform", "%v", err)
	}
	seed, err := conformSeed(*seedText)
	if err != nil {
		return fail(stderr, "conform", "%v", err)
	}
	reqs, err := conformance.Load(paths...)
	if err != nil {
		return fail(stderr, "conform", "%v", err)
	}
	if len(reqs) == 0 {
		return fail(stderr, "conform", "no requirement files (.yaml) in %v", paths)
	}
	reqs = shard.pick(reqs)
	if len(reqs) == 0 {
		fmt.Fprintf(stdout, "shard %s holds no requirement\n", *shardText)
	}

	// The report file is created before anything runs, so a path that
	// cannot be written fails at once rather than after the whole run.
	var report *os.File
	if *junit != "" {
		if report, err = os.Create(*junit); err != nil {
			return fail(stderr, "conform", "--junit: %v", err)
		}
		defer report.Close()
	}
	target, err := conformTarget(*endpoint, seed)
	if err != nil {
		return fail(stderr, "conform", "%v", err)
	}
	runner := &conformance.Runner{Registry: conformanceRegistry, Target: target, Seed: seed}
	outs := make([]conformance.Outcome, 0, len(reqs))
	notRun := 0
	for o := range runInOrder(runner, reqs, *parallel) {
		outs = append(outs, o)
		fmt.Fprintln(stdout, o.Line())
		if !*update {
			continue
		}
		if o.Execution == nil {
			notRun++
			continue
		}
		if err := conformance.Record(o.Requirement, o.Execution, o.Bindings); err != nil {
			fmt.Fprintf(stderr, "dpcheck conform: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "  recorded %s (review before committing)\n", o.Requirement.Path)
	}

	if report != nil {
		if err := writeJUnitFile(report, outs); err != nil {
			return fail(stderr, "conform", "%v", err)
		}
	}
	sum := conformance.Summarize(outs)
	unexcused := allowed.report(stdout, *allowPath, outs)
	failed := sum.Failed > 0 || unexcused > 0
	if *update {
		failed = notRun > 0
	}
	// The seed is printed whenever something failed, with --update too: a
	// recording holds the branch interleaving of that seed, so a rerun
	// needs it to pass.
	if failed || sum.Failed > 0 || sum.OptionalFailed > 0 {
		fmt.Fprintf(stdout, "seed %d (rerun with --seed %d)\n", seed, seed)
	}
	fmt.Fprintln(stdout, sum)
	if failed {
		return 1
	}
	return 0
}

// conformTarget is the in-process fake, or the Lambda API that --endpoint names.
func conformTarget(endpoint string, seed uint64) (conformance.Target, error) {
	if endpoint == "" {
		return conformance.LocalTarget{Seed: seed}, nil
	}
	env, err := cloud.ReadEnv()
	if err != nil {
		return nil, err
	}
	if endpoint == cloud.TargetAWS {
		env.Target, env.Endpoint = cloud.TargetAWS, ""
	} else {
		if u, perr := url.Parse(endpoint); perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--endpoint %q: want an http(s) URL such as http://127.0.0.1:9000, or aws", endpoint)
		}
		env.Target, env.Endpoint = cloud.TargetEndpoint, endpoint
	}
	return env.ConformanceTarget(context.Background())
}

// conformSeed parses --seed, or draws a random seed when it is not given.
func conformSeed(text string) (uint64, error) {
	if text == "" {
		return randomSeed()
	}
	return parseSeed(text)
}

// writeJUnitFile writes the report into f, created before the run, and
// closes it.
func writeJUnitFile(f *os.File, outs []conformance.Outcome) error {
	if err := conformance.WriteJUnit(f, outs); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--junit: %v", err)
	}
	return nil
}
