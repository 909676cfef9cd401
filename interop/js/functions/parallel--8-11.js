"use strict";
const p = require("../lib/parallel.js");
// 8-11: max-concurrency 2; results in branch index order.
exports.handler = p.parallelHandler("concurrent", [p.value("r0"), p.value("r1"), p.value("r2")], { maxConcurrency: 2 });
