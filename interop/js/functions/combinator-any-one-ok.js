"use strict";
// Any over a failing step and one that succeeds.
const c = require("../lib/combinators.js");
exports.handler = c.handler(async (_e, ctx) => ctx.promise.any("any", [c.fails(ctx, "a"), c.ok(ctx, "b", 2)]));
