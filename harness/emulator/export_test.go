package emulator

// SetCheckpointHook installs a function run after each checkpoint request
// was applied, before the answer goes out. Set it before any request.
func SetCheckpointHook(s *Server, hook func(arn string)) { s.checkpointHook = hook }

// SetInvocationHook installs a function run as each invocation is handed
// to the function's runner. Set it before any invoke.
func SetInvocationHook(s *Server, hook func(arn string, index int)) {
	s.executions.invocationHook = hook
}

// SetPaceHook installs a function run as the pacer goroutine starts,
// before it looks at the clock. Set it before any invoke.
func SetPaceHook(s *Server, hook func()) { s.executions.paceHook = hook }

// Draining is closed once Drain has begun: from then on no execution starts.
func Draining(s *Server) <-chan struct{} { return s.draining }
