package durable

import "fmt"

// CompletionConfig says when a Parallel or Map stops. The zero value is
// fail-fast: the first failure stops it. Otherwise the batch stops once the
// failures exceed a set tolerance (strictly: more failures than
// *ToleratedFailureCount, or a failed share of all items, in percent, above
// *ToleratedFailurePercentage), once MinSuccessful items succeeded, or when
// every item has finished. A nil tolerance is unset; an explicit 0 stops at
// the first failure. Setting only MinSuccessful tolerates failures.
//
// ShouldComplete replaces the thresholds (setting both is a
// ValidationError): it is called after each item finishes, with a snapshot
// of the batch, and CompleteBatch stops the batch with
// CompletionCustomSucceeded or CompletionCustomFailed. With it there is no
// fail-fast. It must decide from its argument alone: a finished batch
// replays its recorded reason without calling it, and a live resume calls
// it again with the same outcomes. A callback that panics ends the
// execution FAILED with a *PanicError.
type CompletionConfig struct {
	MinSuccessful              int                                    // 0: no minimum
	ToleratedFailureCount      *int                                   // nil: unset
	ToleratedFailurePercentage *int                                   // nil: unset; otherwise 0..100
	ShouldComplete             func(BatchProgress) CompletionDecision `json:"-"` // not data: left out of JSON
}

// WithToleratedFailureCount is a CompletionConfig that tolerates n failures;
// an explicit 0 stops at the first failure. (The official SDK has no such
// helper; it saves taking the address of n.)
func WithToleratedFailureCount(n int) CompletionConfig {
	return CompletionConfig{ToleratedFailureCount: &n}
}

// AllSuccessful stops at the first failure (the default).
func AllSuccessful() CompletionConfig { return WithToleratedFailureCount(0) }

// AllCompleted runs every item whatever fails.
func AllCompleted() CompletionConfig {
	all := 100
	return CompletionConfig{ToleratedFailurePercentage: &all}
}

// FirstSuccessful stops at the first success.
func FirstSuccessful() CompletionConfig { return CompletionConfig{MinSuccessful: 1} }

// BatchProgress is the snapshot ShouldComplete decides from, taken right
// after one item finished.
type BatchProgress struct {
	TotalCount     int // items in the batch, started or not
	CompletedCount int // SuccessCount + FailureCount
	SuccessCount   int
	FailureCount   int
	// Items has one entry per item, in index order: BatchItemNotStarted,
	// BatchItemStarted (in flight), BatchItemSucceeded or BatchItemFailed.
	Items []BatchItemProgress
}

// BatchItemProgress is one item of a BatchProgress.
type BatchItemProgress struct {
	Index  int
	Name   string
	Status BatchItemStatus
}

// CompletionOutcome is the outcome a custom completion gives the batch.
type CompletionOutcome int

const (
	CompletionOutcomeSucceeded CompletionOutcome = 1 // CompletionCustomSucceeded
	CompletionOutcomeFailed    CompletionOutcome = 2 // CompletionCustomFailed
)

// String names the outcome.
func (o CompletionOutcome) String() string {
	switch o {
	case CompletionOutcomeSucceeded:
		return "SUCCEEDED"
	case CompletionOutcomeFailed:
		return "FAILED"
	}
	return "UNKNOWN"
}

// CompletionDecision is what ShouldComplete returns: ContinueBatch (the
// zero value) or CompleteBatch.
type CompletionDecision struct {
	complete bool
	outcome  CompletionOutcome
}

// ContinueBatch keeps the batch running.
func ContinueBatch() CompletionDecision { return CompletionDecision{} }

// CompleteBatch stops the batch now with outcome.
func CompleteBatch(outcome CompletionOutcome) CompletionDecision {
	return CompletionDecision{complete: true, outcome: outcome}
}

// Complete reports whether the decision stops the batch.
func (d CompletionDecision) Complete() bool { return d.complete }

// Outcome is the outcome of a stopping decision (0 for ContinueBatch).
func (d CompletionDecision) Outcome() CompletionOutcome { return d.outcome }

// CompletionReason says why a batch stopped. The values are the official Go
// SDK's; String gives the wire name, which is what the payloads and text
// or JSON encodings hold.
type CompletionReason int

const (
	CompletionAllCompleted CompletionReason = iota + 1
	CompletionMinSuccessfulReached
	CompletionFailureToleranceExceeded
	CompletionCustomSucceeded
	CompletionCustomFailed
)

