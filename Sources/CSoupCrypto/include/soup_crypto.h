#ifndef SOUP_CRYPTO_H
#define SOUP_CRYPTO_H
/*
 * The one place soup-run talks to a cryptography library (OpenSSL's libcrypto): random bytes,
 * HKDF-SHA256 and AES-256-GCM, for the encrypted fallback copy. Everything else (the file
 * format, what is bound into the associated data, when to read or write) lives in Swift.
 *
 * Builds without libcrypto (macOS, whose SDK ships no OpenSSL headers) compile the same
 * functions as stubs that return SOUP_CRYPTO_UNAVAILABLE, so the rest of soup-run still builds.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Results of every function below. */
#define SOUP_CRYPTO_OK 0
/* Authentication failed: wrong key, or the data or associated data were changed. */
#define SOUP_CRYPTO_REJECTED 1
/* libcrypto reported an error (out of memory, a bad parameter). */
#define SOUP_CRYPTO_FAILED 2
/* This build has no libcrypto. */
#define SOUP_CRYPTO_UNAVAILABLE 3

#define SOUP_CRYPTO_KEY_BYTES 32
#define SOUP_CRYPTO_NONCE_BYTES 12
#define SOUP_CRYPTO_TAG_BYTES 16

/* Fills `out` with `length` bytes from the kernel's random source (getrandom, arc4random_buf). */
int soup_crypto_random(uint8_t *out, size_t length);

/* HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info`, into `out` (at most 32 bytes: one block). */
int soup_crypto_hkdf_sha256(const uint8_t *secret, size_t secret_length, const uint8_t *salt, size_t salt_length,
                            const uint8_t *info, size_t info_length, uint8_t *out, size_t out_length);

/*
 * AES-256-GCM with a 12-byte nonce and a 16-byte tag. `out` receives `length` bytes (the
 * ciphertext, or the plaintext on open); it may equal `in`. `open` returns SOUP_CRYPTO_REJECTED
 * when the tag does not verify, and then leaves `out` zeroed.
 */
int soup_crypto_aes256gcm_seal(const uint8_t key[SOUP_CRYPTO_KEY_BYTES], const uint8_t nonce[SOUP_CRYPTO_NONCE_BYTES],
                               const uint8_t *aad, size_t aad_length, const uint8_t *in, size_t length, uint8_t *out,
                               uint8_t tag[SOUP_CRYPTO_TAG_BYTES]);
int soup_crypto_aes256gcm_open(const uint8_t key[SOUP_CRYPTO_KEY_BYTES], const uint8_t nonce[SOUP_CRYPTO_NONCE_BYTES],
                               const uint8_t *aad, size_t aad_length, const uint8_t *in, size_t length,
                               const uint8_t tag[SOUP_CRYPTO_TAG_BYTES], uint8_t *out);

/* 1 when the default provider's tables are called directly (OpenSSL 3), 0 for EVP or no libcrypto. */
int soup_crypto_uses_provider_tables(void);

/* Overwrites `length` bytes at `p` in a way the compiler may not remove (keys, plaintext). */
void soup_crypto_wipe(void *p, size_t length);

#ifdef __cplusplus
}
#endif
#endif
