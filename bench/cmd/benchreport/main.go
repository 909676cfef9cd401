// Command benchreport is `make bench`: it runs the benchmarks of package
// bench with `go test -bench`, passes their output through to stderr, and
// prints one line per figure of the performance table on stdout,
//
//	BENCH <name> <value> <unit>
//
// with every value taken from the benchmark output (bench.Measure). A
// figure outside its target on this machine is noted on stderr. It exits 1
// when the benchmarks fail or a figure is missing, 2 on a usage error.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
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
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: benchreport [-go go] [-benchtime 2s] [-count 1] [-pkg ./bench]")
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
	var out bytes.Buffer
	cmd := exec.Command(*goCmd, cmdArgs...)
	cmd.Stdout = io.MultiWriter(&out, stderr)
	cmd.Stderr = stderr
	testErr := cmd.Run()

	figures, err := bench.Measure(&out)
	for _, m := range figures {
		fmt.Fprintln(stdout, m)
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
