"use strict";
const p = require("../lib/parallel.js");
// 8-19: max-concurrency 0 is invalid; the SDK refuses it before any branch runs.
exports.handler = p.parallelHandler("invalid", [p.value("a"), p.value("b")], { maxConcurrency: 0 });
