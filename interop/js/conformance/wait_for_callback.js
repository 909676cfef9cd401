// Handlers of the official wait-for-callback requirements (suite
// "wait_for_callback"), by id. The submitters do nothing durable; the
// runner answers the callbacks (CallbackActions).
"use strict";

const { durable, retryEvery } = require("../lib/durable.js");

const submit = async () => {};

// wfc is a handler running one waitForCallback named by name(event)
// (undefined: no name) with config.
const wfc = (name, config, submitter = submit) =>
  durable(async (event, ctx) => ctx.waitForCallback(name(event), submitter, config));
const byInput = (event) => event;

// recovering returns the operation's result, or fallback when it fails.
const recovering = (config, fallback) => durable(async (name, ctx) => {
  try {
    return await ctx.waitForCallback(name, submit, config);
  } catch {
    return fallback;
  }
});

const handlers = {
  "7-1": wfc(byInput),
  "7-2": wfc(() => "approval"),
  "7-3": durable(async (_e, ctx) => ctx.waitForCallback(submit)),
  "7-4": wfc(byInput),
  "7-5": wfc(byInput, { timeout: { seconds: 3 } }),
  "7-6": recovering(undefined, "recovered"),
  "7-7": wfc(byInput, { retryStrategy: retryEvery(1, 2) }, async () => {
    throw new Error("submitter failed");
  }),
  "7-8": durable(async (name, ctx) => ctx.runInChildContext("wrapper", async (child) => child.waitForCallback(name, submit))),
  "7-10": durable(async (name, ctx) => {
    await ctx.wait({ seconds: 1 });
    await ctx.step(async () => "fixed data");
    return ctx.waitForCallback(name, submit);
  }),
  // 7-11: the payload read as a JSON object rather than a raw string.
  "7-11": durable(async (name, ctx) => {
    const v = await ctx.waitForCallback(name, submit, { serdes: { deserialize: async (s) => (s === undefined ? undefined : JSON.parse(s)) } });
    return v.status;
  }),
  "7-12": wfc(byInput, { heartbeatTimeout: { seconds: 5 } }),
  "7-13": wfc(byInput, { heartbeatTimeout: { seconds: 10 } }),
  "7-14": recovering({ timeout: { seconds: 3 } }, "timed-out-handled"),
  "7-15": wfc(byInput),
};

module.exports = { handlers };
