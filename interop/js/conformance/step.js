// Handlers of the official step requirements (suite "step"), by id, written
// with the official JavaScript SDK from each requirement's handler and
// invocations prose.
"use strict";

const { StepSemantics } = require("@aws/durable-execution-sdk-js");
const { durable, noRetry, retryEvery, TransientError } = require("../lib/durable.js");

const greet = (name) => `Hello, ${name}!`;

// failUntil(n) is a step function that throws on attempts before n.
const failUntil = (n, result) => async (step) => {
  if (step.attempt < n) throw new Error(`attempt ${step.attempt} failed`);
  return result;
};

const alwaysFails = async () => {
  throw new Error("step always fails");
};

// uppercase checkpoints every string of a value in upper case.
const upper = (v) => (typeof v === "string" ? v.toUpperCase()
  : Array.isArray(v) ? v.map(upper)
    : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, upper(x)]))
      : v);
const uppercase = {
  serialize: async (v) => (v === undefined ? undefined : JSON.stringify(upper(v))),
  deserialize: async (s) => (s === undefined ? undefined : JSON.parse(s)),
};

const handlers = {
  "1-1": durable(async (name, ctx) => ctx.step(async () => greet(name))),
  "1-2": durable(async (name, ctx) => ctx.step("custom_step_name", async () => greet(name))),
  "1-3": durable(async (_e, ctx) => {
    const first = await ctx.step(async () => "first");
    return ctx.step(async () => `${first}_second`);
  }),
  "1-4": durable(async (event, ctx) => ctx.step(async () => ({
    user: { name: event.name, tags: event.tags },
    count: event.tags.length,
  }))),
  "1-5": durable(async (_e, ctx) => ctx.step(async () => null)),
  "1-6": durable(async (text, ctx) => ctx.step(async () => text, { serdes: uppercase })),
  // 1-7: the step context's logger, which the emulator captures.
  "1-7": durable(async (name, ctx) => ctx.step(async (step) => {
    step.logger.info(`Greeting step started for: ${name}`);
    const greeting = greet(name);
    step.logger.info(`Greeting step completed with: ${greeting}`);
    return greeting;
  })),
  "1-8": durable(async (_e, ctx) => {
    const v = await ctx.step(async () => "computed");
    await ctx.wait({ seconds: 2 });
    return v;
  }),
  "1-9": durable(async (_e, ctx) => {
    const v = await ctx.step(async (step) => {
      step.logger.info("step executed");
      return "cached_value";
    });
    await ctx.wait({ seconds: 1 });
    return v;
  }),
  "1-10": durable(async (_e, ctx) => {
    try {
      await ctx.step(async (step) => {
        step.logger.info("step executed");
        throw new Error("permanent failure");
      }, { retryStrategy: noRetry });
    } catch {
      // the failure is expected; the replay re-throws it from the checkpoint
    }
    await ctx.wait({ seconds: 1 });
  }),
  "1-11": durable(async (_e, ctx) => ctx.step(failUntil(2, "Operation succeeded"), { retryStrategy: retryEvery(1, 3) })),
  "1-12": durable(async (_e, ctx) => ctx.step(alwaysFails, { retryStrategy: retryEvery(1, 4) })),
  // 1-13: no retry config: the SDK's default strategy.
  "1-13": durable(async (_e, ctx) => ctx.step(failUntil(3, "succeeded on attempt 3"))),
  "1-15": durable(async (_e, ctx) => ctx.step(async (step) => {
    if (step.attempt === 1) throw new TransientError("transient failure");
    return "recovered";
  }, {
    retryStrategy: (err) => (err.name === "TransientError" ? { shouldRetry: true, delay: { seconds: 1 } } : { shouldRetry: false }),
  })),
  "1-16": durable(async (_e, ctx) => ctx.step(async () => {
    throw new TransientError("transient failure");
  }, {
    retryStrategy: (err) => (err.name === "TransientError" ? { shouldRetry: false } : { shouldRetry: true, delay: { seconds: 1 } }),
  })),
  // 1-17: the process exits inside an at-most-once step; the replay finds
  // the step started and not finished and fails it (no retry).
  "1-17": durable(async (input, ctx) => ctx.step("at_most_once_flaky_step", async (step) => {
    step.logger.info(`crashing on ${input}`);
    process.exit(1);
  }, { semantics: StepSemantics.AtMostOncePerRetry, retryStrategy: noRetry })),
  "1-19": durable(async (_e, ctx) => ctx.step(alwaysFails, { retryStrategy: noRetry })),
  "1-20": durable(async (_e, ctx) => {
    let fallback;
    try {
      await ctx.step(alwaysFails, { retryStrategy: noRetry });
    } catch {
      fallback = "fallback_result";
    }
    return ctx.step(async () => fallback);
  }),
};

module.exports = { handlers };
