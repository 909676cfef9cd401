package durable

import "fmt"

// BatchItemStatus is the state of one item of a BatchResult. The values are
// the official Go SDK's; on the wire (the Parallel and Map payloads, and
// JSON or text encodings) they are the names String gives.
type BatchItemStatus int

const (
	// BatchItemNotStarted is never in a BatchResult (items never started
	// are left out); BatchProgress shows it for items not yet admitted.
	BatchItemNotStarted BatchItemStatus = 0
	BatchItemSucceeded  BatchItemStatus = 1
	BatchItemFailed     BatchItemStatus = 2
	BatchItemStarted    BatchItemStatus = 4 // in flight when the batch stopped early
)

// String is the wire name: SUCCEEDED, FAILED, STARTED or NOT_STARTED.
func (s BatchItemStatus) String() string {
	switch s {
	case BatchItemSucceeded:
		return "SUCCEEDED"
	case BatchItemFailed:
		return "FAILED"
	case BatchItemStarted:
		return "STARTED"
	case BatchItemNotStarted:
		return "NOT_STARTED"
	}
	return fmt.Sprintf("BatchItemStatus(%d)", int(s))
}

// MarshalText writes the wire name, so results that hold a status encode as
// before the type was an integer.
func (s BatchItemStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a wire name.
func (s *BatchItemStatus) UnmarshalText(b []byte) (err error) {
	*s, err = parseWireName(b, "a batch item status", BatchItemNotStarted, BatchItemSucceeded, BatchItemFailed, BatchItemStarted)
	return err
}

// parseWireName finds the value among values whose String is b.
func parseWireName[T interface {
	~int
	String() string
}](b []byte, what string, values ...T) (T, error) {
	for _, v := range values {
		if v.String() == string(b) {
			return v, nil
		}
	}
	return 0, &SerdesError{What: what, Err: fmt.Errorf("unknown name %q", b)}
}

// BatchItem is one started item (a Parallel branch or a Map iteration).
type BatchItem[O any] struct {
	Index  int
	Name   string
	Status BatchItemStatus
	Result O     // when SUCCEEDED
	Err    error // when FAILED: a *ChildContextError
}

// BatchResult is what Parallel and Map return: one item per started item, in
// index order (an item never started because the batch stopped early is
// left out), and why the batch stopped.
type BatchResult[O any] struct {
	Items  []BatchItem[O]
	Reason CompletionReason
}

func (b BatchResult[O]) filter(s BatchItemStatus) []BatchItem[O] {
	n := b.count(s)
	if n == 0 {
		return nil
	}
	out := make([]BatchItem[O], 0, n)
	for _, it := range b.Items {
		if it.Status == s {
			out = append(out, it)
		}
	}
	return out
}

func (b BatchResult[O]) count(s BatchItemStatus) int {
	n := 0
	for _, it := range b.Items {
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
	for _, it := range b.Items {
		if it.Status == BatchItemSucceeded {
			out = append(out, it.Result)
		}
	}
	return out
}

// Errors returns the errors of the items that failed, in index order.
func (b BatchResult[O]) Errors() []error {
	var out []error
	for _, it := range b.Items {
		if it.Status == BatchItemFailed {
			out = append(out, it.Err)
		}
	}
	return out
}

func (b BatchResult[O]) SuccessCount() int { return b.count(BatchItemSucceeded) }
func (b BatchResult[O]) FailureCount() int { return b.count(BatchItemFailed) }
func (b BatchResult[O]) StartedCount() int { return b.count(BatchItemStarted) }

// TotalCount is the number of started items, not of all items.
func (b BatchResult[O]) TotalCount() int { return len(b.Items) }

func (b BatchResult[O]) HasFailure() bool { return b.count(BatchItemFailed) > 0 }

// Status is BatchItemFailed when any item failed, the tolerance was
// exceeded or a custom completion failed the batch, and BatchItemSucceeded
// otherwise (a custom completion that succeeded wins over failed items).
func (b BatchResult[O]) Status() BatchItemStatus {
	switch b.Reason {
	case CompletionCustomFailed, CompletionFailureToleranceExceeded:
		return BatchItemFailed
	case CompletionCustomSucceeded:
		return BatchItemSucceeded
	}
	if b.HasFailure() {
		return BatchItemFailed
	}
	return BatchItemSucceeded
}

// Item returns the first item named name (a pointer into Items), or nil.
func (b BatchResult[O]) Item(name string) *BatchItem[O] {
	for i := range b.Items {
		if b.Items[i].Name == name {
			return &b.Items[i]
		}
	}
	return nil
}

// Result returns the result of the first item named name; ok is false
// when there is none or it did not succeed.
func (b BatchResult[O]) Result(name string) (value O, ok bool) {
	if it := b.Item(name); it != nil && it.Status == BatchItemSucceeded {
		return it.Result, true
	}
	return value, false
}

// CompletionReason says why the batch stopped (the Reason field).
func (b BatchResult[O]) CompletionReason() CompletionReason { return b.Reason }

// ThrowIfError returns the first failed item's error (a *ChildContextError),
// or nil. A handler that returns it ends the execution FAILED with
// ErrorType ChildContextError. (Older official SDKs had it; the newest
// returns a *BatchError from Map and Parallel instead.)
func (b BatchResult[O]) ThrowIfError() error {
	for _, it := range b.Items {
		if it.Status == BatchItemFailed {
			if it.Err == nil {
				return &ChildContextError{Name: it.Name, ErrorType: "ChildContextError", Message: "item " + it.Name + " failed"}
			}
			return it.Err
		}
	}
	return nil
}
