package suites

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// pluginSuite holds the handlers of the plugin suite (requirements
// plugin/10-*). Each registers instrumentation plugins that log one JSON
// record per hook event, {"plugin":"CONFPLUGIN","hook":…,…}, through the
// invocation's logger (stdout under dpcheck serve); hooks log with their
// own fields only, nothing carried between hooks but the execution ARN.
func pluginSuite() map[string]conformance.Entry {
	return map[string]conformance.Entry{
		"10-1":  withPlugins(greetLogged, invocationHooks),
		"10-2":  withPlugins(stepBasic, operationHooks(stepOps, nil)),
		"10-3":  withPlugins(flakyStep("unreliable", "Operation succeeded"), attemptHooks(nil)),
		"10-4":  withPlugins(stepBasic, faultyHooks),
		"10-5":  withPlugins(stepBasic, twoPlugins),
		"10-7":  withPlugins(alwaysFailingStep, invocationHooks),
		"10-8":  withPlugins(stepBasic, changeHooks(false)),
		"10-10": withPlugins(waitTwoSeconds, operationHooks(waitOps, typeField)),
		"10-11": withPlugins(childGreeting, operationEndWithParent),
		"10-13": withPlugins(stepThenFlaky, operationHooks(stepOps, replayField)),
		"10-14": withPlugins(stepThenBoom, operationEndPayload),
		"10-15": withPlugins(alwaysFailingTwice, attemptHooks(operationEndOnly)),
		"10-16": withPlugins(waitTwoSeconds, invocationFirstHooks),
		"10-18": withPlugins(parallelWaits, operationHooks(waitOps, pendingFields)),
		"10-19": withPlugins(waitThenDone, invocationDump),
		"10-21": withPlugins(flakyStep("flaky", "ok"), attemptDump),
		"10-22": withPlugins(greetTaskA, changeHooks(true)),
		"10-23": withPlugins(parallelBranchesWithWait, contextDump),
	}
}

// withPlugins runs fn with the plugins build makes over the invocation's
// logger: the plugin writes where the function's output goes.
func withPlugins[E, R any](fn func(durable.Context, E) (R, error), build func(*pluginLog) []durable.Plugin) conformance.Entry {
	return plain(func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
		log := env.Logger
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		return durable.Handle(fn, durable.WithPlugins(build(&pluginLog{log: log})...))(ctx, env, envelope)
	})
}

// pluginLog writes the records of one invocation's plugins, which hooks of
// several plugins and branches call at once.
type pluginLog struct {
	log *slog.Logger
	mu  sync.Mutex
	arn string // the execution ARN, from invocation-start
}

func (l *pluginLog) keepArn(arn string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.arn = arn
}

func (l *pluginLog) emit(plugin, hook string, fields ...any) {
	args := append([]any{"plugin", plugin, "hook", hook}, fields...)
	l.mu.Lock()
	if l.arn != "" {
		args = append(args, "durableExecutionArn", l.arn)
	}
	l.mu.Unlock()
	l.log.Info(plugin+" "+hook, args...)
}

const confPlugin = "CONFPLUGIN"

func terminalStatus(s durable.PluginInvocationStatus) bool {
	return s == durable.PluginInvocationSucceeded || s == durable.PluginInvocationFailed
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// orNone is s, or the literal NONE when it is empty.
func orNone(s string) string {
	if s == "" {
		return "NONE"
	}
	return s
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func stepOps(info durable.OperationHookInfo) bool { return info.Type == "STEP" }
func waitOps(info durable.OperationHookInfo) bool { return info.Type == "WAIT" }

// The handlers.

// 10-1: one step greets the input, logging from its body.
func greetLogged(ctx durable.Context, name string) (string, error) {
	return durable.Step(ctx, "greet", func(sc durable.StepContext) (string, error) {
		sc.Logger().Info("Greeting step running for: " + name)
		return greeting(name), nil
	})
}

// 10-3, 10-21: step name fails its first attempt and returns result on the
// second, retried after 1 s.
func flakyStep(name, result string) func(durable.Context, any) (string, error) {
	return func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, name, func(sc durable.StepContext) (string, error) {
			if sc.Attempt() == 1 {
				return "", errors.New("attempt 1 fails")
			}
			return result, nil
		}, durable.WithRetry(oneSecondRetry(3)))
	}
}

