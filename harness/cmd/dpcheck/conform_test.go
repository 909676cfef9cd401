package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// copyFixture copies fixtures/SUITE/ID.yaml to dir/toSuite/toID.yaml,
// applying each old→new replacement (which must match), and returns the
// copy's path.
func copyFixture(t *testing.T, dir, suite, id, toSuite, toID string, replace ...string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "fixtures", suite, id+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(text, replace[i]) {
			t.Fatalf("fixtures/%s/%s.yaml lacks %q", suite, id, replace[i])
		}
		text = strings.Replace(text, replace[i], replace[i+1], 1)
	}
	return writeFile(t, filepath.Join(dir, toSuite, toID+".yaml"), text)
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// lastLine is the final line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

var seedLine = regexp.MustCompile(`(?m)^seed (\d+) \(rerun with --seed (\d+)\)$`)

// wantSeedLine checks the seed line is there, names one seed twice, and
// (when want is not "") that it is want.
func wantSeedLine(t *testing.T, stdout, want string) {
	t.Helper()
	m := seedLine.FindStringSubmatch(stdout)
	switch {
	case m == nil:
		t.Errorf("no seed line in:\n%s", stdout)
	case m[1] != m[2]:
		t.Errorf("seed line names two seeds: %q", m[0])
	case want != "" && m[1] != want:
		t.Errorf("seed line %q, want seed %s", m[0], want)
	}
}

func TestConformPass(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "calculator", "success", "calculator", "success")
	code, stdout, stderr := cli(t, "conform", dir)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing\n%s", code, stderr, stdout)
	}
	want := "PASS calculator/success Calculator with {\"num1\":10,\"num2\":5} succeeds with all four results\n1 passed, 0 failed\n"
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
}

// A file named directly works as well as its directory, and the suite is
// still its folder's name.
func TestConformFileArgument(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := copyFixture(t, dir, "calculator", "division-by-zero", "calculator", "division-by-zero")
	code, stdout, stderr := cli(t, "conform", file, "--seed", "3")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "PASS calculator/division-by-zero ") || lastLine(stdout) != "1 passed, 0 failed" {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
}

// Every fixture of the repository passes (a regression run of the whole
// fixtures folder, as CI does it).
func TestConformRepositoryFixtures(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cli(t, "conform", filepath.Join(repoRoot, "fixtures"))
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, stdout)
	}
	if strings.Contains(stdout, "FAIL") || !regexp.MustCompile(`^\d+ passed, 0 failed$`).MatchString(lastLine(stdout)) {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestConformWrongExpectation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "calculator", "success", "calculator", "success", "Add: 15", "Add: 16")
	for _, seed := range []string{"", "42"} {
		t.Run("seed="+seed, func(t *testing.T) {
			args := []string{"conform", dir}
			if seed != "" {
				args = append(args, "--seed", seed)
			}
			code, stdout, stderr := cli(t, args...)
			if code != 1 || stderr != "" {
				t.Fatalf("exit %d, stderr %q; want 1 and nothing\n%s", code, stderr, stdout)
			}
			if !strings.HasPrefix(stdout, "FAIL calculator/success ") {
				t.Errorf("stdout does not start with the FAIL line:\n%s", stdout)
			}
			if !strings.Contains(stdout, `"Add":16`) || !strings.Contains(stdout, `"Add":15`) {
				t.Errorf("the failure does not show expected and actual results:\n%s", stdout)
			}
			wantSeedLine(t, stdout, seed)
			if got := lastLine(stdout); got != "0 passed, 1 failed" {
				t.Errorf("last line %q, want \"0 passed, 1 failed\"", got)
			}
		})
	}
}

// A requirement without a registered handler is skipped with the reason,
// and the skip fails the run.
func TestConformNoHandler(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "calculator", "success", "nosuite", "nothing")
	copyFixture(t, dir, "calculator", "success", "calculator", "success")
	code, stdout, stderr := cli(t, "conform", dir)
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and nothing\n%s", code, stderr, stdout)
	}
	for _, want := range []string{
		"PASS calculator/success ",
		"SKIP nosuite/nothing ",
		": no Go handler is registered for nosuite/nothing (",
		"not run, and no --allow-skip entry excuses it: nosuite/nothing\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	wantSeedLine(t, stdout, "")
	if got := lastLine(stdout); got != "1 passed, 0 failed, 1 skipped" {
		t.Errorf("last line %q, want \"1 passed, 0 failed, 1 skipped\"", got)
	}
}

