package harness

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.yaml.in/yaml/v3"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/durable/wire"
)

// session drives the backend by hand, as a runtime would: one execution,
// the current invocation's token, checkpoint calls written out in full.
type session struct {
	t     *testing.T
	b     *Backend
	arn   string
	token string
	env   *durable.InvocationInput
}

func newSession(t *testing.T, input string, opts ...BackendOption) *session {
	t.Helper()
	b := NewBackend(opts...)
	arn, err := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: input})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	s := &session{t: t, b: b, arn: arn}
	s.begin()
	return s
}

// begin opens an invocation and keeps its envelope and token.
func (s *session) begin() *durable.InvocationInput {
	s.t.Helper()
	raw, err := s.b.BeginInvocation(s.arn)
	if err != nil {
		s.t.Fatalf("BeginInvocation: %v", err)
	}
	env, err := durable.DecodeInvocationInput(raw)
	if err != nil {
		s.t.Fatalf("envelope does not decode: %v\n%s", err, raw)
	}
	s.env, s.token = env, env.CheckpointToken
	return env
}

func (s *session) try(updates ...types.OperationUpdate) (*lambda.CheckpointDurableExecutionOutput, error) {
	out, err := s.b.CheckpointDurableExecution(context.Background(), &lambda.CheckpointDurableExecutionInput{
		DurableExecutionArn: aws.String(s.arn),
		CheckpointToken:     aws.String(s.token),
		Updates:             updates,
	})
	if err == nil && out.CheckpointToken != nil {
		s.token = *out.CheckpointToken
	}
	return out, err
}

// checkpoint sends a batch that must be accepted.
func (s *session) checkpoint(updates ...types.OperationUpdate) *lambda.CheckpointDurableExecutionOutput {
	s.t.Helper()
	out, err := s.try(updates...)
	if err != nil {
		s.t.Fatalf("checkpoint rejected: %v", err)
	}
	return out
}

// end closes the invocation with a raw output.
func (s *session) end(output string) Outcome {
	s.t.Helper()
	o, err := s.b.EndInvocation(s.arn, []byte(output), nil)
	if err != nil {
		s.t.Fatalf("EndInvocation: %v", err)
	}
	return o
}

func (s *session) history() []types.Event {
	s.t.Helper()
	out, err := s.b.GetDurableExecutionHistory(context.Background(), &lambda.GetDurableExecutionHistoryInput{
		DurableExecutionArn: aws.String(s.arn), MaxItems: 1000,
	})
	if err != nil {
		s.t.Fatalf("GetDurableExecutionHistory: %v", err)
	}
	return out.Events
}

func (s *session) result() *Result {
	s.t.Helper()
	r, err := CollectResult(context.Background(), s.b, s.arn)
	if err != nil {
		s.t.Fatalf("CollectResult: %v", err)
	}
	return r
}

// Update builders, shaped like the runtime's updates.

func upd(id string, typ types.OperationType, action types.OperationAction) types.OperationUpdate {
	return types.OperationUpdate{Id: aws.String(id), Type: typ, Action: action}
}

func stepStart(id, name, parent string) types.OperationUpdate {
	u := upd(id, types.OperationTypeStep, types.OperationActionStart)
	u.Name, u.SubType = aws.String(name), aws.String("Step")
	if parent != "" {
		u.ParentId = aws.String(parent)
	}
	return u
}

func stepSucceed(id, payload string) types.OperationUpdate {
	u := upd(id, types.OperationTypeStep, types.OperationActionSucceed)
	u.Payload = aws.String(payload)
	return u
}

func errObj(typ, msg string) *types.ErrorObject {
	return &types.ErrorObject{ErrorType: aws.String(typ), ErrorMessage: aws.String(msg)}
}

func stepFail(id, typ, msg string) types.OperationUpdate {
	u := upd(id, types.OperationTypeStep, types.OperationActionFail)
	u.Error = errObj(typ, msg)
	return u
}

func stepRetry(id, typ, msg string, delay int32) types.OperationUpdate {
	u := upd(id, types.OperationTypeStep, types.OperationActionRetry)
	u.Error = errObj(typ, msg)
	u.StepOptions = &types.StepOptions{NextAttemptDelaySeconds: aws.Int32(delay)}
	return u
}

func waitStart(id, name, parent string, secs int32) types.OperationUpdate {
	u := upd(id, types.OperationTypeWait, types.OperationActionStart)
	u.Name, u.SubType = aws.String(name), aws.String("Wait")
	if parent != "" {
		u.ParentId = aws.String(parent)
	}
	u.WaitOptions = &types.WaitOptions{WaitSeconds: aws.Int32(secs)}
	return u
}

