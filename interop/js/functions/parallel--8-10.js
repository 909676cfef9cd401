"use strict";
const p = require("../lib/parallel.js");
// 8-10: tolerated-failure-count 1; b0 and b1 fail, b2 never starts.
exports.handler = p.parallelHandler("exceeded", [p.fails(0), p.fails(1), p.value("never")],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 1 } }, (b) => p.projection(b, p.counts));
