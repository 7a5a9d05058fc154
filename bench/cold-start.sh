#!/usr/bin/env bash
# Cold-start benchmark: `soup-run … -- /bin/true` against `curl -s` of the same URL, both fetching
# 100+ secrets from a local soup-dev-server. Targets: soup-run median ≤ 1.3× curl's, peak RSS ≤ 20 MiB.
#
# Usage: bench/cold-start.sh [--no-build] [--runs N]
# Needs: swift, curl, hyperfine, GNU time (the last two are installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
runs=100
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --runs) runs="$2"; shift ;;
        *) echo "usage: $0 [--no-build] [--runs N]" >&2; exit 64 ;;
    esac
    shift
done
[ "$runs" -ge 50 ] || { echo "--runs must be at least 50" >&2; exit 64; }

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

. bench/lib.sh
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

hyperfine --shell=none --warmup 10 --runs "$runs" --export-csv "$work/results.csv" \
    --command-name soup-run "$soup_cmd" --command-name curl "$curl_cmd"

median() { awk -F, -v name="$1" '$1 == name { printf "%.2f", $4 * 1000 }' "$work/results.csv"; }
soup_ms="$(median soup-run)"
curl_ms="$(median curl)"
ratio="$(awk -v a="$soup_ms" -v b="$curl_ms" 'BEGIN { printf "%.2f", a / b }')"

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
echo "peak RSS soup-run $(mib "$soup_rss") MiB   curl $(mib "$curl_rss") MiB (target ≤ 20 MiB: $(verdict "$(mib "$soup_rss")" 20))"
machine_line
