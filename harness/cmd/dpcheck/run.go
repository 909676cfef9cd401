package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

func init() {
	verbs["run"] = verb{
		summary: "run FUNCTION INPUT_JSON [--json]   one execution on the in-process fake, until it ends",
		run:     runVerb,
	}
}

const runUsage = `usage: dpcheck run FUNCTION INPUT_JSON [--json]

Runs one execution of FUNCTION with INPUT_JSON on the in-process fake backend
(virtual clock, seeded branch scheduling) until it ends, then prints the
operation tree, the BatchResults of every Parallel, the result and the
history. --json prints {"status","result","error","operations","history",
"invocations"} instead.

Exit status: 0 when the execution SUCCEEDED, 1 when it ended otherwise or
could not finish, 2 on a usage or input error.

functions: %s
`

func runVerb(args []string, stdout, stderr io.Writer) int {
	var positional []string
	asJSON := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-h" || a == "-help" || a == "--help":
			fmt.Fprintf(stdout, runUsage, strings.Join(registry.Names(), ", "))
			return 0
		case a == "--json" || a == "-json":
			asJSON = true
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && len(a) > 1 && (a[1] < '0' || a[1] > '9'):
			return fail(stderr, "run", "unknown flag %s (dpcheck run -h)", a)
		default:
			positional = append(positional, a)
		}
	}
	if len(positional) != 2 {
		return fail(stderr, "run", "want FUNCTION and INPUT_JSON, got %d arguments (dpcheck run -h)", len(positional))
	}
	name, input := positional[0], positional[1]
	invoker, err := registry.Lookup(name)
	if err != nil {
		return fail(stderr, "run", "unknown function %q (known: %s)", name, strings.Join(registry.Names(), ", "))
	}
	var probe any
	if err := json.Unmarshal([]byte(input), &probe); err != nil {
		return fail(stderr, "run", "INPUT_JSON is not valid JSON: %v", err)
	}

	runner := harness.NewLocalRunner(invoker, harness.WithFunctionName(name), harness.WithSeededScheduler(1))
	res, runErr := runner.RunJSON(context.Background(), input)
	if res == nil {
		fmt.Fprintf(stderr, "dpcheck run: %v\n", runErr)
		return 1
	}
	if asJSON {
		out, err := res.ReportJSON()
		if err != nil {
			fmt.Fprintf(stderr, "dpcheck run: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", out)
	} else {
		printText(stdout, res)
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "dpcheck run: %v\n", runErr)
		return 1
	}
	if res.Status != types.ExecutionStatusSucceeded {
		return 1
	}
	return 0
}

func printText(w io.Writer, res *harness.Result) {
	fmt.Fprintln(w, "Operations:")
	res.WriteTree(w)
	if batches := res.OpsOfType(types.OperationTypeContext, "Parallel"); len(batches) > 0 {
		fmt.Fprintln(w, "\nBatchResults:")
		for _, op := range batches {
			printBatch(w, op)
		}
	}
	fmt.Fprintf(w, "\nStatus: %s\n", res.Status)
	if res.Output != nil {
		fmt.Fprintf(w, "Result: %s\n", *res.Output)
	}
	if res.Error != nil {
		fmt.Fprintf(w, "Error: %s\n", harness.ErrorLine(res.Error))
	}
	fmt.Fprintf(w, "\nHistory (%d events, %d invocations):\n", len(res.History), len(res.Invocations))
	harness.WriteHistory(w, res.History)
}

// batchPayload is the runtime's Parallel payload (decisions §2.9).
type batchPayload struct {
	All []struct {
		Index  int                `json:"index"`
		Status string             `json:"status"`
		Result json.RawMessage    `json:"result"`
		Error  *types.ErrorObject `json:"error"`
	} `json:"all"`
	CompletionReason string `json:"completionReason"`
}

func printBatch(w io.Writer, op *harness.Operation) {
	var b batchPayload
	if op.Result == nil {
		fmt.Fprintf(w, "  %s: %s, no result recorded\n", op.Name, op.Status)
		return
	}
	if err := json.Unmarshal([]byte(*op.Result), &b); err != nil {
		fmt.Fprintf(w, "  %s: payload is not a batch result: %v\n", op.Name, err)
		return
	}
	counts := map[string]int{}
	for _, it := range b.All {
		counts[it.Status]++
	}
	fmt.Fprintf(w, "  %s: %s, %d succeeded, %d failed, %d started\n", op.Name, b.CompletionReason,
		counts["SUCCEEDED"], counts["FAILED"], counts["STARTED"])
	for _, it := range b.All {
		line := fmt.Sprintf("    [%d] %s", it.Index, it.Status)
		if len(it.Result) > 0 {
			line += " " + string(it.Result)
		}
		if it.Error != nil {
			line += " " + itemError(it.Error)
		}
		fmt.Fprintln(w, line)
	}
}

// itemError names a failed branch's error; a branch that failed through a
// step carries the step's own ErrorObject in ErrorData, which says more.
func itemError(e *types.ErrorObject) string {
	var cause types.ErrorObject
	if e.ErrorData != nil && json.Unmarshal([]byte(*e.ErrorData), &cause) == nil && cause.ErrorType != nil {
		return harness.ErrorLine(&cause) + " (" + aws.ToString(e.ErrorType) + ")"
	}
	return harness.ErrorLine(e)
}
