package check_test

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dpcheck/dpcheck/harness/check"
)

// randomInputs draws n calculator events over the input classes: zero
// (either sign), negative, huge, tiny, integral and fractional numbers.
func randomInputs(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, 0))
	number := func() float64 {
		switch rng.IntN(6) {
		case 0:
			return []float64{0, math.Copysign(0, -1)}[rng.IntN(2)]
		case 1:
			return -float64(rng.IntN(1000) + 1)
		case 2:
			return math.Ldexp(1+rng.Float64(), 900+rng.IntN(123)) // may overflow a product
		case 3:
			return math.Ldexp(1+rng.Float64(), -1000-rng.IntN(60))
		case 4:
			return float64(rng.Int64N(1 << 53))
		}
		return rng.NormFloat64() * 100
	}
	out := make([]string, n)
	for i := range out {
		b, _ := json.Marshal(map[string]float64{"num1": number(), "num2": number()})
		out[i] = string(b)
	}
	return out
}

// BenchmarkCrashEveryBoundary: one op is the crash sweep over 1,000 random
// calculator inputs (a crash-free run plus one crashed run per checkpoint
// call, for each input). Run with -benchtime=1x for the figure.
func BenchmarkCrashEveryBoundary(b *testing.B) {
	benchSweep(b, (*check.Checker).CrashEveryBoundary)
}

// BenchmarkBoundaries is the same with the failed-call sweep too.
func BenchmarkBoundaries(b *testing.B) {
	benchSweep(b, (*check.Checker).Boundaries)
}

// benchSweep runs sweep over 1,000 random calculator inputs per op and
// reports the runs (crash-free plus faulted) one op makes.
func benchSweep(b *testing.B, sweep func(*check.Checker, context.Context, any) (*check.Sweep, error)) {
	inputs := randomInputs(1, 1000)
	ctx := context.Background()
	var runs int
	for b.Loop() {
		runs = 0
		for i, in := range inputs {
			s, err := sweep(check.New(calculator, check.WithSeed(uint64(i+1))), ctx, in)
			if err != nil {
				b.Fatalf("%s: %v", in, err)
			}
			runs += 1 + len(s.Runs)
		}
	}
	b.ReportMetric(float64(runs), "runs/op")
}
