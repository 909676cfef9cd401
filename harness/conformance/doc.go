// Package conformance runs requirement files in the official language-neutral
// conformance format of AWS Lambda durable functions against Go handlers.
//
// A requirement file (YAML, one document) names a handler in prose and states the
// execution history and result the service must record; see protocol.md §8 of the
// project spec. The suite is the folder name and the id is the file stem, so
// "parallel/8-6.yaml" is requirement "parallel/8-6".
//
// # Pieces
//
//   - [ReadFile] and [Load] read and validate requirement files. Mistakes (unknown
//     keys, wrong types) are [*ReadError]s naming the file, line, key and problem.
//   - [MatchHistory] and [MatchResult] apply the official matching rules: expected
//     events are looked up by EventId; only listed keys are checked, but each must
//     exist; '*' and {} match anything; a whole-string ${NAME} binds on first sight
//     and must agree afterwards; ${/regex/} searches the string form of the actual
//     value; payloads are compared as exact strings. A failure is a [*Mismatch]
//     whose text names the first differing event, the path inside it, expected
//     against actual, and the bindings so far.
//   - [Registry] maps "suite/id" to a [HandlerFunc]. A handler that needs a runner
//     feature says so when it registers: [NeedsCrash] gives it [Tools.Crash], which
//     ends the current invocation the way a process exit does (the service records
//     Runtime.ExitError and re-invokes).
//   - [Runner] runs each requirement on a [Target] (the in-process [LocalTarget], or the
//     Lambda API through package cloud) and turns the outcome into PASS, FAIL or SKIP.
//   - Callbacks: [CallbackPlan] hands a requirement's CallbackActions to the callbacks
//     an execution opens as the official runner does (first unused action whose
//     CallbackName matches the callback's name, or its WaitForCallback context's, as a
//     literal, '*' or ${/regex/}; a heartbeat leaves the callback open for the next
//     action); [SendCallback] sends one, a success body being the payload as Python's
//     json.dumps writes it. The local target sends them on the virtual clock (Delay in
//     virtual seconds after CallbackStarted); the cloud target sleeps Delay in real time.
//   - Chained invokes reach the functions registered with [Registry.RegisterFunction].
//   - A requirement without ExpectedResult is matched on its listed events only; a target
//     that polls stops as soon as they are there (Request.Settled).
//   - [WriteJUnit] writes the outcomes as a JUnit XML report, and [Record] rewrites a
//     requirement file's expectations from an actual run, for review by hand.
//
// # Logs
//
// ExpectedLogs are checked against the records the handler writes through the
// logger the runtime hands it (the Env logger of the in-process invocation),
// or against the lines a served function printed (JSON lines as their
// fields). Match values keep their YAML type (true only equals a JSON
// boolean, 2 a number, null a null, a string a string; '/regex/' searches
// the field's text), and before/after anchors are checked: each counted
// record must follow (precede) a record each anchor matches, and an anchor
// matching nothing fails. A target that cannot show the output skips such
// requirements with the reason, never silently.
package conformance
