package emulator

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// maxRefused bounds the refused checkpoint calls kept per execution; the
// first ones say what went wrong, the count says how often.
const maxRefused = 8

// RefusedCall is a checkpoint call of the execution that the service
// refused: what the function asked for and the service's error. A refusal a
// fault plan injected (throttle) is not one.
type RefusedCall struct {
	Call       int    // 1-based checkpoint call of the execution
	Invocation int    // the invocation in flight when it came, 0 if none
	Updates    string // the updates, "STEP SUCCEED add (id 1a2b)"; "; " between them
	Error      string // "InvalidParameterValueException: ..."
}

func (c RefusedCall) String() string {
	s := fmt.Sprintf("checkpoint call %d", c.Call)
	if c.Invocation > 0 {
		s += fmt.Sprintf(" (invocation %d)", c.Invocation)
	}
	if c.Updates != "" {
		s += ": " + c.Updates
	}
	return s + ": " + c.Error
}

// refused records a checkpoint call of arn the service refused.
func (s *Server) refused(arn string, call int, in *lambda.CheckpointDurableExecutionInput, err error) {
	r := s.executions.lookup(arn)
	if r == nil {
		return
	}
	c := RefusedCall{Call: call, Updates: describeUpdates(in.Updates), Error: errorText(err)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil {
		c.Invocation = r.current.index
	}
	if len(r.refused) >= maxRefused {
		r.refusedDropped++
		return
	}
	r.refused = append(r.refused, c)
}

// describeUpdates names each update by type, action, name and id; a long
// batch names its first three and counts the rest.
func describeUpdates(ups []types.OperationUpdate) string {
	const shown = 3
	parts := make([]string, 0, min(len(ups), shown)+1)
	for i, u := range ups {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(ups)-shown))
			break
		}
		p := string(u.Type) + " " + string(u.Action)
		if n := aws.ToString(u.Name); n != "" {
			p += fmt.Sprintf(" %q", n)
		}
		parts = append(parts, p+" (id "+aws.ToString(u.Id)+")")
	}
	return strings.Join(parts, "; ")
}

// errorText is an error as the function's SDK sees it: the service's error
// name and message.
func errorText(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return "ServiceException: " + err.Error()
}

// Cause explains how an execution that did not succeed ended: the last
// checkpoint call the service refused, if any, which the function's own
// error (such as the Sandbox.Timedout of an SDK that hung on the refusal)
// does not show, then the execution's error (the emulator's stop names the
// invocation cap). It is "" for a SUCCEEDED or RUNNING execution.
func (rep *ExecutionReport) Cause(status types.ExecutionStatus, e *types.ErrorObject) string {
	if status == types.ExecutionStatusSucceeded || status == types.ExecutionStatusRunning {
		return ""
	}
	cause := string(status)
	if e != nil {
		cause = aws.ToString(e.ErrorType) + ": " + aws.ToString(e.ErrorMessage)
	}
	if rep == nil || len(rep.Refused) == 0 {
		return cause
	}
	// The refusal goes first: it is what went wrong, the error followed.
	last := rep.Refused[len(rep.Refused)-1]
	refusal := "the service refused " + last.String()
	if n := len(rep.Refused) + rep.RefusedDropped; n > 1 {
		refusal += fmt.Sprintf(" (%d refused calls in all)", n)
	}
	return refusal + "; then " + cause
}
