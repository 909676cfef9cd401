package durable

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Errors of the operations that wait on the outside world: callbacks, chained
// invokes and polled conditions. Like StepError they are rebuilt from the
// checkpoint records, never the original Go values, so a replay returns the
// same error as the first run.

// Sentinels matched by errors.Is against a *CallbackError of that kind.
var (
	// ErrCallbackFailed: the external system completed the callback with
	// SendDurableExecutionCallbackFailure.
	ErrCallbackFailed = errors.New("durable: callback failed")
	// ErrCallbackTimedOut: the callback's timeout or heartbeat timeout
	// expired before it was completed.
	ErrCallbackTimedOut = errors.New("durable: callback timed out")
	// ErrCallbackSubmitterFailed: WaitForCallback's submitter failed for
	// good (its retry strategy gave up).
	ErrCallbackSubmitterFailed = errors.New("durable: callback submitter failed")
)

// CallbackErrorKind says how a callback failed.
type CallbackErrorKind int

const (
	// CallbackFailed: completed with a failure by the external system.
	CallbackFailed CallbackErrorKind = iota + 1
	// CallbackTimedOut: its timeout or heartbeat timeout expired.
	CallbackTimedOut
	// CallbackSubmitterFailed: WaitForCallback's submitter step failed.
	CallbackSubmitterFailed
)

// wireType is the ErrorType recorded for a callback error of this kind (the
// names the other SDKs use for CallbackError's subclasses).
func (k CallbackErrorKind) wireType() string {
	switch k {
	case CallbackTimedOut:
		return "CallbackTimeoutError"
	case CallbackSubmitterFailed:
		return "CallbackSubmitterError"
	}
	return "CallbackExternalError"
}

func (k CallbackErrorKind) sentinel() error {
	switch k {
	case CallbackTimedOut:
		return ErrCallbackTimedOut
	case CallbackSubmitterFailed:
		return ErrCallbackSubmitterFailed
	}
	return ErrCallbackFailed
}

// CallbackError is returned by Callback.Result and WaitForCallback when the
// callback did not succeed. ErrorType, ErrorMessage and ErrorData are those of
// the underlying failure: the error the external system sent (RejectedError),
// the service's timeout error (Callback.Timeout, Callback.Heartbeat), or the
// submitter step's error. errors.Is matches the sentinel of its Kind.
type CallbackError struct {
	Kind CallbackErrorKind
	// CallbackID is the service's id of the callback; empty when the error
	// was rebuilt from a finished WaitForCallback's record on replay.
	CallbackID   string
	ErrorType    string
	ErrorMessage string
	ErrorData    string
}

func (e *CallbackError) Error() string {
	return e.Kind.sentinel().Error() + ": " + e.ErrorType + ": " + e.ErrorMessage
}

// Is matches the sentinel of the error's kind.
func (e *CallbackError) Is(target error) bool { return target == e.Kind.sentinel() }

// wire records the callback error under its kind's type, with the underlying
// error object in ErrorData, so a WaitForCallback's record rebuilds it.
func (e *CallbackError) wire() types.ErrorObject {
	return errObj(e.Kind.wireType(), e.ErrorMessage, innerData(e.ErrorType, e.ErrorMessage, e.ErrorData))
}

// InvokeError is returned by Invoke when the invoked function did not
// succeed: it failed, timed out or was stopped (Status). ErrorType,
// ErrorMessage and ErrorData are the invoked function's error as the service
// recorded it.
type InvokeError struct {
	FunctionName string
	Status       types.OperationStatus
	ErrorType    string
	ErrorMessage string
	ErrorData    string
}

func (e *InvokeError) Error() string {
	return fmt.Sprintf("durable: invoke of %s ended %s: %s: %s", e.FunctionName, e.Status, e.ErrorType, e.ErrorMessage)
}

func (e *InvokeError) wire() types.ErrorObject {
	return errObj("InvokeError", e.ErrorMessage, innerData(e.ErrorType, e.ErrorMessage, e.ErrorData))
}

