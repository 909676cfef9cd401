// Package suites holds the Go handlers of the official conformance
// requirements, one file per suite (step, wait, child, parallel, map,
// callback, wait_for_callback, wait_for_condition, invoke), each written
// from its requirement file's handler and invocations prose.
//
// [Table] maps each requirement key ("parallel/8-3") to a
// [conformance.Entry]: the handler, built with durable.Handle, and the runner
// features it needs (Entry.Crash for a handler that ends its process the way
// step/1-17's does, Entry.Callbacks for one that waits on callbacks the
// runner answers). [Register] puts the whole table into a
// [conformance.Registry], with the functions the invoke suite's handlers
// call (echo, fail).
//
// A handler does what its requirement says and nothing more: names, values,
// retry parameters and error types are those the prose gives, so the history
// the runtime and the fake record is the thing under test. Where the prose
// leaves a choice open (a step name, the value a handler returns when only the
// status is asserted), the handler makes the plainest one and says so.
package suites
