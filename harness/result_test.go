package harness

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/service"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// nested runs a small tree: a Parallel of two branches (one fails), a
// repeated step name, and a wait.
func nestedResult(t *testing.T) *Result {
	t.Helper()
	return run(t, durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		br := []durable.Branch[int]{
			{Name: "left", Func: func(c durable.Context) (int, error) {
				return durable.Step(c, "work", func(durable.StepContext) (int, error) { return 1, nil })
			}},
			{Name: "right", Func: func(c durable.Context) (int, error) {
				return durable.Step(c, "work", func(durable.StepContext) (int, error) { return 0, errors.New("no") },
					durable.WithRetry(durable.NoRetry()))
			}},
		}
		if _, err := durable.Parallel(ctx, "fan", br, durable.WithMaxConcurrency(1), durable.WithCompletion(durable.AllCompleted())); batchfail.Settled(err) != nil {
			return 0, err
		}
		if err := durable.Wait(ctx, "nap", 5*time.Second); err != nil {
			return 0, err
		}
		return durable.Step(ctx, "work", func(durable.StepContext) (int, error) { return 3, nil })
	}), nil, WithExecutionName("nested"))
}

func TestResultLookups(t *testing.T) {
	r := nestedResult(t)
	r.RequireStatus(t, types.ExecutionStatusSucceeded)
	if r.Name != "nested" || r.Input != "null" || len(r.Operations) != 7 {
		t.Fatalf("name %q input %q, %d operations:\n%s", r.Name, r.Input, len(r.Operations), r.Tree())
	}
	fan := r.MustOp(t, "fan")
	if fan.Type != types.OperationTypeContext || fan.SubType != "Parallel" || len(fan.Children) != 2 || fan.Index != 0 || r.OpAt(0) != fan {
		t.Fatalf("fan: %+v", fan)
	}
	left, right := fan.Child("left"), fan.Child("right")
	if left == nil || right == nil || left.Parent != fan || right.Status != types.OperationStatusFailed {
		t.Fatalf("branches: %+v %+v", left, right)
	}
	works := r.OpsNamed("work")
	if len(works) != 3 || r.OpN("work", 2) != works[2] || r.OpN("work", 3) != nil || r.Op("work") != works[0] {
		t.Fatalf("work occurrences: %d", len(works))
	}
	if works[1].Path() != "fan/right" || works[2].Path() != "" || works[1].Status != types.OperationStatusFailed {
		t.Fatalf("paths %q %q", works[1].Path(), works[2].Path())
	}
	if v, err := OperationResultAs[int](works[2]); err != nil || v != 3 {
		t.Fatalf("typed operation result: %v %v", v, err)
	}
	if _, err := OperationResultAs[int](works[1]); !errors.Is(err, ErrNoOutput) {
		t.Fatalf("a failed step has no result: %v", err)
	}
	if r.OpByID(works[0].Id) != works[0] || r.OpByID("nope") != nil || r.OpAt(99) != nil {
		t.Fatalf("OpByID / OpAt")
	}
	if n := len(r.OpsOfType(types.OperationTypeStep)); n != 3 {
		t.Fatalf("%d steps", n)
	}
	if n := len(r.OpsOfType(types.OperationTypeContext, "ParallelBranch")); n != 2 {
		t.Fatalf("%d branches", n)
	}
	if n := len(r.OpsWithStatus(types.OperationStatusFailed)); n != 2 {
		t.Fatalf("%d failed operations (the step and its branch)", n)
	}
	if n := len(r.TopLevel()); n != 3 {
		t.Fatalf("%d top-level operations", n)
	}
	if n := len(fan.Descendants()); n != 4 {
		t.Fatalf("%d descendants of fan", n)
	}
	if nap := r.Op("nap"); nap.WaitSeconds != 5 || !nap.EndTimestamp.Equal(service.DefaultStart.Add(5*time.Second)) {
		t.Fatalf("wait: %+v", nap)
	}
	if n := r.CountEvents(types.EventTypeStepStarted, works[1]); n != 1 {
		t.Fatalf("%d StepStarted for the failing step", n)
	}
	if got := MustResultAs[int](t, r); got != 3 {
		t.Fatalf("result %d", got)
	}
}

