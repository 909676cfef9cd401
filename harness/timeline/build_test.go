package timeline_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/timeline"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// calculatorLanes is the calculator's tree in call order: the Parallel,
// then each branch (declared order) over its step.
var calculatorLanes = []string{
	"calculations",
	"calculations/addition", "calculations/addition/addition",
	"calculations/subtraction", "calculations/subtraction/subtraction",
	"calculations/multiplication", "calculations/multiplication/multiplication",
	"calculations/division", "calculations/division/division",
}

// TestCalculatorDivisionByZero: one lane per operation in tree order
// whatever the schedule (branches in declared order, though they run in
// another), the division step's single attempt a FAILED bar carrying its
// error, the batch's counts 3 / 1 on the Parallel's lane, one band.
func TestCalculatorDivisionByZero(t *testing.T) {
	t.Parallel()
	histories := map[string]bool{}
	for seed := uint64(1); seed <= 6; seed++ {
		res := calculator(t, `{"num1":10,"num2":0}`, seed)
		histories[strings.Join(eventOrder(res), ",")] = true
		tl := timeline.Build(res)
		if got := paths(tl); !slices.Equal(got, calculatorLanes) {
			t.Fatalf("seed %d: lanes %v, want %v", seed, got, calculatorLanes)
		}
		div := lane(t, tl, "calculations/division/division")
		if len(div.Bars) != 1 {
			t.Fatalf("seed %d: division has %d bars, want one attempt", seed, len(div.Bars))
		}
		bar := div.Bars[0]
		if bar.Attempt != 1 || bar.Outcome != "FAILED" || aws.ToString(bar.Error.ErrorType) != "DivisionByZeroError" {
			t.Errorf("seed %d: division bar %+v, want attempt 1 FAILED with DivisionByZeroError", seed, bar)
		}
		if bar.From >= bar.To {
			t.Errorf("seed %d: division bar spans columns %d..%d; StepStarted precedes StepFailed", seed, bar.From, bar.To)
		}
		if got := lane(t, tl, "calculations/division").Outcome; got != "FAILED" {
			t.Errorf("seed %d: division branch %s, want FAILED", seed, got)
		}
		for _, name := range []string{"addition", "subtraction", "multiplication"} {
			if l := lane(t, tl, "calculations/"+name+"/"+name); len(l.Bars) != 1 || l.Bars[0].Outcome != "SUCCEEDED" {
				t.Errorf("seed %d: %s bars %+v, want one SUCCEEDED", seed, name, l.Bars)
			}
		}
		b := lane(t, tl, "calculations").Batch
		if b == nil || b.Reason != "ALL_COMPLETED" || b.Succeeded != 3 || b.Failed != 1 || b.Started != 0 || b.Source != "payload" {
			t.Errorf("seed %d: batch %+v, want ALL_COMPLETED 3/1/0 from the payload", seed, b)
		}
		if len(tl.Bands) != 1 || tl.Bands[0].Outcome != "SUCCEEDED" {
			t.Errorf("seed %d: bands %+v, want one, SUCCEEDED", seed, tl.Bands)
		}
		for i, l := range tl.Lanes {
			if want := strings.Count(l.Path, "/"); l.Depth != want {
				t.Errorf("seed %d: lane %d %s depth %d, want %d", seed, i, l.Path, l.Depth, want)
			}
		}
	}
	if len(histories) < 2 {
		t.Errorf("6 seeds gave %d branch orders; the order check proves nothing", len(histories))
	}
}

func eventOrder(res *harness.Result) []string {
	var out []string
	for _, ev := range res.History {
		out = append(out, string(ev.EventType)+":"+aws.ToString(ev.Name))
	}
	return out
}

