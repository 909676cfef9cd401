package conformance

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML, the subset CI systems read: one testsuite per suite folder, one
// testcase per requirement; a failure carries the report, a skip its reason.
// An optional requirement that failed is written as skipped, because it does
// not fail the run.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure"`
	Skipped   *junitMessage `xml:"skipped"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes outcomes as a JUnit XML report. Suites appear in the order
// their first requirement does.
func WriteJUnit(w io.Writer, outs []Outcome) error {
	doc := junitSuites{Name: "dpcheck conform"}
	index := map[string]int{}
	var total float64
	suiteTime := map[string]float64{}
	for i := range outs {
		o := &outs[i]
		req := o.Requirement
		si, ok := index[req.Suite]
		if !ok {
			si = len(doc.Suites)
			index[req.Suite] = si
			doc.Suites = append(doc.Suites, junitSuite{Name: req.Suite})
		}
		s := &doc.Suites[si]
		secs := o.Duration.Seconds()
		total += secs
		suiteTime[req.Suite] += secs
		c := junitCase{Name: req.ID, Classname: "conformance." + req.Suite, File: req.Path, Time: seconds(secs)}
		if req.Description != "" {
			c.Name = req.ID + ": " + strings.Join(strings.Fields(req.Description), " ")
		}
		switch {
		case o.OptionalFailure():
			c.Skipped = &junitMessage{Message: "optional requirement failed: " + firstLine(o.Message), Text: o.Message}
			s.Skipped++
			doc.Skipped++
		case o.Verdict == Fail:
			c.Failure = &junitMessage{Message: firstLine(o.Message), Type: "ConformanceFailure", Text: o.Message}
			s.Failures++
			doc.Failures++
		case o.Verdict == Skip:
			c.Skipped = &junitMessage{Message: o.Message}
			s.Skipped++
			doc.Skipped++
		}
		s.Tests++
		doc.Tests++
		s.Cases = append(s.Cases, c)
	}
	for i := range doc.Suites {
		doc.Suites[i].Time = seconds(suiteTime[doc.Suites[i].Name])
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("conformance: write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("conformance: write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("conformance: write junit: %w", err)
	}
	return nil
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
