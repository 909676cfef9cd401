package durable

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// OperationError is the common shape of every failure a durable operation
// reports: one errors.As tells an operation's failure from a suspension or
// a runtime error.
//
//	var opErr *durable.OperationError
//	if errors.As(err, &opErr) {
//		log.Printf("%s failed: %s: %s", opErr.Name, opErr.ErrorType, opErr.Message)
//	}
//
// Every typed operation error (StepError, ChildContextError, CallbackError
// and its subtypes, InvokeError, WaitForConditionError, BatchError,
// StepInterruptedError, NonDeterministicExecutionError,
// PayloadTooLargeError) converts to it. The fields are those recorded in
// the checkpoint; Err is a stand-in rebuilt from them (never the original
// Go value, so the first run and a replay see the same error), so match on
// ErrorType rather than on your own error types. StackTrace is always nil:
// the runtime records no stack traces, so histories stay deterministic.
type OperationError struct {
	Name       string
	ErrorType  string
	Message    string
	ErrorData  string
	StackTrace []string
	Err        error
}

func (e *OperationError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("durable: operation %q failed: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("durable: operation %q failed", e.Name)
}

func (e *OperationError) Unwrap() error { return e.Err }

// asOperationError fills target when it is a **OperationError.
func asOperationError(target any, op OperationError) bool {
	t, ok := target.(**OperationError)
	if ok {
		*t = &op
	}
	return ok
}

// standInError is the stand-in Err of a typed error: a recorded failure's
// type and message. sentinel, when set, is what errors.Is matches through it.
type standInError struct {
	errorType, message string
	sentinel           error
}

// Error is the recorded message; the typed error around it names the type.
func (e *standInError) Error() string { return e.message }

func (e *standInError) Unwrap() error { return e.sentinel }

// standIn builds the stand-in for a recorded failure (nil when nothing was
// recorded).
func standIn(errorType, message string, sentinel error) error {
	if errorType == "" && message == "" && sentinel == nil {
		return nil
	}
	return &standInError{errorType: errorType, message: message, sentinel: sentinel}
}

// Sentinels for failures the service assigns (matched with errors.Is).
var (
	// ErrInvokeTimedOut: the invoked function's execution timed out.
	ErrInvokeTimedOut = errors.New("durable: invoke timed out")
	// ErrExecutionStopped: the invoked execution was stopped.
	ErrExecutionStopped = errors.New("durable: execution stopped")
	// ErrExecutionCancelled: the invoked execution was cancelled.
	ErrExecutionCancelled = errors.New("durable: execution cancelled")
)

// maxErrorDataBytes bounds the ErrorData WithErrorData records.
const maxErrorDataBytes = 256 << 10

// WithErrorData returns err carrying data as the ErrorData recorded when it
// fails a step, a context, a condition check or the handler (the typed
// error the caller gets back holds it, live and on replay). It keeps err's
// message and ErrorType and unwraps to it; the outermost data in a chain
// wins; data over 256 KiB is cut at a UTF-8 boundary. A nil err gives nil.
func WithErrorData(err error, data string) error {
	if err == nil {
		return nil
	}
	return &errorWithData{err: err, data: data}
}

type errorWithData struct {
	err  error
	data string
}

func (e *errorWithData) Error() string { return e.err.Error() }
func (e *errorWithData) Unwrap() error { return e.err }

// errorData finds the outermost WithErrorData payload in err's chain.
func errorData(err error) string {
	var data string
	walkErrors(err, func(e error) bool {
		if w, ok := e.(*errorWithData); ok && w.data != "" {
			data = w.data
			return true
		}
		return false
	})
	if len(data) > maxErrorDataBytes {
		cut := maxErrorDataBytes
		for cut > 0 && !utf8.RuneStart(data[cut]) {
			cut--
		}
		data = data[:cut]
	}
	return data
}

// stripData removes WithErrorData wrappers from the head of err's chain:
// they carry data only, never a type.
func stripData(err error) error {
	for {
		w, ok := err.(*errorWithData)
		if !ok {
			return err
		}
		err = w.err
	}
}
