// Package function is the calculator durable function: the seed pattern
// lambda-durable-parallel-execution-python-sam, ported to Go on the durable
// runtime. cmd/bootstrap is its Lambda entry point; template.yaml deploys it.
//
// # Behaviour
//
// Handler reads {"num1": n, "num2": n} and runs one Parallel named
// "calculations" with four branches, "addition", "subtraction",
// "multiplication" and "division", each running one step of the same name.
// Completion is durable.AllCompleted(), so every branch runs and the counts do
// not depend on scheduling. The division step uses durable.NoRetry(); the
// others keep the default retry strategy, except that an *OverflowError is
// never retried.
//
// The execution SUCCEEDS whether or not operations failed, as in the seed; see
// Response for the two result shapes. A failure entry carries the failing
// step's own error type and message, read from the branch's *durable.StepError.
//
// # Input
//
// A missing num1 or num2 means 0, as in the seed ({} divides 0 by 0). Keys
// are matched exactly and other keys are ignored. An event that is not a JSON
// object, or a num1/num2 that is a string, boolean, null, array, object or a
// number literal beyond the float64 range (1e999), ends the execution FAILED
// with *InvalidInputError naming the field ("event", "num1" or "num2"),
// before any durable operation. Bytes that are not JSON at all never reach
// Handler: the service only accepts JSON payloads.
//
// # Numbers
//
// Arithmetic is IEEE 754 float64, the model of JSON numbers in JavaScript and
// in the official Go SDK's examples; a JSON integer is read as the nearest
// float64. Two consequences are deliberate and pinned by the tests:
//
//   - Integers beyond 2^53 lose precision. {"num1":9007199254740993,"num2":1}
//     reads num1 as 9007199254740992 and returns
//     {"Add":9007199254740992,"Subtract":9007199254740991,"Multiply":9007199254740992,"Division":9007199254740992}
//     (2^53+1 rounds to even). The Python seed keeps integers exact and would
//     return Add 9007199254740994, Subtract 9007199254740992 and Multiply
//     9007199254740993 (its Division is a float too: 9007199254740992.0).
//     Exact big integers would need a second number type through every step
//     payload; rejecting them would make a valid JSON number an error.
//   - The sign of zero is kept. A num2 of -0 is zero, so division fails with
//     DivisionByZeroError; {"num1":-0.0,"num2":-0.0} gives Add -0 (written
//     "-0" by encoding/json), Subtract 0 and Multiply 0. Keeping it shows that
//     a step result survives checkpoint and replay bit for bit.
//
// A division always yields a float64, written without a fraction when it has
// none: the seed's 2.0 is 2 here, the same JSON number. A result that is not
// finite (1e308 * 10) fails its step with *OverflowError, since JSON cannot
// carry it and a retry with the same inputs would overflow again.
package function
