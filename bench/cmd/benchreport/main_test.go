package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// The test binary doubles as the go command: with fakeGoEnv set it prints
// canned benchmark output (and fails if asked to) instead of running tests.
const fakeGoEnv = "BENCHREPORT_FAKE_GO"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeGoEnv); mode != "" {
		fmt.Print(strings.Join([]string{
			"cpu: Test CPU @ 1.00GHz",
			"BenchmarkCalculatorInprocess-2 100 1 ns/op 12000 exec/s 30000 B/op 250 allocs/op",
			"BenchmarkCalculatorInprocessManyExecutionsGC-2 100 1 ns/op 15000 exec/s 30000 B/op 250 allocs/op",
			"BenchmarkCalculatorCrashEveryBoundary-2 100 1 ns/op 600 exec/s",
			"BenchmarkEmulatorHTTPSeq-2 100 1 ns/op 250.4 exec/s 0 new-conns/1k-exec 2.5 cpu-ms/exec",
			"BenchmarkEmulatorHTTPC8-2 100 1 ns/op 700 exec/s 12.5 new-conns/1k-exec 2.25 cpu-ms/exec",
			"BenchmarkBackendBytesPerExecution-2 1 1 ns/op 9000 retained-B/exec",
			"BenchmarkParallel1000Branches-2 10 1 ns/op 42.25 ms/run",
			"BenchmarkHistoryScaling-2 1 1 ns/op 1.234 cost-ratio",
			"BenchmarkEmulatorRSS-2 1 1 ns/op 57.84 rss-after-20k-MB 48.04 rss-after-1k-MB 1.204 rss-20k-over-1k",
		}[:map[string]int{"all": 10, "short": 9}[mode]], "\n") + "\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestPrintsOneLinePerFigure(t *testing.T) {
	t.Setenv(fakeGoEnv, "all")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-go", os.Args[0]}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	want := `BENCH calculator-inprocess 12000 exec/s
BENCH calculator-inprocess-gc200 15000 exec/s
BENCH calculator-inprocess-bytes 30000 B/exec
BENCH calculator-inprocess-allocs 250 allocs/exec
BENCH calculator-crash-every-boundary 600 exec/s
BENCH emulator-http-seq 250 exec/s
BENCH emulator-http-seq-new-conns 0.0 conns/1k-exec
BENCH emulator-http-seq-cpu 2.50 ms/exec
BENCH emulator-http-c8 700 exec/s
BENCH emulator-http-c8-new-conns 12.5 conns/1k-exec
BENCH emulator-http-c8-cpu 2.25 ms/exec
BENCH backend-bytes-per-execution 9000 B
BENCH parallel-1000-branches 42.2 ms
BENCH history-scaling 1.23 ratio
BENCH emulator-rss-after-20k 57.8 MB
BENCH emulator-rss-20k-over-1k 1.20 ratio
`
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
	if !strings.Contains(stderr.String(), "emulator-http-seq 250 exec/s misses its target >= 600") {
		t.Errorf("stderr does not note the missed target:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "-run ^$ -bench . -benchmem -benchtime 2s -count 1") {
		t.Errorf("stderr does not show the go test command:\n%s", stderr.String())
	}
}

func TestMarkdownTable(t *testing.T) {
	t.Setenv(fakeGoEnv, "all")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-go", os.Args[0], "-markdown"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{
		"| figure | value | unit | target |\n|---|---:|---|---|\n| `calculator-inprocess` | 12000 | exec/s | >= 18500, **missed** |\n",
		"| `emulator-http-seq` | 250 | exec/s | >= 600, **missed** |\n",
		"| `emulator-http-c8-new-conns` | 12.5 | conns/1k-exec | <= 8, **missed** |\n",
		"| `parallel-1000-branches` | 42.2 | ms | none |\n",
		"\nMeasured with `make bench` on Test CPU @ 1.00GHz, ",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), "BENCH ") {
		t.Errorf("-markdown printed BENCH lines:\n%s", stdout.String())
	}
}

func TestFailsWhenAFigureIsMissing(t *testing.T) {
	t.Setenv(fakeGoEnv, "short")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-go", os.Args[0]}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "bench: no value for emulator-rss-after-20k") {
		t.Errorf("stderr does not name the missing figure:\n%s", stderr.String())
	}
}

func TestUsageError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"extra"}, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}
