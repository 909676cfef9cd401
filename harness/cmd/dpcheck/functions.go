package main

import (
	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
)

// registry holds every function dpcheck can run by name. Verb files that
// bring their own handlers (conformance, fixtures) register them in init.
var registry = harness.NewRegistry()

func init() {
	registry.MustRegister("calculator", durable.Handle(function.Handler))
}
