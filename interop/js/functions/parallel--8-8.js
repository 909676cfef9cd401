"use strict";
const p = require("../lib/parallel.js");
// 8-8: min-successful 2 of four branches; branches 2 and 3 never start.
exports.handler = p.parallelHandler("minsuccessful", [p.value("a"), p.value("b"), p.value("c"), p.value("d")],
  { maxConcurrency: 1, completionConfig: { minSuccessful: 2 } }, (b) => p.projection(b, ["completionReason", "successCount", "totalCount"]));
