"use strict";
const p = require("../lib/parallel.js");
// 8-4: "hetero", branches returning "hello", 42 and {k: "v"}.
exports.handler = p.parallelHandler("hetero", [p.value("hello"), p.value(42), p.value({ k: "v" })], { maxConcurrency: 1 });
