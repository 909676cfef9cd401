package service

import (
	"fmt"
	"slices"
	"sync"

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

// actionAllowed reports whether action is an OperationAction at all, and
// whether typ allows it (typ must be known).
func actionAllowed(typ types.OperationType, action types.OperationAction) (known, allowed bool) {
	switch action {
	case types.OperationActionStart, types.OperationActionSucceed, types.OperationActionFail,
		types.OperationActionRetry, types.OperationActionCancel:
	default:
		return false, false
	}
	switch typ {
	case types.OperationTypeStep:
		return true, action != types.OperationActionCancel
	case types.OperationTypeContext:
		return true, action == types.OperationActionStart || action == types.OperationActionSucceed || action == types.OperationActionFail
	case types.OperationTypeWait, types.OperationTypeChainedInvoke:
		return true, action == types.OperationActionStart || action == types.OperationActionCancel
	case types.OperationTypeCallback:
		return true, action == types.OperationActionStart
	case types.OperationTypeExecution:
		return true, action == types.OperationActionSucceed || action == types.OperationActionFail
	}
	return true, false
}

func knownType(typ types.OperationType) bool {
	switch typ {
	case types.OperationTypeStep, types.OperationTypeContext, types.OperationTypeWait,
		types.OperationTypeCallback, types.OperationTypeChainedInvoke, types.OperationTypeExecution:
		return true
	}
	return false
}

// validateBatchLocked checks every update of a checkpoint batch.
func (e *execution) validateBatchLocked(updates []types.OperationUpdate) error {
	sim := overlays.Get().(*overlay).reset(len(updates))
	defer sim.release()
	for i := range updates {
		if err := e.checkUpdateLocked(&updates[i], i == len(updates)-1, sim); err != nil {
			return invalidParam("Updates[%d]: %v", i, err)
		}
	}
	return nil
}

// checkUpdateLocked checks one update against the overlay and records its
// effect there.
func (e *execution) checkUpdateLocked(u *types.OperationUpdate, last bool, sim *overlay) error {
	lim := e.b.cfg.limits
	if u.Type == "" {
		return fmt.Errorf("missing Type")
	}
	if !knownType(u.Type) {
		return fmt.Errorf("unknown Type %q: not an OperationType", u.Type)
	}
	if u.Action == "" {
		return fmt.Errorf("missing Action")
	}
	known, allowed := actionAllowed(u.Type, u.Action)
	if !known {
		return fmt.Errorf("unknown Action %q: not an OperationAction", u.Action)
	}
	if !allowed {
		return fmt.Errorf("action %s is not allowed for a %s operation", u.Action, u.Type)
	}
	if u.Id == nil {
		return fmt.Errorf("missing Id")
	}
	if !opIDPattern(*u.Id) {
		return fmt.Errorf("invalid Id %q: must be 1-64 characters of [a-zA-Z0-9_-]", *u.Id)
	}
	if u.Name != nil && !printableASCII(*u.Name, 256) {
		return fmt.Errorf("invalid Name: must be 1-256 printable ASCII characters")
	}
	if u.SubType != nil && (len(*u.SubType) < 1 || len(*u.SubType) > 32) {
		return fmt.Errorf("invalid SubType: must be 1-32 characters")
	}
	if u.ParentId != nil && !opIDPattern(*u.ParentId) {
		return fmt.Errorf("invalid ParentId %q: must be 1-64 characters of [a-zA-Z0-9_-]", *u.ParentId)
	}
	if n := errorSize(u.Error); n > lim.MaxErrorBytes {
		return fmt.Errorf("the Error is %d bytes; the limit is %d", n, lim.MaxErrorBytes)
	}

	if u.Type == types.OperationTypeExecution {
		if !last {
			return fmt.Errorf("an EXECUTION update must be the last update of the batch")
		}
		if u.Action == types.OperationActionSucceed && u.Error != nil {
			return fmt.Errorf("SUCCEED of the EXECUTION must not carry an Error")
		}
		if u.Action == types.OperationActionFail && u.Payload != nil {
			return fmt.Errorf("FAIL of the EXECUTION must not carry a Payload")
		}
		if u.Payload != nil && len(*u.Payload) > lim.MaxExecutionPayloadBytes {
			return fmt.Errorf("the execution result is %d bytes; the limit is %d", len(*u.Payload), lim.MaxExecutionPayloadBytes)
		}
		return nil
	}
	if u.Payload != nil && len(*u.Payload) > lim.MaxPayloadBytes {
		return fmt.Errorf("the Payload is %d bytes; the limit is %d", len(*u.Payload), lim.MaxPayloadBytes)
	}

	s := sim.get(*u.Id)
	if s == nil {
		s = sim.add(*u.Id)
		if rec := e.rec(*u.Id); rec != nil {
			s.exists = true
			s.typ = rec.op.Type
			s.subType, s.name, s.parentID = rec.op.SubType, rec.op.Name, rec.op.ParentId
			s.status = rec.op.Status
		}
	}

	// The same id twice in one batch: only START then one other action.
	switch s.seen {
	case 0:
		s.first = u.Action
	case 1:
		if s.first != types.OperationActionStart || u.Action == types.OperationActionStart ||
			(u.Type != types.OperationTypeStep && u.Type != types.OperationTypeContext) {
			return fmt.Errorf("operation %s appears more than once in the batch (only a STEP or CONTEXT START followed by one other action may share a batch)", *u.Id)
		}
	default:
		return fmt.Errorf("operation %s appears more than twice in the batch", *u.Id)
	}
	s.seen++

	if s.exists {
		if s.typ == types.OperationTypeExecution {
			return fmt.Errorf("operation %s is the EXECUTION operation", *u.Id)
		}
		if u.Type != s.typ {
			return fmt.Errorf("the Type %s does not match the existing operation %s of type %s", u.Type, *u.Id, s.typ)
		}
		if u.SubType != nil && !eqStr(u.SubType, s.subType) {
			return fmt.Errorf("the SubType %q does not match the existing operation %s (SubType %q)", *u.SubType, *u.Id, deref(s.subType))
		}
		if u.Name != nil && !eqStr(u.Name, s.name) {
			return fmt.Errorf("the Name %q does not match the existing operation %s (Name %q)", *u.Name, *u.Id, deref(s.name))
		}
		if u.ParentId != nil && !eqStr(u.ParentId, s.parentID) {
			return fmt.Errorf("the ParentId %q does not match the existing operation %s (ParentId %q)", *u.ParentId, *u.Id, deref(s.parentID))
		}
	}

	parent := u.ParentId
	if s.exists && parent == nil {
		parent = s.parentID
	}
	if parent != nil {
		if *parent == *u.Id {
			return fmt.Errorf("operation %s cannot be its own parent", *u.Id)
		}
		ptyp, pstatus, ok := e.simLookup(sim, *parent)
		switch {
		case !ok:
			return fmt.Errorf("parent %s does not exist (it must be started before or earlier in the same batch)", *parent)
		case ptyp != types.OperationTypeContext:
			return fmt.Errorf("parent %s is a %s operation, not a CONTEXT", *parent, ptyp)
		case pstatus != types.OperationStatusStarted:
			return fmt.Errorf("parent context %s is already %s: no operation may change under a closed context", *parent, pstatus)
		}
	}

	if err := checkTransition(u, s, lim); err != nil {
		return err
	}

	if !s.exists {
		s.exists = true
		s.typ = u.Type
		s.subType, s.name, s.parentID = u.SubType, u.Name, u.ParentId
	}
	s.status = resultingStatus(u)
	return nil
}

// overlay maps ids to simOps; batches are small, so a slice searched
// linearly beats a map until they are not.
type overlay struct {
	ids  []string
	vals []simOp // never grows past its capacity, so pointers into it stay valid
	byID map[string]*simOp
}

// overlays hands out overlays: one is scratch space for one batch's
// validation only, so every execution's batches share a few instead of each
// execution growing its own.
var overlays = sync.Pool{New: func() any { return new(overlay) }}

// release empties o, keeping no caller's strings alive, and returns it to
// overlays.
func (o *overlay) release() {
	clear(o.ids)
	clear(o.vals)
	o.ids, o.vals, o.byID = o.ids[:0], o.vals[:0], nil
	overlays.Put(o)
}

// reset empties the overlay for a batch of n updates, reusing its storage.
func (o *overlay) reset(n int) *overlay {
	if n > 16 {
		o.byID = make(map[string]*simOp, n)
		return o
	}
	o.byID = nil
	o.ids = slices.Grow(o.ids[:0], n)
	o.vals = slices.Grow(o.vals[:0], n)
	return o
}

func (o *overlay) get(id string) *simOp {
	if o.byID != nil {
		return o.byID[id]
	}
	for i, x := range o.ids {
		if x == id {
			return &o.vals[i]
		}
	}
	return nil
}

// add makes an empty entry for id; each id is added once per batch.
func (o *overlay) add(id string) *simOp {
	if o.byID != nil {
		s := &simOp{}
		o.byID[id] = s
		return s
	}
	o.ids = append(o.ids, id)
	o.vals = append(o.vals, simOp{})
	return &o.vals[len(o.vals)-1]
}

// simLookup finds an operation's type and status in the overlay or store.
func (e *execution) simLookup(sim *overlay, id string) (types.OperationType, types.OperationStatus, bool) {
	if s := sim.get(id); s != nil && s.exists {
		return s.typ, s.status, true
	}
	if rec := e.rec(id); rec != nil {
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
			// A step never STARTed may end (or retry) at once: the official
			// service creates it in its final state, with no StepStarted event.
			if s.exists && s.status != types.OperationStatusStarted && s.status != types.OperationStatusReady {
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
	case types.OperationTypeCallback:
		if s.exists {
			return tErr("cannot START callback %s: it already exists (%s)", id, s.status)
		}
		if o := u.CallbackOptions; o != nil {
			if o.TimeoutSeconds < 0 || o.TimeoutSeconds > lim.MaxWaitSeconds {
				return tErr("START of callback %s: CallbackOptions.TimeoutSeconds %d is outside 0-%d", id, o.TimeoutSeconds, lim.MaxWaitSeconds)
			}
			if o.HeartbeatTimeoutSeconds < 0 || o.HeartbeatTimeoutSeconds > lim.MaxWaitSeconds {
				return tErr("START of callback %s: CallbackOptions.HeartbeatTimeoutSeconds %d is outside 0-%d", id, o.HeartbeatTimeoutSeconds, lim.MaxWaitSeconds)
			}
		}
		if u.Payload != nil || u.Error != nil {
			return tErr("START of callback %s must carry neither Payload nor Error (the callback's result comes from SendDurableExecutionCallback*)", id)
		}
	case types.OperationTypeChainedInvoke:
		return checkChainedTransition(u, s)
	case types.OperationTypeContext:
		switch u.Action {
		case types.OperationActionStart:
			if s.exists {
				return tErr("cannot START context %s: it already exists (%s)", id, s.status)
			}
		default:
			// As for a step: a context never STARTed is created in its final
			// state, with no ContextStarted event.
			if s.exists && s.status != types.OperationStatusStarted {
				return tErr("cannot %s context %s: it is %s (allowed from STARTED)", u.Action, id, s.status)
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
		if u.Type == types.OperationTypeChainedInvoke {
			return types.OperationStatusStopped
		}
		return types.OperationStatusCancelled
	}
	return ""
}

func opIDPattern(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !idChars[s[i]] {
			return false
		}
	}
	return true
}

// idChars is the operation id alphabet [a-zA-Z0-9_-], as a table: every
// update's Id and ParentId (32 characters each) go through opIDPattern.
var idChars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
	}
	return t
}()

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
