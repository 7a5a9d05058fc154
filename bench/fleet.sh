#!/usr/bin/env bash
# A fleet of `soup-run --watch --interval 1` (each supervising `sleep`) against one soup-dev-server,
# release build, everything on 127.0.0.1, every process stopped by pid at the end:
#  1. soup-dev-server against nginx serving the same body as a static file, same machine, same wrk,
#     16/64/256 connections (requests/s, p99). Targets: ≥ 0.5× nginx at 16 and 64, p99 ≤ 50 ms at 256.
#  2. free tier (100 requests/minute), WATCHERS watchers started together: all start within 120 s
#     (no exit 69); over minutes 3–5 at most 25% of requests are 429s; a change posted at minute 3
#     reaches every child within 5 minutes; no watcher ever has two children; every watcher exits
#     143 within 1 s of SIGTERM.
#  3. self-hosted tier: a change reaches every child within interval + 1 s; the watchers' total
#     CPU while idle ≤ 5% of one core.
# Prints min/median/max of each distribution.
#
# Usage: bench/fleet.sh [--no-build] [--watchers N] [--skip-wrk] [--skip-free]   (at most ~15 minutes)
# Needs: Linux (/proc), curl, python3, wrk and nginx (scripts/prerequisites.sh --bench).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
watchers=200
skip_wrk=0
skip_free=0
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --watchers) watchers="$2"; shift ;;
        --skip-wrk) skip_wrk=1 ;;
        --skip-free) skip_free=1 ;;
        *) echo "usage: $0 [--no-build] [--watchers N] [--skip-wrk] [--skip-free]" >&2; exit 64 ;;
    esac
    shift
done
[ "$watchers" -ge 10 ] && [ "$watchers" -le 1000 ] || { echo "--watchers must be 10 to 1000" >&2; exit 64; }
. bench/lib.sh
bench_needs curl python3
if [ "$skip_wrk" = 0 ]; then
    for tool in wrk nginx; do command -v "$tool" >/dev/null || { echo "needs $tool (or --skip-wrk)" >&2; exit 1; }; done
fi
[ "$(ulimit -n)" -ge $((watchers * 4 + 256)) ] || ulimit -n $((watchers * 4 + 256))
bench_binaries "$build"

bench_workspace
nginx_pid=""
fleet=()
bench_started_pids() { echo "${fleet[*]}" "$nginx_pid"; }

# A state file: a free-tier and a self-hosted token, prod inheriting from base, 100 secrets in all.
python3 - "$work/state.json" <<'PY'
import json, sys
base = {f"BASE_{i:02}": f"base-value-{i:02}-" + "x" * 20 for i in range(50)}
prod = {f"PROD_{i:02}": f"postgres://app:${{BASE_{i:02}}}@db-{i}.internal:5432/app" for i in range(50)}
state = {
    "tokens": {"bench-free": {"projects": ["*"], "tier": "free"}, "bench-self": {"projects": ["*"]},
               "bench-admin": {"projects": ["*"]}},
    "projects": {"my-app": {"environments": {
        "base": {"parent": None, "secrets": base},
        "prod": {"parent": "base", "secrets": dict(prod, BENCH_V="0")}}}},
}
json.dump(state, open(sys.argv[1], "w"))
PY
chmod 600 "$work/state.json"
start_dev_server "$work"
url="$api/projects/my-app/environments/prod/secrets"
set_version() { post_secret "$url" bench-admin BENCH_V "$1"; }

# --- 1. soup-dev-server against nginx ----------------------------------------------------------
if [ "$skip_wrk" = 0 ]; then
    mkdir -p "$work/nginx/logs"
    body_dir="$work/nginx/root/${url#http://*/}"
    mkdir -p "$(dirname "$body_dir")"
    curl -sf -H "Authorization: Bearer bench-self" "$url" -o "$body_dir.body"
    nginx_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
