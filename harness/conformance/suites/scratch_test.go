package suites

import (
	"context"
	"testing"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

type scratchTarget struct{}

func (scratchTarget) Run(ctx context.Context, req conformance.Request) (*conformance.Execution, error) {
	res, err := harness.NewLocalRunner(req.Invoker).RunJSON(ctx, string(req.Input))
	if res == nil {
		return nil, err
	}
	e := &conformance.Execution{Status: string(res.Status), History: res.History}
	if res.Output != nil {
		e.Result = *res.Output
	}
	return e, err
}

func TestScratch(t *testing.T) {
	reg := conformance.NewRegistry()
	Register(reg)
	reqs, err := conformance.Load("testdata/step", "testdata/wait", "testdata/child", "testdata/parallel")
	if err != nil {
		t.Fatal(err)
	}
	r := &conformance.Runner{Registry: reg, Target: scratchTarget{}, Seed: 1}
	outs := r.RunAll(context.Background(), reqs)
	for _, o := range outs {
		t.Log(o.Line())
	}
	t.Log(conformance.Summarize(outs))
}
