package durable

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// RetryAttempt is what a RetryStrategy decides on.
type RetryAttempt struct {
	Err     error          // the error the attempt failed with
	Attempt int            // 1-based number of the attempt that failed
	Jitter  func() float64 // draws in [0,1) from Env.Jitter
}

// RetryDecision says whether to retry and after how long. The runtime rounds
// the delay up to whole seconds, at least 1.
type RetryDecision struct {
	Retry bool
	Delay time.Duration
}

// RetryStrategy decides, after a failed attempt, whether the step runs again.
type RetryStrategy func(RetryAttempt) RetryDecision

// JitterStrategy spreads retry delays. The zero value is full jitter.
type JitterStrategy int

const (
	JitterFull JitterStrategy = iota // delay drawn from [0, d)
	JitterNone                       // delay d
	JitterHalf                       // delay drawn from [d/2, d)
)

// RetryConfig configures NewRetryStrategy. Zero fields take the defaults:
// 3 attempts, 5 s initial delay, 5 min cap, rate 2, full jitter, every error
// retryable.
type RetryConfig struct {
	MaxAttempts  int // total attempts, the first included
	InitialDelay time.Duration
	MaxDelay     time.Duration
	BackoffRate  float64
	Jitter       JitterStrategy
	// RetryableErrors are matched against the error message: a substring or
	// a regular expression (searched). RetryableErrorTypes are matched against
	// the wire ErrorType of any error in the chain. When both are empty every
	// error is retryable; otherwise an error must match one of them.
	RetryableErrors     []string
	RetryableErrorTypes []string
}

// NoRetry makes exactly one attempt.
func NoRetry() RetryStrategy {
	return func(RetryAttempt) RetryDecision { return RetryDecision{} }
}

// DefaultRetry is the strategy of a step with no WithRetry option: 6
// attempts, 5 s initial delay doubling each time, 60 s cap, full jitter.
func DefaultRetry() RetryStrategy { return defaultRetry }

// ExponentialBackoff is the official SDK's name for DefaultRetry.
func ExponentialBackoff() RetryStrategy { return defaultRetry }

var defaultRetry = MustNewRetryStrategy(RetryConfig{MaxAttempts: 6, InitialDelay: 5 * time.Second, MaxDelay: 60 * time.Second, BackoffRate: 2})

// LinearRetry makes maxAttempts attempts; the delay after attempt n is
// initial + (n-1)*step, capped at 5 min, without jitter.
// LinearRetry(6, time.Second, time.Second) is the Python SDK's linear preset.
func LinearRetry(maxAttempts int, initial, step time.Duration) RetryStrategy {
	return func(a RetryAttempt) RetryDecision {
		if a.Attempt >= maxAttempts {
			return RetryDecision{}
		}
		return RetryDecision{Retry: true, Delay: min(initial+time.Duration(a.Attempt-1)*step, 5*time.Minute)}
	}
}

// MustNewRetryStrategy is NewRetryStrategy for a config known to be valid;
// it panics on a *ValidationError.
func MustNewRetryStrategy(c RetryConfig) RetryStrategy {
	s, err := NewRetryStrategy(c)
	if err != nil {
		panic(err)
	}
	return s
}

// NewRetryStrategy builds an exponential-backoff strategy from c, or a
// *ValidationError naming the field that is out of range: a negative
// MaxAttempts, InitialDelay or MaxDelay, a MaxDelay below InitialDelay, a
// BackoffRate below 1 (other than 0, the default), an unknown Jitter.
func NewRetryStrategy(c RetryConfig) (RetryStrategy, error) {
	switch {
	case c.MaxAttempts < 0:
		return nil, &ValidationError{Message: fmt.Sprintf("RetryConfig.MaxAttempts must not be negative, got %d", c.MaxAttempts)}
	case c.InitialDelay < 0 || c.MaxDelay < 0:
		return nil, &ValidationError{Message: fmt.Sprintf("RetryConfig delays must not be negative, got InitialDelay %v, MaxDelay %v", c.InitialDelay, c.MaxDelay)}
	case c.InitialDelay > 0 && c.MaxDelay > 0 && c.MaxDelay < c.InitialDelay:
		return nil, &ValidationError{Message: fmt.Sprintf("RetryConfig.MaxDelay %v is below InitialDelay %v", c.MaxDelay, c.InitialDelay)}
	case c.BackoffRate != 0 && !(c.BackoffRate >= 1):
		return nil, &ValidationError{Message: fmt.Sprintf("RetryConfig.BackoffRate must be at least 1, got %v", c.BackoffRate)}
	case c.Jitter < JitterFull || c.Jitter > JitterHalf:
		return nil, &ValidationError{Message: fmt.Sprintf("RetryConfig.Jitter %d is not JitterFull, JitterNone or JitterHalf", int(c.Jitter))}
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 3
	}
	if c.InitialDelay <= 0 {
		c.InitialDelay = 5 * time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 5 * time.Minute
	}
	if c.BackoffRate <= 0 {
		c.BackoffRate = 2
	}
	patterns := make([]*regexp.Regexp, len(c.RetryableErrors))
	for i, p := range c.RetryableErrors {
		patterns[i], _ = regexp.Compile(p) // not a valid pattern: substring match only
	}
	typesSet := slices.Clone(c.RetryableErrorTypes)
	filtered := len(c.RetryableErrors) > 0 || len(typesSet) > 0
	return func(a RetryAttempt) RetryDecision {
		if a.Attempt >= c.MaxAttempts {
			return RetryDecision{}
		}
		if filtered && !matchesMessage(a.Err, c.RetryableErrors, patterns) && !matchesType(a.Err, typesSet) {
			return RetryDecision{}
		}
		return RetryDecision{Retry: true, Delay: backoff(c.InitialDelay, c.MaxDelay, c.BackoffRate, c.Jitter, a.Attempt, a.Jitter)}
	}, nil
}

// backoff is the delay after attempt n (1-based):
// min(initial*rate^(n-1), max), jittered with draws from jitter.
func backoff(initial, max time.Duration, rate float64, j JitterStrategy, n int, jitter func() float64) time.Duration {
	d := min(float64(initial)*math.Pow(rate, float64(n-1)), float64(max))
	switch j {
	case JitterFull:
		d *= jitter()
	case JitterHalf:
		d = d/2 + jitter()*d/2
	}
	return time.Duration(d)
}

func matchesMessage(err error, subs []string, patterns []*regexp.Regexp) bool {
	msg := err.Error()
	for i, s := range subs {
		if strings.Contains(msg, s) || (patterns[i] != nil && patterns[i].MatchString(msg)) {
			return true
		}
	}
	return false
}

func matchesType(err error, names []string) bool {
	if len(names) == 0 {
		return false
	}
	return walkErrors(err, func(e error) bool {
		var name string
		switch x := e.(type) {
		case wireError:
			name = *x.wire().ErrorType
		case namedError:
			name = x.ErrorType()
		default:
			name = goTypeName(e)
		}
		return slices.Contains(names, name)
	})
}

// delaySeconds is the whole-second delay sent as NextAttemptDelaySeconds:
// max(1, ceil(d)).
func delaySeconds(d time.Duration) int32 {
	s := math.Ceil(d.Seconds())
	if s < 1 {
		return 1
	}
	if s > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(s)
}
