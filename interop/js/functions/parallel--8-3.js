"use strict";
const p = require("../lib/parallel.js");
// 8-3: "named", branches "first" and "second" returning "one" and "two".
exports.handler = p.parallelHandler("named", [{ name: "first", func: p.value("one") }, { name: "second", func: p.value("two") }], { maxConcurrency: 1 });
