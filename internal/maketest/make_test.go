package maketest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeGo is a stand-in for the go command: it appends its arguments to
// $FAKE_GO_LOG, one call per line, and answers `go test -list` with two
// packages holding fuzz targets and one without, and `go test -fuzz` with
// the progress lines of a real fuzzing run (FuzzBroken fails).
const fakeGo = `#!/usr/bin/env bash
echo "$*" >>"$FAKE_GO_LOG"
case "$*" in
"test -list ^Fuzz ./...")
	printf 'FuzzA\nFuzzB\nok  \texample.com/m/a\t0.01s\n'
	printf 'ok  \texample.com/m/none\t0.01s\n'
	printf '?   \texample.com/m/notests\t[no test files]\n'
	printf 'FuzzBroken\nok  \texample.com/m/c\t0.01s\n'
	;;
test\ -run\ *-fuzz\ *)
	printf 'fuzz: elapsed: 0s, gathering baseline coverage: 0/3 completed\n'
	printf 'fuzz: elapsed: 3s, execs: 100 (33/sec), new interesting: 0 (total: 3)\n'
	case "$*" in
	*FuzzBroken*)
		printf -- '--- FAIL: FuzzBroken (0.10s)\n'
		exit 1
		;;
	esac
	printf 'fuzz: elapsed: 4s, execs: 1234 (300/sec), new interesting: 1 (total: 4)\nPASS\n'
	;;
esac
exit 0
`

// makeRun runs make TARGET in the repository root with the fake go and
// env, and returns its output and the fake's log of calls. With tty, make
// runs on a pseudo-terminal (through script(1)).
func makeRun(t *testing.T, target string, tty bool, env ...string) (out string, calls []string, err error) {
	t.Helper()
	for _, tool := range []string{"make", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	goPath := filepath.Join(dir, "go")
	if err := os.WriteFile(goPath, []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "calls.log")
	args := []string{"make", "--no-print-directory", "-C", "../..", target, "GO=" + goPath}
	cmd := exec.Command(args[0], args[1:]...)
	if tty {
		if _, err := exec.LookPath("script"); err != nil {
			t.Skip("script(1) is not installed: no pseudo-terminal to test with")
		}
		cmd = exec.Command("script", "-qec", strings.Join(args, " "), "/dev/null")
	}
	cmd.Env = append(withoutCI(os.Environ()), append(env, "FAKE_GO_LOG="+logPath)...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err = cmd.Run()
	data, readErr := os.ReadFile(logPath)
	if readErr != nil && !os.IsNotExist(readErr) {
		t.Fatal(readErr)
	}
	return buf.String(), strings.Split(strings.TrimSpace(string(data)), "\n"), err
}

func withoutCI(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "CI=") {
			out = append(out, kv)
		}
	}
	return out
}

// ginkgoCalls are make test's two `go tool ginkgo` calls: the specs with
// the race detector, then without it (in-process branches then run one
// after another, harness/serial_branches.go).
func ginkgoCalls(t *testing.T, calls []string) (race, plain string) {
	t.Helper()
	var found []string
	for _, c := range calls {
		if strings.HasPrefix(c, "tool ginkgo ") {
			found = append(found, c)
		}
	}
	if len(found) != 2 {
		t.Fatalf("make test called ginkgo %d times, want twice; calls:\n%s", len(found), strings.Join(calls, "\n"))
	}
	return found[0], found[1]
}

// make test passes --no-color to Ginkgo when its output is not a terminal
// or CI is set, and only then.
func TestMakeTestGinkgoColour(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tty     bool
		env     []string
		noColor bool
	}{
		{"piped", false, nil, true},
		{"piped in CI", false, []string{"CI=true"}, true},
		{"terminal in CI", true, []string{"CI=1"}, true},
		{"terminal", true, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, calls, err := makeRun(t, "test", tc.tty, tc.env...)
			if err != nil {
				t.Fatalf("make test: %v\n%s", err, out)
			}
			race, plain := ginkgoCalls(t, calls)
			for _, call := range []string{race, plain} {
				if got := strings.Contains(call, "--no-color"); got != tc.noColor {
					t.Errorf("ginkgo called as %q: --no-color %v, want %v", call, got, tc.noColor)
				}
				for _, flag := range []string{"-r", "--label-filter=!e2e", "--skip-package=props", "./specs"} {
					if !strings.Contains(call, " "+flag) {
						t.Errorf("ginkgo called as %q, without %s", call, flag)
					}
				}
			}
			if !strings.Contains(race, " --race") || strings.Contains(plain, " --race") {
				t.Errorf("ginkgo called as %q then %q: want --race in the first call only", race, plain)
			}
		})
	}
}

// make fuzz runs every fuzz target found, one package and target per go
// test call, for FUZZTIME; it reports each target's executions, keeps going
// after a failure and then fails.
func TestMakeFuzzRunsEveryTarget(t *testing.T) {
	out, calls, err := makeRun(t, "fuzz", false, "FUZZTIME=7s")
	if err == nil {
		t.Errorf("make fuzz succeeded although FuzzBroken failed\n%s", out)
	}
	var fuzzCalls []string
	for _, c := range calls {
		if strings.Contains(c, "-fuzz ") {
			fuzzCalls = append(fuzzCalls, c)
		}
	}
	want := []string{
		"test -run ^$ -fuzz ^FuzzA$ -fuzztime 7s -fuzzminimizetime 5s example.com/m/a",
		"test -run ^$ -fuzz ^FuzzB$ -fuzztime 7s -fuzzminimizetime 5s example.com/m/a",
		"test -run ^$ -fuzz ^FuzzBroken$ -fuzztime 7s -fuzzminimizetime 5s example.com/m/c",
	}
	if strings.Join(fuzzCalls, "\n") != strings.Join(want, "\n") {
		t.Errorf("fuzz calls:\n%s\nwant:\n%s", strings.Join(fuzzCalls, "\n"), strings.Join(want, "\n"))
	}
	for _, line := range []string{
		"FUZZ example.com/m/a FuzzA 1234 execs in 7s (ok)",
		"FUZZ example.com/m/a FuzzB 1234 execs in 7s (ok)",
		"FUZZ example.com/m/c FuzzBroken 100 execs in 7s (FAILED)",
	} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(line) + `\r?$`).MatchString(out) {
			t.Errorf("make fuzz output lacks the line %q:\n%s", line, out)
		}
	}
}

// Without FUZZTIME, each target runs for 30 seconds.
func TestMakeFuzzDefaultTime(t *testing.T) {
	_, calls, _ := makeRun(t, "fuzz", false)
	n := 0
	for _, c := range calls {
		if strings.Contains(c, "-fuzz ") {
			n++
			if !strings.Contains(c, "-fuzztime 30s ") {
				t.Errorf("fuzz call %q does not run for 30s", c)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d fuzz calls, want 3", n)
	}
}
