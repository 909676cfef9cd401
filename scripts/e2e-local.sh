#!/usr/bin/env bash
# e2e-local: the deployed-stack checks without AWS. Builds the real calculator
# bootstrap, serves it with `dpcheck serve` on a free loopback port, runs the
# e2e checks through the cloud runner against it (DPCHECK_TARGET=endpoint),
# then stops the server. Needs only Go; no credentials, no network.
#
# Runs, in order: the cloud runner's e2e check (go test ./harness/cloud -run
# E2E), the e2e-labelled Ginkgo specs, the fixtures and the callback and
# invoke conformance requirements through `dpcheck conform --endpoint`. A
# stage whose code is not in the tree yet is reported and makes the run fail:
# nothing passes silently.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
name=e2e-local
# shellcheck source=scripts/serve-lib.sh
source scripts/serve-lib.sh

echo "e2e-local: building bootstrap and dpcheck"
CGO_ENABLED=0 "$GO" build -tags lambda.norpc -trimpath -o "$work/bootstrap" ./function/cmd/bootstrap
"$GO" build -o "$work/dpcheck" ./harness/cmd/dpcheck

start_serve "$work/dpcheck" --function "calculator=$work/bootstrap"
echo "e2e-local: dpcheck serve on $url, calculator = the real bootstrap"

export DPCHECK_TARGET=endpoint DPCHECK_ENDPOINT=$url DPCHECK_QUALIFIER=live
# The calculator fixtures run on the bootstrap; the other fixtures on the
# in-process handlers `dpcheck serve` registers as SUITE--ID.
export DPCHECK_FUNCTIONS=${DPCHECK_FUNCTIONS:-calculator/*=calculator}
# Keep the local machine's AWS settings away from the emulator run.
export AWS_ACCESS_KEY_ID=dpcheck AWS_SECRET_ACCESS_KEY=dpcheck AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_LAMBDA

missing=()
status=0

echo "e2e-local: cloud runner e2e check"
"$GO" test -count=1 -run E2E -v ./harness/cloud || status=1

if [[ -d specs ]]; then
	echo "e2e-local: e2e specs"
	"$GO" tool ginkgo -r --label-filter=e2e --skip-package=props ./specs || status=1
else
	missing+=("the e2e Ginkgo specs (specs/)")
fi

if [[ -d fixtures ]] && "$work/dpcheck" conform -h 2>&1 | grep -q -- '--endpoint'; then
	echo "e2e-local: fixtures through the emulator"
	"$work/dpcheck" conform --endpoint "$url" --allow-skip scripts/e2e-local.allow-skip fixtures/ || status=1
else
	missing+=("the fixtures through dpcheck conform --endpoint (fixtures/ or the --endpoint flag)")
fi

# The official callback, wait_for_callback, wait_for_condition and invoke
# requirements (the repository's copies) through the emulator: callbacks
# answered over the API after real delays, chained invokes between served
# functions. About a minute: the callbacks' delays and timeouts are real time.
suites=harness/conformance/suites/testdata
if [[ -d $suites/callback ]]; then
	echo "e2e-local: callback and invoke requirements through the emulator"
	"$work/dpcheck" conform --endpoint "$url" "$suites/callback" "$suites/wait_for_callback" \
		"$suites/wait_for_condition" "$suites/invoke" || status=1
else
	missing+=("the callback and invoke requirements ($suites/callback)")
fi

if ((status != 0)); then
	echo "e2e-local: FAILED (server log follows)" >&2
	tail -n 50 "$work/serve.err" >&2 || true
	exit 1
fi
if ((${#missing[@]} > 0)); then
	printf 'e2e-local: not available yet: %s\n' "${missing[@]}" >&2
	exit 1
fi
echo "e2e-local: passed"
