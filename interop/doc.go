// Package interop holds the proof that dpcheck checks functions written with
// other SDKs. js/ holds the calculator and a handler for every requirement of
// the ten official conformance suites, written with the official JavaScript
// SDK and served by `dpcheck serve` through a Node Lambda Runtime API loop
// (js/conformance/SUITE.js serves the function SUITE--ID).
//
// `make interop` (scripts/interop.sh) installs js/ with npm ci, serves it and
// runs every requirement with `dpcheck conform --endpoint`; [Judge] then
// holds the run to one rule: each requirement passes, or fails and is one of
// the SDK's known limits, listed with the SDK code behind it in
// js/known-sdk-limits.txt ([ReadLimits]). A skip, a missing verdict or a
// listed requirement that passes fails the build too. The script also runs
// the e2e specs against the JS calculator and this package's fault sweeps,
// which list every known divergence of the SDK with its reason.
// TestCombinatorHistoriesMatchJS runs the SDK's promise combinators
// (js/functions/combinator-*.js) and their Go twins written with durable's
// futures under one emulator and compares the histories event by event.
package interop
