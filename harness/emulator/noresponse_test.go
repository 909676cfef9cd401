package emulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/emulator"
)

// noResponseEnv makes this test binary, started as a function process,
// play noResponseRuntime instead of running tests.
const noResponseEnv = "DPCHECK_TEST_NO_RESPONSE_RUNTIME"

func init() {
	if os.Getenv(noResponseEnv) != "" {
		if err := noResponseRuntime(os.Getenv("AWS_LAMBDA_RUNTIME_API")); err != nil {
			fmt.Fprintln(os.Stderr, "no-response runtime:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// noResponseRuntime asks for an invocation, asks for the next one without
// answering it, answers the second with both request ids, and then polls
// until it is stopped.
func noResponseRuntime(api string) error {
	next := func() (string, error) {
		resp, err := http.Get("http://" + api + "/2018-06-01/runtime/invocation/next")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		if resp.StatusCode != http.StatusOK || id == "" {
			return "", fmt.Errorf("next: status %d, request id %q", resp.StatusCode, id)
		}
		return id, nil
	}
	first, err := next()
	if err != nil {
		return err
	}
	second, err := next()
	if err != nil {
		return err
	}
	result, _ := json.Marshal(second + " after " + first)
	output, _ := json.Marshal(map[string]string{"Status": "SUCCEEDED", "Result": string(result)})
	resp, err := http.Post("http://"+api+"/2018-06-01/runtime/invocation/"+second+"/response", "application/json", strings.NewReader(string(output)))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("response: status %d", resp.StatusCode)
	}
	_, err = next()
	return err
}

// noResponseBootstrap writes a bootstrap that runs this test binary as
// noResponseRuntime.
func noResponseBootstrap(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "bootstrap")
	body := fmt.Sprintf("#!/bin/sh\n%s=1 exec '%s'\n", noResponseEnv, self)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// TestNextWithoutAnswerIsNoResponse: a runtime that asks for the next
// invocation without answering the current one fails that invocation with
// Runtime.NoResponse naming its request id, at once rather than at the
// function timeout (Sandbox.Timedout); the service retries, and the same
// process answers the retry.
func TestNextWithoutAnswerIsNoResponse(t *testing.T) {
	_, lc := start(t, emulator.Config{FunctionTimeout: 10 * time.Second,
		Functions: []emulator.Function{{Name: "forgetful", Executable: noResponseBootstrap(t)}}})
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("forgetful:live"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("function error %s: %s", *out.FunctionError, out.Payload)
	}
	var answer string
	if err := json.Unmarshal(out.Payload, &answer); err != nil {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	second, first, ok := strings.Cut(answer, " after ")
	if !ok || first == second {
		t.Fatalf("answer %q, want two request ids", answer)
	}
	res := collect(t, lc, aws.ToString(out.DurableExecutionArn))
	if res.Status != types.ExecutionStatusSucceeded || len(res.Invocations) != 2 {
		t.Fatalf("status %s after %d invocations, want SUCCEEDED after 2", res.Status, len(res.Invocations))
	}
	if e := res.Invocations[0].Error; e == nil || aws.ToString(e.ErrorType) != "Runtime.NoResponse" || !strings.Contains(aws.ToString(e.ErrorMessage), first) {
		t.Fatalf("first invocation error %s, want Runtime.NoResponse naming request %s", invocationError(e), first)
	}
	if e := res.Invocations[1].Error; e != nil {
		t.Fatalf("second invocation error %s, want none", invocationError(e))
	}
}

func invocationError(e *types.ErrorObject) string {
	if e == nil {
		return "<none>"
	}
	return aws.ToString(e.ErrorType) + ": " + aws.ToString(e.ErrorMessage)
}
