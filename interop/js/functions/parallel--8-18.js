"use strict";
const p = require("../lib/parallel.js");
// 8-18: min-successful 3 with tolerated-failure-count 1; b0 and b1 fail first.
exports.handler = p.parallelHandler("combined", [p.fails(0), p.fails(1), p.value("c"), p.value("d")],
  { maxConcurrency: 1, completionConfig: { minSuccessful: 3, toleratedFailureCount: 1 } }, (b) => p.projection(b, p.counts));
