// Package specs_test is dpcheck's Ginkgo suite: the four promises of
// durable parallel code (completion, no-retry division, replay determinism,
// BatchResult counts), checked on the in-process fake with crash injection
// at every checkpoint and schedule exploration, and the calculator through
// a deployed or emulated stack.
//
//	go tool ginkgo -r --label-filter='!e2e' ./specs            # local (default)
//	DPCHECK_TARGET=endpoint DPCHECK_ENDPOINT=http://127.0.0.1:9000 \
//	  go tool ginkgo --label-filter=e2e ./specs                # through the Lambda API
//
// Every random choice is seeded from GinkgoRandomSeed(): a failing spec
// prints its seed, and --seed=N reproduces it.
package specs_test

import (
	"fmt"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gleak"
)

func TestSpecs(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Specs Suite")
}

var _ = BeforeSuite(func() {
	gleak.IgnoreGinkgoParallelClient()
	target = targetFromEnv()
})

// Every spec: print the seed on failure, and fail if a goroutine the spec
// started (a branch, a runner) outlives it.
var _ = BeforeEach(func() {
	AddReportEntry("seed", ReportEntryVisibilityFailureOrVerbose,
		fmt.Sprintf("seed %d: rerun with go tool ginkgo --seed=%d ./specs", GinkgoRandomSeed(), GinkgoRandomSeed()))
	before := gleak.Goroutines()
	DeferCleanup(func() {
		// The Lambda client's idle connections may outlive an e2e spec.
		Eventually(gleak.Goroutines).ShouldNot(gleak.HaveLeaked(before, gleak.IgnoringCreator("net/http.(*Transport).dialConn")))
	})
})
