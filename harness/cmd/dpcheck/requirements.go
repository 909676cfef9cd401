package main

import "github.com/dpcheck/dpcheck/harness/conformance/suites"

// The official step, wait, child and parallel requirements run against the
// handlers of package suites.
func init() { suites.Register(conformanceRegistry) }
