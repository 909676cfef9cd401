"use strict";
const p = require("../lib/parallel.js");
// 8-7: fail-fast; b0 fails, b1 never starts; the handler rethrows the failure.
exports.handler = p.parallelHandler("throwiferror", [p.fails(0), p.value("never")],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 0 } }, (b) => { b.throwIfError(); return p.results(b); });
