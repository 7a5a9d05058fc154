#!/usr/bin/env bash
# A 16 MiB response of ~1.28 M tiny keys ({"K0":"","K1":"",...}, just under the body cap). Two
# cases, each for the build measured and, side by side in the same run, a baseline binary (e.g.
# main's): peak RSS (/usr/bin/time -v maximum resident set size) and wall time of
#   exec:   `soup-run my-app prod -- /bin/true`, far more than exec can take: soup-run must refuse
#           it (exit 126) while reading it;
#   export: `soup-run --export my-app prod` (default format), which keeps the 16 MiB cap only:
#           exit 0 and one line per key.
# Target for both: peak RSS ≤ 3× the body + 16 MiB (64 MiB).
#
# Usage: bench/huge-body.sh [--no-build] [--after BINARY] [--before BINARY] [--runs N ≥ 1]
#   --after defaults to the release build (scripts/release.sh, built unless --no-build).
# Needs: python3, /usr/bin/time (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 [--no-build] [--after BINARY] [--before BINARY] [--runs N ≥ 1]" >&2; exit 64; }
build=1
after=""
before=""
runs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --after) [ $# -ge 2 ] || usage; after="$2"; shift ;;
        --before) [ $# -ge 2 ] || usage; before="$2"; shift ;;
        --runs) [ $# -ge 2 ] || usage; runs="$2"; shift ;;
        *) usage ;;
    esac
    shift
done
[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || usage

. bench/lib.sh
install_missing time:time
if [ -z "$after" ]; then
    bench_binaries "$build"
    after="$soup_run"
fi
bench_workspace

python3 - "$work/body.json" <<'PY'
import sys
limit, parts, n = 16 * 1024 * 1024, ['{"data":{'], 0
size = len(parts[0])
while True:
    member = ("," if n else "") + f'"K{n}":""'
    if size + len(member) + 2 > limit: break
    parts.append(member); size += len(member); n += 1
open(sys.argv[1], "w").write("".join(parts) + "}}")
print(f"body: {size + 2} bytes, {n} keys")
open(sys.argv[1] + ".keys", "w").write(str(n))
PY
keys="$(cat "$work/body.json.keys")"
cat >"$work/serve.py" <<'PY'
import http.server, sys
body = open(sys.argv[1], "rb").read()
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
PY
python3 "$work/serve.py" "$work/body.json" >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
    url="$(sed -n 's/^listening on //p' "$work/serve.out" 2>/dev/null || true)"
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "the body server did not start" >&2; exit 1; }

measure() { # CASE LABEL BINARY: median peak RSS (MiB) and wall time (s) over $runs runs
    local case="$1" label="$2" binary="$3" i status expected args
    case "$case" in
        exec) expected=126; args=(my-app prod -- /bin/true) ;;
        export) expected=0; args=(--export my-app prod) ;;
    esac
    : >"$work/$label.txt"
    for i in $(seq 1 "$runs"); do
        status=0
        env -i PATH=/usr/bin:/bin SOUP_TOKEN=bench-token /usr/bin/time -f "%M %e" -o "$work/time.txt" \
            "$binary" --api-url "$url/api/v1" --retries 0 "${args[@]}" >"$work/$label.out" 2>"$work/$label.err" ||
            status=$?
        [ "$status" = "$expected" ] ||
            { echo "$case $label exited $status, not $expected:" >&2; head -c 2000 "$work/$label.err" >&2; exit 1; }
        if [ "$case" = export ] && [ "$(wc -l <"$work/$label.out")" != "$keys" ]; then
            echo "export $label printed $(wc -l <"$work/$label.out") lines, not $keys" >&2
            exit 1
        fi
        cat "$work/time.txt" >>"$work/$label.txt"
    done
    python3 - "$case $label" "$work/$label.txt" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[2]) if line[:1].isdigit()]
rss = statistics.median(int(r[0]) for r in rows) / 1024
wall = statistics.median(float(r[1]) for r in rows)
print(f"{sys.argv[1]}: peak RSS {rss:.1f} MiB, wall {wall:.2f} s (medians of {len(rows)})")
PY
}
machine_line
for case in exec export; do
    [ -z "$before" ] || measure "$case" before "$before"
    measure "$case" after "$after"
done
echo "bound: 3 × 16 MiB + 16 MiB = 64 MiB"
