# Shared by the bench scripts (sourced, not run): release binaries, a local soup-dev-server, writes.
# The binaries measured are the release ones users install (scripts/release.sh: static Swift runtime
# and libstdc++, no local rpath, stripped), so the figures are what a user's machine sees.

# rounds_options MIN_ROUNDS ARG...: parses --no-build, --rounds N (≥ MIN_ROUNDS, default 20) and
# --runs N (≥ 10, default 30) into build, rounds and runs; exits 64 with the usage otherwise.
rounds_options() {
    local min="$1"
    shift
    local usage="usage: $0 [--no-build] [--rounds N ≥ $min] [--runs N ≥ 10]"
    build=1
    rounds=20
    runs=30
    while [ $# -gt 0 ]; do
        case "$1" in
            --no-build) build=0 ;;
            --rounds) [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }; rounds="$2"; shift ;;
            --runs) [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }; runs="$2"; shift ;;
            *) echo "$usage" >&2; exit 64 ;;
        esac
        shift
    done
    [[ "$rounds" =~ ^[0-9]+$ && "$runs" =~ ^[0-9]+$ ]] && [ "$rounds" -ge "$min" ] && [ "$runs" -ge 10 ] ||
        { echo "$usage" >&2; exit 64; }
}

# install_missing COMMAND:PACKAGE...: installs (apt-get) the packages whose command is missing.
install_missing() {
    local need=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
    done
    [ ${#need[@]} -eq 0 ] && return 0
    echo "installing: ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

# bench_binaries BUILD: sets soup_run, soup_run_symbols and dev_server; builds them first when BUILD is 1.
bench_binaries() {
    local dist=.build/bench-dist
    if [ "$1" = 1 ]; then SOUP_RELEASE_SYMBOLS=1 scripts/release.sh "$dist" >/dev/null; fi
    soup_run="$PWD/$dist/soup-run"
    # The same build with its symbol table, for callgrind's --dump-before (the stripped one has none).
    soup_run_symbols="$PWD/$dist/soup-run.symbols"
    dev_server="$PWD/$dist/soup-dev-server"
    [ -x "$soup_run" ] && [ -x "$dev_server" ] || { echo "release binaries missing in $dist (run without --no-build)" >&2; exit 1; }
}

# bench_install PACKAGE...: installs the Debian packages given (the caller lists the missing ones).
bench_install() {
    [ $# -gt 0 ] || return 0
    echo "installing: $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "$@" >/dev/null
}

# bench_workspace: a temporary directory in $work; on exit soup-dev-server ($server_pid) is
# stopped and the directory removed.
bench_workspace() {
    work="$(mktemp -d)"
    server_pid=""
    trap 'stop_pids "$server_pid"; rm -rf "$work"' EXIT
}

# start_dev_server DIR: starts soup-dev-server with demo data in DIR; sets server_pid and api.
# Waits at most 10 s for its ready line. The caller's EXIT trap stops it by pid.
start_dev_server() {
    "$dev_server" --port 0 --data "$1/state.json" >"$1/server.out" 2>"$1/server.err" &
    server_pid=$!
    api=""
    for _ in $(seq 1 100); do
        # The background job may not have opened its output file yet.
        api="$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$1/server.out" 2>/dev/null || true)"
        [ -n "$api" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$1/server.err" >&2; exit 1; }
        sleep 0.1
    done
    echo "soup-dev-server did not become ready" >&2
    exit 1
}

# post_secret URL TOKEN KEY VALUE: sets a secret through the API, or exits.
post_secret() {
    local status
    status="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $2" \
        -H 'Content-Type: application/json' -d "{\"key\":\"$3\",\"value\":\"$4\"}" "$1")"
    [ "$status" = 201 ] || { echo "POST $3 answered $status" >&2; exit 1; }
}

# stop_pids PID...: stops the processes this script started, by pid (empty arguments skipped).
stop_pids() {
    local pid
    for pid in "$@"; do
        [ -n "$pid" ] || continue
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

# machine_line: what the figures were taken on.
machine_line() {
    echo "machine: $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2), $(uname -sr), $(date -u +%Y-%m-%d)"
}

# Instructions (callgrind), in millions: soup-run's up to its exec of /bin/true (dumped on entering
# execve; valgrind does not follow the exec), curl's whole run. Usage: instructions [VAR=VALUE...] CMD...
# (run under `env -i` with just those variables, as the timed commands are). Needs $work.
instructions() {
    local assignments=()
    while [[ "$1" == *=* && "$1" != /* ]]; do assignments+=("$1"); shift; done
    rm -f "$work"/callgrind.*
    env -i "${assignments[@]}" "$(command -v valgrind)" --tool=callgrind --dump-before='*execve' \
        --callgrind-out-file="$work/callgrind.%p" "$@" >/dev/null 2>&1
    awk '/^totals:/ { sum += $2 } END { printf "%.2f", sum / 1e6 }' "$work"/callgrind.*
}
