package conformance_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// childExecution is a run of child/3-2 with the given variable values and ids.
func childExecution(b conformance.Bindings, ctxID, stepID string) *conformance.Execution {
	name, value := b["INPUT_1"].(string), b["INPUT_2"].(string)
	payload := `"` + value + `"`
	result := &types.EventResult{Payload: aws.String(payload), Truncated: aws.Bool(false)}
	return &conformance.Execution{Status: "SUCCEEDED", Result: payload, History: []types.Event{
		executionStarted(`{"name":"` + name + `","value":"` + value + `"}`),
		event(2, types.EventTypeContextStarted, op(ctxID, "RunInChildContext", name), func(e *types.Event) {
			e.ContextStartedDetails = &types.ContextStartedDetails{}
		}),
		event(3, types.EventTypeStepStarted, op(stepID, "Step", ""), parent(ctxID), func(e *types.Event) {
			e.StepStartedDetails = &types.StepStartedDetails{}
		}),
		event(4, types.EventTypeStepSucceeded, op(stepID, "Step", ""), parent(ctxID), func(e *types.Event) {
			e.StepSucceededDetails = &types.StepSucceededDetails{Result: result, RetryDetails: &types.RetryDetails{CurrentAttempt: 1}}
		}),
		event(5, types.EventTypeContextSucceeded, op(ctxID, "RunInChildContext", name), func(e *types.Event) {
			e.ContextSucceededDetails = &types.ContextSucceededDetails{Result: result}
		}),
		invocationCompleted(6),
		event(7, types.EventTypeExecutionSucceeded, func(e *types.Event) {
			e.Id, e.Name = aws.String("exec-"+ctxID), aws.String("run-"+ctxID)
			e.ExecutionSucceededDetails = &types.ExecutionSucceededDetails{Result: result}
		}),
	}}
}

func TestRecordRewritesExpectationsForReview(t *testing.T) {
	src, err := os.ReadFile("testdata/official/child/3-2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "child", "3-2.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	req := readReq(t, path)
	b := req.Bind(rand.New(rand.NewPCG(1, 1)))
	if err := conformance.Record(req, childExecution(b, "ctx-a", "step-a"), b); err != nil {
		t.Fatal(err)
	}

	text, _ := os.ReadFile(path)
	for _, want := range []string{"---\n# 3.2: Child context with name\n", "description: Child context with name\n", "INPUT_1: ${GEN_STR:8}"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("recorded file lost %q:\n%s", want, text)
		}
	}
	for _, leak := range []string{b["INPUT_1"].(string), b["INPUT_2"].(string), "ctx-a", "step-a", "run-", "req-1", "1767225"} {
		if strings.Contains(string(text), leak) {
			t.Errorf("recorded file holds run-specific %q:\n%s", leak, text)
		}
	}

	rec := readReq(t, path)
	if rec.ExpectedResult == nil || rec.ExpectedResult.ExecutionStatus != "SUCCEEDED" || rec.ExpectedResult.Result != "${INPUT_2}" {
		t.Errorf("recorded result = %+v", rec.ExpectedResult)
	}
	if n := len(rec.ExpectedExecutionHistory); n != 6 {
		t.Fatalf("%d recorded events, want 6 (EventIds 2..7)", n)
	}
	ctx := rec.ExpectedExecutionHistory[0].Fields
	if ctx["Id"] != "${CTX1}" || ctx["Name"] != "${INPUT_1}" || ctx["EventTimestamp"] != "*" || ctx["EventType"] != "ContextStarted" {
		t.Errorf("recorded ContextStarted = %v", ctx)
	}
	step := rec.ExpectedExecutionHistory[2].Fields
	if step["Id"] != "${STEP1}" || step["ParentId"] != "${CTX1}" {
		t.Errorf("recorded StepSucceeded = %v", step)
	}
	if d := step["StepSucceededDetails"].(map[string]any)["Result"].(map[string]any)["Payload"]; d != `"${INPUT_2}"` {
		t.Errorf("recorded payload = %v", d)
	}
	if d, ok := rec.ExpectedExecutionHistory[4].Fields["InvocationCompletedDetails"].(map[string]any); !ok || len(d) != 0 {
		t.Errorf("recorded InvocationCompletedDetails = %v, want {}", rec.ExpectedExecutionHistory[4].Fields["InvocationCompletedDetails"])
	}

	// The recorded file holds for another run with other values and ids...
	b2 := rec.Bind(rand.New(rand.NewPCG(2, 2)))
	if mms, err := conformance.Check(rec, childExecution(b2, "ctx-b", "step-b"), b2); err != nil || len(mms) != 0 {
		t.Fatalf("recorded file rejects a good run: %v %v", err, mms)
	}
	// ...and still catches a step parented to the wrong context.
	bad := childExecution(b2, "ctx-b", "step-b")
	bad.History[3].ParentId = aws.String("elsewhere")
	b3 := rec.Bind(rand.New(rand.NewPCG(2, 2)))
	mms, err := conformance.Check(rec, bad, b3)
	if err != nil || len(mms) != 1 || mms[0].EventID != 4 || mms[0].Path != "ParentId" {
		t.Fatalf("mismatches = %v, %v; want one at event 4 ParentId", mms, err)
	}
}
