"use strict";
// AllSettled over a step that succeeds and one that fails.
const c = require("../lib/combinators.js");
exports.handler = c.handler(async (_e, ctx) => {
  const out = await ctx.promise.allSettled("settled", [c.ok(ctx, "a", 1), c.fails(ctx, "b")]);
  return out.map((s) => (s.status === "fulfilled" ? s.value : s.reason.message));
});
