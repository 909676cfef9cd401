package function_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
)

// calcCase is one calculator execution and everything it must show.
type calcCase struct {
	input  string
	status types.ExecutionStatus
	// output is the exact result JSON of a SUCCEEDED execution.
	output string
	// errorType and errorMessage are the execution's error when FAILED.
	errorType, errorMessage string
	// success and failure are the Parallel's BatchResult counts; the
	// completion reason is always ALL_COMPLETED.
	success, failure int
	// stepErrors gives, per failed step, "ErrorType: ErrorMessage".
	stepErrors map[string]string
}

// Each step runs exactly once in every case: nothing here may be retried
// (division never is, an overflow never is, and the others succeed).
var calcCases = []calcCase{
	{
		input:   `{"num1":10,"num2":5}`,
		status:  types.ExecutionStatusSucceeded,
		output:  `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}`,
		success: 4,
	},
	{
		input:  `{"num1":10,"num2":0}`,
		status: types.ExecutionStatusSucceeded,
		output: `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,` +
			`"results":{"Add":10,"Subtract":10,"Multiply":0},` +
			`"failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}`,
		success: 3, failure: 1,
		stepErrors: map[string]string{"division": "DivisionByZeroError: Division by zero is not allowed"},
	},
	{
		input:  `{}`,
		status: types.ExecutionStatusSucceeded,
		output: `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,` +
			`"results":{"Add":0,"Subtract":0,"Multiply":0},` +
			`"failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}`,
		success: 3, failure: 1,
		stepErrors: map[string]string{"division": "DivisionByZeroError: Division by zero is not allowed"},
	},
	{
		input:  `{"num1":-0.0,"num2":-0.0}`,
		status: types.ExecutionStatusSucceeded,
		output: `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,` +
			`"results":{"Add":-0,"Subtract":0,"Multiply":0},` +
			`"failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}`,
		success: 3, failure: 1,
		stepErrors: map[string]string{"division": "DivisionByZeroError: Division by zero is not allowed"},
	},
	{
		input:  `{"num1":1e308,"num2":10}`,
		status: types.ExecutionStatusSucceeded,
		output: `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,` +
			`"results":{"Add":1e+308,"Subtract":1e+308,"Division":1e+307},` +
			`"failures":[{"operation":"multiplication","errorType":"OverflowError","errorMessage":"function: multiplication of 1e+308 and 10 overflows float64"}]}`,
		success: 3, failure: 1,
		stepErrors: map[string]string{"multiplication": "OverflowError: function: multiplication of 1e+308 and 10 overflows float64"},
	},
	{
		input:     `{"num1":"10","num2":2}`,
		status:    types.ExecutionStatusFailed,
		errorType: "InvalidInputError", errorMessage: "function: num1 must be a finite JSON number, got a string",
	},
	{
		input:     `{"num1":null}`,
		status:    types.ExecutionStatusFailed,
		errorType: "InvalidInputError", errorMessage: "function: num1 must be a finite JSON number, got null",
	},
	{
		input:     `[]`,
		status:    types.ExecutionStatusFailed,
		errorType: "InvalidInputError", errorMessage: "function: event must be a JSON object, got an array",
	},
	{
		input:     `"text"`,
		status:    types.ExecutionStatusFailed,
		errorType: "InvalidInputError", errorMessage: "function: event must be a JSON object, got a string",
	},
	{
		input:   `{"num1":9007199254740993,"num2":1}`,
		status:  types.ExecutionStatusSucceeded,
		output:  `{"Add":9007199254740992,"Subtract":9007199254740991,"Multiply":9007199254740992,"Division":9007199254740992}`,
		success: 4,
	},
	{
		input:     `{"num1":1,"num2":1e999}`,
		status:    types.ExecutionStatusFailed,
		errorType: "InvalidInputError", errorMessage: "function: num2 must be a finite JSON number, got 1e999 (outside the float64 range)",
	},
	{
		input:     `{"num1":1,"num2":[2]}`,
		status:    types.ExecutionStatusFailed,
		errorType: "InvalidInputError", errorMessage: "function: num2 must be a finite JSON number, got an array",
	},
}

var stepNames = []string{"addition", "subtraction", "multiplication", "division"}

// TestCalculator runs every case through the local runner under several
// branch interleavings; the outcome must not depend on them.
func TestCalculator(t *testing.T) {
	for _, tc := range calcCases {
		for _, seed := range []uint64{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/seed=%d", tc.input, seed), func(t *testing.T) {
				t.Parallel()
				runner := harness.NewLocalRunner(durable.Handle(function.Handler), harness.WithSeededScheduler(seed))
				res, err := runner.RunJSON(context.Background(), tc.input)
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				checkCalculation(t, tc, res)
			})
		}
	}
}

