package durable_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// pickFunc is a Scheduler from a function.
type pickFunc func(ready []durable.Task) int

func (f pickFunc) Pick(ready []durable.Task) int { return f(ready) }

// seeded picks uniformly with a seeded source, logging every choice.
type seeded struct {
	mu    sync.Mutex
	rng   *rand.Rand
	picks []string
}

func newSeeded(seed uint64) *seeded { return &seeded{rng: rand.New(rand.NewPCG(seed, seed))} }

func (s *seeded) Pick(ready []durable.Task) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.rng.IntN(len(ready))
	s.picks = append(s.picks, ready[i].Name)
	return i
}

// twoStepBranches is a 4-branch Parallel whose branches run two steps each,
// so interleavings have room to differ.
func twoStepBranches(ctx durable.Context, _ any) ([]int, error) {
	var bs []durable.Branch[int]
	for i := range 4 {
		bs = append(bs, durable.Branch[int]{Func: func(ctx durable.Context) (int, error) {
			a, err := durable.Step(ctx, "first", func(durable.StepContext) (int, error) { return i, nil })
			if err != nil {
				return 0, err
			}
			return durable.Step(ctx, "second", func(durable.StepContext) (int, error) { return a * 10, nil })
		}})
	}
	res, err := durable.Parallel(ctx, "p", bs, durable.WithCompletion(durable.AllCompleted()))
	if batchfail.Settled(err) != nil {
		return nil, err
	}
	return res.Results(), nil
}

func startOrder(m *memService) []string {
	var ids []string
	for _, u := range m.allUpdates() {
		if u.Action == types.OperationActionStart {
			ids = append(ids, aws.ToString(u.Id))
		}
	}
	return ids
}

func runWith(t *testing.T, s durable.Scheduler) (*memService, []int) {
	t.Helper()
	m := newMem(`{}`)
	out, _ := m.run(t, durable.Handle(twoStepBranches), durable.Env{Scheduler: s})
	var got []int
	resultOf(t, out, &got)
	return m, got
}

func TestSchedulerOrdersGiveSameIDs(t *testing.T) {
	first := pickFunc(func([]durable.Task) int { return 0 })
	last := pickFunc(func(r []durable.Task) int { return len(r) - 1 })
	m1, r1 := runWith(t, first)
	m2, r2 := runWith(t, last)
	o1, o2 := startOrder(m1), startOrder(m2)
	if slices.Equal(o1, o2) {
		t.Fatalf("both orders started operations in the same order %v", o1)
	}
	s1, s2 := slices.Clone(o1), slices.Clone(o2)
	slices.Sort(s1)
	slices.Sort(s2)
	if !slices.Equal(s1, s2) {
		t.Fatalf("ids differ:\n%v\n%v", s1, s2)
	}
	if !slices.Equal(r1, []int{0, 10, 20, 30}) || !slices.Equal(r2, r1) {
		t.Fatalf("results %v %v", r1, r2)
	}
}

func TestSeededSchedulerIsReproducible(t *testing.T) {
	distinct := map[string]bool{}
	for seed := range uint64(8) {
		a, b := newSeeded(seed), newSeeded(seed)
		m1, _ := runWith(t, a)
		m2, _ := runWith(t, b)
		o1, o2 := startOrder(m1), startOrder(m2)
		if !slices.Equal(o1, o2) || !slices.Equal(a.picks, b.picks) {
			t.Fatalf("seed %d: two runs differ:\n%v\n%v", seed, o1, o2)
		}
		if !slices.Equal(batchShapes(m1), batchShapes(m2)) {
			t.Fatalf("seed %d: checkpoint batches differ", seed)
		}
		distinct[joinIDs(o1)] = true
	}
	if len(distinct) < 2 {
		t.Fatalf("8 seeds gave %d interleaving(s)", len(distinct))
	}
}

func batchShapes(m *memService) []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []int
	for _, b := range m.batches {
		out = append(out, len(b))
	}
	return out
}

func joinIDs(ids []string) string {
	s := ""
	for _, id := range ids {
		s += id + ","
	}
	return s
}
