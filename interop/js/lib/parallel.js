// Helpers shared by the handlers of the official parallel requirements
// (conformance/parallel.js). Unless a requirement says otherwise the
// branches run with max-concurrency 1, in index order, so the history is
// deterministic.
"use strict";

const { withDurableExecution } = require("@aws/durable-execution-sdk-js");
const { projection, full, counts, minSuccessful } = require("./batch.js");

// value is a branch returning v directly, with no durable operation.
const value = (v) => async () => v;

// fails is a branch that raises an error directly.
const fails = (i) => async () => {
  throw new Error(`branch ${i} failed`);
};

// stepBranch is a branch running one step named name that returns v.
const stepBranch = (name, v) => async (ctx) => ctx.step(name, async () => v);

// results is the usual return value: the successful branch results in
// index order.
const results = (batch) => batch.getResults();

// parallelHandler is a durable handler that runs one parallel(name,
// branches, config) and returns finish(batch). A null name uses the form
// without an operation name.
function parallelHandler(name, branches, config, finish = results) {
  return withDurableExecution(async (_event, context) => {
    const batch = name === null
      ? await context.parallel(branches, config)
      : await context.parallel(name, branches, config);
    return finish(batch);
  });
}

module.exports = { value, fails, stepBranch, results, projection, full, counts, minSuccessful, parallelHandler };
