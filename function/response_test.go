package function

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
)

func f64(v float64) *float64 { return &v }

func TestResponseJSON(t *testing.T) {
	tests := []struct {
		name string
		resp Response
		json string
	}{
		{
			name: "success",
			resp: Response{
				Results:      Results{Add: f64(15), Subtract: f64(5), Multiply: f64(50), Division: f64(2)},
				SuccessCount: 4,
			},
			json: `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}`,
		},
		{
			name: "division by zero",
			resp: Response{
				Results:      Results{Add: f64(10), Subtract: f64(10), Multiply: f64(0)},
				Failures:     []Failure{{"division", "DivisionByZeroError", "Division by zero is not allowed"}},
				SuccessCount: 3, FailureCount: 1,
			},
			json: `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,` +
				`"results":{"Add":10,"Subtract":10,"Multiply":0},` +
				`"failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}`,
		},
		{
			name: "negative zero keeps its sign",
			resp: Response{
				Results:      Results{Add: f64(math.Copysign(0, -1)), Subtract: f64(0), Multiply: f64(0)},
				Failures:     []Failure{{"division", "DivisionByZeroError", "Division by zero is not allowed"}},
				SuccessCount: 3, FailureCount: 1,
			},
			json: `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,` +
				`"results":{"Add":-0,"Subtract":0,"Multiply":0},` +
				`"failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.resp)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.json {
				t.Errorf("json.Marshal =\n%s\nwant\n%s", b, tt.json)
			}
			var back Response
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tt.resp) {
				t.Errorf("round trip = %+v, want %+v", back, tt.resp)
			}
			if back.Results.Add != nil && math.Signbit(*back.Results.Add) != math.Signbit(*tt.resp.Results.Add) {
				t.Errorf("round trip lost the sign of Add")
			}
		})
	}
}

func TestResponseUnmarshalRejectsNonObjects(t *testing.T) {
	for _, in := range []string{`[]`, `"x"`, `{"Add":"x"}`} {
		var r Response
		if err := json.Unmarshal([]byte(in), &r); err == nil {
			t.Errorf("json.Unmarshal(%s) = nil error, want one", in)
		}
	}
}

// namedError names its own type, as a user error may.
type namedError struct{}

func (namedError) Error() string     { return "boom" }
func (namedError) ErrorType() string { return "Boom" }

func TestFailureFromBranchError(t *testing.T) {
	stepErr := &durable.StepError{ErrorType: "DivisionByZeroError", Message: "Division by zero is not allowed"}
	tests := []struct {
		name string
		err  error
		want Failure
	}{
		{"step error", stepErr, Failure{"division", "DivisionByZeroError", "Division by zero is not allowed"}},
		{"wrapped step error", fmt.Errorf("branch: %w", stepErr), Failure{"division", "DivisionByZeroError", "Division by zero is not allowed"}},
		{"named error", fmt.Errorf("wrapped: %w", namedError{}), Failure{"division", "Boom", "wrapped: boom"}},
		{"plain error", errors.New("plain"), Failure{"division", "Error", "plain"}},
	}
	for _, tt := range tests {
		if got := failure("division", tt.err); got != tt.want {
			t.Errorf("%s: failure() = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestRespond(t *testing.T) {
	divErr := &durable.StepError{ErrorType: "DivisionByZeroError", Message: "Division by zero is not allowed"}
	branchErr := &durable.ChildContextError{ErrorType: "StepError", Message: divErr.Message, Err: divErr}
	tests := []struct {
		name  string
		items []durable.BatchItem[float64]
		want  Response
	}{
		{
			name: "all succeeded",
			items: []durable.BatchItem[float64]{
				{Index: 0, Name: "addition", Status: durable.BatchItemSucceeded, Result: 15},
				{Index: 1, Name: "subtraction", Status: durable.BatchItemSucceeded, Result: 5},
				{Index: 2, Name: "multiplication", Status: durable.BatchItemSucceeded, Result: 50},
				{Index: 3, Name: "division", Status: durable.BatchItemSucceeded, Result: 2},
			},
			want: Response{Results: Results{Add: f64(15), Subtract: f64(5), Multiply: f64(50), Division: f64(2)}, SuccessCount: 4},
		},
		{
			name: "division failed",
			items: []durable.BatchItem[float64]{
				{Index: 0, Name: "addition", Status: durable.BatchItemSucceeded, Result: 10},
				{Index: 1, Name: "subtraction", Status: durable.BatchItemSucceeded, Result: 10},
				{Index: 2, Name: "multiplication", Status: durable.BatchItemSucceeded, Result: 0},
				{Index: 3, Name: "division", Status: durable.BatchItemFailed, Err: branchErr},
			},
			want: Response{
				Results:      Results{Add: f64(10), Subtract: f64(10), Multiply: f64(0)},
				Failures:     []Failure{{"division", "DivisionByZeroError", "Division by zero is not allowed"}},
				SuccessCount: 3, FailureCount: 1,
			},
		},
		{
			// Cannot happen with AllCompleted, but a STARTED item is neither a result nor a failure.
			name: "started item left out",
			items: []durable.BatchItem[float64]{
				{Index: 1, Name: "subtraction", Status: durable.BatchItemStarted},
				{Index: 3, Name: "division", Status: durable.BatchItemFailed, Err: branchErr},
			},
			want: Response{
				Failures:     []Failure{{"division", "DivisionByZeroError", "Division by zero is not allowed"}},
				FailureCount: 1,
			},
		},
	}
	for _, tt := range tests {
		got := respond(durable.BatchResult[float64]{Items: tt.items})
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: respond() = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
