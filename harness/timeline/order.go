package timeline

import (
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// positionSlack is how many positions past its recorded children a context
// is searched for their ids: a batch item that never started has a
// position but no record, and items after it keep theirs.
const positionSlack = 64

// ordered is an operation with its position among its siblings (0 when
// its id does not follow dpcheck's positional scheme) and its own
// positional path.
type ordered struct {
	op         *harness.Operation
	index      int
	path       string
	unrecorded bool // a batch item known only from its batch's payload
}

// callOrder sorts ops, the children of the context at positional path
// parent (known: false when the parent's own path is unknown), into call
// order: dpcheck's runtime derives every id from the operation's position
// (decisions §2.7), so the position is recovered by hashing the candidate
// paths. Branches then appear in index order whatever order they ran in.
// Operations whose ids do not match (another SDK's runs) keep their
// history order, after the matched ones.
func callOrder(ops []*harness.Operation, parent string, known bool) []ordered {
	out := make([]ordered, len(ops))
	byID := make(map[string]int, len(ops))
	for i, op := range ops {
		out[i] = ordered{op: op}
		byID[op.Id] = i
	}
	if known {
		for n := 1; n <= len(ops)+positionSlack; n++ {
			id, path := durable.ChildOperationID(parent, n)
			if i, ok := byID[id]; ok {
				out[i].index, out[i].path = n, path
			}
		}
	}
	sortOrdered(out)
	return out
}

// sortOrdered sorts by position, the unknown ones last in their order.
func sortOrdered(out []ordered) {
	slices.SortStableFunc(out, func(a, b ordered) int {
		switch {
		case a.index == 0 && b.index == 0:
			return 0
		case a.index == 0:
			return 1
		case b.index == 0:
			return -1
		}
		return a.index - b.index
	})
}

// withUnrecorded adds to the children of batch op (positional path path)
// a lane for every item its payload records as STARTED that has no
// operation: a branch admitted but stopped by the early end of its batch
// before it checkpointed anything. It needs the children's positions to
// tell which items have records, so it adds nothing when any is unknown.
func withUnrecorded(children []ordered, op *harness.Operation, path string, b *Batch) []ordered {
	have := map[int]bool{}
	for _, c := range children {
		if c.index == 0 {
			return children
		}
		have[c.index] = true
	}
	itemSub := "ParallelBranch"
	if op.SubType == "Map" {
		itemSub = "MapIteration"
	}
	added := false
	for _, it := range b.Items {
		if it.Status != string(types.OperationStatusStarted) || have[it.Index+1] {
			continue
		}
		id, itemPath := durable.ChildOperationID(path, it.Index+1)
		ghost := &harness.Operation{Id: id, ParentId: op.Id, Parent: op, Name: fmt.Sprintf("item %d", it.Index),
			Type: types.OperationTypeContext, SubType: itemSub, Status: types.OperationStatusStarted}
		children = append(children, ordered{op: ghost, index: it.Index + 1, path: itemPath, unrecorded: true})
		added = true
	}
	if added {
		sortOrdered(children)
	}
	return children
}
