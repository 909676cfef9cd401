"use strict";
const p = require("../lib/parallel.js");
// 8-2: the form with no operation name; branches return "alpha" and "beta".
exports.handler = p.parallelHandler(null, [p.value("alpha"), p.value("beta")], { maxConcurrency: 1 });
