#!/usr/bin/env bash
# --mask: throughput and added latency (not a test; figures for the README's performance table).
#
# Throughput: the environment holds 100 secrets of 8-64 bytes; the child writes SIZE MiB (default
# 200) of mixed text lines, one in 64 containing a secret value, to stdout. Side by side in one
# hyperfine run: the same child's output through `cat` in the pipeline (soup-run without --mask,
# so the fetch is in both) against soup-run --mask, each into `wc -c`. Target: ≥ 0.25× cat.
# Latency: a child that prints one line, `soup-run --mask` against `soup-run` (both fetch, both
# stay as the parent: the supervisor's `--file` reason keeps the plain one from exec'ing, so the
# difference is the filter: pipes, its thread and the flush at exit). Target: ≤ 5 ms added median.
#
# Usage: bench/mask.sh [--no-build] [--size MiB] [--runs N ≥ 10]
# Needs: swift, hyperfine, python3 (hyperfine installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 [--no-build] [--size MiB ≥ 1] [--runs N ≥ 10]" >&2; exit 64; }
build=1
size=200
runs=10
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --size) [ $# -ge 2 ] || usage; size="$2"; shift ;;
        --runs) [ $# -ge 2 ] || usage; runs="$2"; shift ;;
        *) usage ;;
    esac
    shift
done
[[ "$size" =~ ^[0-9]+$ && "$runs" =~ ^[0-9]+$ ]] && [ "$size" -ge 1 ] && [ "$runs" -ge 10 ] || usage

. bench/lib.sh
command -v hyperfine >/dev/null || bench_install hyperfine
bench_binaries "$build"
bench_workspace

# 100 secrets of 8-64 bytes (printable, so they appear in text as they are), and the text the
# child prints: lines of words and numbers, one in 64 carrying one of the values.
python3 - "$work" "$size" <<'PY'
import json, random, string, sys
work, size = sys.argv[1], int(sys.argv[2]) << 20
rng = random.Random(15)
alphabet = string.ascii_letters + string.digits + "-_./:+="
values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(8, 64))) for _ in range(100)]
secrets = {f"BENCH_SECRET_{i:03d}": v for i, v in enumerate(values)}
state = {"tokens": {"bench-token": {"projects": ["*"]}},
         "projects": {"bench": {"environments": {"mask": {"parent": None, "secrets": secrets}}}}}
json.dump(state, open(f"{work}/state.json", "w"))
words = ["build", "test", "INFO", "request", "GET", "/api/v1/items", "200", "ms", "worker", "connected",
         "retrying", "user=42", "ok", "cache", "hit", "miss", "{\"id\":", "\"name\":", "}", "0x7f3a"]
lines = []
for n in range(4096):
    line = " ".join(rng.choice(words) for _ in range(rng.randint(4, 14)))
    if n % 64 == 0:
        line += " secret=" + rng.choice(values)
    lines.append(f"{n:06d} {line}\n")
block = "".join(lines).encode()
with open(f"{work}/text", "wb") as out:
    written = 0
    while written < size:
        out.write(block[: size - written])
        written += min(len(block), size - written)
PY
start_dev_server "$work"
env_prefix="env -i PATH=/usr/bin:/bin SOUP_TOKEN=bench-token SOUP_API_URL=$api"
text="$work/text"

# The masked run must mask: no value may reach the output.
masked="$($env_prefix "$soup_run" --mask bench mask -- cat "$text" | grep -c 'secret=\*\*\*$' || true)"
expected="$(grep -c ' secret=' "$text")"
[ "$masked" = "$expected" ] || { echo "masked $masked lines of $expected" >&2; exit 1; }

machine_line
echo "throughput: $size MiB, 100 secrets of 8-64 bytes, $runs runs each, alternating"
hyperfine --warmup 1 --runs "$runs" --style none --export-json "$work/throughput.json" \
    -n cat "$env_prefix $soup_run bench mask -- cat $text | cat | wc -c" \
    -n mask "$env_prefix $soup_run --mask bench mask -- cat $text | wc -c" >/dev/null

# One line; --file keeps the unmasked soup-run as the parent too (a file in a private directory).
echo "latency: one line, $((runs * 5)) runs each"
hyperfine --shell=none --warmup 5 --runs "$((runs * 5))" --style none --export-json "$work/latency.json" \
    -n plain "$env_prefix $soup_run --file BENCH_SECRET_000 bench mask -- /bin/echo one line" \
    -n mask "$env_prefix $soup_run --mask --file BENCH_SECRET_000 bench mask -- /bin/echo one line" >/dev/null

python3 - "$work" "$size" <<'PY'
import json, sys
work, size = sys.argv[1], int(sys.argv[2])
def medians(name):
    return {r["command"]: r["median"] for r in json.load(open(f"{work}/{name}.json"))["results"]}
t = medians("throughput")
print(f"throughput median: through cat {t['cat']:.3f} s ({size / t['cat']:.0f} MiB/s), "
      f"--mask {t['mask']:.3f} s ({size / t['mask']:.0f} MiB/s): {t['cat'] / t['mask']:.2f}x cat (target >= 0.25x)")
l = medians("latency")
added = (l["mask"] - l["plain"]) * 1000
print(f"latency median: plain {l['plain'] * 1000:.2f} ms, --mask {l['mask'] * 1000:.2f} ms: "
      f"{added:+.2f} ms added, {l['mask'] / l['plain']:.2f}x (target <= 5 ms added)")
PY
