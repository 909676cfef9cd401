"use strict";
const p = require("../lib/parallel.js");
// 8-5: "empty", no branches; the handler returns [].
exports.handler = p.parallelHandler("empty", [], undefined);
