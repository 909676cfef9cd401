package durable_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
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
		if err != nil {
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