// 10-7: a step that always throws, without retries.
func alwaysFailingStep(ctx durable.Context, _ any) (string, error) {
	return durable.Step(ctx, "failing", func(durable.StepContext) (string, error) {
		return "", errors.New("always fails")
	}, durable.WithRetry(durable.NoRetry()))
}

// 10-10, 10-16: one 2 s wait.
func waitTwoSeconds(ctx durable.Context, _ any) (any, error) {
	return nil, durable.Wait(ctx, "wait", 2*time.Second)
}

// 10-11: a child context whose step greets the input.
func childGreeting(ctx durable.Context, name string) (string, error) {
	return durable.RunInChildContext(ctx, "child", func(cc durable.Context) (string, error) {
		return durable.Step(cc, "greet", func(durable.StepContext) (string, error) { return greeting(name), nil })
	})
}

// 10-13: step A succeeds; step B fails once and succeeds 1 s later.
func stepThenFlaky(ctx durable.Context, _ any) (string, error) {
	if _, err := echoStep(ctx, "step_a", "a"); err != nil {
		return "", err
	}
	return flakyStep("step_b", "Operation succeeded")(ctx, nil)
}

// 10-14: step A returns "task-a"; step B throws "boom" without retries.
func stepThenBoom(ctx durable.Context, _ any) (string, error) {
	if _, err := echoStep(ctx, "step_a", "task-a"); err != nil {
		return "", err
	}
	return durable.Step(ctx, "step_b", func(durable.StepContext) (string, error) {
		return "", errors.New("boom")
	}, durable.WithRetry(durable.NoRetry()))
}

// 10-15: a step that always throws, two attempts 1 s apart.
func alwaysFailingTwice(ctx durable.Context, _ any) (string, error) {
	return durable.Step(ctx, "always_fails", func(durable.StepContext) (string, error) {
		return "", errors.New("always fails")
	}, durable.WithRetry(oneSecondRetry(2)))
}

// 10-18: a Parallel "waits" of two branches, each one wait: "short" 2 s,
// "long" 8 s.
func parallelWaits(ctx durable.Context, _ any) ([]string, error) {
	waitThen := func(name string, d time.Duration) durable.Branch[string] {
		return durable.Branch[string]{Func: func(bc durable.Context) (string, error) {
			return name + "-done", durable.Wait(bc, name, d)
		}}
	}
	br, err := durable.Parallel(ctx, "waits", []durable.Branch[string]{waitThen("short", 2*time.Second), waitThen("long", 8*time.Second)},
		durable.WithMaxConcurrency(2))
	if err != nil {
		return nil, err
	}
	return br.Results(), nil
}

// 10-19: a 2 s wait, then "done-" and the input.
func waitThenDone(ctx durable.Context, in string) (string, error) {
	if err := durable.Wait(ctx, "wait", 2*time.Second); err != nil {
		return "", err
	}
	return "done-" + in, nil
}

// 10-22: a step "greet" returning "task-a".
func greetTaskA(ctx durable.Context, _ any) (string, error) { return echoStep(ctx, "greet", "task-a") }

// 10-23: a Parallel "ctx", one branch at a time: "branch-a" runs a step
// and a 2 s wait, "branch-b" returns at once.
func parallelBranchesWithWait(ctx durable.Context, _ any) ([]string, error) {
	br, err := durable.Parallel(ctx, "ctx", []durable.Branch[string]{
		{Name: "branch-a", Func: func(bc durable.Context) (string, error) {
			if _, err := echoStep(bc, "inner", "x"); err != nil {
				return "", err
			}
			return "a-done", durable.Wait(bc, "pause", 2*time.Second)
		}},
		{Name: "branch-b", Func: value("b-done")},
	}, durable.WithMaxConcurrency(1))
	if err != nil {
		return nil, err
	}
	return br.Results(), nil
}
