package durable

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// CombinatorError is returned by All, Any, Race, Join and Select when the
// combinator failed; on the wire it is a PromiseCombinatorError, as the
// official SDKs write it. ErrorType and Message are those recorded on the
// combinator's own CONTEXT: the failing future's error (All, Race, Join,
// Select), or AggregateError / "All promises were rejected" when every
// future of Any failed. Errors holds that error rebuilt from the record (a
// *StepError or *ChildContextError where the record names one), live and on
// replay alike.
type CombinatorError struct {
	Name      string
	ErrorType string
	Message   string
	Errors    []error
}

func (e *CombinatorError) Error() string {
	return "durable: combinator " + quote(e.Name) + " failed: " + e.ErrorType + ": " + e.Message
}

// Unwrap gives errors.Is and errors.As the futures' errors.
func (e *CombinatorError) Unwrap() []error { return e.Errors }

// As converts to the *OperationError base.
func (e *CombinatorError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.Name, ErrorType: e.ErrorType, Message: e.Message})
}

func (e *CombinatorError) wire() types.ErrorObject {
	return errObj("PromiseCombinatorError", e.Message, "")
}

// combinatorErrorFrom rebuilds a combinator's failure from its record.
func combinatorErrorFrom(name string, o *types.ErrorObject) *CombinatorError {
	r := recordedFrom(o)
	return &CombinatorError{Name: name, ErrorType: r.typ, Message: r.msg, Errors: []error{r.rebuild()}}
}

// recordedError is an outcome as a combinator records it: the error's type
// and message, without ErrorData (the JS SDK records none there).
type recordedError struct{ typ, msg string }

func (e *recordedError) Error() string { return e.typ + ": " + e.msg }

func (e *recordedError) wire() types.ErrorObject { return errObj(e.typ, e.msg, "") }

// recordOf is how a combinator records a future's error.
func recordOf(err error) *recordedError {
	o := errorObject(err)
	return &recordedError{typ: aws.ToString(o.ErrorType), msg: aws.ToString(o.ErrorMessage)}
}

func recordedFrom(o *types.ErrorObject) *recordedError {
	if o == nil {
		return &recordedError{typ: "Error"}
	}
	return &recordedError{typ: aws.ToString(o.ErrorType), msg: aws.ToString(o.ErrorMessage)}
}

// rebuild is the error a recorded outcome stands for: the runtime's own
// type where the record names one, so errors.As finds it after a replay.
func (e *recordedError) rebuild() error {
	o := e.wire()
	switch e.typ {
	case "StepError":
		return stepErrorFrom("", 0, &o)
	case "ChildContextError":
		return childErrorFrom("", &o)
	}
	return e
}
