// Handlers of the official callback requirements (suite "callback"), by id.
// The runner answers the callbacks (CallbackActions) by their names.
"use strict";

const { durable } = require("../lib/durable.js");

// awaitCallback creates a callback named name with config, then, once
// between(ctx) has run, awaits and returns its result.
async function awaitCallback(ctx, name, config, between = async () => {}) {
  const [result] = await ctx.createCallback(name, config);
  await between(ctx);
  return result;
}

const wait = (seconds) => async (ctx) => { await ctx.wait({ seconds }); };

// caught awaits p and returns its result, or a message naming the error.
async function caught(p) {
  try {
    return await p;
  } catch (err) {
    return `callback failed: ${err.name}: ${err.message}`;
  }
}

// createBoth creates callbacks named a and b, in that order, then awaits
// them (b's first when bFirst) and returns both results, a's first.
async function createBoth(ctx, [a, b], bFirst) {
  const [pa] = await ctx.createCallback(a);
  const [pb] = await ctx.createCallback(b);
  if (bFirst) {
    const rb = await pb;
    return [await pa, rb];
  }
  const ra = await pa;
  return [ra, await pb];
}

const handlers = {
  "4-1": durable(async (name, ctx) => awaitCallback(ctx, name)),
  "4-2": durable(async (_e, ctx) => awaitCallback(ctx, "approval")),
  "4-3": durable(async (name, ctx) => awaitCallback(ctx, name, { timeout: { seconds: 5 } })),
  "4-4": durable(async (name, ctx) => awaitCallback(ctx, name, { heartbeatTimeout: { seconds: 5 } })),
  "4-5": durable(async (name, ctx) => awaitCallback(ctx, name, { heartbeatTimeout: { seconds: 10 } })),
  "4-6": durable(async (name, ctx) => awaitCallback(ctx, name)),
  "4-8": durable(async (name, ctx) => awaitCallback(ctx, name, { timeout: { seconds: 5 } },
    async (c) => { await c.step(async () => "between"); })),
  "4-9": durable(async (name, ctx) => awaitCallback(ctx, name, undefined, wait(5))),
  "4-10": durable(async (name, ctx) => awaitCallback(ctx, name, undefined, wait(5))),
  "4-11": durable(async (name, ctx) => awaitCallback(ctx, name, { timeout: { seconds: 3 } }, wait(6))),
  "4-12": durable(async (name, ctx) => {
    const v = await awaitCallback(ctx, name);
    await ctx.wait({ seconds: 2 });
    return v;
  }),
  "4-13": durable(async (name, ctx) => {
    const message = await caught(awaitCallback(ctx, name));
    await ctx.wait({ seconds: 2 });
    return message;
  }),
  "4-14": durable(async (name, ctx) => {
    const message = await caught(awaitCallback(ctx, name, { timeout: { seconds: 3 } }));
    await ctx.wait({ seconds: 2 });
    return message;
  }),
  // 4-16: a custom deserializer reads the payload as a number.
  "4-16": durable(async (name, ctx) => {
    const count = await awaitCallback(ctx, name, { serdes: { deserialize: async (s) => Number(JSON.parse(s)) } });
    return { count, doubled: count * 2 };
  }),
  "4-17": durable(async ([a, b], ctx) => {
    const ra = await awaitCallback(ctx, a);
    const rb = await awaitCallback(ctx, b);
    return [ra, rb];
  }),
  "4-18": durable(async (names, ctx) => createBoth(ctx, names, false)),
  "4-19": durable(async (names, ctx) => createBoth(ctx, names, true)),
};

module.exports = { handlers };
