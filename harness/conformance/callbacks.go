package conformance

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// CallbackClient is the part of the Lambda API that answers callbacks;
// *lambda.Client and the fake service's Backend both have it.
type CallbackClient interface {
	SendDurableExecutionCallbackSuccess(ctx context.Context, in *lambda.SendDurableExecutionCallbackSuccessInput, optFns ...func(*lambda.Options)) (*lambda.SendDurableExecutionCallbackSuccessOutput, error)
	SendDurableExecutionCallbackFailure(ctx context.Context, in *lambda.SendDurableExecutionCallbackFailureInput, optFns ...func(*lambda.Options)) (*lambda.SendDurableExecutionCallbackFailureOutput, error)
	SendDurableExecutionCallbackHeartbeat(ctx context.Context, in *lambda.SendDurableExecutionCallbackHeartbeatInput, optFns ...func(*lambda.Options)) (*lambda.SendDurableExecutionCallbackHeartbeatOutput, error)
}

// StartedCallback is a callback an execution opened, as its CallbackStarted
// event shows it.
type StartedCallback struct {
	CallbackID string
	// Name is the event's Name or, when it has none, the Name of the
	// WaitForCallback context it belongs to, as the official runner
	// restores it.
	Name    string
	Started time.Time
}

// CallbackStarts lists the callbacks a history has opened, in event order.
func CallbackStarts(events []types.Event) []StartedCallback {
	var out []StartedCallback
	for i := range events {
		ev := &events[i]
		if ev.EventType != types.EventTypeCallbackStarted || ev.CallbackStartedDetails == nil {
			continue
		}
		name := aws.ToString(ev.Name)
		if name == "" && ev.ParentId != nil {
			for j := range events {
				p := &events[j]
				if p.EventType == types.EventTypeContextStarted && aws.ToString(p.Id) == *ev.ParentId && aws.ToString(p.SubType) == "WaitForCallback" {
					name = aws.ToString(p.Name)
					break
				}
			}
		}
		out = append(out, StartedCallback{
			CallbackID: aws.ToString(ev.CallbackStartedDetails.CallbackId),
			Name:       name,
			Started:    aws.ToTime(ev.EventTimestamp),
		})
	}
	return out
}

// CallbackPlan hands a requirement's CallbackActions out to the callbacks
// an execution opens, as the official runner does: each new callback takes
// the first unused action whose CallbackName matches its name (a literal,
// '*', or ${/regex/}); a heartbeat leaves the callback open, so it takes
// the next matching action too, until a success or a failure. A callback
// no action matches is an error when the requirement has actions, and is
// left open (to time out) when it has none. A plan is not safe for
// concurrent use.
type CallbackPlan struct {
	actions []CallbackAction
	used    []bool
}

// NewCallbackPlan plans actions, whose placeholders are already
// substituted.
func NewCallbackPlan(actions []CallbackAction) *CallbackPlan {
	return &CallbackPlan{actions: actions, used: make([]bool, len(actions))}
}

// For takes the actions that answer a newly opened callback named name, in
// the order they are sent.
func (p *CallbackPlan) For(name string) ([]CallbackAction, error) {
	if len(p.actions) == 0 {
		return nil, nil
	}
	var out []CallbackAction
	for {
		i, err := p.next(name)
		if err != nil {
			return nil, err
		}
		if i < 0 {
			break
		}
		p.used[i] = true
		out = append(out, p.actions[i])
		if p.actions[i].Operation != CallbackHeartbeat {
			return out, nil
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("conformance: callback %q was opened, but no unused CallbackAction matches it", name)
	}
	return out, nil
}

func (p *CallbackPlan) next(name string) (int, error) {
	for i, a := range p.actions {
		if p.used[i] {
			continue
		}
		ok, err := callbackNameMatches(a.CallbackName, name)
		if err != nil {
			return -1, err
		}
		if ok {
			return i, nil
		}
	}
	return -1, nil
}

func callbackNameMatches(pattern, name string) (bool, error) {
	if pattern == "*" {
		return true, nil
	}
	if m := regexPlaceholderRE.FindStringSubmatch(pattern); m != nil {
		re, err := regexp.Compile(m[1])
		if err != nil {
			return false, fmt.Errorf("conformance: CallbackName %s: %w", pattern, err)
		}
		return re.MatchString(name), nil
	}
	return pattern == name, nil
}

// SendCallback sends one action to callback id: a success with the
// payload's Python JSON text as the body (no body for a null payload), a
// failure with the payload's ErrorType, ErrorMessage, ErrorData and
// StackTrace, or a heartbeat.
func SendCallback(ctx context.Context, c CallbackClient, id string, a CallbackAction) error {
	var err error
	switch a.Operation {
	case CallbackSuccess:
		in := &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: aws.String(id)}
		if a.Payload != nil {
			body, perr := pythonJSON(a.Payload)
			if perr != nil {
				return perr
			}
			in.Result = []byte(body)
		}
		_, err = c.SendDurableExecutionCallbackSuccess(ctx, in)
	case CallbackFailure:
		_, err = c.SendDurableExecutionCallbackFailure(ctx, &lambda.SendDurableExecutionCallbackFailureInput{CallbackId: aws.String(id), Error: failurePayload(a.Payload)})
	case CallbackHeartbeat:
		_, err = c.SendDurableExecutionCallbackHeartbeat(ctx, &lambda.SendDurableExecutionCallbackHeartbeatInput{CallbackId: aws.String(id)})
	default:
		return fmt.Errorf("conformance: unknown callback operation %q", a.Operation)
	}
	if err != nil {
		return fmt.Errorf("conformance: sending %s to callback %s: %w", a.Operation, id, err)
	}
	return nil
}

// failurePayload is the ErrorObject a failure action describes; the reader
// has checked it is a mapping (or absent).
func failurePayload(p any) *types.ErrorObject {
	m, _ := p.(map[string]any)
	e := &types.ErrorObject{}
	str := func(k string) *string {
		if v, ok := m[k]; ok && v != nil {
			return aws.String(stringForm(v))
		}
		return nil
	}
	e.ErrorType, e.ErrorMessage, e.ErrorData = str("ErrorType"), str("ErrorMessage"), str("ErrorData")
	if st, ok := m["StackTrace"].([]any); ok {
		for _, line := range st {
			e.StackTrace = append(e.StackTrace, stringForm(line))
		}
	}
	return e
}

// substituteActions fills the bound placeholders into the actions' names
// and payloads.
func substituteActions(actions []CallbackAction, b Bindings) []CallbackAction {
	out := make([]CallbackAction, len(actions))
	for i, a := range actions {
		a.Payload = b.Substitute(a.Payload)
		if s, ok := b.Substitute(a.CallbackName).(string); ok {
			a.CallbackName = s
		}
		out[i] = a
	}
	return out
}
