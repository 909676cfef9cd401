package service

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/internal/cputime"
)

// recordingClient keeps every checkpoint batch a runtime sends.
type recordingClient struct {
	durable.CheckpointClient
	batches [][]types.OperationUpdate
}

func (c *recordingClient) CheckpointDurableExecution(ctx context.Context, in *lambda.CheckpointDurableExecutionInput, optFns ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	c.batches = append(c.batches, slices.Clone(in.Updates)) // the runtime reuses the array
	return c.CheckpointClient.CheckpointDurableExecution(ctx, in, optFns...)
}

// BenchmarkBackendCalculatorReplay measures the backend alone: the
// checkpoint batches one calculator execution sends, recorded once, then
// replayed against a fresh backend per iteration together with the start,
// the invocation envelope, the output and the history read.
func BenchmarkBackendCalculatorReplay(b *testing.B) { benchmarkCalculatorReplay(b, false) }

// BenchmarkBackendCalculatorReplayClientToken is the same with a
// ClientToken on every call, as the Go SDK and botocore send one.
func BenchmarkBackendCalculatorReplayClientToken(b *testing.B) { benchmarkCalculatorReplay(b, true) }

func benchmarkCalculatorReplay(b *testing.B, clientToken bool) {
	inputs := []string{`{"num1":10,"num2":0}`, `{"num1":10,"num2":5}`}
	var scripts [2][][]types.OperationUpdate
	var outputs [2][]byte
	for i, in := range inputs {
		be := NewBackend()
		arn, _ := be.StartExecution(context.Background(), StartExecutionInput{FunctionName: "calculator", Payload: in})
		env, _ := be.BeginInvocation(arn)
		rec := &recordingClient{CheckpointClient: be}
		out, err := durable.Handle(function.Handler)(context.Background(), durable.Env{Client: rec}, env)
		if err != nil {
			b.Fatal(err)
		}
		scripts[i], outputs[i] = rec.batches, out
	}
	b.ReportAllocs()
	i := 0
	cpu0 := cputime.Process()
	for b.Loop() {
		be := NewBackend()
		arn, _ := be.StartExecution(context.Background(), StartExecutionInput{FunctionName: "calculator", Payload: inputs[i%2]})
		if _, err := be.BeginInvocation(arn); err != nil {
			b.Fatal(err)
		}
		token := be.lookup(&arn).token // decoding the envelope is the runtime's cost, not measured here
		for k, batch := range scripts[i%2] {
			in := &lambda.CheckpointDurableExecutionInput{DurableExecutionArn: &arn, CheckpointToken: &token, Updates: batch}
			if clientToken {
				in.ClientToken = &clientTokens[k%len(clientTokens)]
			}
			out, err := be.CheckpointDurableExecution(context.Background(), in)
			if err != nil {
				b.Fatal(err)
			}
			token = *out.CheckpointToken
		}
		if _, err := be.EndInvocation(arn, outputs[i%2], nil); err != nil {
			b.Fatal(err)
		}
		if _, err := be.SharedHistory(arn); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(i)/cpu.Seconds(), "exec/cpu-s")
	}
	b.ReportMetric(float64(len(scripts[0])+len(scripts[1]))/2, "checkpoints/exec")
}

// clientTokens are the ClientTokens of the calls of one replayed execution.
var clientTokens = []string{"c-0", "c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7"}
