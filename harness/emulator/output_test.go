package emulator_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// slowOutput spends CPU on every write, so the reader of a process's output
// falls behind the process the way a loaded machine makes it.
type slowOutput struct{ work []byte }

func (s slowOutput) Write(p []byte) (int, error) {
	sum := sha256.Sum256(s.work)
	for range 4 {
		sum = sha256.Sum256(append(s.work, sum[:]...))
	}
	return len(p), nil
}

// Every line a process wrote before it posted its answer is in the
// execution's report as soon as the invocation has returned, however far
// behind the output's reader is.
func TestReportHasEveryLineBeforeTheAnswer(t *testing.T) {
	cfg := testFunction(t, "numbered")
	cfg.Output = slowOutput{work: make([]byte, 256<<10)}
	srv, lc := start(t, cfg)
	const lines = 12
	for run := range 5 {
		out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{FunctionName: aws.String("numbered:$LATEST"), Payload: []byte(fmt.Sprintf(`{"Lines":%d}`, lines))})
		if err != nil || out.FunctionError != nil {
			t.Fatalf("invoke: %v %s", err, out.Payload)
		}
		rep, ok := srv.Report(*out.DurableExecutionArn)
		if !ok {
			t.Fatal("no report")
		}
		if len(rep.Logs) != lines {
			t.Fatalf("run %d: %d of %d lines in the report when the invoke returned: %+v", run, len(rep.Logs), lines, rep.Logs)
		}
		for i, l := range rep.Logs {
			if want := fmt.Sprintf("line %d", i); l.Line != want || l.Invocation != 1 {
				t.Errorf("run %d: line %d is %+v, want %q of invocation 1", run, i, l, want)
			}
		}
	}
}
