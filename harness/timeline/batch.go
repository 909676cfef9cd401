package timeline

import (
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

// Batch is a Parallel's or a Map's BatchResult as its payload records it.
type Batch struct {
	Reason                     string
	Succeeded, Failed, Started int
	// Items are the recorded items in index order (a branch never
	// started is left out); empty when the payload is a summary.
	Items []BatchItem
	// Source says where the counts come from: "payload" (the recorded
	// BatchResult), "summary" (the summary recorded for a result over
	// 256 KiB) or "operations" (no result recorded yet: the items'
	// operations as they stand).
	Source string
}

// Total is the number of items the BatchResult holds.
func (b *Batch) Total() int { return b.Succeeded + b.Failed + b.Started }

// BatchItem is one item of a recorded BatchResult.
type BatchItem struct {
	Index  int
	Status string
	Error  *types.ErrorObject
}

// batchWire is the recorded payload of a batch (decisions §2.9), or the
// summary that replaces one over 256 KiB. The wire form is read rather
// than durable's Go types, which may change shape without the wire
// changing.
type batchWire struct {
	All *[]struct {
		Index  int                `json:"index"`
		Status string             `json:"status"`
		Error  *types.ErrorObject `json:"error"`
	} `json:"all"`
	CompletionReason string `json:"completionReason"`
	// the summary's fields
	Type         string `json:"type"`
	SuccessCount int    `json:"successCount"`
	FailureCount int    `json:"failureCount"`
	StartedCount int    `json:"startedCount"`
}

// batchOf reads a batch operation's BatchResult from its payload, or
// counts its items' operations when nothing readable was recorded.
func batchOf(op *harness.Operation) *Batch {
	var w batchWire
	if op.Result != nil && json.Unmarshal([]byte(*op.Result), &w) == nil {
		switch {
		case w.All != nil:
			b := &Batch{Reason: w.CompletionReason, Source: "payload"}
			for _, it := range *w.All {
				b.Items = append(b.Items, BatchItem{Index: it.Index, Status: it.Status, Error: it.Error})
				b.count(it.Status)
			}
			return b
		case w.Type != "":
			return &Batch{Reason: w.CompletionReason, Source: "summary",
				Succeeded: w.SuccessCount, Failed: w.FailureCount, Started: w.StartedCount}
		}
	}
	b := &Batch{Source: "operations"}
	for _, c := range op.Children {
		b.count(string(c.Status))
	}
	return b
}

func (b *Batch) count(status string) {
	switch types.OperationStatus(status) {
	case types.OperationStatusSucceeded:
		b.Succeeded++
	case types.OperationStatusFailed:
		b.Failed++
	case types.OperationStatusStarted:
		b.Started++
	}
}
