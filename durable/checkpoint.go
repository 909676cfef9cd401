package durable

import (
	"errors"
	"runtime"
	"sync"

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
		e.makeRoomLocked()
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
	if e.sent < seq && e.seq == nil && e.serial <= 0 {
		// Group commit: goroutines ready to run (a Parallel's other
		// branches) get to queue their updates before the batch is taken,
		// and wait on sendMu meanwhile, so one call carries them all. A
		// Scheduler or serial branches run one goroutine at a time: nothing
		// else could queue, and their grouping stays as it was.
		runtime.Gosched()
	}
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
		in := e.callInputLocked()
		e.qmu.Unlock()
		in.DurableExecutionArn, in.CheckpointToken, in.Updates = e.arn, e.token, batch
		out, err := e.client.CheckpointDurableExecution(e.ctx, in)
		if err != nil {
			// the batch stays lent: a client that failed may have kept it
			return e.fail(&CheckpointError{Err: err})
		}
		in.Updates = nil
		e.sent += uint64(len(batch))
		e.qmu.Lock()
		e.returnBatchLocked(batch)
		e.qmu.Unlock()
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
	// The client gets the front of the array for the call (capped: an
	// append of its own copies) and the queue moves past it; no copy.
	batch := e.queue[:n:n]
	e.queue = e.queue[n:]
	e.lent = true
	return batch
}

// returnBatchLocked takes back the batch of a call that succeeded (a
// CheckpointClient keeps no part of its input once it has answered): its
// slots are cleared, and an empty queue starts over at the array's front,
// so one small array serves a whole invocation.
func (e *execution) returnBatchLocked(batch []types.OperationUpdate) {
	clear(batch)
	e.lent = false
	if len(e.queue) == 0 {
		e.queue = e.qbuf[:0]
	}
}

// queueArray is a checkpoint queue's first array, and the input of every
// checkpoint call, which uses it as the batches do. Invocations one after
// the other pass it on through queueArrays instead of each allocating one.
type queueArray struct {
	updates [queueRoom]types.OperationUpdate
	in      lambda.CheckpointDurableExecutionInput
}

// callInputLocked is the input for the next call: the queue array's, or,
// once the invocation has ended and given the array back, one of its own.
func (e *execution) callInputLocked() *lambda.CheckpointDurableExecutionInput {
	if e.qarr == nil {
		return &lambda.CheckpointDurableExecutionInput{}
	}
	return &e.qarr.in
}

var queueArrays = sync.Pool{New: func() any { return new(queueArray) }}

// releaseQueue returns the queue's first array to queueArrays once the
// invocation has ended, unless a failed call may still hold part of it;
// an update queued later (an abandoned branch's, refused anyway) would
// start an array of its own.
func (e *execution) releaseQueue() {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	a := e.qarr
	e.qarr, e.qbuf, e.queue = nil, nil, nil
	if a != nil && !e.lent {
		*a = queueArray{}
		queueArrays.Put(a)
	}
}

// makeRoomLocked makes room for an update at the end of a full queue: by
// moving what waits to the front of the array when no batch is lent and
// that leaves room, else in an array twice as long.
func (e *execution) makeRoomLocked() {
	if !e.lent && len(e.queue) < cap(e.qbuf) {
		n := copy(e.qbuf[:cap(e.qbuf)], e.queue)
		clear(e.qbuf[n:cap(e.qbuf)])
		e.queue = e.qbuf[:n]
		return
	}
	e.qbuf = make([]types.OperationUpdate, 0, max(2*len(e.queue), queueRoom))
	e.queue = append(e.qbuf, e.queue...)
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
