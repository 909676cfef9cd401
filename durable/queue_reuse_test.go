package durable_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// lendingClient notes where each batch it is lent starts, keeps the batch
// of the call it fails (as a client that failed may), and forwards the rest.
type lendingClient struct {
	*memService
	failCall int
	calls    int
	fronts   []*types.OperationUpdate
	inputs   []*lambda.CheckpointDurableExecutionInput
	kept     []types.OperationUpdate // the failed call's batch, as lent
	keptCopy []types.OperationUpdate // what it held during the call
	keptIn   *lambda.CheckpointDurableExecutionInput
	keptInV  lambda.CheckpointDurableExecutionInput // what it held during the call
}

func (c *lendingClient) CheckpointDurableExecution(ctx context.Context, in *lambda.CheckpointDurableExecutionInput, optFns ...func(*lambda.Options)) (*lambda.CheckpointDurableExecutionOutput, error) {
	c.calls++
	c.fronts = append(c.fronts, &in.Updates[0])
	c.inputs = append(c.inputs, in)
	if c.calls == c.failCall {
		c.kept, c.keptCopy = in.Updates, slices.Clone(in.Updates)
		c.keptIn, c.keptInV = in, *in
		return nil, errors.New("connection reset")
	}
	return c.memService.CheckpointDurableExecution(ctx, in, optFns...)
}

func sequentialSteps(ctx durable.Context, _ any) (int, error) {
	sum := 0
	for i := range 6 {
		v, err := durable.Step(ctx, "s"+strconv.Itoa(i), func(durable.StepContext) (int, error) { return i, nil })
		if err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, nil
}

func invokeWith(c *lendingClient) ([]byte, error) {
	env := durable.Env{Client: c, Clock: harness.NewVirtualClock(time.Unix(1_700_000_000, 0))}
	return durable.Handle(sequentialSteps)(context.Background(), env, c.envelope())
}

// TestQueueArrayReusedAfterEachCall: once a call has answered, the next
// batch starts at the front of the same array again, so one small array
// serves an invocation of many calls; the calls share one input too.
func TestQueueArrayReusedAfterEachCall(t *testing.T) {
	c := &lendingClient{memService: newMem(`{}`)}
	raw, err := invokeWith(c)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := durable.DecodeInvocationOutput(raw); err != nil || out.Status != durable.InvocationSucceeded || out.Result != "15" {
		t.Fatalf("%+v %v", out, err)
	}
	if len(c.fronts) < 6 {
		t.Fatalf("%d calls, want one per step at least", len(c.fronts))
	}
	for i, p := range c.fronts {
		if p != c.fronts[0] {
			t.Fatalf("call %d's batch starts elsewhere than call 1's: the array was not reused", i+1)
		}
		if c.inputs[i] != c.inputs[0] {
			t.Fatalf("call %d has an input of its own", i+1)
		}
	}
	for i, u := range c.allUpdates() {
		if u.Type != types.OperationTypeStep {
			t.Fatalf("update %d is a %s", i, u.Type)
		}
	}
}

// TestQueueKeepsFailedBatch: the input and batch of a failed call stay as
// they were lent, however long the client keeps them: the array is not
// passed on to a later invocation.
func TestQueueKeepsFailedBatch(t *testing.T) {
	c := &lendingClient{memService: newMem(`{}`), failCall: 3}
	if _, err := invokeWith(c); err == nil {
		t.Fatal("no error despite a failed checkpoint call")
	}
	// later invocations take their queue arrays from those ended before
	for range 10 {
		if _, err := invokeWith(&lendingClient{memService: newMem(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.kept) == 0 || !reflect.DeepEqual(c.kept, c.keptCopy) {
		t.Fatalf("the failed call's batch changed after the call:\n%+v\nwas\n%+v", c.kept, c.keptCopy)
	}
	if !reflect.DeepEqual(*c.keptIn, c.keptInV) {
		t.Fatalf("the failed call's input changed after the call:\n%+v\nwas\n%+v", *c.keptIn, c.keptInV)
	}
}
