package emulator

import (
	"context"
	"fmt"
)

// Drain stops the emulator from starting executions (an Invoke gets an
// AWS-shaped 503 ServiceUnavailableException, which the SDKs retry) and
// waits until every running execution has ended, or ctx is done. The
// executions in flight keep their whole API meanwhile: checkpoints, state,
// callbacks, and the answers of the synchronous Invokes waiting on them.
// Close afterwards answers whatever still waits with the same 503.
func (s *Server) Drain(ctx context.Context) error {
	s.drainOnce.Do(func() { close(s.draining) })
	for {
		n, next := s.executions.running()
		if n == 0 {
			return nil
		}
		select {
		case <-next:
		case <-ctx.Done():
			return fmt.Errorf("emulator: %d executions still running after the drain: %w", n, ctx.Err())
		}
	}
}
