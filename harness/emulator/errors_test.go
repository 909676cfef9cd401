package emulator_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness/emulator"
	"github.com/dpcheck/dpcheck/harness/service"
)

func calculator() emulator.Function {
	return emulator.Function{Name: "calculator", Invoker: durable.Handle(function.Handler)}
}

// status is the HTTP status behind an SDK error.
func status(t *testing.T, err error) int {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("%v is not an HTTP response error", err)
	}
	return re.HTTPStatusCode()
}

// expectAPIError checks that err is the SDK's typed error *E with the given
// HTTP status, and returns it.
func expectAPIError[E error](t *testing.T, err error, wantStatus int) E {
	t.Helper()
	var typed E
	if !errors.As(err, &typed) {
		t.Fatalf("error %v (%T) is not a %T", err, err, typed)
	}
	if got := status(t, err); got != wantStatus {
		t.Errorf("HTTP status %d, want %d", got, wantStatus)
	}
	return typed
}

func TestErrorsAreTypedForTheSDK(t *testing.T) {
	srv, lc := start(t, emulator.Config{Functions: []emulator.Function{calculator()}})
	c := ctx(t)

	t.Run("unknown execution ARN", func(t *testing.T) {
		arn := "arn:aws:lambda:us-east-1:123456789012:function:calculator:$LATEST/durable-execution/nope/0000"
		_, err := lc.GetDurableExecution(c, &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
		e := expectAPIError[*types.ResourceNotFoundException](t, err, 404)
		if !strings.Contains(e.ErrorMessage(), arn) {
			t.Errorf("message %q does not name the ARN", e.ErrorMessage())
		}
		_, err = lc.GetDurableExecutionHistory(c, &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(arn)})
		expectAPIError[*types.ResourceNotFoundException](t, err, 404)
	})

	t.Run("stale checkpoint token", func(t *testing.T) {
		b := srv.Backend()
		arn, err := b.StartExecution(c, service.StartExecutionInput{FunctionName: "calculator", Payload: `{}`})
		if err != nil {
			t.Fatal(err)
		}
		envelope, err := b.BeginInvocation(arn)
		if err != nil {
			t.Fatal(err)
		}
		in, err := durable.DecodeInvocationInput(envelope)
		if err != nil {
			t.Fatal(err)
		}
		first := aws.String(in.CheckpointToken)
		// The ARN holds ':', '/' and '$': it travels as one escaped segment.
		out, err := lc.CheckpointDurableExecution(c, &lambda.CheckpointDurableExecutionInput{DurableExecutionArn: aws.String(arn), CheckpointToken: first})
		if err != nil {
			t.Fatalf("first checkpoint: %v", err)
		}
		if aws.ToString(out.CheckpointToken) == "" || aws.ToString(out.CheckpointToken) == *first {
			t.Fatalf("checkpoint answered token %q, want a fresh one", aws.ToString(out.CheckpointToken))
		}
		_, err = lc.CheckpointDurableExecution(c, &lambda.CheckpointDurableExecutionInput{DurableExecutionArn: aws.String(arn), CheckpointToken: first})
		expectAPIError[*types.InvalidParameterValueException](t, err, 400)
		_, err = lc.GetDurableExecutionState(c, &lambda.GetDurableExecutionStateInput{DurableExecutionArn: aws.String(arn), CheckpointToken: first})
		expectAPIError[*types.InvalidParameterValueException](t, err, 400)
		if _, err := b.EndInvocation(arn, nil, errors.New("test over")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("malformed JSON payload", func(t *testing.T) {
		_, err := lc.Invoke(c, &lambda.InvokeInput{FunctionName: aws.String("calculator:$LATEST"), Payload: []byte(`{"num1": 10,`)})
		e := expectAPIError[*types.InvalidRequestContentException](t, err, 400)
		if !strings.Contains(e.ErrorMessage(), "unexpected end of JSON input") {
			t.Errorf("message %q does not name the problem", e.ErrorMessage())
		}
	})

	t.Run("malformed JSON checkpoint body", func(t *testing.T) {
		arn := "arn:aws:lambda:us-east-1:123456789012:function:calculator:$LATEST/durable-execution/x/y"
		resp, err := http.Post(srv.URL()+"/2025-12-01/durable-executions/"+url.PathEscape(arn)+"/checkpoint", "application/json", strings.NewReader(`{"CheckpointToken": `))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "InvalidRequestContentException" {
			t.Errorf("got %d %q, want 400 InvalidRequestContentException", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
		for _, want := range []string{`"__type":"InvalidRequestContentException"`, `"Type":"User"`, `"Message":"could not parse the request body: wire: malformed JSON`, `"message":`} {
			if !strings.Contains(string(body), want) {
				t.Errorf("body %s lacks %s", body, want)
			}
		}
		// A member of the wrong type is named by its path.
		resp, err = http.Post(srv.URL()+"/2025-12-01/durable-executions/"+url.PathEscape(arn)+"/checkpoint", "application/json", strings.NewReader(`{"CheckpointToken":"t","Updates":[{"Id":7}]}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), "Updates[0].Id") {
			t.Errorf("got %d %s, want 400 naming Updates[0].Id", resp.StatusCode, body)
		}
	})

	t.Run("bad query parameter", func(t *testing.T) {
		arn := "arn:aws:lambda:us-east-1:123456789012:function:calculator:$LATEST/durable-execution/x/y"
		resp, err := http.Get(srv.URL() + "/2025-12-01/durable-executions/" + url.PathEscape(arn) + "/history?MaxItems=lots")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), "MaxItems") {
			t.Errorf("got %d %s, want 400 naming MaxItems", resp.StatusCode, body)
		}
	})

	t.Run("unknown function", func(t *testing.T) {
		_, err := lc.Invoke(c, &lambda.InvokeInput{FunctionName: aws.String("nosuch:live"), Payload: []byte(`{}`)})
		expectAPIError[*types.ResourceNotFoundException](t, err, 404)
		_, err = lc.ListDurableExecutionsByFunction(c, &lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String("nosuch")})
		expectAPIError[*types.ResourceNotFoundException](t, err, 404)
	})

	t.Run("unqualified invoke", func(t *testing.T) {
		_, err := lc.Invoke(c, &lambda.InvokeInput{FunctionName: aws.String("calculator"), Payload: []byte(`{}`)})
		expectAPIError[*types.InvalidParameterValueException](t, err, 400)
	})

	t.Run("execution name reused with another input", func(t *testing.T) {
		name := aws.String("same-name")
		first, err := lc.Invoke(c, &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), DurableExecutionName: name, Payload: []byte(`{"num1":1,"num2":2}`)})
		if err != nil {
			t.Fatal(err)
		}
		again, err := lc.Invoke(c, &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), DurableExecutionName: name, Payload: []byte(`{"num1":1,"num2":2}`)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(again.DurableExecutionArn) != aws.ToString(first.DurableExecutionArn) || string(again.Payload) != string(first.Payload) {
			t.Errorf("same name and input: got %s %s, want %s %s", aws.ToString(again.DurableExecutionArn), again.Payload, aws.ToString(first.DurableExecutionArn), first.Payload)
		}
		_, err = lc.Invoke(c, &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), DurableExecutionName: name, Payload: []byte(`{"num1":9}`)})
		expectAPIError[*types.DurableExecutionAlreadyStartedException](t, err, 409)
		_, err = lc.Invoke(c, &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), DurableExecutionName: aws.String("not a name!"), Payload: []byte(`{}`)})
		expectAPIError[*types.InvalidParameterValueException](t, err, 400)
		for qualified, want := range map[string]int{"calculator:live": 1, "calculator:v2": 0} {
			list, err := lc.ListDurableExecutionsByFunction(c, &lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String(qualified), DurableExecutionName: name})
			if err != nil || len(list.DurableExecutions) != want {
				t.Errorf("list %s: %v, %d executions, want %d", qualified, err, len(list.DurableExecutions), want)
			}
		}
	})

	t.Run("callback ids the service does not know", func(t *testing.T) {
		_, err := lc.SendDurableExecutionCallbackSuccess(c, &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: aws.String("abc/def=="), Result: []byte(`1`)})
		expectAPIError[*types.InvalidParameterValueException](t, err, 400)
		_, err = lc.SendDurableExecutionCallbackHeartbeat(c, &lambda.SendDurableExecutionCallbackHeartbeatInput{CallbackId: aws.String("not base64!")})
		expectAPIError[*types.InvalidParameterValueException](t, err, 400)
	})

	t.Run("unknown route", func(t *testing.T) {
		_, err := lc.ListFunctions(c, &lambda.ListFunctionsInput{})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "UnknownOperationException" {
			t.Fatalf("got %v, want UnknownOperationException", err)
		}
	})
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:9000", "example.com:9000"} {
		_, err := emulator.New(emulator.Config{Addr: addr})
		var nl *emulator.NonLoopbackError
		if !errors.As(err, &nl) {
			t.Errorf("New(%q): got %v, want a NonLoopbackError", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		srv, err := emulator.New(emulator.Config{Addr: addr})
		if err != nil {
			t.Errorf("New(%q): %v", addr, err)
			continue
		}
		srv.Close()
	}
}

func TestListenerFollowsTheLoopbackRule(t *testing.T) {
	wide, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer wide.Close()
	var nl *emulator.NonLoopbackError
	if _, err := emulator.New(emulator.Config{Listener: wide}); !errors.As(err, &nl) {
		t.Errorf("New with a listener on %s: got %v, want a NonLoopbackError", wide.Addr(), err)
	}
	local, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(emulator.Config{Listener: local})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.Addr() != local.Addr().String() {
		t.Errorf("Addr %s, want the listener's %s", srv.Addr(), local.Addr())
	}
}
