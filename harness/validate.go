package harness

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// A checkpoint batch is validated completely before any update is applied,
// so a rejected batch changes nothing. Validation walks the updates in
// order over an overlay of what the batch itself has done so far, because
// an update may refer to an operation started earlier in the same batch.

// simOp is the validator's view of one operation: stored state overlaid
// with the effects of the batch's earlier updates.
type simOp struct {
	exists   bool
	typ      types.OperationType
	subType  *string
	name     *string
	parentID *string
	status   types.OperationStatus
	seen     int // updates for this id so far in the batch
	first    types.OperationAction
}

var allowedActions = map[types.OperationType]map[types.OperationAction]bool{
	types.OperationTypeStep: {
		types.OperationActionStart: true, types.OperationActionSucceed: true,
		types.OperationActionFail: true, types.OperationActionRetry: true,
	},
	types.OperationTypeContext: {
		types.OperationActionStart: true, types.OperationActionSucceed: true, types.OperationActionFail: true,
	},
	types.OperationTypeWait:          {types.OperationActionStart: true, types.OperationActionCancel: true},
	types.OperationTypeCallback:      {types.OperationActionStart: true},
	types.OperationTypeChainedInvoke: {types.OperationActionStart: true, types.OperationActionCancel: true},
	types.OperationTypeExecution:     {types.OperationActionSucceed: true, types.OperationActionFail: true},
}

var knownActions = map[types.OperationAction]bool{
	types.OperationActionStart: true, types.OperationActionSucceed: true, types.OperationActionFail: true,
	types.OperationActionRetry: true, types.OperationActionCancel: true,
}

