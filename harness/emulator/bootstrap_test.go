package emulator_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// invokeCalculator runs one synchronous invoke and returns the ARN and the
// response payload, failing the test on an error or a function error.
func invokeCalculator(t *testing.T, lc *lambda.Client, input string) (string, string) {
	t.Helper()
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), Payload: []byte(input)})
	if err != nil {
		t.Fatalf("invoke %s: %v", input, err)
	}
	if out.FunctionError != nil {
		t.Fatalf("invoke %s: function error %s: %s", input, *out.FunctionError, out.Payload)
	}
	if out.StatusCode != 200 || aws.ToString(out.DurableExecutionArn) == "" {
		t.Fatalf("invoke %s: status %d, ARN %q", input, out.StatusCode, aws.ToString(out.DurableExecutionArn))
	}
	return *out.DurableExecutionArn, string(out.Payload)
}

func collect(t *testing.T, lc *lambda.Client, arn string) *harness.Result {
	t.Helper()
	res, err := harness.CollectResult(ctx(t), lc, arn)
	if err != nil {
		t.Fatalf("collect %s: %v", arn, err)
	}
	return res
}

func bootstrapConfig(t *testing.T) emulator.Config {
	return emulator.Config{Functions: []emulator.Function{{Name: "calculator", Executable: bootstrap(t)}}}
}

func TestBootstrapRunsThroughInvoke(t *testing.T) {
	_, lc := start(t, bootstrapConfig(t))
	cases := []struct{ input, want string }{
		{`{"num1":10,"num2":5}`, `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}`},
		{`{"num1":10,"num2":0}`, `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,"results":{"Add":10,"Subtract":10,"Multiply":0},"failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}`},
	}
	for _, tc := range cases {
		arn, payload := invokeCalculator(t, lc, tc.input)
		assertJSONEqual(t, payload, tc.want)
		res := collect(t, lc, arn)
		if res.Status != types.ExecutionStatusSucceeded || res.Input != tc.input {
			t.Fatalf("%s: status %s input %s", tc.input, res.Status, res.Input)
		}
		assertJSONEqual(t, aws.ToString(res.Output), tc.want)
		if last := res.History[len(res.History)-1].EventType; last != types.EventTypeExecutionSucceeded {
			t.Errorf("%s: history ends with %s", tc.input, last)
		}
		for _, name := range []string{"addition", "subtraction", "multiplication", "division"} {
			if step(res, name) == nil {
				t.Errorf("%s: no step %s in the history", tc.input, name)
			}
		}
		if strings.Contains(tc.input, `"num2":0`) {
			div := step(res, "division")
			if div.Status != types.OperationStatusFailed || div.Attempts != 1 {
				t.Errorf("division: status %s after %d attempts, want FAILED after 1", div.Status, div.Attempts)
			}
		}
	}
}

// The function process is killed right after a checkpoint was applied and
// before its answer went out: the service records Runtime.ExitError,
// starts a new process, and the execution ends exactly as an undisturbed
// one. The bootstrap makes at least two calls (the branches' results, then
// the Parallel's), three when a branch's goroutine runs late for the first
// group commit.
func TestKilledProcessLosesNothing(t *testing.T) {
	const input = `{"num1":10,"num2":0}`
	_, clean := start(t, bootstrapConfig(t))
	_, want := invokeCalculator(t, clean, input)

	for _, killAt := range []int64{1, 2} {
		t.Run(fmt.Sprintf("kill at checkpoint %d", killAt), func(t *testing.T) {
			srv, lc := start(t, bootstrapConfig(t))
			var calls atomic.Int64
			var killed atomic.Bool
			emulator.SetCheckpointHook(srv, func(arn string) {
				if calls.Add(1) == killAt {
					killed.Store(srv.Kill(arn))
				}
			})
			arn, got := invokeCalculator(t, lc, input)
			if !killed.Load() {
				t.Fatalf("no process was running at checkpoint %d (%d calls)", killAt, calls.Load())
			}
			assertJSONEqual(t, got, want)
			res := collect(t, lc, arn)
			assertJSONEqual(t, aws.ToString(res.Output), want)
			if len(res.Invocations) < 2 {
				t.Fatalf("%d invocations, want a retried one", len(res.Invocations))
			}
			first := res.Invocations[0].Error
			if first == nil || aws.ToString(first.ErrorType) != "Runtime.ExitError" || !strings.Contains(aws.ToString(first.ErrorMessage), "signal: killed") {
				t.Errorf("first invocation error %+v, want Runtime.ExitError naming the signal", first)
			}
			for _, name := range []string{"addition", "subtraction", "multiplication"} {
				if op := step(res, name); op == nil || op.Status != types.OperationStatusSucceeded || op.Attempts != 1 {
					t.Errorf("step %s: %+v, want one SUCCEEDED attempt", name, op)
				}
			}
		})
	}
}

// 32 executions at once through 8 processes: every one completes with its
// own input's result.
func TestConcurrentExecutions(t *testing.T) {
	const n = 32
	srv, lc := start(t, bootstrapConfig(t))
	type outcome struct{ arn, payload string }
	got := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arn, payload := invokeCalculator(t, lc, fmt.Sprintf(`{"num1":%d,"num2":%d}`, i, i%4+1))
			got[i] = outcome{arn, payload}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	arns := map[string]bool{}
	for i, o := range got {
		a, b := float64(i), float64(i%4+1)
		want := fmt.Sprintf(`{"Add":%v,"Subtract":%v,"Multiply":%v,"Division":%v}`, a+b, a-b, a*b, a/b)
		assertJSONEqual(t, o.payload, want)
		res := collect(t, lc, o.arn)
		if res.Input != fmt.Sprintf(`{"num1":%d,"num2":%d}`, i, i%4+1) || res.Status != types.ExecutionStatusSucceeded {
			t.Errorf("execution %d: input %s status %s", i, res.Input, res.Status)
		}
		assertJSONEqual(t, aws.ToString(res.Output), want)
		arns[o.arn] = true
	}
	if len(arns) != n {
		t.Errorf("%d distinct ARNs for %d executions", len(arns), n)
	}
	list, err := lc.ListDurableExecutionsByFunction(ctx(t), &lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String("calculator"), MaxItems: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, e := range list.DurableExecutions {
		listed = append(listed, aws.ToString(e.DurableExecutionArn))
	}
	for arn := range arns {
		if !slices.Contains(listed, arn) {
			t.Errorf("%s is not listed", arn)
		}
	}
	if running := processesOf(t, bootstrap(t)); running == 0 {
		t.Errorf("no bootstrap process is running before Close")
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if running := processesOf(t, bootstrap(t)); running != 0 {
		t.Errorf("%d bootstrap processes outlived Close", running)
	}
}

// processesOf counts the live processes running the executable path.
func processesOf(t *testing.T, path string) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc to list processes")
	}
	n := 0
	for _, e := range entries {
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == path {
			n++
		}
	}
	return n
}

// step is the calculator's step of that name (its branch has the same name).
func step(res *harness.Result, name string) *harness.Operation {
	for _, op := range res.OpsOfType(types.OperationTypeStep) {
		if op.Name == name {
			return op
		}
	}
	return nil
}

func assertJSONEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("got %q: %v", got, err)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
