#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of every parser that reads untrusted input.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
# Each target is fuzz/NAME/main.swift compiled together with the sources it exercises.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=.build-fuzz
mkdir -p "$out"

# Each target's sources and those of the modules they import, compiled as one module.
declare -A sources=(
    [json]="Sources/SoupCore/*.swift"
    [http]="Sources/SoupHTTP/*.swift Sources/SoupCore/*.swift"
    [dotenv]="Sources/SoupRun/Layers/DotenvParser.swift Sources/SoupRun/Layers/LayerOptions.swift
        Sources/SoupRun/CLI/ExportFormatter.swift Sources/SoupRun/CLI/UsageError.swift
        Sources/SoupRun/Configuration.swift Sources/SoupRun/ExitCode.swift Sources/SoupCore/*.swift"
)

status=0
for name in "${!sources[@]}"; do
    # One module, so `import SoupCore` lines are dropped from copies of the sources.
    src="$out/src-$name"
    rm -rf "$src"
    mkdir -p "$src"
    # shellcheck disable=SC2086
    for file in ${sources[$name]}; do
        sed '/^import SoupCore$/d' "$file" > "$src/$(basename "$(dirname "$file")")-$(basename "$file")"
    done
    swiftc -parse-as-library -sanitize=fuzzer,address -O fuzz/$name/main.swift "$src"/*.swift \
        -o "$out/fuzz-$name" 2> "$out/fuzz-$name.build.log" || { cat "$out/fuzz-$name.build.log"; exit 1; }
    mkdir -p "$out/corpus-$name"
    # Seed inputs, when the target has them, start the search from valid documents.
    [ -d "fuzz/$name/seeds" ] && cp -n fuzz/$name/seeds/* "$out/corpus-$name/" 2>/dev/null || true
    echo "fuzzing $name for ${seconds}s"
    if ! "$out/fuzz-$name" -max_total_time="$seconds" -print_final_stats=1 "$out/corpus-$name" \
        > "$out/fuzz-$name.log" 2>&1; then
        tail -40 "$out/fuzz-$name.log"
        status=1
    else
        grep -E "stat::number_of_executed_units|Done" "$out/fuzz-$name.log" | tail -1
    fi
done
exit $status
