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
	if len(e.queue) == cap(e.queue) {
		// the batches handed out own the array's front: go on in a new one
		e.queue = append(make([]types.OperationUpdate, 0, max(2*len(e.queue), 4)), e.queue...)
	}
	e.queue = append(e.queue, u)
	e.enqueued++
	e.noteQueuedLocked()
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
		e.sentAllLocked()
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
			was := e.terminalAmong(st.Operations)
			e.merge(st.Operations)
			e.changed(ptrs(st.Operations), was, false)
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
	// The client may keep the batch, so it gets the front of the array for
	// good (capped: an append of its own copies) and the queue moves past
	// it; no copy per call.
	batch := e.queue[:n:n]
	e.queue = e.queue[n:]
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
