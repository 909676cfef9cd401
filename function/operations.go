package function

import (
	"errors"
	"math"

	"github.com/dpcheck/dpcheck/durable"
)

// operation is one branch of the Parallel: a branch and a step of the same
// name, the key its value has in the Response, and its retry strategy.
type operation struct {
	name       string
	key        string
	logMessage string
	compute    func(num1, num2 float64) (float64, error)
	retry      durable.RetryStrategy
}

// operations lists the branches in index order, which is also the order of
// the Response's keys and failures.
var operations = [...]operation{
	{name: "addition", key: "Add", logMessage: "Adding num1 and num2", compute: add, retry: retryUnlessOverflow},
	{name: "subtraction", key: "Subtract", logMessage: "Subtracting num2 from num1", compute: subtract, retry: retryUnlessOverflow},
	{name: "multiplication", key: "Multiply", logMessage: "Multiplying num1 and num2", compute: multiply, retry: retryUnlessOverflow},
	{name: "division", key: "Division", logMessage: "Dividing num1 by num2", compute: divide, retry: durable.NoRetry()},
}

// run computes the operation and fails it with *OverflowError when the result
// is not a finite float64, which JSON could not carry anyway.
func (op operation) run(num1, num2 float64) (float64, error) {
	v, err := op.compute(num1, num2)
	if err != nil {
		return 0, err
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, &OverflowError{Operation: op.name, Num1: num1, Num2: num2}
	}
	return v, nil
}

func add(a, b float64) (float64, error)      { return a + b, nil }
func subtract(a, b float64) (float64, error) { return a - b, nil }
func multiply(a, b float64) (float64, error) { return a * b, nil }

func divide(a, b float64) (float64, error) {
	if b == 0 { // true for -0 as well
		return 0, &DivisionByZeroError{}
	}
	return a / b, nil
}

// retryUnlessOverflow is the runtime's default strategy except that an
// overflow is final: the inputs never change, so another attempt would
// overflow again. RetryConfig's filters can only list errors to retry, not
// errors to exclude, so the exception wraps DefaultRetry.
func retryUnlessOverflow(a durable.RetryAttempt) durable.RetryDecision {
	var overflow *OverflowError
	if errors.As(a.Err, &overflow) {
		return durable.RetryDecision{}
	}
	return durable.DefaultRetry()(a)
}
