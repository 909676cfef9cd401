// Helpers shared by the handlers of the official parallel and map
// requirements: projections of a BatchResult, the fields a requirement's
// result lists, in its order.
"use strict";

function projection(batch, fields) {
  const out = {};
  for (const f of fields) out[f] = batch[f];
  return out;
}

const full = ["completionReason", "status", "successCount", "failureCount", "totalCount"];
const counts = ["completionReason", "successCount", "failureCount", "totalCount"];
const minSuccessful = ["completionReason", "successCount", "totalCount"];

module.exports = { projection, full, counts, minSuccessful };
