"use strict";
// Race between a step and a child context that waits first: the step wins
// and the execution ends with the wait still running.
const c = require("../lib/combinators.js");
exports.handler = c.handler(async (_e, ctx) => ctx.promise.race("race", [c.delayed(ctx, "slow", 5, "late"), c.ok(ctx, "fast", "early")]));
