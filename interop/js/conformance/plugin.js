// Handlers of the official plugin requirements (suite "plugin"), by id:
// each registers instrumentation plugins through the SDK's plugin API
// (withDurableExecution's config.plugins) whose hooks log the JSON records
// the requirement's handler prose names.
"use strict";

const { noRetry, retryEvery } = require("../lib/durable.js");
const { plugin, of, withPlugins, operationDump, invocationDump, TERMINAL } = require("../lib/plugin.js");

const CONF = "CONFPLUGIN";

const greet = (name) => `Hello, ${name}!`;

// greeting is the single-step handler most requirements use; the step logs
// its running line through the step context's logger.
const greeting = async (name, ctx) => ctx.step(async (step) => {
  step.logger.info(`Greeting step running for: ${name}`);
  return greet(name);
});

// failUntil2 throws on the first attempt and returns result on the next.
const failUntil2 = (result) => async (step) => {
  if (step.attempt < 2) throw new Error(`attempt ${step.attempt} failed`);
  return result;
};
const alwaysFails = async () => {
  throw new Error("boom");
};

// invocationHooks logs invocation-start {first} and invocation-end {status}.
const invocationHooks = (name) => plugin(name, {
  onInvocationStart: (emit, info) => emit("invocation-start", { first: info.isFirstInvocation }),
  onInvocationEnd: (emit, info) => emit("invocation-end", { status: info.status }),
});

// attemptHooks logs step attempts: attempt-start {n, op} and attempt-end
// {n, outcome, op}; with ends, operation-end {op, status} too.
const attemptHooks = (ends) => plugin(CONF, {
  onOperationAttemptStart: of("STEP", (emit, info) => emit("attempt-start", { n: info.attempt, op: info.id })),
  onOperationAttemptEnd: of("STEP", (emit, info) => emit("attempt-end", { n: info.attempt, outcome: info.outcome, op: info.id })),
  ...(ends ? { onOperationEnd: of("STEP", (emit, info) => emit("operation-end", { op: info.id, status: info.status })) } : {}),
});

// faulty logs a line from every hook, then throws.
const faulty = () => {
  const hook = (name) => (emit) => {
    emit(name);
    throw new Error(`faulty plugin: ${name}`);
  };
  return plugin("CONFPLUGIN-FAULTY", {
    onInvocationStart: hook("invocation-start"),
    onInvocationEnd: hook("invocation-end"),
    onOperationStart: of("STEP", hook("operation-start")),
    onOperationEnd: of("STEP", hook("operation-end")),
    onOperationAttemptStart: of("STEP", hook("attempt-start")),
    onOperationAttemptEnd: of("STEP", hook("attempt-end")),
  });
};

// firstOfInvocation logs the first-invocation flag on both invocation hooks,
// the end's taken from the start of the same invocation (one process runs
// both), and whether the end's status is terminal.
const firstOfInvocation = () => {
  let first;
  return plugin(CONF, {
    onInvocationStart: (emit, info) => {
      first = info.isFirstInvocation;
      emit("invocation-start", { first });
    },
    onInvocationEnd: (emit, info) => emit("invocation-end", { first, terminal: TERMINAL.has(info.status), status: info.status }),
  });
};

// pending says whether an operation is still non-terminal, from the info's
// own status.
const pending = (info) => !TERMINAL.has(info.status) && info.endTimestamp === undefined;

