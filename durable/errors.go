package durable

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// StepError is returned by Step when the step failed for good (no retry
// left), live and on replay alike. ErrorType and Message are the step's
// own: the user error's type name (from an `ErrorType() string` method, or
// its Go type name) and message; ErrorData is what WithErrorData attached.
// It is rebuilt from the checkpoint record, so Err is a stand-in, not the
// original Go error: a replay could not return that. Attempts is the
// number of attempts recorded (0 when the record does not say).
type StepError struct {
	Name       string
	Attempts   int
	ErrorType  string
	Message    string
	ErrorData  string
	StackTrace []string
	Err        error
}

func (e *StepError) Error() string {
	return "durable: step failed: " + e.ErrorType + ": " + e.Message
}

func (e *StepError) Unwrap() error { return e.Err }

// As converts to the *OperationError base.
func (e *StepError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.Name, ErrorType: e.ErrorType, Message: e.Message, ErrorData: e.ErrorData, StackTrace: e.StackTrace, Err: e.Err})
}

// wire records a step failure as StepError, carrying the step's own error
// object in ErrorData so a parent context can hand it on (decisions §2.10).
func (e *StepError) wire() types.ErrorObject {
	data, _ := json.Marshal(errorJSON{ErrorType: e.ErrorType, ErrorMessage: e.Message, ErrorData: e.ErrorData})
	return errObj("StepError", e.Message, string(data))
}

// ChildContextError is returned by RunInChildContext when the child failed,
// held by a failed BatchItem, and returned by BatchResult.ThrowIfError.
// ErrorType, Message and ErrorData are those recorded for the failed
// context. Err is the failure inside: the step's *StepError when a step
// failed it (errors.As finds it), the callback, invoke or condition error
// when one did, else a stand-in; live and on replay alike.
type ChildContextError struct {
	Name       string
	ErrorType  string
	Message    string
	ErrorData  string
	StackTrace []string
	Err        error
}

func (e *ChildContextError) Error() string {
	return "durable: child context failed: " + e.ErrorType + ": " + e.Message
}

func (e *ChildContextError) Unwrap() error { return e.Err }

// As converts to the *OperationError base.
func (e *ChildContextError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.Name, ErrorType: e.ErrorType, Message: e.Message, ErrorData: e.ErrorData, StackTrace: e.StackTrace, Err: e.Err})
}

func (e *ChildContextError) wire() types.ErrorObject {
	return errObj("ChildContextError", e.Message, e.ErrorData)
}

// ValidationError reports a bad argument, found before any checkpoint.
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return "durable: " + e.Message }

func (e *ValidationError) wire() types.ErrorObject { return errObj("ValidationError", e.Message, "") }

// NonDeterministicExecutionError ends the execution FAILED: the record stored
// under ID is not the operation the code asks for now (its Type, SubType or
// Name differ), so the handler does not replay the same way it first ran.
type NonDeterministicExecutionError struct {
	ID       string
	Expected string // what the code asked for, e.g. `STEP/Step "add"`
	Actual   string // what the record holds
}

func (e *NonDeterministicExecutionError) Error() string { return "durable: " + e.message() }

func (e *NonDeterministicExecutionError) message() string {
	return fmt.Sprintf("non-deterministic execution: operation %s is %s in the checkpoint log but the code now asks for %s", e.ID, e.Actual, e.Expected)
}

// As converts to the *OperationError base.
func (e *NonDeterministicExecutionError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.ID, ErrorType: "NonDeterministicExecutionError", Message: e.message()})
}

func (e *NonDeterministicExecutionError) wire() types.ErrorObject {
	return errObj("NonDeterministicExecutionError", e.message(), "")
}

// SerdesError reports a value that could not be serialized or deserialized:
// the handler's input, a step or context result, the handler's result.
type SerdesError struct {
	What string // e.g. `result of step "add"`
	Err  error
}

func (e *SerdesError) Error() string { return "durable: " + e.message() }
func (e *SerdesError) Unwrap() error { return e.Err }
func (e *SerdesError) message() string {
	return "cannot serialize or deserialize " + e.What + ": " + e.Err.Error()
}
func (e *SerdesError) wire() types.ErrorObject { return errObj("SerdesError", e.message(), "") }

// PayloadTooLargeError fails a step whose serialized result exceeds the
// checkpoint limit (256 KiB).
type PayloadTooLargeError struct {
	What        string
	Size, Limit int
}

func (e *PayloadTooLargeError) Error() string { return "durable: " + e.message() }
func (e *PayloadTooLargeError) message() string {
	return fmt.Sprintf("%s is %d bytes serialized, over the %d byte checkpoint limit", e.What, e.Size, e.Limit)
}

// As converts to the *OperationError base.
func (e *PayloadTooLargeError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.What, ErrorType: "PayloadTooLargeError", Message: e.message()})
}

func (e *PayloadTooLargeError) wire() types.ErrorObject {
	return errObj("PayloadTooLargeError", e.message(), "")
}

// PanicError is what a panic in user code becomes: the runtime recovers it
// and handles it as the error the code returned.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return "durable: " + e.message() }
func (e *PanicError) message() string {
	return fmt.Sprintf("panic: %v", e.Value)
}
func (e *PanicError) wire() types.ErrorObject { return errObj("PanicError", e.message(), "") }

// StepInterruptedError is the failure given to the retry strategy when an
// AtMostOncePerRetry step is found STARTED on replay: the previous attempt
// was cut off and is not run again.
type StepInterruptedError struct{ ID, Name string }

