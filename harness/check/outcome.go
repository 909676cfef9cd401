package check

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

// Outcome is what two runs of one execution must agree on: the final
// status, result and error, the normalized operation view (no ids,
// payloads or timestamps; interleaving-independent order) and the counts of
// every Parallel's and Map's BatchResult.
type Outcome struct {
	Status    types.ExecutionStatus
	Result    string // the result JSON text; "" unless SUCCEEDED
	Error     string // "Type: message" of the execution's error; "" if none
	Signature string // harness.Result.SignatureString: one sorted line per operation
	Batches   []BatchCounts
}

// BatchCounts is one Parallel's or Map's BatchResult as checkpointed.
type BatchCounts struct {
	Parallel  string // the batch's path and name, "outer/inner/name"
	Succeeded int
	Failed    int
	Started   int // in flight when the batch stopped early
	Total     int // started branches: Succeeded + Failed + Started
	Reason    string
	Indexes   []int // the indexes of the started branches, ascending
}

func (b BatchCounts) String() string {
	return fmt.Sprintf("%s: %d succeeded, %d failed, %d started of %d %v, %s",
		b.Parallel, b.Succeeded, b.Failed, b.Started, b.Total, b.Indexes, b.Reason)
}

// OutcomeOf reduces a Result to its Outcome. It fails only when a Parallel
// or Map payload in the runtime's form cannot be read.
func OutcomeOf(r *harness.Result) (Outcome, error) {
	o := Outcome{Status: r.Status, Signature: signature(r)}
	if r.Status == types.ExecutionStatusSucceeded {
		o.Result = aws.ToString(r.Output)
	}
	if r.Error != nil {
		o.Error = aws.ToString(r.Error.ErrorType) + ": " + aws.ToString(r.Error.ErrorMessage)
		if d := aws.ToString(r.Error.ErrorData); d != "" {
			o.Error += " [" + d + "]"
		}
	}
	for _, op := range r.OpsOfType(types.OperationTypeContext, "Parallel", "Map") {
		if op.Status != types.OperationStatusSucceeded {
			continue
		}
		bc, err := batchCounts(op)
		if err != nil {
			return o, err
		}
		o.Batches = append(o.Batches, bc)
	}
	// History order depends on the interleaving; the path does not.
	slices.SortStableFunc(o.Batches, func(a, b BatchCounts) int {
		if c := strings.Compare(a.Parallel, b.Parallel); c != 0 {
			return c
		}
		return strings.Compare(a.String(), b.String())
	})
	return o, nil
}

