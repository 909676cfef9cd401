"use strict";
const p = require("../lib/parallel.js");
// 8-9: tolerated-failure-count 1; b1 fails, all three complete.
exports.handler = p.parallelHandler("tolerated", [p.value("ok0"), p.fails(1), p.value("ok2")],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 1 } }, (b) => p.projection(b, p.full));
