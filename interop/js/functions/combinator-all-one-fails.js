"use strict";
// All over a step that succeeds and one that fails: the execution fails.
const c = require("../lib/combinators.js");
exports.handler = c.handler(async (_e, ctx) => ctx.promise.all("all", [c.ok(ctx, "a", 1), c.fails(ctx, "b")]));
