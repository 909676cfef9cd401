"use strict";
// All over two steps that succeed.
const c = require("../lib/combinators.js");
exports.handler = c.handler(async (_e, ctx) => ctx.promise.all("all", [c.ok(ctx, "a", 1), c.ok(ctx, "b", 2)]));
