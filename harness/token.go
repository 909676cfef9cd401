package harness

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Checkpoint tokens are opaque to clients; here they are base64 (inside
// the alphabet the API model allows) of "executionId:invocation:sequence".
// Only the execution's current token is accepted; the decoding exists to
// say why another one is not.

func (e *execution) newTokenLocked() {
	e.tokenSeq++
	raw := e.id + ":" + strconv.Itoa(e.invocations) + ":" + strconv.Itoa(e.tokenSeq)
	e.token = base64.StdEncoding.EncodeToString([]byte(raw))
}

// checkTokenLocked validates the token a checkpoint or state read presents.
func (e *execution) checkTokenLocked(token *string) error {
	if token == nil || *token == "" {
		return invalidParam("CheckpointToken is required")
	}
	if !e.running() {
		return invalidParam("Invalid checkpoint token: durable execution %s has already completed (%s)", e.arn, e.status)
	}
	if e.ending != nil {
		return invalidParam("Invalid checkpoint token: durable execution %s is completing (%s)", e.arn, e.ending.status)
	}
	if !e.inFlight {
		return invalidParam("Invalid checkpoint token: no invocation of durable execution %s is in progress", e.arn)
	}
	if *token == e.token {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(*token)
	parts := strings.Split(string(raw), ":")
	if err != nil || len(parts) != 3 || parts[0] != e.id {
		return invalidParam("Invalid checkpoint token: not a token of durable execution %s", e.arn)
	}
	inv, err1 := strconv.Atoi(parts[1])
	seq, err2 := strconv.Atoi(parts[2])
	switch {
	case err1 != nil || err2 != nil:
		return invalidParam("Invalid checkpoint token: not a token of durable execution %s", e.arn)
	case inv < e.invocations:
		return invalidParam("Invalid checkpoint token: the token belongs to invocation %d, the current invocation is %d", inv, e.invocations)
	case seq < e.tokenSeq:
		return invalidParam("Invalid checkpoint token: the token was already used (stale); use the token the last checkpoint returned")
	default:
		return invalidParam("Invalid checkpoint token: unknown token")
	}
}
