package check_test

import (
	"context"
	"slices"
	"testing"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
)

// A seed fixes the interleaving: two runs under one seed make the same
// picks and reach the same outcome.
func TestSeededSchedulerReproduces(t *testing.T) {
	c := check.New(failFast, check.WithSeed(42))
	a, b := c.MustRun(t, `{"Num1":10,"Num2":0}`), c.MustRun(t, `{"Num1":10,"Num2":0}`)
	if len(a.Picks) == 0 {
		t.Fatal("no picks recorded for four concurrent branches")
	}
	if check.FormatPicks(a.Picks) != check.FormatPicks(b.Picks) {
		t.Fatalf("picks differ under one seed:\n%s\n%s", check.FormatPicks(a.Picks), check.FormatPicks(b.Picks))
	}
	oa, _ := check.OutcomeOf(a.Result)
	ob, _ := check.OutcomeOf(b.Result)
	if d := oa.Diff(ob); d != "" {
		t.Fatalf("outcomes differ under one seed: %s", d)
	}
}

// InOrder runs the branches one after another: under fail-fast the
// division (the last branch) fails after the three others succeeded.
func TestInOrderRunsBranchesInIndexOrder(t *testing.T) {
	c := check.New(failFast, check.WithSchedule(func(uint64) *check.Scheduler { return check.InOrder() }))
	run := c.MustRun(t, `{"Num1":10,"Num2":0}`)
	if got := *run.Result.Output; got != "[3,1,0]" {
		t.Fatalf("counts %s, want [3,1,0]", got)
	}
	for _, p := range run.Picks {
		if p.Chosen != 0 {
			t.Fatalf("InOrder chose %s, not the first ready task", p)
		}
	}
}

// Prefer puts the named branch first: division fails before anything else
// finished, and the other three are left in flight.
func TestPreferRunsTheNamedBranchFirst(t *testing.T) {
	c := check.New(failFast, check.WithSchedule(func(uint64) *check.Scheduler { return check.Prefer("division") }))
	run := c.MustRun(t, `{"Num1":10,"Num2":0}`)
	if got := *run.Result.Output; got != "[0,1,3]" {
		t.Fatalf("counts %s, want [0,1,3]\n%s", got, run.Result.Tree())
	}
}

func TestFormatPicksGroupsByInvocation(t *testing.T) {
	picks := []check.Pick{
		{Invocation: 1, Ready: []string{"a", "b"}, Chosen: 1},
		{Invocation: 1, Ready: []string{"a"}, Chosen: 0},
		{Invocation: 2, Ready: []string{"handler", "a", "c"}, Chosen: 2},
	}
	if got, want := check.FormatPicks(picks), "inv 1: b/2 a/1 | inv 2: c/3"; got != want {
		t.Fatalf("FormatPicks = %q, want %q", got, want)
	}
}

func TestExploreGroupsOutcomes(t *testing.T) {
	ctx := context.Background()
	seeds := check.Seeds(1, 48)
	ff, err := check.New(failFast).Explore(ctx, `{"Num1":10,"Num2":0}`, seeds)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ff.By(check.ByBatches)); n < 2 {
		t.Fatalf("fail-fast: %d count outcomes in %s; want at least two", n, ff)
	}
	var all []uint64
	for _, g := range ff.Groups {
		all = append(all, g.Seeds...)
	}
	slices.Sort(all)
	if !slices.Equal(all, seeds) {
		t.Fatalf("groups hold seeds %v, want each of %v once", all, seeds)
	}
	calc, err := check.New(calculator).Explore(ctx, `{"num1":10,"num2":0}`, seeds)
	if err != nil {
		t.Fatal(err)
	}
	if calc.Outcomes() != 1 {
		t.Fatalf("calculator: %s; want one outcome", calc)
	}
	if b := calc.Groups[0].Outcome.Batches; len(b) != 1 || b[0].Succeeded != 3 || b[0].Failed != 1 || b[0].Reason != "ALL_COMPLETED" {
		t.Fatalf("calculator BatchResult %v, want 3 succeeded, 1 failed, ALL_COMPLETED", b)
	}
}

// The sweeps compare signature strings built without fmt; they must be
// the harness's own.
func TestOutcomeSignatureIsTheHarnessSignature(t *testing.T) {
	run := check.New(calculator).MustRun(t, `{"num1":10,"num2":0}`)
	o, err := check.OutcomeOf(run.Result)
	if err != nil {
		t.Fatal(err)
	}
	if want := run.Result.SignatureString(); o.Signature != want {
		t.Fatalf("signature\n%s\nwant\n%s", o.Signature, want)
	}
}

// Script pauses the addition branch after its step body and runs the
// division to its failure first: the fail-fast stop then abandons addition
// with its result never checkpointed.
func TestScriptInterleavesByName(t *testing.T) {
	c := check.New(failFast, check.WithSchedule(func(uint64) *check.Scheduler {
		return check.Script("addition", "addition", "division")
	}))
	run := c.MustRun(t, `{"Num1":10,"Num2":0}`)
	if got := *run.Result.Output; got != "[0,1,3]" {
		t.Fatalf("counts %s, want [0,1,3]\n%s\npicks %s", got, run.Result.Tree(), check.FormatPicks(run.Picks))
	}
	if op := run.Result.Op("addition"); op == nil || len(op.Children) != 1 || op.Children[0].Status != "STARTED" {
		t.Fatalf("want the addition step STARTED and never finished\n%s", run.Result.Tree())
	}
}

// Recording lets another scheduler decide and keeps its choices.
func TestRecordingKeepsAnotherSchedulersChoices(t *testing.T) {
	c := check.New(failFast, check.WithSchedule(func(seed uint64) *check.Scheduler {
		return check.Recording(harness.SeededScheduler(seed))
	}), check.WithSeed(5))
	run := c.MustRun(t, `{"Num1":10,"Num2":0}`)
	direct, err := harness.NewLocalRunner(failFast, harness.WithSeededScheduler(5), harness.WithSeed(5)).RunJSON(context.Background(), `{"Num1":10,"Num2":0}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Picks) == 0 || *run.Result.Output != *direct.Output || run.Result.SignatureString() != direct.SignatureString() {
		t.Fatalf("recorded run %s (%d picks), direct run %s", *run.Result.Output, len(run.Picks), *direct.Output)
	}
}
