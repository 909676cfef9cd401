package emulator_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// calculate runs one synchronous calculator invoke and returns its ARN.
func calculate(t *testing.T, lc *lambda.Client, i int) string {
	t.Helper()
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), Payload: []byte(fmt.Sprintf(`{"num1":%d,"num2":2}`, i))})
	if err != nil {
		t.Fatalf("calculator: %v", err)
	}
	if out.FunctionError != nil {
		t.Fatalf("calculator: function error %s: %s", *out.FunctionError, out.Payload)
	}
	return aws.ToString(out.DurableExecutionArn)
}

// Beyond MaxExecutions the earliest finished execution goes, and every
// route answers its ARN with the service's error for that route: 404
// ResourceNotFoundException on the execution API, 400
// InvalidParameterValueException on the invocation's own calls, one
// message saying why it is gone. An ARN never started gets the same
// errors saying it does not exist.
func TestEvictedAndUnknownExecutionsPerRoute(t *testing.T) {
	_, lc := start(t, emulator.Config{MaxExecutions: 3, Functions: []emulator.Function{calculator()}})
	var arns []string
	for i := range 5 {
		arns = append(arns, calculate(t, lc, i))
	}
	list, err := lc.ListDurableExecutionsByFunction(ctx(t), &lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String("calculator"), ReverseOrder: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, e := range list.DurableExecutions {
		listed = append(listed, aws.ToString(e.DurableExecutionArn))
	}
	if got, want := strings.Join(listed, " "), strings.Join(arns[2:], " "); got != want {
		t.Fatalf("listed %s\nwant the three latest %s", got, want)
	}

	never := arns[0][:len(arns[0])-12] + "000000000000"
	routes := []struct {
		name   string
		status int
		call   func(arn *string) error
	}{
		{"GetDurableExecution", 404, func(arn *string) error {
			_, err := lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: arn})
			return err
		}},
		{"GetDurableExecutionHistory", 404, func(arn *string) error {
			_, err := lc.GetDurableExecutionHistory(ctx(t), &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: arn})
			return err
		}},
		{"StopDurableExecution", 404, func(arn *string) error {
			_, err := lc.StopDurableExecution(ctx(t), &lambda.StopDurableExecutionInput{DurableExecutionArn: arn})
			return err
		}},
		{"CheckpointDurableExecution", 400, func(arn *string) error {
			_, err := lc.CheckpointDurableExecution(ctx(t), &lambda.CheckpointDurableExecutionInput{DurableExecutionArn: arn, CheckpointToken: aws.String("token")})
			return err
		}},
		{"GetDurableExecutionState", 400, func(arn *string) error {
			_, err := lc.GetDurableExecutionState(ctx(t), &lambda.GetDurableExecutionStateInput{DurableExecutionArn: arn, CheckpointToken: aws.String("token")})
			return err
		}},
	}
	for _, r := range routes {
		for _, c := range []struct{ which, arn, message string }{
			{"evicted", arns[0], arns[0] + " no longer exists: finished executions are removed after 336h0m0s (the retention period, in service time) or beyond the 3 most recent held"},
			{"never started", never, "durable execution " + never + " does not exist"},
		} {
			t.Run(r.name+"/"+c.which, func(t *testing.T) {
				err := r.call(aws.String(c.arn))
				var message string
				if r.status == 404 {
					message = expectAPIError[*types.ResourceNotFoundException](t, err, 404).ErrorMessage()
				} else {
					message = expectAPIError[*types.InvalidParameterValueException](t, err, 400).ErrorMessage()
				}
				if !strings.Contains(message, c.message) {
					t.Errorf("message %q\nwant %q", message, c.message)
				}
			})
		}
	}
}

