#!/usr/bin/env bash
# --export against the exec path, in instructions (callgrind), at 10,000 secrets: both fetch the
# same environment from a local soup-dev-server; --export formats and writes it, the exec path
# merges it, checks the kernel's limits, builds envp and calls execve. The command is an
# executable file the kernel refuses (ENOEXEC), so soup-run does all of that and then exits 126
# under callgrind: a successful exec would replace the process before callgrind writes its count.
# Both sort keys with the same byte sort (EnvironmentBlock). Target: export ≤ 1.2× exec.
#
# Usage: bench/export-sort.sh [--no-build] [--secrets N] [--format FORMAT]
# Needs: swift, valgrind, python3 (valgrind installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 [--no-build] [--secrets N ≥ 1] [--format shell|dotenv|json|fish]" >&2; exit 64; }
build=1
secrets=10000
format=shell
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --secrets) [ $# -ge 2 ] || usage; secrets="$2"; shift ;;
        --format) [ $# -ge 2 ] || usage; format="$2"; shift ;;
        *) usage ;;
    esac
    shift
done
[[ "$secrets" =~ ^[0-9]+$ ]] && [ "$secrets" -ge 1 ] || usage
case "$format" in shell | dotenv | json | fish) ;; *) usage ;; esac

. bench/lib.sh
command -v valgrind >/dev/null || bench_install valgrind
bench_binaries "$build"
bench_workspace

# The state file, written directly (10,000 POSTs would take minutes): one environment holding
# N secrets in random key order, values of realistic length.
python3 - "$work/state.json" "$secrets" <<'PY'
import json, random, sys
path, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
keys = [f"BENCH_{rng.getrandbits(48):012X}_{i}" for i in range(count)]
rng.shuffle(keys)
secrets = {k: f"value-{i}-0123456789abcdefghijklmnopqrstuvwxyz" for i, k in enumerate(keys)}
state = {"tokens": {"bench-token": {"projects": ["*"]}},
         "projects": {"bench": {"environments": {"big": {"parent": None, "secrets": secrets}}}}}
json.dump(state, open(path, "w"))
PY
start_dev_server "$work"

instructions() { # LABEL EXPECTED-STATUS ARGS...: total instructions of one soup-run run under callgrind
    local label="$1" expected="$2" status=0
    shift 2
    env -i PATH=/usr/bin:/bin SOUP_TOKEN=bench-token SOUP_API_URL="$api" \
        valgrind --tool=callgrind --callgrind-out-file="$work/$label.out" "$soup_run" "$@" \
        >"$work/$label.stdout" 2>"$work/$label.err" || status=$?
    [ "$status" = "$expected" ] || { echo "$label exited $status, not $expected:" >&2; cat "$work/$label.err" >&2; exit 1; }
    sed -n 's/^summary: *//p' "$work/$label.out"
}
printf '\0not a program\n' >"$work/refused"
chmod 0755 "$work/refused"
exported="$(instructions export 0 bench big --export --format "$format")"
lines="$(grep -c . "$work/export.stdout" || true)"
[ "$format" = json ] || [ "$lines" = "$secrets" ] || { echo "export printed $lines lines for $secrets secrets" >&2; exit 1; }
execed="$(instructions exec 126 bench big -- "$work/refused")"

machine_line
echo "secrets: $secrets, export format: $format"
echo "exec path (soup-run … -- CMD, through execve):  $execed instructions"
echo "--export (to a file):                           $exported instructions"
python3 -c "import sys; e, x = int(sys.argv[1]), int(sys.argv[2]); r = x / e; print(f'ratio export / exec: {r:.3f} (target ≤ 1.2)'); sys.exit(0 if r <= 1.2 else 1)" "$execed" "$exported"
