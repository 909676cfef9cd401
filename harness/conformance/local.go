package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dpcheck/dpcheck/harness"
)

// LocalTarget runs each request's handler in process on a fresh fake backend
// (harness.LocalRunner): virtual clock, so waits and retry delays cost nothing;
// retry jitter and branch scheduling seeded with Seed; at most MaxInvocations
// invocations (0: the runner's default). Async requests run to the end like
// sync ones: only the final history is matched, which is what an async
// requirement without ExpectedResult asks for once its events are there.
type LocalTarget struct {
	Seed           uint64
	MaxInvocations int
}

// Run implements Target.
func (t LocalTarget) Run(ctx context.Context, req Request) (*Execution, error) {
	if req.Invoker == nil {
		return nil, errors.New("conformance: the local target needs an in-process handler")
	}
	opts := []harness.RunnerOption{
		harness.WithFunctionName(strings.ReplaceAll(req.Key, "/", "-")),
		harness.WithExecutionName(req.Name),
		harness.WithSeed(t.Seed),
		harness.WithSeededScheduler(t.Seed),
	}
	if t.MaxInvocations > 0 {
		opts = append(opts, harness.WithMaxInvocations(t.MaxInvocations))
	}
	res, err := harness.NewLocalRunner(req.Invoker, opts...).RunJSON(ctx, string(req.Input))
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("%w (status %s after %d invocations)", err, res.Status, len(res.Invocations))
		}
		return nil, err
	}
	exec := &Execution{Status: string(res.Status), History: res.History}
	if res.Output != nil {
		exec.Result = *res.Output
	}
	return exec, nil
}
