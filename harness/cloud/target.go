package cloud

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// Target runs conformance requirements through the Lambda API, as the
// official runner does against a deployed stack: each requirement key
// suite/id is a function, named by Functions (an exact key or suite/*) or
// else by FunctionName(key), which is how `dpcheck serve` registers the
// conformance handlers.
type Target struct {
	Client    Client
	Functions map[string]string
	Options   []Option // e.g. WithQualifier, WithTimeout
	// PollInterval, when set, replaces the requirement's (or the official
	// default 2 s) interval between history polls of an asynchronous run:
	// an emulator answers at once, so polling it faster only saves time.
	PollInterval time.Duration
	// Emulator is the URL of dpcheck's emulator when the target is one: the
	// output lines of each execution's function processes are then read
	// from it for ExpectedLogs. "" for AWS (CloudWatch is not read).
	Emulator string
}

var _ conformance.FeatureTarget = (*Target)(nil)

// Supports implements conformance.FeatureTarget: the target answers
// callbacks through the API, as the official runner does, and runs the
// function each requirement names, so requirements need no Go handler.
func (t *Target) Supports(f conformance.Feature) bool {
	return f == conformance.FeatureCallbacks || f == conformance.FeatureServedFunctions
}

// Run implements conformance.Target: it invokes the requirement's function
// with the request's execution name and reports the execution once it has
// ended. An async requirement, or one whose callbacks need answers, takes
// the official runner's polling path (runPolled); a sync one is invoked
// synchronously and read once.
func (t *Target) Run(ctx context.Context, req conformance.Request) (*conformance.Execution, error) {
	if req.Async || len(req.CallbackActions) > 0 {
		return t.runPolled(ctx, req)
	}
	opts := append(append([]Option(nil), t.Options...), WithExecutionName(req.Name), WithAsync(req.Async))
	res, err := NewRunner(t.Client, t.function(req.Key), opts...).RunJSON(ctx, string(req.Input))
	if res == nil {
		return nil, err
	}
	exec := &conformance.Execution{Status: string(res.Status), Result: aws.ToString(res.Output), History: res.History}
	if err == nil {
		err = t.details(ctx, exec, res.Arn, res.Status, res.Error)
	}
	return exec, err
}

// details fills in an execution's cause and, from dpcheck's emulator, the
// lines its function processes printed (as log records) and the checkpoint
// calls the service refused, which the cause names.
func (t *Target) details(ctx context.Context, exec *conformance.Execution, arn string, status types.ExecutionStatus, e *types.ErrorObject) error {
	var rep *emulator.ExecutionReport
	if t.Emulator != "" {
		var err error
		if rep, err = emulator.Inspect(ctx, nil, t.Emulator, arn); err != nil {
			return fmt.Errorf("cloud: the function's output: %w", err)
		}
		exec.Logs = []conformance.LogRecord{}
		for _, l := range rep.Logs {
			if rec, ok := conformance.ParseLogLine(l.Line); ok {
				exec.Logs = append(exec.Logs, rec)
			}
		}
	}
	exec.Cause = rep.Cause(status, e)
	return nil
}

func (t *Target) function(key string) string {
	if fn, ok := t.Functions[key]; ok {
		return fn
	}
	suite, _, _ := strings.Cut(key, "/")
	if fn, ok := t.Functions[suite+"/*"]; ok {
		return fn
	}
	return FunctionName(key)
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

// FunctionName is the Lambda function name of conformance requirement key
// suite/id: "suite--id", with characters Lambda does not allow in a name
// replaced by '_'. ("step/1-1" gives "step--1-1".)
func FunctionName(key string) string {
	suite, id, _ := strings.Cut(key, "/")
	name := unsafeName.ReplaceAllString(suite, "_") + "--" + unsafeName.ReplaceAllString(id, "_")
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}
