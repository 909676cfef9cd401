package suites

import (
	"maps"
	"slices"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// Table returns every handler of the package by requirement key ("suite/id").
// It builds a fresh map on each call, so callers may change it freely.
func Table() map[string]conformance.Entry {
	t := map[string]conformance.Entry{}
	for suite, entries := range map[string]map[string]conformance.Entry{
		"step":     stepSuite(),
		"wait":     waitSuite(),
		"child":    childSuite(),
		"parallel": parallelSuite(),
		"map":      mapSuite(),

		"callback":           callbackSuite(),
		"wait_for_callback":  waitForCallbackSuite(),
		"wait_for_condition": waitForConditionSuite(),
		"invoke":             invokeSuite(),
		"plugin":             pluginSuite(),
	} {
		for id, e := range entries {
			t[suite+"/"+id] = e
		}
	}
	return t
}

// Register adds every entry of Table to r, asking for the runner features
// each one needs, and the functions the invoke suite's handlers call.
func Register(r *conformance.Registry) {
	for _, name := range slices.Sorted(maps.Keys(invokeTargets())) {
		r.RegisterFunction(name, invokeTargets()[name])
	}
	t := Table()
	for _, key := range slices.Sorted(maps.Keys(t)) {
		e := t[key]
		var opts []conformance.Option
		if e.Crash {
			opts = append(opts, conformance.NeedsCrash())
		}
		if e.Callbacks {
			opts = append(opts, conformance.NeedsCallbacks())
		}
		r.Register(key, e.Handler, opts...)
	}
}

// plain is the entry of a handler that needs no runner feature.
func plain(inv durable.Invoker) conformance.Entry {
	return conformance.Entry{Handler: conformance.Plain(inv)}
}
