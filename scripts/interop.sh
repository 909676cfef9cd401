#!/usr/bin/env bash
# interop: dpcheck as the checker of functions written with another SDK.
# Serves interop/js (the calculator and a handler for every requirement of
# the ten official suites, written with the official JavaScript SDK and run
# by a Node Lambda Runtime API loop) and the real Go bootstrap with
# `dpcheck serve` on a free loopback port, then runs:
#   1. dpcheck conform --endpoint over every requirement, in shards (no Go handler:
#      each runs the served function SUITE--ID; ExpectedLogs are checked
#      against the lines the Node process printed), judged by
#      TestJSConformance: each must pass, or fail and be listed in
#      interop/js/known-sdk-limits.txt with the SDK code behind it;
#   2. the e2e-labelled Ginkgo specs against the JS calculator;
#   3. the fault sweeps of the JS calculator (go test ./interop, which lists
#      the SDK's known divergences with their reasons);
#   4. dpcheck sweep of the Go bootstrap, which must not diverge;
#   5. the promise-combinator handlers (functions/combinator-*.js) against
#      their Go twins, history by history (go test ./interop).
# CONFORM_SHARDS (default 4): servers, each running conform --shard K/N.
# Needs Go, Node 20 and npm; `make interop` runs `npm ci` first.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
for tool in node npm; do
	if ! command -v "$tool" >/dev/null; then
		echo "interop: $tool is missing: make interop needs Node 20 and npm" >&2
		exit 1
	fi
done
if [[ ! -d interop/js/node_modules/@aws/durable-execution-sdk-js ]]; then
	echo "interop: interop/js/node_modules is missing: run make interop (it runs npm ci first)" >&2
	exit 1
fi

name=interop
# shellcheck source=scripts/serve-lib.sh
source scripts/serve-lib.sh

echo "interop: building dpcheck and the Go bootstrap"
"$GO" build -o "$work/dpcheck" ./harness/cmd/dpcheck
CGO_ENABLED=0 "$GO" build -tags lambda.norpc -trimpath -o "$work/bootstrap" ./function/cmd/bootstrap

js=$PWD/interop/js/bootstrap
# The official requirement files, copied into the repository: nine suites
# beside the Go handlers' tests, the plugin suite beside conform's own.
requirements=()
for suite in step wait child parallel map callback wait_for_callback wait_for_condition invoke; do
	requirements+=("harness/conformance/suites/testdata/$suite")
done
requirements+=(harness/conformance/testdata/official/plugin)
functions=(--function "gocalc=$work/bootstrap")
# Every function in interop/js/functions (the calculator, the invoke targets,
# the combinators) and one per requirement, SUITE--ID, all run by the Node
# bootstrap: an executable takes the name from dpcheck's in-process Go
# handler of the same name, so no requirement runs Go code by mistake.
for f in interop/js/functions/*.js; do
	functions+=(--function "$(basename "$f" .js)=$js")
done
for dir in "${requirements[@]}"; do
	for f in "$dir"/*.yaml; do
		functions+=(--function "$(basename "$dir")--$(basename "$f" .yaml)=$js")
	done
done

# One server per conform shard: each emulator has a virtual clock of its
# own, which moves only when every execution on it waits, so requirements
# run one at a time per server and their timers never wait on another
# shard's work.
shards=${CONFORM_SHARDS:-4}
urls=()
for ((k = 1; k <= shards; k++)); do
	serve_tag=
	if ((k > 1)); then serve_tag=-$k; fi
	start_serve "$work/dpcheck" "${functions[@]}"
	urls+=("$url")
done
url=${urls[0]}
echo "interop: $shards dpcheck serve on ${urls[*]}, $((${#functions[@]} / 2)) functions each (the JavaScript ones and gocalc, the Go bootstrap)"

# Keep the local machine's AWS settings away from the emulator run.
export AWS_ACCESS_KEY_ID=dpcheck AWS_SECRET_ACCESS_KEY=dpcheck AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_LAMBDA DPCHECK_FUNCTIONS DPCHECK_QUALIFIER

status=0
echo "interop: official requirements against the JavaScript handlers, $shards shards"
started=$SECONDS
conform_pids=()
for ((k = 1; k <= shards; k++)); do
	"$work/dpcheck" conform --endpoint "${urls[k - 1]}" --shard "$k/$shards" "${requirements[@]}" >"$work/conform-$k.out" 2>&1 &
	conform_pids+=($!)
done
for ((k = 1; k <= shards; k++)); do
	conform_status=0
	wait "${conform_pids[k - 1]}" || conform_status=$?
	cat "$work/conform-$k.out"
	# 1: a requirement failed; the judge below tells the SDK's listed
	# limits from the rest. Anything else is a usage or input error.
	if ((conform_status > 1)); then status=1; fi
done >"$work/conform.out"
cat "$work/conform.out"
echo "interop: conform took $((SECONDS - started)) s ($shards shards)"
(IFS=:; DPCHECK_INTEROP_CONFORM_REPORT=$work/conform.out DPCHECK_INTEROP_REQUIREMENTS="${requirements[*]}" \
	"$GO" test -count=1 -v -run 'TestJSConformance$' ./interop) || status=1

echo "interop: e2e specs against the JavaScript calculator"
DPCHECK_TARGET=endpoint DPCHECK_ENDPOINT=$url "$GO" tool ginkgo -r --no-color --label-filter=e2e --skip-package=props ./specs || status=1

echo "interop: fault sweeps of the JavaScript calculator"
DPCHECK_INTEROP_ENDPOINT=$url "$GO" test -count=1 -v -run TestSweepJSCalculator ./interop || status=1

echo "interop: fault sweeps of the Go bootstrap"
for input in '{"num1":10,"num2":5}' '{"num1":10,"num2":0}'; do
	"$work/dpcheck" sweep --endpoint "$url" gocalc "$input" || status=1
done

# --- promise combinators (issue 22): the JS combinator-*.js handlers and
# their Go twins under an emulator the test starts itself; the histories
# must match event by event.
echo "interop: promise combinators against their Go twins"
"$GO" test -count=1 -v -run TestCombinatorHistoriesMatchJS ./interop || status=1
# --- end promise combinators

if ((status != 0)); then
	echo "interop: FAILED (server log follows)" >&2
	tail -n 50 "$work/serve.err" >&2 || true
	exit 1
fi
echo "interop: passed"
