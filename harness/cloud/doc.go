// Package cloud runs durable executions through the real Lambda API: on a
// deployed stack, or on dpcheck's HTTP emulator (package
// harness/emulator), with the same aws-sdk-go-v2 client either way.
//
// A Runner invokes a qualified function with a fresh durable execution
// name per run, synchronously or as an Event, polls GetDurableExecution
// until the execution ends (bounded, with backoff), reads every page of
// GetDurableExecutionHistory, and returns the *harness.Result the local
// runner returns, so specs and conformance checks run unchanged against
// any target. ReadEnv picks the target from DPCHECK_TARGET and friends;
// Target adapts a Runner to the conformance runner.
package cloud
