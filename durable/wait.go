package durable

import (
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Wait pauses the execution for d (whole seconds, at least one): it records
// a WAIT and suspends the invocation; the service invokes the function again
// once the wait is over, and Wait then returns nil. While the wait runs, Wait
// returns an error the caller should pass up unchanged.
func Wait(ctx Context, name string, d time.Duration) error {
	c, err := internal(ctx)
	if err != nil {
		return err
	}
	if d < time.Second {
		return &ValidationError{Message: "wait duration must be at least 1 second, got " + d.String()}
	}
	id, _, rec, err := c.begin(types.OperationTypeWait, subWait, name)
	if err != nil {
		return err
	}
	if rec == nil {
		u := c.ref(id, types.OperationTypeWait, subWait, name).update(types.OperationActionStart)
		u.WaitOptions = &types.WaitOptions{WaitSeconds: aws.Int32(int32(min(math.Ceil(d.Seconds()), math.MaxInt32)))}
		if err := c.send(u, true); err != nil {
			return err
		}
		// The service may already report the wait over.
		if rec = c.exec.get(id); rec == nil {
			return c.suspend()
		}
	}
	switch rec.Status {
	case types.OperationStatusSucceeded:
		return nil
	case types.OperationStatusStarted, types.OperationStatusPending, types.OperationStatusReady:
		return c.suspend()
	default:
		return &WaitError{ID: id, Status: rec.Status}
	}
}
