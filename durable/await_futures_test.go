package durable

import "testing"

// A future that settles after enough looked but before awaitFutures has
// registered its waiter leaves nothing to wait for: awaitFutures must look
// once more, or the caller's view stays the one from before the settlement
// (an Any then answered "All promises were rejected" with one future
// succeeded, about once in 2,000 free-running executions).
func TestAwaitFuturesLooksAgainWhenEverythingSettledMeanwhile(t *testing.T) {
	e := &execution{}
	f := newFuture(e, nil)
	looks, sawSettled := 0, false
	awaitFutures(e, []*future{f}, func() bool {
		looks++
		_, sawSettled = f.settled()
		if looks == 1 {
			f.settle(nil) // as another goroutine would, right after this look
			return false
		}
		return sawSettled
	})
	if !sawSettled {
		t.Fatalf("awaitFutures returned after %d looks, the last one before the future settled", looks)
	}
}
