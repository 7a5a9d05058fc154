#!/usr/bin/env bash
# Cost of one idle --watch poll (a 304), release build, against a local soup-dev-server:
# instructions counted by callgrind over a stretch of polls (all threads), divided by the polls
# the server logged in that stretch; and the system calls per poll (strace -f -c, when present).
# Target: ≤ 120k instructions per idle poll, no thread created per poll.
#
# Usage: bench/poll-cost.sh [--no-build] [--polls N]     (N measured polls, default 40)
# Needs: Linux, valgrind (callgrind_control), curl; strace optional.
# (scripts/prerequisites.sh --bench installs them.)
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
polls=40
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --polls) polls="$2"; shift ;;
        *) echo "usage: $0 [--no-build] [--polls N]" >&2; exit 64 ;;
    esac
    shift
done
[ "$polls" -ge 10 ] && [ "$polls" -le 1000 ] || { echo "--polls must be 10 to 1000" >&2; exit 64; }

. bench/lib.sh
bench_needs callgrind_control curl
bench_binaries "$build"

bench_workspace
watch_pid=""
bench_started_pids() { echo "$watch_pid"; }
start_dev_server "$work"

# --- instructions per poll ------------------------------------------------------------------
SOUP_TOKEN=demo-token valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
    "$soup_run" --watch --interval 0.5 --api-url "$api" my-app prod -- sleep 100000 \
    2>"$work/watch.err" &
watch_pid=$!
wait_requests 6 120 "$work/watch.err"    # start-up and the first polls, under valgrind
callgrind_control -z "$watch_pid" >/dev/null
first="$(server_requests)"
wait_requests $((first + polls)) $((polls * 5 + 60)) "$work/watch.err"
callgrind_control -d "$watch_pid" >/dev/null
measured=$(( $(server_requests) - first ))
# The dump is written by the valgrind'd process itself, a moment later: wait for it (at most 30 s).
dump=""
for _ in $(seq 1 300); do
    dump="$(find "$work" -name 'cg.out.*' | sort | tail -n 1)"
    [ -n "$dump" ] && grep -q '^totals:' "$dump" && break
    sleep 0.1
done
[ -n "$dump" ] || { echo "no callgrind dump" >&2; exit 1; }
total="$(awk '/^(summary|totals):/ { print $2; exit }' "$dump")"
stop_pids "$watch_pid"; watch_pid=""
per_poll=$(( total / measured ))

# --- system calls and threads per poll -------------------------------------------------------
syscalls="n/a"
clones="n/a"
if command -v strace >/dev/null; then
    before="$(server_requests)"
    SOUP_TOKEN=demo-token strace -f -c -o "$work/strace.txt" \
        "$soup_run" --watch --interval 0.2 --api-url "$api" my-app prod -- sleep 100000 2>"$work/watch.err" &
    watch_pid=$!
    wait_requests $((before + polls + 1)) $((polls + 60)) "$work/watch.err"
    # Stop soup-run itself (strace would detach and leave it running), then strace ends with it.
    stop_pids "$(pgrep -P "$watch_pid" | head -n 1)"
    wait "$watch_pid" 2>/dev/null || true
    watch_pid=""
    counted=$(( $(server_requests) - before - 1 ))
    total_calls="$(awk '$NF == "total" { print $(NF-2) }' "$work/strace.txt")"
    clone_calls="$(awk '$NF ~ /^clone/ { n += $4 } END { print n + 0 }' "$work/strace.txt")"
    syscalls="$(awk -v t="$total_calls" -v n="$counted" 'BEGIN { printf "%.0f", t / n }')"
    clones="$clone_calls over $counted polls (the child's fork and the worker thread included)"
fi

echo "idle poll      ${per_poll} instructions (callgrind, all threads, ${measured} polls; target ≤ 120000: $(verdict "$per_poll" 120000))"
echo "system calls   ~${syscalls} per poll, start-up included; clone: ${clones}"
machine_line
