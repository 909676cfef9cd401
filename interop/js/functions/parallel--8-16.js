"use strict";
const p = require("../lib/parallel.js");
// 8-16: tolerated-failure-count 3; all three branches fail and complete.
exports.handler = p.parallelHandler("allfail", [p.fails(0), p.fails(1), p.fails(2)],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 3 } }, (b) => p.projection(b, p.full));