func TestConformMalformedYAML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, text, problem string }{
		{"syntax", "description: [unclosed\n", "invalid YAML"},
		{"not a mapping", "- one\n- two\n", "want a mapping"},
		{"empty", "", "empty file"},
		{"two documents", "description: a\n---\ndescription: b\n", "2 YAML documents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyFixture(t, dir, "calculator", "success", "calculator", "success")
			bad := writeFile(t, filepath.Join(dir, "calculator", "broken.yaml"), tc.text)
			code, stdout, stderr := cli(t, "conform", dir)
			wantUsageError(t, code, stdout, stderr, "dpcheck conform: ", bad, tc.problem)
		})
	}
}

func TestConformJUnit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "calculator", "success", "calculator", "success")
	copyFixture(t, dir, "calculator", "division-by-zero", "calculator", "division-by-zero")
	copyFixture(t, dir, "calculator", "success", "nosuite", "nothing")
	report := filepath.Join(t.TempDir(), "report.xml")
	code, stdout, stderr := cli(t, "conform", "--junit", report, dir)
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and nothing\n%s", code, stderr, stdout)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Skipped  int      `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name      string    `xml:"name,attr"`
				Classname string    `xml:"classname,attr"`
				Failure   *struct{} `xml:"failure"`
				Skipped   *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the JUnit report does not parse: %v\n%s", err, data)
	}
	got := map[string]string{} // "classname name" → passed, failed or skipped
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			verdict := "passed"
			if c.Failure != nil {
				verdict = "failed"
			} else if c.Skipped != nil {
				verdict = "skipped"
			}
			got[c.Classname+" "+strings.SplitN(c.Name, ":", 2)[0]] = verdict
		}
	}
	want := map[string]string{
		"conformance.calculator success":          "passed",
		"conformance.calculator division-by-zero": "passed",
		"conformance.nosuite nothing":             "skipped",
	}
	if len(got) != len(want) || doc.Tests != 3 || doc.Failures != 0 || doc.Skipped != 1 {
		t.Errorf("report has %d tests, %d failures, %d skipped, cases %v; want 3, 0, 1, %v", doc.Tests, doc.Failures, doc.Skipped, got, want)
	}
	for k, verdict := range want {
		if g, ok := got[k]; !ok || g != verdict {
			t.Errorf("testcase %s: present %v, %s; want %s", k, ok, g, verdict)
		}
	}
}

// An unwritable --junit path is a usage error found before anything runs:
// no PASS line, nothing on stdout.
func TestConformJUnitUnwritable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "calculator", "success", "calculator", "success")
	bad := filepath.Join(dir, "no", "such", "dir", "r.xml")
	code, stdout, stderr := cli(t, "conform", dir, "--junit", bad)
	wantUsageError(t, code, stdout, stderr, "dpcheck conform: --junit: ", bad)
}

func TestConformUsageErrors(t *testing.T) {
	t.Setenv("DPCHECK_TARGET", "")
	t.Setenv("DPCHECK_ENDPOINT", "")
	t.Setenv("DPCHECK_FUNCTIONS", "")
	dir := t.TempDir()
	copyFixture(t, dir, "calculator", "success", "calculator", "success")
	empty := t.TempDir()
	other := t.TempDir()
	copyFixture(t, other, "calculator", "success", "calculator", "success")
	for _, tc := range []struct {
		name  string
		args  []string
		parts []string
	}{
		{"seed not a number", []string{dir, "--seed", "x"}, []string{`--seed "x"`, "non-negative integer"}},
		{"negative seed", []string{"--seed", "-1", dir}, []string{`--seed "-1"`}},
		{"endpoint not a URL", []string{dir, "--endpoint", "foo"}, []string{`--endpoint "foo"`, "http(s) URL"}},
		{"endpoint without host", []string{dir, "--endpoint", "http://"}, []string{`--endpoint "http://"`}},
		{"no paths", nil, []string{"want at least one requirement DIR or FILE"}},
		{"only flags", []string{"--seed", "1"}, []string{"want at least one requirement DIR or FILE"}},
		{"missing path", []string{filepath.Join(dir, "nonexistent")}, []string{filepath.Join(dir, "nonexistent"), "no such file"}},
		{"empty dir", []string{empty}, []string{"no requirement files (.yaml)", empty}},
		{"unknown flag", []string{dir, "--frobnicate"}, []string{"frobnicate", "dpcheck conform -h"}},
		{"flag without value", []string{dir, "--junit"}, []string{"junit"}},
		{"duplicate requirement", []string{dir, other}, []string{"calculator/success is also defined by"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, append([]string{"conform"}, tc.args...)...)
			wantUsageError(t, code, stdout, stderr, append([]string{"dpcheck conform: "}, tc.parts...)...)
		})
	}
}

