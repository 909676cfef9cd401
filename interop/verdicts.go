package interop

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Verdicts are the requirement verdicts of a `dpcheck conform` report, by
// "suite/id": PASS, FAIL (optional failures too) or SKIP.
type Verdicts map[string]string

// ReadConformReport reads the verdict lines of conform's console report
// ("PASS key ...", "FAIL key ...", "FAIL (optional) key ...",
// "SKIP key ...: reason"); report details, the seed and the summary are
// skipped. A requirement reported twice is an error.
func ReadConformReport(r io.Reader) (Verdicts, error) {
	out := Verdicts{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		// Indented lines are report text: a verdict starts its line.
		if len(fields) < 2 || line[0] == ' ' || line[0] == '\t' || !slices.Contains([]string{"PASS", "FAIL", "SKIP"}, fields[0]) {
			continue
		}
		verdict, key := fields[0], fields[1]
		if key == "(optional)" && len(fields) > 2 {
			key = fields[2]
		}
		key = strings.TrimSuffix(key, ":")
		if !keyPattern.MatchString(key) {
			continue
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("interop: conform reported %s twice", key)
		}
		out[key] = verdict
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("interop: reading the conform report: %w", err)
	}
	return out, nil
}

// Judgement is what a run of the official requirements against an SDK
// comes to: the failures its listed limits explain, and every other
// problem, each of which fails the build.
type Judgement struct {
	Known    []Limit  // listed limits whose requirement failed
	Problems []string // in requirement order, then limit order
}

// Judge compares the verdicts of a run with the requirements it was asked
// to run (want) and the SDK's listed limits. Every requirement must pass,
// or fail and be listed; a skip, a missing verdict, a listed requirement
// that passed and a limit naming no wanted requirement are problems.
func Judge(want []string, got Verdicts, limits []Limit) Judgement {
	listed := map[string]Limit{}
	for _, l := range limits {
		listed[l.Key] = l
	}
	var j Judgement
	for _, key := range want {
		l, isListed := listed[key]
		switch v, ran := got[key]; {
		case !ran:
			j.Problems = append(j.Problems, key+": no verdict (it did not run)")
		case v == "SKIP":
			j.Problems = append(j.Problems, key+": skipped; nothing may be skipped")
		case v == "FAIL" && isListed:
			j.Known = append(j.Known, l)
		case v == "FAIL":
			j.Problems = append(j.Problems, key+": failed and is not a listed SDK limit")
		case isListed:
			j.Problems = append(j.Problems, key+": passed but is listed as an SDK limit: remove it from the list")
		}
	}
	for _, l := range limits {
		if !slices.Contains(want, l.Key) {
			j.Problems = append(j.Problems, fmt.Sprintf("%s (limits line %d): not one of the requirements run", l.Key, l.Line))
		}
	}
	return j
}
