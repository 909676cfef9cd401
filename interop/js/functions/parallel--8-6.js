"use strict";
const p = require("../lib/parallel.js");
// 8-6: "failfast", tolerated-failure-count 0: b0 returns "ok", b1 fails, b2 never starts.
exports.handler = p.parallelHandler("failfast", [p.value("ok"), p.fails(1), p.value("never")],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 0 } }, (b) => p.projection(b, p.full));
