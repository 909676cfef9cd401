package emulator_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// Invoke with LogType Tail answers X-Amz-Log-Result: the base64 of the last
// 4 KB of what the function printed; without it, none.
func TestInvokeLogTail(t *testing.T) {
	_, lc := start(t, testFunction(t, "chatty"))
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("chatty:$LATEST"), LogType: types.LogTypeTail, Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatalf("LogResult %q: %v", aws.ToString(out.LogResult), err)
	}
	var all strings.Builder
	for i := range 100 {
		fmt.Fprintf(&all, "line %03d %s\n", i, strings.Repeat("x", 91))
	}
	if want := all.String()[all.Len()-4096:]; string(tail) != want {
		t.Errorf("tail of %d bytes:\n%.200s…\nwant the last 4096 bytes of the output", len(tail), tail)
	}
	out, err = lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("chatty:$LATEST"), Payload: []byte(`{}`)})
	if err != nil || out.LogResult != nil {
		t.Errorf("without LogType: LogResult %v, err %v; want none", out.LogResult, err)
	}
	_, err = lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("chatty:$LATEST"), LogType: "All", Payload: []byte(`{}`)})
	e := expectAPIError[*types.InvalidParameterValueException](t, err, 400)
	if want := `X-Amz-Log-Type "All" is not None or Tail`; e.ErrorMessage() != want {
		t.Errorf("message %q, want %q", e.ErrorMessage(), want)
	}
}

// ExecutedVersion and GetDurableExecution's Version agree: both are the
// version the qualifier resolved to (an alias names version 1), as the API
// model describes each field.
func TestExecutedVersionIsTheExecutionsVersion(t *testing.T) {
	t.Parallel()
	echo := durable.Handle(func(_ durable.Context, in any) (any, error) { return in, nil })
	_, lc := start(t, emulator.Config{Functions: []emulator.Function{{Name: "echo", Invoker: echo}}})
	for qualifier, want := range map[string]string{"live": "1", "1": "1", "$LATEST": "$LATEST"} {
		out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("echo:" + qualifier), Payload: []byte(`1`)})
		if err != nil {
			t.Fatal(err)
		}
		exec, err := lc.GetDurableExecution(ctx(t), &lambda.GetDurableExecutionInput{DurableExecutionArn: out.DurableExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ExecutedVersion) != want || aws.ToString(exec.Version) != want {
			t.Errorf("echo:%s: ExecutedVersion %q, Version %q; want both %q", qualifier, aws.ToString(out.ExecutedVersion), aws.ToString(exec.Version), want)
		}
	}
}