func TestResultTreeAndSignature(t *testing.T) {
	r := nestedResult(t)
	want := `execution nested SUCCEEDED -> 3
├── fan CONTEXT/Parallel SUCCEEDED -> {"all":[{"index":0,"status":"SUCCEEDED","result":1},{"ind...
│   ├── left CONTEXT/ParallelBranch SUCCEEDED -> 1
│   │   └── work STEP/Step SUCCEEDED attempts=1 -> 1
│   └── right CONTEXT/ParallelBranch FAILED !! StepError: no
│       └── work STEP/Step FAILED attempts=1 !! Error: no
├── nap WAIT/Wait SUCCEEDED 5s
└── work STEP/Step SUCCEEDED attempts=1 -> 3
`
	if got := r.Tree(); got != want {
		t.Fatalf("tree:\n%s\nwant:\n%s", got, want)
	}
	sig := r.SignatureString()
	if !strings.Contains(sig, "STEP/Step work FAILED @fan/right\n") || strings.Count(sig, "\n") != 7 {
		t.Fatalf("signature:\n%s", sig)
	}
	again := nestedResult(t)
	if again.SignatureString() != sig {
		t.Fatalf("the signature is not stable")
	}
}

func TestResultReportJSON(t *testing.T) {
	r := nestedResult(t)
	raw, err := r.ReportJSON()
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Status      string
		Result      json.RawMessage
		Error       any
		Operations  []map[string]any
		History     []map[string]any
		Invocations int
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Status != "SUCCEEDED" || string(rep.Result) != "3" || rep.Error != nil || rep.Invocations != 2 ||
		len(rep.Operations) != 7 || len(rep.History) != len(r.History) {
		t.Fatalf("report: %s", raw)
	}
	if last := rep.History[len(rep.History)-1]; last["EventType"] != "ExecutionSucceeded" {
		t.Fatalf("last history entry %v", last)
	}
	if op := rep.Operations[0]; op["name"] != "fan" || op["subType"] != "Parallel" || op["type"] != "CONTEXT" {
		t.Fatalf("operation entry %v", op)
	}
}

// BuildResult needs nothing but the history: that is what a cloud runner
// has.
func TestBuildResultFromHistoryAlone(t *testing.T) {
	full := nestedResult(t)
	r := BuildResult(nil, full.History)
	if r.Status != types.ExecutionStatusSucceeded || *r.Output != "3" || r.Name != "nested" || r.Input != "null" ||
		len(r.Invocations) != 2 || r.SignatureString() != full.SignatureString() {
		t.Fatalf("rebuilt result differs: %s %v\n%s", r.Status, r.Output, r.Tree())
	}
}

func TestRegistry(t *testing.T) {
	reg := NewRegistry()
	inv := durable.Handle(func(durable.Context, any) (int, error) { return 1, nil })
	if err := reg.Register("b", inv); err != nil {
		t.Fatal(err)
	}
	reg.MustRegister("a", inv)
	if err := reg.Register("a", inv); err == nil {
		t.Fatalf("a name may be registered once")
	}
	if got := strings.Join(reg.Names(), ","); got != "a,b" {
		t.Fatalf("names %s", got)
	}
	_, err := reg.Lookup("c")
	var unknown *service.UnknownFunctionError
	if !errors.As(err, &unknown) || strings.Join(unknown.Known, ",") != "a,b" || !strings.Contains(err.Error(), "known: a, b") {
		t.Fatalf("lookup of an unknown name: %v", err)
	}
	if got, err := reg.Lookup("a"); err != nil || got == nil {
		t.Fatalf("lookup: %v", err)
	}
}

func TestErrorLineOfNoError(t *testing.T) {
	if got := ErrorLine(nil); got != "" {
		t.Fatalf("ErrorLine(nil) = %q, want empty", got)
	}
}
