package conformance_test

import (
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

func TestMismatchReport(t *testing.T) {
	r := readReq(t, "testdata/official/step/1-11.yaml")
	h := retryHistory()
	h[2].StepFailedDetails.RetryDetails.CurrentAttempt = 2 // EventId 3
	h[4].Id = nil                                          // EventId 5 differs too, but later
	exec := &conformance.Execution{Status: "FAILED", History: h}
	mms, err := conformance.Check(r, exec, conformance.Bindings{})
	if err != nil {
		t.Fatal(err)
	}
	if len(mms) != 2 {
		t.Fatalf("%d mismatches, want the first differing event and the status", len(mms))
	}
	report := mms[0].Error()
	for _, want := range []string{
		"step/1-11: event 3 (StepFailed, line 20) differs at StepFailedDetails.RetryDetails.CurrentAttempt: expected 1, got 2\n",
		"  expected:\n    EventType: StepFailed\n    SubType: Step\n    EventId: 3\n    Id: ${ID1}\n    EventTimestamp: '*'\n",
		"      RetryDetails:\n        CurrentAttempt: 1\n        NextAttemptDelaySeconds: '*'\n",
		"  actual:\n    EventType: StepFailed\n    SubType: Step\n    EventId: 3\n    Id: op-1\n",
		"      RetryDetails:\n        CurrentAttempt: 2\n        NextAttemptDelaySeconds: 1\n",
		"  bindings: ID1=\"op-1\"\n",
		"  actual history:\n      1 ExecutionStarted id=\"exec-id\"\n      2 StepStarted Step id=\"op-1\"\n",
		"  >   3 StepFailed Step id=\"op-1\" error=Error: boom retry={\"CurrentAttempt\":2,\"NextAttemptDelaySeconds\":1}\n",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q; report:\n%s", want, report)
		}
	}
	if strings.Contains(report, "event 5") {
		t.Errorf("report names a later event:\n%s", report)
	}
	if got := mms[1].Error(); got != "step/1-11: execution status: expected SUCCEEDED, got FAILED" {
		t.Errorf("status report = %q", got)
	}
}

func TestMismatchReportForAMissingEvent(t *testing.T) {
	r := readReq(t, "testdata/official/step/1-11.yaml")
	exec := &conformance.Execution{Status: "SUCCEEDED", Result: `"Operation succeeded"`, History: retryHistory()[:4]}
	mms, err := conformance.Check(r, exec, conformance.Bindings{})
	if err != nil {
		t.Fatal(err)
	}
	if len(mms) != 1 {
		t.Fatalf("%d mismatches, want 1", len(mms))
	}
	report := mms[0].Error()
	if !strings.HasPrefix(report, "step/1-11: event 5 (StepStarted, line 34): no event with EventId 5: the history has 4 events\n") {
		t.Errorf("report:\n%s", report)
	}
	if strings.Contains(report, "  actual:\n") {
		t.Errorf("report shows an actual event for a missing one:\n%s", report)
	}
}

func TestResultMismatchReport(t *testing.T) {
	r := parse(t, "ExpectedResult:\n  ExecutionStatus: SUCCEEDED\n  Result: [b0, '${X}']\n")
	mm := conformance.MatchResult(r.ExpectedResult, "SUCCEEDED", `["b0","b2"]`, conformance.Bindings{"X": "b1"})
	if mm == nil {
		t.Fatal("no mismatch")
	}
	want := "result differs: expected result [\"b0\",\"b1\"], got [\"b0\",\"b2\"]\n  bindings: X=\"b1\""
	if got := mm.Error(); got != want {
		t.Errorf("report = %q\nwant     %q", got, want)
	}
}
