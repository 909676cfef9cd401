// Handlers of the official child-context requirements (suite "child"), by id.
"use strict";

const { durable, noRetry, retryEvery } = require("../lib/durable.js");

const echo = (v) => async () => v;
const fails = async () => {
  throw new Error("step failed");
};
const upper = {
  serialize: async (v) => (v === undefined ? undefined : String(v).toUpperCase()),
  deserialize: async (s) => s,
};
// big is a result well past the 256 KB checkpoint limit.
const big = (seed) => seed.repeat(Math.ceil(300 * 1024 / Math.max(seed.length, 1)));

const handlers = {
  "3-1": durable(async (input, ctx) => ctx.runInChildContext(async (child) => child.step(echo(input)))),
  "3-2": durable(async (event, ctx) => ctx.runInChildContext(event.name, async (child) => child.step(echo(event.value)))),
  "3-3": durable(async (input, ctx) => ctx.runInChildContext("two-steps", async (child) => {
    const first = await child.step(echo(input));
    return child.step(echo(first));
  })),
  "3-4": durable(async (_e, ctx) => ctx.runInChildContext("failing", async (child) => child.step(fails, { retryStrategy: noRetry }))),
  "3-5": durable(async (input, ctx) => {
    try {
      await ctx.runInChildContext(async (child) => child.step(fails, { retryStrategy: noRetry }));
    } catch {
      // recovered below
    }
    return ctx.step(echo(input));
  }),
  "3-7": durable(async (input, ctx) => ctx.runInChildContext("retrying", async (child) => child.step(async (step) => {
    if (step.attempt === 1) throw new Error("first attempt fails");
    return input;
  }, { retryStrategy: retryEvery(1, 3) }))),
  "3-8": durable(async (_e, ctx) => ctx.runInChildContext("exhausted", async (child) => child.step(fails, { retryStrategy: retryEvery(1, 2) }))),
  "3-9": durable(async (input, ctx) => {
    const v = await ctx.runInChildContext(async (child) => child.step(echo(input)));
    await ctx.wait({ seconds: 1 });
    return v;
  }),
  "3-10": durable(async (input, ctx) => ctx.runInChildContext("step-then-wait", async (child) => {
    const v = await child.step(echo(input));
    await child.wait({ seconds: 1 });
    return v;
  })),
  // 3-11: the child's result is too large to checkpoint, so the replay runs
  // the child again (ReplayChildren) and its log line appears twice.
  "3-11": durable(async (input, ctx) => {
    const v = await ctx.runInChildContext("large-result", async (child) => {
      child.configureLogger({ modeAware: false });
      child.logger.info(`child running for ${input}`);
      const small = await child.step(echo(input));
      return big(small);
    });
    await ctx.wait({ seconds: 1 });
    return v.length;
  }),
  "3-13": durable(async (input, ctx) => {
    await ctx.runInChildContext("wait-only", async (child) => {
      await child.wait({ seconds: 1 });
      return input;
    });
    return ctx.step(echo(input));
  }),
  "3-14": durable(async (input, ctx) => ctx.runInChildContext("uppercase", async (child) => child.step(echo(input)), { serdes: upper })),
  "3-15": durable(async (_e, ctx) => ctx.runInChildContext("throws", async () => {
    throw new Error("child failed directly");
  })),
  "3-16": durable(async (_e, ctx) => ctx.runInChildContext("null", async () => null)),
  "3-17": durable(async (input, ctx) => {
    const v = await ctx.runInChildContext("logs-only", async (child) => {
      child.configureLogger({ modeAware: false });
      child.logger.info(`child ran for ${input}`);
      return input;
    });
    await ctx.wait({ seconds: 1 });
    return v;
  }),
  "3-18": durable(async (input, ctx) => {
    const v = await ctx.runInChildContext("inner", async (child) => {
      const s = await child.step(echo(input));
      await child.wait({ seconds: 1 });
      return s;
    });
    const outer = await ctx.step(echo(v));
    await ctx.wait({ seconds: 1 });
    return outer;
  }),
};

module.exports = { handlers };
