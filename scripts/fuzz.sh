#!/usr/bin/env bash
# fuzz: runs every Go fuzz target of the module (every func FuzzX in a
# _test.go file, found with `go test -list`) for FUZZTIME each, one after the
# other, and prints one line per target with its executions:
#
#   FUZZ <package> <target> <executions> execs in <FUZZTIME> (ok|FAILED)
#
# A failing input is written by go test to the package's
# testdata/fuzz/<target>/, where plain `go test` (and so `make test`)
# replays it from then on. Every target runs even after a failure; the
# script exits 1 if any failed.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
# Go minimizes every new interesting input for up to 60 s by default, which
# would eat a 30 s budget whole; a shorter bound keeps the time for fuzzing
# (a failing input is still written, only less minimized).
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-5s}

# `go test -list` prints a package's matching names, then "ok <package> <time>".
targets=$("$GO" test -list '^Fuzz' ./... | awk '/^Fuzz/ { names[++n] = $1 } /^ok/ { for (i = 1; i <= n; i++) print $2, names[i]; n = 0 }')
if [[ -z $targets ]]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi

summary=()
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while read -r pkg name; do
	echo "$GO test -run '^\$' -fuzz '^$name\$' -fuzztime $FUZZTIME -fuzzminimizetime $FUZZMINIMIZETIME $pkg"
	status=ok
	if ! "$GO" test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$pkg" 2>&1 | tee "$log"; then
		status=FAILED
		failed=1
	fi
	# The last progress line holds the total: "fuzz: elapsed: 30s, execs: 12345 (411/sec), ...".
	execs=$(sed -n 's/.*fuzz: elapsed: [^,]*, execs: \([0-9]*\) .*/\1/p' "$log" | tail -n 1)
	summary+=("FUZZ $pkg $name ${execs:-?} execs in $FUZZTIME ($status)")
done <<<"$targets"

printf '%s\n' "${summary[@]}"
exit "$failed"
