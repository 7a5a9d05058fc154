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
    # SOUP_BENCH_DIST: another directory, so a build does not replace binaries a running bench uses.
    local dist="${SOUP_BENCH_DIST:-.build/bench-dist}"
    if [ "$1" = 1 ]; then SOUP_RELEASE_SYMBOLS=1 scripts/release.sh "$dist" >/dev/null; fi
    case "$dist" in /*) ;; *) dist="$PWD/$dist" ;; esac
    soup_run="$dist/soup-run"
    # The same build with its symbol table, for callgrind's --dump-before (the stripped one has none).
    soup_run_symbols="$dist/soup-run.symbols"
    dev_server="$dist/soup-dev-server"
    [ -x "$soup_run" ] && [ -x "$dev_server" ] || { echo "release binaries missing in $dist (run without --no-build)" >&2; exit 1; }
}

# bench_install PACKAGE...: installs the Debian packages given (the caller lists the missing ones).
bench_install() {
    [ $# -gt 0 ] || return 0
    echo "installing: $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "$@" >/dev/null
}

# bench_needs TOOL...: exits 1 unless this is Linux (/proc, for CPU and RSS) and every TOOL is
# on PATH, naming the first that is missing.
bench_needs() {
    local tool
    [ -r /proc/self/stat ] || { echo "needs Linux /proc" >&2; exit 1; }
    for tool in "$@"; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }; done
}

# bench_started_pids: the processes the script started, besides soup-dev-server, one per word;
# a script that starts any redefines it. bench_workspace's exit trap stops them by pid.
bench_started_pids() { :; }

# bench_workspace: a temporary directory in $work; on exit the processes of bench_started_pids
# and soup-dev-server ($server_pid) are stopped, by pid, and the directory removed.
bench_workspace() {
    work="$(mktemp -d)"
    server_pid=""
    # shellcheck disable=SC2046 # one pid per word
    trap 'stop_pids $(bench_started_pids) "$server_pid"; rm -rf "$work"' EXIT
}

# server_requests [STATUS]: requests soup-dev-server has logged so far (one stderr line each, in
# $work/server.err), all of them or only those answered with STATUS.
server_requests() {
    if [ $# -eq 0 ]; then grep -c ' [0-9][0-9][0-9] [0-9]*ms$' "$work/server.err" || true
    else grep -c " $1 [0-9]*ms$" "$work/server.err" || true; fi
}

# wait_requests N SECONDS [LOG]: until soup-dev-server has logged N requests, at most SECONDS;
# then exits 1, showing LOG (the watcher's stderr) when given.
wait_requests() {
    local deadline=$((SECONDS + $2))
    while [ "$(server_requests)" -lt "$1" ]; do
        if [ $SECONDS -ge "$deadline" ]; then
            echo "only $(server_requests) of $1 requests in $2 s" >&2
            [ -z "${3:-}" ] || cat "$3" >&2
            exit 1
        fi
        sleep 0.1
    done
}

# clock_us: sets now_us to the wall clock in microseconds, without a process (bash 5's
# EPOCHREALTIME): timing loops over a fleet must not fork `date` per pid, which under load costs
# more than what they measure (200 forks took 1.5 s at load 11).
clock_us() { now_us="${EPOCHREALTIME/[.,]/}"; }

# now_ms: the wall clock in milliseconds (for $(...); inside timing loops use clock_us).
now_ms() { clock_us; echo $(( now_us / 1000 )); }

# stats: "min A, median B, max C (n=N)" of the numbers on stdin, one a line ("n/a" when none).
stats() {
    sort -n | awk '{ a[NR] = $1 } END {
        if (NR == 0) { print "n/a"; exit }
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "min %s, median %s, max %s (n=%d)", a[1], m, a[NR], NR }'
}

# verdict VALUE TARGET: "ok" when VALUE ≤ TARGET (numbers, fractions too), else "MISSED".
verdict() { if awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; then echo "ok"; else echo "MISSED"; fi; }

# start_dev_server DIR: starts soup-dev-server on DIR/state.json (demo data when there is none);
# sets server_pid and api; its request log goes to DIR/server.err (appended: a script may empty it).
# Waits at most 10 s for its ready line. The caller's EXIT trap stops it by pid.
start_dev_server() {
    "$dev_server" --port 0 --data "$1/state.json" >"$1/server.out" 2>>"$1/server.err" &
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