# Run as root by the script: the workers must read its private temporary directory.
user root;
error_log $work/nginx/logs/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/nginx/root;
        location / { try_files \$uri.body =404; }
    }
}
NGINX
    nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    path="/${url#http://*/}"
    for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port$path" && break; sleep 0.1; done
    [ "$(curl -s "http://127.0.0.1:$nginx_port$path" | md5sum)" = "$(md5sum < "$body_dir.body")" ] \
        || { echo "nginx does not serve the same body" >&2; exit 1; }
    # wrk_run URL CONNECTIONS: "requests/s p99-ms"
    wrk_run() {
        wrk -t2 -c"$2" -d10s --latency -H "Authorization: Bearer bench-self" "$1" 2>&1 | awk '
            /Requests\/sec/ { rps = $2 }
            $1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; p99 = v }
            END { printf "%.0f %.1f", rps, p99 }'
    }
    echo "wrk, same GET (100 secrets, $(wc -c < "$body_dir.body") bytes), 10 s per run:"
    for c in 16 64 256; do
        read -r dev_rps dev_p99 <<<"$(wrk_run "$url" "$c")"
        read -r ng_rps ng_p99 <<<"$(wrk_run "http://127.0.0.1:$nginx_port$path" "$c")"
        ratio="$(awk -v a="$dev_rps" -v b="$ng_rps" 'BEGIN { printf "%.2f", a / b }')"
        echo "  $c connections: soup-dev-server ${dev_rps} req/s p99 ${dev_p99} ms; nginx ${ng_rps} req/s p99 ${ng_p99} ms; ratio ${ratio}×"
    done
    stop_pids "$nginx_pid"
    nginx_pid=""
    : >"$work/server.err"   # the fleet's request counts start from here
fi

# start_fleet TOKEN: starts the watchers; each child appends "<BENCH_V> <ms>" to its own file.
start_fleet() {
    fleet=()
    launched_ms="$(now_ms)"
    local i
    for i in $(seq 1 "$watchers"); do
        SOUP_TOKEN="$1" "$soup_run" --watch --interval 1 --api-url "$api" my-app prod -- \
            /bin/sh -c 'echo "$BENCH_V $(( $(date +%s%N) / 1000000 ))" >> "$0"; exec sleep 100000' \
            "$work/starts.$i" 2>"$work/watch.$i.err" &
        fleet+=("$!")
    done
}
# started: how many children have started at least once.
started() { local n=0 i; for i in $(seq 1 "$watchers"); do [ -s "$work/starts.$i" ] && n=$((n + 1)); done; echo "$n"; }
# reached V: how many children run version V.
reached() { local n=0 i; for i in $(seq 1 "$watchers"); do grep -q "^$1 " "$work/starts.$i" 2>/dev/null && n=$((n + 1)); done; echo "$n"; }
# exited_early: watchers that are no longer running.
exited_early() { local n=0 pid; for pid in "${fleet[@]}"; do kill -0 "$pid" 2>/dev/null || n=$((n + 1)); done; echo "$n"; }
# most_children: the largest number of children any watcher has right now.
most_children() {
    local most=0 pid n
    for pid in "${fleet[@]}"; do
        n="$(grep -l "^PPid:[[:space:]]*$pid$" /proc/[0-9]*/status 2>/dev/null | wc -l)"
        [ "$n" -gt "$most" ] && most="$n"
    done
    echo "$most"
}
# stop_fleet: SIGTERM to every watcher at once; sets stopped to "exit codes, slowest exit". Not
# in a subshell: only this shell can wait for its children. No process per pid in the loop
# (clock_us): forking `date` 200 times was most of the "slowest exit" it reported.
stop_fleet() {
    local t0 pid codes=() code slowest=0 elapsed
    clock_us; t0="$now_us"
    kill -TERM "${fleet[@]}" 2>/dev/null || true
    for pid in "${fleet[@]}"; do
        code=0
        wait "$pid" 2>/dev/null || code=$?
        codes+=("$code")
        clock_us; elapsed=$(( (now_us - t0) / 1000 ))
        [ "$elapsed" -gt "$slowest" ] && slowest="$elapsed"
    done
    fleet=()
    stopped="$(printf '%s\n' "${codes[@]}" | sort | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')(count×code), the slowest after ${slowest} ms"
}
# start_latencies: seconds from launch to each child's first start.
start_latencies() {
    local i
    for i in $(seq 1 "$watchers"); do
        [ -s "$work/starts.$i" ] && head -n 1 "$work/starts.$i" | awk -v l="$launched_ms" '{ printf "%.1f\n", ($2 - l) / 1000 }'
    done
}
# change_latencies V T0: seconds from T0 (ms) to each child's start with version V.
change_latencies() {
    local i
    for i in $(seq 1 "$watchers"); do
        grep "^$1 " "$work/starts.$i" 2>/dev/null | head -n 1 | awk -v t="$2" '{ printf "%.1f\n", ($2 - t) / 1000 }'
    done
}

