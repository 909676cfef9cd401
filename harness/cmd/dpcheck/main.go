// Command dpcheck runs durable functions on dpcheck's in-process fake of the
// Lambda durable-execution service.
//
// Usage:
//
//	dpcheck <verb> [arguments]
//	dpcheck -h
//
// Each verb registers itself from its own file (run.go, conform.go,
// serve.go). Exit status: 0 on success, 1 when a check fails, 2 on a usage
// or input error, with a one-line message naming the problem.
package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// verb is one dpcheck subcommand. run gets the arguments after the verb
// name and returns the exit status; it must answer -h itself.
type verb struct {
	summary string // one line for the verb list, starting with the synopsis
	run     func(args []string, stdout, stderr io.Writer) int
	// manyExecutions: the verb makes many executions, so dispatch runs it
	// with the garbage collector's target raised (manyExecutionsGC).
	manyExecutions bool
}

// verbs is filled by each verb file's init.
var verbs = map[string]verb{}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "dpcheck: missing verb (dpcheck -h lists them)")
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return 0
	}
	v, ok := verbs[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dpcheck: unknown verb %q (verbs: %s)\n", args[0], strings.Join(verbNames(), ", "))
		return 2
	}
	if v.manyExecutions {
		defer manyExecutionsGC()()
	}
	return v.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "dpcheck: a test harness for AWS Lambda durable functions")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: dpcheck <verb> [arguments]    (dpcheck <verb> -h for details)")
	fmt.Fprintln(w)
	for _, name := range verbNames() {
		fmt.Fprintf(w, "  %s\n", verbs[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "exit status: 0 ok, 1 a check failed, 2 usage or input error")
}

func verbNames() []string {
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// fail prints a one-line usage or input error for a verb and returns 2.
func fail(stderr io.Writer, verb, format string, args ...any) int {
	fmt.Fprintf(stderr, "dpcheck %s: %s\n", verb, fmt.Sprintf(format, args...))
	return 2
}
