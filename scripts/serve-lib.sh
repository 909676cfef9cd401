# Sourced by scripts that run checks against `dpcheck serve`: a work folder
# removed on exit, the servers stopped on exit, and start_serve, which
# starts a server on a free loopback port and sets url once it listens.
# The caller sets name (for messages) before sourcing.

work=$(mktemp -d)
server_pids=()
cleanup() {
	local pid
	for pid in "${server_pids[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	rm -rf "$work"
}
trap cleanup EXIT

# start_serve DPCHECK [SERVE ARGS...]: runs DPCHECK serve --addr 127.0.0.1:0
# with the arguments, its output in $work/serve$serve_tag.out and
# $work/serve$serve_tag.err (serve_tag, empty unless set, tells several
# servers' files apart).
start_serve() {
	local dpcheck=$1 out=$work/serve${serve_tag:-}.out err=$work/serve${serve_tag:-}.err pid
	shift
	"$dpcheck" serve --addr 127.0.0.1:0 "$@" >"$out" 2>"$err" &
	pid=$!
	server_pids+=("$pid")
	url=
	for _ in $(seq 1 100); do
		url=$(sed -n 's/^dpcheck serve: listening on //p' "$out")
		[[ -n $url ]] && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$name: dpcheck serve exited:" >&2
			cat "$err" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "$name: dpcheck serve did not report its address within 10 s" >&2
	exit 1
}
