package conformance_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// aliasBomb is levels anchors, each a list of fanout aliases of the one
// before: a few hundred bytes that stand for fanout^levels nodes.
func aliasBomb(levels, fanout int) string {
	var sb strings.Builder
	sb.WriteString("Input:\n  a0: &a0 [x]\n")
	for l := 1; l <= levels; l++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", l-1), fanout), ", ")
		fmt.Fprintf(&sb, "  a%d: &a%d [%s]\n", l, l, refs)
	}
	return sb.String() + validTail
}

func TestReaderLimits(t *testing.T) {
	cases := []struct {
		name    string
		yaml    string
		problem string // substring of ReadError.Problem; "" means the file reads
	}{
		{"alias bomb, nine levels of nine", aliasBomb(9, 9), fmt.Sprintf("expands to more than %d nodes", conformance.MaxNodes)},
		{"aliases within the limit", aliasBomb(3, 9), ""},
		{"too many nodes without aliases", "Input: [" + strings.Repeat("0,", conformance.MaxNodes) + "0]\n" + validTail, "expands to more than"},
		{"just under the node limit", "Input: [" + strings.Repeat("0,", conformance.MaxNodes-100) + "0]\n" + validTail, ""},
		{"file over the size limit", "description: '" + strings.Repeat("x", conformance.MaxFileBytes) + "'\n" + validTail, "larger than 1048576 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "suite", "1-1.yaml")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, read := range []func() error{
				func() error { _, err := conformance.ReadFile(path); return err },
				func() error { _, err := conformance.Parse(path, "suite", "1-1", []byte(c.yaml)); return err },
			} {
				err := read()
				if c.problem == "" {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					continue
				}
				var re *conformance.ReadError
				if !errors.As(err, &re) || re.File != path || !strings.Contains(re.Problem, c.problem) {
					t.Fatalf("err = %v, want a *ReadError naming %s with %q", err, path, c.problem)
				}
			}
		})
	}
}

// A file that claims no size (a pipe, a /proc file) is still read only up
// to the limit.
func TestReadFileStopsAtTheLimitWithoutASize(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "1-1.yaml")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		chunk := []byte(strings.Repeat("# comment\n", 1024))
		for written := 0; written <= 2*conformance.MaxFileBytes; written += len(chunk) {
			if _, err := f.Write(chunk); err != nil {
				return // the reader stopped reading, as it should
			}
		}
	}()
	_, err := conformance.ReadFile(fifo)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want the size limit", err)
	}
}

func TestLoadReadsAFileNamedTwiceOnce(t *testing.T) {
	file := "testdata/official/step/1-1.yaml"
	link := filepath.Join(t.TempDir(), "step", "1-1.yaml")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(file)
	if err := os.Symlink(abs, link); err != nil {
		t.Fatal(err)
	}
	for _, paths := range [][]string{
		{file, file},
		{file, "./" + file, abs},
		{file, link},
		{"testdata/official", file},
	} {
		reqs, err := conformance.Load(paths...)
		if err != nil {
			t.Fatalf("Load(%v): %v", paths, err)
		}
		want := 1
		if paths[0] == "testdata/official" {
			want = 26 // 8, and the 18 of plugin/
		}
		if len(reqs) != want {
			t.Errorf("Load(%v) = %d requirements, want %d", paths, len(reqs), want)
		}
	}
}
