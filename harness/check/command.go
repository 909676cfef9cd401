package check

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// placeholderFunction stands for the function in a rerun command when the
// Checker was not told the name dpcheck knows the handler by.
const placeholderFunction = "FUNCTION"

// RunCommand is the dpcheck command line that reruns one case of a check
// (function by the name dpcheck run knows it, input as JSON text, the seed,
// and the fault injected at checkpoint call k, if any) and writes its
// timeline to the file html:
//
//	dpcheck run calculator '{"num1":10,"num2":0}' --seed 7 --crash-after 3 --html out.html
//
// dpcheck run schedules the branches with Seeded(seed) and seeds the
// jitter with seed, as a Checker does by default, and fails a checkpoint
// call with the throttling error FailEveryBoundary uses by default.
func RunCommand(function, input string, seed uint64, fault Fault, k int, html string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "dpcheck run %s %s --seed %d", shellQuote(function), shellQuote(input), seed)
	switch fault {
	case CrashAfterCall:
		fmt.Fprintf(&sb, " --crash-after %d", k)
	case FailCall:
		fmt.Fprintf(&sb, " --fail-checkpoint %d", k)
	}
	sb.WriteString(" --html " + shellQuote(html))
	return sb.String()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// command is the rerun command of one of the Checker's cases, with a
// warning when dpcheck run cannot reproduce the Checker's setup.
func (c *Checker) command(input string, fault Fault, k int) string {
	fn := c.cfg.function
	if fn == "" {
		fn = placeholderFunction
	}
	cmd := RunCommand(fn, input, c.cfg.seed, fault, k, "out.html")
	var caveats []string
	if c.cfg.function == "" {
		caveats = append(caveats, "FUNCTION: the name dpcheck run knows the handler by (check.WithFunctionName)")
	}
	if c.cfg.customSchedule {
		caveats = append(caveats, "dpcheck run uses the seeded schedule, not this Checker's WithSchedule")
	}
	if c.cfg.failErr != nil && fault == FailCall {
		caveats = append(caveats, "dpcheck run fails the call with a throttling error, not WithFailError's")
	}
	if len(caveats) > 0 {
		cmd += "   # " + strings.Join(caveats, "; ")
	}
	return cmd
}

// logInput is the input recorded in a log's EXECUTION operation.
func logInput(log Log) string {
	for _, op := range log.Operations {
		if op.Type == types.OperationTypeExecution && op.ExecutionDetails != nil {
			return aws.ToString(op.ExecutionDetails.InputPayload)
		}
	}
	return ""
}
