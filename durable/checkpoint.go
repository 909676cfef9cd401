package durable

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Batch limits of one CheckpointDurableExecution call.
const (
	maxBatchUpdates = 250
	maxBatchBytes   = 750 * 1024
)

var errClosed = errors.New("the service returned no checkpoint token: the execution has ended")

// enqueue appends u to the checkpoint queue. Updates leave in enqueue order.
// An update from a branch abandoned by an early stop is refused: the stop
// decision sets the abandon flags under the same lock, so nothing an
// abandoned branch does after the decision reaches the service.
func (e *execution) enqueue(u types.OperationUpdate, owner *dctx) (uint64, error) {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	return e.enqueueLocked(u, owner)
}

// enqueueLocked is enqueue with qmu held.
func (e *execution) enqueueLocked(u types.OperationUpdate, owner *dctx) (uint64, error) {
	if e.failed.Load() {
		return 0, e.failure()
	}
	if owner.abandoned() {
		return 0, errAbandoned
	}
	e.queue = append(e.queue, u)
	e.enqueued++
	return e.enqueued, nil
}

// flush returns once every update up to seq has been acknowledged, sending
// what is queued (fire-and-forget updates ride along) one call at a time and
// following the token chain.
func (e *execution) flush(seq uint64) error {
	e.sendMu.Lock()
	defer e.sendMu.Unlock()
	for e.sent < seq {
		// A failed call dropped its batch, so sent can no longer reach seq.
		if e.failed.Load() {
			return e.failure()
		}
		if e.closed {
			return e.fail(&CheckpointError{Err: errClosed})
		}
		e.qmu.Lock()
		batch := e.takeBatchLocked()
		e.qmu.Unlock()
		out, err := e.client.CheckpointDurableExecution(e.ctx, &lambda.CheckpointDurableExecutionInput{
			DurableExecutionArn: e.arn,
			CheckpointToken:     e.token,
			Updates:             batch,
		})
		if err != nil {
			return e.fail(&CheckpointError{Err: err})
		}
		e.sent += uint64(len(batch))
		if out.CheckpointToken == nil {
			e.closed = true
		} else {
			e.token = out.CheckpointToken
		}
		if st := out.NewExecutionState; st != nil {
			e.merge(st.Operations)
			if err := e.fetchPages(aws.ToString(st.NextMarker)); err != nil {
				return err
			}
		}
	}
	return nil
}

// flushAll sends whatever is still queued.
func (e *execution) flushAll() error {
	e.qmu.Lock()
	seq := e.enqueued
	e.qmu.Unlock()
	if e.failed.Load() {
		return e.failure()
	}
	return e.flush(seq)
}

// takeBatchLocked removes the next batch from the queue: at most
// maxBatchUpdates updates and about maxBatchBytes, at least one update.
func (e *execution) takeBatchLocked() []types.OperationUpdate {
	n, size := 0, 0
	for n < len(e.queue) && n < maxBatchUpdates {
		s := updateSize(&e.queue[n])
		if n > 0 && size+s > maxBatchBytes {
			break
		}
		size += s
		n++
	}
	// The client gets a copy it may keep; the queue reuses its array.
	batch := make([]types.OperationUpdate, n)
	copy(batch, e.queue[:n])
	rest := copy(e.queue, e.queue[n:])
	clear(e.queue[rest:])
	e.queue = e.queue[:rest]
	return batch
}

// updateSize estimates the JSON size of u: the variable parts plus a margin
// for the fixed members.
func updateSize(u *types.OperationUpdate) int {
	n := 256 + len(aws.ToString(u.Payload)) + len(aws.ToString(u.Name))
	if u.Error != nil {
		n += len(aws.ToString(u.Error.ErrorType)) + len(aws.ToString(u.Error.ErrorMessage)) + len(aws.ToString(u.Error.ErrorData))
	}
	return n
}

// fetchPages loads further pages of operations, starting at marker.
func (e *execution) fetchPages(marker string) error {
	for marker != "" {
		out, err := e.client.GetDurableExecutionState(e.ctx, &lambda.GetDurableExecutionStateInput{
			DurableExecutionArn: e.arn,
			CheckpointToken:     e.token,
			Marker:              aws.String(marker),
			MaxItems:            1000,
		})
		if err != nil {
			return e.fail(&CheckpointError{Err: err})
		}
		e.merge(out.Operations)
		marker = aws.ToString(out.NextMarker)
	}
	return nil
}
