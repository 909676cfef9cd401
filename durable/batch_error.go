package durable

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// BatchError is the error Map and Parallel return, together with the
// populated BatchResult, when the batch's Status is BatchItemFailed: an item
// failed (tolerated or not), the tolerance was exceeded, or a custom
// completion failed it. Reason is the batch's completion reason; Errors the
// failed items' errors in index order. The batch itself is still recorded
// SUCCEEDED with its result, so a replay returns the same BatchError.
type BatchError struct {
	Name   string
	Reason CompletionReason
	Errors []error
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("durable: batch %q: %d item(s) failed (%s)", e.Name, len(e.Errors), e.Reason)
}

// Unwrap gives the item errors to errors.Is and errors.As.
func (e *BatchError) Unwrap() []error { return e.Errors }

// As converts to the *OperationError base.
func (e *BatchError) As(target any) bool {
	return asOperationError(target, OperationError{Name: e.Name, ErrorType: "BatchError", Message: e.message()})
}

func (e *BatchError) message() string {
	return fmt.Sprintf("%d item(s) of %q failed (%s)", len(e.Errors), e.Name, e.Reason)
}

func (e *BatchError) wire() types.ErrorObject { return errObj("BatchError", e.message(), "") }

// withBatchError is what Map and Parallel return for a finished batch: the
// result and, when its Status is failed, a *BatchError built from the items
// and reason alone, so the first run and every replay agree.
func withBatchError[O any](name string, r BatchResult[O]) (BatchResult[O], error) {
	if r.Status() != BatchItemFailed {
		return r, nil
	}
	return r, &BatchError{Name: name, Reason: r.Reason, Errors: r.Errors()}
}
