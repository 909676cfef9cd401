package emulator_test

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// testBootstrapEnv, set in the environment of the function processes,
// makes the test binary itself a Lambda bootstrap: the emulator starts it,
// TestMain sees the variable and runs the function it names.
const testBootstrapEnv = "DPCHECK_EMULATOR_TEST_BOOTSTRAP"

func runTestBootstrap(name string) {
	switch name {
	case "printer":
		// Logs a JSON line per step to stdout and a plain line to stderr,
		// as a function's structured and unstructured output.
		logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
		durable.Start(func(ctx durable.Context, in struct{ Tag string }) (string, error) {
			fmt.Fprintln(os.Stderr, "plain line for", in.Tag)
			return durable.Step(ctx, "greet", func(sctx durable.StepContext) (string, error) {
				sctx.Logger().Info("greeting", "tag", in.Tag)
				return "hello " + in.Tag, nil
			})
		}, durable.WithLogger(logger))
	case "stepper":
		// Runs Steps steps one after the other, a checkpoint each.
		durable.Start(func(ctx durable.Context, in struct{ Steps int }) (int, error) {
			sum := 0
			for i := range in.Steps {
				n, err := durable.Step(ctx, fmt.Sprint("step-", i), func(durable.StepContext) (int, error) { return i, nil })
				if err != nil {
					return 0, err
				}
				sum += n
			}
			return sum, nil
		})
	case "numbered":
		// Prints Lines lines, one write each, then answers at once.
		durable.Start(func(ctx durable.Context, in struct{ Lines int }) (int, error) {
			for i := range in.Lines {
				fmt.Fprintf(os.Stdout, "line %d\n", i)
			}
			return in.Lines, nil
		})
	case "chain":
		// Served as two functions: "target" upper-cases its input in a
		// step; "caller" chained-invokes target and returns its result.
		if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") == "target" {
			durable.Start(func(ctx durable.Context, in string) (string, error) {
				return durable.Step(ctx, "upper", func(durable.StepContext) (string, error) { return strings.ToUpper(in), nil })
			})
		}
		durable.Start(func(ctx durable.Context, in string) (string, error) {
			return durable.Invoke[string](ctx, "call", "target", in)
		})
	case "calculator":
		// The calculator's handler with its branches run one at a time in
		// creation order and a flush clock that never fires: every update
		// rides with the next blocking call, so each run groups its
		// updates into the same checkpoint calls (the real bootstrap's
		// grouping follows goroutine scheduling and the wall clock).
		durable.Start(function.Handler, durable.WithScheduler(inOrder{}), durable.WithClock(harness.NewVirtualClock(time.Unix(0, 0))))
	case "chatty":
		// Prints 100 numbered lines of 100 bytes: more than Invoke's 4 KB
		// log tail holds.
		durable.Start(func(ctx durable.Context, _ any) (int, error) {
			for i := range 100 {
				fmt.Printf("line %03d %s\n", i, strings.Repeat("x", 91))
			}
			return 100, nil
		})
	}
	fmt.Fprintf(os.Stderr, "%s=%q names no test function\n", testBootstrapEnv, name)
	os.Exit(2)
}

// inOrder runs the ready goroutine created first.
type inOrder struct{}

func (inOrder) Pick([]durable.Task) int { return 0 }

// testFunction serves the test binary as the function name.
func testFunction(t *testing.T, name string) emulator.Config {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(testBootstrapEnv, name)
	return emulator.Config{Functions: []emulator.Function{{Name: name, Executable: self}}}
}
