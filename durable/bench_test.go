package durable_test

import (
	"testing"

	"github.com/dpcheck/dpcheck/durable"
)

// BenchmarkParallel4Steps runs the calculator (a 4-branch Parallel of one
// step each, AllCompleted) to completion against the in-memory service:
// one invocation, envelope decoding and output encoding included.
func BenchmarkParallel4Steps(b *testing.B) {
	inv := durable.Handle(calculator)
	b.ReportAllocs()
	for b.Loop() {
		m := newMem(`{"num1":10,"num2":5}`)
		m.hideDone = false
		out, err := m.invokeOnce(b, inv, durable.Env{})
		if err != nil || out.Status != durable.InvocationSucceeded {
			b.Fatalf("%v %+v", err, out)
		}
	}
}
