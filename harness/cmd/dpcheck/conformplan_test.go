package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// pluginCopies copies the official plugin requirements into dir/unhandled,
// a suite no Go handler is registered for, and returns their keys in file
// order.
func pluginCopies(t *testing.T, dir string) []string {
	t.Helper()
	src := filepath.Join(repoRoot, "harness", "conformance", "testdata", "official", "plugin")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "unhandled", e.Name()), string(data))
		ids = append(ids, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.SortFunc(ids, func(a, b string) int { return naturalCompare(a, b) })
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = "unhandled/" + id
	}
	return keys
}

func naturalCompare(a, b string) int {
	pa, pb := strings.SplitN(a, "-", 2), strings.SplitN(b, "-", 2)
	if len(pa[1]) != len(pb[1]) {
		return len(pa[1]) - len(pb[1])
	}
	return strings.Compare(pa[1], pb[1])
}

var verdictLine = regexp.MustCompile(`(?m)^(PASS|FAIL|SKIP)(?: \(optional\))? (\S+)`)

func reportedKeys(stdout string) []string {
	var keys []string
	for _, m := range verdictLine.FindAllStringSubmatch(stdout, -1) {
		keys = append(keys, m[2])
	}
	return keys
}

// The official plugin suite reads; without Go handlers each requirement is
// a SKIP that says why, and the run fails unless --allow-skip lists them.
func TestConformPluginSuiteSkipsWithReason(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keys := pluginCopies(t, dir)
	code, stdout, stderr := cli(t, "conform", dir)
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and nothing\n%s", code, stderr, stdout)
	}
	if got := reportedKeys(stdout); !slices.Equal(got, keys) {
		t.Errorf("reported %v, want %v", got, keys)
	}
	for _, k := range keys {
		if !strings.Contains(stdout, "SKIP "+k+" ") || !strings.Contains(stdout, ": no Go handler is registered for "+k+" (") {
			t.Errorf("no SKIP line with its reason for %s:\n%s", k, stdout)
		}
	}
	if !strings.Contains(stdout, "not run, and no --allow-skip entry excuses it: "+strings.Join(keys, ", ")+"\n") {
		t.Errorf("the unexcused skips are not listed:\n%s", stdout)
	}

	var allow strings.Builder
	allow.WriteString("# plugin handlers are not written yet\n\n")
	for _, k := range keys[1:] {
		allow.WriteString(k + "  no Go plugin handler yet\n")
	}
	list := writeFile(t, filepath.Join(dir, "allow.txt"), allow.String())
	code, stdout, _ = cli(t, "conform", "--allow-skip", list, dir)
	if code != 1 || !strings.Contains(stdout, "17 skipped as "+list+" allows\n") ||
		!strings.Contains(stdout, "not run, and no --allow-skip entry excuses it: "+keys[0]+"\n") {
		t.Errorf("one skip unlisted: exit %d\n%s", code, stdout)
	}
	writeFile(t, list, allow.String()+keys[0]+" no Go plugin handler yet\n")
	code, stdout, _ = cli(t, "conform", "--allow-skip", list, dir)
	if code != 0 || !strings.Contains(stdout, "18 skipped as "+list+" allows\n") || lastLine(stdout) != "0 passed, 0 failed, 18 skipped" {
		t.Errorf("all skips listed: exit %d\n%s", code, stdout)
	}
}

// A listed requirement that runs is reported as a stale entry.
func TestConformAllowSkipStaleEntry(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "calculator", "success", "calculator", "success")
	list := writeFile(t, filepath.Join(dir, "allow.txt"), "calculator/success was flaky\n")
	code, stdout, _ := cli(t, "conform", "--allow-skip", list, filepath.Join(dir, "calculator"))
	if code != 0 || !strings.Contains(stdout, "listed in "+list+" but not skipped (stale entries): calculator/success\n") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
}

func TestConformPlanFlagErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "calculator", "success", "calculator", "success")
	for _, tc := range []struct {
		name, allow string
		args        []string
		problem     string
	}{
		{"shard not K/N", "", []string{"--shard", "2"}, `--shard "2": want K/N`},
		{"shard K zero", "", []string{"--shard", "0/3"}, `--shard "0/3": want 1 <= K <= N`},
		{"shard K above N", "", []string{"--shard", "4/3"}, `--shard "4/3": want 1 <= K <= N`},
		{"shard N zero", "", []string{"--shard", "1/0"}, `want 1 <= K <= N`},
		{"shard not numbers", "", []string{"--shard", "a/b"}, `want K/N, two integers`},
		{"parallel zero", "", []string{"--parallel", "0"}, "--parallel 0: want at least 1"},
		{"allow-skip missing", "", []string{"--allow-skip", filepath.Join(dir, "none.txt")}, "--allow-skip: open"},
		{"allow-skip no reason", "step/1-1\n", nil, ":1: step/1-1 has no reason"},
		{"allow-skip not a key", "# c\nstep reason\n", nil, `:2: "step" is not a requirement key suite/id`},
		{"allow-skip twice", "a/1 x\na/1 y\n", nil, ":2: a/1 is listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"conform"}, tc.args...)
			if tc.allow != "" {
				args = append(args, "--allow-skip", writeFile(t, filepath.Join(t.TempDir(), "allow.txt"), tc.allow))
			}
			code, stdout, stderr := cli(t, append(args, dir)...)
			wantUsageError(t, code, stdout, stderr, "dpcheck conform: ", tc.problem)
		})
	}
}

// The N shards together run every requirement exactly once, and --parallel
// reports in file order.
func TestConformShardsAndParallel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keys := pluginCopies(t, dir)
	list := new(strings.Builder)
	for _, k := range keys {
		list.WriteString(k + " no handler\n")
	}
	allow := writeFile(t, filepath.Join(dir, "allow.txt"), list.String())
	var union []string
	for _, shard := range []string{"1/3", "2/3", "3/3"} {
		code, stdout, _ := cli(t, "conform", "--allow-skip", allow, "--shard", shard, dir)
		if code != 0 {
			t.Fatalf("shard %s: exit %d\n%s", shard, code, stdout)
		}
		got := reportedKeys(stdout)
		if len(got) != 6 {
			t.Errorf("shard %s ran %d requirements, want 6: %v", shard, len(got), got)
		}
		union = append(union, got...)
	}
	slices.SortFunc(union, func(a, b string) int {
		return naturalCompare(strings.TrimPrefix(a, "unhandled/"), strings.TrimPrefix(b, "unhandled/"))
	})
	if !slices.Equal(union, keys) {
		t.Errorf("shards together ran %v, want each of %v once", union, keys)
	}

	fixtures := filepath.Join(repoRoot, "fixtures")
	code, seq, _ := cli(t, "conform", "--seed", "7", fixtures)
	if code != 0 {
		t.Fatalf("sequential fixtures: exit %d\n%s", code, seq)
	}
	code, par, _ := cli(t, "conform", "--seed", "7", "--parallel", "4", fixtures)
	if code != 0 {
		t.Fatalf("parallel fixtures: exit %d\n%s", code, par)
	}
	if s, p := reportedKeys(seq), reportedKeys(par); !slices.Equal(s, p) || len(s) < 2 {
		t.Errorf("--parallel 4 reported %v, sequential %v", p, s)
	}
}
