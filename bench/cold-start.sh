#!/usr/bin/env bash
# Cold-start benchmark: `soup-run … -- /bin/true` against `curl -s` of the same URL, both fetching
# 100+ secrets from a local soup-dev-server. Targets: soup-run median ≤ 1.3× curl's, peak RSS ≤ 20 MiB.
#
# Usage: bench/cold-start.sh [--no-build] [--rounds N] [--runs N]
#   --rounds N  hyperfine rounds (default 20), the two commands in alternating order
#   --runs N    runs of each command per round (default 30)
# The machine's speed drifts (a shared VM): rounds that alternate which command goes first spread
# the drift over both, and the medians are taken over all runs of all rounds.
# Needs: swift, curl, hyperfine, GNU time, python3 (the last three installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
rounds_options 2 "$@"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

bench_binaries "$build"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    stop_pids "$server_pid"
    rm -rf "$work"
}
trap cleanup EXIT

start_dev_server "$work"
token="demo-token"
url="$api/projects/my-app/environments/prod/secrets"
# 100 secrets on top of the demo data, values of realistic length.
for i in $(seq -w 1 100); do
    post_secret "$url" "$token" "BENCH_SECRET_$i" "value-$i-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
done
keys="$(curl -s -H "Authorization: Bearer $token" "$url" | grep -o '"[A-Z][A-Z0-9_]*":' | wc -l)"
echo "serving $keys secrets at $url"

export SOUP_TOKEN="$token"
soup_cmd="$soup_run --api-url $api my-app prod -- /bin/true"
curl_cmd="curl -s -H 'Authorization: Bearer $token' $url"
"$soup_run" --api-url "$api" my-app prod -- /bin/true || { echo "soup-run failed" >&2; exit 1; }

for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) = 1 ]; then
        order=(--command-name soup-run "$soup_cmd" --command-name curl "$curl_cmd")
    else
        order=(--command-name curl "$curl_cmd" --command-name soup-run "$soup_cmd")
    fi
    hyperfine --shell=none --warmup 5 --runs "$runs" --style none --export-json "$work/round-$round.json" \
        "${order[@]}" >"$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log" >&2; exit 1; }
    echo "round $round of $rounds done" >&2
done

# Medians over every run of every round; each round's own ratio shows how much the figure moves.
read -r soup_ms curl_ms ratio round_ratios < <(python3 - "$work"/round-*.json <<'PY'
import json, statistics, sys
times = {"soup-run": [], "curl": []}
ratios = []
for path in sys.argv[1:]:
    medians = {}
    for result in json.load(open(path))["results"]:
        times[result["command"]] += result["times"]
        medians[result["command"]] = statistics.median(result["times"])
    ratios.append(medians["soup-run"] / medians["curl"])
soup, curl = (statistics.median(times[name]) * 1000 for name in ("soup-run", "curl"))
print("%.2f %.2f %.2f %.2f-%.2f" % (soup, curl, soup / curl, min(ratios), max(ratios)))
PY
)
total=$((rounds * runs))

# Peak RSS: the largest of 10 runs, in KiB as GNU time reports it.
peak_rss() {
    local max=0 kb
    for _ in $(seq 1 10); do
        kb="$(/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }')"
        [ "$kb" -gt "$max" ] && max="$kb"
    done
    echo "$max"
}
soup_rss="$(peak_rss "$soup_run" --api-url "$api" my-app prod -- /bin/true)"
curl_rss="$(peak_rss curl -s -o /dev/null -H "Authorization: Bearer $token" "$url")"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

verdict() { if awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; then echo "ok"; else echo "MISSED"; fi; }
echo
echo "median   soup-run ${soup_ms} ms   curl ${curl_ms} ms   ratio ${ratio}x (target ≤ 1.3x: $(verdict "$ratio" 1.3))"
echo "         ${total} runs each in ${rounds} rounds; the rounds' own ratios ranged ${round_ratios}"
echo "peak RSS soup-run $(mib "$soup_rss") MiB   curl $(mib "$curl_rss") MiB (target ≤ 20 MiB: $(verdict "$(mib "$soup_rss")" 20))"
machine_line
