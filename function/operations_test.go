package function

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
)

func TestOperationsTable(t *testing.T) {
	want := []struct{ name, key string }{
		{"addition", "Add"}, {"subtraction", "Subtract"}, {"multiplication", "Multiply"}, {"division", "Division"},
	}
	if len(operations) != len(want) {
		t.Fatalf("%d operations, want %d", len(operations), len(want))
	}
	for i, w := range want {
		if operations[i].name != w.name || operations[i].key != w.key {
			t.Errorf("operations[%d] = %s/%s, want %s/%s", i, operations[i].name, operations[i].key, w.name, w.key)
		}
		if operations[i].retry == nil {
			t.Errorf("operations[%d] (%s) has no retry strategy", i, w.name)
		}
	}
}

func TestOperationRun(t *testing.T) {
	negZero := math.Copysign(0, -1)
	byName := map[string]operation{}
	for _, op := range operations {
		byName[op.name] = op
	}
	tests := []struct {
		op         string
		num1, num2 float64
		want       float64
		err        error // the error type expected, compared with errors.As
	}{
		{op: "addition", num1: 10, num2: 5, want: 15},
		{op: "subtraction", num1: 10, num2: 5, want: 5},
		{op: "multiplication", num1: 10, num2: 5, want: 50},
		{op: "division", num1: 10, num2: 5, want: 2},
		{op: "division", num1: 1, num2: 3, want: 1.0 / 3},
		{op: "division", num1: 10, num2: 0, err: &DivisionByZeroError{}},
		{op: "division", num1: 0, num2: 0, err: &DivisionByZeroError{}},
		{op: "division", num1: 10, num2: negZero, err: &DivisionByZeroError{}},
		{op: "addition", num1: negZero, num2: negZero, want: negZero},
		{op: "subtraction", num1: negZero, num2: negZero, want: 0},
		{op: "multiplication", num1: negZero, num2: negZero, want: 0},
		{op: "multiplication", num1: negZero, num2: 3, want: negZero},
		{op: "addition", num1: 1e308, num2: 10, want: 1e308},
		{op: "multiplication", num1: 1e308, num2: 10, err: &OverflowError{}},
		{op: "multiplication", num1: -1e308, num2: 10, err: &OverflowError{}},
		{op: "addition", num1: 1.7e308, num2: 1.7e308, err: &OverflowError{}},
		{op: "subtraction", num1: 1.7e308, num2: -1.7e308, err: &OverflowError{}},
		{op: "division", num1: 1e308, num2: 1e-10, err: &OverflowError{}},
		{op: "division", num1: 1e308, num2: 10, want: 1e307},
		{op: "addition", num1: 9007199254740992, num2: 1, want: 9007199254740992}, // ties to even
	}
	for _, tt := range tests {
		got, err := byName[tt.op].run(tt.num1, tt.num2)
		switch want := tt.err.(type) {
		case nil:
			if err != nil || !sameFloat(got, tt.want) {
				t.Errorf("%s(%v, %v) = %v, %v; want %v, nil", tt.op, tt.num1, tt.num2, got, err, tt.want)
			}
		case *DivisionByZeroError:
			if !errors.As(err, &want) {
				t.Errorf("%s(%v, %v) error = %v, want *DivisionByZeroError", tt.op, tt.num1, tt.num2, err)
			}
		case *OverflowError:
			if !errors.As(err, &want) {
				t.Errorf("%s(%v, %v) error = %v, want *OverflowError", tt.op, tt.num1, tt.num2, err)
				continue
			}
			if want.Operation != tt.op || want.Num1 != tt.num1 || want.Num2 != tt.num2 {
				t.Errorf("%s(%v, %v): OverflowError %+v does not name the operation and operands", tt.op, tt.num1, tt.num2, want)
			}
		}
	}
}

func TestErrorNamesAndMessages(t *testing.T) {
	tests := []struct {
		err       interface{ ErrorType() string }
		errorType string
		message   string
	}{
		{&DivisionByZeroError{}, "DivisionByZeroError", "Division by zero is not allowed"},
		{&OverflowError{Operation: "multiplication", Num1: 1e308, Num2: 10}, "OverflowError",
			"function: multiplication of 1e+308 and 10 overflows float64"},
		{&InvalidInputError{Field: "num1", Got: "a string"}, "InvalidInputError",
			"function: num1 must be a finite JSON number, got a string"},
		{&InvalidInputError{Field: "event", Got: "an array"}, "InvalidInputError",
			"function: event must be a JSON object, got an array"},
	}
	for _, tt := range tests {
		if got := tt.err.ErrorType(); got != tt.errorType {
			t.Errorf("ErrorType() = %q, want %q", got, tt.errorType)
		}
		if got := tt.err.(error).Error(); got != tt.message {
			t.Errorf("Error() = %q, want %q", got, tt.message)
		}
	}
}

func TestRetryUnlessOverflow(t *testing.T) {
	jitter := func() float64 { return 0.5 }
	overflow := &OverflowError{Operation: "multiplication", Num1: 1e308, Num2: 10}
	other := errors.New("transient")
	for attempt := 1; attempt <= 7; attempt++ {
		got := retryUnlessOverflow(durable.RetryAttempt{Err: other, Attempt: attempt, Jitter: jitter})
		want := durable.DefaultRetry()(durable.RetryAttempt{Err: other, Attempt: attempt, Jitter: jitter})
		if got != want {
			t.Errorf("attempt %d, other error: %+v, want the default strategy's %+v", attempt, got, want)
		}
		for _, err := range []error{overflow, fmt.Errorf("step: %w", overflow)} {
			if d := retryUnlessOverflow(durable.RetryAttempt{Err: err, Attempt: attempt, Jitter: jitter}); d.Retry {
				t.Errorf("attempt %d: %v is retried (%+v)", attempt, err, d)
			}
		}
	}
	// The default strategy does retry a plain error at first, so the test above is not vacuous.
	if d := retryUnlessOverflow(durable.RetryAttempt{Err: other, Attempt: 1, Jitter: jitter}); !d.Retry {
		t.Errorf("a plain error is not retried on attempt 1: %+v", d)
	}
}
