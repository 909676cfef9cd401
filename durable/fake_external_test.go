package durable_test

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// The memService's side of callbacks and chained invokes: a START is
// checked and recorded; the test then completes the operation by hand, as
// the external system or the invoked function would.

// startExternal checks and records the START of a CALLBACK or CHAINED_INVOKE
// (op is new); other types pass.
func (m *memService) startExternal(op *types.Operation, u *types.OperationUpdate) error {
	id := aws.ToString(u.Id)
	switch u.Type {
	case types.OperationTypeCallback:
		o := u.CallbackOptions
		if o != nil && (o.TimeoutSeconds < 0 || o.HeartbeatTimeoutSeconds < 0) {
			return fmt.Errorf("%s: negative callback timeout", id)
		}
		if u.Payload != nil {
			return fmt.Errorf("%s: CALLBACK START with a Payload", id)
		}
		op.CallbackDetails = &types.CallbackDetails{CallbackId: aws.String("cb-" + id)}
	case types.OperationTypeChainedInvoke:
		o := u.ChainedInvokeOptions
		if o == nil || aws.ToString(o.FunctionName) == "" {
			return fmt.Errorf("%s: CHAINED_INVOKE START without a FunctionName", id)
		}
		op.ChainedInvokeDetails = &types.ChainedInvokeDetails{}
	}
	return nil
}

// opNamed returns the one operation of type typ named name.
func (m *memService) opNamed(typ types.OperationType, name string) *types.Operation {
	var found *types.Operation
	for _, op := range m.ops {
		if op.Type == typ && aws.ToString(op.Name) == name {
			if found != nil {
				panic("two " + string(typ) + " operations named " + name)
			}
			found = op
		}
	}
	if found == nil {
		panic("no " + string(typ) + " operation named " + name)
	}
	return found
}

// callbackIDs lists the ids of the callbacks still STARTED, in creation order.
func (m *memService) openCallbacks() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, op := range m.ops {
		if op.Type == types.OperationTypeCallback && op.Status == types.OperationStatusStarted {
			out = append(out, aws.ToString(op.CallbackDetails.CallbackId))
		}
	}
	return out
}

// completeCallback ends the STARTED callback whose callback id is cbID:
// SUCCEEDED with result, or FAILED / TIMED_OUT with errObj.
func (m *memService) completeCallback(cbID string, status types.OperationStatus, result *string, errObj *types.ErrorObject) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, op := range m.ops {
		if op.Type != types.OperationTypeCallback || aws.ToString(op.CallbackDetails.CallbackId) != cbID {
			continue
		}
		if op.Status != types.OperationStatusStarted {
			panic("callback " + cbID + " is " + string(op.Status))
		}
		op.Status = status
		op.CallbackDetails.Result, op.CallbackDetails.Error = result, errObj
		return
	}
	panic("no callback " + cbID)
}

// completeInvoke ends the STARTED chained invoke named name with status and
// the invoked function's result or error.
func (m *memService) completeInvoke(name string, status types.OperationStatus, result *string, errObj *types.ErrorObject) {
	m.mu.Lock()
	defer m.mu.Unlock()
	op := m.opNamed(types.OperationTypeChainedInvoke, name)
	if op.Status != types.OperationStatusStarted {
		panic("invoke " + name + " is " + string(op.Status))
	}
	op.Status = status
	op.ChainedInvokeDetails.Result, op.ChainedInvokeDetails.Error = result, errObj
}

// startOf returns the accepted START update of the operation named name.
func (m *memService) startOf(typ types.OperationType, name string) types.OperationUpdate {
	for _, u := range m.allUpdates() {
		if u.Type == typ && u.Action == types.OperationActionStart && aws.ToString(u.Name) == name {
			return u
		}
	}
	panic("no START of " + string(typ) + " " + name)
}

// callbackUnder returns the callback id of the CALLBACK whose parent is the
// WaitForCallback context named name.
func (m *memService) callbackUnder(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.ops {
		if aws.ToString(w.SubType) != "WaitForCallback" || aws.ToString(w.Name) != name {
			continue
		}
		for _, op := range m.ops {
			if op.Type == types.OperationTypeCallback && aws.ToString(op.ParentId) == aws.ToString(w.Id) {
				return aws.ToString(op.CallbackDetails.CallbackId)
			}
		}
	}
	panic("no callback under " + name)
}
