"use strict";
// AllSettled inside Map iterations, one item at a time.
const c = require("../lib/combinators.js");
exports.handler = c.handler(async (_e, ctx) => {
  const batch = await ctx.map("map", [1, 2], async (m, item) => {
    const out = await m.promise.allSettled("settled", [c.ok(m, "double", item * 2), item === 2 ? c.fails(m, "odd") : c.ok(m, "odd", item)]);
    return out.map((s) => (s.status === "fulfilled" ? s.value : s.reason.message));
  }, { maxConcurrency: 1 });
  return batch.getResults();
});
