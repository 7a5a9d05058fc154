#!/usr/bin/env bash
# Installs what building and testing soup-run needs and the Swift toolchain does not bring:
# libcurl's and OpenSSL's headers, curl (tests and demo), and the shells and tools the tests drive.
# (scripts/static-libcurl.sh installs what the static release build needs on top: dpkg-dev, make.)
# Used by .ci/run and scripts/demo.sh; `--bench` adds what bench/ uses. Does nothing when everything
# is present; on macOS everything needed ships with Xcode's command-line tools (there --fallback has
# no libcrypto; see README).
set -euo pipefail
[ "$(uname -s)" = Linux ] || exit 0

need=()
have_header() { [ -f /usr/include/curl/curl.h ] || [ -f "/usr/include/$(uname -m)-linux-gnu/curl/curl.h" ]; }
have_header || need+=(libcurl4-openssl-dev)
# soup_tls.c sets OpenSSL up before libcurl; CSoupCrypto (--fallback) uses libcrypto; the static
# release links libssl.a and libcrypto.a.
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
command -v curl >/dev/null || need+=(curl)
# scripts/release.sh links libstdc++ statically (g++ has the archive) and checks with readelf.
command -v c++ >/dev/null || need+=(g++)
command -v readelf >/dev/null || need+=(binutils)
if [ "${1:-}" = --test ]; then
    # The test suite also drives these (each test says why it needs one).
    command -v bash >/dev/null || need+=(bash)
    command -v dash >/dev/null || need+=(dash)
    command -v zsh >/dev/null || need+=(zsh)
    command -v fish >/dev/null || need+=(fish)
    command -v unshare >/dev/null || need+=(util-linux)
    command -v python3 >/dev/null || need+=(python3)
    # The layers' HTTP/2 test serves h2 (TLS, ALPN) from Debian's python3 with the h2 package.
    { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import h2' 2>/dev/null; } || need+=(python3-h2)
    # The empty-root suite makes its CAs and certificates with openssl, its static helper with cc.
    command -v openssl >/dev/null || need+=(openssl)
    command -v cc >/dev/null || need+=(gcc)
    # The man page test renders docs/soup-run.1 with `man -l` (man-db brings groff).
    command -v man >/dev/null || need+=(man-db)
fi
if [ "${1:-}" = --bench ]; then
    # bench/fleet.sh compares soup-dev-server with nginx serving the same body, through wrk;
    # bench/poll-cost.sh counts instructions with callgrind.
    command -v wrk >/dev/null || need+=(wrk)
    command -v nginx >/dev/null || need+=(nginx-light)
    command -v valgrind >/dev/null || need+=(valgrind)
    command -v hyperfine >/dev/null || need+=(hyperfine)
fi
yaml_missing() { [ "${1:-}" = --test ] && command -v python3 >/dev/null && ! python3 -c 'import yaml' 2>/dev/null; }
if [ ${#need[@]} -eq 0 ]; then
    # The example tests read YAML with PyYAML, from PyPI when the python3 on PATH is not Debian's.
    if yaml_missing "${1:-}"; then python3 -m pip install -q pyyaml; fi
    exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing: ${need[*]} — install them with your package manager (Debian/Ubuntu: sudo apt-get install ${need[*]})" >&2
    exit 1
fi
echo "installing: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
if yaml_missing "${1:-}"; then python3 -m pip install -q pyyaml; fi
