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
		summary: "conform DIR|FILE... [--endpoint URL|aws] [--junit FILE] [--seed N] [--update]   run requirement files against the registered handlers",
		run:     conformVerb,
	}
}

const conformUsage = `usage: dpcheck conform DIR|FILE... [--endpoint URL|aws] [--junit FILE] [--seed N] [--update]

Runs requirement files in the official conformance format (a DIR contributes
every .yaml below it; the suite is the folder name, the id the file stem)
against the registered handlers, each on a fresh in-process fake backend (or
through the Lambda API with --endpoint), and
prints a PASS, FAIL or SKIP line per requirement, then "N passed, N failed"
(", N skipped", ", N optional failed" when there are any). In process, a
requirement without a registered handler fails.

  --endpoint U  run through the Lambda API at URL U (e.g. dpcheck serve), or on
                AWS with "aws"; requirement suite/id invokes the function
                named by DPCHECK_FUNCTIONS, else SUITE--ID (as serve names it),
                written with any SDK: no Go handler is needed. The qualifier
                is $LATEST unless DPCHECK_QUALIFIER says otherwise. On dpcheck
                serve, ExpectedLogs are checked against the lines the function
                process printed during the execution
  --junit FILE  also write a JUnit XML report to FILE (created before
                anything runs, so a bad path fails at once)
  --seed N      seed for generated variables, retry jitter and branch
                scheduling (default: random, printed when something fails)
  --update      rewrite each file's ExpectedResult and ExpectedExecutionHistory
                from the actual run (ids as ${...} placeholders, timestamps as
                '*'), for review by hand before committing

A file named twice (or also inside a named DIR) runs once. A requirement
file is refused when it is larger than %d bytes (1 MiB) or when its YAML
expands to more than %d nodes, every use of an anchor (*alias) counting as
a copy. Long descriptions and reports are cut on the console (the JUnit
report keeps them whole).

Exit status: 0 when nothing failed, 1 when a requirement failed (with
--update: when a requirement could not run), 2 on a usage or input error.

handlers registered: %d
`

func conformVerb(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	junit := fs.String("junit", "", "")
	endpoint := fs.String("endpoint", "", "")
	seedText := fs.String("seed", "", "")
	update := fs.Bool("update", false, "")
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
	var outs []conformance.Outcome
	notRun := 0
	for _, req := range reqs {
		o := runner.Run(context.Background(), req)
		outs = append(outs, o)
		fmt.Fprintln(stdout, o.Line())
		if !*update {
			continue
		}
		if o.Execution == nil {
			notRun++
			continue
		}
		if err := conformance.Record(req, o.Execution, o.Bindings); err != nil {
			fmt.Fprintf(stderr, "dpcheck conform: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "  recorded %s (review before committing)\n", req.Path)
	}

	if report != nil {
		if err := writeJUnitFile(report, outs); err != nil {
			return fail(stderr, "conform", "%v", err)
		}
	}
	sum := conformance.Summarize(outs)
	failed := sum.Failed > 0
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
