"use strict";
// js-fail: the failing target of the invoke requirements' chained invokes,
// a durable function that fails with TargetError.
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");
const { failure } = require("../lib/durable.js");

exports.handler = withDurableExecution(async () => {
  throw failure("TargetError", "target function failed");
});
