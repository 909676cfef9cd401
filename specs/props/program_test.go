package props

import (
	"pgregory.net/rapid"
)

// program is a generated branch program: one Parallel, whose outcome the
// handler returns, or ends the execution FAILED with when Throw is set and
// a branch failed. It travels as the execution's input, so one handler
// (interpret) runs every program.
type program struct {
	Root  parallelProg `json:"root"`
	Throw bool         `json:"throw,omitempty"`
}

// parallelProg is one Parallel: its branches, completion policy, maximum
// concurrency (0: unlimited) and nesting.
type parallelProg struct {
	Branches       []branchProg `json:"branches"`
	Policy         policy       `json:"policy"`
	MaxConcurrency int          `json:"maxConcurrency,omitempty"`
	Flat           bool         `json:"flat,omitempty"`         // durable.NestingFlat
	DefaultNames   bool         `json:"defaultNames,omitempty"` // branches left unnamed
	// Map runs the branches as the iterations of a Map over their indexes
	// (named by WithItemNamer unless DefaultNames) instead of a Parallel.
	Map bool `json:"map,omitempty"`
}

// branchProg is a sequence of operations; the first one that fails fails
// the branch.
type branchProg struct {
	Ops []op `json:"ops"`
}

// Operation kinds.
const (
	opStep     = "step"
	opWait     = "wait"
	opParallel = "parallel"
)

// op is one operation of a branch.
type op struct {
	Kind string `json:"kind"`

	// A step fails its first Failures attempts (every attempt when
	// negative) with ErrorType, then succeeds. Attempts is its retry
	// strategy's total; Strategy names it ("linear" or "exponential"), and
	// an exponential one only retries the types in RetryTypes when any
	// are given.
	Failures   int      `json:"failures,omitempty"`
	Attempts   int      `json:"attempts,omitempty"`
	Strategy   string   `json:"strategy,omitempty"`
	Jitter     int      `json:"jitter,omitempty"` // durable.JitterStrategy of an exponential strategy
	RetryTypes []string `json:"retryTypes,omitempty"`
	ErrorType  string   `json:"errorType,omitempty"`

	Seconds int `json:"seconds,omitempty"` // a wait's duration

	// A nested Parallel; with Throw, a failed branch of it fails this
	// branch through ThrowIfError.
	Nested *parallelProg `json:"nested,omitempty"`
	Throw  bool          `json:"throw,omitempty"`

	// A futures op: its futures and the combinator that joins them.
	Combinator string       `json:"combinator,omitempty"`
	Futures    []futureProg `json:"futures,omitempty"`
}

// Completion presets; policyCustom uses the three fields.
const (
	policyDefault         = "default" // no WithCompletion: fail-fast
	policyAllSuccessful   = "allSuccessful"
	policyAllCompleted    = "allCompleted"
	policyFirstSuccessful = "firstSuccessful"
	policyCustom          = "custom"
)

// policy is a completion configuration.
type policy struct {
	Preset                     string `json:"preset"`
	MinSuccessful              *int   `json:"minSuccessful,omitempty"`
	ToleratedFailureCount      *int   `json:"toleratedFailureCount,omitempty"`
	ToleratedFailurePercentage *int   `json:"toleratedFailurePercentage,omitempty"` // 1..100 (0 is unset)
}

// GoString shows a program as its JSON in rapid's counterexamples.
func (p program) GoString() string { return mustJSON(p) }

var errorTypes = []string{"BoomError", "FlakyError"}

// programGen draws programs of up to four branches of up to three
// operations, with Parallels nested two deep at most.
func programGen() *rapid.Generator[program] {
	return rapid.Custom(func(t *rapid.T) program {
		return program{
			Root:  drawParallel(t, "root", 0),
			Throw: rapid.IntRange(0, 3).Draw(t, "throw") == 3,
		}
	})
}