func ctxStart(id, name, subType, parent string) types.OperationUpdate {
	u := upd(id, types.OperationTypeContext, types.OperationActionStart)
	u.Name, u.SubType = aws.String(name), aws.String(subType)
	if parent != "" {
		u.ParentId = aws.String(parent)
	}
	return u
}

func ctxSucceed(id, payload string) types.OperationUpdate {
	u := upd(id, types.OperationTypeContext, types.OperationActionSucceed)
	u.Payload = aws.String(payload)
	return u
}

func ctxFail(id, typ, msg string) types.OperationUpdate {
	u := upd(id, types.OperationTypeContext, types.OperationActionFail)
	u.Error = errObj(typ, msg)
	return u
}

// eventTypes is the history's event types as strings, for exact sequence
// checks.
func eventTypes(events []types.Event) string {
	names := make([]string, len(events))
	for i, ev := range events {
		names[i] = string(ev.EventType)
	}
	return strings.Join(names, " ")
}

// opIDs is the operations' ids joined by spaces, for exact sequence
// checks.
func opIDs(ops []types.Operation) string {
	ids := make([]string, len(ops))
	for i, op := range ops {
		ids[i] = aws.ToString(op.Id)
	}
	return strings.Join(ids, " ")
}

// matchHistory checks events against expectations written in the official
// conformance format (a YAML list of partial events keyed by EventId), with
// the official matcher's rules: every listed key must exist, {} and '*'
// match anything, ${NAME} binds on first sight and must agree afterwards,
// ${/re/} is a regular expression, other scalars compare as text.
func matchHistory(t *testing.T, events []types.Event, expected string) {
	t.Helper()
	var exp []map[string]any
	if err := yaml.Unmarshal([]byte(expected), &exp); err != nil {
		t.Fatalf("bad expectation YAML: %v", err)
	}
	actual := map[string]any{}
	for i := range events {
		v, err := wire.ToValue(events[i], wire.Seconds)
		if err != nil {
			t.Fatalf("event %d does not encode: %v", i+1, err)
		}
		actual[fmt.Sprint(aws.ToInt32(events[i].EventId))] = v
	}
	binds := map[string]string{}
	for _, e := range exp {
		id := fmt.Sprint(e["EventId"])
		act, ok := actual[id]
		if !ok {
			t.Errorf("EventId %s: missing (history has %d events)", id, len(events))
			continue
		}
		if err := matchValue("EventId "+id, e, act, binds); err != nil {
			t.Errorf("%v\nactual: %v", err, act)
		}
	}
}

var (
	placeholder = regexp.MustCompile(`^\$\{([A-Za-z0-9_]+)\}$`)
	regexHolder = regexp.MustCompile(`^\$\{/(.*)/\}$`)
)

func matchValue(path string, exp, act any, binds map[string]string) error {
	switch e := exp.(type) {
	case map[string]any:
		a, ok := act.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %v", path, act)
		}
		for k, v := range e {
			av, ok := a[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing", path, k)
			}
			if err := matchValue(path+"."+k, v, av, binds); err != nil {
				return err
			}
		}
		return nil
	case []any:
		a, ok := act.([]any)
		if !ok || len(a) != len(e) {
			return fmt.Errorf("%s: want a list of %d, got %v", path, len(e), act)
		}
		for i := range e {
			if err := matchValue(fmt.Sprintf("%s[%d]", path, i), e[i], a[i], binds); err != nil {
				return err
			}
		}
		return nil
	case string:
		got := fmt.Sprint(act)
		if e == "*" {
			return nil
		}
		if m := regexHolder.FindStringSubmatch(e); m != nil {
			if !regexp.MustCompile(m[1]).MatchString(got) {
				return fmt.Errorf("%s: %q does not match /%s/", path, got, m[1])
			}
			return nil
		}
		if m := placeholder.FindStringSubmatch(e); m != nil {
			if prev, ok := binds[m[1]]; ok && prev != got {
				return fmt.Errorf("%s: ${%s} is %q here but was %q before", path, m[1], got, prev)
			}
			binds[m[1]] = got
			return nil
		}
		if got != e {
			return fmt.Errorf("%s: got %q, want %q", path, got, e)
		}
		return nil
	}
	if got, want := fmt.Sprint(act), fmt.Sprint(exp); got != want {
		return fmt.Errorf("%s: got %s, want %s", path, got, want)
	}
	return nil
}

// wantServiceError asserts err is the SDK error type T with a message
// containing substr.
func wantServiceError[T interface {
	*types.InvalidParameterValueException | *types.ResourceNotFoundException |
		*types.DurableExecutionAlreadyStartedException | *types.TooManyRequestsException
	error
}](t *testing.T, err error, substr string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("got error %v (%T), want %T", err, err, target)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Fatalf("error %q does not mention %q", err.Error(), substr)
	}
}
