// Command benchreport is `make bench`: it runs the benchmarks of package
// bench with `go test -bench`, passes their output through to stderr, and
// prints one line per figure of the performance table on stdout,
//
//	BENCH <name> <value> <unit>
//
// with every value taken from the benchmark output (bench.Measure). A
// figure outside its target on this machine is noted on stderr. With
// -markdown it prints the README's performance table instead, with the
// machine it was measured on. It exits 1 when the benchmarks fail or a
// figure is missing, 2 on a usage error.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/dpcheck/dpcheck/bench"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	goCmd := fs.String("go", "go", "the go command")
	benchtime := fs.String("benchtime", "2s", "go test -benchtime for each benchmark")
	count := fs.Int("count", 1, "runs of each benchmark; a figure is the median")
	pkg := fs.String("pkg", "./bench", "the package holding the benchmarks")
	markdown := fs.Bool("markdown", false, "print the README table and the machine instead of BENCH lines")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: benchreport [-go go] [-benchtime 2s] [-count 1] [-pkg ./bench] [-markdown]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *count < 1 {
		fmt.Fprintf(stderr, "benchreport: unexpected arguments %q (count %d)\n", fs.Args(), *count)
		return 2
	}

	cmdArgs := []string{"test", "-run", "^$", "-bench", ".", "-benchmem",
		"-benchtime", *benchtime, "-count", fmt.Sprint(*count), "-timeout", "10m", *pkg}
	fmt.Fprintf(stderr, "benchreport: %s %s\n", *goCmd, strings.Join(cmdArgs, " "))
	load := loadAverage()
	var out bytes.Buffer
	cmd := exec.Command(*goCmd, cmdArgs...)
	// One writer for both streams: exec then copies them from one pipe, in
	// order, and the output shows live while it is collected.
	w := io.MultiWriter(&out, stderr)
	cmd.Stdout, cmd.Stderr = w, w
	testErr := cmd.Run()

	machine := machine(out.Bytes(), load)
	figures, err := bench.Measure(&out)
	if *markdown {
		writeMarkdown(stdout, figures, machine)
	} else {
		for _, m := range figures {
			fmt.Fprintln(stdout, m)
		}
	}
	for _, m := range figures {
		if m.Missed() {
			fmt.Fprintf(stderr, "benchreport: %s %s %s misses its target %s on this machine\n",
				m.Figure.Name, m.FormatValue(), m.Figure.Unit, m.Figure.Target)
		}
	}
	status := 0
	if err != nil {
		fmt.Fprintln(stderr, err)
		status = 1
	}
	if testErr != nil {
		fmt.Fprintf(stderr, "benchreport: go test: %v\n", testErr)
		status = 1
	}
	return status
}

// writeMarkdown prints the figures as the README's table, then the machine.
func writeMarkdown(w io.Writer, figures []bench.Measurement, machine string) {
	fmt.Fprintln(w, "| figure | value | unit | target |")
	fmt.Fprintln(w, "|---|---:|---|---|")
	for _, m := range figures {
		target := "none"
		if t := m.Figure.Target; t != (bench.Target{}) {
			target = t.String() + ", met"
			if m.Missed() {
				target = t.String() + ", **missed**"
			}
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", m.Figure.Name, m.FormatValue(), m.Figure.Unit, target)
	}
	fmt.Fprintf(w, "\nMeasured with `make bench` on %s.\n", machine)
}

// machine describes where the benchmarks ran: the CPU go test reported,
// the core count, platform and Go version, and how busy the machine was.
func machine(output []byte, load string) string {
	cpu := "an unnamed CPU"
	for line := range strings.Lines(string(output)) {
		if c, ok := strings.CutPrefix(line, "cpu: "); ok {
			cpu = strings.TrimSpace(c)
			break
		}
	}
	s := fmt.Sprintf("%s, %d cores, %s/%s, %s", cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if load != "" {
		s += ", load average " + load + " when the run began"
	}
	return s
}

// loadAverage is the one-minute load average where /proc/loadavg has it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return ""
}
