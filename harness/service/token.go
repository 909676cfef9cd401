package service

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Checkpoint tokens are opaque to clients. Here a token is the unpadded
// base64 of "executionId:invocation", then "/" and the sequence number: all
// inside the alphabet the API model allows. Only the execution's current
// token is accepted; the decoding exists to say why another one is not.

// newTokenLocked issues the next token; the prefix is computed once per
// invocation (see BeginInvocation).
func (e *execution) newTokenLocked() {
	e.tokenSeq++
	e.token = e.tokenPrefix + "/" + strconv.Itoa(e.tokenSeq)
}

func tokenPrefix(id string, invocation int) string {
	return base64.RawStdEncoding.EncodeToString([]byte(id + ":" + strconv.Itoa(invocation)))
}

// checkTokenLocked validates the token a checkpoint or state read presents.
func (e *execution) checkTokenLocked(token *string) error {
	if token == nil || *token == "" {
		return invalidParam("CheckpointToken is required")
	}
	if !e.running() {
		return invalidParam("Invalid Checkpoint Token: durable execution %s has already completed (%s)", e.arn, e.status)
	}
	if e.ending != nil {
		return invalidParam("Invalid Checkpoint Token: durable execution %s is completing (%s)", e.arn, e.ending.status)
	}
	if !e.inFlight {
		return invalidParam("Invalid Checkpoint Token: no invocation of durable execution %s is in progress", e.arn)
	}
	if *token == e.token {
		return nil
	}
	cut := strings.LastIndexByte(*token, '/')
	if cut < 0 {
		return invalidParam("Invalid Checkpoint Token: not a token of durable execution %s", e.arn)
	}
	raw, err := base64.RawStdEncoding.DecodeString((*token)[:cut])
	id, invText, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok || id != e.id {
		return invalidParam("Invalid Checkpoint Token: not a token of durable execution %s", e.arn)
	}
	inv, err1 := strconv.Atoi(invText)
	seq, err2 := strconv.Atoi((*token)[cut+1:])
	switch {
	case err1 != nil || err2 != nil:
		return invalidParam("Invalid Checkpoint Token: not a token of durable execution %s", e.arn)
	case inv < e.invocations:
		return invalidParam("Invalid Checkpoint Token: the token belongs to invocation %d, the current invocation is %d", inv, e.invocations)
	case seq < e.tokenSeq:
		return invalidParam("Invalid Checkpoint Token: the token was already used (stale); use the token the last checkpoint returned")
	default:
		return invalidParam("Invalid Checkpoint Token: unknown token")
	}
}
