package harness

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/service"
)

// Function is a function that chained invokes (durable.Invoke) reach by
// name in process: a durable handler, run as a durable execution of its
// own on the same backend and virtual clock, or a plain Lambda function
// that gets the payload and returns its output. Exactly one is set.
type Function struct {
	Durable durable.Invoker
	Plain   func(ctx context.Context, payload []byte) ([]byte, error)
}

// Functions maps function names to the functions chained invokes reach.
type Functions map[string]Function

// Lookup finds a function by any name a chained invoke may use: NAME,
// NAME:QUALIFIER or a function ARN.
func (fs Functions) Lookup(function string) (Function, bool) {
	name, _ := service.SplitFunctionName(function)
	f, ok := fs[name]
	return f, ok && (f.Durable != nil) != (f.Plain != nil)
}

// WithFunctions lets the runner's chained invokes reach fns. It applies to
// the fresh backend each Run creates; a backend given WithBackend keeps
// the ChainedInvoker it was built with.
func WithFunctions(fns Functions) RunnerOption { return func(c *runnerConfig) { c.functions = fns } }

// WithActor makes a the world outside the execution: it is told each time
// the execution suspends, and answers its callbacks (service.Actor).
func WithActor(a service.Actor) RunnerOption { return func(c *runnerConfig) { c.actor = a } }

// localInvoker runs chained invoke targets in process for one Run.
type localInvoker struct {
	fns   Functions
	b     *service.Backend
	env   func() durable.Env
	actor service.Actor
	max   int
}

func (l *localInvoker) Lookup(function string) (isDurable, ok bool) {
	f, ok := l.fns.Lookup(function)
	return f.Durable != nil, ok
}

// Invoke drives a durable target's execution to its end with the same
// client, jitter, scheduler and actor as the parent, or calls a plain one.
func (l *localInvoker) Invoke(ctx context.Context, inv service.ChainedInvocation) ([]byte, *types.ErrorObject, error) {
	f, _ := l.fns.Lookup(inv.FunctionName)
	if f.Durable != nil {
		run := func(ctx context.Context, envelope []byte) ([]byte, error) {
			env := l.env()
			if c, ok := env.Clock.(*VirtualClock); ok {
				ctx = WithVirtualClock(ctx, c)
			}
			return f.Durable(ctx, env, envelope)
		}
		_, err := l.b.DriveWith(ctx, inv.ExecutionArn, run, service.DriveOptions{MaxInvocations: l.max, Actor: l.actor})
		return nil, nil, err
	}
	out, err := callPlain(ctx, f.Plain, []byte(aws.ToString(inv.Payload)))
	if err != nil {
		return nil, PlainErrorObject(err), nil
	}
	return out, nil, nil
}

// callPlain calls a plain function, a panic becoming its error as the
// Lambda runtime reports one.
func callPlain(ctx context.Context, fn func(context.Context, []byte) ([]byte, error), payload []byte) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("harness: the function panicked: %v", p)
		}
	}()
	return fn(ctx, payload)
}

// PlainErrorObject is the ErrorObject a plain function's error is reported
// with: the ErrorType an error names with an `ErrorType() string` method,
// or else its Go type name, and the error's text.
func PlainErrorObject(err error) *types.ErrorObject {
	var named interface{ ErrorType() string }
	typ := strings.TrimLeft(fmt.Sprintf("%T", err), "*")
	if i := strings.LastIndexByte(typ, '.'); i >= 0 {
		typ = typ[i+1:]
	}
	if errors.As(err, &named) {
		typ = named.ErrorType()
	}
	return &types.ErrorObject{ErrorType: aws.String(typ), ErrorMessage: aws.String(err.Error())}
}
