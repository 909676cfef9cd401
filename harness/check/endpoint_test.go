package check_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// bootstrapEnv, in the environment of the function processes, makes the
// test binary a Lambda bootstrap: the emulator starts it, TestMain sees the
// variable and runs the function it names instead of the tests.
const bootstrapEnv = "DPCHECK_CHECK_TEST_BOOTSTRAP"

// countDirEnv names the folder where the planted functions count the
// invocations of each execution across processes.
const countDirEnv = "DPCHECK_CHECK_TEST_COUNTS"

func TestMain(m *testing.M) {
	if name := os.Getenv(bootstrapEnv); name != "" {
		runBootstrap(name)
	}
	os.Exit(m.Run())
}

func runBootstrap(name string) {
	switch name {
	case "calculator":
		durable.Start(function.Handler) // what function/cmd/bootstrap runs
	case "invocation-count":
		// Planted bug: the result depends on how many times the execution
		// was invoked, which a crash or a lost answer changes.
		startPlanted(false, func(ctx durable.Context, _ any) (map[string]int, error) {
			v, err := durable.Step(ctx, "work", func(durable.StepContext) (int, error) { return 7, nil })
			return map[string]int{"work": v, "invocation": invocationNo}, err
		})
	case "forgetful":
		// Planted bug: an SDK that ignores the checkpointed operations of a
		// re-invoked execution, so it runs succeeded steps again.
		startPlanted(true, func(ctx durable.Context, _ any) (int, error) {
			a, err := durable.Step(ctx, "first", func(durable.StepContext) (int, error) { return 1, nil })
			if err != nil {
				return 0, err
			}
			b, err := durable.Step(ctx, "second", func(durable.StepContext) (int, error) { return 2, nil })
			return a + b, err
		})
	}
	log.Fatalf("%s=%q names no test function", bootstrapEnv, name)
}

// invocationNo is the number of the invocation in flight within its
// execution, counted in files so that it survives a killed process.
var invocationNo int

func startPlanted[E, R any](forget bool, fn func(durable.Context, E) (R, error)) {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	env := durable.Env{Client: lambda.NewFromConfig(cfg)}
	inv := durable.Handle(fn)
	awslambda.Start(rawHandler(func(ctx context.Context, envelope []byte) ([]byte, error) {
		var head struct {
			DurableExecutionArn   string
			InitialExecutionState struct{ Operations []map[string]any }
		}
		if err := json.Unmarshal(envelope, &head); err != nil {
			return nil, err
		}
		invocationNo = countInvocation(head.DurableExecutionArn)
		if forget && invocationNo > 1 {
			var full map[string]any
			_ = json.Unmarshal(envelope, &full)
			var kept []map[string]any
			for _, op := range head.InitialExecutionState.Operations {
				if op["Type"] == "EXECUTION" {
					kept = append(kept, op)
				}
			}
			full["InitialExecutionState"] = map[string]any{"Operations": kept}
			envelope, _ = json.Marshal(full)
		}
		return inv(ctx, env, envelope)
	}))
}

type rawHandler func(context.Context, []byte) ([]byte, error)

func (h rawHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return h(ctx, payload)
}

func countInvocation(arn string) int {
	sum := sha256.Sum256([]byte(arn))
	path := filepath.Join(os.Getenv(countDirEnv), hex.EncodeToString(sum[:8]))
	raw, _ := os.ReadFile(path)
	n, _ := strconv.Atoi(string(raw))
	n++
	if err := os.WriteFile(path, []byte(strconv.Itoa(n)), 0o600); err != nil {
		log.Fatal(err)
	}
	return n
}