// validateBatchLocked checks every update of a checkpoint batch.
func (e *execution) validateBatchLocked(updates []types.OperationUpdate) error {
	sim := newOverlay(len(updates))
	lim := e.b.cfg.limits
	for i := range updates {
		u := &updates[i]
		at := func(format string, args ...any) error {
			return invalidParam("Updates[%d]: "+format, append([]any{i}, args...)...)
		}
		if u.Type == "" {
			return at("Type is required")
		}
		actions, ok := allowedActions[u.Type]
		if !ok {
			return at("Type %q is not an OperationType", u.Type)
		}
		if u.Action == "" {
			return at("Action is required")
		}
		if !knownActions[u.Action] {
			return at("Action %q is not an OperationAction", u.Action)
		}
		if !actions[u.Action] {
			return at("Action %s is not allowed for a %s operation", u.Action, u.Type)
		}
		if u.Id == nil {
			return at("Id is required")
		}
		if !opIDPattern(*u.Id) {
			return at("Id %q must be 1-64 characters of [a-zA-Z0-9_-]", *u.Id)
		}
		if u.Name != nil && !printableASCII(*u.Name, 256) {
			return at("Name must be 1-256 printable ASCII characters")
		}
		if u.SubType != nil && (len(*u.SubType) < 1 || len(*u.SubType) > 32) {
			return at("SubType must be 1-32 characters")
		}
		if u.ParentId != nil && !opIDPattern(*u.ParentId) {
			return at("ParentId %q must be 1-64 characters of [a-zA-Z0-9_-]", *u.ParentId)
		}
		if n := errorSize(u.Error); n > lim.MaxErrorBytes {
			return at("Error is %d bytes; the limit is %d", n, lim.MaxErrorBytes)
		}

		if u.Type == types.OperationTypeExecution {
			if i != len(updates)-1 {
				return at("an EXECUTION update must be the last update of the batch")
			}
			if u.Action == types.OperationActionSucceed && u.Error != nil {
				return at("SUCCEED of the EXECUTION must not carry an Error")
			}
			if u.Action == types.OperationActionFail && u.Payload != nil {
				return at("FAIL of the EXECUTION must not carry a Payload")
			}
			if u.Payload != nil && len(*u.Payload) > lim.MaxExecutionPayloadBytes {
				return at("the execution result is %d bytes; the limit is %d", len(*u.Payload), lim.MaxExecutionPayloadBytes)
			}
			continue
		}
		if u.Type == types.OperationTypeCallback || u.Type == types.OperationTypeChainedInvoke {
			return at("%s operations are not supported by the dpcheck fake backend", u.Type)
		}
		if u.Payload != nil && len(*u.Payload) > lim.MaxPayloadBytes {
			return at("Payload is %d bytes; the limit is %d", len(*u.Payload), lim.MaxPayloadBytes)
		}

		s := sim.get(*u.Id)
		if s == nil {
			s = &simOp{}
			if rec := e.byID[*u.Id]; rec != nil {
				s.exists = true
				s.typ = rec.op.Type
				s.subType, s.name, s.parentID = rec.op.SubType, rec.op.Name, rec.op.ParentId
				s.status = rec.op.Status
			}
			sim.put(*u.Id, s)
		}

		// The same id twice in one batch: only START then one other action.
		switch s.seen {
		case 0:
			s.first = u.Action
		case 1:
			if s.first != types.OperationActionStart || u.Action == types.OperationActionStart ||
				(u.Type != types.OperationTypeStep && u.Type != types.OperationTypeContext) {
				return at("operation %s appears more than once in the batch (only a STEP or CONTEXT START followed by one other action may share a batch)", *u.Id)
			}
		default:
			return at("operation %s appears more than twice in the batch", *u.Id)
		}
		s.seen++

		if s.exists {
			if s.typ == types.OperationTypeExecution {
				return at("operation %s is the EXECUTION operation", *u.Id)
			}
			if u.Type != s.typ {
				return at("Type %s does not match the existing operation %s of type %s", u.Type, *u.Id, s.typ)
			}
			if u.SubType != nil && !eqStr(u.SubType, s.subType) {
				return at("SubType %q does not match the existing operation %s (SubType %q)", *u.SubType, *u.Id, deref(s.subType))
			}
			if u.Name != nil && !eqStr(u.Name, s.name) {
				return at("Name %q does not match the existing operation %s (Name %q)", *u.Name, *u.Id, deref(s.name))
			}
			if u.ParentId != nil && !eqStr(u.ParentId, s.parentID) {
				return at("ParentId %q does not match the existing operation %s (ParentId %q)", *u.ParentId, *u.Id, deref(s.parentID))
			}
		}

		parent := u.ParentId
		if s.exists && parent == nil {
			parent = s.parentID
		}
		if parent != nil {
			if *parent == *u.Id {
				return at("operation %s cannot be its own parent", *u.Id)
			}
			ptyp, pstatus, ok := e.simLookup(sim, *parent)
			switch {
			case !ok:
				return at("parent %s does not exist (it must be started before or earlier in the same batch)", *parent)
			case ptyp != types.OperationTypeContext:
				return at("parent %s is a %s operation, not a CONTEXT", *parent, ptyp)
			case pstatus != types.OperationStatusStarted:
				return at("parent context %s is already %s: no operation may change under a closed context", *parent, pstatus)
			}
		}

		if err := checkTransition(u, s, lim); err != nil {
			return at("%s", err.Error())
		}

		if !s.exists {
			s.exists = true
			s.typ = u.Type
			s.subType, s.name, s.parentID = u.SubType, u.Name, u.ParentId
		}
		s.status = resultingStatus(u)
	}
	return nil
}

// overlay maps ids to simOps; batches are small, so a slice searched
// linearly beats a map until they are not.
type overlay struct {
	ids  []string
	ops  []*simOp
	byID map[string]*simOp
}

func newOverlay(n int) *overlay {
	if n > 16 {
		return &overlay{byID: make(map[string]*simOp, n)}
	}
	return &overlay{ids: make([]string, 0, n), ops: make([]*simOp, 0, n)}
}

func (o *overlay) get(id string) *simOp {
	if o.byID != nil {
		return o.byID[id]
	}
	for i, x := range o.ids {
		if x == id {
			return o.ops[i]
		}
	}
	return nil
}

func (o *overlay) put(id string, s *simOp) {
	if o.byID != nil {
		o.byID[id] = s
		return
	}
	o.ids = append(o.ids, id)
	o.ops = append(o.ops, s)
}

// simLookup finds an operation's type and status in the overlay or store.
func (e *execution) simLookup(sim *overlay, id string) (types.OperationType, types.OperationStatus, bool) {
	if s := sim.get(id); s != nil && s.exists {
		return s.typ, s.status, true
	}
	if rec := e.byID[id]; rec != nil {
		return rec.op.Type, rec.op.Status, true
	}
	return "", "", false
}

// tErr is a plain message; the caller adds the update index.
var tErr = fmt.Errorf

