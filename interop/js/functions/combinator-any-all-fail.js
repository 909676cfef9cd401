"use strict";
// Any over two failing steps: the execution fails.
const c = require("../lib/combinators.js");
exports.handler = c.handler(async (_e, ctx) => ctx.promise.any("any", [c.fails(ctx, "a"), c.fails(ctx, "b")]));
