package conformance_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// On a target that runs the function a key names, a requirement needs no
// registered handler, and ExpectedLogs are checked against the records the
// target captured from the function's output.
func TestRunnerServedFunctionWithoutHandler(t *testing.T) {
	req := readReq(t, "testdata/official/step/1-7.yaml")
	run := func(lines ...string) conformance.Outcome {
		target := &scriptedTarget{served: true, script: func(r conformance.Request) *conformance.Execution {
			if r.Invoker != nil {
				t.Errorf("a served requirement got an Invoker")
			}
			exec := greetingExecution(r)
			if lines != nil {
				exec.Logs = []conformance.LogRecord{}
				for _, l := range lines {
					if rec, ok := conformance.ParseLogLine(l); ok {
						exec.Logs = append(exec.Logs, rec)
					}
				}
			}
			return exec
		}}
		r := &conformance.Runner{Registry: conformance.NewRegistry(), Target: target, Seed: 42}
		return r.Run(context.Background(), req)
	}
	input := run().Bindings["INPUT_1"].(string)

	ok := run(`{"level":"INFO","message":"Greeting step started for: `+input+`"}`,
		`{"time":"x","level":"INFO","msg":"Greeting step completed with: Hello, `+input+`!"}`,
		`{"level":"DEBUG","message":"[ERROR] below the default level, dropped"}`)
	if ok.Verdict != conformance.Pass {
		t.Fatalf("served, right logs: %s", ok.Line())
	}
	missing := run(`plain line`)
	if missing.Verdict != conformance.Fail || !strings.Contains(missing.Message, "ExpectedLogs[0]") {
		t.Errorf("served, logs missing: %s", missing.Line())
	}
	uncaptured := run()
	if uncaptured.Verdict != conformance.Skip || !strings.Contains(uncaptured.Message, "does not capture its output") {
		t.Errorf("served, output not captured: %s", uncaptured.Line())
	}
}

func TestParseLogLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want conformance.LogRecord
		kept bool
	}{
		{"plain text", conformance.LogRecord{"message": "plain text"}, true},
		{`{"level":"INFO","message":"m","n":1,"ok":true,"ctx":{"id":"a","deep":{"k":null}}}`,
			conformance.LogRecord{"level": "INFO", "message": "m", "n": json.Number("1"), "ok": true, "ctx.id": "a", "ctx.deep.k": nil}, true},
		{`{"message":"m"} trailing`, conformance.LogRecord{"message": `{"message":"m"} trailing`}, true},
		{`{"level":"INFO","msg":"from slog"}`, conformance.LogRecord{"level": "INFO", "msg": "from slog", "message": "from slog"}, true},
		{`{"level":"debug","message":"d"}`, conformance.LogRecord{"level": "debug", "message": "d"}, false},
		{`[1,2]`, conformance.LogRecord{"message": "[1,2]"}, true},
	} {
		got, kept := conformance.ParseLogLine(tc.line)
		if kept != tc.kept || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseLogLine(%s) = %v, %v; want %v, %v", tc.line, got, kept, tc.want, tc.kept)
		}
	}
}

// On a target that runs served functions, a requirement whose Go handler
// needs Tools.Crash still runs: the function served under its name is
// another program (dpcheck serve never serves such a handler), which may
// crash itself.
func TestRunnerServedCrashRequirementRuns(t *testing.T) {
	req := readReq(t, "testdata/official/step/1-1.yaml")
	reg := conformance.NewRegistry()
	reg.Register("step/1-1", func(*conformance.Tools) durable.Invoker { return nil }, conformance.NeedsCrash())
	target := &scriptedTarget{served: true, script: greetingExecution}
	o := (&conformance.Runner{Registry: reg, Target: target, Seed: 1}).Run(context.Background(), req)
	if o.Verdict != conformance.Pass || len(target.requests) != 1 {
		t.Fatalf("served crash requirement: %s (%d runs), want PASS after one run", o.Line(), len(target.requests))
	}

	// Nothing served under the name: only dpcheck's own handler could have
	// run it, and it is not served, so the requirement is skipped, saying why.
	notFound := fmt.Errorf("cloud: invoke: %w", &types.ResourceNotFoundException{Message: aws.String("Function not found: step--1-1")})
	o = (&conformance.Runner{Registry: reg, Target: &erroringTarget{err: notFound}, Seed: 1}).Run(context.Background(), req)
	if o.Verdict != conformance.Skip || !strings.Contains(o.Message, "crashes its process with Tools.Crash, so dpcheck serve does not serve it") {
		t.Errorf("unserved crash requirement: %s", o.Line())
	}
	// Any other failure of the run is a failure.
	o = (&conformance.Runner{Registry: reg, Target: &erroringTarget{err: errors.New("connection refused")}, Seed: 1}).Run(context.Background(), req)
	if o.Verdict != conformance.Fail {
		t.Errorf("crash requirement whose run failed: %s", o.Line())
	}
}

// erroringTarget runs served functions and fails every run with err.
type erroringTarget struct{ err error }

func (e *erroringTarget) Run(context.Context, conformance.Request) (*conformance.Execution, error) {
	return nil, e.err
}

func (e *erroringTarget) Supports(f conformance.Feature) bool {
	return f == conformance.FeatureServedFunctions
}
