package durable_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// The seed calculator, as function/ builds it: one Parallel of four
// one-step branches, AllCompleted, division with NoRetry.

type calcInput struct {
	Num1 float64 `json:"num1"`
	Num2 float64 `json:"num2"`
}

type divisionByZeroError struct{}

func (divisionByZeroError) Error() string     { return "Division by zero is not allowed" }
func (divisionByZeroError) ErrorType() string { return "DivisionByZeroError" }

type calcFailure struct {
	Operation    string `json:"operation"`
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

type calcOutput struct {
	Add, Subtract, Multiply, Division *float64           `json:",omitempty"`
	ErrorDetails                      string             `json:"error_details,omitempty"`
	SuccessCount                      int                `json:"successCount,omitempty"`
	FailureCount                      int                `json:"failureCount,omitempty"`
	Results                           map[string]float64 `json:"results,omitempty"`
	Failures                          []calcFailure      `json:"failures,omitempty"`
	Reason                            string             `json:"reason"`
}

func calcBranch(name string, f func(a, b float64) (float64, error), opts ...durable.StepOption) durable.Branch[float64] {
	return durable.Branch[float64]{Name: name, Func: func(ctx durable.Context) (float64, error) {
		in := ctx.Value(calcKey{}).(calcInput)
		return durable.Step(ctx, name, func(durable.StepContext) (float64, error) { return f(in.Num1, in.Num2) }, opts...)
	}}
}

type calcKey struct{}

func calcBranches() []durable.Branch[float64] {
	return []durable.Branch[float64]{
		calcBranch("addition", func(a, b float64) (float64, error) { return a + b, nil }),
		calcBranch("subtraction", func(a, b float64) (float64, error) { return a - b, nil }),
		calcBranch("multiplication", func(a, b float64) (float64, error) { return a * b, nil }),
		calcBranch("division", func(a, b float64) (float64, error) {
			if b == 0 {
				return 0, divisionByZeroError{}
			}
			return a / b, nil
		}, durable.WithRetry(durable.NoRetry())),
	}
}

func calculator(ctx durable.Context, in calcInput) (calcOutput, error) {
	bctx := withValue(ctx, calcKey{}, in)
	res, err := durable.Parallel(bctx, "calculations", calcBranches(), durable.WithCompletion(durable.AllCompleted()))
	if batchfail.Settled(err) != nil {
		return calcOutput{}, err
	}
	keys := map[string]string{"addition": "Add", "subtraction": "Subtract", "multiplication": "Multiply", "division": "Division"}
	out := calcOutput{Reason: res.CompletionReason().String()}
	if !res.HasFailure() {
		for _, it := range res.Succeeded() {
			v := it.Result
			switch it.Name {
			case "addition":
				out.Add = &v
			case "subtraction":
				out.Subtract = &v
			case "multiplication":
				out.Multiply = &v
			case "division":
				out.Division = &v
			}
		}
		return out, nil
	}
	out.ErrorDetails = "One or more operations failed"
	out.SuccessCount, out.FailureCount = res.SuccessCount(), res.FailureCount()
	out.Results = map[string]float64{}
	for _, it := range res.Succeeded() {
		out.Results[keys[it.Name]] = it.Result
	}
	for _, it := range res.Failed() {
		var se *durable.StepError
		if !errors.As(it.Err, &se) {
			return calcOutput{}, errors.New("branch error is not a StepError")
		}
		out.Failures = append(out.Failures, calcFailure{Operation: it.Name, ErrorType: se.ErrorType, ErrorMessage: se.Message})
	}
	return out, nil
}

func TestCalculatorSucceeds(t *testing.T) {
	m := newMem(`{"num1":10,"num2":5}`)
	out, n := m.run(t, durable.Handle(calculator), durable.Env{})
	var got calcOutput
	resultOf(t, out, &got)
	if n != 1 || got.Add == nil || *got.Add != 15 || *got.Subtract != 5 || *got.Multiply != 50 || *got.Division != 2 {
		t.Fatalf("invocations %d, result %s", n, out.Result)
	}
	// 1 Parallel + 4 branches + 4 steps, each START then SUCCEED.
	if c := m.updateCount(); c != 18 {
		t.Fatalf("%d updates, want 18", c)
	}
}

func TestCalculatorDivisionByZero(t *testing.T) {
	m := newMem(`{"num1":10,"num2":0}`)
	out, _ := m.run(t, durable.Handle(calculator), durable.Env{})
	var got calcOutput
	resultOf(t, out, &got)
	want := calcFailure{Operation: "division", ErrorType: "DivisionByZeroError", ErrorMessage: "Division by zero is not allowed"}
	if got.SuccessCount != 3 || got.FailureCount != 1 || len(got.Failures) != 1 || got.Failures[0] != want ||
		got.Results["Add"] != 10 || got.Results["Subtract"] != 10 || got.Results["Multiply"] != 0 || got.Reason != "ALL_COMPLETED" {
		t.Fatalf("result %s", out.Result)
	}
	// The step recorded its own error, exactly one attempt; the branch
	// recorded StepError carrying it; the Parallel SUCCEEDED.
	step := stepNamed(t, m, "division", types.OperationTypeStep)
	if step.Status != types.OperationStatusFailed || step.StepDetails.Attempt != 1 || aws.ToString(step.StepDetails.Error.ErrorType) != "DivisionByZeroError" {
		t.Fatalf("division step %+v", step)
	}
	branch := stepNamed(t, m, "division", types.OperationTypeContext)
	if branch.Status != types.OperationStatusFailed || aws.ToString(branch.ContextDetails.Error.ErrorType) != "StepError" {
		t.Fatalf("division branch %+v", branch.ContextDetails)
	}
	if p := m.find("calculations"); len(p) != 1 || p[0].Status != types.OperationStatusSucceeded {
		t.Fatalf("parallel %+v", p)
	}

	// Replay: the rebuilt BatchResult gives the same answer, no new update.
	before := m.updateCount()
	out2, err := m.invokeOnce(t, durable.Handle(calculator), durable.Env{})
	if err != nil || out2.Result != out.Result || m.updateCount() != before {
		t.Fatalf("replay: %v %+v, %d new updates", err, out2, m.updateCount()-before)
	}
}

func stepNamed(t *testing.T, m *memService, name string, typ types.OperationType) *types.Operation {
	t.Helper()
	for _, op := range m.find(name) {
		if op.Type == typ {
			return op
		}
	}
	t.Fatalf("no %s named %s", typ, name)
	return nil
}

// TestCalculatorCheckpointCalls: the branches' SUCCEEDs are queued, not
// sent one call each, so they ride with the next step's SUCCEED or with
// the Parallel's: under any schedule a calculator execution makes one call
// per step plus one for the Parallel, and the Parallel's SUCCEED comes
// last.
func TestCalculatorCheckpointCalls(t *testing.T) {
	for seed := range uint64(8) {
		for _, in := range []string{`{"num1":10,"num2":5}`, `{"num1":10,"num2":0}`} {
			m := newMem(in)
			m.run(t, durable.Handle(calculator), durable.Env{Scheduler: newSeeded(seed)})
			ups := m.allUpdates()
			last := ups[len(ups)-1]
			if m.calls != 5 || len(ups) != 18 || aws.ToString(last.Name) != "calculations" || last.Action != types.OperationActionSucceed {
				t.Fatalf("seed %d, %s: %d calls, batches %v, last %s %s", seed, in, m.calls, batchShapes(m), aws.ToString(last.Name), last.Action)
			}
		}
	}
	for range 20 {
		m := newMem(`{"num1":10,"num2":5}`)
		m.run(t, durable.Handle(calculator), durable.Env{})
		if m.calls > 5 {
			t.Fatalf("free-running: %d calls, batches %v", m.calls, batchShapes(m))
		}
	}
}
