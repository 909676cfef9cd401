package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A number beyond the float64 range is valid JSON; the message says so and
// names the field.
func TestRunNumberBeyondFloat64(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		input string
		parts []string
	}{
		{`{"num1":1e400,"num2":1}`, []string{"INPUT_JSON: field num1 is 1e400: valid JSON, but beyond the float64 range"}},
		{`{"num1":1,"num2":-1e999}`, []string{"field num2 is -1e999"}},
		{`{"a":[1,{"b c":1e309}],"z":1e999}`, []string{`field a[1]["b c"] is 1e309`}}, // the first in document order
		{`[0,2e308]`, []string{"field [1] is 2e308"}},
		{`1e400`, []string{"INPUT_JSON is the number 1e400: valid JSON"}},
	} {
		code, stdout, stderr := cli(t, "run", "calculator", tc.input)
		wantUsageError(t, code, stdout, stderr, append([]string{"dpcheck run: "}, tc.parts...)...)
		if strings.Contains(stderr, "not valid JSON") {
			t.Errorf("%s: %q calls valid JSON invalid", tc.input, stderr)
		}
	}
	// A tiny number underflows to zero and fits: the calculator runs.
	if code, stdout, stderr := cli(t, "run", "calculator", `{"num1":1e-400,"num2":2}`); code != 0 || !strings.Contains(stdout, `Result: {"Add":2,`) {
		t.Errorf("1e-400: exit %d, stderr %q\n%s", code, stderr, stdout)
	}
}

// "-" reads INPUT_JSON from standard input and "@FILE" from a file, past
// the OS limit on one argument; both are checked like an argument.
func TestRunInputFromStdinAndFile(t *testing.T) {
	dir := t.TempDir()
	// Over 128 KiB, the most one argument may hold on Linux: a real input
	// with a long ignored field.
	big := `{"num1":10,"num2":5,"padding":"` + strings.Repeat("x", 200<<10) + `"}`
	bigFile := filepath.Join(dir, "input.json")
	if err := os.WriteFile(bigFile, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	hugeFile := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(hugeFile, []byte(`"`+strings.Repeat("x", maxInput)+`"`), 0o644); err != nil {
		t.Fatal(err)
	}
	badFile := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badFile, []byte(`{"num1":1e400}`), 0o644); err != nil {
		t.Fatal(err)
	}
	withStdin := func(text string, args ...string) (int, string, string) {
		saved := stdin
		defer func() { stdin = saved }()
		stdin = strings.NewReader(text)
		return cli(t, append([]string{"run"}, args...)...)
	}

	for _, tc := range []struct {
		name        string
		stdin       string
		args        []string
		code        int
		parts       []string // on stdout when code is 0, else on stderr
		stdoutParts []string
	}{
		{"stdin", big, []string{"calculator", "-", "--seed", "3"}, 0, nil, []string{`Result: {"Add":15,"Subtract":5,"Multiply":50,"Division":2}`, "Seed: 3\n"}},
		{"file", "", []string{"calculator", "@" + bigFile}, 0, nil, []string{`Result: {"Add":15,`, "Seed: 1\n"}},
		{"stdin not JSON", "{", []string{"calculator", "-"}, 2, []string{"INPUT_JSON from standard input is not valid JSON"}, nil},
		{"empty stdin", "", []string{"calculator", "-"}, 2, []string{"INPUT_JSON from standard input is not valid JSON"}, nil},
		{"stdin over the limit", `"` + strings.Repeat("x", maxInput) + `"`, []string{"calculator", "-"}, 2, []string{"INPUT_JSON from standard input is larger than 6291456 bytes"}, nil},
		{"file over the limit", "", []string{"calculator", "@" + hugeFile}, 2, []string{"INPUT_JSON file " + hugeFile + " is larger than 6291456 bytes"}, nil},
		{"missing file", "", []string{"calculator", "@" + filepath.Join(dir, "nope.json")}, 2, []string{"INPUT_JSON file " + filepath.Join(dir, "nope.json") + ": no such file"}, nil},
		{"file with a huge number", "", []string{"calculator", "@" + badFile}, 2, []string{"INPUT_JSON file " + badFile + ": field num1 is 1e400"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := withStdin(tc.stdin, tc.args...)
			if tc.code == 2 {
				wantUsageError(t, code, stdout, stderr, append([]string{"dpcheck run: "}, tc.parts...)...)
				return
			}
			if code != tc.code || stderr != "" {
				t.Fatalf("exit %d, stderr %q; want %d and nothing", code, stderr, tc.code)
			}
			for _, want := range tc.stdoutParts {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%.2000s", want, stdout)
				}
			}
		})
	}
}
