"use strict";
// Combinators inside Parallel branches, one branch at a time.
const c = require("../lib/combinators.js");
exports.handler = c.handler(async (_e, ctx) => {
  const batch = await ctx.parallel("par", [
    async (b) => b.promise.all("all", [c.ok(b, "a", 1), c.ok(b, "b", 2)]),
    async (b) => b.promise.any("any", [c.fails(b, "x"), c.ok(b, "y", 3)]),
  ], { maxConcurrency: 1 });
  return batch.getResults();
});
