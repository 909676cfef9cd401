package durable

import "fmt"

// CompletionConfig says when a Parallel stops. With every field nil it is
// fail-fast: the first failure stops it. Otherwise the batch stops once the
// failures exceed a set tolerance (strictly: more failures than
// ToleratedFailureCount, or a failed share of all branches, in percent, above
// ToleratedFailurePercentage), once MinSuccessful branches succeeded, or when
// every branch has finished.
type CompletionConfig struct {
	MinSuccessful              *int
	ToleratedFailureCount      *int
	ToleratedFailurePercentage *float64
}

// AllSuccessful stops at the first failure (the default).
func AllSuccessful() CompletionConfig {
	return CompletionConfig{ToleratedFailureCount: ptr(0), ToleratedFailurePercentage: ptr(0.0)}
}

// AllCompleted runs every branch whatever fails.
func AllCompleted() CompletionConfig {
	return CompletionConfig{ToleratedFailurePercentage: ptr(100.0)}
}

// FirstSuccessful stops at the first success.
func FirstSuccessful() CompletionConfig { return CompletionConfig{MinSuccessful: ptr(1)} }

func ptr[T any](v T) *T { return &v }

// CompletionReason says why a Parallel stopped.
type CompletionReason string

const (
	ReasonAllCompleted             CompletionReason = "ALL_COMPLETED"
	ReasonMinSuccessfulReached     CompletionReason = "MIN_SUCCESSFUL_REACHED"
	ReasonFailureToleranceExceeded CompletionReason = "FAILURE_TOLERANCE_EXCEEDED"
)

func (c CompletionConfig) validate(total int) error {
	switch {
	case c.MinSuccessful != nil && *c.MinSuccessful < 1:
		return &ValidationError{Message: fmt.Sprintf("min successful must be at least 1, got: %d", *c.MinSuccessful)}
	case c.MinSuccessful != nil && *c.MinSuccessful > total:
		return &ValidationError{Message: fmt.Sprintf("min successful cannot be greater than total items: %d > %d", *c.MinSuccessful, total)}
	case c.ToleratedFailureCount != nil && *c.ToleratedFailureCount < 0:
		return &ValidationError{Message: fmt.Sprintf("tolerated failure count must be at least 0, got: %d", *c.ToleratedFailureCount)}
	case c.ToleratedFailurePercentage != nil && !(*c.ToleratedFailurePercentage >= 0 && *c.ToleratedFailurePercentage <= 100):
		return &ValidationError{Message: fmt.Sprintf("tolerated failure percentage must be between 0 and 100, got: %g", *c.ToleratedFailurePercentage)}
	}
	return nil
}

// exceeded reports whether failed failures of total branches exceed the tolerance.
func (c CompletionConfig) exceeded(failed, total int) bool {
	if c.MinSuccessful == nil && c.ToleratedFailureCount == nil && c.ToleratedFailurePercentage == nil {
		return failed > 0
	}
	if c.ToleratedFailureCount != nil && failed > *c.ToleratedFailureCount {
		return true
	}
	return c.ToleratedFailurePercentage != nil && total > 0 &&
		float64(failed)/float64(total)*100 > *c.ToleratedFailurePercentage
}

// decide says whether the batch stops now and why, in precedence order:
// tolerance exceeded, all completed, min successful reached.
func (c CompletionConfig) decide(succeeded, failed, total int) (bool, CompletionReason) {
	switch {
	case c.exceeded(failed, total):
		return true, ReasonFailureToleranceExceeded
	case succeeded+failed >= total:
		return true, ReasonAllCompleted
	case c.MinSuccessful != nil && succeeded >= *c.MinSuccessful:
		return true, ReasonMinSuccessfulReached
	}
	return false, ""
}
