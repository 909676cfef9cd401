// Package batchfail holds the one check the project's handlers and tests
// make after Map and Parallel, which return a *durable.BatchError together
// with the populated result when items failed.
package batchfail

import (
	"errors"

	"github.com/dpcheck/dpcheck/durable"
)

// Settled passes on an error of Map or Parallel unless it is the
// *durable.BatchError of failed items, which the caller reads from the
// populated result instead.
func Settled(err error) error {
	if _, failed := errors.AsType[*durable.BatchError](err); failed {
		return nil
	}
	return err
}