// TestCalculatorCrashes crashes the invocation after each checkpoint call in
// turn: the replayed execution must end exactly as the clean one, down to the
// sign of a zero, and still run every step once. The seeded scheduler fixes
// the interleaving, and with it how updates are batched into calls.
func TestCalculatorCrashes(t *testing.T) {
	const seed = 7
	for _, tc := range calcCases {
		if tc.status != types.ExecutionStatusSucceeded {
			continue // a bad event fails before any checkpoint
		}
		clean := harness.NewLocalRunner(durable.Handle(function.Handler), harness.WithSeededScheduler(seed)).
			MustRun(t, json.RawMessage(tc.input))
		checkCalculation(t, tc, clean)
		calls := 0
		for _, inv := range clean.Invocations {
			calls += inv.CheckpointCalls
		}
		if calls == 0 {
			t.Fatalf("%s: the clean run made no checkpoint call", tc.input)
		}
		for n := 1; n <= calls; n++ {
			t.Run(fmt.Sprintf("%s/crash-after=%d", tc.input, n), func(t *testing.T) {
				t.Parallel()
				runner := harness.NewLocalRunner(durable.Handle(function.Handler),
					harness.WithSeededScheduler(seed), harness.WithFaults(harness.CrashAfterCheckpoint(n)))
				res, err := runner.RunJSON(context.Background(), tc.input)
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				if len(res.Invocations) < 2 {
					t.Errorf("%d invocations, want a crash and a replay", len(res.Invocations))
				}
				checkCalculation(t, tc, res)
			})
		}
	}
}

func checkCalculation(t *testing.T, tc calcCase, res *harness.Result) {
	t.Helper()
	if res.Status != tc.status {
		t.Fatalf("status %s, want %s\n%s", res.Status, tc.status, res.Tree())
	}
	if tc.status == types.ExecutionStatusFailed {
		if res.Error == nil || aws.ToString(res.Error.ErrorType) != tc.errorType || aws.ToString(res.Error.ErrorMessage) != tc.errorMessage {
			t.Errorf("error %s, want %s: %s", harness.ErrorLine(res.Error), tc.errorType, tc.errorMessage)
		}
		// Rejected before any durable operation: nothing checkpointed, one invocation.
		if len(res.Operations) != 0 || len(res.Invocations) != 1 {
			t.Errorf("%d operations and %d invocations, want 0 and 1\n%s", len(res.Operations), len(res.Invocations), res.Tree())
		}
		return
	}
	if got := aws.ToString(res.Output); got != tc.output {
		t.Errorf("result\n%s\nwant\n%s", got, tc.output)
	}

	// The Parallel and its BatchResult, as checkpointed.
	parallels := res.OpsOfType(types.OperationTypeContext, "Parallel")
	if len(parallels) != 1 || parallels[0].Name != function.ParallelName || parallels[0].Status != types.OperationStatusSucceeded {
		t.Fatalf("want one SUCCEEDED Parallel %q\n%s", function.ParallelName, res.Tree())
	}
	var batch struct {
		All []struct {
			Index  int    `json:"index"`
			Status string `json:"status"`
		} `json:"all"`
		CompletionReason string `json:"completionReason"`
	}
	if err := parallels[0].Decode(&batch); err != nil {
		t.Fatalf("Parallel payload: %v", err)
	}
	counts := map[string]int{}
	for _, item := range batch.All {
		counts[item.Status]++
	}
	if counts["SUCCEEDED"] != tc.success || counts["FAILED"] != tc.failure || len(batch.All) != 4 || batch.CompletionReason != "ALL_COMPLETED" {
		t.Errorf("BatchResult %d succeeded, %d failed, %d items, %s; want %d, %d, 4, ALL_COMPLETED",
			counts["SUCCEEDED"], counts["FAILED"], len(batch.All), batch.CompletionReason, tc.success, tc.failure)
	}

	// Four branches in index order, each holding its one step.
	branches := parallels[0].Children
	if len(branches) != len(stepNames) {
		t.Fatalf("%d branches, want %d\n%s", len(branches), len(stepNames), res.Tree())
	}
	steps := map[string]*harness.Operation{}
	for _, branch := range branches {
		if branch.SubType != "ParallelBranch" || len(branch.Children) != 1 || branch.Children[0].Type != types.OperationTypeStep {
			t.Fatalf("branch %q is not a ParallelBranch holding one step\n%s", branch.Name, res.Tree())
		}
		step := branch.Children[0]
		if step.Name != branch.Name {
			t.Errorf("branch %q holds step %q", branch.Name, step.Name)
		}
		steps[step.Name] = step
	}
	for _, name := range stepNames {
		step := steps[name]
		if step == nil {
			t.Errorf("no step %q\n%s", name, res.Tree())
			continue
		}
		if step.Attempts != 1 {
			t.Errorf("step %q made %d attempts, want 1", name, step.Attempts)
		}
		want, failed := tc.stepErrors[name]
		switch {
		case failed && step.Status != types.OperationStatusFailed:
			t.Errorf("step %q is %s, want FAILED", name, step.Status)
		case failed && fmt.Sprintf("%s: %s", aws.ToString(step.Error.ErrorType), aws.ToString(step.Error.ErrorMessage)) != want:
			t.Errorf("step %q error %s, want %s", name, harness.ErrorLine(step.Error), want)
		case !failed && step.Status != types.OperationStatusSucceeded:
			t.Errorf("step %q is %s, want SUCCEEDED", name, step.Status)
		}
	}
}
