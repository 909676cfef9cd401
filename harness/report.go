package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable/wire"
)

// reportOp is an operation in ReportJSON.
type reportOp struct {
	Id       string          `json:"id"`
	ParentId string          `json:"parentId,omitempty"`
	Name     string          `json:"name,omitempty"`
	Type     string          `json:"type"`
	SubType  string          `json:"subType,omitempty"`
	Status   string          `json:"status"`
	Attempts int             `json:"attempts,omitempty"`
	Result   json.RawMessage `json:"result,omitempty"`
	Error    any             `json:"error,omitempty"`
}

type report struct {
	Status      string     `json:"status"`
	Result      any        `json:"result"`
	Error       any        `json:"error"`
	Operations  []reportOp `json:"operations"`
	History     any        `json:"history"`
	Invocations int        `json:"invocations"`
	Hint        string     `json:"hint,omitempty"` // WallClockHint
}

// ReportJSON is the Result as the dpcheck command's --json prints it:
// {"status","result","error","operations":[…],"history":[…],"invocations":N},
// and "hint" when the run has a WallClockHint.
// result is the decoded result JSON, error and history events are in the
// Lambda API's JSON form (timestamps in epoch seconds).
func (r *Result) ReportJSON() ([]byte, error) {
	rep := report{Status: string(r.Status), Operations: make([]reportOp, len(r.Operations)), Invocations: len(r.Invocations), Hint: r.WallClockHint()}
	rep.Result = payloadValue(r.Output)
	var err error
	if r.Error != nil {
		if rep.Error, err = wire.ToValue(r.Error, wire.Seconds); err != nil {
			return nil, err
		}
	}
	for i, op := range r.Operations {
		ro := reportOp{Id: op.Id, ParentId: op.ParentId, Name: op.Name, Type: string(op.Type), SubType: op.SubType,
			Status: string(op.Status), Attempts: op.Attempts}
		if op.Result != nil {
			if json.Valid([]byte(*op.Result)) {
				ro.Result = json.RawMessage(*op.Result)
			} else {
				ro.Result, _ = json.Marshal(*op.Result)
			}
		}
		if op.Error != nil {
			if ro.Error, err = wire.ToValue(op.Error, wire.Seconds); err != nil {
				return nil, err
			}
		}
		rep.Operations[i] = ro
	}
	history := r.History
	if history == nil {
		history = []types.Event{}
	}
	if rep.History, err = wire.ToValue(history, wire.Seconds); err != nil {
		return nil, err
	}
	return json.MarshalIndent(rep, "", "  ")
}

// payloadValue is a JSON payload as a value to embed: the raw JSON when it
// is valid, else the text as a string, nil when absent.
func payloadValue(p *string) any {
	if p == nil {
		return nil
	}
	if json.Valid([]byte(*p)) {
		return json.RawMessage(*p)
	}
	return *p
}

// WriteHistory writes one line per event: id, virtual time, type, the
// operation's subtype and name, and the details that matter.
func WriteHistory(w io.Writer, events []types.Event) {
	var t0 time.Time
	for i, ev := range events {
		at := aws.ToTime(ev.EventTimestamp)
		if i == 0 {
			t0 = at
		}
		what := strings.TrimSpace(aws.ToString(ev.SubType) + " " + aws.ToString(ev.Name))
		fmt.Fprintf(w, "%4d  +%-6s %-21s %-32s %s\n", aws.ToInt32(ev.EventId), at.Sub(t0).String(), ev.EventType, clip(what), eventDetail(&ev))
	}
}

func eventDetail(ev *types.Event) string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	result := func(r *types.EventResult) {
		if r != nil && r.Payload != nil {
			add("result=%s", clip(*r.Payload))
		}
	}
	failure := func(e *types.EventError) {
		if e != nil && e.Payload != nil {
			add("error=%s", ErrorLine(e.Payload))
		}
	}
	retry := func(r *types.RetryDetails) {
		if r == nil {
			return
		}
		add("attempt=%d", r.CurrentAttempt)
		if r.NextAttemptDelaySeconds != nil {
			add("retry-in=%ds", *r.NextAttemptDelaySeconds)
		}
	}
	switch {
	case ev.ExecutionStartedDetails != nil:
		if in := ev.ExecutionStartedDetails.Input; in != nil && in.Payload != nil {
			add("input=%s", clip(*in.Payload))
		}
	case ev.ExecutionSucceededDetails != nil:
		result(ev.ExecutionSucceededDetails.Result)
	case ev.ExecutionFailedDetails != nil:
		failure(ev.ExecutionFailedDetails.Error)
	case ev.ExecutionTimedOutDetails != nil:
		failure(ev.ExecutionTimedOutDetails.Error)
	case ev.ExecutionStoppedDetails != nil:
		failure(ev.ExecutionStoppedDetails.Error)
	case ev.ContextSucceededDetails != nil:
		result(ev.ContextSucceededDetails.Result)
	case ev.ContextFailedDetails != nil:
		failure(ev.ContextFailedDetails.Error)
	case ev.StepSucceededDetails != nil:
		retry(ev.StepSucceededDetails.RetryDetails)
		result(ev.StepSucceededDetails.Result)
	case ev.StepFailedDetails != nil:
		retry(ev.StepFailedDetails.RetryDetails)
		failure(ev.StepFailedDetails.Error)
	case ev.WaitStartedDetails != nil:
		add("duration=%ds", aws.ToInt32(ev.WaitStartedDetails.Duration))
	case ev.WaitCancelledDetails != nil:
		failure(ev.WaitCancelledDetails.Error)
	case ev.InvocationCompletedDetails != nil:
		d := ev.InvocationCompletedDetails
		add("request=%s", aws.ToString(d.RequestId))
		failure(d.Error)
	}
	return strings.Join(parts, " ")
}
