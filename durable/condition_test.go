package durable_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
)

// counter is a WaitForCondition handler: the state starts at initial, each
// check adds one, and polling goes on while it is below the input threshold,
// every 2 s without jitter. checks records (attempt, state received).
func counter(initial int, checks *[][2]int) func(durable.Context, int) (int, error) {
	return func(ctx durable.Context, threshold int) (int, error) {
		return durable.WaitForCondition(ctx, "poll", func(sc durable.StepContext, s int) (int, error) {
			*checks = append(*checks, [2]int{sc.Attempt(), s})
			return s + 1, nil
		}, durable.ConditionConfig[int]{
			InitialState: initial,
			WaitStrategy: durable.NewWaitStrategy(durable.WaitStrategyConfig[int]{
				ShouldContinuePolling: func(s int) bool { return s < threshold },
				InitialDelay:          2 * time.Second, BackoffRate: 1, Jitter: durable.JitterNone,
			}),
		})
	}
}

// actions lists every update as "ACTION payload delay".
func actions(m *memService) []string {
	var out []string
	for _, u := range m.allUpdates() {
		s := string(u.Action)
		if u.Payload != nil {
			s += " " + *u.Payload
		}
		if u.StepOptions != nil {
			s += fmt.Sprintf(" %ds", aws.ToInt32(u.StepOptions.NextAttemptDelaySeconds))
		}
		if aws.ToString(u.SubType) != "WaitForCondition" {
			s += " (" + aws.ToString(u.SubType) + ")"
		}
		out = append(out, s)
	}
	return out
}

// Each check is an attempt of one STEP; a RETRY carries the state and the
// strategy's delay, and the next check receives that state.
func TestWaitForConditionPollsUntilDone(t *testing.T) {
	var checks [][2]int
	inv := durable.Handle(counter(5, &checks))
	m := newMem(`8`)
	out, n := m.run(t, inv, durable.Env{})
	var got int
	resultOf(t, out, &got)
	if got != 8 || n != 3 {
		t.Fatalf("result %d after %d invocations", got, n)
	}
	if want := [][2]int{{1, 5}, {2, 6}, {3, 7}}; !slices.Equal(checks, want) {
		t.Fatalf("checks (attempt, state) %v, want %v", checks, want)
	}
	want := []string{"START", "RETRY 6 2s", "START", "RETRY 7 2s", "START", "SUCCEED 8"}
	if got := actions(m); !slices.Equal(got, want) {
		t.Fatalf("updates %v, want %v", got, want)
	}
	op := m.find("poll")[0]
	if op.Type != types.OperationTypeStep || aws.ToString(op.SubType) != "WaitForCondition" || op.StepDetails.Attempt != 3 {
		t.Fatalf("operation %s/%s attempt %d", op.Type, aws.ToString(op.SubType), op.StepDetails.Attempt)
	}
	replayUnchanged(t, m, inv, out)
	if len(checks) != 3 {
		t.Fatalf("the replay ran the check: %v", checks)
	}
}

func TestWaitForConditionMetAtOnce(t *testing.T) {
	var checks [][2]int
	m := newMem(`5`)
	out, n := m.run(t, durable.Handle(counter(4, &checks)), durable.Env{})
	var got int
	resultOf(t, out, &got)
	if got != 5 || n != 1 || !slices.Equal(actions(m), []string{"START", "SUCCEED 5"}) {
		t.Fatalf("result %d, %d invocations, updates %v", got, n, actions(m))
	}
}

// An attempt cut off by a crash (the record is STARTED) is checked again
// with the state of the last RETRY, without a second START.
func TestWaitForConditionResumesInterruptedAttempt(t *testing.T) {
	var checks [][2]int
	inv := durable.Handle(counter(0, &checks))
	m := newMem(`2`)
	mustPending(t, m, inv)
	m.advance()
	crashed := false
	m.fail = func(_ int, updates []types.OperationUpdate) error {
		if !crashed && updates[len(updates)-1].Action == types.OperationActionSucceed {
			crashed = true
			m.applyLocked(t, updates[0]) // the START arrived, the process died before the SUCCEED
			return errors.New("connection reset")
		}
		return nil
	}
	if _, err := m.invokeOnce(t, inv, durable.Env{}); err == nil {
		t.Fatal("the failed checkpoint did not fail the invocation")
	}
	out, _ := m.run(t, inv, durable.Env{})
	var got int
	resultOf(t, out, &got)
	if want := [][2]int{{1, 0}, {2, 1}, {2, 1}}; got != 2 || !slices.Equal(checks, want) {
		t.Fatalf("result %d, checks %v, want %v", got, checks, want)
	}
	if want := []string{"START", "RETRY 1 2s", "START", "SUCCEED 2"}; !slices.Equal(actions(m), want) {
		t.Fatalf("updates %v, want %v", actions(m), want)
	}
}

func TestWaitForConditionFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		check     func(int) (int, error)
		wantType  string
		wantMsg   string
		wantSteps []string
	}{
		{"max attempts", func(s int) (int, error) { return s + 1, nil }, "WaitMaxAttemptsError", "(3)",
			[]string{"START", "RETRY 1 1s", "START", "RETRY 2 1s", "START", "FAIL"}},
		{"check error", func(int) (int, error) { return 0, transientError{} }, "TransientError", "try again",
			[]string{"START", "FAIL"}},
		{"check panic", func(int) (int, error) { panic("bad state") }, "PanicError", "bad state",
			[]string{"START", "FAIL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen []error
			inv := durable.Handle(func(ctx durable.Context, _ any) (int, error) {
				v, err := durable.WaitForCondition(ctx, "", func(_ durable.StepContext, s int) (int, error) { return tc.check(s) },
					durable.ConditionConfig[int]{WaitStrategy: durable.NewWaitStrategy(durable.WaitStrategyConfig[int]{
						ShouldContinuePolling: func(int) bool { return true }, MaxAttempts: 3, InitialDelay: time.Second, BackoffRate: 1, Jitter: durable.JitterNone,
					})})
				if err != nil {
					seen = append(seen, err)
				}
				return v, err
			})
			m := newMem(`null`)
			out, _ := m.run(t, inv, durable.Env{})
			if out.Status != durable.InvocationFailed || aws.ToString(out.Error.ErrorType) != "WaitForConditionError" || !strings.Contains(aws.ToString(out.Error.ErrorMessage), tc.wantMsg) {
				t.Fatalf("output %s %s", out.Status, errString(out.Error))
			}
			if got := actions(m); !slices.Equal(got, tc.wantSteps) {
				t.Fatalf("updates %v, want %v", got, tc.wantSteps)
			}
			replayUnchanged(t, m, inv, out)
			for _, err := range seen[len(seen)-2:] { // live, then rebuilt on replay
				we, ok := errors.AsType[*durable.WaitForConditionError](err)
				if !ok || we.ErrorType != tc.wantType || !strings.Contains(we.Message, tc.wantMsg) {
					t.Fatalf("error %#v, want a WaitForConditionError of type %s", err, tc.wantType)
				}
			}
		})
	}
}

// The state goes through the serdes both ways on the first run too, so the
// strategy and the caller see what a replay will.
type tagSerdes struct{}

func (tagSerdes) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	return []byte(`"<` + v.(string) + `>"`), nil
}
func (tagSerdes) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	data := string(raw)
	s := strings.TrimSuffix(strings.TrimPrefix(data, `"<`), `>"`)
	if len(s) != len(data)-4 {
		return fmt.Errorf("not a tagged state: %s", data)
	}
	*(ptr.(*string)) = s
	return nil
}

func TestWaitForConditionCustomSerdes(t *testing.T) {
	var states []string
	inv := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		return durable.WaitForCondition(ctx, "grow", func(_ durable.StepContext, s string) (string, error) {
			states = append(states, s)
			return s + "x", nil
		}, durable.ConditionConfig[string]{Serdes: tagSerdes{}, WaitStrategy: func(state string, _ int) durable.WaitDecision {
			return durable.WaitDecision{Continue: len(state) < 2, Delay: 1500 * time.Millisecond}
		}})
	})
	m := newMem(`null`)
	out, _ := m.run(t, inv, durable.Env{})
	var got string
	resultOf(t, out, &got)
	if got != "xx" || !slices.Equal(states, []string{"", "x"}) {
		t.Fatalf("result %q, states %q", got, states)
	}
	if want := []string{`START`, `RETRY "<x>" 2s`, `START`, `SUCCEED "<xx>"`}; !slices.Equal(actions(m), want) {
		t.Fatalf("updates %v, want %v", actions(m), want)
	}
}

func TestNewWaitStrategyDelays(t *testing.T) {
	s := durable.NewWaitStrategy(durable.WaitStrategyConfig[int]{ShouldContinuePolling: func(int) bool { return true }, Jitter: durable.JitterNone})
	var got []time.Duration
	for attempt := 1; attempt <= 12; attempt++ {
		d := s(0, attempt)
		if d.Err != nil || !d.Continue {
			t.Fatalf("attempt %d: %+v", attempt, d)
		}
		got = append(got, d.Delay)
	}
	// defaults: 5 s x 1.5^(n-1), capped at 5 min
	want := []time.Duration{5 * time.Second, 7500 * time.Millisecond, 11250 * time.Millisecond}
	if !slices.Equal(got[:3], want) || got[11] != 300*time.Second {
		t.Fatalf("delays %v", got)
	}
	if d := s(0, 60); d.Continue || d.Err == nil {
		t.Fatalf("attempt 60 of 60 did not give up: %+v", d)
	}
	stop := durable.NewWaitStrategy(durable.WaitStrategyConfig[int]{ShouldContinuePolling: func(n int) bool { return n < 3 }})
	if d := stop(3, 99); d.Err != nil || d.Continue {
		t.Fatalf("a met condition: %+v", d)
	}
}

// Without a strategy WaitForCondition polls as the official default does,
// its full jitter drawn from Env.Jitter.
func TestWaitForConditionDefaultStrategy(t *testing.T) {
	var checks int
	h := func(ctx durable.Context, _ any) (int, error) {
		return durable.WaitForCondition(ctx, "poll", func(_ durable.StepContext, s int) (int, error) {
			checks++
			return s + 1, nil
		}, durable.ConditionConfig[int]{})
	}
	m := newMem(`null`)
	if out, err := m.invokeOnce(t, durable.Handle(h), durable.Env{Jitter: func() float64 { return 0.5 }}); err != nil || out.Status != durable.InvocationPending || checks != 1 {
		t.Fatalf("%d checks, %+v %v", checks, out, err)
	}
	if got := actions(m); !slices.Equal(got, []string{"START", "RETRY 1 3s"}) {
		t.Fatalf("first updates %v: want a 2.5 s delay, sent as 3 s", got)
	}
}

func TestWaitForConditionValidation(t *testing.T) {
	m := newMem(`null`)
	var err error
	out, _ := m.run(t, durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		_, err = durable.WaitForCondition[int](ctx, "x", nil, durable.ConditionConfig[int]{})
		return 0, nil
	}), durable.Env{})
	if _, ok := errors.AsType[*durable.ValidationError](err); !ok || out.Status != durable.InvocationSucceeded || m.updateCount() != 0 {
		t.Fatalf("error %v, %d updates", err, m.updateCount())
	}
}
