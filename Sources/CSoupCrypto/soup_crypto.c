/*
 * soup_crypto.c: random bytes, HKDF-SHA256 and AES-256-GCM through libcrypto's EVP interface
 * (the same calls in OpenSSL 1.1 and 3.x, none of them deprecated), for the fallback copy.
 * Kept deliberately small: no state, no allocation that outlives a call, every key wiped.
 */
#include "soup_crypto.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__)
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sys/random.h>

int soup_crypto_random(uint8_t *out, size_t length) {
    /* getrandom blocks only until the kernel's pool is first initialised; at most 256 bytes are
       guaranteed per call, so loop (EINTR included). */
    size_t done = 0;
    while (done < length) {
        size_t want = length - done > 256 ? 256 : length - done;
        ssize_t n = getrandom(out + done, want, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return SOUP_CRYPTO_FAILED;
        }
        done += (size_t)n;
    }
    return SOUP_CRYPTO_OK;
}

int soup_crypto_hkdf_sha256(const uint8_t *secret, size_t secret_length, const uint8_t *salt, size_t salt_length,
                            const uint8_t *info, size_t info_length, uint8_t *out, size_t out_length) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    if (!ctx) return SOUP_CRYPTO_FAILED;
    size_t length = out_length;
    int ok = EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
             EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt, (int)salt_length) > 0 &&
             EVP_PKEY_CTX_set1_hkdf_key(ctx, secret, (int)secret_length) > 0 &&
             EVP_PKEY_CTX_add1_hkdf_info(ctx, info, (int)info_length) > 0 && EVP_PKEY_derive(ctx, out, &length) > 0 &&
             length == out_length;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) OPENSSL_cleanse(out, out_length);
    return ok ? SOUP_CRYPTO_OK : SOUP_CRYPTO_FAILED;
}

/* One GCM operation: `encrypt` 1 seals (and writes the tag), 0 opens (and checks it). */
static int gcm(int encrypt, const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_length,
               const uint8_t *in, size_t length, uint8_t *out, uint8_t *tag) {
    if (length > (size_t)0x7fffffff || aad_length > (size_t)0x7fffffff) return SOUP_CRYPTO_FAILED;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx) return SOUP_CRYPTO_FAILED;
    int n = 0;
    int result = SOUP_CRYPTO_FAILED;
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) <= 0) goto done;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SOUP_CRYPTO_NONCE_BYTES, NULL) <= 0) goto done;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, encrypt) <= 0) goto done;
    if (aad_length > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_length) <= 0) goto done;
    if (length > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)length) <= 0) goto done;
    if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SOUP_CRYPTO_TAG_BYTES, tag) <= 0) goto done;
    /* GCM writes nothing at the end; the buffer only gives the call somewhere to point. */
    uint8_t rest[16];
    if (EVP_CipherFinal_ex(ctx, rest, &n) <= 0) {
        /* On open, a final that fails is the tag not verifying. */
        result = encrypt ? SOUP_CRYPTO_FAILED : SOUP_CRYPTO_REJECTED;
        goto done;
    }
    if (encrypt && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SOUP_CRYPTO_TAG_BYTES, tag) <= 0) goto done;
    result = SOUP_CRYPTO_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    /* Never hand back unauthenticated plaintext. */
    if (result != SOUP_CRYPTO_OK && length > 0) OPENSSL_cleanse(out, length);
    return result;
}

int soup_crypto_aes256gcm_seal(const uint8_t key[SOUP_CRYPTO_KEY_BYTES], const uint8_t nonce[SOUP_CRYPTO_NONCE_BYTES],
                               const uint8_t *aad, size_t aad_length, const uint8_t *in, size_t length, uint8_t *out,
                               uint8_t tag[SOUP_CRYPTO_TAG_BYTES]) {
    return gcm(1, key, nonce, aad, aad_length, in, length, out, tag);
}

int soup_crypto_aes256gcm_open(const uint8_t key[SOUP_CRYPTO_KEY_BYTES], const uint8_t nonce[SOUP_CRYPTO_NONCE_BYTES],
                               const uint8_t *aad, size_t aad_length, const uint8_t *in, size_t length,
                               const uint8_t tag[SOUP_CRYPTO_TAG_BYTES], uint8_t *out) {
    uint8_t copy[SOUP_CRYPTO_TAG_BYTES];
    memcpy(copy, tag, sizeof copy);
    return gcm(0, key, nonce, aad, aad_length, in, length, out, copy);
}

void soup_crypto_wipe(void *p, size_t length) { OPENSSL_cleanse(p, length); }

#else
/* No libcrypto in this build: every operation says so, and the Swift side reports it. */
#include <stdlib.h>

int soup_crypto_random(uint8_t *out, size_t length) {
    arc4random_buf(out, length);
    return SOUP_CRYPTO_OK;
}

int soup_crypto_hkdf_sha256(const uint8_t *secret, size_t secret_length, const uint8_t *salt, size_t salt_length,
                            const uint8_t *info, size_t info_length, uint8_t *out, size_t out_length) {
    (void)secret; (void)secret_length; (void)salt; (void)salt_length; (void)info; (void)info_length;
    memset(out, 0, out_length);
    return SOUP_CRYPTO_UNAVAILABLE;
}

int soup_crypto_aes256gcm_seal(const uint8_t key[SOUP_CRYPTO_KEY_BYTES], const uint8_t nonce[SOUP_CRYPTO_NONCE_BYTES],
                               const uint8_t *aad, size_t aad_length, const uint8_t *in, size_t length, uint8_t *out,
                               uint8_t tag[SOUP_CRYPTO_TAG_BYTES]) {
    (void)key; (void)nonce; (void)aad; (void)aad_length; (void)in; (void)length; (void)out; (void)tag;
    return SOUP_CRYPTO_UNAVAILABLE;
}

int soup_crypto_aes256gcm_open(const uint8_t key[SOUP_CRYPTO_KEY_BYTES], const uint8_t nonce[SOUP_CRYPTO_NONCE_BYTES],
                               const uint8_t *aad, size_t aad_length, const uint8_t *in, size_t length,
                               const uint8_t tag[SOUP_CRYPTO_TAG_BYTES], uint8_t *out) {
    (void)key; (void)nonce; (void)aad; (void)aad_length; (void)in; (void)tag;
    if (length > 0) memset(out, 0, length);
    return SOUP_CRYPTO_UNAVAILABLE;
}

void soup_crypto_wipe(void *p, size_t length) {
    volatile uint8_t *bytes = p;
    while (length--) *bytes++ = 0;
}
#endif