const handlers = {
  "10-1": withPlugins(greeting, invocationHooks(CONF)),
  "10-2": withPlugins(async (name, ctx) => ctx.step(async () => greet(name)), plugin(CONF, {
    onOperationStart: of("STEP", (emit, info) => emit("operation-start", { op: info.id })),
    onOperationEnd: of("STEP", (emit, info) => emit("operation-end", { op: info.id, status: info.status })),
  })),
  "10-3": withPlugins(async (_e, ctx) => ctx.step(failUntil2("Operation succeeded"), { retryStrategy: retryEvery(1, 3) }),
    attemptHooks(false)),
  "10-4": withPlugins(async (name, ctx) => ctx.step(async () => greet(name)), faulty()),
  "10-5": withPlugins(async (name, ctx) => ctx.step(async () => greet(name)),
    invocationHooks("CONFPLUGIN-A"), invocationHooks("CONFPLUGIN-B")),
  "10-7": withPlugins(async (_e, ctx) => ctx.step(alwaysFails, { retryStrategy: noRetry }), invocationHooks(CONF)),
  "10-8": withPlugins(async (name, ctx) => ctx.step(async () => greet(name)), plugin(CONF, {
    onOperationChange: (emit, info) => {
      for (const [id, op] of Object.entries(info.updatedOperations)) {
        if (op.type === "STEP") emit("operation-change", { op: op.id, status: op.status, in_full_map: id in info.operations });
      }
    },
  })),
  "10-10": withPlugins(async (_e, ctx) => { await ctx.wait({ seconds: 2 }); }, plugin(CONF, {
    onOperationStart: of("WAIT", (emit, info) => emit("operation-start", { op: info.id, type: info.type.toUpperCase() })),
    onOperationEnd: of("WAIT", (emit, info) => emit("operation-end", { op: info.id, type: info.type.toUpperCase(), status: info.status })),
  })),
  "10-11": withPlugins(async (name, ctx) => ctx.runInChildContext(async (child) => child.step(async () => greet(name))), plugin(CONF, {
    onOperationEnd: (emit, info) => emit("operation-end", { op: info.id, parent: info.parentId ?? "NONE", status: info.status }),
  })),
  "10-13": withPlugins(async (_e, ctx) => {
    await ctx.step(async () => "task-a");
    return ctx.step(failUntil2("Operation succeeded"), { retryStrategy: retryEvery(1, 3) });
  }, plugin(CONF, {
    onOperationStart: of("STEP", (emit, info) => emit("operation-start", { op: info.id, replay: info.isReplay })),
    onOperationEnd: of("STEP", (emit, info) => emit("operation-end", { op: info.id, status: info.status })),
  })),
  "10-14": withPlugins(async (_e, ctx) => {
    await ctx.step(async () => "task-a");
    return ctx.step(alwaysFails, { retryStrategy: noRetry });
  }, plugin(CONF, {
    onOperationEnd: of("STEP", (emit, info) => emit("operation-end", {
      op: info.id, status: info.status, result: info.result ?? "NONE", error: info.error ? info.error.message : "NONE",
    })),
  })),
  "10-15": withPlugins(async (_e, ctx) => ctx.step(alwaysFails, { retryStrategy: retryEvery(1, 2) }), attemptHooks(true)),
  "10-16": withPlugins(async (_e, ctx) => { await ctx.wait({ seconds: 2 }); }, firstOfInvocation()),
  "10-18": withPlugins(async (_e, ctx) => {
    const batch = await ctx.parallel("waits", [
      async (b) => { await b.wait("short", { seconds: 2 }); return "short-done"; },
      async (b) => { await b.wait("long", { seconds: 8 }); return "long-done"; },
    ], { maxConcurrency: 2 });
    return batch.getResults();
  }, plugin(CONF, {
    onOperationStart: of("WAIT", (emit, info) => emit("operation-start", {
      type: info.type.toUpperCase(), name: info.name, replay: info.isReplay, pending: pending(info),
    })),
    onOperationEnd: of("WAIT", (emit, info) => emit("operation-end", { type: info.type.toUpperCase(), name: info.name, status: info.status })),
  })),
  // 10-19: canonical dumps of the invocation hooks' own infos.
  "10-19": withPlugins(async (input, ctx) => {
    await ctx.wait({ seconds: 2 });
    return `done-${input}`;
  }, plugin(CONF, {
    onInvocationStart: (emit, info) => emit("invocation-start", invocationDump(info)),
    onInvocationEnd: (emit, info) => emit("invocation-end", invocationDump(info)),
  })),
  // 10-21: canonical dumps of the step attempt hooks' own infos.
  "10-21": withPlugins(async (_e, ctx) => ctx.step("flaky", failUntil2("ok"), { retryStrategy: retryEvery(1, 3) }), plugin(CONF, {
    onOperationAttemptStart: of("STEP", (emit, info) => emit("attempt-start", operationDump(info))),
    onOperationAttemptEnd: of("STEP", (emit, info) => emit("attempt-end", operationDump(info))),
  })),
  // 10-22: canonical dumps of the operation-change hook's delta items.
  "10-22": withPlugins(async (_e, ctx) => ctx.step("greet", async () => "task-a"), plugin(CONF, {
    onOperationChange: (emit, info) => {
      for (const [id, op] of Object.entries(info.updatedOperations)) {
        if (op.type !== "STEP") continue;
        emit("operation-change", {
          executionArn: info.executionArn,
          updatedOperationsCount: Object.keys(info.updatedOperations).length,
          operationsCount: Object.keys(info.operations).length,
          inFullMap: id in info.operations,
          ...operationDump(op),
        });
      }
    },
  })),
  // 10-23: canonical dumps of the CONTEXT operations' start hook and of the
  // info the SDK hands wrapChildContextFn, the user-function start of a
  // context.
  "10-23": withPlugins(async (_e, ctx) => {
    const batch = await ctx.parallel("ctx", [
      { name: "branch-a", func: async (b) => { await b.step("inner", async () => "x"); await b.wait({ seconds: 2 }); return "a-done"; } },
      { name: "branch-b", func: async () => "b-done" },
    ], { maxConcurrency: 1 });
    return batch.getResults();
  }, plugin(CONF, {
    onOperationStart: of("CONTEXT", (emit, info) => emit("operation-start", operationDump(info))),
    wrapChildContextFn: (emit, info, fn) => {
      if (info.type === "CONTEXT") emit("fn-start", operationDump(info));
      return fn();
    },
  })),
};

module.exports = { handlers };
