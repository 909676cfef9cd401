// run.mjs: the baseline for calculator-inprocess (README, Performance).
// It runs the JavaScript calculator (interop/js/functions/calculator.js,
// the Go calculator's contract written with the official JavaScript SDK)
// through the official LocalDurableTestRunner, executions one after the
// other with num2 alternating 0 and 5, as BenchmarkCalculatorInprocess does
// with the Go calculator, and prints
//
//   BENCH calculator-js-local-runner <exec/s> exec/s
//   BENCH calculator-js-local-runner-cpu <ms> ms/exec
//
// Usage (npm ci first): npm run bench [-- EXECUTIONS]   (default 200)
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { LocalDurableTestRunner } from "@aws/durable-execution-sdk-js-testing";

const calculator = fileURLToPath(new URL("../../interop/js/functions/calculator.js", import.meta.url));
const n = Number(process.argv[2] ?? 200);
if (!Number.isInteger(n) || n < 1) {
  console.error(`run.mjs: EXECUTIONS must be a positive integer, got ${process.argv[2]}`);
  process.exit(2);
}
const { handler } = createRequire(import.meta.url)(calculator);
const inputs = [{ num1: 10, num2: 0 }, { num1: 10, num2: 5 }];
// The answers the Go benchmark checks too: both executions succeed.
const want = [
  '{"error_details":"One or more operations failed","successCount":3,"failureCount":1',
  '{"Add":15,"Subtract":5,"Multiply":50,"Division":2}',
];

await LocalDurableTestRunner.setupTestEnvironment({ skipTime: true });
const runner = new LocalDurableTestRunner({ handlerFunction: handler });
const run = async (i) => {
  const ex = await runner.run({ payload: inputs[i % 2] });
  const result = JSON.stringify(ex.getResult());
  if (ex.getStatus() !== "SUCCEEDED" || !result.startsWith(want[i % 2])) {
    throw new Error(`execution ${i}: status ${ex.getStatus()}, result ${result}`);
  }
};
for (let i = 0; i < 4; i++) await run(i); // warm-up, not timed
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) await run(i);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0); // every thread of this process, microseconds
await LocalDurableTestRunner.teardownTestEnvironment();
console.log(`BENCH calculator-js-local-runner ${(n / seconds).toFixed(2)} exec/s`);
console.log(`BENCH calculator-js-local-runner-cpu ${((cpu.user + cpu.system) / 1000 / n).toFixed(2)} ms/exec`);
