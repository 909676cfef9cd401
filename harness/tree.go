package harness

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Tree renders the operations as an indented tree under the execution:
//
//	execution e1 SUCCEEDED -> {"Add":15}
//	└── calculations CONTEXT/Parallel SUCCEEDED
//	    ├── addition CONTEXT/ParallelBranch SUCCEEDED -> 15
//	    │   └── addition STEP/Step SUCCEEDED attempts=1 -> 15
//
// Children appear in history order; payloads longer than 60 characters
// are cut.
func (r *Result) Tree() string {
	var sb strings.Builder
	r.WriteTree(&sb)
	return sb.String()
}

// WriteTree writes Tree to w.
func (r *Result) WriteTree(w io.Writer) {
	head := fmt.Sprintf("execution %s %s", r.Name, r.Status)
	if r.Output != nil {
		head += " -> " + clip(*r.Output)
	}
	if r.Error != nil {
		head += " !! " + ErrorLine(r.Error)
	}
	fmt.Fprintln(w, head)
	writeChildren(w, r.TopLevel(), "")
}

func writeChildren(w io.Writer, ops []*Operation, indent string) {
	for i, op := range ops {
		branch, next := "├── ", "│   "
		if i == len(ops)-1 {
			branch, next = "└── ", "    "
		}
		fmt.Fprintln(w, indent+branch+op.line())
		writeChildren(w, op.Children, indent+next)
	}
}

// line is the operation's one-line description.
func (o *Operation) line() string {
	name := o.Name
	if name == "" {
		name = "(" + o.Id + ")"
	}
	kind := string(o.Type)
	if o.SubType != "" {
		kind += "/" + o.SubType
	}
	s := name + " " + kind + " " + string(o.Status)
	if o.Type == types.OperationTypeStep {
		s += fmt.Sprintf(" attempts=%d", o.Attempts)
	}
	if o.Type == types.OperationTypeWait {
		s += fmt.Sprintf(" %ds", o.WaitSeconds)
	}
	if o.Result != nil {
		s += " -> " + clip(*o.Result)
	}
	if o.Error != nil {
		s += " !! " + ErrorLine(o.Error)
	}
	return s
}

func clip(s string) string {
	const max = 60
	if len(s) > max {
		return s[:max-3] + "..."
	}
	return s
}

// ErrorLine is "Type: message" for an ErrorObject.
func ErrorLine(e *types.ErrorObject) string {
	if e == nil {
		return ""
	}
	typ, msg := aws.ToString(e.ErrorType), aws.ToString(e.ErrorMessage)
	switch {
	case typ == "":
		return clip(msg)
	case msg == "":
		return typ
	}
	return typ + ": " + clip(msg)
}

// Signature is an operation reduced to what a comparison between two runs
// should look at: no ids, payloads or timestamps.
type Signature struct {
	Type    types.OperationType
	SubType string
	Name    string
	Status  types.OperationStatus
	Path    string // the names of the ancestors, outermost first, "/"-joined
}

func (s Signature) String() string {
	return fmt.Sprintf("%s/%s %s %s @%s", s.Type, s.SubType, s.Name, s.Status, s.Path)
}

// Signature returns the normalized signature of every operation, sorted so
// that two runs whose branches interleaved differently still compare equal.
func (r *Result) Signature() []Signature {
	out := make([]Signature, len(r.Operations))
	for i, op := range r.Operations {
		out[i] = Signature{Type: op.Type, SubType: op.SubType, Name: op.Name, Status: op.Status, Path: op.Path()}
	}
	slices.SortFunc(out, func(a, b Signature) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// SignatureString is Signature, one entry per line.
func (r *Result) SignatureString() string {
	var sb strings.Builder
	for _, s := range r.Signature() {
		sb.WriteString(s.String())
		sb.WriteByte('\n')
	}
	return sb.String()
}
