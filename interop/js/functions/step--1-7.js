"use strict";
// step/1-7: the step logs through its step-context logger at start and end;
// the emulator captures the process's output lines for ExpectedLogs.
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");

exports.handler = withDurableExecution(async (name, context) =>
  context.step("greet", async (stepContext) => {
    stepContext.logger.info(`Greeting step started for: ${name}`);
    const greeting = `Hello, ${name}!`;
    stepContext.logger.info(`Greeting step completed with: ${greeting}`);
    return greeting;
  }));
