// The calculator, written with the official JavaScript SDK: the same input
// and output contract as the Go calculator in function/ (see its doc.go and
// the README). One Parallel named "calculations" with four branches,
// "addition", "subtraction", "multiplication" and "division", each running
// one step of the same name, completion "all completed"; division is never
// retried, the others keep the SDK's default retry strategy except that an
// overflow is never retried. The execution succeeds whether or not a step
// failed; a bad event fails it with InvalidInputError before any durable
// operation.
//
// Where JavaScript differs from Go: JSON.stringify writes -0 as 0, so
// {"num1":-0.0,"num2":-0.0} gives "Add":0 here and "Add":-0 in Go; a
// literal beyond the float64 range (1e999) is reported as "a number outside
// the float64 range" because JSON.parse has already made it Infinity.
"use strict";

const { withDurableExecution, retryPresets } = require("@aws/durable-execution-sdk-js");

const ERROR_DETAILS = "One or more operations failed";

class InvalidInputError extends Error {
  constructor(field, got) {
    super(field === "event"
      ? `function: event must be a JSON object, got ${got}`
      : `function: ${field} must be a finite JSON number, got ${got}`);
    this.name = "InvalidInputError";
  }
}

class DivisionByZeroError extends Error {
  constructor() {
    super("Division by zero is not allowed");
    this.name = "DivisionByZeroError";
  }
}

class OverflowError extends Error {
  constructor(operation, num1, num2) {
    super(`function: ${operation} of ${num1} and ${num2} overflows float64`);
    this.name = "OverflowError";
  }
}

function describe(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  switch (typeof v) {
    case "object": return "an object";
    case "string": return "a string";
    case "boolean": return "a boolean";
    case "number": return "a number";
    default: return "nothing";
  }
}

// readEvent returns [num1, num2] or throws InvalidInputError naming the field.
function readEvent(event) {
  if (describe(event) !== "an object") {
    throw new InvalidInputError("event", describe(event));
  }
  return ["num1", "num2"].map((field) => {
    if (!Object.prototype.hasOwnProperty.call(event, field)) return 0;
    const v = event[field];
    if (typeof v !== "number") throw new InvalidInputError(field, describe(v));
    if (!Number.isFinite(v)) throw new InvalidInputError(field, "a number outside the float64 range");
    return v;
  });
}

const noRetry = () => ({ shouldRetry: false });
const retryUnlessOverflow = (error, attempt) =>
  error instanceof OverflowError || (error && error.name === "OverflowError")
    ? { shouldRetry: false }
    : retryPresets.default(error, attempt);

const operations = [
  { name: "addition", key: "Add", compute: (a, b) => a + b, retry: retryUnlessOverflow },
  { name: "subtraction", key: "Subtract", compute: (a, b) => a - b, retry: retryUnlessOverflow },
  { name: "multiplication", key: "Multiply", compute: (a, b) => a * b, retry: retryUnlessOverflow },
  {
    name: "division", key: "Division", retry: noRetry,
    compute: (a, b) => {
      if (b === 0) throw new DivisionByZeroError(); // true for -0 as well
      return a / b;
    },
  },
];

// rootCause is the error a step threw, under the SDK's StepError and
// ChildContextError wrappers; after a replay the SDK rebuilds it from the
// checkpointed ErrorObject, with the type as its name.
function rootCause(err) {
  let e = err;
  while (e && e.cause) e = e.cause;
  return e || new Error(String(err));
}

// stepFailure rethrows a failed step's own error from its branch. The SDK
// checkpoints a branch that fails with its StepError as ErrorType
// "StepError", so the type the step threw would be lost from the branch's
// ContextFailed and from the BatchResult a replay reads back; a plain error
// with the step's type and message keeps it.
function stepFailure(err) {
  const cause = rootCause(err);
  const e = new Error(cause.message);
  e.name = cause.name || "Error";
  return e;
}

exports.handler = withDurableExecution(async (event, context) => {
  const [num1, num2] = readEvent(event);
  context.logger.info("calculating", { num1, num2 });
  const batch = await context.parallel(
    "calculations",
    operations.map((op) => ({
      name: op.name,
      func: async (branch) => {
        try {
          return await branch.step(op.name, async () => {
            const v = op.compute(num1, num2);
            if (!Number.isFinite(v)) throw new OverflowError(op.name, num1, num2);
            return v;
          }, { retryStrategy: op.retry });
        } catch (err) {
          throw stepFailure(err);
        }
      },
    })),
    { completionConfig: { toleratedFailurePercentage: 100 } },
  );
  const results = {};
  const failures = [];
  for (const item of batch.all) {
    const op = operations[item.index];
    if (item.status === "SUCCEEDED") {
      results[op.key] = item.result;
    } else if (item.status === "FAILED") {
      const cause = rootCause(item.error);
      failures.push({ operation: op.name, errorType: cause.name || "Error", errorMessage: cause.message });
    }
  }
  if (failures.length === 0) {
    return results;
  }
  return {
    error_details: ERROR_DETAILS,
    successCount: batch.successCount,
    failureCount: batch.failureCount,
    results,
    failures,
  };
});
