package durable_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

func TestFireAndForgetRidesWithBlocking(t *testing.T) {
	h := func(ctx durable.Context, _ any) (int, error) {
		a, err := durable.Step(ctx, "a", func(durable.StepContext) (int, error) { return 1, nil })
		if err != nil {
			return 0, err
		}
		return durable.RunInChildContext(ctx, "c", func(ctx durable.Context) (int, error) {
			return durable.Step(ctx, "b", func(durable.StepContext) (int, error) { return a + 1, nil })
		})
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{})
	// [a START, a SUCCEED] then [c START, b START, b SUCCEED] then [c SUCCEED].
	if out.Result != "2" || !slices.Equal(batchShapes(m), []int{2, 3, 1}) {
		t.Fatalf("%s batches %v", out.Result, batchShapes(m))
	}
	var order []string
	for _, u := range m.allUpdates() {
		order = append(order, aws.ToString(u.Name)+":"+string(u.Action))
	}
	if !slices.Equal(order, []string{"a:START", "a:SUCCEED", "c:START", "b:START", "b:SUCCEED", "c:SUCCEED"}) {
		t.Fatalf("order %v", order)
	}
}

// roundRobin gives the turn to the task that has had the fewest.
type roundRobin struct{ turns map[int]int }

func (r *roundRobin) Pick(ready []durable.Task) int {
	best := 0
	for i, t := range ready {
		if r.turns[t.Seq] < r.turns[ready[best].Seq] {
			best = i
		}
	}
	r.turns[ready[best].Seq]++
	return best
}

// TestBatchLimit: 300 branches each queue their START before any blocking
// update, so the first flush holds over 250 updates and must be split.
func TestBatchLimit(t *testing.T) {
	h := func(ctx durable.Context, _ any) (int, error) {
		bs := make([]durable.Branch[int], 300)
		for i := range bs {
			bs[i] = durable.Branch[int]{Func: func(ctx durable.Context) (int, error) {
				return durable.Step(ctx, "s", func(durable.StepContext) (int, error) { return i, nil })
			}}
		}
		r, err := durable.Parallel(ctx, "p", bs)
		if batchfail.Settled(err) != nil {
			return 0, err
		}
		return r.SuccessCount(), nil
	}
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{Scheduler: &roundRobin{turns: map[int]int{}}})
	shapes := batchShapes(m)
	if out.Result != "300" || slices.Max(shapes) != 250 {
		t.Fatalf("%s batches %v", out.Result, shapes)
	}
	// Every branch START precedes its step's START (the fake checks parents too).
	seen := map[string]bool{}
	for _, u := range m.allUpdates() {
		if u.Action == types.OperationActionStart {
			if p := aws.ToString(u.ParentId); aws.ToString(u.SubType) == "Step" && !seen[p] {
				t.Fatalf("step START before its branch START")
			}
			seen[aws.ToString(u.Id)] = true
		}
	}
}

// closingClient drops the token from the response to its first call, as the
// service does once the execution has ended.
type closingClient struct {
	*memService
	calls int
}

func (c *closingClient) CheckpointDurableExecution(ctx context.Context, in *lambda.CheckpointDurableExecutionInput, opts ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	out, err := c.memService.CheckpointDurableExecution(ctx, in, opts...)
	c.calls++
	if err == nil && c.calls == 1 {
		out.CheckpointToken = nil
	}
	return out, err
}

func TestNoTokenEndsTheInvocation(t *testing.T) {
	h := func(ctx durable.Context, _ any) (int, error) {
		for _, name := range []string{"a", "b"} {
			if _, err := durable.Step(ctx, name, func(durable.StepContext) (int, error) { return 1, nil }); err != nil {
				return 0, err
			}
		}
		return 0, nil
	}
	m := newMem(`{}`)
	client := &closingClient{memService: m}
	_, err := durable.Handle(h)(context.Background(), durable.Env{Client: client}, m.envelope())
	var ce *durable.CheckpointError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "no checkpoint token") || client.calls != 1 {
		t.Fatalf("%v after %d calls", err, client.calls)
	}
}

func TestStepRunsObserved(t *testing.T) {
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "flaky", func(sc durable.StepContext) (int, error) {
			if sc.Attempt() < 3 {
				return 0, errBoom
			}
			return sc.Attempt(), nil
		})
	}
	obs := newRecorder()
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(h), durable.Env{Observer: obs, Jitter: func() float64 { return 0 }})
	var attempts []int
	for _, s := range obs.steps {
		attempts = append(attempts, s.Attempt)
		if s.Name != "flaky" || s.ID != aws.ToString(m.find("flaky")[0].Id) {
			t.Fatalf("%+v", s)
		}
	}
	if out.Result != "3" || !slices.Equal(attempts, []int{1, 2, 3}) {
		t.Fatalf("%s %v", out.Result, attempts)
	}
}
