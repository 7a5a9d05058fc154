#!/usr/bin/env bash
# Builds the release binaries soup-run and soup-dev-server: optimized, the Swift runtime and (on
# Linux) libstdc++ linked statically, stripped. At run time they need only libc and libcurl.
# Usage: scripts/release.sh [OUT_DIR]   (default: dist/)
# On Linux it fails when a binary links anything beyond libc (libm, the loader), libcurl and libcrypto.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
mkdir -p "$out"

# No $ORIGIN rpath: the binaries load nothing from beside themselves, and the loader skips the lookups.
# Generic type metadata through direct accessor calls rather than by demangling mangled names at
# first use: about half a million fewer instructions at start (callgrind), for a little more code.
flags=(-c release --disable-local-rpath -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors)
if [ "$(uname -s)" = Linux ]; then
    flags+=(--static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -static-libgcc)
    # The static Swift runtime asks for -lstdc++; a linker script of that name that points at the
    # archive makes the linker take libstdc++ statically too, so the binary needs no libstdc++.so.
    archive=$(c++ -print-file-name=libstdc++.a 2>/dev/null || true)
    if [ -n "$archive" ] && [ -f "$archive" ]; then
        shim=.build/static-libstdcxx
        mkdir -p "$shim"
        echo "INPUT($archive)" > "$shim/libstdc++.so"
        flags+=(-Xlinker "-L$PWD/$shim")
    else
        echo "release: libstdc++.a not found (install g++); the binary will need libstdc++.so.6" >&2
    fi
fi

swift build "${flags[@]}" --product soup-run
swift build "${flags[@]}" --product soup-dev-server
bin=$(swift build "${flags[@]}" --show-bin-path)
libc=$(ldd --version 2>&1 || true)
if [ "$(uname -s)" = Linux ] && [[ "$libc" == *GLIBC* || "$libc" == *"GNU libc"* ]]; then
    # soup_argv.c replaces the runtime's argv lookup, a /proc/self/maps scan at every start.
    symbols=$(nm "$bin/soup-run")
    case "$symbols" in
        *argvGrabber*)
            echo "release: the Swift runtime's argv scan is linked into soup-run again; this toolchain" \
                "no longer uses _swift_stdlib_getUnsafeArgvArgc (see Sources/CSoupProcess/soup_argv.c)" >&2
            exit 1 ;;
    esac
fi
for name in soup-run soup-dev-server; do
    cp "$bin/$name" "$out/$name"
    strip "$out/$name" 2>/dev/null || strip -x "$out/$name"
done

for name in soup-run soup-dev-server; do
    echo "== $out/$name: $(wc -c < "$out/$name") bytes"
    if command -v ldd >/dev/null; then
        # Direct needs (what the binary itself links), then ldd's full list (libcurl's own libraries).
        echo "   direct: $(readelf -d "$out/$name" | awk '/NEEDED/ {gsub(/[][]/, "", $NF); printf "%s ", $NF}')"
        ldd "$out/$name" | sed 's/^/   /'
    else
        otool -L "$out/$name"
    fi
done
"$out/soup-run" --version
# The arguments reach the program (CommandLine reads what soup_argv.c recorded).
case "$("$out/soup-run" --help)" in
    *$'\nUsage:'*) ;;
    *) echo "release: soup-run --help did not print its usage" >&2; exit 1 ;;
esac

if [ "$(uname -s)" = Linux ]; then
    for name in soup-run soup-dev-server; do
        extra=$(readelf -d "$out/$name" | awk '/NEEDED/ {gsub(/[][]/, "", $NF); print $NF}' |
            grep -vE '^(libc\.so\.6|libm\.so\.6|libcurl\.so\.4|libcrypto\.so\.[0-9.]+|ld-linux[-a-z0-9_.]*\.so\.[0-9]+)$' || true)
        if [ -n "$extra" ]; then
            echo "release: $name needs more than libc, libcurl and libcrypto: $extra" >&2
            exit 1
        fi
    done
    echo "release: both binaries need only libc, libcurl and libcrypto"
fi
