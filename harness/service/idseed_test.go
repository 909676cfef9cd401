package service

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// The id seed decides the names and ids a backend mints: the same seed
// mints the same ARNs, another seed others; an evicted execution of a
// seeded backend is still recognised as one it minted.
func TestIDSeed(t *testing.T) {
	first := func(seed uint64) (*Backend, string) {
		b := NewBackend(WithIDSeed(seed), WithMaxExecutions(1))
		arn, err := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: "null"})
		if err != nil {
			t.Fatal(err)
		}
		return b, arn
	}
	_, a1 := first(7)
	_, a2 := first(7)
	_, b1 := first(8)
	_, zero := first(0)
	if a1 != a2 || a1 == b1 || a1 == zero {
		t.Errorf("seed 7 minted %s and %s, seed 8 %s, seed 0 %s: want equal for equal seeds only", a1, a2, b1, zero)
	}
	b, old := first(1<<63 | 12345)
	finish(t, b, old)
	finish(t, b, startNamed(t, b, "next"))
	_, err := b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(old)})
	wantServiceError[*types.ResourceNotFoundException](t, err, old+" no longer exists")
}
