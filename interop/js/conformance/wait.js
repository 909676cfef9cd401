// Handlers of the official wait requirements (suite "wait"), by id.
"use strict";

const { durable } = require("../lib/durable.js");

const handlers = {
  "2-1": durable(async (_e, ctx) => { await ctx.wait({ seconds: 2 }); }),
  "2-2": durable(async (_e, ctx) => { await ctx.wait("custom_wait_name", { seconds: 2 }); }),
  "2-3": durable(async (_e, ctx) => {
    await ctx.wait("wait-1", { seconds: 2 });
    await ctx.wait("wait-2", { seconds: 2 });
    return { completedWaits: 2 };
  }),
  "2-4": durable(async (_e, ctx) => { await ctx.wait({ minutes: 1 }); }),
  "2-5": durable(async (_e, ctx) => { await ctx.wait({ hours: 1 }); }),
};

module.exports = { handlers };
