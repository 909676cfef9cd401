// Handlers of the official map requirements (suite "map"), by id. Unless a
// requirement says otherwise the items run with max-concurrency 1, in index
// order, so the history is deterministic.
"use strict";

const { durable } = require("../lib/durable.js");
const b = require("../lib/batch.js");

const seq = { maxConcurrency: 1 };

// mapHandler runs one map over items (the event when items is null) and
// returns finish(batch); a null name uses the form without a name.
function mapHandler(name, items, fn, config, finish = (batch) => batch.getResults()) {
  return durable(async (event, ctx) => {
    const list = items === null ? event : items;
    const batch = name === null ? await ctx.map(list, fn, config) : await ctx.map(name, list, fn, config);
    return finish(batch);
  });
}

const failing = async (_c, item) => {
  throw new Error(`item ${item} failed`);
};
const failsAt = (bad) => async (_c, item, i) => {
  if (bad.includes(i)) throw new Error(`item ${i} failed`);
  return item;
};
const upper = async (_c, item) => item.toUpperCase();

// opSerdes is an operation-level serializer of the whole map result:
// "OPSERDE:" and the comma-joined results, read back into a BatchResult.
const opSerdes = {
  serialize: async (batch) => (batch === undefined ? undefined : `OPSERDE:${batch.getResults().join(",")}`),
  deserialize: async (s) => {
    if (s === undefined) return undefined;
    const results = s.slice("OPSERDE:".length).split(",").filter((x) => x !== "");
    return { all: results.map((result, index) => ({ index, status: "SUCCEEDED", result })), completionReason: "ALL_COMPLETED" };
  },
};

const handlers = {
  "9-1": mapHandler("map", null, async (c, item) => c.step(async () => `Hello, ${item}!`), seq),
  "9-2": mapHandler(null, null, async (_c, item) => item * 2, seq),
  "9-3": mapHandler("indexed", null, async (_c, item, i) => item + i, seq),
  "9-4": mapHandler("empty", null, async (_c, item) => item),
  "9-6": mapHandler("throwing", ["i0", "i1"], failing, { ...seq, completionConfig: { toleratedFailureCount: 0 } },
    (batch) => { batch.throwIfError(); return batch.getResults(); }),
  "9-7": mapHandler("min-successful", ["i0", "i1", "i2", "i3"], async (_c, item) => item,
    { ...seq, completionConfig: { minSuccessful: 2 } }, (batch) => b.projection(batch, b.minSuccessful)),
  "9-8": mapHandler("tolerated", ["i0", "i1", "i2"], failsAt([1]),
    { ...seq, completionConfig: { toleratedFailureCount: 1 } }, (batch) => b.projection(batch, b.full)),
  "9-9": mapHandler("tolerated-exceeded", ["i0", "i1", "i2"], failing,
    { ...seq, completionConfig: { toleratedFailureCount: 1 } }, (batch) => b.projection(batch, b.counts)),
  "9-10": mapHandler("tolerated-pct", ["i0", "i1", "i2", "i3"], failing,
    { ...seq, completionConfig: { toleratedFailurePercentage: 25 } }, (batch) => b.projection(batch, b.counts)),
  "9-11": mapHandler("concurrent", ["i0", "i1", "i2"], async (_c, _item, i) => `r${i}`, { maxConcurrency: 2 }),
  "9-13": mapHandler("named-items", null, async (_c, item) => item * 10, { ...seq, itemNamer: (item) => `item-${item}` }),
  "9-14": mapHandler("serdes", ["x", "y"], upper, {
    ...seq,
    itemSerdes: {
      serialize: async (v) => (v === undefined ? undefined : `wrapped:${v}`),
      deserialize: async (s) => (s === undefined ? undefined : s.slice("wrapped:".length)),
    },
  }),
  "9-15": mapHandler("suspend", ["r0", "r1"], async (c, item, i) => {
    if (i === 1) await c.wait({ seconds: 1 });
    return c.step(async () => item);
  }, seq),
  // 9-16: four results of about 70 KB each, past the 256 KB checkpoint limit together.
  "9-16": mapHandler("large", [0, 1, 2, 3], async (_c, i) => String(i).repeat(70 * 1024), seq,
    (batch) => ({ successCount: batch.successCount, totalCount: batch.totalCount })),
  "9-17": durable(async (_e, ctx) => {
    const batch = await ctx.map("then-wait", ["a", "b"], upper, seq);
    await ctx.wait({ seconds: 1 });
    return batch.getResults();
  }),
  "9-19": mapHandler("op-serde", ["x", "y"], upper, { ...seq, serdes: opSerdes }),
  "9-20": durable(async (_e, ctx) => {
    const batch = await ctx.map("op-serde-replay", ["x", "y"], upper, { ...seq, serdes: opSerdes });
    await ctx.wait({ seconds: 1 });
    return batch.getResults();
  }),
};

module.exports = { handlers };
