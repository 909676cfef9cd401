package durable_test

import (
	"time"

	"github.com/dpcheck/dpcheck/durable"
)

// The futures and combinators, pinned to the official Go SDK's signatures
// (go-sdk-parity.md §1.2, the newest shape read: combinators take
// ...ChildOption). Part of the compile test in official_api_test.go: if
// this stops compiling, the runtime has left the official API shape.
var (
	_ func(*durable.Future[int]) (int, error)                                                                           = (*durable.Future[int]).Result
	_ func(*durable.Future[int]) <-chan struct{}                                                                        = (*durable.Future[int]).Done
	_ func(durable.Context, string, func(durable.Context) (int, error), ...durable.ChildOption) *durable.Future[int]    = durable.Go[int]
	_ func(durable.Context, string, func(durable.Context) (int, error), ...durable.ChildOption) *durable.Future[int]    = durable.RunInChildContextAsync[int]
	_ func(durable.Context, string, func(durable.StepContext) (int, error), ...durable.StepOption) *durable.Future[int] = durable.StepAsync[int]
	_ func(durable.Context, string, time.Duration) *durable.Future[durable.Void]                                        = durable.WaitAsync
	_ func(durable.Context, string, string, string, ...durable.InvokeOption) *durable.Future[int]                       = durable.InvokeAsync[int, string]
	_ func(durable.Context, string, []*durable.Future[int], ...durable.ChildOption) ([]int, error)                      = durable.All[int]
	_ func(durable.Context, string, []*durable.Future[int], ...durable.ChildOption) ([]durable.Settled[int], error)     = durable.AllSettled[int]
	_ func(durable.Context, string, []*durable.Future[int], ...durable.ChildOption) (int, error)                        = durable.Any[int]
	_ func(durable.Context, string, []*durable.Future[int], ...durable.ChildOption) (int, error)                        = durable.Race[int]
	_ func(durable.Context, string, []durable.Awaitable, ...durable.ChildOption) error                                  = durable.Join
	_ func(durable.Context, string, []durable.Branch[int], ...durable.ChildOption) (string, int, error)                 = durable.Select[int]
	_ durable.Settled[int]                                                                                              = durable.Settled[int]{Value: 1, Err: nil}
	_ durable.CombinatorError                                                                                           = durable.CombinatorError{Name: "", Errors: nil}
	_ error                                                                                                             = (*durable.CombinatorError)(nil)
	_ durable.Awaitable                                                                                                 = (*durable.Future[string])(nil)
	_ durable.Void                                                                                                      = durable.Void{}
)
