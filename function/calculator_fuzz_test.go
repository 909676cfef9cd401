package function_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// calcModel is what the calculator must answer for one input, worked out
// without the calculator's code.
type calcModel struct {
	status    types.ExecutionStatus
	errorType string // of the execution, when FAILED
	field     string // the field an InvalidInputError names
	// results and failures of a SUCCEEDED execution, by operation in
	// branch order: the value, or the error type of the failed step.
	values   [4]float64
	failures [4]string
}

var calcOps = [4]struct{ name, key string }{
	{"addition", "Add"}, {"subtraction", "Subtract"}, {"multiplication", "Multiply"}, {"division", "Division"},
}

// modelCalculator: blank input is the zero event (the runtime decodes
// nothing); text that is not JSON fails in the runtime's decoder
// (SerdesError); anything but an object, or num1/num2 present but not a
// finite number, is an InvalidInputError naming the field (num1 first);
// otherwise each operation succeeds unless it divides by zero or leaves
// the float64 range.
func modelCalculator(input []byte) calcModel {
	var nums [2]float64
	if len(bytes.TrimSpace(input)) > 0 {
		if !json.Valid(input) {
			return calcModel{status: types.ExecutionStatusFailed, errorType: "SerdesError"}
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(input, &fields) != nil || fields == nil {
			return calcModel{status: types.ExecutionStatusFailed, errorType: "InvalidInputError", field: "event"}
		}
		for i, name := range []string{"num1", "num2"} {
			raw, ok := fields[name]
			if !ok {
				continue
			}
			var n json.Number
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			tok, _ := dec.Token()
			if n, ok = tok.(json.Number); !ok {
				return calcModel{status: types.ExecutionStatusFailed, errorType: "InvalidInputError", field: name}
			}
			v, _ := strconv.ParseFloat(string(n), 64)
			if math.IsInf(v, 0) {
				return calcModel{status: types.ExecutionStatusFailed, errorType: "InvalidInputError", field: name}
			}
			nums[i] = v
		}
	}
	a, b := nums[0], nums[1]
	m := calcModel{status: types.ExecutionStatusSucceeded, values: [4]float64{a + b, a - b, a * b, a / b}}
	for i, v := range m.values {
		switch {
		case i == 3 && b == 0:
			m.failures[i] = "DivisionByZeroError"
		case math.IsInf(v, 0) || math.IsNaN(v):
			m.failures[i] = "OverflowError"
		}
	}
	return m
}

// FuzzCalculator runs the whole calculator, on the fake service, on any
// input and checks the outcome against the model: the status, the error
// and the field it names, every value bit for bit (signed zeros too), every
// failure, the counts, and one invocation (nothing here retries or waits).
func FuzzCalculator(f *testing.F) {
	for _, c := range calcCases {
		f.Add([]byte(c.input))
	}
	reqs, err := conformance.Load("../fixtures/calculator")
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range reqs {
		in, err := r.InputJSON(r.Bind(rand.New(rand.NewPCG(1, 1))))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(in)
	}
	for _, s := range []string{"", " ", "{", `{"num1":1e400}`, `{"num1":1e-400,"num2":-0}`, `{"num\u0031":2,"num1":3}`, `{"num1":1e308,"num2":1e-308}`, "\xff"} {
		f.Add([]byte(s))
	}
	invoker := durable.Handle(function.Handler)
	f.Fuzz(func(t *testing.T, input []byte) {
		res, err := harness.NewLocalRunner(invoker, harness.WithSeededScheduler(uint64(len(input)))).RunJSON(context.Background(), string(input))
		if err != nil {
			t.Fatalf("%q: the run did not finish: %v", input, err)
		}
		want := modelCalculator(input)
		if res.Status != want.status {
			t.Fatalf("%q: status %s (%s), want %s", input, res.Status, harness.ErrorLine(res.Error), want.status)
		}
		if len(res.Invocations) != 1 {
			t.Fatalf("%q: %d invocations, want 1 (nothing retries or waits)", input, len(res.Invocations))
		}
		if want.status == types.ExecutionStatusFailed {
			if got := aws.ToString(res.Error.ErrorType); got != want.errorType {
				t.Fatalf("%q: error %s, want type %s", input, harness.ErrorLine(res.Error), want.errorType)
			}
			if msg := aws.ToString(res.Error.ErrorMessage); want.field != "" && !strings.HasPrefix(msg, "function: "+want.field+" ") {
				t.Fatalf("%q: error %q does not name %s", input, msg, want.field)
			}
			return
		}
		checkCalculatorResult(t, input, aws.ToString(res.Output), want)
		for _, op := range calcOps {
			if n := len(res.OpsNamed(op.name)); n != 2 {
				t.Fatalf("%q: %d operations named %s, want its branch and its step", input, n, op.name)
			}
		}
	})
}

func checkCalculatorResult(t *testing.T, input []byte, output string, want calcModel) {
	t.Helper()
	var got function.Response
	if err := json.Unmarshal([]byte(output), &got); err != nil {
		t.Fatalf("%q: result %s does not decode: %v", input, output, err)
	}
	results := [4]*float64{got.Results.Add, got.Results.Subtract, got.Results.Multiply, got.Results.Division}
	var failed []string
	for i, op := range calcOps {
		if want.failures[i] != "" {
			failed = append(failed, op.name+" "+want.failures[i])
			if results[i] != nil {
				t.Fatalf("%q: %s = %v in %s, want it failed with %s", input, op.key, *results[i], output, want.failures[i])
			}
			continue
		}
		if results[i] == nil || math.Float64bits(*results[i]) != math.Float64bits(want.values[i]) {
			t.Fatalf("%q: %s missing or wrong in %s, want %v", input, op.key, output, want.values[i])
		}
	}
	var gotFailed []string
	for _, f := range got.Failures {
		gotFailed = append(gotFailed, f.Operation+" "+f.ErrorType)
	}
	if strings.Join(gotFailed, ", ") != strings.Join(failed, ", ") || got.FailureCount != len(failed) || got.SuccessCount != 4-len(failed) {
		t.Fatalf("%q: failures %v (counts %d/%d) in %s, want %v", input, gotFailed, got.SuccessCount, got.FailureCount, output, failed)
	}
}
