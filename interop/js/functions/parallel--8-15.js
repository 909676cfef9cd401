"use strict";
const p = require("../lib/parallel.js");
// 8-15: a per-branch serde that checkpoints v as {"wrapped": v}.
const wrapped = {
  serialize: async (v) => (v === undefined ? undefined : JSON.stringify({ wrapped: v })),
  deserialize: async (s) => (s === undefined ? undefined : JSON.parse(s).wrapped),
};
exports.handler = p.parallelHandler("serdes", [p.value("x"), p.value("y")], { maxConcurrency: 1, itemSerdes: wrapped });
