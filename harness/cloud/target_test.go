package cloud_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// loggerEnv, in the environment of the function processes, makes the test
// binary a Lambda bootstrap that logs: a JSON line per step and a plain
// line, as a function written with any SDK prints them.
const loggerEnv = "DPCHECK_CLOUD_TEST_LOGGER"

func runLogger() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
	durable.Start(func(ctx durable.Context, name string) (string, error) {
		os.Stdout.WriteString("plain: starting " + name + "\n")
		return durable.Step(ctx, "greet", func(sc durable.StepContext) (string, error) {
			sc.Logger().Debug("not kept: below INFO")
			sc.Logger().Info("Greeting step started for: "+name, "attempt", sc.Attempt())
			return "Hello, " + name + "!", nil
		})
	}, durable.WithLogger(logger))
	os.Exit(2)
}

// A requirement runs against a served executable with no Go handler
// registered, on $LATEST unless DPCHECK_QUALIFIER says otherwise, and its
// ExpectedLogs are checked against the lines the emulator captured.
func TestConformanceTargetServedFunction(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(loggerEnv, "1")
	srv, lc := serve(t, emulator.Function{Name: "greeter", Executable: self})
	target, err := cloud.Env{Target: cloud.TargetEndpoint, Endpoint: srv.URL(), Functions: map[string]string{"step/*": "greeter"}}.ConformanceTarget(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !target.Supports(conformance.FeatureServedFunctions) {
		t.Errorf("the target must run served functions")
	}
	path := filepath.Join(t.TempDir(), "step", "logs.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(count int) *conformance.Requirement {
		yaml := fmt.Sprintf(`description: served, no Go handler
Input: Ada
ExpectedResult:
  ExecutionStatus: SUCCEEDED
  Result: Hello, Ada!
ExpectedExecutionHistory: []
ExpectedLogs:
  - match:
      message: '/Greeting step started for: Ada/'
      level: INFO
    count: %d
  - match:
      message: 'plain: starting Ada'
    count: 1
  - match:
      message: '/not kept/'
    count: 0
`, count)
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		reqs, err := conformance.Load(path)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("load: %v %v", reqs, err)
		}
		return reqs[0]
	}
	runner := &conformance.Runner{Registry: conformance.NewRegistry(), Target: target, Seed: 1}
	if o := runner.Run(testCtx(t), write(1)); o.Verdict != conformance.Pass {
		t.Fatalf("%s", o.Line())
	}
	if o := runner.Run(testCtx(t), write(2)); o.Verdict != conformance.Fail || !strings.Contains(o.Message, "ExpectedLogs[0]") {
		t.Errorf("a wrong count must fail naming the expectation: %s", o.Line())
	}
	for _, q := range []struct {
		qualifier string
		want      int
	}{{"$LATEST", 1}, {"live", 0}} { // one: both runs draw the same execution name from the seed
		out, err := lc.ListDurableExecutionsByFunction(context.Background(), &lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String("greeter"), Qualifier: aws.String(q.qualifier)})
		if err != nil || len(out.DurableExecutions) != q.want {
			t.Errorf("executions on %s: %v, %v; want %d", q.qualifier, out, err, q.want)
		}
	}
}
