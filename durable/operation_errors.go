package durable

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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

// CallbackError is the base of the callback failures: Callback.Result and
// WaitForCallback return one of its subtypes, *CallbackExternalError (the
// external system sent a failure), *CallbackTimeoutError (the timeout or
// heartbeat timeout expired) or *CallbackSubmitterError (WaitForCallback's
// submitter failed for good); errors.As to *CallbackError matches all
// three. ErrorType, Message and ErrorData are those of the underlying
// failure; errors.Is matches the sentinel of its Kind.
type CallbackError struct {
	Name string
	Kind CallbackErrorKind
	// CallbackID is the service's id of the callback; empty when the error
	// was rebuilt from a finished WaitForCallback's record on replay.
	CallbackID string
	ErrorType  string
	Message    string
	ErrorData  string
	StackTrace []string
	Err        error
}

func (e *CallbackError) Error() string {
	return e.Kind.sentinel().Error() + ": " + e.ErrorType + ": " + e.Message
}

func (e *CallbackError) Unwrap() error { return e.Err }

// Is matches the sentinel of the error's kind.
func (e *CallbackError) Is(target error) bool { return target == e.Kind.sentinel() }

// As converts to the *OperationError base.
func (e *CallbackError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.Name, ErrorType: e.ErrorType, Message: e.Message, ErrorData: e.ErrorData, StackTrace: e.StackTrace, Err: e.Err})
}

// wire records the callback error under its kind's type, with the underlying
// error object in ErrorData, so a WaitForCallback's record rebuilds it.
func (e *CallbackError) wire() types.ErrorObject {
	return errObj(e.Kind.wireType(), e.Message, innerData(e.ErrorType, e.Message, e.ErrorData))
}

// typed returns the subtype of the error's kind.
func (e *CallbackError) typed() error {
	e.Err = standIn(e.ErrorType, e.Message, e.Kind.sentinel())
	switch e.Kind {
	case CallbackTimedOut:
		return &CallbackTimeoutError{CallbackError: *e, Heartbeat: strings.Contains(e.ErrorType+e.Message, "Heartbeat")}
	case CallbackSubmitterFailed:
		return &CallbackSubmitterError{CallbackError: *e}
	}
	return &CallbackExternalError{CallbackError: *e}
}

// asCallback fills a **CallbackError or **OperationError target.
func asCallback(target any, e *CallbackError) bool {
	if t, ok := target.(**CallbackError); ok {
		*t = e
		return true
	}
	return e.As(target)
}

// CallbackExternalError: the external system completed the callback with
// SendDurableExecutionCallbackFailure.
type CallbackExternalError struct{ CallbackError }

// As converts to *CallbackError and *OperationError.
func (e *CallbackExternalError) As(target any) bool { return asCallback(target, &e.CallbackError) }

// CallbackTimeoutError: the callback's timeout, or its heartbeat timeout
// (Heartbeat), expired before it was completed.
type CallbackTimeoutError struct {
	CallbackError
	Heartbeat bool
}

// As converts to *CallbackError and *OperationError.
func (e *CallbackTimeoutError) As(target any) bool { return asCallback(target, &e.CallbackError) }

// CallbackSubmitterError: WaitForCallback's submitter step failed for good.
type CallbackSubmitterError struct{ CallbackError }

// As converts to *CallbackError and *OperationError.
func (e *CallbackSubmitterError) As(target any) bool { return asCallback(target, &e.CallbackError) }

// InvokeError is returned by Invoke when the invoked function did not
// succeed: it failed, timed out or was stopped (Status). ErrorType,
// Message and ErrorData are the invoked function's error as the service
// recorded it; Err matches ErrInvokeTimedOut, ErrExecutionStopped or
// ErrExecutionCancelled with errors.Is when the status says so.
type InvokeError struct {
	Name       string
	FunctionID string
	Status     types.OperationStatus
	ErrorType  string
	Message    string
	ErrorData  string
	StackTrace []string
	Err        error
}

func (e *InvokeError) Error() string {
	return fmt.Sprintf("durable: invoke of %s ended %s: %s: %s", e.FunctionID, e.Status, e.ErrorType, e.Message)
}

func (e *InvokeError) Unwrap() error { return e.Err }

// As converts to the *OperationError base.
func (e *InvokeError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.Name, ErrorType: e.ErrorType, Message: e.Message, ErrorData: e.ErrorData, StackTrace: e.StackTrace, Err: e.Err})
}

func (e *InvokeError) wire() types.ErrorObject {
	return errObj("InvokeError", e.Message, innerData(e.ErrorType, e.Message, e.ErrorData))
}

// invokeSentinel is the sentinel of an invoke's terminal status.
func invokeSentinel(s types.OperationStatus) error {
	switch s {
	case types.OperationStatusTimedOut:
		return ErrInvokeTimedOut
	case types.OperationStatusStopped:
		return ErrExecutionStopped
	case types.OperationStatusCancelled:
		return ErrExecutionCancelled
	}
	return nil
}

// WaitForConditionError is returned by WaitForCondition when the check
// function failed, or the wait strategy gave up (its error, for example a
// *WaitMaxAttemptsError). ErrorType, Message and ErrorData are that
// error's, as recorded.
type WaitForConditionError struct {
	Name       string
	Attempts   int
	ErrorType  string
	Message    string
	ErrorData  string
	StackTrace []string
	Err        error
}

func (e *WaitForConditionError) Error() string {
	return "durable: wait for condition failed: " + e.ErrorType + ": " + e.Message
}

func (e *WaitForConditionError) Unwrap() error { return e.Err }

// As converts to the *OperationError base.
func (e *WaitForConditionError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.Name, ErrorType: e.ErrorType, Message: e.Message, ErrorData: e.ErrorData, StackTrace: e.StackTrace, Err: e.Err})
}

func (e *WaitForConditionError) wire() types.ErrorObject {
	return errObj("WaitForConditionError", e.Message, innerData(e.ErrorType, e.Message, e.ErrorData))
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
		return callbackErrorFrom("", o)
	case "InvokeError":
		return &InvokeError{ErrorType: inner.ErrorType, Message: inner.ErrorMessage, ErrorData: inner.ErrorData, Err: standIn(inner.ErrorType, inner.ErrorMessage, nil)}
	case "WaitForConditionError":
		return &WaitForConditionError{ErrorType: inner.ErrorType, Message: inner.ErrorMessage, ErrorData: inner.ErrorData, Err: standIn(inner.ErrorType, inner.ErrorMessage, nil)}
	}
	return nil
}

// callbackErrorFrom rebuilds the error of a failed WaitForCallback from its
// context's record: the kind from the ErrorType, the underlying error from
// ErrorData. A record of another type (a failure the runtime did not make,
// such as a non-determinism error) is a failed callback carrying it as is.
func callbackErrorFrom(name string, o *types.ErrorObject) error {
	typ, msg, data := objFields(o)
	e := &CallbackError{Name: name, Kind: CallbackFailed, ErrorType: typ, Message: msg, ErrorData: data}
	for _, k := range []CallbackErrorKind{CallbackFailed, CallbackTimedOut, CallbackSubmitterFailed} {
		if typ != k.wireType() {
			continue
		}
		e.Kind = k
		var inner errorJSON
		if json.Unmarshal([]byte(data), &inner) == nil {
			e.ErrorType, e.Message, e.ErrorData = inner.ErrorType, inner.ErrorMessage, inner.ErrorData
		}
	}
	return e.typed()
}
