package function

import (
	"encoding/json"
	"errors"

	"github.com/dpcheck/dpcheck/durable"
)

// ErrorDetails is the seed's error_details text, used when any operation failed.
const ErrorDetails = "One or more operations failed"

// Response is the calculator's result. The execution SUCCEEDS with it even
// when operations failed, as in the seed. It has two JSON shapes:
//
//	{"Add":15,"Subtract":5,"Multiply":50,"Division":2}
//	{"error_details":"One or more operations failed","successCount":3,"failureCount":1,
//	 "results":{"Add":10,"Subtract":10,"Multiply":0},
//	 "failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}
type Response struct {
	Results      Results   // the operations that succeeded
	Failures     []Failure // the operations that failed, in branch order; empty on success
	SuccessCount int       // BatchResult.SuccessCount
	FailureCount int       // BatchResult.FailureCount
}

// Results holds one value per operation that succeeded; nil means it failed.
type Results struct {
	Add      *float64 `json:"Add,omitempty"`
	Subtract *float64 `json:"Subtract,omitempty"`
	Multiply *float64 `json:"Multiply,omitempty"`
	Division *float64 `json:"Division,omitempty"`
}

// Failure describes one failed operation by its step name and the step's own
// error type and message.
type Failure struct {
	Operation    string `json:"operation"`
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// failureBody is the JSON shape of a Response with failures.
type failureBody struct {
	ErrorDetails string    `json:"error_details"`
	SuccessCount int       `json:"successCount"`
	FailureCount int       `json:"failureCount"`
	Results      Results   `json:"results"`
	Failures     []Failure `json:"failures"`
}

// Failed reports whether any operation failed.
func (r Response) Failed() bool { return len(r.Failures) > 0 }

// MarshalJSON writes the success shape when nothing failed, the failure shape otherwise.
func (r Response) MarshalJSON() ([]byte, error) {
	if !r.Failed() {
		return json.Marshal(r.Results)
	}
	return json.Marshal(failureBody{
		ErrorDetails: ErrorDetails,
		SuccessCount: r.SuccessCount,
		FailureCount: r.FailureCount,
		Results:      r.Results,
		Failures:     r.Failures,
	})
}

// UnmarshalJSON reads either shape back, so a test can decode an execution's
// result into a Response. For the success shape the counts are derived from
// the keys present.
func (r *Response) UnmarshalJSON(data []byte) error {
	var body struct {
		failureBody
		ErrorDetails *string `json:"error_details"`
	}
	if err := json.Unmarshal(data, &body); err != nil {
		return err
	}
	if body.ErrorDetails != nil {
		*r = Response{Results: body.Results, Failures: body.Failures, SuccessCount: body.SuccessCount, FailureCount: body.FailureCount}
		return nil
	}
	var results Results
	if err := json.Unmarshal(data, &results); err != nil {
		return err
	}
	*r = Response{Results: results, SuccessCount: results.count()}
	return nil
}

func (r *Results) set(key string, v float64) {
	switch key {
	case "Add":
		r.Add = &v
	case "Subtract":
		r.Subtract = &v
	case "Multiply":
		r.Multiply = &v
	case "Division":
		r.Division = &v
	}
}

func (r Results) count() int {
	n := 0
	for _, v := range []*float64{r.Add, r.Subtract, r.Multiply, r.Division} {
		if v != nil {
			n++
		}
	}
	return n
}

// respond builds the Response from the Parallel's BatchResult. Items are
// matched to operations by branch index, which the runtime keeps stable
// across replays.
func respond(res durable.BatchResult[float64]) Response {
	r := Response{SuccessCount: res.SuccessCount(), FailureCount: res.FailureCount()}
	for _, item := range res.Succeeded() {
		r.Results.set(operations[item.Index].key, item.Result)
	}
	for _, item := range res.Failed() {
		r.Failures = append(r.Failures, failure(operations[item.Index].name, item.Err))
	}
	return r
}

// failure reads the failing step's own type and message from a branch error.
// A branch that failed through its step carries a *durable.StepError with
// both; any other error keeps its own message and, if it names one, its type.
func failure(operation string, err error) Failure {
	f := Failure{Operation: operation, ErrorType: "Error", ErrorMessage: err.Error()}
	var stepErr *durable.StepError
	if errors.As(err, &stepErr) {
		f.ErrorType, f.ErrorMessage = stepErr.ErrorType, stepErr.Message
		return f
	}
	var named interface{ ErrorType() string }
	if errors.As(err, &named) {
		f.ErrorType = named.ErrorType()
	}
	return f
}
