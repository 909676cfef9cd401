#!/usr/bin/env bash
# interop: dpcheck as the checker of functions written with another SDK.
# Serves interop/js (the calculator, the handlers of the official parallel
# requirements and of step/1-7, written with the official JavaScript SDK and
# run by a Node Lambda Runtime API loop) and the real Go bootstrap with
# `dpcheck serve` on a free loopback port, then runs:
#   1. dpcheck conform --endpoint over those requirements (no Go handler:
#      each runs the served function SUITE--ID; step/1-7's ExpectedLogs are
#      checked against the lines the Node process printed);
#   2. the e2e-labelled Ginkgo specs against the JS calculator;
#   3. the fault sweeps of the JS calculator (go test ./interop, which lists
#      the SDK's known divergences with their reasons);
#   4. dpcheck sweep of the Go bootstrap, which must not diverge;
#   5. the promise-combinator handlers (functions/combinator-*.js) against
#      their Go twins, history by history (go test ./interop).
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
testdata=harness/conformance/suites/testdata
suites=(step wait child parallel map callback wait_for_callback wait_for_condition invoke)
requirements=()
functions=(--function "gocalc=$work/bootstrap")
# Every function in interop/js/functions (the calculator, the invoke
# targets) and one per requirement, SUITE--ID, all run by the Node
# bootstrap: an executable takes the name from dpcheck's in-process Go
# handler of the same name, so no requirement runs Go code by mistake.
for f in interop/js/functions/*.js; do
	functions+=(--function "$(basename "$f" .js)=$js")
done
for suite in "${suites[@]}"; do
	requirements+=("$testdata/$suite")
	for f in "$testdata/$suite"/*.yaml; do
		functions+=(--function "$suite--$(basename "$f" .yaml)=$js")
	done
done

start_serve "$work/dpcheck" "${functions[@]}"
echo "interop: dpcheck serve on $url, $((${#functions[@]} / 2)) functions (the JavaScript ones and gocalc, the Go bootstrap)"

# Keep the local machine's AWS settings away from the emulator run.
export AWS_ACCESS_KEY_ID=dpcheck AWS_SECRET_ACCESS_KEY=dpcheck AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_LAMBDA DPCHECK_FUNCTIONS DPCHECK_QUALIFIER

status=0
echo "interop: official requirements against the JavaScript handlers"
"$work/dpcheck" conform --endpoint "$url" "${requirements[@]}" || status=1

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
