// Package interop holds the proof that dpcheck checks functions written with
// other SDKs: js/ is the calculator and the handlers of the official
// parallel requirements written with the official JavaScript SDK, served
// by `dpcheck serve` through a Node Lambda Runtime API loop. `make interop`
// (scripts/interop.sh) installs js/ with npm ci, serves it, runs the
// requirements with `dpcheck conform --endpoint`, the e2e specs against the
// JS calculator, and this package's fault sweeps, which list every known
// divergence of the SDK with its reason. TestCombinatorHistoriesMatchJS
// runs the SDK's promise combinators (js/functions/combinator-*.js) and
// their Go twins written with durable's futures under one emulator and
// compares the histories event by event.
package interop
