#!/usr/bin/env bash
# --fallback benchmark: what keeping the encrypted copy costs, and how fast a start from it is.
#   with      soup-run --fallback COPY … -- /bin/true, data unchanged (the copy is read and
#             decrypted to compare, nothing is written)       target ≤ 1.05× without
#   without   soup-run … -- /bin/true, the normal cold start (the baseline)
#   down      soup-run --retries 0 --fallback COPY … -- /bin/true against a port where nothing
#             listens (connection refused): the start from the copy   target ≤ 1.2× without
# All against a local soup-dev-server serving 100+ secrets, release binaries (scripts/release.sh).
#
# Usage: bench/fallback.sh [--no-build] [--rounds N] [--runs N]
#   --rounds N  hyperfine rounds (default 20); each round runs the three commands in a rotated order
#   --runs N    runs of each command per round (default 30)
# Medians over every run of every round, as in bench/cold-start.sh (rounds spread a shared VM's drift).
# Also instructions up to the exec (callgrind) of each of the three, which the load cannot move.
# Needs: swift, curl, hyperfine, python3 (the last two installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
rounds_options 3 "$@"

install_missing hyperfine:hyperfine curl:curl python3:python3 valgrind:valgrind
bench_binaries "$build"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    stop_pids "$server_pid"
    rm -rf "$work"
}
trap cleanup EXIT

token="demo-token"
export SOUP_TOKEN="$token"
add_secrets() {
    local url="$api/projects/my-app/environments/prod/secrets" i
    for i in $(seq -w 1 100); do
        post_secret "$url" "$token" "BENCH_SECRET_$i" "value-$i-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
    done
}

# The API-down copy: written by a server that is then stopped, so its port refuses connections
# (the copy is bound to the API URL it came from).
mkdir "$work/gone"
start_dev_server "$work/gone"
add_secrets
down_api="$api"
"$soup_run" --api-url "$down_api" --fallback "$work/down.fb" my-app prod -- /bin/true
stop_pids "$server_pid"
server_pid=""
if curl -s -o /dev/null "$down_api/health" 2>/dev/null; then echo "the stopped server still answers" >&2; exit 1; fi

start_dev_server "$work"
add_secrets
"$soup_run" --api-url "$api" --fallback "$work/up.fb" my-app prod -- /bin/true
before="$(stat -c %Y.%s "$work/up.fb")"

without="$soup_run --api-url $api my-app prod -- /bin/true"
with="$soup_run --api-url $api --fallback $work/up.fb my-app prod -- /bin/true"
down="$soup_run --retries 0 --api-url $down_api --fallback $work/down.fb my-app prod -- /bin/true"
$down || { echo "the start from the copy failed" >&2; exit 1; }

names=(without with down)
commands=("$without" "$with" "$down")
for round in $(seq 1 "$rounds"); do
    order=()
    for k in 0 1 2; do
        i=$(( (round + k) % 3 ))
        order+=(--command-name "${names[$i]}" "${commands[$i]}")
    done
    hyperfine --shell=none --warmup 5 --runs "$runs" --style none --export-json "$work/round-$round.json" \
        "${order[@]}" >"$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log" >&2; exit 1; }
    echo "round $round of $rounds done" >&2
done
[ "$(stat -c %Y.%s "$work/up.fb")" = "$before" ] || { echo "an unchanged start rewrote the copy" >&2; exit 1; }

read -r without_ms with_ms down_ms with_ratio down_ratio with_range down_range < <(python3 - "$work"/round-*.json <<'PY'
import json, statistics, sys
times = {"without": [], "with": [], "down": []}
with_r, down_r = [], []
for path in sys.argv[1:]:
    medians = {}
    for result in json.load(open(path))["results"]:
        times[result["command"]] += result["times"]
        medians[result["command"]] = statistics.median(result["times"])
    with_r.append(medians["with"] / medians["without"])
    down_r.append(medians["down"] / medians["without"])
m = {name: statistics.median(values) * 1000 for name, values in times.items()}
print("%.2f %.2f %.2f %.3f %.3f %.3f-%.3f %.3f-%.3f" % (
    m["without"], m["with"], m["down"], m["with"] / m["without"], m["down"] / m["without"],
    min(with_r), max(with_r), min(down_r), max(down_r)))
PY
)
# Instructions up to the exec (callgrind; deterministic, so the figure a loaded machine cannot move).
[ -x "$soup_run_symbols" ] || { echo "$soup_run_symbols missing (run without --no-build)" >&2; exit 1; }
without_ir=$(instructions SOUP_TOKEN="$token" "$soup_run_symbols" --api-url "$api" my-app prod -- /bin/true)
with_ir=$(instructions SOUP_TOKEN="$token" "$soup_run_symbols" --api-url "$api" --fallback "$work/up.fb" my-app prod -- /bin/true)
down_ir=$(instructions SOUP_TOKEN="$token" "$soup_run_symbols" --retries 0 --api-url "$down_api" --fallback "$work/down.fb" my-app prod -- /bin/true)
[ "$(stat -c %Y.%s "$work/up.fb")" = "$before" ] || { echo "an unchanged start rewrote the copy" >&2; exit 1; }

verdict() { if awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; then echo "ok"; else echo "MISSED"; fi; }
echo
echo "median   without ${without_ms} ms   --fallback (unchanged) ${with_ms} ms   API down, from the copy ${down_ms} ms"
echo "ratio    --fallback/without ${with_ratio}x (target ≤ 1.05x: $(verdict "$with_ratio" 1.05)); rounds ${with_range}"
echo "ratio    down/without ${down_ratio}x (target ≤ 1.2x: $(verdict "$down_ratio" 1.2)); rounds ${down_range}"
echo "         $((rounds * runs)) runs each in ${rounds} rounds"
echo "instr.   without ${without_ir} M   --fallback (unchanged) ${with_ir} M   API down ${down_ir} M (callgrind, up to the exec)"
machine_line