// TestRetryingStep: a bar per attempt (RETRY, RETRY, SUCCEEDED), a retry
// gap after each retried attempt labelled with its delay, one band per
// invocation with a clock break before each, the step resumed in the
// invocations after the first.
func TestRetryingStep(t *testing.T) {
	t.Parallel()
	res := run(t, durable.Handle(retrying), "{}")
	tl := timeline.Build(res)
	l := lane(t, tl, "flaky")
	var outcomes []string
	for i, b := range l.Bars {
		outcomes = append(outcomes, b.Outcome)
		if b.Attempt != i+1 || b.Invocation != i+1 {
			t.Errorf("bar %d: attempt %d in invocation %d, want %d in %d", i, b.Attempt, b.Invocation, i+1, i+1)
		}
	}
	if want := []string{"RETRY", "RETRY", "SUCCEEDED"}; !slices.Equal(outcomes, want) {
		t.Fatalf("attempts %v, want %v", outcomes, want)
	}
	if len(l.Gaps) != 2 {
		t.Fatalf("gaps %+v, want two retry delays", l.Gaps)
	}
	for i, want := range []int{2, 3} {
		g := l.Gaps[i]
		if g.Kind != "retry" || g.Seconds != want || g.From != l.Bars[i].To || g.To != l.Bars[i+1].From {
			t.Errorf("gap %d %+v, want a %ds retry from bar %d's end to bar %d's start", i, g, want, i, i+1)
		}
	}
	if len(tl.Bands) != 3 {
		t.Fatalf("bands %+v, want 3", tl.Bands)
	}
	var gaps []string
	for _, c := range tl.Columns {
		if c.Gap > 0 {
			gaps = append(gaps, c.Gap.String())
		}
	}
	if want := []string{"2s", "3s"}; !slices.Equal(gaps, want) {
		t.Errorf("clock breaks %v, want %v", gaps, want)
	}
	for i, b := range tl.Bands[:2] {
		if b.Outcome != "PENDING" {
			t.Errorf("band %d outcome %s, want PENDING", i+1, b.Outcome)
		}
	}
	if len(l.Marks) != 2 || l.Marks[0].Mode != "resumed" || l.Marks[0].Invocation != 2 || l.Marks[1].Invocation != 3 || l.Marks[0].Inferred {
		t.Errorf("marks %+v, want resumed in invocations 2 and 3, observed", l.Marks)
	}
}

// TestParallelStoppedEarly: under fail-fast, "boom" fails while "slow" is
// in its wait: the batch says FAILURE_TOLERANCE_EXCEEDED, 0/1/1, and the
// in-flight branch and its wait are drawn abandoned up to the batch's end.
func TestParallelStoppedEarly(t *testing.T) {
	t.Parallel()
	res := run(t, durable.Handle(earlyStop), "{}", harness.WithScheduler(check.InOrder()))
	tl := timeline.Build(res)
	if got, want := paths(tl), []string{"race", "race/slow", "race/slow/hold", "race/boom", "race/boom/explode"}; !slices.Equal(got, want) {
		t.Fatalf("lanes %v, want %v", got, want)
	}
	race := lane(t, tl, "race")
	if b := race.Batch; b == nil || b.Reason != "FAILURE_TOLERANCE_EXCEEDED" || b.Succeeded != 0 || b.Failed != 1 || b.Started != 1 {
		t.Errorf("batch %+v, want FAILURE_TOLERANCE_EXCEEDED 0/1/1", race.Batch)
	}
	end := race.Bars[0].To
	slow := lane(t, tl, "race/slow")
	if slow.Outcome != timeline.Abandoned || slow.Op.Status != "STARTED" || len(slow.Bars) != 1 || slow.Bars[0].Outcome != timeline.Abandoned || slow.Bars[0].To != end {
		t.Errorf("slow %s %+v, want an ABANDONED (STARTED) bar up to the batch's end, column %d", slow.Outcome, slow.Bars, end)
	}
	hold := lane(t, tl, "race/slow/hold")
	if len(hold.Gaps) != 1 || hold.Gaps[0].Outcome != timeline.Abandoned || hold.Gaps[0].Seconds != 10 || hold.Gaps[0].To != end {
		t.Errorf("hold gaps %+v, want one 10 s wait abandoned at column %d", hold.Gaps, end)
	}
	if l := lane(t, tl, "race/boom/explode"); l.Outcome != "FAILED" {
		t.Errorf("explode %s, want FAILED", l.Outcome)
	}
}

// TestParallelStoppedEarlyUnrecorded: when the batch stops before the
// admitted branch checkpointed anything, only the payload knows it: it
// still gets a lane, at its index, drawn abandoned.
func TestParallelStoppedEarlyUnrecorded(t *testing.T) {
	t.Parallel()
	res := run(t, durable.Handle(earlyStop), "{}", harness.WithScheduler(check.Prefer("boom")))
	if res.Op("slow") != nil {
		t.Fatal("the schedule let slow checkpoint; this test needs it unrecorded")
	}
	tl := timeline.Build(res)
	if got, want := paths(tl), []string{"race", "race/item 0", "race/boom", "race/boom/explode"}; !slices.Equal(got, want) {
		t.Fatalf("lanes %v, want %v", got, want)
	}
	ghost := lane(t, tl, "race/item 0")
	if !ghost.Unrecorded || ghost.Outcome != timeline.Abandoned || ghost.Index != 1 || len(ghost.Bars) != 1 || ghost.Bars[0].Outcome != timeline.Abandoned {
		t.Errorf("item 0: %+v, want an unrecorded, abandoned lane at index 1 with one abandoned bar", ghost)
	}
}

