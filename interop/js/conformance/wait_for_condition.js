// Handlers of the official wait-for-condition requirements (suite
// "wait_for_condition"), by id.
"use strict";

const { createWaitStrategy, JitterStrategy } = require("@aws/durable-execution-sdk-js");
const { durable } = require("../lib/durable.js");

// fixed(seconds, until, maxAttempts) polls every seconds, without jitter,
// until until(state) holds.
const fixed = (seconds, until, maxAttempts = 100) => createWaitStrategy({
  maxAttempts,
  initialDelay: { seconds },
  maxDelay: { seconds },
  backoffRate: 1,
  jitter: JitterStrategy.NONE,
  shouldContinuePolling: (state) => !until(state),
});

const increment = async (n) => n + 1;

// counter polls increment from initialState until the state reaches the
// event (a threshold), under name when given.
const counter = (name, initialState, seconds = 1) => durable(async (threshold, ctx) => {
  const config = { initialState, waitStrategy: fixed(seconds, (n) => n >= threshold) };
  return name ? ctx.waitForCondition(name, increment, config) : ctx.waitForCondition(increment, config);
});

// encoded checkpoints a string state as "enc:" and its base64 form.
const encoded = {
  serialize: async (s) => (s === undefined ? undefined : `enc:${Buffer.from(s).toString("base64")}`),
  deserialize: async (s) => (s === undefined ? undefined : Buffer.from(s.slice("enc:".length), "base64").toString()),
};

const handlers = {
  "6-1": counter(null, 0),
  "6-2": durable(async (_e, ctx) => ctx.waitForCondition(async (s) => s, { initialState: 5, waitStrategy: fixed(1, (s) => s >= 5) })),
  "6-3": counter("poll-status", 0),
  "6-4": counter(null, 5),
  "6-5": counter(null, 0, 2),
  "6-6": durable(async (_e, ctx) => ctx.waitForCondition(increment, { initialState: 0, waitStrategy: fixed(1, () => false, 3) })),
  "6-7": durable(async (_e, ctx) => ctx.waitForCondition(async () => {
    throw new Error("check failed");
  }, { initialState: 0, waitStrategy: fixed(1, () => true) })),
  "6-9": durable(async (_e, ctx) => ctx.waitForCondition(async (s) => {
    const attempts = s.attempts + 1;
    return { status: attempts >= 2 ? "DONE" : "PENDING", attempts };
  }, { initialState: { status: "PENDING", attempts: 0 }, waitStrategy: fixed(1, (s) => s.status === "DONE") })),
  "6-10": durable(async (_e, ctx) => ctx.waitForCondition(async () => null, { initialState: 0, waitStrategy: fixed(1, () => true) })),
  "6-11": durable(async (_e, ctx) => ctx.waitForCondition(async (s) => `${s}x`,
    { initialState: "", serdes: encoded, waitStrategy: fixed(1, (s) => s.length >= 2) })),
  "6-12": durable(async (threshold, ctx) => {
    const n = await ctx.waitForCondition(increment, { initialState: 0, waitStrategy: fixed(1, (s) => s >= threshold) });
    return ctx.step(async () => n * 10);
  }),
  "6-13": durable(async (_e, ctx) => {
    const first = await ctx.waitForCondition(increment, { initialState: 0, waitStrategy: fixed(1, (s) => s >= 2) });
    return ctx.waitForCondition(increment, { initialState: first, waitStrategy: fixed(1, (s) => s >= 4) });
  }),
};

module.exports = { handlers };
