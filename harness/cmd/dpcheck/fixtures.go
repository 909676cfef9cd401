package main

import (
	"strings"

	"github.com/dpcheck/dpcheck/fixtures"
	"github.com/dpcheck/dpcheck/harness/cloud"
)

// dpcheck's own regression fixtures (fixtures/*/*.yaml) run against the
// handlers of package fixtures. `dpcheck run` runs each of those handlers
// too, by the function name serve gives it (map--retry-min-successful for
// the fixture map/retry-min-successful), except the calculator fixtures',
// which all run "calculator".
func init() {
	fixtures.Register(conformanceRegistry)
	for key, inv := range fixtures.Invokers() {
		if !strings.HasPrefix(key, "calculator/") {
			registry.MustRegister(cloud.FunctionName(key), inv)
		}
	}
}
