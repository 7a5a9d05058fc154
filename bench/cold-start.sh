#!/usr/bin/env bash
# Cold-start benchmark: the static release `soup-run … -- /bin/true` against `curl -s` of the same
# URL, both fetching 100+ secrets on loopback, both started with `env -i` (nothing from the
# environment: these machines export SSL_CERT_FILE), over http (soup-dev-server) and over https
# (bench/tls-server.py serving the same body, its test CA added to the machine's trust store with
# update-ca-certificates for the run and removed afterwards: each client uses the system store
# as it does by default). Targets: soup-run median ≤ 0.4× curl's over http, ≤ 0.3× over https;
# peak RSS ≤ 12 MiB. Also reports instructions (callgrind; soup-run's up to its exec).
#
# Usage: bench/cold-start.sh [--no-build] [--rounds N] [--runs N]
#   --rounds N  hyperfine rounds (default 20), the two commands in alternating order
#   --runs N    runs of each command per round (default 30)
# The machine's speed drifts (a shared VM): rounds that alternate which command goes first spread
# the drift over both, and the medians are taken over all runs of all rounds.
# Needs: swift, curl, hyperfine, GNU time, python3, valgrind, openssl (installed with apt-get when
# missing); root for the https part (the trust store), which is skipped with a note otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
rounds_options 2 "$@"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
command -v valgrind >/dev/null || need+=(valgrind)
command -v openssl >/dev/null || need+=(openssl)
[ "$(id -u)" != 0 ] || command -v update-ca-certificates >/dev/null || need+=(ca-certificates)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

bench_binaries "$build"

work="$(mktemp -d)"
server_pid=""
tls_pid=""
bench_ca=/usr/local/share/ca-certificates/soup-run-bench.crt
cleanup() {
    stop_pids "$server_pid" "$tls_pid"
    if [ -f "$bench_ca" ]; then
        rm -f "$bench_ca"
        update-ca-certificates --fresh >/dev/null 2>&1 || true
    fi
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

printf '%s' "$token" > "$work/token"
# Exactly this environment for both commands; soup-run's token comes from a file.
soup_env="env -i SOUP_TOKEN_FILE=$work/token"

# compare NAME URL: interleaved hyperfine rounds of soup-run and curl against URL; prints
# "soup_ms curl_ms ratio min-max" (medians over every run of every round; each round's own ratio).
compare() {
    local name="$1" target="$2" round order
    local soup_cmd="$soup_env $soup_run --api-url ${target%%/projects/*} my-app prod -- /bin/true"
    local curl_cmd="env -i curl -s -H 'Authorization: Bearer $token' $target"
    $soup_cmd || { echo "soup-run failed over $name" >&2; exit 1; }
    for round in $(seq 1 "$rounds"); do
        if [ $((round % 2)) = 1 ]; then
            order=(--command-name soup-run "$soup_cmd" --command-name curl "$curl_cmd")
        else
            order=(--command-name curl "$curl_cmd" --command-name soup-run "$soup_cmd")
        fi
        hyperfine --shell=none --warmup 5 --runs "$runs" --style none --export-json "$work/$name-$round.json" \
            "${order[@]}" >"$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log" >&2; exit 1; }
        echo "$name: round $round of $rounds done" >&2
    done
    python3 - "$work/$name"-*.json <<'PY'
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
}

# Peak RSS: the largest of 10 runs, in KiB as GNU time reports it.
peak_rss() {
    local max=0 kb
    for _ in $(seq 1 10); do
        kb="$(/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }')"
        [ "$kb" -gt "$max" ] && max="$kb"
    done
    echo "$max"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { if awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; then echo "ok"; else echo "MISSED"; fi; }

# report NAME URL RATIO_TARGET: measures and prints one protocol's lines.
report() {
    local name="$1" target="$2" goal="$3" soup_ms curl_ms ratio round_ratios soup_ir curl_ir soup_rss curl_rss
    read -r soup_ms curl_ms ratio round_ratios < <(compare "$name" "$target")
    [ -x "$soup_run_symbols" ] || { echo "$soup_run_symbols missing (run without --no-build)" >&2; exit 1; }
    soup_ir=$(instructions SOUP_TOKEN_FILE="$work/token" "$soup_run_symbols" --api-url "${target%%/projects/*}" my-app prod -- /bin/true)
    curl_ir=$(instructions "$(command -v curl)" -s -o /dev/null -H "Authorization: Bearer $token" "$target")
    soup_rss=$(peak_rss env -i SOUP_TOKEN_FILE="$work/token" "$soup_run" --api-url "${target%%/projects/*}" my-app prod -- /bin/true)
    curl_rss=$(peak_rss env -i curl -s -o /dev/null -H "Authorization: Bearer $token" "$target")
    echo
    echo "$name: median   soup-run ${soup_ms} ms   curl ${curl_ms} ms   ratio ${ratio}x (target ≤ ${goal}x: $(verdict "$ratio" "$goal"))"
    echo "$name:          $((rounds * runs)) runs each in ${rounds} rounds; the rounds' own ratios ranged ${round_ratios}"
    echo "$name: instr.   soup-run ${soup_ir} M (up to the exec)   curl ${curl_ir} M   ratio $(awk -v a="$soup_ir" -v b="$curl_ir" 'BEGIN { printf "%.2f", a / b }')x"
    echo "$name: peak RSS soup-run $(mib "$soup_rss") MiB   curl $(mib "$curl_rss") MiB (target ≤ 12 MiB: $(verdict "$(mib "$soup_rss")" 12))"
}

report http "$url" 0.4

if [ "$(id -u)" != 0 ]; then
    echo
    echo "https: skipped (adding the bench CA to the system trust store needs root)"
else
    # A CA and a certificate for 127.0.0.1, the CA in the machine's store only for this run.
    ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -keyout "$work/ca.key" -out "$work/ca.pem" -days 1 -subj "/CN=soup-run bench CA" 2>/dev/null
    openssl req "${ec[@]}" -keyout "$work/server.key" -out "$work/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > "$work/server.ext"
    openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
        -out "$work/server.pem" -days 1 -extfile "$work/server.ext" 2>/dev/null
    cp "$work/ca.pem" "$bench_ca"
    update-ca-certificates >/dev/null 2>&1
    curl -s -H "Authorization: Bearer $token" "$url" > "$work/body.json"
    python3 bench/tls-server.py "$work/server.pem" "$work/server.key" "$work/body.json" >"$work/tls.out" 2>"$work/tls.err" &
    tls_pid=$!
    tls_port=""
    for _ in $(seq 1 100); do
        tls_port="$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$work/tls.out")"
        [ -n "$tls_port" ] && break
        kill -0 "$tls_pid" 2>/dev/null || { cat "$work/tls.err" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$tls_port" ] || { echo "bench/tls-server.py did not become ready" >&2; exit 1; }
    report https "https://127.0.0.1:$tls_port/api/v1/projects/my-app/environments/prod/secrets" 0.3
fi
machine_line
