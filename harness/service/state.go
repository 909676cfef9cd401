package service

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// GetDurableExecutionState pages the operations a replay needs, in start
// order, for the invocation holding the current checkpoint token. Like the
// service, it leaves out the descendants of a completed CONTEXT unless that
// context was closed with ReplayChildren. MaxItems defaults to 100 and may
// be at most 1000.
func (b *Backend) GetDurableExecutionState(_ context.Context, in *lambda.GetDurableExecutionStateInput, _ ...func(*lambda.Options)) (*lambda.GetDurableExecutionStateOutput, error) {
	if in == nil || in.DurableExecutionArn == nil || *in.DurableExecutionArn == "" {
		return nil, invalidParam("DurableExecutionArn is required")
	}
	size, err := pageSize(in.MaxItems)
	if err != nil {
		return nil, err
	}
	e, err := b.invoked(*in.DurableExecutionArn)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.checkTokenLocked(in.CheckpointToken); err != nil {
		return nil, err
	}
	from := 0
	if in.Marker != nil {
		if from, err = e.decodeMarker(*in.Marker); err != nil {
			return nil, err
		}
	}
	ops, next := e.pageLocked(from, size, true)
	return &lambda.GetDurableExecutionStateOutput{Operations: ops, NextMarker: next}, nil
}

func pageSize(max int32) (int, error) {
	switch {
	case max < 0 || max > 1000:
		return 0, invalidParam("MaxItems %d is outside 0-1000", max)
	case max == 0:
		return 100, nil
	}
	return int(max), nil
}

// Markers name the creation index to resume from, bound to the execution
// so a marker of another execution is rejected.
func (e *execution) encodeMarker(idx int) *string {
	return aws.String(base64.RawURLEncoding.EncodeToString([]byte(e.id + "/" + strconv.Itoa(idx))))
}

func (e *execution) decodeMarker(m string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(m)
	id, n, ok := strings.Cut(string(raw), "/")
	idx, err2 := strconv.Atoi(n)
	if err != nil || !ok || id != e.id || err2 != nil || idx < 0 || idx > len(e.ops) {
		return 0, invalidParam("Marker %q is not a marker of durable execution %s", m, e.arn)
	}
	return idx, nil
}

// pageLocked lists up to size visible operations starting at creation
// index from, and returns the marker of the next page, if any. With deep
// the operations are deep copies for the caller to keep; without, they
// share the records' strings and details, for a caller that only encodes
// them before the lock is released (the invocation envelope).
func (e *execution) pageLocked(from, size int, deep bool) ([]types.Operation, *string) {
	out := make([]types.Operation, 0, min(size, len(e.ops)-from))
	var c opCopier
	if deep {
		c = newOpCopier(cap(out))
	}
	i := from
	for ; i < len(e.ops) && len(out) < size; i++ {
		if rec := e.ops[i]; visible(rec) {
			if !deep {
				out = append(out, rec.op)
				continue
			}
			out = out[:len(out)+1] // within the capacity, and still zero
			c.copyTo(len(out)-1, &out[len(out)-1], &rec.op)
		}
	}
	for ; i < len(e.ops); i++ {
		if visible(e.ops[i]) {
			return out, e.encodeMarker(i)
		}
	}
	return out, nil
}

// visible reports whether a replay gets to see rec: not when an enclosing
// context has completed without ReplayChildren.
func visible(rec *opRecord) bool {
	for p := rec.parent; p != nil; p = p.parent {
		switch p.op.Status {
		case types.OperationStatusSucceeded, types.OperationStatusFailed:
			if p.op.ContextDetails == nil || !aws.ToBool(p.op.ContextDetails.ReplayChildren) {
				return false
			}
		}
	}
	return true
}
