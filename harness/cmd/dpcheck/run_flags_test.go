package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness/check"
)

// eventNames is the history of a run report as "EventType Name" lines.
func eventNames(rep runReport) []string {
	out := make([]string, len(rep.History))
	for i, ev := range rep.History {
		out[i] = ev.EventType + " " + ev.Name
	}
	return out
}

// TestRunSeedReproducesCheck: run --seed N interleaves the branches as a
// check run with check.WithSeed(N), so a seed a failing check printed
// reruns its schedule; two seeds that interleave differently give
// different histories.
func TestRunSeedReproducesCheck(t *testing.T) {
	t.Parallel()
	input := `{"num1":10,"num2":0}`
	histories := map[string]uint64{}
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		code, stdout, stderr := cli(t, "run", "calculator", input, "--json", "--seed", strconv.FormatUint(seed, 10))
		if code != 0 || stderr != "" {
			t.Fatalf("seed %d: exit %d, stderr %q", seed, code, stderr)
		}
		rep := decodeReport(t, stdout)
		run, err := check.New(durable.Handle(function.Handler), check.WithSeed(seed)).Run(context.Background(), input)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, ev := range run.Result.History {
			want = append(want, string(ev.EventType)+" "+aws.ToString(ev.Name))
		}
		got := eventNames(rep)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("seed %d: run history\n%s\nwant the check run's\n%s", seed, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		histories[strings.Join(got, "\n")] = seed
	}
	if len(histories) < 2 {
		t.Errorf("seeds 1..5 gave %d distinct histories; the seed does not reach the scheduler", len(histories))
	}
}

func TestRunFaultFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flag, want string
	}{
		{"--crash-after", "injected crash after checkpoint call 2"},
		{"--fail-checkpoint", "TooManyRequestsException"},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			code, stdout, stderr := cli(t, "run", "calculator", `{"num1":10,"num2":0}`, "--json", tc.flag+"=2")
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q; the execution recovers from the fault", code, stderr)
			}
			rep := decodeReport(t, stdout)
			if rep.Invocations != 2 {
				t.Errorf("%d invocations, want 2: the fault ends the first", rep.Invocations)
			}
			if !strings.Contains(stdout, tc.want) {
				t.Errorf("the history does not record %s", tc.want)
			}
		})
	}
	code, stdout, _ := cli(t, "run", "calculator", `{"num1":10,"num2":0}`)
	if code != 0 || !strings.Contains(stdout, "\nSeed: 1\n") {
		t.Errorf("exit %d; the text output names the default seed 1:\n%s", code, stdout)
	}
}

// TestSeedRuleEveryVerb: run and conform take the same seeds, 0 included,
// and refuse the same values with the same words.
func TestSeedRuleEveryVerb(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "r.yaml")
	if err := os.WriteFile(file, []byte("description: d\nExpectedResult:\n  ExecutionStatus: SUCCEEDED\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	verbs := map[string][]string{"run": {"run", "calculator", "{}"}, "conform": {"conform", file}}
	for verb, args := range verbs {
		code, stdout, stderr := cli(t, append(args, "--seed", "0")...)
		if strings.Contains(stderr, "--seed") {
			t.Errorf("%s --seed 0: exit %d, refused: %s", verb, code, stderr)
		}
		if verb == "run" && (code != 0 || !strings.Contains(stdout, "\nSeed: 0\n")) {
			t.Errorf("run --seed 0: exit %d, want the run on seed 0:\n%s", code, stdout)
		}
		for _, bad := range []string{"-1", "x", "18446744073709551616"} {
			code, stdout, stderr := cli(t, append(args, "--seed", bad)...)
			wantUsageError(t, code, stdout, stderr, "dpcheck "+verb+": ", fmt.Sprintf("--seed %q: want a non-negative integer, 0 to 18446744073709551615", bad))
		}
	}
}

// TestRunFaultNeverFired: a fault whose call is beyond the execution's last
// checkpoint call says so and exits 2; the run's output still comes.
func TestRunFaultNeverFired(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"--crash-after", "--fail-checkpoint"} {
		code, stdout, stderr := cli(t, "run", "calculator", `{"num1":10,"num2":5}`, flag, "99")
		if code != 2 || !strings.Contains(stdout, "Status: SUCCEEDED") {
			t.Errorf("%s 99: exit %d, want 2 after the run's output:\n%s", flag, code, stdout)
		}
		want := "dpcheck run: " + flag + " 99: the fault never fired: the execution made 5 checkpoint calls, so call 99 was never reached (pick K from 1 to 5)\n"
		if stderr != want {
			t.Errorf("%s 99: stderr %q, want %q", flag, stderr, want)
		}
	}
	if code, _, stderr := cli(t, "run", "calculator", `{"num1":10,"num2":5}`, "--crash-after", "5"); code != 0 || stderr != "" {
		t.Errorf("--crash-after 5 (the last call): exit %d, stderr %q", code, stderr)
	}
}

func TestRunFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		parts []string
	}{
		{"seed text", []string{"--seed=x"}, []string{`--seed "x"`, "non-negative integer"}},
		{"seed negative", []string{"--seed", "-3"}, []string{`--seed "-3"`, "non-negative integer"}},
		{"seed too large", []string{"--seed", "18446744073709551616"}, []string{`--seed "18446744073709551616"`}},
		{"seed missing", []string{"--seed"}, []string{"--seed needs a value"}},
		{"crash text", []string{"--crash-after", "one"}, []string{"--crash-after wants a whole number"}},
		{"both faults", []string{"--crash-after", "1", "--fail-checkpoint", "2"}, []string{"exclude each other"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, append([]string{"run", "calculator", "{}"}, tc.args...)...)
			wantUsageError(t, code, stdout, stderr, append([]string{"dpcheck run: "}, tc.parts...)...)
		})
	}
}

// TestRunReproducesCheckFaults: run --seed N --crash-after K (or
// --fail-checkpoint K) is the faulted run of a check sweep with seed N at
// call K, event for event, so the command a divergence names shows its
// case.
func TestRunReproducesCheckFaults(t *testing.T) {
	t.Parallel()
	input := `{"num1":10,"num2":0}`
	const seed = 4
	s, err := check.New(durable.Handle(function.Handler), check.WithSeed(seed)).Boundaries(context.Background(), input)
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range s.Runs {
		flag := map[check.Fault]string{check.CrashAfterCall: "--crash-after", check.FailCall: "--fail-checkpoint"}[fr.Fault]
		code, stdout, stderr := cli(t, "run", "calculator", input, "--json", "--seed", strconv.Itoa(seed), flag, strconv.Itoa(fr.K))
		if code != 0 || stderr != "" {
			t.Fatalf("%s %d: exit %d, stderr %q", flag, fr.K, code, stderr)
		}
		var want []string
		for _, ev := range fr.Run.Result.History {
			want = append(want, string(ev.EventType)+" "+aws.ToString(ev.Name))
		}
		if got := eventNames(decodeReport(t, stdout)); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s %d: run history\n%s\nwant the sweep's\n%s", flag, fr.K, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestRunHTML: --html writes the timeline, naming the command that
// rebuilds it, and a path that cannot be written is refused before the run.
func TestRunHTML(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out.html")
	code, stdout, stderr := cli(t, "run", "calculator", `{"num1":10,"num2":0}`, "--seed", "3", "--crash-after", "2", "--html", path)
	if code != 0 || stderr != "" || !strings.HasSuffix(stdout, "\nTimeline: "+path+"\n") {
		t.Fatalf("exit %d, stderr %q, stdout ends %q", code, stderr, stdout[max(0, len(stdout)-80):])
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		`data-invocations="2"`,
		`data-error-type="DivisionByZeroError"`,
		`data-succeeded="3" data-failed="1"`,
		`--seed 3 --crash-after 2 --html ` + path,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	code, stdout, _ = cli(t, "run", "calculator", `{}`, "--json", "--html", filepath.Join(t.TempDir(), "p.html"))
	if code != 0 || !strings.HasPrefix(stdout, "{") || strings.Contains(stdout, "Timeline:") {
		t.Errorf("--json --html: exit %d, stdout must stay the JSON report", code)
	}
	for _, tc := range []struct {
		args  []string
		parts []string
	}{
		{[]string{"--html", filepath.Join(t.TempDir(), "no", "dir", "x.html")}, []string{"cannot write the --html file", "no such file"}},
		{[]string{"--html="}, []string{"--html needs a file name"}},
		{[]string{"--html"}, []string{"--html needs a value"}},
	} {
		code, stdout, stderr := cli(t, append([]string{"run", "calculator", "{}"}, tc.args...)...)
		wantUsageError(t, code, stdout, stderr, append([]string{"dpcheck run: "}, tc.parts...)...)
	}
}