// String is the wire name ("" for the zero value).
func (r CompletionReason) String() string {
	switch r {
	case CompletionAllCompleted:
		return "ALL_COMPLETED"
	case CompletionMinSuccessfulReached:
		return "MIN_SUCCESSFUL_REACHED"
	case CompletionFailureToleranceExceeded:
		return "FAILURE_TOLERANCE_EXCEEDED"
	case CompletionCustomSucceeded:
		return "CUSTOM_COMPLETION_SUCCEEDED"
	case CompletionCustomFailed:
		return "CUSTOM_COMPLETION_FAILED"
	case 0:
		return ""
	}
	return fmt.Sprintf("CompletionReason(%d)", int(r))
}

// MarshalText writes the wire name.
func (r CompletionReason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a wire name.
func (r *CompletionReason) UnmarshalText(b []byte) (err error) {
	*r, err = parseWireName(b, "a completion reason", 0, CompletionAllCompleted, CompletionMinSuccessfulReached,
		CompletionFailureToleranceExceeded, CompletionCustomSucceeded, CompletionCustomFailed)
	return err
}

func (c CompletionConfig) hasThreshold() bool {
	return c.MinSuccessful != 0 || c.ToleratedFailureCount != nil || c.ToleratedFailurePercentage != nil
}

func (c CompletionConfig) failFast() bool { return !c.hasThreshold() && c.ShouldComplete == nil }

func (c CompletionConfig) validate(total int) error {
	switch {
	case c.ShouldComplete != nil && c.hasThreshold():
		return &ValidationError{Message: "CompletionConfig.ShouldComplete is mutually exclusive with MinSuccessful, ToleratedFailureCount and ToleratedFailurePercentage"}
	case c.MinSuccessful < 0:
		return &ValidationError{Message: fmt.Sprintf("min successful must be at least 1, got: %d", c.MinSuccessful)}
	case c.MinSuccessful > total:
		return &ValidationError{Message: fmt.Sprintf("min successful cannot be greater than total items: %d > %d", c.MinSuccessful, total)}
	case c.ToleratedFailureCount != nil && *c.ToleratedFailureCount < 0:
		return &ValidationError{Message: fmt.Sprintf("tolerated failure count must be at least 0, got: %d", *c.ToleratedFailureCount)}
	case c.ToleratedFailurePercentage != nil && (*c.ToleratedFailurePercentage < 0 || *c.ToleratedFailurePercentage > 100):
		return &ValidationError{Message: fmt.Sprintf("tolerated failure percentage must be between 0 and 100, got: %d", *c.ToleratedFailurePercentage)}
	}
	return nil
}

// exceeded reports whether failed failures of total items exceed the
// tolerance. The percentage test failed/total*100 > pct is done in
// integers, exactly.
func (c CompletionConfig) exceeded(failed, total int) bool {
	if c.failFast() {
		return failed > 0
	}
	if c.ToleratedFailureCount != nil && failed > *c.ToleratedFailureCount {
		return true
	}
	return c.ToleratedFailurePercentage != nil && total > 0 && failed*100 > *c.ToleratedFailurePercentage*total
}

// decide says whether the batch stops now and why, in precedence order:
// tolerance exceeded, all completed, min successful reached; or, with
// ShouldComplete, the callback's decision (asked only once an item has
// finished; progress builds its snapshot), then all completed.
func (c CompletionConfig) decide(succeeded, failed, total int, progress func() BatchProgress) (bool, CompletionReason) {
	if c.ShouldComplete != nil {
		if succeeded+failed > 0 {
			if d := c.ShouldComplete(progress()); d.complete {
				if d.outcome == CompletionOutcomeFailed {
					return true, CompletionCustomFailed
				}
				if d.outcome != CompletionOutcomeSucceeded {
					panic(fmt.Sprintf("CompleteBatch with an undefined outcome %d", int(d.outcome)))
				}
				return true, CompletionCustomSucceeded
			}
		}
		return succeeded+failed >= total, CompletionAllCompleted
	}
	switch {
	case c.exceeded(failed, total):
		return true, CompletionFailureToleranceExceeded
	case succeeded+failed >= total:
		return true, CompletionAllCompleted
	case c.MinSuccessful > 0 && succeeded >= c.MinSuccessful:
		return true, CompletionMinSuccessfulReached
	}
	return false, 0
}
