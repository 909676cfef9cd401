# Sourced by scripts that run checks against `dpcheck serve`: a work folder
# removed on exit, the server stopped on exit, and start_serve, which
# starts the server on a free loopback port and sets url once it listens.
# The caller sets name (for messages) before sourcing.

work=$(mktemp -d)
server_pid=
cleanup() {
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# start_serve DPCHECK [SERVE ARGS...]: runs DPCHECK serve --addr 127.0.0.1:0
# with the arguments, its output in $work/serve.out and $work/serve.err.
start_serve() {
	local dpcheck=$1
	shift
	"$dpcheck" serve --addr 127.0.0.1:0 "$@" >"$work/serve.out" 2>"$work/serve.err" &
	server_pid=$!
	url=
	for _ in $(seq 1 100); do
		url=$(sed -n 's/^dpcheck serve: listening on //p' "$work/serve.out")
		[[ -n $url ]] && return 0
		if ! kill -0 "$server_pid" 2>/dev/null; then
			echo "$name: dpcheck serve exited:" >&2
			cat "$work/serve.err" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "$name: dpcheck serve did not report its address within 10 s" >&2
	exit 1
}