func drawParallel(t *rapid.T, label string, depth int) parallelProg {
	maxBranches := 4
	if depth > 0 {
		maxBranches = 3
	}
	// rapid favours small draws; keep empty Parallels rare.
	k := rapid.IntRange(1, maxBranches).Draw(t, label+".branches")
	if rapid.IntRange(0, 15).Draw(t, label+".empty") == 15 {
		k = 0
	}
	p := parallelProg{
		Branches:     make([]branchProg, k),
		Policy:       drawPolicy(t, label, k),
		Flat:         rapid.IntRange(0, 4).Draw(t, label+".flat") == 4,
		DefaultNames: rapid.IntRange(0, 4).Draw(t, label+".defaultNames") == 4,
		Map:          rapid.Bool().Draw(t, label+".map"),
	}
	// 0 (unlimited) and 1 (sequential) come first: they are the common
	// and the schedule-independent cases.
	p.MaxConcurrency = rapid.IntRange(0, k+1).Draw(t, label+".maxConcurrency")
	for i := range p.Branches {
		n := rapid.IntRange(1, 3).Draw(t, label+".ops")
		if rapid.IntRange(0, 9).Draw(t, label+".noOps") == 9 {
			n = 0
		}
		for range n {
			p.Branches[i].Ops = append(p.Branches[i].Ops, drawOp(t, label, depth))
		}
	}
	return p
}

func drawOp(t *rapid.T, label string, depth int) op {
	kinds := []string{opStep, opStep, opWait, opFutures, opParallel}
	if depth >= 2 {
		kinds = kinds[:4]
	}
	switch kind := rapid.SampledFrom(kinds).Draw(t, label+".kind"); kind {
	case opFutures:
		return drawFutures(t, label)
	case opWait:
		return op{Kind: opWait, Seconds: rapid.IntRange(1, 30).Draw(t, label+".waitSeconds")}
	case opParallel:
		nested := drawParallel(t, label+".nested", depth+1)
		return op{Kind: opParallel, Nested: &nested, Throw: rapid.Bool().Draw(t, label+".nestedThrow")}
	default:
		s := op{
			Kind:      opStep,
			Failures:  rapid.IntRange(-1, 3).Draw(t, label+".failures"),
			Attempts:  rapid.IntRange(1, 4).Draw(t, label+".attempts"),
			ErrorType: rapid.SampledFrom(errorTypes).Draw(t, label+".errorType"),
		}
		if s.Attempts > 1 {
			s.Strategy = rapid.SampledFrom([]string{"linear", "exponential"}).Draw(t, label+".strategy")
		}
		if s.Strategy == "exponential" {
			s.Jitter = rapid.IntRange(0, 2).Draw(t, label+".jitter")
			s.RetryTypes = rapid.SliceOfNDistinct(rapid.SampledFrom(append(errorTypes, "OtherError")), 0, 2,
				rapid.ID[string]).Draw(t, label+".retryTypes")
		}
		return s
	}
}

func drawPolicy(t *rapid.T, label string, k int) policy {
	preset := rapid.SampledFrom([]string{policyDefault, policyAllCompleted, policyCustom, policyAllSuccessful, policyFirstSuccessful}).
		Draw(t, label+".policy")
	if preset == policyFirstSuccessful && k == 0 {
		preset = policyDefault // MinSuccessful 1 > 0 branches is a ValidationError
	}
	p := policy{Preset: preset}
	if preset != policyCustom {
		return p
	}
	if k > 0 && rapid.Bool().Draw(t, label+".hasMinSuccessful") {
		p.MinSuccessful = ptr(rapid.IntRange(1, k).Draw(t, label+".minSuccessful"))
	}
	if rapid.Bool().Draw(t, label+".hasToleratedCount") {
		p.ToleratedFailureCount = ptr(rapid.IntRange(0, k).Draw(t, label+".toleratedCount"))
	}
	if rapid.Bool().Draw(t, label+".hasToleratedPercentage") {
		// Shares of k branches that are whole percentages sit on the
		// boundary of the strict comparison; the others fall between.
		if k > 0 && rapid.Bool().Draw(t, label+".percentageOnShare") {
			p.ToleratedFailurePercentage = ptr(max(1, rapid.IntRange(0, k).Draw(t, label+".share")*100/k))
		} else {
			p.ToleratedFailurePercentage = ptr(rapid.IntRange(1, 100).Draw(t, label+".percentage"))
		}
	}
	return p
}

func ptr[T any](v T) *T { return &v }
