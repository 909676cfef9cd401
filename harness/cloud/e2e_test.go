package cloud_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/cloud"
)

// TestE2ECalculator runs the seed's three cases on the target
// DPCHECK_TARGET names: the deployed stack (make e2e) or dpcheck serve
// running the real bootstrap (make e2e-local). With the default local
// target it is skipped; the in-process cases live with the calculator.
func TestE2ECalculator(t *testing.T) {
	env, err := cloud.ReadEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !env.Remote() {
		t.Skip("DPCHECK_TARGET is local: this check runs under make e2e-local and make e2e")
	}
	runner, err := env.Runner(testCtx(t), "calculator", cloud.WithNamePrefix("e2e"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("target %s, function %s", env.Target, runner.Function())
	failed := func(add, sub, mul float64) string {
		out, _ := json.Marshal(map[string]any{
			"error_details": "One or more operations failed", "successCount": 3, "failureCount": 1,
			"results":  map[string]float64{"Add": add, "Subtract": sub, "Multiply": mul},
			"failures": []map[string]string{{"operation": "division", "errorType": "DivisionByZeroError", "errorMessage": "Division by zero is not allowed"}},
		})
		return string(out)
	}
	cases := []struct {
		input, want   string
		divisionFails bool
	}{
		{`{"num1":10,"num2":5}`, `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}`, false},
		{`{"num1":10,"num2":0}`, failed(10, 10, 0), true},
		{`{}`, failed(0, 0, 0), true},
	}
	for _, tc := range cases {
		t.Run(tc.input, func(t *testing.T) {
			res, err := runner.RunJSON(testCtx(t), tc.input)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != types.ExecutionStatusSucceeded {
				t.Fatalf("status %s, error %+v\n%s", res.Status, res.Error, res.Tree())
			}
			if !jsonEqual(aws.ToString(res.Output), tc.want) {
				t.Errorf("result %s\nwant %s", aws.ToString(res.Output), tc.want)
			}
			parallel := res.OpsOfType(types.OperationTypeContext, "Parallel")
			if len(parallel) != 1 || len(res.OpsOfType(types.OperationTypeContext, "ParallelBranch")) != 4 {
				t.Errorf("want one Parallel with four branches:\n%s", res.Tree())
			}
			for _, name := range []string{"addition", "subtraction", "multiplication", "division"} {
				op := stepNamed(res, name)
				if op == nil {
					t.Errorf("no step %s:\n%s", name, res.Tree())
					continue
				}
				wantStatus := types.OperationStatusSucceeded
				if name == "division" && tc.divisionFails {
					wantStatus = types.OperationStatusFailed
				}
				if op.Status != wantStatus || op.Attempts != 1 {
					t.Errorf("step %s: %s after %d attempts, want %s after 1", name, op.Status, op.Attempts, wantStatus)
				}
			}
		})
	}
}

func stepNamed(res *harness.Result, name string) *harness.Operation {
	for _, op := range res.OpsOfType(types.OperationTypeStep) {
		if op.Name == name {
			return op
		}
	}
	return nil
}

func jsonEqual(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}
