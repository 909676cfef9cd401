package suites

import (
	"context"
	"flag"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// The requirement files are copies of the official ones (Apache-2.0, see
// testdata/LICENSE and testdata/NOTICE), one folder per suite.
const requirementsDir = "testdata"

var (
	seedFlag = flag.Uint64("suites.seed", 0, "base seed for variables, jitter and branch scheduling (0: random)")
	runsFlag = flag.Int("suites.runs", 8, "runs of every requirement, with seeds base, base+1, ...")
)

func loadRequirements(t *testing.T) []*conformance.Requirement {
	t.Helper()
	reqs, err := conformance.Load(requirementsDir)
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

// Every requirement file has a handler and every handler a file.
func TestTableCoversRequirementFiles(t *testing.T) {
	var files []string
	for _, r := range loadRequirements(t) {
		files = append(files, r.Key())
	}
	slices.Sort(files)
	keys := slices.Sorted(maps.Keys(Table()))
	if !slices.Equal(files, keys) {
		t.Fatalf("requirement files and table keys differ\nfiles: %v\ntable: %v", files, keys)
	}
}

func TestRegisterAddsTableWithFeatures(t *testing.T) {
	reg := conformance.NewRegistry()
	Register(reg)
	table := Table()
	if got, want := len(reg.Keys()), len(table); got != want {
		t.Fatalf("registered %d handlers, table has %d", got, want)
	}
	for key, e := range table {
		got, ok := reg.Lookup(key)
		if !ok {
			t.Errorf("%s: not registered", key)
			continue
		}
		if got.Crash != e.Crash || got.Callbacks != e.Callbacks {
			t.Errorf("%s: registered with crash=%v callbacks=%v, table says crash=%v callbacks=%v",
				key, got.Crash, got.Callbacks, e.Crash, e.Callbacks)
		}
	}
	if !table["step/1-17"].Crash {
		t.Error("step/1-17 crashes its process and must ask for Tools.Crash")
	}
}

// Every requirement passes on the in-process fake, under several seeds (they
// change generated inputs, retry jitter and the order concurrent branches
// run in).
func TestRequirementsPassLocally(t *testing.T) {
	reg := conformance.NewRegistry()
	Register(reg)
	reqs := loadRequirements(t)
	base := *seedFlag
	if base == 0 {
		base = rand.Uint64()
	}
	runs := max(*runsFlag, 1)
	if testing.Short() {
		runs = 1
	}
	for i := range runs {
		seed := base + uint64(i)
		r := &conformance.Runner{Registry: reg, Target: conformance.LocalTarget{Seed: seed}, Seed: seed}
		for _, req := range reqs {
			o := r.Run(context.Background(), req)
			if o.Verdict != conformance.Pass {
				t.Errorf("%s\n(seed %d; rerun with -suites.seed=%d -suites.runs=1)", o.Line(), seed, seed)
			}
		}
	}
}
