package suites

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// waitForConditionSuite holds the handlers of the wait_for_condition suite
// (requirements wait_for_condition/6-*). Where a requirement names no wait
// strategy, polls are 1 s apart without jitter: the plainest strategy, and
// a short one for runs on real time.
func waitForConditionSuite() map[string]conformance.Entry {
	return map[string]conformance.Entry{
		"6-1":  plain(durable.Handle(countFromZero)),
		"6-2":  plain(durable.Handle(conditionMetAtOnce)),
		"6-3":  plain(durable.Handle(countNamed)),
		"6-4":  plain(durable.Handle(countFromFive)),
		"6-5":  plain(durable.Handle(countEveryTwoSeconds)),
		"6-6":  plain(durable.Handle(conditionNeverMet)),
		"6-7":  plain(durable.Handle(conditionCheckFails)),
		"6-9":  plain(durable.Handle(conditionStructState)),
		"6-10": plain(durable.Handle(conditionNullState)),
		"6-11": plain(durable.Handle(conditionCustomSerdes)),
		"6-12": plain(durable.Handle(conditionThenStep)),
		"6-13": plain(durable.Handle(conditionTwice)),
	}
}

// fixedDelay polls every d, without jitter, while more says so, at most
// maxAttempts checks (0: the default, 60).
func fixedDelay[S any](d time.Duration, maxAttempts int, more func(S) bool) durable.WaitStrategy[S] {
	return durable.NewWaitStrategy(durable.WaitStrategyConfig[S]{
		ShouldContinuePolling: more, MaxAttempts: maxAttempts,
		InitialDelay: d, BackoffRate: 1, Jitter: durable.JitterNone,
	})
}

// count is the suite's usual WaitForCondition: the state starts at initial,
// each check adds one, and polling goes on, every d, while it is below
// threshold.
func count(ctx durable.Context, name string, initial, threshold int, d time.Duration) (int, error) {
	return durable.WaitForCondition(ctx, name, func(_ durable.StepContext, s int) (int, error) {
		return s + 1, nil
	}, durable.ConditionConfig[int]{
		InitialState: initial,
		WaitStrategy: fixedDelay(d, 0, func(s int) bool { return s < threshold }),
	})
}

// 6-1: from 0 up to the input threshold (3).
func countFromZero(ctx durable.Context, threshold int) (int, error) {
	return count(ctx, "", 0, threshold, time.Second)
}

// 6-2: the state starts at 5 and the check returns it unchanged; polling
// goes on while it is below 5, so the first check ends it.
func conditionMetAtOnce(ctx durable.Context, _ any) (int, error) {
	return durable.WaitForCondition(ctx, "", func(_ durable.StepContext, s int) (int, error) {
		return s, nil
	}, durable.ConditionConfig[int]{
		InitialState: 5,
		WaitStrategy: fixedDelay(time.Second, 0, func(s int) bool { return s < 5 }),
	})
}

// 6-3: as 6-1, named poll-status.
func countNamed(ctx durable.Context, threshold int) (int, error) {
	return count(ctx, "poll-status", 0, threshold, time.Second)
}

// 6-4: from the initial state 5 up to the input threshold (8).
func countFromFive(ctx durable.Context, threshold int) (int, error) {
	return count(ctx, "", 5, threshold, time.Second)
}

// 6-5: as 6-1 with a fixed 2 s delay, which each poll's record shows.
func countEveryTwoSeconds(ctx durable.Context, threshold int) (int, error) {
	return count(ctx, "", 0, threshold, 2*time.Second)
}

// 6-6: the state keeps growing and the condition is never met; the
// strategy allows 3 checks and fails the third.
func conditionNeverMet(ctx durable.Context, _ any) (int, error) {
	return durable.WaitForCondition(ctx, "", func(_ durable.StepContext, s int) (int, error) {
		return s + 1, nil
	}, durable.ConditionConfig[int]{
		WaitStrategy: fixedDelay(time.Second, 3, func(int) bool { return true }),
	})
}

// 6-7: the check fails on its first call; nothing retries it.
func conditionCheckFails(ctx durable.Context, _ any) (int, error) {
	return durable.WaitForCondition(ctx, "", func(durable.StepContext, int) (int, error) {
		return 0, errors.New("condition check failed")
	}, durable.ConditionConfig[int]{
		WaitStrategy: fixedDelay(time.Second, 0, func(int) bool { return true }),
	})
}

type jobState struct {
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
}

// 6-9: a structured state: each check counts an attempt and the second one
// marks the job DONE; polling goes on while it is PENDING.
func conditionStructState(ctx durable.Context, _ any) (jobState, error) {
	return durable.WaitForCondition(ctx, "", func(_ durable.StepContext, s jobState) (jobState, error) {
		s.Attempts++
		if s.Attempts >= 2 {
			s.Status = "DONE"
		}
		return s, nil
	}, durable.ConditionConfig[jobState]{
		InitialState: jobState{Status: "PENDING"},
		WaitStrategy: fixedDelay(time.Second, 0, func(s jobState) bool { return s.Status == "PENDING" }),
	})
}

// 6-10: the check returns null and the strategy stops at once.
func conditionNullState(ctx durable.Context, _ any) (*string, error) {
	return durable.WaitForCondition(ctx, "", func(durable.StepContext, *string) (*string, error) {
		return nil, nil
	}, durable.ConditionConfig[*string]{
		WaitStrategy: fixedDelay(time.Second, 0, func(*string) bool { return false }),
	})
}

// boxSerdes stores a string state as "box:" and the string, a format only
// its own Unmarshal reads back.
type boxSerdes struct{}

func (boxSerdes) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	return []byte(`"box:` + v.(string) + `"`), nil
}

func (boxSerdes) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	data := string(raw)
	s, ok := strings.CutPrefix(data, `"box:`)
	if !ok || !strings.HasSuffix(s, `"`) {
		return errors.New("not a boxed state: " + data)
	}
	*(ptr.(*string)) = strings.TrimSuffix(s, `"`)
	return nil
}

// 6-11: a string state kept through a custom serdes; each check appends an
// x, until the state is two long.
func conditionCustomSerdes(ctx durable.Context, _ any) (string, error) {
	return durable.WaitForCondition(ctx, "", func(_ durable.StepContext, s string) (string, error) {
		return s + "x", nil
	}, durable.ConditionConfig[string]{
		Serdes:       boxSerdes{},
		WaitStrategy: fixedDelay(time.Second, 0, func(s string) bool { return len(s) < 2 }),
	})
}

// 6-12: count up to the input threshold (2), then a step multiplies the
// result by 10.
func conditionThenStep(ctx durable.Context, threshold int) (int, error) {
	n, err := count(ctx, "", 0, threshold, time.Second)
	if err != nil {
		return 0, err
	}
	return durable.Step(ctx, "multiply", func(durable.StepContext) (int, error) { return n * 10, nil })
}

// 6-13: count from 0 to 2, then from there to 4.
func conditionTwice(ctx durable.Context, _ any) (int, error) {
	n, err := count(ctx, "", 0, 2, time.Second)
	if err != nil {
		return 0, err
	}
	return count(ctx, "", n, 4, time.Second)
}
