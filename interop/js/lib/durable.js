// Pieces shared by the handlers of the official requirements
// (conformance/SUITE.js): the usual retry strategies, a custom error type,
// and short forms of the common handler shapes.
"use strict";

const {
  withDurableExecution, createRetryStrategy, retryPresets, JitterStrategy,
} = require("@aws/durable-execution-sdk-js");

const durable = withDurableExecution;

// noRetry fails a step on its first error.
const noRetry = retryPresets.noRetry;

// retryEvery(seconds, maxAttempts) retries after a fixed delay, with no
// jitter, so the history's NextAttemptDelaySeconds is exact.
const retryEvery = (seconds, maxAttempts) => createRetryStrategy({
  maxAttempts, initialDelay: { seconds }, maxDelay: { seconds }, backoffRate: 1, jitter: JitterStrategy.NONE,
});

// TransientError is the custom error type several requirements name; the
// SDK records error.name as the ErrorType.
class TransientError extends Error {
  constructor(message) {
    super(message);
    this.name = "TransientError";
  }
}

// failure makes an Error with a given name (the recorded ErrorType).
function failure(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}

module.exports = { durable, noRetry, retryEvery, TransientError, failure };
