package harness

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/service"
)

// approveNamed answers, at once, the callback whose CallbackStarted event is
// named name.
type approveNamed struct {
	name     string
	answered bool
}

func (a *approveNamed) Suspended(ctx context.Context, b *service.Backend, arn string) error {
	h, err := b.GetDurableExecutionHistory(ctx, &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: &arn, MaxItems: 1000})
	if err != nil {
		return err
	}
	for _, ev := range h.Events {
		if ev.EventType == types.EventTypeCallbackStarted && aws.ToString(ev.Name) == a.name && !a.answered {
			a.answered = true
			if _, err := b.SendDurableExecutionCallbackSuccess(ctx, &lambda.SendDurableExecutionCallbackSuccessInput{
				CallbackId: ev.CallbackStartedDetails.CallbackId, Result: []byte(`"yes"`)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Callbacks and chained invokes are operations of the Result like the
// others, with their outcomes.
func TestResultFoldsCallbacksAndInvokes(t *testing.T) {
	fns := Functions{"echo": {Plain: func(_ context.Context, p []byte) ([]byte, error) { return p, nil }}}
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		ok, err := durable.CreateCallback[string](ctx, "approve")
		if err != nil {
			return "", err
		}
		late, err := durable.CreateCallback[string](ctx, "expire", durable.WithCallbackTimeout(time.Second))
		if err != nil {
			return "", err
		}
		if _, err := ok.Result(); err != nil {
			return "", err
		}
		if _, err := late.Result(); !errors.Is(err, durable.ErrCallbackTimedOut) {
			return "", err
		}
		if _, err := durable.Invoke[string](ctx, "call", "echo", "hi"); err != nil {
			return "", err
		}
		_, err = durable.Invoke[string](ctx, "lost", "missing", "hi")
		return "done", errors.Join(err, errors.New("as planned"))
	}), nil, WithFunctions(fns), WithActor(&approveNamed{name: "approve"}))
	res.RequireStatus(t, types.ExecutionStatusFailed)
	for _, tc := range []struct {
		name   string
		typ    types.OperationType
		status types.OperationStatus
		result string
		errTyp string
	}{
		{"approve", types.OperationTypeCallback, types.OperationStatusSucceeded, `"yes"`, ""},
		{"expire", types.OperationTypeCallback, types.OperationStatusTimedOut, "", "Callback.Timeout"},
		{"call", types.OperationTypeChainedInvoke, types.OperationStatusSucceeded, `"hi"`, ""},
		{"lost", types.OperationTypeChainedInvoke, types.OperationStatusFailed, "", "ResourceNotFoundException"},
	} {
		op := res.Op(tc.name)
		if op == nil || op.Type != tc.typ || op.Status != tc.status || aws.ToString(op.Result) != tc.result || (op.Error == nil) != (tc.errTyp == "") {
			t.Fatalf("%s: %+v", tc.name, op)
		}
		if op.Error != nil && aws.ToString(op.Error.ErrorType) != tc.errTyp {
			t.Fatalf("%s: error %s, want %s", tc.name, aws.ToString(op.Error.ErrorType), tc.errTyp)
		}
		if op.EndTimestamp.IsZero() || len(op.Events) != 2 {
			t.Fatalf("%s: end %v, %d events", tc.name, op.EndTimestamp, len(op.Events))
		}
	}
}