// TestWaitAcrossInvocations: the wait is a 5 s gap from the first
// invocation's band to the second's, the clock break says +5s, and the
// second invocation replays the first step and the wait.
func TestWaitAcrossInvocations(t *testing.T) {
	t.Parallel()
	res := run(t, durable.Handle(waitAcross), "{}")
	tl := timeline.Build(res)
	if len(tl.Bands) != 2 || tl.Bands[0].Outcome != "PENDING" || tl.Bands[1].Outcome != "SUCCEEDED" {
		t.Fatalf("bands %+v, want PENDING then SUCCEEDED", tl.Bands)
	}
	pause := lane(t, tl, "pause")
	if len(pause.Gaps) != 1 || len(pause.Bars) != 0 {
		t.Fatalf("pause: bars %+v gaps %+v, want one gap and no bar", pause.Bars, pause.Gaps)
	}
	g := pause.Gaps[0]
	if g.Kind != "wait" || g.Seconds != 5 || g.Outcome != "SUCCEEDED" {
		t.Errorf("wait gap %+v, want a 5 s wait SUCCEEDED", g)
	}
	if g.From > tl.Bands[0].To || g.To >= tl.Bands[1].From {
		t.Errorf("wait gap spans %d..%d; it starts in band 1 (..%d) and its timer fires before band 2 (%d..)", g.From, g.To, tl.Bands[0].To, tl.Bands[1].From)
	}
	breaks := 0
	for _, c := range tl.Columns[tl.Bands[0].To+1 : tl.Bands[1].From+1] {
		if c.Gap.Seconds() == 5 {
			breaks++
		}
	}
	if breaks != 1 {
		t.Errorf("want one +5s clock break between the bands, got %d", breaks)
	}
	for _, name := range []string{"before", "pause"} {
		l := lane(t, tl, name)
		if len(l.Marks) != 1 || l.Marks[0].Mode != "replayed" || l.Marks[0].Invocation != 2 {
			t.Errorf("%s marks %+v, want replayed in invocation 2", name, l.Marks)
		}
	}
	if l := lane(t, tl, "after"); len(l.Marks) != 0 || len(l.Bars) != 1 || l.Bars[0].Invocation != 2 {
		t.Errorf("after: marks %+v bars %+v, want no mark and a bar in invocation 2", l.Marks, l.Bars)
	}
}

// TestInferredReplays: without the runner's records (a cloud or emulator
// run), the same marks follow from the history, flagged inferred; nothing
// under a finished context is marked.
func TestInferredReplays(t *testing.T) {
	t.Parallel()
	res := run(t, durable.Handle(waitAcross), "{}")
	for i := range res.Invocations {
		res.Invocations[i].Observed = nil
	}
	tl := timeline.Build(res)
	for _, name := range []string{"before", "pause"} {
		l := lane(t, tl, name)
		if len(l.Marks) != 1 || l.Marks[0].Mode != "replayed" || !l.Marks[0].Inferred {
			t.Errorf("%s marks %+v, want one inferred replay", name, l.Marks)
		}
	}
	res = run(t, durable.Handle(nestedWait), "{}")
	for i := range res.Invocations {
		res.Invocations[i].Observed = nil
	}
	tl = timeline.Build(res)
	if l := lane(t, tl, "outer/inner"); len(l.Marks) != 0 {
		t.Errorf("outer/inner marks %+v: it lies in a context finished before invocation 2", l.Marks)
	}
	if l := lane(t, tl, "outer"); len(l.Marks) != 1 || l.Marks[0].Mode != "replayed" {
		t.Errorf("outer marks %+v, want one replay", l.Marks)
	}
}

// nestedWait: a child context holding a step, then a wait.
func nestedWait(ctx durable.Context, _ any) (string, error) {
	v, err := durable.RunInChildContext(ctx, "outer", func(cc durable.Context) (string, error) {
		return durable.Step(cc, "inner", func(durable.StepContext) (string, error) { return "v", nil })
	})
	if err != nil {
		return "", err
	}
	return v, durable.Wait(ctx, "pause", 3*time.Second)
}

