package harness

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/service"
)

// TestOwnedResultMatchesCollected: the Result a runner builds from the
// backend it owns (shared, uncopied state) equals the one read through the
// Lambda API, for an execution that succeeded, one that failed, and one
// started without input.
func TestOwnedResultMatchesCollected(t *testing.T) {
	ok := durable.Handle(func(ctx durable.Context, in any) (any, error) {
		return durable.Step(ctx, "s", func(durable.StepContext) (any, error) { return in, nil })
	})
	fail := durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		return durable.Step(ctx, "s", func(durable.StepContext) (int, error) { return 0, errors.New("no") }, durable.WithRetry(durable.NoRetry()))
	})
	for name, c := range map[string]struct {
		inv   durable.Invoker
		start service.StartExecutionInput
	}{
		"succeeded": {inv: ok, start: service.StartExecutionInput{FunctionName: "f", Payload: `{"a":1}`}},
		"failed":    {inv: fail, start: service.StartExecutionInput{FunctionName: "f", Payload: `null`}},
		"no input":  {inv: ok, start: service.StartExecutionInput{FunctionName: "f", NoPayload: true}},
	} {
		b := service.NewBackend()
		ctx := context.Background()
		arn, err := b.StartExecution(ctx, c.start)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Drive(ctx, arn, func(ctx context.Context, env []byte) ([]byte, error) {
			return c.inv(ctx, durable.Env{Client: b}, env)
		}, 10); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		owned, err := ownedResult(b, arn)
		if err != nil {
			t.Fatal(err)
		}
		read, err := CollectResult(ctx, b, arn)
		if err != nil {
			t.Fatal(err)
		}
		if owned.Arn != read.Arn || owned.Name != read.Name || owned.Status != read.Status || owned.Input != read.Input ||
			!reflect.DeepEqual(owned.Output, read.Output) || !reflect.DeepEqual(owned.Error, read.Error) ||
			!reflect.DeepEqual(owned.History, read.History) || len(owned.Operations) != len(read.Operations) {
			t.Fatalf("%s: owned %+v\nread %+v", name, owned, read)
		}
	}
}
