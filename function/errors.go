package function

import "fmt"

// The calculator's own errors. Each names itself with ErrorType, which the
// runtime records as the ErrorObject's ErrorType, so a failed step or a failed
// execution shows "DivisionByZeroError" rather than a Go type name.

// InvalidInputError ends the execution FAILED when the event is not a JSON
// object or when num1 or num2 is present but not a finite JSON number. It is
// returned before any durable operation, so nothing is checkpointed for it.
type InvalidInputError struct {
	// Field is "num1", "num2", or "event" when the event itself is not an object.
	Field string
	// Got describes what was found instead, e.g. "a string" or "null".
	Got string
}

func (e *InvalidInputError) Error() string {
	if e.Field == "event" {
		return "function: event must be a JSON object, got " + e.Got
	}
	return fmt.Sprintf("function: %s must be a finite JSON number, got %s", e.Field, e.Got)
}

// ErrorType names the error on the wire.
func (*InvalidInputError) ErrorType() string { return "InvalidInputError" }

// DivisionByZeroError fails the division step when num2 is zero (either sign).
// Its message is the seed's, word for word.
type DivisionByZeroError struct{}

func (*DivisionByZeroError) Error() string { return "Division by zero is not allowed" }

// ErrorType names the error on the wire.
func (*DivisionByZeroError) ErrorType() string { return "DivisionByZeroError" }

// OverflowError fails a step whose result is not a finite float64. The inputs
// are fixed for the whole execution, so a retry would overflow again: no step
// retries it.
type OverflowError struct {
	Operation  string // step name, e.g. "multiplication"
	Num1, Num2 float64
}

func (e *OverflowError) Error() string {
	return fmt.Sprintf("function: %s of %v and %v overflows float64", e.Operation, e.Num1, e.Num2)
}

// ErrorType names the error on the wire.
func (*OverflowError) ErrorType() string { return "OverflowError" }
