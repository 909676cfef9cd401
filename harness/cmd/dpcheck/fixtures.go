package main

import "github.com/dpcheck/dpcheck/fixtures"

// dpcheck's own regression fixtures (fixtures/*/*.yaml) run against the
// handlers of package fixtures.
func init() { fixtures.Register(conformanceRegistry) }