# --- 2. free tier ------------------------------------------------------------------------------
if [ "$skip_free" = 0 ]; then
echo "free tier: $watchers watchers, --interval 1 ..."
start_fleet bench-free
most=0
sample() { local m; m="$(most_children)"; [ "$m" -gt "$most" ] && most="$m"; true; }
# Minutes 0–3: start-up; sample the children every ~10 s.
while [ $(( $(now_ms) - launched_ms )) -lt 180000 ]; do sample; sleep 10; done
start_count="$(started)"
early_exits="$(exited_early)"
starts_stats="$(start_latencies | stats)"
all3="$(server_requests)"; limited3="$(server_requests 429)"
set_version 1
changed_ms="$(now_ms)"
# Minutes 3–5 for the 429 share; then until every child has the change, at most minute 8.
while [ $(( $(now_ms) - launched_ms )) -lt 300000 ]; do sample; sleep 10; done
all5="$(server_requests)"; limited5="$(server_requests 429)"
while [ "$(reached 1)" -lt "$watchers" ] && [ $(( $(now_ms) - changed_ms )) -lt 300000 ]; do sample; sleep 5; done
free_reached="$(reached 1)"
free_change_stats="$(change_latencies 1 "$changed_ms" | stats)"
share="$(awk -v a=$((all5 - all3)) -v l=$((limited5 - limited3)) 'BEGIN { printf "%.1f", a ? 100 * l / a : 0 }')"
stop_fleet
echo "  started within 3 min: $start_count/$watchers (exited early: $early_exits); start after launch: $starts_stats s"
echo "  minutes 3–5: $((all5 - all3)) requests, $((limited5 - limited3)) were 429 (${share}%)"
echo "  change at minute 3 reached $free_reached/$watchers children: $free_change_stats s after the POST"
echo "  most children of one watcher at any sample: $most"
echo "  SIGTERM: exit codes $stopped"
for i in $(seq 1 "$watchers"); do rm -f "$work/starts.$i"; done
fi

# --- 3. self-hosted tier ---------------------------------------------------------------------
echo "self-hosted tier: $watchers watchers, --interval 1 ..."
start_fleet bench-self
deadline=$(( $(now_ms) + 120000 ))
while [ "$(started)" -lt "$watchers" ] && [ "$(now_ms)" -lt "$deadline" ]; do sleep 1; done
self_started="$(started)"
sleep 5
ticks() { local pid t=0; for pid in "${fleet[@]}"; do t=$(( t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) )); done; echo "$t"; }
hz="$(getconf CLK_TCK)"
t_before="$(ticks)"; w0="$(now_ms)"
sleep 30
t_after="$(ticks)"; w1="$(now_ms)"
cpu="$(awk -v t=$((t_after - t_before)) -v hz="$hz" -v ms=$((w1 - w0)) 'BEGIN { printf "%.1f", t / hz / (ms / 1000) * 100 }')"
set_version 2
changed_ms="$(now_ms)"
while [ "$(reached 2)" -lt "$self_started" ] && [ $(( $(now_ms) - changed_ms )) -lt 30000 ]; do sleep 0.5; done
self_reached="$(reached 2)"
self_change_stats="$(change_latencies 2 "$changed_ms" | stats)"
stop_fleet
echo "  started: $self_started/$watchers; idle CPU of all watchers over 30 s: ${cpu}% of one core (target ≤ 5%)"
echo "  change reached $self_reached/$watchers children: $self_change_stats s after the POST (target ≤ 2 s)"
echo "  SIGTERM: exit codes $stopped"
machine_line