// --update rewrites a failing file from the run; the rewritten file passes
// on the same seed. (The recorded history is one interleaving of the
// branches, which the seed fixes.)
func TestConformUpdate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := copyFixture(t, dir, "calculator", "success", "calculator", "success", "Add: 15", "Add: 16")

	code, stdout, stderr := cli(t, "conform", "--update", "--seed", "7", dir)
	if code != 0 || stderr != "" {
		t.Fatalf("--update: exit %d, stderr %q; want 0 and nothing\n%s", code, stderr, stdout)
	}
	if !strings.Contains(stdout, "FAIL calculator/success ") || !strings.Contains(stdout, "  recorded "+file+" (review before committing)\n") {
		t.Errorf("--update output:\n%s", stdout)
	}
	wantSeedLine(t, stdout, "7")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "Add: 16") || !strings.Contains(string(data), "Add: 15") {
		t.Errorf("the rewritten file still expects Add 16:\n%s", data)
	}

	code, stdout, stderr = cli(t, "conform", "--seed", "7", dir)
	if code != 0 || stderr != "" || lastLine(stdout) != "1 passed, 0 failed" {
		t.Fatalf("rerun of the rewritten file: exit %d, stderr %q\n%s\nfile:\n%s", code, stderr, stdout, data)
	}

	// A second --update of a passing file leaves it as it is.
	if code, stdout, _ = cli(t, "conform", "--update", "--seed", "7", dir); code != 0 {
		t.Fatalf("second --update: exit %d\n%s", code, stdout)
	}
	again, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Errorf("a second --update on the same seed changed the file:\n%s\n----\n%s", data, again)
	}
}

// With --update, a requirement that could not run (no handler) fails the
// run and its file is left alone.
func TestConformUpdateNotRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := copyFixture(t, dir, "calculator", "success", "nosuite", "nothing")
	before, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(t, "conform", "--update", dir)
	if code != 1 || stderr != "" || strings.Contains(stdout, "recorded") {
		t.Fatalf("exit %d, stderr %q; want 1, nothing and no recording\n%s", code, stderr, stdout)
	}
	after, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("--update rewrote a requirement that did not run")
	}
}

// A file named twice, or named and inside a named folder, runs once.
func TestConformFileNamedTwiceRunsOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := copyFixture(t, dir, "calculator", "success", "calculator", "success")
	for _, args := range [][]string{{file, file}, {dir, file}, {file, dir + "/calculator/../calculator/./success.yaml"}} {
		code, stdout, stderr := cli(t, append([]string{"conform", "--seed", "1"}, args...)...)
		if code != 0 || stderr != "" || strings.Count(stdout, "PASS calculator/success") != 1 || lastLine(stdout) != "1 passed, 0 failed" {
			t.Errorf("conform %v: exit %d, stderr %q; want one PASS\n%s", args, code, stderr, stdout)
		}
	}
}

// Hostile requirement files are refused at once, naming the file, and -h
// states the limits.
func TestConformRefusesHostileFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var bomb strings.Builder
	bomb.WriteString("a0: &a0 [lol]\n")
	for l := 1; l <= 9; l++ {
		fmt.Fprintf(&bomb, "a%d: &a%d [%s]\n", l, l, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", l-1), 9), ","))
	}
	bombFile := writeFile(t, filepath.Join(dir, "bomb", "1-1.yaml"), "Input:\n  "+strings.ReplaceAll(bomb.String(), "\n", "\n  ")+"\nExpectedResult: {ExecutionStatus: SUCCEEDED}\n")
	bigFile := writeFile(t, filepath.Join(dir, "big", "1-1.yaml"), "description: '"+strings.Repeat("x", conformance.MaxFileBytes)+"'\n")
	for file, problem := range map[string]string{
		bombFile: fmt.Sprintf("expands to more than %d nodes", conformance.MaxNodes),
		bigFile:  fmt.Sprintf("larger than %d bytes", conformance.MaxFileBytes),
	} {
		code, stdout, stderr := cli(t, "conform", file)
		wantUsageError(t, code, stdout, stderr, "dpcheck conform: conformance: "+file+": ", problem)
	}
	code, stdout, _ := cli(t, "conform", "-h")
	for _, limit := range []int{conformance.MaxFileBytes, conformance.MaxNodes} {
		if code != 0 || !strings.Contains(stdout, fmt.Sprint(limit)) {
			t.Errorf("conform -h (exit %d) does not state the limit %d:\n%s", code, limit, stdout)
		}
	}
}
