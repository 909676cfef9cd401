package durable

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// opIndex holds an invocation's operation records by id. Most invocations
// know a handful of operations: a scan of a short list finds one as fast
// as a map and costs far less to build, so the map is made only once the
// list grows past opIndexMapMin.
type opIndex struct {
	list []*types.Operation // in the order each id was first recorded
	at   map[string]int     // id -> position in list; nil while list is short
}

// opIndexMapMin is the record count from which opIndex keeps a map.
const opIndexMapMin = 16

func newOpIndex(n int) opIndex {
	return opIndex{list: make([]*types.Operation, 0, max(n, opIndexMapMin))}
}

// find returns the position of id in the list, or -1.
func (x *opIndex) find(id string) int {
	if x.at != nil {
		if i, ok := x.at[id]; ok {
			return i
		}
		return -1
	}
	for i, op := range x.list {
		if *op.Id == id {
			return i
		}
	}
	return -1
}

func (x *opIndex) get(id string) *types.Operation {
	if i := x.find(id); i >= 0 {
		return x.list[i]
	}
	return nil
}

// put records op, replacing the record with the same id; op has an id.
func (x *opIndex) put(op *types.Operation) {
	id := aws.ToString(op.Id)
	if i := x.find(id); i >= 0 {
		x.list[i] = op
		return
	}
	x.list = append(x.list, op)
	switch {
	case x.at != nil:
		x.at[id] = len(x.list) - 1
	case len(x.list) > opIndexMapMin:
		x.at = make(map[string]int, 2*len(x.list))
		for i, op := range x.list {
			x.at[*op.Id] = i
		}
	}
}