func (e *StepInterruptedError) Error() string { return "durable: " + e.message() }
func (e *StepInterruptedError) message() string {
	return fmt.Sprintf("step %s (%q) was interrupted during a previous attempt", e.ID, e.Name)
}

// As converts to the *OperationError base.
func (e *StepInterruptedError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.Name, ErrorType: "StepInterruptedError", Message: e.message()})
}

func (e *StepInterruptedError) wire() types.ErrorObject {
	return errObj("StepInterruptedError", e.message(), "")
}

// WaitError is returned by Wait when the service ended the wait other than
// SUCCEEDED (for example CANCELLED).
type WaitError struct {
	ID     string
	Status types.OperationStatus
}

func (e *WaitError) Error() string { return "durable: " + e.message() }
func (e *WaitError) message() string {
	return fmt.Sprintf("wait %s ended %s", e.ID, e.Status)
}
func (e *WaitError) wire() types.ErrorObject { return errObj("WaitError", e.message(), "") }

// CheckpointError wraps a failed CheckpointDurableExecution or
// GetDurableExecutionState call. It ends the invocation: the Invoker returns
// it and the service re-invokes later.
type CheckpointError struct{ Err error }

func (e *CheckpointError) Error() string { return "durable: checkpoint: " + e.Err.Error() }
func (e *CheckpointError) Unwrap() error { return e.Err }

// EnvelopeError reports a malformed invocation envelope.
type EnvelopeError struct{ Problem string }

func (e *EnvelopeError) Error() string { return "durable: invocation envelope: " + e.Problem }

// control-flow errors: they unwind user code and are never recorded.
var (
	errSuspended = errors.New("durable: execution suspended; the invocation returns PENDING")
	errAbandoned = errors.New("durable: branch abandoned by the parallel's early stop")
)

// wireError is implemented by the runtime's own errors: they know their
// ErrorObject.
type wireError interface{ wire() types.ErrorObject }

// namedError lets a user error name its wire ErrorType.
type namedError interface{ ErrorType() string }

// errorJSON is an ErrorObject as carried inside ErrorData.
type errorJSON struct {
	ErrorType    string `json:"ErrorType,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
	ErrorData    string `json:"ErrorData,omitempty"`
}

func errObj(typ, msg, data string) types.ErrorObject {
	o := types.ErrorObject{ErrorType: aws.String(typ), ErrorMessage: aws.String(msg)}
	if data != "" {
		o.ErrorData = aws.String(data)
	}
	return o
}

// errorObject is the ErrorObject recorded for err. The first error in the
// chain that is one of the runtime's own or names its type decides; the
// runtime's own errors keep their message and data (so a StepError wrapped by
// the user still records the step's ErrorObject), a user-named one takes the
// message of the whole chain. Otherwise the Go type name is the ErrorType.
func errorObject(err error) types.ErrorObject {
	o := errorObjectOf(stripData(err))
	if data := errorData(err); data != "" && o.ErrorData == nil {
		o.ErrorData = aws.String(data)
	}
	return o
}

// errorObjectOf is errorObject without the WithErrorData payload.
func errorObjectOf(err error) types.ErrorObject {
	var found error
	walkErrors(err, func(e error) bool {
		switch e.(type) {
		case wireError, namedError:
			found = e
			return true
		}
		return false
	})
	switch e := found.(type) {
	case wireError:
		return e.wire()
	case namedError:
		return errObj(e.ErrorType(), err.Error(), "")
	}
	return errObj(goTypeName(err), err.Error(), "")
}

// walkErrors visits err's chain depth first until visit returns true.
func walkErrors(err error, visit func(error) bool) bool {
	for err != nil {
		if visit(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if walkErrors(e, visit) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// goTypeName names an error without an ErrorType method after its Go type;
// the standard library's anonymous wrappers are just "Error".
func goTypeName(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n := t.Name(); n {
	case "", "errorString", "wrapError", "wrapErrors", "joinError":
		return "Error"
	default:
		return n
	}
}

// stepErrorFrom rebuilds the error Step returns from a step's ErrorObject.
func stepErrorFrom(name string, attempts int, o *types.ErrorObject) *StepError {
	if o == nil {
		return &StepError{Name: name, Attempts: attempts, ErrorType: "StepError", Err: standIn("StepError", "", nil)}
	}
	typ, msg, data := objFields(o)
	return &StepError{Name: name, Attempts: attempts, ErrorType: typ, Message: msg, ErrorData: data, Err: standIn(typ, msg, nil)}
}

// childErrorFrom rebuilds a failed context's error from its ErrorObject. The
// failing step, when there was one, travels in ErrorData.
func childErrorFrom(name string, o *types.ErrorObject) *ChildContextError {
	e := &ChildContextError{Name: name, ErrorType: "ChildContextError"}
	if o == nil {
		return e
	}
	e.ErrorType, e.Message, e.ErrorData = objFields(o)
	if e.ErrorData != "" && (e.ErrorType == "StepError" || e.ErrorType == "ChildContextError") {
		var inner errorJSON
		if json.Unmarshal([]byte(e.ErrorData), &inner) == nil && inner.ErrorType != "" {
			e.Err = &StepError{ErrorType: inner.ErrorType, Message: inner.ErrorMessage, ErrorData: inner.ErrorData, Err: standIn(inner.ErrorType, inner.ErrorMessage, nil)}
		}
	}
	if e.Err == nil {
		e.Err = operationErrorFrom(o)
	}
	if e.Err == nil {
		e.Err = standIn(e.ErrorType, e.Message, nil)
	}
	return e
}
