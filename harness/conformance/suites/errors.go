package suites

import "errors"

// transientError is the custom error of step/1-15 and step/1-16. It names its
// wire ErrorType, as a class name would in the other SDKs.
type transientError struct{ msg string }

func (e *transientError) Error() string     { return e.msg }
func (e *transientError) ErrorType() string { return "TransientError" }

// isTransient reports whether err is, or wraps, a transientError: the
// "instance of TransientError" check the requirements' strategies make.
func isTransient(err error) bool {
	var te *transientError
	return errors.As(err, &te)
}
