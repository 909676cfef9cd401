package durable_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
)

type ctxKeyT struct{}

// A wrap hook cannot run the wrapped code twice, skip it, or change its
// outcome; values it adds to the context reach the wrapped code.
func TestPluginWrapHooks(t *testing.T) {
	for name, hook := range map[string]func(ctx context.Context, fn func(context.Context) (any, error)) (any, error){
		"calls fn twice": func(ctx context.Context, fn func(context.Context) (any, error)) (any, error) {
			ctx = context.WithValue(ctx, ctxKeyT{}, "traced")
			fn(ctx)
			return fn(ctx)
		},
		"never calls fn": func(context.Context, func(context.Context) (any, error)) (any, error) {
			return "other", nil
		},
		"lies about the outcome": func(ctx context.Context, fn func(context.Context) (any, error)) (any, error) {
			fn(context.WithValue(ctx, ctxKeyT{}, "traced"))
			return nil, errors.New("hook says no")
		},
		"panics after fn": func(ctx context.Context, fn func(context.Context) (any, error)) (any, error) {
			fn(context.WithValue(ctx, ctxKeyT{}, "traced"))
			panic("hook broke")
		},
		"panics before fn": func(context.Context, func(context.Context) (any, error)) (any, error) {
			panic("hook broke first")
		},
	} {
		t.Run(name, func(t *testing.T) {
			var runs, childRuns int
			var seen []any
			h := func(ctx durable.Context, _ any) (string, error) {
				v, err := durable.Step(ctx, "s", func(sc durable.StepContext) (string, error) {
					runs++
					seen = append(seen, sc.Value(ctxKeyT{}))
					return "ok", nil
				})
				if err != nil {
					return "", err
				}
				w, err := durable.RunInChildContext(ctx, "c", func(cc durable.Context) (string, error) {
					childRuns++
					return "child", nil
				})
				return v + "+" + w, err
			}
			p := durable.Plugin{
				WrapInvocation: func(ctx context.Context, _ durable.InvocationHookInfo, fn func(context.Context) (any, error)) (any, error) {
					return hook(ctx, fn)
				},
				WrapOperationAttemptFn: func(ctx context.Context, _ durable.AttemptHookInfo, fn func(context.Context) (any, error)) (any, error) {
					return hook(ctx, fn)
				},
				WrapChildContextFn: func(ctx context.Context, _ durable.OperationHookInfo, fn func(context.Context) (any, error)) (any, error) {
					return hook(ctx, fn)
				},
			}
			m := newMem(`{}`)
			out, _ := m.run(t, durable.Handle(h, durable.WithPlugins(p, p)), durable.Env{})
			if out.Status != durable.InvocationSucceeded || out.Result != `"ok+child"` || runs != 1 || childRuns != 1 {
				t.Fatalf("%+v %s: step ran %d times, child %d", out, errString(out.Error), runs, childRuns)
			}
			if want := strings.Contains(name, "after") || strings.Contains(name, "twice") || strings.Contains(name, "lies"); (seen[0] == "traced") != want {
				t.Fatalf("the step saw %v in its context", seen)
			}
		})
	}
}

