package durable_test

import (
	"github.com/dpcheck/dpcheck/durable"
)

// valueCtx carries a test value through a durable.Context.
type valueCtx struct {
	durable.Context
	key, val any
}

func (v valueCtx) Value(key any) any {
	if key == v.key {
		return v.val
	}
	return v.Context.Value(key)
}

func withValue(ctx durable.Context, key, val any) durable.Context { return valueCtx{ctx, key, val} }
