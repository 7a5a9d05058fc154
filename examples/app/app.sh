#!/bin/sh
# Example app for soup-run: reports which secrets it received, by name and size, never by value.
#   app.sh            print the report and exit 0
#   app.sh --serve    print the report, then stay up until SIGTERM/SIGINT (for --watch, Docker, systemd)
#   app.sh --exit N   print the report and exit with status N (CI examples: the code passes through)
# The keys it looks for default to the demo data of soup-dev-server; set APP_KEYS to change them.
keys=${APP_KEYS:-"LOG_LEVEL DB_HOST DB_PORT DB_NAME DB_PASSWORD DATABASE_URL FEATURE_BETA"}

report() {
    seen=""
    missing=""
    for key in $keys; do
        if eval "[ -n \"\${$key+set}\" ]"; then
            eval "size=\$(printf '%s' \"\$$key\" | wc -c)"
            seen="$seen $key($((size))B)"
        else
            missing="$missing $key"
        fi
    done
    echo "app[$$]: secrets:${seen:- none}"
    [ -z "$missing" ] || echo "app[$$]: not set:$missing"
    if [ -n "${SOUP_TOKEN+set}${SOUP_TOKEN_FILE+set}" ]; then
        echo "app[$$]: the API token is in my environment"
    else
        echo "app[$$]: no API token in my environment"
    fi
}

case "${1:-}" in
    --serve)
        sleeper=""
        trap 'echo "app[$$]: stopping"; [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null; exit 0' TERM INT
        report
        echo "app[$$]: ready"
        # Wait in the shell (not in a foreground sleep) so the trap runs as soon as a signal arrives.
        # When the stop signal reaches the whole process group, the sleep dies of it too and some
        # shells (dash) report "Terminated" for it: not an error of the app, so keep it off stderr.
        while :; do
            sleep 3600 &
            sleeper=$!
            wait "$sleeper" 2>/dev/null
        done
        ;;
    --exit)
        report
        exit "${2:-0}"
        ;;
    "")
        report
        ;;
    *)
        echo "usage: app.sh [--serve | --exit N]" >&2
        exit 64
        ;;
esac
