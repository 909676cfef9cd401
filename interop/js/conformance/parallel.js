// Handlers of the official parallel requirements (suite "parallel"), by id.
"use strict";
const p = require("../lib/parallel.js");
const { NestingType } = require("@aws/durable-execution-sdk-js");

const handlers = {};

// 8-1: "parallel", two branches each running one step ("task-1", "task-2").
handlers["8-1"] = p.parallelHandler("parallel", [p.stepBranch("task-1", "task-1"), p.stepBranch("task-2", "task-2")], { maxConcurrency: 1 });

// 8-2: the form with no operation name; branches return "alpha" and "beta".
handlers["8-2"] = p.parallelHandler(null, [p.value("alpha"), p.value("beta")], { maxConcurrency: 1 });

// 8-3: "named", branches "first" and "second" returning "one" and "two".
handlers["8-3"] = p.parallelHandler("named", [{ name: "first", func: p.value("one") }, { name: "second", func: p.value("two") }], { maxConcurrency: 1 });

// 8-4: "hetero", branches returning "hello", 42 and {k: "v"}.
handlers["8-4"] = p.parallelHandler("hetero", [p.value("hello"), p.value(42), p.value({ k: "v" })], { maxConcurrency: 1 });

// 8-5: "empty", no branches; the handler returns [].
handlers["8-5"] = p.parallelHandler("empty", [], undefined);

// 8-6: "failfast", tolerated-failure-count 0: b0 returns "ok", b1 fails, b2 never starts.
handlers["8-6"] = p.parallelHandler("failfast", [p.value("ok"), p.fails(1), p.value("never")],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 0 } }, (b) => p.projection(b, p.full));

// 8-7: fail-fast; b0 fails, b1 never starts; the handler rethrows the failure.
handlers["8-7"] = p.parallelHandler("throwiferror", [p.fails(0), p.value("never")],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 0 } }, (b) => { b.throwIfError(); return p.results(b); });

// 8-8: min-successful 2 of four branches; branches 2 and 3 never start.
handlers["8-8"] = p.parallelHandler("minsuccessful", [p.value("a"), p.value("b"), p.value("c"), p.value("d")],
  { maxConcurrency: 1, completionConfig: { minSuccessful: 2 } }, (b) => p.projection(b, p.minSuccessful));

// 8-9: tolerated-failure-count 1; b1 fails, all three complete.
handlers["8-9"] = p.parallelHandler("tolerated", [p.value("ok0"), p.fails(1), p.value("ok2")],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 1 } }, (b) => p.projection(b, p.full));

// 8-10: tolerated-failure-count 1; b0 and b1 fail, b2 never starts.
handlers["8-10"] = p.parallelHandler("exceeded", [p.fails(0), p.fails(1), p.value("never")],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 1 } }, (b) => p.projection(b, p.counts));

// 8-11: max-concurrency 2; results in branch index order.
handlers["8-11"] = p.parallelHandler("concurrent", [p.value("r0"), p.value("r1"), p.value("r2")], { maxConcurrency: 2 });

// 8-12: FLAT nesting; each branch's step sits directly under the Parallel.
handlers["8-12"] = p.parallelHandler("flat", [p.stepBranch("fa", "fa"), p.stepBranch("fb", "fb")], { maxConcurrency: 1, nesting: NestingType.FLAT });

// 8-13: tolerated-failure-percentage 25 of four; b0 and b1 fail, the rest never start.
handlers["8-13"] = p.parallelHandler("percentage", [p.fails(0), p.fails(1), p.value("c"), p.value("d")],
  { maxConcurrency: 1, completionConfig: { toleratedFailurePercentage: 25 } }, (b) => p.projection(b, p.counts));

// 8-14: b0 runs a step, b1 waits 2 s then returns; the replay skips b0.
handlers["8-14"] = p.parallelHandler("replaywait", [
  p.stepBranch("b0", "b0"),
  async (ctx) => { await ctx.wait("b1-wait", { seconds: 2 }); return "b1"; },
], { maxConcurrency: 1 });

// 8-15: a per-branch serde that checkpoints v as {"wrapped": v}.
const wrapped = {
  serialize: async (v) => (v === undefined ? undefined : JSON.stringify({ wrapped: v })),
  deserialize: async (s) => (s === undefined ? undefined : JSON.parse(s).wrapped),
};
handlers["8-15"] = p.parallelHandler("serdes", [p.value("x"), p.value("y")], { maxConcurrency: 1, itemSerdes: wrapped });

// 8-16: tolerated-failure-count 3; all three branches fail and complete.
handlers["8-16"] = p.parallelHandler("allfail", [p.fails(0), p.fails(1), p.fails(2)],
  { maxConcurrency: 1, completionConfig: { toleratedFailureCount: 3 } }, (b) => p.projection(b, p.full));

// 8-18: min-successful 3 with tolerated-failure-count 1; b0 and b1 fail first.
handlers["8-18"] = p.parallelHandler("combined", [p.fails(0), p.fails(1), p.value("c"), p.value("d")],
  { maxConcurrency: 1, completionConfig: { minSuccessful: 3, toleratedFailureCount: 1 } }, (b) => p.projection(b, p.counts));

// 8-19: max-concurrency 0 is invalid; the SDK refuses it before any branch runs.
handlers["8-19"] = p.parallelHandler("invalid", [p.value("a"), p.value("b")], { maxConcurrency: 0 });

module.exports = { handlers };