// TestCrashedInvocation: a crash after a checkpoint call ends the first
// band with Runtime.ExitError and the injected fault; the next band
// resumes.
func TestCrashedInvocation(t *testing.T) {
	t.Parallel()
	res := calculator(t, `{"num1":10,"num2":0}`, 1, harness.WithFaults(harness.CrashAfterCheckpoint(2)))
	tl := timeline.Build(res)
	if len(tl.Bands) != 2 {
		t.Fatalf("bands %+v, want 2", tl.Bands)
	}
	b := tl.Bands[0]
	if b.Outcome != "Runtime.ExitError" || len(b.Faults) != 1 || !strings.Contains(b.Faults[0], "crash after checkpoint call 2") {
		t.Errorf("band 1 %+v, want Runtime.ExitError with the injected crash", b)
	}
	if tl.Bands[1].Outcome != "SUCCEEDED" {
		t.Errorf("band 2 outcome %s, want SUCCEEDED", tl.Bands[1].Outcome)
	}
	if l := lane(t, tl, "calculations"); len(l.Marks) != 1 || l.Marks[0].Mode != "resumed" {
		t.Errorf("calculations marks %+v, want resumed in invocation 2", l.Marks)
	}
}

// TestMapItems: a Map's iterations are lanes under it in index order,
// each over its step, and the Map's lane carries its BatchResult.
func TestMapItems(t *testing.T) {
	t.Parallel()
	squares := func(ctx durable.Context, _ any) ([]int, error) {
		br, err := durable.Map(ctx, "squares", []int{3, 0, 5}, func(ic durable.Context, n, i int) (int, error) {
			return durable.Step(ic, "square", func(durable.StepContext) (int, error) {
				if n == 0 {
					return 0, errors.New("zero: no square")
				}
				return n * n, nil
			}, durable.WithRetry(durable.NoRetry()))
		}, durable.WithCompletion(durable.AllCompleted()))
		if batchfail.Settled(err) != nil {
			return nil, err
		}
		return br.Results(), nil
	}
	res := run(t, durable.Handle(squares), "{}", harness.WithScheduler(check.Seeded(3)))
	tl := timeline.Build(res)
	m := tl.Lanes[0]
	if m.Op.SubType != "Map" || m.Batch == nil || m.Batch.Succeeded != 2 || m.Batch.Failed != 1 || m.Batch.Reason != "ALL_COMPLETED" {
		t.Fatalf("first lane %s %s batch %+v, want the Map with ALL_COMPLETED 2/1", m.Path, m.Op.SubType, m.Batch)
	}
	var items []int
	for _, l := range tl.Lanes[1:] {
		if l.Depth == 1 {
			if l.Op.SubType != "MapIteration" {
				t.Errorf("lane %s is a %s, want a MapIteration", l.Path, l.Op.SubType)
			}
			items = append(items, l.Index)
		}
	}
	if !slices.Equal(items, []int{1, 2, 3}) || len(tl.Lanes) != 7 {
		t.Errorf("iterations at positions %v of %d lanes, want 1 2 3 of 7 (the Map, three iterations, three steps)", items, len(tl.Lanes))
	}
	if l := tl.Lanes[4]; l.Op.Type != "STEP" || len(l.Bars) != 1 || l.Bars[0].Outcome != "FAILED" {
		t.Errorf("lane 4 %s %+v, want the second iteration's failed step", l.Path, l.Bars)
	}
}

// TestStillRunning: an execution cut short (the runner's invocation cap)
// is drawn as running, not abandoned: the step waiting for its retry is
// PENDING with an open retry gap, its band PENDING.
func TestStillRunning(t *testing.T) {
	t.Parallel()
	res, err := harness.NewLocalRunner(durable.Handle(retrying), harness.WithMaxInvocations(1)).RunJSON(context.Background(), "{}")
	if err == nil || res == nil || res.Status != "RUNNING" {
		t.Fatalf("want the cap's error and a RUNNING result, got %v, %v", err, res)
	}
	tl := timeline.Build(res)
	l := lane(t, tl, "flaky")
	if l.Outcome != "PENDING" || len(l.Gaps) != 1 || l.Gaps[0].Outcome != timeline.Running || l.Gaps[0].To != tl.End {
		t.Errorf("flaky %s %+v, want PENDING with a RUNNING retry gap to the last column", l.Outcome, l.Gaps)
	}
	if len(tl.Bands) != 1 || tl.Bands[0].Outcome != "PENDING" {
		t.Errorf("bands %+v, want one PENDING", tl.Bands)
	}
}
