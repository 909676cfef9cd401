package fullrun

import (
	"context"
	"fmt"
	"testing"

	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/harness/conformance/suites"
)

func TestFull(t *testing.T) {
	reg := conformance.NewRegistry()
	suites.Register(reg)
	reqs, err := conformance.Load("/work/shared/conformance")
	if err != nil {
		t.Fatal(err)
	}
	r := &conformance.Runner{Registry: reg, Target: conformance.LocalTarget{Seed: 7}, Seed: 7}
	outs := r.RunAll(context.Background(), reqs)
	for _, o := range outs {
		if o.Verdict != conformance.Pass {
			fmt.Println(o.Line())
		}
	}
	fmt.Println(conformance.Summarize(outs))
}