// A finished execution stays for the retention period of the emulator's
// virtual clock: when another execution's two-hour wait moves the clock,
// an execution finished an hour and a half earlier goes, and its name
// starts a new execution.
func TestRetentionOnTheVirtualClock(t *testing.T) {
	_, lc := start(t, emulator.Config{Retention: 90 * time.Minute, Functions: []emulator.Function{
		calculator(), {Name: "waiter", Invoker: durable.Handle(waiter)},
	}})
	name := aws.String("kept-for-a-while")
	first, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), DurableExecutionName: name, Payload: []byte(`{"num1":1,"num2":1}`)})
	if err != nil || first.FunctionError != nil {
		t.Fatalf("calculator: %v", err)
	}
	exec, err := lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: first.DurableExecutionArn})
	if err != nil || aws.ToInt32(exec.DurableConfig.RetentionPeriodInDays) != 1 {
		t.Fatalf("before the wait: %v, retention %d days, want 1 (90 minutes rounded up)", err, aws.ToInt32(exec.DurableConfig.RetentionPeriodInDays))
	}
	if out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("waiter:live"), Payload: []byte(`7200`)}); err != nil || out.FunctionError != nil {
		t.Fatalf("waiter: %v", err)
	}
	_, err = lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: first.DurableExecutionArn})
	if e := expectAPIError[*types.ResourceNotFoundException](t, err, 404); !strings.Contains(e.ErrorMessage(), "no longer exists") {
		t.Errorf("message %q", e.ErrorMessage())
	}
	again, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), DurableExecutionName: name, Payload: []byte(`{"num1":1,"num2":1}`)})
	if err != nil || aws.ToString(again.DurableExecutionArn) == aws.ToString(first.DurableExecutionArn) {
		t.Errorf("the evicted name started %s (%v), want a new execution", aws.ToString(again.DurableExecutionArn), err)
	}
}

// Invoke and list accept the FunctionName forms Lambda does, refuse
// another account's or region's ARN and an unpublished version as Lambda
// does (404 ResourceNotFoundException), and report the version that ran.
func TestFunctionNamesAndVersions(t *testing.T) {
	_, lc := start(t, emulator.Config{Functions: []emulator.Function{calculator()}})
	const own = "arn:aws:lambda:us-east-1:123456789012:function:calculator"
	for _, tc := range []struct {
		name, version string // version "" means ResourceNotFoundException
	}{
		{"calculator:live", "1"},
		{"calculator:$LATEST", "$LATEST"},
		{"calculator:1", "1"},
		{"calculator:2", ""},
		{own + ":live", "1"},
		{"123456789012:function:calculator:live", "1"},
		{"arn:aws:lambda:eu-west-9:999999999999:function:calculator:live", ""},
		{"arn:aws:lambda:eu-west-9:123456789012:function:calculator:live", ""},
		{"arn:aws:lambda:us-east-1:999999999999:function:calculator:live", ""},
		{"999999999999:function:calculator:live", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String(tc.name), Payload: []byte(`{"num1":4,"num2":2}`)})
			if tc.version == "" {
				e := expectAPIError[*types.ResourceNotFoundException](t, err, 404)
				if !strings.Contains(e.ErrorMessage(), "Function not found") {
					t.Errorf("message %q", e.ErrorMessage())
				}
				return
			}
			if err != nil || out.FunctionError != nil {
				t.Fatalf("invoke: %v", err)
			}
			if got := aws.ToString(out.ExecutedVersion); got != tc.version {
				t.Errorf("X-Amz-Executed-Version %q, want %q", got, tc.version)
			}
		})
	}
	_, err := lc.ListDurableExecutionsByFunction(ctx(t), &lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String("arn:aws:lambda:eu-west-9:999999999999:function:calculator")})
	expectAPIError[*types.ResourceNotFoundException](t, err, 404)
	list, err := lc.ListDurableExecutionsByFunction(ctx(t), &lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String(own)})
	if err != nil || len(list.DurableExecutions) != 5 {
		t.Errorf("list of the own ARN: %v, want the 5 executions", err)
	}
}
