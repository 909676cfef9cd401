package suites

import (
	"errors"
	"fmt"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// stepSuite holds the handlers of the step suite (requirements step/1-*).
func stepSuite() map[string]conformance.Entry {
	return map[string]conformance.Entry{
		"1-1":  plain(durable.Handle(stepBasic)),
		"1-2":  plain(durable.Handle(stepNamed)),
		"1-3":  plain(durable.Handle(stepSequential)),
		"1-4":  plain(durable.Handle(stepComplexObject)),
		"1-5":  plain(durable.Handle(stepNull)),
		"1-6":  plain(durable.Handle(stepCustomSerdes)),
		"1-7":  plain(durable.Handle(stepLogger)),
		"1-8":  plain(durable.Handle(stepThenWait)),
		"1-9":  plain(durable.Handle(stepReplaySkips)),
		"1-10": plain(durable.Handle(stepReplayRethrows)),
		"1-11": plain(durable.Handle(stepRetryThenSucceed)),
		"1-12": plain(durable.Handle(stepRetryExhausted)),
		"1-13": plain(durable.Handle(stepDefaultRetry)),
		"1-15": plain(durable.Handle(stepRetryTransient)),
		"1-16": plain(durable.Handle(stepNoRetryTransient)),
		"1-17": {Handler: stepAtMostOnceCrash, Crash: true},
		"1-19": plain(durable.Handle(stepFailsNoRetry)),
		"1-20": plain(durable.Handle(stepErrorCaught)),
	}
}

// greeting is the value of the greeting steps.
func greeting(name string) string { return "Hello, " + name + "!" }

// 1-1: one step greets the input. Without a name option the other SDKs name
// the step after its function, greet.
func stepBasic(ctx durable.Context, name string) (string, error) {
	return durable.Step(ctx, "greet", func(durable.StepContext) (string, error) {
		return greeting(name), nil
	})
}

// 1-2: as 1-1, with the explicit name custom_step_name.
func stepNamed(ctx durable.Context, name string) (string, error) {
	return durable.Step(ctx, "custom_step_name", func(durable.StepContext) (string, error) {
		return greeting(name), nil
	})
}

// 1-3: the second step uses the first's result.
func stepSequential(ctx durable.Context, _ any) (string, error) {
	first, err := durable.Step(ctx, "step_one", func(durable.StepContext) (string, error) {
		return "first", nil
	})
	if err != nil {
		return "", err
	}
	return durable.Step(ctx, "step_two", func(durable.StepContext) (string, error) {
		return first + "_second", nil
	})
}

type person struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

type personResponse struct {
	User  person `json:"user"`
	Count int    `json:"count"`
}

// 1-4: the step returns a nested object built from the event.
func stepComplexObject(ctx durable.Context, in person) (personResponse, error) {
	return durable.Step(ctx, "build_response", func(durable.StepContext) (personResponse, error) {
		return personResponse{User: in, Count: len(in.Tags)}, nil
	})
}

// 1-5: the step returns null, and so does the handler.
func stepNull(ctx durable.Context, _ any) (any, error) {
	return durable.Step(ctx, "do_nothing", func(durable.StepContext) (any, error) {
		return nil, nil
	})
}

// 1-6: the step returns the input; its serdes upper-cases strings.
func stepCustomSerdes(ctx durable.Context, in string) (string, error) {
	return durable.Step(ctx, "return_input", func(durable.StepContext) (string, error) {
		return in, nil
	}, durable.WithStepSerdes(upperJSON{}))
}

// 1-7: the step logs through its step-context logger at start and end.
func stepLogger(ctx durable.Context, name string) (string, error) {
	return durable.Step(ctx, "greet", func(sc durable.StepContext) (string, error) {
		sc.Logger().Info("Greeting step started for: " + name)
		g := greeting(name)
		sc.Logger().Info("Greeting step completed with: " + g)
		return g, nil
	})
}

// 1-8: a step, then a 2 s wait; the replay skips the step.
func stepThenWait(ctx durable.Context, _ any) (string, error) {
	v, err := durable.Step(ctx, "compute", func(durable.StepContext) (string, error) {
		return "computed", nil
	})
	if err != nil {
		return "", err
	}
	if err := durable.Wait(ctx, "", 2*time.Second); err != nil {
		return "", err
	}
	return v, nil
}

// 1-9: a step that logs and succeeds, then a 1 s wait; the replay returns the
// step's checkpointed result.
func stepReplaySkips(ctx durable.Context, _ any) (string, error) {
	v, err := durable.Step(ctx, "cached_step", func(sc durable.StepContext) (string, error) {
		sc.Logger().Info("step executed")
		return "cached_value", nil
	})
	if err != nil {
		return "", err
	}
	if err := durable.Wait(ctx, "", time.Second); err != nil {
		return "", err
	}
	return v, nil
}

// 1-10: a no-retry step fails; the error is caught, then a 1 s wait. The
// replay gets the stored error back without running the step. The handler
// returns the caught error's type and message.
func stepReplayRethrows(ctx durable.Context, _ any) (string, error) {
	_, err := durable.Step(ctx, "failing_step", func(sc durable.StepContext) (string, error) {
		sc.Logger().Info("step executed")
		return "", errors.New("permanent failure")
	}, durable.WithRetry(durable.NoRetry()))
	var se *durable.StepError
	if !errors.As(err, &se) {
		return "", err // nil (the step did not fail) or control flow
	}
	if err := durable.Wait(ctx, "", time.Second); err != nil {
		return "", err
	}
	return "caught " + se.ErrorType + ": " + se.Message, nil
}

// oneSecondRetry retries up to maxAttempts attempts, one second apart.
func oneSecondRetry(maxAttempts int) durable.RetryStrategy {
	return durable.MustNewRetryStrategy(durable.RetryConfig{
		MaxAttempts:  maxAttempts,
		InitialDelay: time.Second,
		BackoffRate:  1,
		Jitter:       durable.JitterNone,
	})
}

// 1-11: fails on attempt 1, succeeds on attempt 2 (retry after 1 s).
func stepRetryThenSucceed(ctx durable.Context, _ any) (string, error) {
	return durable.Step(ctx, "unreliable_func", func(sc durable.StepContext) (string, error) {
		if sc.Attempt() == 1 {
			return "", errors.New("transient failure on attempt 1")
		}
		return "Operation succeeded", nil
	}, durable.WithRetry(oneSecondRetry(3)))
}

// 1-12: always fails; 4 attempts in all, 1 s apart; the execution fails.
func stepRetryExhausted(ctx durable.Context, _ any) (string, error) {
	return durable.Step(ctx, "always_fail", func(sc durable.StepContext) (string, error) {
		return "", fmt.Errorf("failure on attempt %d", sc.Attempt())
	}, durable.WithRetry(oneSecondRetry(4)))
}

// 1-13: fails on attempts 1 and 2, succeeds on 3, with the default strategy
// (no retry option).
func stepDefaultRetry(ctx durable.Context, _ any) (string, error) {
	return durable.Step(ctx, "unreliable_func", func(sc durable.StepContext) (string, error) {
		if sc.Attempt() < 3 {
			return "", fmt.Errorf("failure on attempt %d", sc.Attempt())
		}
		return fmt.Sprintf("succeeded on attempt %d", sc.Attempt()), nil
	})
}

// 1-15: throws TransientError on attempt 1; the strategy retries (after 1 s,
// up to 3 attempts) only a TransientError.
func stepRetryTransient(ctx durable.Context, _ any) (string, error) {
	retryOnTransient := func(a durable.RetryAttempt) durable.RetryDecision {
		if a.Attempt < 3 && isTransient(a.Err) {
			return durable.RetryDecision{Retry: true, Delay: time.Second}
		}
		return durable.RetryDecision{}
	}
	return durable.Step(ctx, "transient_step", func(sc durable.StepContext) (string, error) {
		if sc.Attempt() == 1 {
			return "", &transientError{msg: "temporary failure"}
		}
		return "recovered", nil
	}, durable.WithRetry(retryOnTransient))
}

// 1-16: throws TransientError; the strategy retries every error but that one,
// so the step fails at once and so does the execution.
func stepNoRetryTransient(ctx durable.Context, _ any) (string, error) {
	noRetryOnTransient := func(a durable.RetryAttempt) durable.RetryDecision {
		if a.Attempt < 3 && !isTransient(a.Err) {
			return durable.RetryDecision{Retry: true, Delay: time.Second}
		}
		return durable.RetryDecision{}
	}
	return durable.Step(ctx, "transient_step", func(durable.StepContext) (string, error) {
		return "", &transientError{msg: "temporary failure"}
	}, durable.WithRetry(noRetryOnTransient))
}

// 1-17: an AtMostOncePerRetry, no-retry step logs the input through its
// logger and then crashes the process. The replay finds the step STARTED,
// does not run it again, and fails it; the execution fails.
func stepAtMostOnceCrash(t *conformance.Tools) durable.Invoker {
	return durable.Handle(func(ctx durable.Context, in string) (string, error) {
		return durable.Step(ctx, "at_most_once_flaky_step", func(sc durable.StepContext) (string, error) {
			sc.Logger().Info("processing input " + in)
			t.Crash() // does not return: the process is gone
			return "", nil
		}, durable.WithSemantics(durable.AtMostOncePerRetry), durable.WithRetry(durable.NoRetry()))
	})
}

// 1-19: a no-retry step that always fails; the execution fails.
func stepFailsNoRetry(ctx durable.Context, _ any) (string, error) {
	return durable.Step(ctx, "failing_func", func(durable.StepContext) (string, error) {
		return "", errors.New("step always fails")
	}, durable.WithRetry(durable.NoRetry()))
}

// 1-20: a no-retry step fails; user code catches the StepError, falls back,
// and a second step builds the result from the fallback value.
func stepErrorCaught(ctx durable.Context, _ any) (string, error) {
	v, err := durable.Step(ctx, "failing_func", func(durable.StepContext) (string, error) {
		return "", errors.New("step failed")
	}, durable.WithRetry(durable.NoRetry()))
	var se *durable.StepError
	switch {
	case errors.As(err, &se):
		v = "fallback"
	case err != nil:
		return "", err
	}
	return durable.Step(ctx, "process", func(durable.StepContext) (string, error) {
		return v + "_result", nil
	})
}
