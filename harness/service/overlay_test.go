package service

import (
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestOverlayKeepsNothingAcrossBatches: the validator's scratch space is
// shared, but what one batch (of any execution) started is not visible to
// the next: a batch whose update names a parent only a rejected batch, or
// another execution's batch, started is refused.
func TestOverlayKeepsNothingAcrossBatches(t *testing.T) {
	a, b := newSession(t, "null"), newSession(t, "null")
	// rejected as a whole (the second update is invalid), so "p" is never stored
	_, err := a.try(ctxStart("p", "p", "RunInChildContext", ""), upd("x", types.OperationTypeStep, ""))
	wantServiceError[*types.InvalidParameterValueException](t, err, "Updates[1]")
	_, err = a.try(stepStart("s", "s", "p"))
	wantServiceError[*types.InvalidParameterValueException](t, err, "parent p does not exist")

	b.checkpoint(ctxStart("q", "q", "RunInChildContext", ""))
	_, err = a.try(stepStart("s", "s", "q"))
	wantServiceError[*types.InvalidParameterValueException](t, err, "parent q does not exist")
	// a batch above the slice scan's size uses a map, after one that
	// started "p" in the overlay and was rejected
	var big []types.OperationUpdate
	for i := range 20 {
		big = append(big, stepStart("s"+strconv.Itoa(i), "s", ""))
	}
	_, err = a.try(append(big, ctxStart("p", "p", "RunInChildContext", ""), upd("x", types.OperationTypeStep, ""))...)
	wantServiceError[*types.InvalidParameterValueException](t, err, "Updates[21]")
	_, err = a.try(append(big, stepStart("s", "s", "p"))...)
	wantServiceError[*types.InvalidParameterValueException](t, err, "parent p does not exist")
}
