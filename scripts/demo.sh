#!/usr/bin/env bash
# The README's first command. Builds soup-run and soup-dev-server, starts soup-dev-server with demo
# data on a free loopback port, runs the example app through soup-run (it reports the secrets it got,
# by name and size), prints an --export, then shows --watch restarting the app after a secret changes
# through the API. Cleans up everything it starts. Every wait is bounded.
# DEMO_BIN=DIR uses the soup-run and soup-dev-server in DIR instead of building (release binaries
# from scripts/release.sh; the tests, which cannot run swift build while swift test holds .build).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${DEMO_BIN:-}" ]; then
    bin=$DEMO_BIN
else
    scripts/prerequisites.sh
    swift build --product soup-run >/dev/null
    swift build --product soup-dev-server >/dev/null
    bin=$(swift build --show-bin-path)
fi
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# wait_for FILE PATTERN SECONDS: until a line of FILE matches, or fail.
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -q -- "$2" "$1" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            echo "demo: timed out waiting for '$2' in $1:" >&2
            cat "$1" >&2
            exit 1
        fi
        sleep 0.1
    done
}

"$bin/soup-dev-server" --port 0 --data "$work/state.json" >"$work/server.out" 2>"$work/server.log" &
pids+=($!)
wait_for "$work/server.out" "listening on" 20
url=$(sed -n 's/^listening on //p' "$work/server.out")
printf 'demo-token\n' >"$work/token"
export SOUP_API_URL=$url SOUP_TOKEN_FILE=$work/token
echo "== soup-dev-server is serving $url (demo project my-app: base, dev, prod)"

echo
echo "== soup-run my-app dev -- examples/app/app.sh"
"$bin/soup-run" my-app dev -- examples/app/app.sh

echo
echo "== soup-run my-app prod --export --format dotenv   (keys only shown here)"
"$bin/soup-run" my-app prod --export --format dotenv | cut -d= -f1

echo
echo "== soup-run --watch --interval 1 my-app dev -- examples/app/app.sh --serve"
"$bin/soup-run" --watch --interval 1 my-app dev -- examples/app/app.sh --serve >"$work/watch.log" 2>&1 &
watcher=$!
pids+=($watcher)
wait_for "$work/watch.log" "ready" 20
echo "-- changing FEATURE_BETA through the API"
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer demo-token" -H "Content-Type: application/json" \
    -d '{"key": "FEATURE_BETA", "value": "false-for-now"}' "$url/projects/my-app/environments/dev/secrets"
deadline=$((SECONDS + 20))
until [ "$(grep -c 'ready' "$work/watch.log")" -ge 2 ]; do
    [ $SECONDS -lt $deadline ] || { echo "demo: no restart seen" >&2; cat "$work/watch.log" >&2; exit 1; }
    sleep 0.1
done
kill -TERM "$watcher"
wait "$watcher" || true
cat "$work/watch.log"
echo
echo "== done: the app got its secrets, and was restarted with the new value after the change."
