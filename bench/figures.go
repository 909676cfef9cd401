package bench

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Figure is one line of `make bench`: a value a benchmark of this package
// reports with ReportMetric, printed as `BENCH <Name> <value> <Unit>`.
type Figure struct {
	Name      string // the name printed, as in the README table
	Benchmark string // the benchmark that measures it, without the -GOMAXPROCS suffix
	Metric    string // the unit the benchmark reports the value in
	Unit      string // the unit printed
	Decimals  int    // digits printed after the point
	Target    Target
}

// Target is the bound a figure should keep on the reference machine
// (2 cores); the zero Target means none.
type Target struct {
	Bound  float64
	AtMost bool // the value must be <= Bound; otherwise >= Bound
}

// Met reports whether v keeps the target.
func (t Target) Met(v float64) bool {
	if t.AtMost {
		return v <= t.Bound
	}
	return v >= t.Bound
}

func (t Target) String() string {
	op := ">="
	if t.AtMost {
		op = "<="
	}
	return op + " " + strconv.FormatFloat(t.Bound, 'f', -1, 64)
}

// Figures is the performance table, in the order `make bench` prints it.
var Figures = []Figure{
	// 3,000 times the official JS LocalDurableTestRunner's 6.15 exec/s
	// on the same calculator and machine (make bench-js).
	{"calculator-inprocess", "BenchmarkCalculatorInprocess", "exec/s", "exec/s", 0, Target{Bound: 18500}},
	// The same target for the executions as dpcheck's many-execution
	// verbs run them (their GC target, internal/gctarget).
	{"calculator-inprocess-gc200", "BenchmarkCalculatorInprocessManyExecutionsGC", "exec/s", "exec/s", 0, Target{Bound: 18500}},
	{"calculator-inprocess-bytes", "BenchmarkCalculatorInprocess", "B/op", "B/exec", 0, Target{}},
	{"calculator-inprocess-allocs", "BenchmarkCalculatorInprocess", "allocs/op", "allocs/exec", 0, Target{}},
	{"calculator-crash-every-boundary", "BenchmarkCalculatorCrashEveryBoundary", "exec/s", "exec/s", 0, Target{}},
	{"emulator-http-seq", "BenchmarkEmulatorHTTPSeq", "exec/s", "exec/s", 0, Target{Bound: 600}},
	{"emulator-http-seq-new-conns", "BenchmarkEmulatorHTTPSeq", "new-conns/1k-exec", "conns/1k-exec", 1, Target{Bound: 1, AtMost: true}},
	{"emulator-http-seq-cpu", "BenchmarkEmulatorHTTPSeq", "cpu-ms/exec", "ms/exec", 2, Target{}},
	{"emulator-http-c8", "BenchmarkEmulatorHTTPC8", "exec/s", "exec/s", 0, Target{Bound: 1000}},
	{"emulator-http-c8-new-conns", "BenchmarkEmulatorHTTPC8", "new-conns/1k-exec", "conns/1k-exec", 1, Target{Bound: 8, AtMost: true}},
	{"emulator-http-c8-cpu", "BenchmarkEmulatorHTTPC8", "cpu-ms/exec", "ms/exec", 2, Target{}},
	{"backend-bytes-per-execution", "BenchmarkBackendBytesPerExecution", "retained-B/exec", "B", 0, Target{Bound: 16384, AtMost: true}},
	{"parallel-1000-branches", "BenchmarkParallel1000Branches", "ms/run", "ms", 1, Target{}},
	{"history-scaling", "BenchmarkHistoryScaling", "cost-ratio", "ratio", 2, Target{Bound: 2, AtMost: true}},
	{"emulator-rss-after-20k", "BenchmarkEmulatorRSS", "rss-after-20k-MB", "MB", 1, Target{}},
	{"emulator-rss-20k-over-1k", "BenchmarkEmulatorRSS", "rss-20k-over-1k", "ratio", 2, Target{Bound: 2, AtMost: true}},
}

// Measurement is a figure's measured value.
type Measurement struct {
	Figure Figure
	Value  float64
}

// String is the `make bench` line: BENCH <name> <value> <unit>.
func (m Measurement) String() string {
	return fmt.Sprintf("BENCH %s %s %s", m.Figure.Name, m.FormatValue(), m.Figure.Unit)
}

// FormatValue is the value with the figure's decimals.
func (m Measurement) FormatValue() string {
	return strconv.FormatFloat(m.Value, 'f', m.Figure.Decimals, 64)
}

// Missed reports whether the figure has a target and the value misses it.
func (m Measurement) Missed() bool {
	return m.Figure.Target != (Target{}) && !m.Figure.Target.Met(m.Value)
}

// MissingFigure is a figure the output has no value for, and why.
type MissingFigure struct {
	Name      string
	Benchmark string
	Reason    string // the benchmark's SKIP or FAIL message, or that it did not report
}

// MissingFiguresError reports the figures `go test -bench` output lacks.
type MissingFiguresError struct {
	Missing []MissingFigure
}

func (e *MissingFiguresError) Error() string {
	var b strings.Builder
	b.WriteString("bench: no value for")
	for i, m := range e.Missing {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s (%s: %s)", m.Name, m.Benchmark, m.Reason)
	}
	return b.String()
}

// procSuffix is the -GOMAXPROCS suffix go test appends to benchmark names.
var procSuffix = regexp.MustCompile(`-\d+$`)

// Measure reads `go test -bench` output and returns one Measurement per
// figure, in table order. A benchmark run several times (-count) gives the
// median of its values. It returns the figures it found together with a
// *MissingFiguresError when some are absent.
func Measure(output io.Reader) ([]Measurement, error) {
	values := map[string][]float64{} // benchmark + " " + metric -> values
	reasons := map[string]string{}   // benchmark -> SKIP/FAIL message
	var status string                // "SKIP"/"FAIL" benchmark whose message lines follow
	sc := bufio.NewScanner(output)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if status != "" && strings.HasPrefix(line, "    ") {
			reasons[status] = strings.TrimSpace(reasons[status] + " " + strings.TrimSpace(line))
			continue
		}
		status = ""
		if rest, ok := strings.CutPrefix(line, "--- SKIP: "); ok {
			status = benchName(rest)
			reasons[status] = "skipped:"
			continue
		}
		if rest, ok := strings.CutPrefix(line, "--- FAIL: "); ok {
			status = benchName(rest)
			reasons[status] = "failed:"
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			values[name+" "+f[i+1]] = append(values[name+" "+f[i+1]], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench: reading the benchmark output: %w", err)
	}
	var out []Measurement
	var missing []MissingFigure
	for _, fig := range Figures {
		vs := values[fig.Benchmark+" "+fig.Metric]
		if len(vs) == 0 {
			reason := reasons[fig.Benchmark]
			if reason == "" {
				reason = "no " + fig.Metric + " in the output"
			}
			missing = append(missing, MissingFigure{fig.Name, fig.Benchmark, reason})
			continue
		}
		out = append(out, Measurement{fig, median(vs)})
	}
	if missing != nil {
		return out, &MissingFiguresError{missing}
	}
	return out, nil
}

// benchName is the benchmark named at the start of a "--- SKIP: " line,
// without its suffix and the "(0.00s)" after it.
func benchName(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return procSuffix.ReplaceAllString(f[0], "")
	}
	return ""
}

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
