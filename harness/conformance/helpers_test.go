package conformance_test

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Builders for actual histories, shaped like the fake backend's events.

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func event(id int32, et types.EventType, opts ...func(*types.Event)) types.Event {
	e := types.Event{EventId: aws.Int32(id), EventType: et, EventTimestamp: aws.Time(t0.Add(time.Duration(id) * time.Second))}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func op(id, subType, name string) func(*types.Event) {
	return func(e *types.Event) {
		e.Id = aws.String(id)
		e.SubType = aws.String(subType)
		if name != "" {
			e.Name = aws.String(name)
		}
	}
}

func parent(id string) func(*types.Event) {
	return func(e *types.Event) { e.ParentId = aws.String(id) }
}

func stepStarted(id int32, opID string) types.Event {
	return event(id, types.EventTypeStepStarted, op(opID, "Step", ""), func(e *types.Event) {
		e.StepStartedDetails = &types.StepStartedDetails{}
	})
}

func stepSucceeded(id int32, opID, payload string, attempt int32) types.Event {
	return event(id, types.EventTypeStepSucceeded, op(opID, "Step", ""), func(e *types.Event) {
		e.StepSucceededDetails = &types.StepSucceededDetails{
			Result:       &types.EventResult{Payload: aws.String(payload), Truncated: aws.Bool(false)},
			RetryDetails: &types.RetryDetails{CurrentAttempt: attempt},
		}
	})
}

func stepFailed(id int32, opID, errType string, attempt, delay int32) types.Event {
	return event(id, types.EventTypeStepFailed, op(opID, "Step", ""), func(e *types.Event) {
		rd := &types.RetryDetails{CurrentAttempt: attempt}
		if delay > 0 {
			rd.NextAttemptDelaySeconds = aws.Int32(delay)
		}
		e.StepFailedDetails = &types.StepFailedDetails{
			Error: &types.EventError{Payload: &types.ErrorObject{
				ErrorType:    aws.String(errType),
				ErrorMessage: aws.String("boom"),
				StackTrace:   []string{"frame a", "frame b"},
			}, Truncated: aws.Bool(false)},
			RetryDetails: rd,
		}
	})
}

func invocationCompleted(id int32) types.Event {
	return event(id, types.EventTypeInvocationCompleted, func(e *types.Event) {
		e.InvocationCompletedDetails = &types.InvocationCompletedDetails{
			StartTimestamp: aws.Time(t0), EndTimestamp: aws.Time(t0.Add(time.Second)), RequestId: aws.String("req-1"),
		}
	})
}

func executionStarted(input string) types.Event {
	return event(1, types.EventTypeExecutionStarted, func(e *types.Event) {
		e.Id = aws.String("exec-id")
		e.ExecutionStartedDetails = &types.ExecutionStartedDetails{
			Input: &types.EventInput{Payload: aws.String(input), Truncated: aws.Bool(false)}, ExecutionTimeout: aws.Int32(86400),
		}
	})
}

func executionSucceeded(id int32, result string) types.Event {
	return event(id, types.EventTypeExecutionSucceeded, func(e *types.Event) {
		e.Id = aws.String("exec-id")
		e.ExecutionSucceededDetails = &types.ExecutionSucceededDetails{Result: &types.EventResult{Payload: aws.String(result), Truncated: aws.Bool(false)}}
	})
}

// retryHistory is what step/1-11 expects: a failure, then success on attempt 2.
func retryHistory() []types.Event {
	return []types.Event{
		executionStarted("null"),
		stepStarted(2, "op-1"),
		stepFailed(3, "op-1", "Error", 1, 1),
		invocationCompleted(4),
		stepStarted(5, "op-1"),
		stepSucceeded(6, "op-1", `"Operation succeeded"`, 2),
		invocationCompleted(7),
		executionSucceeded(8, `"Operation succeeded"`),
	}
}
