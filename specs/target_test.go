package specs_test

import (
	"context"
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/cloud"
)

// Target runs a named function to its end and reports the execution as
// the Lambda API shows it. The e2e specs go through it, so the same code
// runs in process, against dpcheck serve and against a deployed stack.
type Target interface {
	Name() string
	Run(ctx context.Context, function, input string) (*harness.Result, error)
}

// target is the suite's target, from DPCHECK_TARGET (BeforeSuite).
var target Target

// localFunctions are the functions the local target knows.
var localFunctions = map[string]durable.Invoker{
	"calculator": durable.Handle(function.Handler),
}

// localTarget runs functions in process on the fake backend.
type localTarget struct{}

func (localTarget) Name() string { return cloud.TargetLocal }

func (localTarget) Run(ctx context.Context, name, input string) (*harness.Result, error) {
	inv, ok := localFunctions[name]
	if !ok {
		return nil, fmt.Errorf("specs: the local target has no function %q", name)
	}
	return harness.NewLocalRunner(inv, harness.WithSeededScheduler(seed())).RunJSON(ctx, input)
}

// cloudTarget invokes deployed functions through the Lambda API
// (DPCHECK_TARGET=endpoint or aws; DPCHECK_FUNCTIONS maps names).
type cloudTarget struct{ env cloud.Env }

func (t cloudTarget) Name() string { return t.env.Target }

func (t cloudTarget) Run(ctx context.Context, name, input string) (*harness.Result, error) {
	r, err := t.env.Runner(ctx, name, cloud.WithNamePrefix("dpcheck-specs"))
	if err != nil {
		return nil, err
	}
	return r.RunJSON(ctx, input)
}

// targetFromEnv reads DPCHECK_TARGET and friends; a bad setting fails the
// suite before any spec runs.
func targetFromEnv() Target {
	env, err := cloud.ReadEnv()
	if err != nil {
		Fail(err.Error())
	}
	if !env.Remote() {
		return localTarget{}
	}
	return cloudTarget{env: env}
}

// seed is the suite's random seed, the root of every random choice.
func seed() uint64 { return uint64(GinkgoRandomSeed()) }
