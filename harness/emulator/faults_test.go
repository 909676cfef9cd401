package emulator_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/dpcheck/dpcheck/harness/emulator"
)

func withFault(plan string) func(*lambda.Options) {
	return func(o *lambda.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue(emulator.FaultHeader, plan))
	}
}

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want emulator.Fault
		err  string
	}{
		{in: "kill@3", want: emulator.Fault{Kind: emulator.FaultKill, Call: 3}},
		{in: " duplicate@1 ", want: emulator.Fault{Kind: emulator.FaultDuplicate, Call: 1}},
		{in: "kill", err: "want KIND@CALL"},
		{in: "crash@1", err: `kind "crash" is not one of`},
		{in: "lose@0", err: `call "0" is not a positive integer`},
		{in: "throttle@x", err: `call "x"`},
	} {
		got, err := emulator.ParseFault(tc.in)
		if tc.err != "" {
			var fe *emulator.FaultError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), emulator.FaultHeader) {
				t.Errorf("ParseFault(%q) = %v, want a *FaultError naming the header and %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || got.String() != strings.TrimSpace(tc.in) {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// An Invoke with a plan that cannot be read is refused before anything
// starts, with the header named.
func TestInvokeRefusesABadFaultPlan(t *testing.T) {
	_, lc := start(t, bootstrapConfig(t))
	_, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), Payload: []byte(`{}`)}, withFault("explode@1"))
	var bad *types.InvalidParameterValueException
	if !errors.As(err, &bad) || !strings.Contains(err.Error(), emulator.FaultHeader) {
		t.Fatalf("invoke with a bad plan: %v, want InvalidParameterValueException naming %s", err, emulator.FaultHeader)
	}
}

// Every fault kind, at every checkpoint call of the calculator served as a
// process, fires once at the planned call and leaves the outcome of the
// clean run; what each kind does shows in the counts the emulator reports
// and in the history. The process groups its updates into the same calls
// every run (testbootstrap_test.go's "calculator"), so the counts compare
// with the clean run's whatever the machine's load.
func TestFaultPlans(t *testing.T) {
	const input = `{"num1":10,"num2":0}`
	srv, lc := start(t, testFunction(t, "calculator"))
	arn, want := invokeCalculator(t, lc, input)
	clean, ok := srv.Report(arn)
	if !ok || clean.CheckpointCalls < 2 || clean.Invocations != 1 || clean.Fault != "" || clean.FaultApplied {
		t.Fatalf("clean report %+v (found %v), want >= 2 calls in 1 invocation and no fault", clean, ok)
	}
	for k := 1; k <= clean.CheckpointCalls; k++ {
		for _, kind := range emulator.FaultKinds {
			plan := emulator.Fault{Kind: kind, Call: k}
			out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), Payload: []byte(input)}, withFault(plan.String()))
			if err != nil || out.FunctionError != nil {
				t.Fatalf("%s: invoke: %v %s", plan, err, out.Payload)
			}
			assertJSONEqual(t, string(out.Payload), want)
			rep, _ := srv.Report(*out.DurableExecutionArn)
			if rep.Fault != plan.String() || !rep.FaultApplied {
				t.Fatalf("%s: report %+v, want the plan applied", plan, rep)
			}
			res := collect(t, lc, *out.DurableExecutionArn)
			exits := 0
			for _, inv := range res.Invocations {
				if inv.Error != nil && aws.ToString(inv.Error.ErrorType) == "Runtime.ExitError" {
					exits++
				}
			}
			switch kind {
			case emulator.FaultKill:
				if exits != 1 || rep.Invocations != 2 {
					t.Errorf("%s: %d Runtime.ExitError, %d invocations; want the killed one and its replay", plan, exits, rep.Invocations)
				}
			case emulator.FaultThrottle, emulator.FaultLose:
				// The SDK retries the refused or unanswered call in the same
				// invocation: one call more than the clean run.
				if exits != 0 || rep.Invocations != 1 || rep.CheckpointCalls != clean.CheckpointCalls+1 {
					t.Errorf("%s: %d exits, %d invocations, %d calls; want none, 1 and %d calls", plan, exits, rep.Invocations, rep.CheckpointCalls, clean.CheckpointCalls+1)
				}
			case emulator.FaultDuplicate:
				// The duplicate's own calls come on top of the clean run's.
				if exits != 0 || rep.CheckpointCalls <= clean.CheckpointCalls {
					t.Errorf("%s: %d exits, %d calls; want none and more than %d", plan, exits, rep.CheckpointCalls, clean.CheckpointCalls)
				}
			}
		}
	}
}

// The process's output lines, stdout and stderr, are kept per execution
// with the invocation that wrote them, and served on the inspection route.
func TestReportKeepsTheFunctionOutput(t *testing.T) {
	srv, lc := start(t, testFunction(t, "printer"))
	arns := map[string]string{}
	for _, tag := range []string{"first", "second"} {
		out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("printer:$LATEST"), Payload: []byte(`{"Tag":"` + tag + `"}`)})
		if err != nil || out.FunctionError != nil {
			t.Fatalf("invoke: %v %s", err, out.Payload)
		}
		arns[tag] = *out.DurableExecutionArn
	}
	for tag, arn := range arns {
		rep, err := emulator.Inspect(ctx(t), nil, srv.URL(), arn)
		if err != nil {
			t.Fatal(err)
		}
		var json, plain bool
		for _, l := range rep.Logs {
			switch {
			case l.Invocation != 1:
				t.Errorf("%s: line %+v, want invocation 1", tag, l)
			case strings.Contains(l.Line, `"msg":"greeting"`) && strings.Contains(l.Line, `"tag":"`+tag+`"`):
				json = true
			case l.Line == "plain line for "+tag:
				plain = true
			default:
				t.Errorf("%s: a line of another execution or an unexpected one: %q", tag, l.Line)
			}
		}
		if !json || !plain {
			t.Errorf("%s: logs %+v, want the JSON line and the plain one", tag, rep.Logs)
		}
	}
	_, err := emulator.Inspect(ctx(t), nil, srv.URL(), strings.Replace(arns["first"], "printer", "nosuch", 1))
	if err == nil || !strings.Contains(err.Error(), "not started through this emulator") {
		t.Errorf("Inspect of an unknown ARN: %v", err)
	}
	var notEmu *emulator.NotEmulatorError
	if _, err := emulator.Inspect(ctx(t), nil, srv.URL()+"/elsewhere", arns["first"]); !errors.As(err, &notEmu) {
		t.Errorf("Inspect on a path that is no emulator: %v, want *NotEmulatorError", err)
	}
}

// A finished execution's report stays as long as the execution does, and
// goes when the backend evicts it.
func TestReportFollowsEviction(t *testing.T) {
	cfg := bootstrapConfig(t)
	cfg.MaxExecutions = 1
	srv, lc := start(t, cfg)
	first, _ := invokeCalculator(t, lc, `{"num1":1,"num2":1}`)
	if rep, ok := srv.Report(first); !ok || rep.CheckpointCalls == 0 || rep.Invocations != 1 {
		t.Fatalf("report of the finished execution: %+v, %v", rep, ok)
	}
	second, _ := invokeCalculator(t, lc, `{"num1":2,"num2":1}`)
	if _, ok := srv.Report(first); ok {
		t.Errorf("the evicted execution still has a report")
	}
	if _, ok := srv.Report(second); !ok {
		t.Errorf("the kept execution has no report")
	}
}
