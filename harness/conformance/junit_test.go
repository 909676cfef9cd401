package conformance_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// The JUnit shape as a CI system reads it.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitReport(t *testing.T) {
	req := func(suite, id, desc string, optional bool) *conformance.Requirement {
		return &conformance.Requirement{Suite: suite, ID: id, Description: desc, Optional: optional, Path: suite + "/" + id + ".yaml"}
	}
	report := "event 3 (StepFailed) differs at Id: <&> \"quoted\"\n  expected:\n    Id: ${ID1}"
	outs := []conformance.Outcome{
		{Requirement: req("step", "1-1", "Step basic", false), Verdict: conformance.Pass, Duration: 1500 * time.Microsecond},
		{Requirement: req("step", "1-11", "Step with retry", false), Verdict: conformance.Fail, Message: report},
		{Requirement: req("step", "1-7", "Step with context logger", true), Verdict: conformance.Fail, Message: "ExpectedLogs[0] wants exactly 1, found 2"},
		{Requirement: req("parallel", "8-6", "Fail fast", false), Verdict: conformance.Skip, Message: "ExpectedLogs not checked: out of process"},
	}
	var buf bytes.Buffer
	if err := conformance.WriteJUnit(&buf, outs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), xml.Header) {
		t.Errorf("no XML header:\n%s", buf.String())
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("report does not parse: %v\n%s", err, buf.String())
	}
	if doc.Tests != 4 || doc.Failures != 1 || doc.Skipped != 2 {
		t.Errorf("totals tests=%d failures=%d skipped=%d, want 4 1 2", doc.Tests, doc.Failures, doc.Skipped)
	}
	if len(doc.Suites) != 2 || doc.Suites[0].Name != "step" || doc.Suites[1].Name != "parallel" {
		t.Fatalf("suites = %+v", doc.Suites)
	}
	step := doc.Suites[0]
	if step.Tests != 3 || step.Failures != 1 || step.Skipped != 1 || len(step.Cases) != 3 {
		t.Errorf("step suite tests=%d failures=%d skipped=%d cases=%d", step.Tests, step.Failures, step.Skipped, len(step.Cases))
	}
	pass, fail, optional := step.Cases[0], step.Cases[1], step.Cases[2]
	if pass.Name != "1-1: Step basic" || pass.Classname != "conformance.step" || pass.Time != "0.002" || pass.Failure != nil || pass.Skipped != nil {
		t.Errorf("passing case = %+v", pass)
	}
	if fail.Failure == nil || fail.Failure.Message != `event 3 (StepFailed) differs at Id: <&> "quoted"` || fail.Failure.Text != report {
		t.Errorf("failing case = %+v", fail.Failure)
	}
	if optional.Skipped == nil || optional.Skipped.Message != "optional requirement failed: ExpectedLogs[0] wants exactly 1, found 2" {
		t.Errorf("optional failure = %+v", optional.Skipped)
	}
	skip := doc.Suites[1].Cases[0]
	if skip.Skipped == nil || skip.Skipped.Message != "ExpectedLogs not checked: out of process" {
		t.Errorf("skipped case = %+v", skip.Skipped)
	}
}
