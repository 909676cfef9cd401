package durable

// BatchItemStatus is the state of one branch in a BatchResult (and, for
// BatchResult.Status, of the whole batch).
type BatchItemStatus string

const (
	BatchItemSucceeded BatchItemStatus = "SUCCEEDED"
	BatchItemFailed    BatchItemStatus = "FAILED"
	BatchItemStarted   BatchItemStatus = "STARTED" // in flight when the batch stopped early
)

// BatchItem is one started branch.
type BatchItem[O any] struct {
	Index  int
	Name   string
	Status BatchItemStatus
	Result O     // when SUCCEEDED
	Err    error // when FAILED: a *ChildContextError
}

// BatchResult is what Parallel returns: one item per started branch, in index
// order (a branch never started because the batch stopped early is left out).
type BatchResult[O any] struct {
	All    []BatchItem[O]
	reason CompletionReason
}

func (b BatchResult[O]) filter(s BatchItemStatus) []BatchItem[O] {
	var out []BatchItem[O]
	for _, it := range b.All {
		if it.Status == s {
			out = append(out, it)
		}
	}
	return out
}

func (b BatchResult[O]) count(s BatchItemStatus) int {
	n := 0
	for _, it := range b.All {
		if it.Status == s {
			n++
		}
	}
	return n
}

// Succeeded returns the items that succeeded.
func (b BatchResult[O]) Succeeded() []BatchItem[O] { return b.filter(BatchItemSucceeded) }

// Failed returns the items that failed.
func (b BatchResult[O]) Failed() []BatchItem[O] { return b.filter(BatchItemFailed) }

// Started returns the items still in flight when the batch stopped.
func (b BatchResult[O]) Started() []BatchItem[O] { return b.filter(BatchItemStarted) }

// Results returns the results of the items that succeeded, in index order.
func (b BatchResult[O]) Results() []O {
	var out []O
	for _, it := range b.All {
		if it.Status == BatchItemSucceeded {
			out = append(out, it.Result)
		}
	}
	return out
}

// Errors returns the errors of the items that failed, in index order.
func (b BatchResult[O]) Errors() []error {
	var out []error
	for _, it := range b.All {
		if it.Status == BatchItemFailed {
			out = append(out, it.Err)
		}
	}
	return out
}

func (b BatchResult[O]) SuccessCount() int { return b.count(BatchItemSucceeded) }
func (b BatchResult[O]) FailureCount() int { return b.count(BatchItemFailed) }
func (b BatchResult[O]) StartedCount() int { return b.count(BatchItemStarted) }

// TotalCount is the number of started branches, not of all branches.
func (b BatchResult[O]) TotalCount() int { return len(b.All) }

func (b BatchResult[O]) HasFailure() bool { return b.count(BatchItemFailed) > 0 }

// Status is FAILED when any item failed, otherwise SUCCEEDED.
func (b BatchResult[O]) Status() BatchItemStatus {
	if b.HasFailure() {
		return BatchItemFailed
	}
	return BatchItemSucceeded
}

// CompletionReason says why the batch stopped.
func (b BatchResult[O]) CompletionReason() CompletionReason { return b.reason }

// ThrowIfError returns the first failed item's error (a *ChildContextError),
// or nil. A handler that returns it ends the execution FAILED with
// ErrorType ChildContextError.
func (b BatchResult[O]) ThrowIfError() error {
	for _, it := range b.All {
		if it.Status == BatchItemFailed {
			if it.Err == nil {
				return &ChildContextError{ErrorType: "ChildContextError", ErrorMessage: "branch " + it.Name + " failed"}
			}
			return it.Err
		}
	}
	return nil
}
