package bench

import (
	"errors"
	"strings"
	"testing"
)

// output is `go test -bench` output in the shape the Go toolchain prints:
// GOMAXPROCS suffixes, -benchmem columns, a benchmark run twice (-count 2),
// a skipped one with its message, extra metrics, and noise lines.
const output = `goos: linux
goarch: amd64
pkg: github.com/dpcheck/dpcheck/bench
cpu: Intel(R) Xeon(R) Processor @ 2.50GHz
BenchmarkCalculatorInprocess-2            	    4017	    337301 ns/op	      2965 exec/s	   52037 B/op	     659 allocs/op
BenchmarkCalculatorInprocess-2            	    4100	    300000 ns/op	      3333.3 exec/s	   52037 B/op	     659 allocs/op
BenchmarkCalculatorInprocessManyExecutionsGC-2	    4100	    250000 ns/op	      4000 exec/s	   52037 B/op	     659 allocs/op
BenchmarkCalculatorCrashEveryBoundary-2   	     133	   7899967 ns/op	       126.6 exec/s	        10.00 runs/exec
--- SKIP: BenchmarkEmulatorHTTPSeq-2
    emulator_test.go:123: bench: function/cmd/bootstrap does not exist yet
BenchmarkEmulatorHTTPC8	     264	   5838115 ns/op	       174.0 exec/s	         3.788 new-conns/1k-exec	         1.412 cpu-ms/exec
BenchmarkBackendBytesPerExecution-2       	       1	1247278252 ns/op	     15519 retained-B/exec
BenchmarkParallel1000Branches-2           	      14	  81847636 ns/op	        81.85 ms/run
BenchmarkHistoryScaling-2    	       1	1827733861 ns/op	         0.7864 cost-ratio	    102262 ns/op-at-100
BenchmarkEmulatorRSS-2   	       1	75275930403 ns/op	       265.7 exec/s	         1.204 rss-20k-over-1k	        48.04 rss-after-1k-MB	        57.84 rss-after-20k-MB
PASS
ok  	github.com/dpcheck/dpcheck/bench	4.846s
`

func TestMeasureReadsEveryFigureItFinds(t *testing.T) {
	got, err := Measure(strings.NewReader(output))
	var missing *MissingFiguresError
	if !errors.As(err, &missing) {
		t.Fatalf("error %v, want *MissingFiguresError", err)
	}
	if len(missing.Missing) != 3 {
		t.Errorf("missing %+v, want the three emulator-http-seq figures", missing.Missing)
	}
	for _, m := range missing.Missing {
		if !strings.HasPrefix(m.Name, "emulator-http-seq") ||
			!strings.Contains(m.Reason, "skipped: emulator_test.go:123: bench: function/cmd/bootstrap does not exist yet") {
			t.Errorf("missing %+v, want an emulator-http-seq figure with its skip message", m)
		}
	}
	if !strings.HasPrefix(err.Error(), "bench: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
	var lines []string
	for _, m := range got {
		lines = append(lines, m.String())
	}
	want := []string{
		"BENCH calculator-inprocess 3149 exec/s", // median of 2965 and 3333.3
		"BENCH calculator-inprocess-gc200 4000 exec/s",
		"BENCH calculator-inprocess-bytes 52037 B/exec",
		"BENCH calculator-inprocess-allocs 659 allocs/exec",
		"BENCH calculator-crash-every-boundary 127 exec/s",
		"BENCH emulator-http-c8 174 exec/s",
		"BENCH emulator-http-c8-new-conns 3.8 conns/1k-exec",
		"BENCH emulator-http-c8-cpu 1.41 ms/exec",
		"BENCH backend-bytes-per-execution 15519 B",
		"BENCH parallel-1000-branches 81.8 ms",
		"BENCH history-scaling 0.79 ratio",
		"BENCH emulator-rss-after-20k 57.8 MB",
		"BENCH emulator-rss-20k-over-1k 1.20 ratio",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestMeasureNamesAFigureThatDidNotReport(t *testing.T) {
	_, err := Measure(strings.NewReader("BenchmarkHistoryScaling-2 1 5 ns/op\n--- FAIL: BenchmarkParallel1000Branches-2\n    parallel_test.go:40: run 0: status FAILED\nFAIL\n"))
	var missing *MissingFiguresError
	if !errors.As(err, &missing) || len(missing.Missing) != len(Figures) {
		t.Fatalf("error %v, want all %d figures missing", err, len(Figures))
	}
	reasons := map[string]string{}
	for _, m := range missing.Missing {
		reasons[m.Name] = m.Reason
	}
	if r := reasons["history-scaling"]; r != "no cost-ratio in the output" {
		t.Errorf("history-scaling: reason %q", r)
	}
	if r := reasons["parallel-1000-branches"]; r != "failed: parallel_test.go:40: run 0: status FAILED" {
		t.Errorf("parallel-1000-branches: reason %q", r)
	}
}

func TestTargets(t *testing.T) {
	byName := map[string]Figure{}
	for _, f := range Figures {
		byName[f.Name] = f
	}
	cases := []struct {
		name   string
		value  float64
		missed bool
	}{
		{"calculator-inprocess", 18500, false},
		{"calculator-inprocess", 18499, true},
		{"emulator-http-c8-new-conns", 8, false},
		{"emulator-http-c8-new-conns", 8.1, true},
		{"backend-bytes-per-execution", 16384, false},
		{"backend-bytes-per-execution", 16385, true},
		{"history-scaling", 1.9, false},
		{"history-scaling", 2.1, true},
		{"parallel-1000-branches", 1e9, false}, // no target
	}
	for _, c := range cases {
		m := Measurement{byName[c.name], c.value}
		if m.Missed() != c.missed {
			t.Errorf("%s = %v: missed %v, want %v (target %s)", c.name, c.value, m.Missed(), c.missed, m.Figure.Target)
		}
	}
	if s := byName["emulator-http-seq"].Target.String(); s != ">= 600" {
		t.Errorf("emulator-http-seq target %q", s)
	}
}
