package check_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/harness/check"
)

// A divergence names the dpcheck run command that reruns its case, with
// the seed and the faulted call, and draws it.
func TestDivergenceNamesItsRerunCommand(t *testing.T) {
	in := `{"num1":10,"num2":5}`
	_, err := check.New(forgetful(calculator), check.WithSeed(5), check.WithFunctionName("calculator")).CrashEveryBoundary(context.Background(), in)
	var d *check.Divergence
	if !errors.As(err, &d) {
		t.Fatalf("err = %v, want a *check.Divergence", err)
	}
	want := check.RunCommand("calculator", in, 5, check.CrashAfterCall, d.K, "out.html")
	if d.Command != want {
		t.Errorf("command %q, want %q", d.Command, want)
	}
	line := "picture: dpcheck run calculator '" + in + "' --seed 5 --crash-after " + strconv.Itoa(d.K) + " --html out.html"
	if !strings.Contains(d.Error(), line) {
		t.Errorf("the message lacks %q:\n%s", line, d.Error())
	}
}

// When dpcheck run cannot rerun the case as the Checker ran it, the
// command says so.
func TestRerunCommandCaveats(t *testing.T) {
	in := `{"num1":10,"num2":5}`
	for _, tc := range []struct {
		opts []check.Option
		says string
	}{
		{nil, "dpcheck run FUNCTION "},
		{nil, "# FUNCTION: the name dpcheck run knows the handler by"},
		{[]check.Option{check.WithFunctionName("calculator"), check.WithSchedule(func(uint64) *check.Scheduler { return check.InOrder() })}, "not this Checker's WithSchedule"},
	} {
		_, err := check.New(forgetful(calculator), tc.opts...).CrashEveryBoundary(context.Background(), in)
		var d *check.Divergence
		if !errors.As(err, &d) || !strings.Contains(d.Command, tc.says) {
			t.Errorf("command %q, want it to say %q", d.Command, tc.says)
		}
	}
}

func TestRunCommandQuoting(t *testing.T) {
	for _, tc := range []struct {
		fn, input string
		fault     check.Fault
		k         int
		html      string
		want      string
	}{
		{"calculator", `{}`, check.NoFault, 0, "out.html", `dpcheck run calculator '{}' --seed 9 --html out.html`},
		{"calculator", `"it's"`, check.FailCall, 2, "a b.html", `dpcheck run calculator '"it'\''s"' --seed 9 --fail-checkpoint 2 --html 'a b.html'`},
		{"step--1-1", `-1`, check.CrashAfterCall, 4, "x.html", `dpcheck run step--1-1 -1 --seed 9 --crash-after 4 --html x.html`},
	} {
		if got := check.RunCommand(tc.fn, tc.input, 9, tc.fault, tc.k, tc.html); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

// A divergence of a run whose user code took wall time with updates queued
// carries the run's hint, last.
func TestDivergenceCarriesTheWallClockHint(t *testing.T) {
	d := &check.Divergence{Check: "boundaries", Fault: check.CrashAfterCall, K: 2, Calls: 3, Problem: "status FAILED, want SUCCEEDED", Hint: "step \"slow\" took 2s of wall time"}
	if got := d.Error(); !strings.HasSuffix(got, "\n  hint: step \"slow\" took 2s of wall time") {
		t.Errorf("%s\nwant the hint last", got)
	}
}
