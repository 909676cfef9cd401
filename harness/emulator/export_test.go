package emulator

// SetCheckpointHook installs a function run after each checkpoint request
// was applied, before the answer goes out. Set it before any request.
func SetCheckpointHook(s *Server, hook func(arn string)) { s.checkpointHook = hook }