// WaitForConditionError is returned by WaitForCondition when the check
// function failed, or the wait strategy gave up (its error, for example a
// *WaitMaxAttemptsError). ErrorType, ErrorMessage and ErrorData are that
// error's, as recorded.
type WaitForConditionError struct {
	ErrorType    string
	ErrorMessage string
	ErrorData    string
}

func (e *WaitForConditionError) Error() string {
	return "durable: wait for condition failed: " + e.ErrorType + ": " + e.ErrorMessage
}

func (e *WaitForConditionError) wire() types.ErrorObject {
	return errObj("WaitForConditionError", e.ErrorMessage, innerData(e.ErrorType, e.ErrorMessage, e.ErrorData))
}

// WaitMaxAttemptsError is what a strategy made by NewWaitStrategy returns
// when the condition still asks for polling after MaxAttempts checks.
type WaitMaxAttemptsError struct{ MaxAttempts int }

func (e *WaitMaxAttemptsError) Error() string { return "durable: " + e.message() }
func (e *WaitMaxAttemptsError) message() string {
	return fmt.Sprintf("wait for condition exceeded its maximum attempts (%d)", e.MaxAttempts)
}
func (e *WaitMaxAttemptsError) wire() types.ErrorObject {
	return errObj("WaitMaxAttemptsError", e.message(), "")
}

// innerData is the ErrorData that carries an underlying error object.
func innerData(typ, msg, data string) string {
	b, _ := json.Marshal(errorJSON{ErrorType: typ, ErrorMessage: msg, ErrorData: data})
	return string(b)
}

// objFields reads an error object's fields; a nil one is all empty.
func objFields(o *types.ErrorObject) (typ, msg, data string) {
	if o == nil {
		return "", "", ""
	}
	return aws.ToString(o.ErrorType), aws.ToString(o.ErrorMessage), aws.ToString(o.ErrorData)
}

// operationErrorFrom rebuilds, from a failed context's record, the
// callback, invoke or wait for condition error it failed with, so that
// errors.As finds it through the *ChildContextError (a Parallel branch, a
// child context); nil for a record of another type. A rebuilt *InvokeError
// has no FunctionName or Status: the context's record does not hold them.
func operationErrorFrom(o *types.ErrorObject) error {
	typ, _, data := objFields(o)
	var inner errorJSON
	_ = json.Unmarshal([]byte(data), &inner) // a record without one leaves inner empty
	switch typ {
	case CallbackFailed.wireType(), CallbackTimedOut.wireType(), CallbackSubmitterFailed.wireType():
		return callbackErrorFrom(o)
	case "InvokeError":
		return &InvokeError{ErrorType: inner.ErrorType, ErrorMessage: inner.ErrorMessage, ErrorData: inner.ErrorData}
	case "WaitForConditionError":
		return &WaitForConditionError{ErrorType: inner.ErrorType, ErrorMessage: inner.ErrorMessage, ErrorData: inner.ErrorData}
	}
	return nil
}

// callbackErrorFrom rebuilds the error of a failed WaitForCallback from its
// context's record: the kind from the ErrorType, the underlying error from
// ErrorData. A record of another type (a failure the runtime did not make,
// such as a non-determinism error) is a failed callback carrying it as is.
func callbackErrorFrom(o *types.ErrorObject) *CallbackError {
	typ, msg, data := objFields(o)
	e := &CallbackError{Kind: CallbackFailed, ErrorType: typ, ErrorMessage: msg, ErrorData: data}
	for _, k := range []CallbackErrorKind{CallbackFailed, CallbackTimedOut, CallbackSubmitterFailed} {
		if typ != k.wireType() {
			continue
		}
		e.Kind = k
		var inner errorJSON
		if json.Unmarshal([]byte(data), &inner) == nil {
			e.ErrorType, e.ErrorMessage, e.ErrorData = inner.ErrorType, inner.ErrorMessage, inner.ErrorData
		}
	}
	return e
}