// serveSelf serves the test binary as function name on a fresh emulator.
func serveSelf(t *testing.T, name string) *emulator.Server {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(bootstrapEnv, name)
	t.Setenv(countDirEnv, t.TempDir())
	srv, err := emulator.New(emulator.Config{
		Functions:      []emulator.Function{{Name: name, Executable: self}},
		MaxInvocations: 10, // a planted bug that never ends is stopped soon
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func sweepCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// The real calculator survives every fault at every checkpoint call, for
// an input where all steps succeed and one where division fails.
func TestEndpointSweepCalculator(t *testing.T) {
	srv := serveSelf(t, "calculator")
	for _, input := range []string{`{"num1":10,"num2":5}`, `{"num1":10,"num2":0}`} {
		rep, err := check.EndpointSweep{Endpoint: srv.URL(), Function: "calculator"}.Run(sweepCtx(t), input)
		if err != nil {
			t.Fatalf("%s: %v", input, err)
		}
		if rep.Clean.Calls < 2 || len(rep.Runs) != 4*rep.Clean.Calls {
			t.Fatalf("%s: %d calls, %d runs; want every call with all four faults", input, rep.Clean.Calls, len(rep.Runs))
		}
		for _, run := range rep.Runs {
			if run.Divergence != nil {
				t.Errorf("%s: %v", input, run.Divergence)
			}
			// The parallel branches batch their updates by timing, so the
			// clean run may have taken one call more than most runs do; every
			// earlier call is always reached.
			last := run.Fault.Call == rep.Clean.Calls
			if !run.Applied && (!last || run.Tries != 3 || run.Calls >= run.Fault.Call) {
				t.Errorf("%s: %s never fired: %s", input, run.Fault, run.Line())
			}
		}
	}
}

// A result that depends on the invocation count diverges under the
// faults that add an invocation; the divergence names the result and the
// ExecutionSucceeded event.
func TestEndpointSweepCatchesInvocationCount(t *testing.T) {
	srv := serveSelf(t, "invocation-count")
	rep, err := check.EndpointSweep{Endpoint: srv.URL(), Function: "invocation-count"}.Run(sweepCtx(t), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Clean.Outcome.Result; got != `{"invocation":1,"work":7}` {
		t.Fatalf("clean result %s", got)
	}
	diverged := map[string]bool{}
	for _, run := range rep.Divergences() {
		diverged[run.Fault.String()] = true
		d := run.Divergence
		if !strings.HasPrefix(d.What, "result ") || !strings.Contains(d.Event, "ExecutionSucceeded") {
			t.Errorf("%s: %q at %q, want a result difference at ExecutionSucceeded", run.Fault, d.What, d.Event)
		}
	}
	for k := 1; k <= rep.Clean.Calls; k++ {
		if plan := fmt.Sprintf("kill@%d", k); !diverged[plan] {
			t.Errorf("%s did not diverge; divergences: %v", plan, diverged)
		}
	}
}

// An SDK that forgets the checkpointed steps when re-invoked runs them
// again; the service refuses to start a succeeded step, and the sweep
// reports the runs after a kill as divergent.
func TestEndpointSweepCatchesRerunSteps(t *testing.T) {
	srv := serveSelf(t, "forgetful")
	rep, err := check.EndpointSweep{Endpoint: srv.URL(), Function: "forgetful", Faults: []emulator.FaultKind{emulator.FaultKill}}.Run(sweepCtx(t), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Clean.Outcome.Result != "3" {
		t.Fatalf("clean result %q", rep.Clean.Outcome.Result)
	}
	if got := len(rep.Divergences()); got == 0 {
		t.Fatalf("no divergence in %d runs:\n%s", len(rep.Runs), lines(rep))
	}
	first := rep.Runs[0]
	if first.Divergence == nil || first.Fault.String() != "kill@1" || !strings.HasPrefix(first.Divergence.What, "status ") {
		t.Errorf("kill@1: %+v, want a status divergence", first.Divergence)
	}
}

func lines(rep *check.SweepReport) string {
	var sb strings.Builder
	for _, run := range append([]check.SweepRun{rep.Clean}, rep.Runs...) {
		sb.WriteString(run.Line() + "\n")
	}
	return sb.String()
}

// Bad configurations are refused with the field named.
func TestEndpointSweepConfig(t *testing.T) {
	for _, tc := range []struct {
		s    check.EndpointSweep
		want string
	}{
		{check.EndpointSweep{Function: "f"}, "Endpoint"},
		{check.EndpointSweep{Endpoint: "http://127.0.0.1:1"}, "Function"},
	} {
		if _, err := tc.s.Run(context.Background(), `{}`); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error naming %s", tc.s, err, tc.want)
		}
	}
}
