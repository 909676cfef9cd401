// Handlers of the official invoke requirements (suite "invoke"), by id.
// The targets are JavaScript functions too (functions/js-echo.js and
// functions/js-fail.js), served beside these by dpcheck serve.
"use strict";

const { durable } = require("../lib/durable.js");

const ECHO = "js-echo";
const FAIL = "js-fail";

// upper upper-cases the JSON text of a value on the way out and the
// recorded text, taken as the string, on the way in.
const upper = {
  serialize: async (v) => (v === undefined ? undefined : JSON.stringify(v).toUpperCase()),
  deserialize: async (s) => (s === undefined ? undefined : s.toUpperCase()),
};

// largeInput is 5-7's payload size: close under the 256 KiB limit of an
// operation payload.
const largeInput = 250 * 1024;

// call always uses the form with a name (undefined: none): in the form
// without one the SDK takes a string input for the target's name.
const call = (ctx, target, input, config) => ctx.invoke(undefined, target, input, config);

const echoEvent = durable(async (event, ctx) => call(ctx, ECHO, event));

const handlers = {
  "5-1": echoEvent,
  "5-2": durable(async (event, ctx) => ctx.invoke(event.name, ECHO, event.payload)),
  "5-3": echoEvent,
  "5-4": durable(async (_e, ctx) => call(ctx, ECHO, null)),
  "5-5": durable(async (_e, ctx) => call(ctx, FAIL)),
  "5-6": durable(async (_e, ctx) => {
    try {
      return await call(ctx, FAIL);
    } catch {
      return "fallback";
    }
  }),
  "5-7": durable(async (_e, ctx) => (await call(ctx, ECHO, "x".repeat(largeInput - 2))).length),
  "5-8": durable(async (event, ctx) => call(ctx, ECHO, event.payload, { tenantId: event.tenantId })),
  "5-9": durable(async (_e, ctx) => {
    const v = await call(ctx, ECHO, { cached: true });
    await ctx.wait({ seconds: 1 });
    return v;
  }),
  "5-11": durable(async (_e, ctx) => {
    const v = await ctx.step(async () => ({ from: "step" }));
    return call(ctx, ECHO, v);
  }),
  // 5-12: an invoke with no payload, then a step that returns its result.
  "5-12": durable(async (_e, ctx) => {
    const v = await call(ctx, ECHO);
    return ctx.step(async () => v);
  }),
  "5-13": durable(async (_e, ctx) => ctx.runInChildContext(async (child) => call(child, ECHO, { inside: true }))),
  "5-14": durable(async (_e, ctx) => {
    const first = await call(ctx, ECHO, { n: 1 });
    const second = await call(ctx, ECHO, { n: 2 });
    return [first, second];
  }),
  "5-15": durable(async (event, ctx) => call(ctx, ECHO, event, { payloadSerdes: upper })),
  "5-16": durable(async (text, ctx) => call(ctx, ECHO, text, { resultSerdes: upper })),
};

module.exports = { handlers };
