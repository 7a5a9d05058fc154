/*
 * OpenSSL set up before libcurl's own initialisation, so that it reads no configuration file and
 * loads no error strings.
 *
 * Why: OpenSSL reads `openssl.cnf` at its first initialisation (libcurl asks for that), and the
 * file may name providers or engines to load: in a static binary that would `dlopen` modules
 * built against a shared libc, and everywhere it costs start-up time, as does loading the
 * error-string tables (together more than half of `curl_global_init`, callgrind). OpenSSL runs
 * each part of its initialisation once, and the first caller's choice sticks: asking first for
 * "no config, no strings, no cipher names" makes libcurl's later request a no-op. Certificate verification does
 * not depend on either (its messages come from X509_verify_cert_error_string, not the tables).
 * Nor does it fill the legacy name table of every cipher (EVP_get_cipherbyname): OpenSSL 3's TLS
 * fetches its ciphers from the providers, and filling that table was a quarter of soup-run's
 * instructions before an http exec (1.41 M -> 1.03 M, callgrind). The digests' table stays:
 * verification looks a certificate's signature digest up there (without it every CA is "too
 * weak"). TLS 1.2 with CBC-SHA1, CBC-SHA256, GCM and ChaCha20, and TLS 1.3, were checked against
 * `openssl s_server`; the empty-root suites verify over https.
 * Only where libcurl uses OpenSSL (Linux); macOS's libcurl brings its own TLS.
 */
#include "soup_curl.h"

#if defined(__linux__) && __has_include(<openssl/ssl.h>)
#include <openssl/ssl.h>

void soup_tls_init(void) {
    (void)OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_SSL_STRINGS
                               | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_ADD_ALL_CIPHERS,
                           NULL);
}
#else
void soup_tls_init(void) {}
#endif
