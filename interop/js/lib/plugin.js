// Instrumentation plugins for the official plugin requirements: each hook
// writes one JSON record to plain stdout (console.log), as the
// requirements' handler prose asks, carrying the plugin's name, the hook's
// name and the execution ARN the invocation-start hook received.
"use strict";

const { withDurableExecution } = require("@aws/durable-execution-sdk-js");

const TERMINAL = new Set(["SUCCEEDED", "FAILED"]);

// iso writes a timestamp (a Date, or what the SDK passed on) as ISO-8601.
function iso(t) {
  if (t === undefined || t === null) return undefined;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}

// dropUnset removes the keys whose value is undefined: a canonical dump
// omits the fields the SDK's info does not carry.
function dropUnset(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

// operationDump is the canonical camelCase dump of an OperationInfo (and
// its attempt subtypes): every field it carries, none it lacks.
function operationDump(info) {
  return dropUnset({
    id: info.id,
    name: info.name,
    type: info.type,
    subType: info.subType,
    parentId: info.parentId,
    status: info.status,
    startTimestamp: iso(info.startTimestamp),
    endTimestamp: iso(info.endTimestamp),
    result: info.result,
    error: info.error ? info.error.message : undefined,
    attempt: info.attempt,
    isReplay: info.isReplay,
    isReplayingChildren: info.isReplayingChildren,
    outcome: info.outcome,
  });
}

// invocationDump is the canonical dump of an InvocationInfo or
// InvocationEndInfo: maps as counts, timestamps as ISO-8601, errors as
// their message, plus the derived terminal flag when there is a status.
function invocationDump(info) {
  return dropUnset({
    isFirstInvocation: info.isFirstInvocation,
    requestId: info.requestId,
    operationsCount: info.operations ? Object.keys(info.operations).length : undefined,
    updatedOperationsCount: info.updatedOperations ? Object.keys(info.updatedOperations).length : undefined,
    executionStartTimestamp: iso(info.executionStartTimestamp),
    status: info.status,
    terminal: info.status === undefined ? undefined : TERMINAL.has(info.status),
    executionError: info.executionError ? info.executionError.message : undefined,
  });
}

// recorder(name) returns emit(hook, fields), which logs one record, and
// arn(info), which keeps the execution ARN an invocation-start hook got.
function recorder(name) {
  let executionArn;
  return {
    arn(info) {
      executionArn = info.executionArn;
    },
    emit(hook, fields = {}) {
      console.log(JSON.stringify({ plugin: name, hook, ...fields, durableExecutionArn: executionArn }));
    },
  };
}

// plugin(name, hooks) builds a plugin from hooks, functions of (emit,
// info) keyed by the SDK's hook names; it keeps the ARN first.
function plugin(name, hooks) {
  const r = recorder(name);
  const p = {};
  for (const [hook, fn] of Object.entries(hooks)) {
    p[hook] = hook === "wrapChildContextFn"
      ? (info, fn2) => fn(r.emit, info, fn2)
      : async (info) => fn(r.emit, info);
  }
  const start = p.onInvocationStart;
  p.onInvocationStart = async (info) => {
    r.arn(info);
    if (start) await start(info);
  };
  return p;
}

// of(type, hook) runs a notification hook only for operations of one type
// (STEP, WAIT, CONTEXT, ...).
const of = (type, hook) => (emit, info) => (info.type === type ? hook(emit, info) : undefined);

// withPlugins is withDurableExecution with the plugins registered.
const withPlugins = (handler, ...plugins) => withDurableExecution(handler, { plugins });

module.exports = { plugin, of, withPlugins, operationDump, invocationDump, TERMINAL };
