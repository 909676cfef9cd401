package durable_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// timedCalls records each checkpoint call as "<ms since start> <updates>"
// on the run's virtual clock, then passes it on.
type timedCalls struct {
	durable.CheckpointClient
	clk   *harness.VirtualClock
	start time.Time
	mu    sync.Mutex
	calls []string
}

func (c *timedCalls) CheckpointDurableExecution(ctx context.Context, in *lambda.CheckpointDurableExecutionInput, opts ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	var parts []string
	for i := 0; i < len(in.Updates); {
		j := i
		for j+1 < len(in.Updates) && in.Updates[j+1].Action == in.Updates[i].Action {
			j++
		}
		run := string(in.Updates[i].Action) + " " + aws.ToString(in.Updates[i].Name)
		if j > i {
			run += "-" + aws.ToString(in.Updates[j].Name)
		}
		parts = append(parts, run)
		i = j + 1
	}
	c.mu.Lock()
	c.calls = append(c.calls, fmt.Sprintf("%dms %s", c.clk.Now().Sub(c.start).Milliseconds(), strings.Join(parts, ", ")))
	c.mu.Unlock()
	return c.CheckpointClient.CheckpointDurableExecution(ctx, in, opts...)
}

// TestTimedFlushWindowRestartsAfterEverySend: the timed flush sends what is
// queued after 100 ms without a new update, and at the latest 1 s after the
// first update queued since the last send, not since the invocation's first
// update. The handler opens nested child contexts (each START is
// fire-and-forget) at chosen virtual instants, sleeping between them with
// harness.Sleep:
//
//	c01-c12  0 ms to 990 ms, 90 ms apart: never 100 ms quiet, sent at 1000 ms
//	c13-c24  from 1490 ms, 90 ms apart:   sent 1 s after c13, at 2490 ms
//	c25      2570 ms, then 300 ms quiet:  sent alone at 2670 ms
//	c26-c28  2870, 2920, 2970 ms:         sent 100 ms after c28, at 3070 ms
//
// At 3170 ms the innermost context returns and each context's SUCCEED goes
// out in a blocking call of its own, innermost first.
func TestTimedFlushWindowRestartsAfterEverySend(t *testing.T) {
	gapsMs := []int{ // after the START of c01, c02, …
		90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 500,
		90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90,
		300, 50, 50, 200,
	}
	name := func(i int) string { return fmt.Sprintf("c%02d", i+1) }
	var nest func(ctx durable.Context, i int) (int, error)
	nest = func(ctx durable.Context, i int) (int, error) {
		harness.Sleep(ctx, time.Duration(gapsMs[i])*time.Millisecond)
		if i+1 == len(gapsMs) {
			return i, nil
		}
		return durable.RunInChildContext(ctx, name(i+1), func(cc durable.Context) (int, error) { return nest(cc, i+1) })
	}
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.RunInChildContext(ctx, name(0), func(cc durable.Context) (int, error) { return nest(cc, 0) })
	}

	start := time.Unix(1_700_000_000, 0)
	clk := harness.NewVirtualClock(start)
	m := newMem(`{}`)
	rec := &timedCalls{CheckpointClient: m, clk: clk, start: start}
	raw, err := durable.Handle(h)(harness.WithVirtualClock(context.Background(), clk), durable.Env{Client: rec, Clock: clk}, m.envelope())
	if err != nil {
		t.Fatal(err)
	}
	out, err := durable.DecodeInvocationOutput(raw)
	if err != nil || out.Status != durable.InvocationSucceeded {
		t.Fatalf("output %s (%v), want SUCCEEDED", raw, err)
	}

	want := []string{
		"1000ms START c01-c12",
		"2490ms START c13-c24",
		"2670ms START c25",
		"3070ms START c26-c28",
	}
	for i := len(gapsMs) - 1; i >= 0; i-- {
		want = append(want, "3170ms SUCCEED "+name(i))
	}
	got := rec.calls
	for i := range max(len(got), len(want)) {
		if g, w := callAt(got, i), callAt(want, i); g != w {
			var starts []string
			for _, c := range got {
				if strings.Contains(c, " START ") {
					starts = append(starts, c)
				}
			}
			t.Fatalf("checkpoint call %d: %s, want %s (%d calls, want %d); the calls that carried STARTs:\n%s",
				i+1, g, w, len(got), len(want), strings.Join(starts, "\n"))
		}
	}
}

func callAt(calls []string, i int) string {
	if i < len(calls) {
		return calls[i]
	}
	return "none"
}
