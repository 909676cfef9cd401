package durable_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

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

// nullClient acknowledges every checkpoint and keeps nothing: it isolates
// the runtime's own cost.
type nullClient struct{}

var nullToken = "t"

func (nullClient) CheckpointDurableExecution(context.Context, *lambda.CheckpointDurableExecutionInput, ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	return &lambda.CheckpointDurableExecutionOutput{CheckpointToken: &nullToken}, nil
}

func (nullClient) GetDurableExecutionState(context.Context, *lambda.GetDurableExecutionStateInput, ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error) {
	return &lambda.GetDurableExecutionStateOutput{}, nil
}

// BenchmarkParallel4StepsRuntime is BenchmarkParallel4Steps without the
// in-memory service's bookkeeping: the envelope is built once and the client
// only acknowledges.
func BenchmarkParallel4StepsRuntime(b *testing.B) {
	inv := durable.Handle(calculator)
	envelope := newMem(`{"num1":10,"num2":5}`).envelope()
	env := durable.Env{Client: nullClient{}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := inv(context.Background(), env, envelope); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParallel4StepsDirect is BenchmarkParallel4StepsRuntime through
// HandleInvocation: no envelope JSON at all.
func BenchmarkParallel4StepsDirect(b *testing.B) {
	h := durable.HandleInvocation(calculator)
	in, err := durable.DecodeInvocationInput(newMem(`{"num1":10,"num2":5}`).envelope())
	if err != nil {
		b.Fatal(err)
	}
	env := durable.Env{Client: nullClient{}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h(context.Background(), env, in); err != nil {
			b.Fatal(err)
		}
	}
}
