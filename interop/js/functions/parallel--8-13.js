"use strict";
const p = require("../lib/parallel.js");
// 8-13: tolerated-failure-percentage 25 of four; b0 and b1 fail, the rest never start.
exports.handler = p.parallelHandler("percentage", [p.fails(0), p.fails(1), p.value("c"), p.value("d")],
  { maxConcurrency: 1, completionConfig: { toleratedFailurePercentage: 25 } }, (b) => p.projection(b, p.counts));
