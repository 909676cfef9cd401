package conformance_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// FuzzParse feeds the requirement reader any bytes, seeded with the official
// requirements and the project's fixtures. It must answer with a
// requirement or a *ReadError naming the file, the same answer every time,
// never a panic; and what it accepts must be usable: it checks something,
// its event ids are distinct, its input builds to JSON, matching it against
// a real history reports without panicking, and its console line is bounded.
func FuzzParse(f *testing.F) {
	for _, root := range []string{"testdata/official", "../../fixtures"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" {
				return err
			}
			data, err := os.ReadFile(path)
			f.Add(data)
			return err
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	f.Add([]byte(aliasBomb(3, 3)))
	f.Add([]byte("base: &b {EventId: 2}\nExpectedExecutionHistory:\n  - <<: *b\n"))
	f.Add([]byte("---\ndescription: a\n---\ndescription: b\n"))
	f.Add([]byte("Variables: {A: '${GEN_STR:4}', B: 1.5}\nInput: {a: '${A}', b: ${/x+/}}\n" + validTail))

	const file = "suite/1-1.yaml"
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := conformance.Parse(file, "suite", "1-1", data)
		again, errAgain := conformance.Parse(file, "suite", "1-1", data)
		if (err == nil) != (errAgain == nil) || (err != nil && err.Error() != errAgain.Error()) || !reflect.DeepEqual(req, again) {
			t.Fatalf("two reads disagree: %v / %v", err, errAgain)
		}
		if err != nil {
			var re *conformance.ReadError
			if !errors.As(err, &re) || re.File != file || !strings.HasPrefix(err.Error(), "conformance: "+file) {
				t.Fatalf("error %q (%T) is not a *ReadError naming the file", err, err)
			}
			return
		}
		if req.Suite != "suite" || req.ID != "1-1" || req.Path != file {
			t.Fatalf("read as %s/%s from %s", req.Suite, req.ID, req.Path)
		}
		if req.ExpectedResult == nil && len(req.ExpectedExecutionHistory) == 0 {
			t.Fatalf("accepted a requirement that checks nothing")
		}
		if req.ExpectedResult != nil && req.ExpectedResult.ExecutionStatus == "" {
			t.Fatalf("accepted an ExpectedResult without a status")
		}
		ids := map[int]bool{}
		for _, ev := range req.ExpectedExecutionHistory {
			if ev.EventID < 1 || ids[ev.EventID] {
				t.Fatalf("accepted EventId %d twice or below 1", ev.EventID)
			}
			ids[ev.EventID] = true
		}
		b := req.Bind(rand.New(rand.NewPCG(1, 2)))
		if in, err := req.InputJSON(b); err == nil && !json.Valid(in) {
			t.Fatalf("the input builds to invalid JSON: %s", in)
		}
		exec := &conformance.Execution{Status: "SUCCEEDED", Result: `"Hello, World!"`, History: retryHistory()}
		mms, _ := conformance.Check(req, exec, b)
		for _, m := range mms {
			_ = m.Error()
		}
		line := (&conformance.Outcome{Verdict: conformance.Pass, Requirement: req}).Line()
		if len(line) > 300 || !utf8.ValidString(line) {
			t.Fatalf("console line of %d bytes (valid UTF-8: %v)", len(line), utf8.ValidString(line))
		}
	})
}
