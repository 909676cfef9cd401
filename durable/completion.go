package durable

import "fmt"

// CompletionConfig says when a Parallel or Map stops. The zero value is
// fail-fast: the first failure stops it. Otherwise the batch stops once the
// failures exceed a set tolerance (strictly: more failures than
// ToleratedFailureCount, or a failed share of all items, in percent, above
// ToleratedFailurePercentage), once MinSuccessful items succeeded, or when
// every item has finished.
//
// A zero field is unset, except that WithToleratedFailureCount(0) sets a
// tolerated failure count of 0 (which a zero ToleratedFailureCount cannot
// say: with MinSuccessful set and no tolerance, failures are tolerated).
type CompletionConfig struct {
	MinSuccessful              int // 0: no minimum
	ToleratedFailureCount      int // 0: unset, unless set with WithToleratedFailureCount
	ToleratedFailurePercentage int // 0: unset; otherwise 1..100
	countSet                   bool
}

// WithToleratedFailureCount is a CompletionConfig that tolerates n failures;
// an explicit 0 stops at the first failure.
func WithToleratedFailureCount(n int) CompletionConfig {
	return CompletionConfig{}.WithToleratedFailureCount(n)
}

// WithToleratedFailureCount returns c with a tolerated failure count of n
// set, so that an explicit 0 differs from unset.
func (c CompletionConfig) WithToleratedFailureCount(n int) CompletionConfig {
	c.ToleratedFailureCount, c.countSet = n, true
	return c
}

// AllSuccessful stops at the first failure (the default).
func AllSuccessful() CompletionConfig { return WithToleratedFailureCount(0) }

// AllCompleted runs every item whatever fails.
func AllCompleted() CompletionConfig { return CompletionConfig{ToleratedFailurePercentage: 100} }

// FirstSuccessful stops at the first success.
func FirstSuccessful() CompletionConfig { return CompletionConfig{MinSuccessful: 1} }

// CompletionReason says why a batch stopped. The values are the official Go
// SDK's; String gives the wire name, which is what the payloads and text
// or JSON encodings hold.
type CompletionReason int

const (
	CompletionAllCompleted CompletionReason = iota + 1
	CompletionMinSuccessfulReached
	CompletionFailureToleranceExceeded
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
	case 0:
		return ""
	}
	return fmt.Sprintf("CompletionReason(%d)", int(r))
}

// MarshalText writes the wire name.
func (r CompletionReason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a wire name.
func (r *CompletionReason) UnmarshalText(b []byte) (err error) {
	*r, err = parseWireName(b, "a completion reason", 0, CompletionAllCompleted, CompletionMinSuccessfulReached, CompletionFailureToleranceExceeded)
	return err
}

func (c CompletionConfig) failFast() bool {
	return c.MinSuccessful == 0 && c.ToleratedFailureCount == 0 && !c.countSet && c.ToleratedFailurePercentage == 0
}

func (c CompletionConfig) validate(total int) error {
	switch {
	case c.MinSuccessful < 0:
		return &ValidationError{Message: fmt.Sprintf("min successful must be at least 1, got: %d", c.MinSuccessful)}
	case c.MinSuccessful > total:
		return &ValidationError{Message: fmt.Sprintf("min successful cannot be greater than total items: %d > %d", c.MinSuccessful, total)}
	case c.ToleratedFailureCount < 0:
		return &ValidationError{Message: fmt.Sprintf("tolerated failure count must be at least 0, got: %d", c.ToleratedFailureCount)}
	case c.ToleratedFailurePercentage < 0 || c.ToleratedFailurePercentage > 100:
		return &ValidationError{Message: fmt.Sprintf("tolerated failure percentage must be between 0 and 100, got: %d", c.ToleratedFailurePercentage)}
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
	if (c.countSet || c.ToleratedFailureCount > 0) && failed > c.ToleratedFailureCount {
		return true
	}
	return c.ToleratedFailurePercentage > 0 && total > 0 && failed*100 > c.ToleratedFailurePercentage*total
}

// decide says whether the batch stops now and why, in precedence order:
// tolerance exceeded, all completed, min successful reached.
func (c CompletionConfig) decide(succeeded, failed, total int) (bool, CompletionReason) {
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
