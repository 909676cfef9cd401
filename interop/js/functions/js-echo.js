"use strict";
// js-echo: the target of the invoke requirements' chained invokes, a
// durable function that returns its input unchanged (null when it has none).
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");

exports.handler = withDurableExecution(async (input) => (input === undefined ? null : input));
