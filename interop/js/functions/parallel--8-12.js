"use strict";
const p = require("../lib/parallel.js");
const { NestingType } = require("@aws/durable-execution-sdk-js");
// 8-12: FLAT nesting; each branch's step sits directly under the Parallel.
exports.handler = p.parallelHandler("flat", [p.stepBranch("fa", "fa"), p.stepBranch("fb", "fb")], { maxConcurrency: 1, nesting: NestingType.FLAT });
