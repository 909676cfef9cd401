package durable

import (
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestOpIndex: records are found by id below and above the size from which
// the index keeps a map, a record with a known id replaces the old one in
// place, and the list keeps first-recorded order.
func TestOpIndex(t *testing.T) {
	x := newOpIndex(1)
	const n = 3 * opIndexMapMin
	for i := range n {
		x.put(&types.Operation{Id: aws.String("op-" + strconv.Itoa(i)), Status: types.OperationStatusStarted})
		for j := 0; j <= i; j++ {
			if op := x.get("op-" + strconv.Itoa(j)); op == nil || *op.Id != "op-"+strconv.Itoa(j) {
				t.Fatalf("after %d puts: op-%d is %v", i+1, j, op)
			}
		}
		if x.get("op-"+strconv.Itoa(i+1)) != nil {
			t.Fatalf("after %d puts: an unknown id was found", i+1)
		}
	}
	if x.at == nil {
		t.Fatalf("%d records and no map", n)
	}
	for _, i := range []int{0, opIndexMapMin - 1, n - 1} {
		x.put(&types.Operation{Id: aws.String("op-" + strconv.Itoa(i)), Status: types.OperationStatusSucceeded})
	}
	if len(x.list) != n {
		t.Fatalf("%d records after replacing three of %d", len(x.list), n)
	}
	for i, op := range x.list {
		want := types.OperationStatusStarted
		if i == 0 || i == opIndexMapMin-1 || i == n-1 {
			want = types.OperationStatusSucceeded
		}
		if *op.Id != "op-"+strconv.Itoa(i) || op.Status != want || x.get(*op.Id) != op {
			t.Fatalf("record %d: %s %s, want op-%d %s", i, *op.Id, op.Status, i, want)
		}
	}
}
