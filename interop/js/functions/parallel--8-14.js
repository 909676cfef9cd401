"use strict";
const p = require("../lib/parallel.js");
// 8-14: b0 runs a step, b1 waits 2 s then returns; the replay skips b0.
exports.handler = p.parallelHandler("replaywait", [
  p.stepBranch("b0", "b0"),
  async (ctx) => { await ctx.wait("b1-wait", { seconds: 2 }); return "b1"; },
], { maxConcurrency: 1 });