// Hooks report operations as they start, end and change: a finished
// operation is not reported again on replay, a wait that ended between
// invocations ends at the next invocation's start, from the envelope's
// UpdatedOperationIds; attempts carry their number and outcome. A panic
// in one plugin leaves the other's records whole.
func TestPluginOperationHooks(t *testing.T) {
	var mu sync.Mutex
	var got []string
	rec := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf(format, args...))
	}
	p := durable.Plugin{
		OnInvocationStart: func(_ context.Context, i durable.InvocationHookInfo) {
			rec("invocation-start first=%v updated=%d", i.IsFirstInvocation, len(i.UpdatedOperations))
		},
		OnInvocationEnd: func(_ context.Context, i durable.InvocationEndHookInfo) {
			rec("invocation-end %s first=%v", i.Status, i.IsFirstInvocation)
		},
		OnOperationStart: func(_ context.Context, i durable.OperationHookInfo) {
			rec("start %s %s replay=%v", i.Type, i.Name, i.IsReplay)
		},
		OnOperationEnd: func(_ context.Context, i durable.OperationHookInfo) {
			rec("end %s %s %s result=%s", i.Type, i.Name, i.Status, i.Result)
		},
		OnOperationAttemptStart: func(_ context.Context, i durable.AttemptHookInfo) { rec("attempt-start %s %d", i.Name, i.Attempt) },
		OnOperationAttemptEnd: func(_ context.Context, i durable.AttemptEndHookInfo) {
			rec("attempt-end %s %d %s", i.Name, i.Attempt, i.Outcome)
		},
		OnOperationChange: func(_ context.Context, i durable.OperationChangeHookInfo) {
			var names []string
			for _, op := range i.UpdatedOperations {
				names = append(names, op.Name+"="+string(op.Status))
			}
			slices.Sort(names)
			rec("change %s", strings.Join(names, ","))
		},
	}
	broken := durable.Plugin{
		OnInvocationStart:       func(context.Context, durable.InvocationHookInfo) { panic("broken") },
		OnOperationStart:        func(context.Context, durable.OperationHookInfo) { panic("broken") },
		OnOperationAttemptStart: func(context.Context, durable.AttemptHookInfo) { panic("broken") },
		OnOperationChange:       func(context.Context, durable.OperationChangeHookInfo) { panic("broken") },
	}
	h := func(ctx durable.Context, _ any) (string, error) {
		v, err := durable.Step(ctx, "s", func(durable.StepContext) (string, error) { return "v", nil })
		if err != nil {
			return "", err
		}
		return v, durable.Wait(ctx, "w", time.Second)
	}
	inv := durable.Handle(h, durable.WithPlugins(broken, p))
	m := newMem(`{}`)
	if out, err := m.invokeOnce(t, inv, durable.Env{}); err != nil || out.Status != durable.InvocationPending {
		t.Fatalf("%+v %v", out, err)
	}
	m.advance()
	// The service names the wait that fired in the next envelope.
	in, err := durable.DecodeInvocationInput(m.envelope())
	if err != nil {
		t.Fatal(err)
	}
	in.UpdatedOperationIds = []string{*m.find("w")[0].Id}
	raw, _ := durable.EncodeInvocationInput(in)
	if _, err := inv(context.Background(), durable.Env{Client: m}, raw); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"invocation-start first=true updated=0",
		"start STEP s replay=false", "attempt-start s 1", "attempt-end s 1 SUCCEEDED",
		"change s=SUCCEEDED", "end STEP s SUCCEEDED result=\"v\"",
		"start WAIT w replay=false", "change w=STARTED",
		"invocation-end PENDING first=true",
		"invocation-start first=false updated=1",
		"change w=SUCCEEDED", "end WAIT w SUCCEEDED result=",
		"invocation-end SUCCEEDED first=false",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// EnrichLogContext adds its fields to every record the handler logs; a
// record's own attributes win, and a panicking enricher adds nothing.
func TestPluginEnrichLogContext(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	trace := durable.Plugin{EnrichLogContext: func(context.Context) map[string]any {
		return map[string]any{"trace": "t-1", "user": "plugin"}
	}}
	broken := durable.Plugin{EnrichLogContext: func(context.Context) map[string]any { panic("broken") }}
	h := func(ctx durable.Context, _ any) (int, error) {
		ctx.Logger().Info("handler", "user", "handler")
		return durable.Step(ctx, "s", func(sc durable.StepContext) (int, error) {
			sc.Logger().Info("step")
			return 1, nil
		})
	}
	m := newMem(`{}`)
	m.run(t, durable.Handle(h, durable.WithPlugins(broken, trace)), durable.Env{Logger: logger})
	want := "level=INFO msg=handler user=handler trace=t-1\nlevel=INFO msg=step step=s attempt=1 trace=t-1 user=plugin\n"
	if buf.String() != want {
		t.Fatalf("logged\n%s\nwant\n%s", buf.String(), want)
	}
}
