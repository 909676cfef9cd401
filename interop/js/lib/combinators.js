// Helpers shared by the promise-combinator handlers
// (functions/combinator-*.js), each the twin of a Go handler in
// interop/combinators_test.go: the two histories are compared event by
// event under dpcheck serve.
"use strict";

const { withDurableExecution } = require("@aws/durable-execution-sdk-js");

const noRetry = { retryStrategy: () => ({ shouldRetry: false }) };

// ok is a step named name returning v.
const ok = (ctx, name, v) => ctx.step(name, async () => v);

// fails is a step named name that throws once, with no retry.
const fails = (ctx, name) => ctx.step(name, async () => {
  throw new Error(`${name} failed`);
}, noRetry);

// delayed is a child context that waits seconds, then steps.
const delayed = (ctx, name, seconds, v) => ctx.runInChildContext(name, async (c) => {
  await c.wait("pause", { seconds });
  return c.step("after", async () => v);
});

// handler wraps fn(event, ctx) as a durable handler.
const handler = (fn) => withDurableExecution(async (event, context) => fn(event, context));

module.exports = { ok, fails, delayed, handler };
