#!/usr/bin/env bash
# --watch benchmark, against a local soup-dev-server, release build:
#  1. idle cost of `soup-run --watch --interval 1` over 60 s (the child sleeps): CPU time of the
#     soup-run process from /proc/PID/stat, its RSS and peak RSS from /proc/PID/status.
#     Targets: CPU ≤ 1% of one core, RSS ≤ 24 MiB.
#  2. time from a change through the API (POST) to the new child running, over N changes made at
#     random phases of the poll cycle, with the default stop signal (TERM) and a child that exits
#     at once on it. The expected value is about half an interval plus the restart itself.
#     Target: median ≤ interval + 250 ms.
#
# Usage: bench/watch-idle.sh [--no-build] [--idle SECONDS] [--changes N]
# Needs: Linux (/proc), swift, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
idle=60
changes=20
interval=1
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --idle) idle="$2"; shift ;;
        --changes) changes="$2"; shift ;;
        *) echo "usage: $0 [--no-build] [--idle SECONDS] [--changes N]" >&2; exit 64 ;;
    esac
    shift
done
[ "$changes" -ge 10 ] || { echo "--changes must be at least 10" >&2; exit 64; }

. bench/lib.sh
bench_needs curl
bench_binaries "$build"

bench_workspace
watch_pid=""
bench_started_pids() { echo "$watch_pid"; }
start_dev_server "$work"
token="demo-token"
url="$api/projects/my-app/environments/prod/secrets"

set_secret() { post_secret "$url" "$token" BENCH_WATCHED "$1"; }
set_secret 0

# The child appends one line per start, then sleeps; `exec` makes sleep the group leader's image,
# so the default stop signal (TERM) ends it at once.
child='echo "start $BENCH_WATCHED $(date +%s%N)" >> "$0"; exec sleep 100000'
SOUP_TOKEN="$token" "$soup_run" --watch --interval "$interval" --api-url "$api" my-app prod -- \
    /bin/sh -c "$child" "$work/starts" 2>"$work/watch.err" &
watch_pid=$!
starts() { if [ -f "$work/starts" ]; then wc -l < "$work/starts"; else echo 0; fi; }
for _ in $(seq 1 200); do [ "$(starts)" -ge 1 ] && break; sleep 0.05; done   # at most 10 s
[ "$(starts)" -ge 1 ] || { echo "the child did not start"; cat "$work/watch.err" >&2; exit 1; }

# --- 1. idle cost ----------------------------------------------------------------------------
ticks() { awk '{ print $14 + $15 }' "/proc/$watch_pid/stat"; }   # utime + stime, clock ticks
hz="$(getconf CLK_TCK)"
before="$(ticks)"
echo "idle: watching for ${idle} s (interval ${interval} s)..."
sleep "$idle"
after="$(ticks)"
rss_kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$watch_pid/status")"
hwm_kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/$watch_pid/status")"
cpu_pct="$(awk -v t=$((after - before)) -v hz="$hz" -v s="$idle" 'BEGIN { printf "%.2f", t / hz / s * 100 }')"
restarts_idle=$(( $(starts) - 1 ))

# --- 2. change → new child running ----------------------------------------------------------
latencies=()
for i in $(seq 1 "$changes"); do
    # Changes happen at any moment of the poll cycle: start each at a random phase of it (a
    # change made right after a restart would always wait almost a full interval).
    sleep "$(awk -v r="$RANDOM" -v i="$interval" 'BEGIN { printf "%.3f", r / 32768 * i }')"
    have="$(starts)"
    t0="$(date +%s%N)"
    set_secret "$i"
    for _ in $(seq 1 2000); do [ "$(starts)" -gt "$have" ] && break; sleep 0.005; done   # at most ~10 s
    [ "$(starts)" -gt "$have" ] || { echo "change $i was not picked up" >&2; cat "$work/watch.err" >&2; exit 1; }
    t1="$(tail -n 1 "$work/starts" | awk '{ print $3 }')"
    latencies+=("$(( (t1 - t0) / 1000000 ))")
done
sorted="$(printf '%s\n' "${latencies[@]}" | sort -n)"
median_ms="$(echo "$sorted" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }')"
min_ms="$(echo "$sorted" | head -n 1)"
max_ms="$(echo "$sorted" | tail -n 1)"

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
target_ms="$(awk -v i="$interval" 'BEGIN { print i * 1000 + 250 }')"
echo
echo "idle ${idle} s     CPU ${cpu_pct}% of one core (target ≤ 1%: $(verdict "$cpu_pct" 1)), restarts while idle: ${restarts_idle}"
echo "memory         RSS $(mib "$rss_kb") MiB, peak $(mib "$hwm_kb") MiB (target ≤ 24 MiB: $(verdict "$(mib "$hwm_kb")" 24))"
echo "change→running median ${median_ms} ms, min ${min_ms} ms, max ${max_ms} ms over ${changes} changes (target ≤ ${target_ms} ms: $(verdict "$median_ms" "$target_ms"))"
machine_line