// checkTransition applies the per-type state machine (protocol §6.3).
func checkTransition(u *types.OperationUpdate, s *simOp, lim Limits) error {
	id := *u.Id
	switch u.Type {
	case types.OperationTypeStep:
		switch u.Action {
		case types.OperationActionStart:
			if s.exists && s.status != types.OperationStatusReady {
				return tErr("cannot START step %s: it is %s (START is allowed for a new step or a READY one)", id, s.status)
			}
		default:
			if !s.exists {
				return tErr("cannot %s step %s: it was never started", u.Action, id)
			}
			if s.status != types.OperationStatusStarted && s.status != types.OperationStatusReady {
				return tErr("cannot %s step %s: it is %s (allowed from STARTED or READY)", u.Action, id, s.status)
			}
		}
		switch u.Action {
		case types.OperationActionSucceed:
			if u.Error != nil {
				return tErr("SUCCEED of step %s must not carry an Error", id)
			}
		case types.OperationActionFail:
			if u.Payload != nil {
				return tErr("FAIL of step %s must not carry a Payload", id)
			}
		case types.OperationActionRetry:
			if u.StepOptions == nil || u.StepOptions.NextAttemptDelaySeconds == nil {
				return tErr("RETRY of step %s requires StepOptions.NextAttemptDelaySeconds", id)
			}
			if d := *u.StepOptions.NextAttemptDelaySeconds; d < 1 || d > lim.MaxWaitSeconds {
				return tErr("RETRY of step %s: NextAttemptDelaySeconds %d is outside 1-%d", id, d, lim.MaxWaitSeconds)
			}
			if u.Error != nil && u.Payload != nil {
				return tErr("RETRY of step %s must not carry both an Error and a Payload", id)
			}
		}
	case types.OperationTypeWait:
		switch u.Action {
		case types.OperationActionStart:
			if s.exists {
				return tErr("cannot START wait %s: it already exists (%s)", id, s.status)
			}
			if u.WaitOptions == nil || u.WaitOptions.WaitSeconds == nil {
				return tErr("START of wait %s requires WaitOptions.WaitSeconds", id)
			}
			if w := *u.WaitOptions.WaitSeconds; w < 1 || w > lim.MaxWaitSeconds {
				return tErr("START of wait %s: WaitSeconds %d is outside 1-%d", id, w, lim.MaxWaitSeconds)
			}
		case types.OperationActionCancel:
			if !s.exists || s.status != types.OperationStatusStarted {
				return tErr("cannot CANCEL wait %s: it is %s (allowed from STARTED)", id, statusOrMissing(s))
			}
		}
	case types.OperationTypeContext:
		switch u.Action {
		case types.OperationActionStart:
			if s.exists {
				return tErr("cannot START context %s: it already exists (%s)", id, s.status)
			}
		default:
			if !s.exists || s.status != types.OperationStatusStarted {
				return tErr("cannot %s context %s: it is %s (allowed from STARTED)", u.Action, id, statusOrMissing(s))
			}
			if u.Action == types.OperationActionSucceed && u.Error != nil {
				return tErr("SUCCEED of context %s must not carry an Error", id)
			}
			if u.Action == types.OperationActionFail && u.Payload != nil {
				return tErr("FAIL of context %s must not carry a Payload", id)
			}
		}
	}
	return nil
}

func statusOrMissing(s *simOp) string {
	if !s.exists {
		return "not started"
	}
	return string(s.status)
}

func resultingStatus(u *types.OperationUpdate) types.OperationStatus {
	switch u.Action {
	case types.OperationActionStart:
		return types.OperationStatusStarted
	case types.OperationActionSucceed:
		return types.OperationStatusSucceeded
	case types.OperationActionFail:
		return types.OperationStatusFailed
	case types.OperationActionRetry:
		return types.OperationStatusPending
	case types.OperationActionCancel:
		return types.OperationStatusCancelled
	}
	return ""
}

func opIDPattern(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func printableASCII(s string, max int) bool {
	if len(s) < 1 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func errorSize(e *types.ErrorObject) int {
	if e == nil {
		return 0
	}
	n := len(deref(e.ErrorType)) + len(deref(e.ErrorMessage)) + len(deref(e.ErrorData))
	for _, s := range e.StackTrace {
		n += len(s)
	}
	return n
}

func eqStr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
