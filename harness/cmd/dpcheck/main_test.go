package main

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
)

// reexecEnv makes the test binary act as the dpcheck command: TestMain
// dispatches its arguments instead of running tests. The serve tests use it
// to run the verb in a child process they can interrupt, without building a
// separate binary. Started by that serve as a function's executable (with a
// Runtime API to poll), the test binary is the calculator's bootstrap.
const reexecEnv = "DPCHECK_TEST_REEXEC"

func TestMain(m *testing.M) {
	if os.Getenv(reexecEnv) == "1" {
		if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
			durable.Start(function.Handler)
			os.Exit(0)
		}
		main()
	}
	os.Exit(m.Run())
}

// repoRoot is the module root, relative to this package's directory (the
// working directory of its tests).
const repoRoot = "../../.."

// cli runs dpcheck in process with args and returns its exit status,
// stdout and stderr.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(args, &out, &errb)
	return code, out.String(), errb.String()
}

// wantUsageError checks the contract for a usage or input error: exit 2,
// nothing on stdout, exactly one line on stderr, containing every part.
func wantUsageError(t *testing.T, code int, stdout, stderr string, parts ...string) {
	t.Helper()
	if code != 2 {
		t.Errorf("exit status %d, want 2 (stdout %q, stderr %q)", code, stdout, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	if !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want exactly one line", stderr)
	}
	for _, p := range parts {
		if !strings.Contains(stderr, p) {
			t.Errorf("stderr = %q, want it to contain %q", stderr, p)
		}
	}
}

// wantHelp checks a help request: exit 0, the usage on stdout, nothing on
// stderr.
func wantHelp(t *testing.T, code int, stdout, stderr string, parts ...string) {
	t.Helper()
	if code != 0 {
		t.Errorf("exit status %d, want 0 (stderr %q)", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr = %q, want nothing", stderr)
	}
	for _, p := range parts {
		if !strings.Contains(stdout, p) {
			t.Errorf("stdout = %q, want it to contain %q", stdout, p)
		}
	}
}

func TestVerbsRegistered(t *testing.T) {
	if got, want := verbNames(), []string{"conform", "run", "serve", "sweep"}; !slices.Equal(got, want) {
		t.Fatalf("verbs = %v, want %v", got, want)
	}
	for _, name := range verbNames() {
		v := verbs[name]
		if v.run == nil {
			t.Errorf("verb %s has no run function", name)
		}
		if !strings.HasPrefix(v.summary, name+" ") {
			t.Errorf("verb %s: summary %q does not start with its synopsis", name, v.summary)
		}
	}
}

func TestDispatchNoVerb(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cli(t)
	wantUsageError(t, code, stdout, stderr, "missing verb", "dpcheck -h")
}

func TestDispatchUnknownVerb(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"frobnicate", "Run", "-x", ""} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := cli(t, name, "calculator", "{}")
			wantUsageError(t, code, stdout, stderr, `unknown verb "`+name+`"`, "conform, run, serve, sweep")
		})
	}
}

func TestDispatchToolHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"-h", "-help", "--help", "help"} {
		t.Run(arg, func(t *testing.T) {
			code, stdout, stderr := cli(t, arg)
			wantHelp(t, code, stdout, stderr, "usage: dpcheck <verb>", "exit status: 0 ok, 1 a check failed, 2 usage or input error")
			for _, name := range verbNames() {
				if !strings.Contains(stdout, "\n  "+verbs[name].summary+"\n") {
					t.Errorf("tool help does not list verb %s:\n%s", name, stdout)
				}
			}
		})
	}
}

func TestDispatchVerbHelp(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"run":     {"usage: dpcheck run FUNCTION INPUT_JSON [--json]", "Exit status:", "functions: calculator"},
		"conform": {"usage: dpcheck conform DIR|FILE...", "--junit FILE", "--seed N", "--update", "Exit status:", "handlers registered: "},
		"sweep":   {"usage: dpcheck sweep --endpoint URL", "X-Dpcheck-Fault", "kill", "lose", "throttle", "duplicate", "Exit status:"},
		"serve":   {"usage: dpcheck serve [--addr 127.0.0.1:9000] [--function NAME=EXECUTABLE]...", "--allow-non-loopback", "listening on URL", "calculator", "X-Dpcheck-Fault: KIND@K", "/dpcheck/2026-12-01/executions/ARN"},
	}
	for _, name := range verbNames() {
		for _, arg := range []string{"-h", "-help", "--help"} {
			t.Run(name+"/"+arg, func(t *testing.T) {
				parts, ok := want[name]
				if !ok {
					t.Fatalf("no expectations for verb %s: add them here", name)
				}
				code, stdout, stderr := cli(t, name, arg)
				wantHelp(t, code, stdout, stderr, parts...)
				if strings.Contains(stdout, "%!") {
					t.Errorf("help has a formatting error:\n%s", stdout)
				}
			})
		}
	}
}

// -h wins over other arguments, wherever it appears.
func TestDispatchVerbHelpAmongArguments(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"run", "calculator", "-h"},
		{"run", "nosuchfunction", "not json", "--help"},
		{"conform", "/nonexistent", "-h"},
		{"serve", "--addr", "0.0.0.0:0", "-h"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, args...)
			wantHelp(t, code, stdout, stderr, "usage: dpcheck "+args[0])
		})
	}
}

func TestConformHandlersRegistered(t *testing.T) {
	code, stdout, _ := cli(t, "conform", "-h")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n := len(conformanceRegistry.Keys()); n == 0 || !strings.Contains(stdout, "handlers registered: ") {
		t.Fatalf("%d conformance handlers registered; help:\n%s", n, stdout)
	}
}
