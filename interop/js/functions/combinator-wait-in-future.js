"use strict";
// All over a step and a child context that waits: the invocation suspends,
// and the next one finishes.
const c = require("../lib/combinators.js");
exports.handler = c.handler(async (_e, ctx) => ctx.promise.all("all", [c.ok(ctx, "a", "now"), c.delayed(ctx, "later", 2, "then")]));
