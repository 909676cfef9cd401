package service

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestCheckpointRepeatAnswersAsFirst: a repeat of a checkpoint call (same
// ClientToken and CheckpointToken) gets the operations as the first answer
// had them, although a timer changed one since and the caller wrote
// through the first answer; each answer is a copy of its own.
func TestCheckpointRepeatAnswersAsFirst(t *testing.T) {
	s := newSession(t, "null")
	in := &lambda.CheckpointDurableExecutionInput{
		DurableExecutionArn: aws.String(s.arn),
		CheckpointToken:     aws.String(s.token),
		ClientToken:         aws.String("client-1"),
		Updates:             []types.OperationUpdate{stepStart("a", "s", ""), stepSucceed("a", "1"), waitStart("w", "w", "", 2)},
	}
	first, err := s.b.CheckpointDurableExecution(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := first.NewExecutionState.Operations
	want = []types.Operation{deepCopyForTest(&want[0]), deepCopyForTest(&want[1])}
	s.b.Advance(3 * time.Second) // the wait fires: its record is SUCCEEDED now
	if st := s.state(); st[2].Status != types.OperationStatusSucceeded {
		t.Fatalf("the wait is %s after its timer", st[2].Status)
	}
	*first.NewExecutionState.Operations[0].Id = "mutated"
	*first.NewExecutionState.Operations[1].StartTimestamp = time.Time{}
	again, err := s.b.CheckpointDurableExecution(context.Background(), in)
	if err != nil {
		t.Fatalf("the repeat failed: %v", err)
	}
	if aws.ToString(again.CheckpointToken) != aws.ToString(first.CheckpointToken) || !reflect.DeepEqual(again.NewExecutionState.Operations, want) {
		t.Fatalf("the repeat answered\n%+v\nwant\n%+v", again.NewExecutionState.Operations, want)
	}
	if again.NewExecutionState.Operations[0].Id == first.NewExecutionState.Operations[0].Id {
		t.Fatalf("the repeat shares storage with the first answer")
	}
}

// deepCopyForTest copies an operation through the backend's own copier.
func deepCopyForTest(o *types.Operation) types.Operation {
	var out types.Operation
	c := newOpCopier(1)
	c.copyTo(0, &out, o)
	return out
}
