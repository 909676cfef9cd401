#!/usr/bin/env node
// A Lambda Runtime API client for Node, the loop the managed nodejs runtime
// runs: it loads the handler module of the function it serves, then asks
// the Runtime API for invocations one at a time, calls the handler with the
// event and a Lambda context object, and posts the result or the error.
// The emulator (dpcheck serve) starts it through ./bootstrap with
// AWS_LAMBDA_RUNTIME_API set, as the Lambda service starts a custom runtime.
//
// The handler is the `handler` export of functions/<AWS_LAMBDA_FUNCTION_NAME>.js,
// or, for a function named SUITE--ID (an official requirement), the entry ID
// of the `handlers` export of conformance/SUITE.js, so one bootstrap serves
// every function of this folder.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME || "";
// keepAlive: the loop talks to one endpoint for the life of the process.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const [host, port] = api.split(":");
    const req = http.request(
      { host, port, method, path: "/2018-06-01/runtime" + route, agent, headers: headers || {} },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function errorBody(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return JSON.stringify({
    errorType: e.name || "Error",
    errorMessage: e.message || "",
    stackTrace: String(e.stack || "").split("\n"),
  });
}

async function post(route, body, errorType) {
  const headers = { "Content-Type": "application/json" };
  if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
  const res = await call("POST", route, body, headers);
  if (res.status !== 202) {
    throw new Error(`runtime: POST ${route} answered ${res.status}: ${res.body}`);
  }
}

function lambdaContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  return {
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    functionName,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function loop(handler) {
  for (;;) {
    const next = await call("GET", "/invocation/next");
    if (next.status !== 200) {
      throw new Error(`runtime: GET /invocation/next answered ${next.status}: ${next.body}`);
    }
    const id = next.headers["lambda-runtime-aws-request-id"];
    let result;
    try {
      const event = next.body === "" ? null : JSON.parse(next.body);
      result = await handler(event, lambdaContext(next.headers));
    } catch (err) {
      await post(`/invocation/${id}/error`, errorBody(err), (err && err.name) || "Error");
      continue;
    }
    await post(`/invocation/${id}/response`, JSON.stringify(result === undefined ? null : result));
  }
}

// loadHandler finds the handler of the function named name (see the top).
function loadHandler(name) {
  const own = path.join(__dirname, "functions", `${name}.js`);
  if (fs.existsSync(own)) {
    const handler = require(own).handler;
    if (typeof handler !== "function") {
      throw new TypeError(`functions/${name}.js exports no handler function`);
    }
    return handler;
  }
  const m = /^([a-z_]+)--([0-9]+-[0-9]+)$/.exec(name);
  if (!m) {
    throw new Error(`runtime: no functions/${name}.js, and ${name} is not SUITE--ID`);
  }
  const [, suite, id] = m;
  const file = path.join(__dirname, "conformance", `${suite}.js`);
  if (!fs.existsSync(file)) {
    throw new Error(`runtime: no handlers for suite ${suite} (conformance/${suite}.js)`);
  }
  const handler = require(file).handlers[id];
  if (typeof handler !== "function") {
    throw new TypeError(`runtime: conformance/${suite}.js has no handler for ${suite}/${id}`);
  }
  return handler;
}

async function main() {
  if (!api) {
    throw new Error("runtime: AWS_LAMBDA_RUNTIME_API is not set; run this under a Lambda Runtime API");
  }
  let handler;
  try {
    handler = loadHandler(functionName);
  } catch (err) {
    await post("/init/error", errorBody(err), "Runtime.InitError");
    throw err;
  }
  await loop(handler);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
