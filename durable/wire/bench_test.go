package wire_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable/wire"
)

func benchOps() []types.Operation {
	ops := make([]types.Operation, 8)
	for i := range ops {
		ops[i] = types.Operation{
			Id: aws.String("0123456789abcdef0123456789abcdef"), ParentId: aws.String("p"), Name: aws.String("addition"),
			Type: types.OperationTypeStep, SubType: aws.String("Step"), Status: types.OperationStatusSucceeded,
			StartTimestamp: aws.Time(start), EndTimestamp: aws.Time(start),
			StepDetails: &types.StepDetails{Attempt: 1, Result: aws.String("15")},
		}
	}
	return ops
}

func BenchmarkMarshalOperations(b *testing.B) {
	ops := benchOps()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wire.Marshal(ops, wire.Milliseconds); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalOperations(b *testing.B) {
	data, err := wire.Marshal(benchOps(), wire.Milliseconds)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var ops []types.Operation
		if err := wire.Unmarshal(data, &ops, wire.Milliseconds); err != nil {
			b.Fatal(err)
		}
	}
}
