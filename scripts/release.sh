#!/usr/bin/env bash
# Builds the release binaries soup-run and soup-dev-server: optimized, stripped. On Linux both are
# fully static (no NEEDED entries; they run in any image, `scratch` included): the Swift runtime,
# libstdc++, glibc, a minimal libcurl built from Debian's curl source package
# (scripts/static-libcurl.sh, cached between runs) and Debian's libssl.a/libcrypto.a.
# On macOS they link the system's libcurl as the development build does.
# Usage: scripts/release.sh [OUT_DIR]          (default: dist/)
#        scripts/release.sh --locate-libstdcxx (prints the libstdc++.a the link uses, or fails)
# On Linux it fails when a binary is dynamic or when the Swift runtime's /proc/self/maps argv scan
# is linked into soup-run.
set -euo pipefail
cd "$(dirname "$0")/.."

# libstdc++.a, which the static Swift runtime needs, as the C++ compiler at hand reports it: `c++`,
# else the toolchain's own clang (the official swift:*-bookworm images have clang++ and
# libstdc++-12-dev, but no `c++`). -print-file-name echoes the bare name when it finds nothing.
locate_libstdcxx() {
    local swiftc toolchain compiler archive
    swiftc=$(command -v swiftc 2>/dev/null || true)
    toolchain=""
    [ -z "$swiftc" ] || toolchain=$(dirname "$(readlink -f "$swiftc")")
    for compiler in c++ clang++ ${toolchain:+"$toolchain/clang++"} ${toolchain:+"$toolchain/clang"} g++; do
        command -v "$compiler" >/dev/null 2>&1 || continue
        archive=$("$compiler" -print-file-name=libstdc++.a 2>/dev/null || true)
        if [[ "$archive" == /* ]] && [ -f "$archive" ]; then
            readlink -f "$archive"
            return 0
        fi
    done
    echo "release: libstdc++.a not found through c++, clang++ or the Swift toolchain's clang" \
        "(install libstdc++-12-dev or g++)" >&2
    return 1
}
if [ "${1:-}" = --locate-libstdcxx ]; then
    locate_libstdcxx
    exit
fi

out=${1:-dist}
mkdir -p "$out"

# No $ORIGIN rpath: the binaries load nothing from beside themselves, and the loader skips the lookups.
# Generic type metadata through direct accessor calls rather than by demangling mangled names at
# first use: about half a million fewer instructions at start (callgrind), for a little more code.
flags=(-c release --disable-local-rpath -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors)
linux=0
[ "$(uname -s)" = Linux ] && linux=1
if [ "$linux" = 1 ]; then
    libstdcxx=$(locate_libstdcxx)
    curl_prefix=$(scripts/static-libcurl.sh | tail -n 1)
    # -static-executable makes the linker take archives only; `-lcurl` then finds this linker
    # script, which names the minimal libcurl and, after it, the OpenSSL archives it needs. Any
    # other -lssl/-lcrypto on the command line (a target of ours linking libcrypto) resolves to
    # Debian's libssl.a/libcrypto.a the same way, so no order of the -l flags leaves one unresolved.
    link=.build/static-link
    mkdir -p "$link"
    echo "INPUT($curl_prefix/lib/libcurl.a -lssl -lcrypto)" > "$link/libcurl.a"
    flags+=(-Xswiftc -static-executable -Xcc -DSOUP_STATIC_EXECUTABLE -Xcc "-I$curl_prefix/include"
        -Xlinker "-L$PWD/$link" -Xlinker "-L$(dirname "$libstdcxx")")
fi

# The linker's "Using 'getaddrinfo'/'dlopen' in statically linked applications requires ... shared
# libraries" warnings are expected: glibc 2.36 has the files and dns lookups built in (all
# getaddrinfo needs with /etc/hosts and /etc/resolv.conf), and OpenSSL loads no module (soup_tls.c).
swift build "${flags[@]}" --product soup-run
swift build "${flags[@]}" --product soup-dev-server
bin=$(swift build "${flags[@]}" --show-bin-path)
if [ "$linux" = 1 ]; then
    # soup_argv.c replaces the runtime's argv lookup, a /proc/self/maps scan at every start.
    case "$(nm "$bin/soup-run")" in
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
# For profiling (bench/cold-start.sh's callgrind): the same binary with its symbol table, without
# the DWARF that older valgrind cannot read.
if [ "${SOUP_RELEASE_SYMBOLS:-}" = 1 ]; then strip -g -o "$out/soup-run.symbols" "$bin/soup-run"; fi

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }
for name in soup-run soup-dev-server; do
    echo "== $out/$name: $(wc -c < "$out/$name") bytes, sha256 $(sha256 "$out/$name")"
    if [ "$linux" = 1 ]; then
        echo "   $(ldd "$out/$name" 2>&1 | head -n 1 | sed 's/^[[:space:]]*//')"
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

if [ "$linux" = 1 ]; then
    for name in soup-run soup-dev-server; do
        # Static: no program interpreter and no shared library needed.
        needed=$(readelf -d "$out/$name" 2>/dev/null | awk '/NEEDED/ {gsub(/[][]/, "", $NF); printf "%s ", $NF}')
        interpreter=$(readelf -l "$out/$name" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
        if [ -n "$needed$interpreter" ]; then
            echo "release: $name is dynamic (interpreter: ${interpreter:-none}; needs: ${needed:-nothing})" >&2
            exit 1
        fi
    done
    echo "release: both binaries are static (no interpreter, no NEEDED entries)"
fi
