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
        stop=""
        sleeper=""
        # The trap notes the stop and ends the current sleep; the loop checks the note after
        # starting each sleep, so a signal that lands between `sleep &` and `sleeper=$!` still
        # ends that sleep. SIGKILL, because a just-forked child runs the shell's TERM handler
        # until it has become `sleep`, and would swallow a TERM and sleep on for an hour.
        trap 'stop=1; [ -z "$sleeper" ] || kill -KILL "$sleeper" 2>/dev/null' TERM INT
        report
        echo "app[$$]: ready"
        # Wait in the shell (not in a foreground sleep) so the trap runs as soon as a signal arrives.
        while [ -z "$stop" ]; do
            sleep 3600 &
            sleeper=$!
            [ -z "$stop" ] || kill -KILL "$sleeper" 2>/dev/null
            # Some shells (dash) report a sleep that a signal ended ("Terminated", "Killed"): no
            # error of the app's, so not on stderr.
            wait "$sleeper" 2>/dev/null
        done
        wait "$sleeper" 2>/dev/null  # reap the last sleep: the app leaves nothing behind
        echo "app[$$]: stopping"
        exit 0
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
