"use strict";
const p = require("../lib/parallel.js");
// 8-1: "parallel", two branches each running one step ("task-1", "task-2").
exports.handler = p.parallelHandler("parallel", [p.stepBranch("task-1", "task-1"), p.stepBranch("task-2", "task-2")], { maxConcurrency: 1 });
