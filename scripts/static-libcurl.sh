#!/usr/bin/env bash
# Builds the minimal static libcurl that the static soup-run release links (scripts/release.sh):
# Debian's own curl source package (`apt-get source curl`: Debian's patched release), HTTP and
# HTTPS only, OpenSSL (Debian's libssl.a/libcrypto.a), the threaded resolver, everything else off.
# Usage: scripts/static-libcurl.sh [CACHE_DIR]   (default: .build/static-libcurl)
# Prints the prefix (CACHE_DIR/<version>-<flags hash>, with include/ and lib/libcurl.a) as its last
# line of stdout. A prefix built before for the same version and flags is reused (cached between
# runs): the version and the archive's sha256 are printed either way.
# Needs root on a Debian machine the first time (it adds a deb-src source for the mirror and suite
# the machine already uses, and installs the build tools); afterwards nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${1:-.build/static-libcurl}
log() { echo "static-libcurl: $*" >&2; }

# Everything but HTTP and HTTPS disabled: less to build (about 2 minutes on 2 cores), less to link,
# nothing to load at start. Proxies and Basic auth (for proxies) stay; the CA store is always given
# by soup-run (TrustStore.swift), so none is compiled in; OpenSSL's config file is never read.
# No nghttp2: this libcurl speaks HTTP/1.1 only, so the layers' GETs (--also) run side by side on
# a kept connection each instead of multiplexed on one over HTTP/2 (the development build's system
# libcurl has HTTP/2). For 2-4 small GETs the gain is a handshake or two, not worth a second
# network parser linked statically. Without socketpair, curl_multi_wakeup fails: the session
# driver then polls in 10 ms slices while a GET runs (soup_curl_session.c).
configure_flags=(
    --disable-shared --enable-static --with-pic --disable-dependency-tracking
    --with-openssl --enable-threaded-resolver --enable-ipv6
    --disable-openssl-auto-load-config
    --without-ca-bundle --without-ca-path --without-ca-fallback
    --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp --disable-dict
    --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp
    --disable-gopher --disable-mqtt --disable-manual --disable-libcurl-option --disable-cookies
    --disable-alt-svc --disable-hsts --disable-doh --disable-mime --disable-netrc --disable-ntlm
    --disable-ntlm-wb --disable-tls-srp --disable-unix-sockets --disable-dateparse
    --disable-progress-meter --disable-kerberos-auth --disable-negotiate-auth --disable-aws
    --disable-sspi --disable-socketpair --disable-get-easy-options --disable-websockets
    --without-zlib --without-brotli --without-zstd --without-libpsl --without-nghttp2
    --without-nghttp3 --without-ngtcp2 --without-quiche --without-msh3 --without-libidn2
    --without-librtmp --without-libssh --without-libssh2 --without-wolfssh --without-libgsasl
    --without-gssapi --without-hyper
)

[ "$(uname -s)" = Linux ] || { log "only for Linux"; exit 1; }
candidate() { apt-cache policy curl 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }'; }
version=$(candidate)
if [ -z "$version" ] && [ "$(id -u)" = 0 ]; then
    # A fresh image with its package lists removed (docker images): read them once.
    apt-get update -qq
    version=$(candidate)
fi
[ -n "$version" ] || { log "apt knows no curl package; is this Debian (run apt-get update)?"; exit 1; }
flags_hash=$(printf '%s\n' "${configure_flags[@]}" | sha256sum | cut -c1-12)
prefix="$cache/$version-$flags_hash"
archive="$prefix/lib/libcurl.a"

report() {
    log "libcurl $(sed -n 's/^#define LIBCURL_VERSION "\(.*\)"/\1/p' "$prefix/include/curl/curlver.h")" \
        "from Debian's curl $version; sha256 $(sha256sum "$archive" | cut -d' ' -f1)"
    case "$prefix" in /*) echo "$prefix" ;; *) echo "$PWD/$prefix" ;; esac
}
if [ -f "$archive" ] && [ -f "$prefix/include/curl/curl.h" ]; then
    report
    exit 0
fi

# deb-src entries for the sources the machine already uses (deb822 stanzas and one-line
# sources.list entries both), once: `apt-get source` needs them and fresh machines have none.
ensure_deb_src() {
    apt-cache showsrc curl 2>/dev/null | grep -q '^Package: curl' && return 0
    [ "$(id -u)" = 0 ] || { log "no deb-src entries for curl; run once as root to add them"; exit 1; }
    local target=/etc/apt/sources.list.d/soup-run-deb-src.sources
    {
        echo "# Added by soup-run's scripts/static-libcurl.sh: source packages of the sources below."
        for file in /etc/apt/sources.list.d/*.sources; do
            [ -f "$file" ] && [ "$file" != "$target" ] || continue
            # Each stanza whose Types include deb, again with Types: deb-src.
            awk 'BEGIN { RS = ""; ORS = "\n\n" }
                 /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t\n]|$)/ && !/(^|\n)Enabled: *no/ {
                     sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print }' "$file"
        done
        for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$file" ] || continue
            sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(http[^[:space:]]*\)[[:space:]]\+\(.*\)$/Types: deb-src\nURIs: \2\nSuites: \3\n/p' "$file" |
                awk '/^Suites:/ { n = split($0, a, /[ \t]+/); printf "Suites: %s\nComponents:", a[2]; for (i = 3; i <= n; i++) printf " %s", a[i]; print ""; next } { print }'
        done
    } > "$target.new"
    mv "$target.new" "$target"
    log "added deb-src entries in $target"
    apt-get update -qq
}

install_build_tools() {
    local need=()
    command -v cc >/dev/null || need+=(gcc)
    command -v make >/dev/null || need+=(make)
    command -v dpkg-source >/dev/null || need+=(dpkg-dev)
    command -v pkg-config >/dev/null || need+=(pkg-config)
    [ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
    [ ${#need[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || { log "missing: ${need[*]}"; exit 1; }
    log "installing: ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

ensure_deb_src
install_build_tools
work="$cache/build-$version"
rm -rf "$work"
mkdir -p "$work"
log "fetching Debian's curl $version source package"
(cd "$work" && apt-get source -qq "curl=$version" >/dev/null 2>&1) || {
    (cd "$work" && apt-get source "curl=$version") >&2
    exit 1
}
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'curl-*' | head -n 1)
[ -n "$src" ] || { log "apt-get source left no curl-* directory in $work"; exit 1; }
# Debian's patches edit Makefile.am/configure.ac; make would try to rerun automake for them. The
# shipped configure and Makefile.in are what this build uses, so give them newer timestamps.
find "$src" -name Makefile.in -o -name configure -o -name aclocal.m4 -o -name curl_config.h.in |
    xargs touch
log "building libcurl (HTTP/HTTPS, OpenSSL, threaded resolver) in $src"
(
    cd "$src"
    ./configure --prefix="$PWD/../prefix" "${configure_flags[@]}" CFLAGS="-O2 -g0" >"../configure.log" 2>&1 ||
        { tail -n 40 ../configure.log >&2; exit 1; }
    make -C lib -j"$(nproc)" >"../make.log" 2>&1 || { tail -n 40 ../make.log >&2; exit 1; }
    make -C lib install >>"../make.log" 2>&1 && make -C include install >>"../make.log" 2>&1 ||
        { tail -n 40 ../make.log >&2; exit 1; }
)
rm -rf "$prefix"
mkdir -p "$prefix/lib"
cp -R "$work/prefix/include" "$prefix/include"
cp "$work/prefix/lib/libcurl.a" "$archive"
rm -rf "$work"
report