// signature is r.SignatureString() built without fmt: the sweeps compute
// it for every run.
func signature(r *harness.Result) string {
	lines := make([]string, len(r.Operations))
	n := 0
	for i, op := range r.Operations {
		lines[i] = string(op.Type) + "/" + op.SubType + " " + op.Name + " " + string(op.Status) + " @" + op.Path()
		n += len(lines[i]) + 1
	}
	sort.Strings(lines)
	var sb strings.Builder
	sb.Grow(n)
	for _, l := range lines {
		sb.WriteString(l)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// batchCounts reads a Parallel's or Map's payload: the full BatchResult, or
// the summary recorded for one over 256 KiB. A payload that is not a JSON
// object (a WithBatchResultSerdes of the handler's own) is compared as it
// is, in Reason.
func batchCounts(op *harness.Operation) (BatchCounts, error) {
	name := op.Name
	if p := op.Path(); p != "" {
		name = p + "/" + name
	}
	bc := BatchCounts{Parallel: name}
	var j struct {
		Type string `json:"type"`
		All  []struct {
			Index  int    `json:"index"`
			Status string `json:"status"`
		} `json:"all"`
		CompletionReason string `json:"completionReason"`
		TotalCount       int    `json:"totalCount"`
		StartedCount     int    `json:"startedCount"`
		SuccessCount     int    `json:"successCount"`
		FailureCount     int    `json:"failureCount"`
	}
	if raw := aws.ToString(op.Result); !strings.HasPrefix(strings.TrimSpace(raw), "{") {
		bc.Reason = "payload " + raw
		return bc, nil
	}
	if err := op.Decode(&j); err != nil {
		return bc, fmt.Errorf("check: the payload of %s %q: %w", strings.ToLower(op.SubType), name, err)
	}
	bc.Reason = j.CompletionReason
	if j.Type == "ParallelResult" || j.Type == "MapResult" {
		bc.Succeeded, bc.Failed, bc.Started, bc.Total = j.SuccessCount, j.FailureCount, j.StartedCount, j.TotalCount
		for i := range j.TotalCount {
			bc.Indexes = append(bc.Indexes, i) // branches are admitted in index order
		}
		return bc, nil
	}
	for _, it := range j.All {
		switch it.Status {
		case "SUCCEEDED":
			bc.Succeeded++
		case "FAILED":
			bc.Failed++
		case "STARTED":
			bc.Started++
		default:
			return bc, fmt.Errorf("check: %s %q: item %d has status %q", strings.ToLower(op.SubType), name, it.Index, it.Status)
		}
		bc.Indexes = append(bc.Indexes, it.Index)
	}
	bc.Total = len(j.All)
	return bc, nil
}

// Diff names the first field in which o and want differ, with both values;
// "" when they are equal.
func (o Outcome) Diff(want Outcome) string {
	switch {
	case o.Status != want.Status:
		return fmt.Sprintf("status %s, want %s", o.Status, want.Status)
	case o.Error != want.Error:
		return fmt.Sprintf("error %q, want %q", o.Error, want.Error)
	case o.Result != want.Result:
		return fmt.Sprintf("result %s, want %s", o.Result, want.Result)
	case o.Signature != want.Signature:
		return "operation view differs:\n" + lineDiff(o.Signature, want.Signature)
	}
	if len(o.Batches) != len(want.Batches) {
		return fmt.Sprintf("%d Parallel results, want %d", len(o.Batches), len(want.Batches))
	}
	for i := range o.Batches {
		if g, w := o.Batches[i].String(), want.Batches[i].String(); g != w {
			return fmt.Sprintf("BatchResult %s, want %s", g, w)
		}
	}
	return ""
}

// Key is a string equal for equal Outcomes, for grouping.
func (o Outcome) Key() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s\x00%s\x00%s\x00%s", o.Status, o.Error, o.Result, o.Signature)
	for _, b := range o.Batches {
		sb.WriteString("\x00")
		sb.WriteString(b.String())
	}
	return sb.String()
}

// String summarizes the outcome on a few lines.
func (o Outcome) String() string {
	var sb strings.Builder
	sb.WriteString(string(o.Status))
	if o.Result != "" {
		sb.WriteString(" -> " + o.Result)
	}
	if o.Error != "" {
		sb.WriteString(" error " + o.Error)
	}
	for _, b := range o.Batches {
		sb.WriteString("\n  " + b.String())
	}
	return sb.String()
}

// lineDiff lists the lines only in got (+) and only in want (-).
func lineDiff(got, want string) string {
	g, w := strings.Split(strings.TrimRight(got, "\n"), "\n"), strings.Split(strings.TrimRight(want, "\n"), "\n")
	var sb strings.Builder
	for _, l := range unmatched(g, w) {
		sb.WriteString("  + " + l + "\n")
	}
	for _, l := range unmatched(w, g) {
		sb.WriteString("  - " + l + "\n")
	}
	return sb.String()
}

// unmatched returns the lines of a left over once each line of b has
// cancelled one equal line of a.
func unmatched(a, b []string) []string {
	left := make(map[string]int, len(b))
	for _, l := range b {
		left[l]++
	}
	var out []string
	for _, l := range a {
		if left[l] > 0 {
			left[l]--
		} else {
			out = append(out, l)
		}
	}
	return out
}
