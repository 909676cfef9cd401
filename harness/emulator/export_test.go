package emulator

// SetCheckpointHook installs a function run after each checkpoint request
// was applied, before the answer goes out. Set it before any request.
func SetCheckpointHook(s *Server, hook func(arn string)) { s.checkpointHook = hook }

// KillAndWait is Kill that returns once the process has exited, so the
// killed process cannot have read anything sent after it.
func KillAndWait(s *Server, arn string) bool {
	r := s.executions.lookup(arn)
	if r == nil {
		return false
	}
	pool, ok := r.fn.runner.(*processPool)
	if !ok {
		return false
	}
	pool.mu.Lock()
	inst := pool.running[arn]
	pool.mu.Unlock()
	if inst == nil {
		return false
	}
	inst.kill()
	<-inst.dead
	return true
}
