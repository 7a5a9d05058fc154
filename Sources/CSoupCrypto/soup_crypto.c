/*
 * soup_crypto.c: random bytes, HKDF-SHA256 and AES-256-GCM through libcrypto (OpenSSL 3's
 * default provider, or its EVP interface; no deprecated call), for the fallback copy. HKDF and
 * HMAC are the RFC constructions over libcrypto's SHA-256 (tested against RFC 5869's vectors).
 * Kept deliberately small: no state, no allocation that outlives a call, every key wiped.
 */
#include "soup_crypto.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__)
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <pthread.h>
#include <sys/random.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#endif

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

/*
 * Why not plain EVP on OpenSSL 3: the first EVP fetch in a process builds libcrypto's name map and
 * the method store of every cipher (about 6 million instructions, 1.5 ms, more than soup-run's
 * whole start-up work). soup-run needs two algorithms, so on OpenSSL 3 it asks the default
 * provider for their dispatch tables (public API, <openssl/core_dispatch.h>) and calls them
 * directly: about 50 thousand instructions. When that is not possible (OpenSSL 1.1, a
 * configuration without the default provider), the EVP calls below do the same work.
 */
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
typedef struct gcm_functions {
    OSSL_FUNC_cipher_newctx_fn *newctx;
    OSSL_FUNC_cipher_freectx_fn *freectx;
    OSSL_FUNC_cipher_encrypt_init_fn *encrypt_init;
    OSSL_FUNC_cipher_decrypt_init_fn *decrypt_init;
    OSSL_FUNC_cipher_update_fn *update;
    OSSL_FUNC_cipher_final_fn *final;
    OSSL_FUNC_cipher_get_ctx_params_fn *get_params;
    OSSL_FUNC_cipher_set_ctx_params_fn *set_params;
} gcm_functions;

typedef struct sha_functions {
    OSSL_FUNC_digest_newctx_fn *newctx;
    OSSL_FUNC_digest_freectx_fn *freectx;
    OSSL_FUNC_digest_init_fn *init;
    OSSL_FUNC_digest_update_fn *update;
    OSSL_FUNC_digest_final_fn *final;
} sha_functions;

static int have_direct;
static void *provider_context;
static gcm_functions gcm_direct;
static sha_functions sha_direct;
/* The implementation of `name` (one of an algorithm's colon-separated names) for `operation`. */
static const OSSL_DISPATCH *find_algorithm(OSSL_PROVIDER *provider, int operation, const char *name) {
    int no_cache = 0;
    size_t length = strlen(name);
    for (const OSSL_ALGORITHM *a = OSSL_PROVIDER_query_operation(provider, operation, &no_cache);
         a != NULL && a->algorithm_names != NULL; a++) {
        for (const char *n = a->algorithm_names; n != NULL; n = strchr(n, ':') ? strchr(n, ':') + 1 : NULL) {
            if (strncmp(n, name, length) == 0 && (n[length] == ':' || n[length] == 0)) return a->implementation;
        }
    }
    return NULL;
}

static void (*function(const OSSL_DISPATCH *table, int id))(void) {
    for (; table != NULL && table->function_id != 0; table++) {
        if (table->function_id == id) return table->function;
    }
    return NULL;
}

static void load_provider(void) {
    /* As soup_tls.c does for libcurl, and for the same reasons (no openssl.cnf, which could make a
       static binary dlopen modules; no error strings): the first initialisation's choice sticks,
       and loading a provider would otherwise read the configuration (--offline never starts libcurl). */
    (void)OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
    OSSL_PROVIDER *provider = OSSL_PROVIDER_load(NULL, "default");
    if (provider == NULL) return;
    const OSSL_DISPATCH *gcm = find_algorithm(provider, OSSL_OP_CIPHER, "AES-256-GCM");
    const OSSL_DISPATCH *sha = find_algorithm(provider, OSSL_OP_DIGEST, "SHA2-256");
    gcm_direct = (gcm_functions){
        (OSSL_FUNC_cipher_newctx_fn *)function(gcm, OSSL_FUNC_CIPHER_NEWCTX),
        (OSSL_FUNC_cipher_freectx_fn *)function(gcm, OSSL_FUNC_CIPHER_FREECTX),
        (OSSL_FUNC_cipher_encrypt_init_fn *)function(gcm, OSSL_FUNC_CIPHER_ENCRYPT_INIT),
        (OSSL_FUNC_cipher_decrypt_init_fn *)function(gcm, OSSL_FUNC_CIPHER_DECRYPT_INIT),
        (OSSL_FUNC_cipher_update_fn *)function(gcm, OSSL_FUNC_CIPHER_UPDATE),
        (OSSL_FUNC_cipher_final_fn *)function(gcm, OSSL_FUNC_CIPHER_FINAL),
        (OSSL_FUNC_cipher_get_ctx_params_fn *)function(gcm, OSSL_FUNC_CIPHER_GET_CTX_PARAMS),
        (OSSL_FUNC_cipher_set_ctx_params_fn *)function(gcm, OSSL_FUNC_CIPHER_SET_CTX_PARAMS),
    };
    sha_direct = (sha_functions){
        (OSSL_FUNC_digest_newctx_fn *)function(sha, OSSL_FUNC_DIGEST_NEWCTX),
        (OSSL_FUNC_digest_freectx_fn *)function(sha, OSSL_FUNC_DIGEST_FREECTX),
        (OSSL_FUNC_digest_init_fn *)function(sha, OSSL_FUNC_DIGEST_INIT),
        (OSSL_FUNC_digest_update_fn *)function(sha, OSSL_FUNC_DIGEST_UPDATE),
        (OSSL_FUNC_digest_final_fn *)function(sha, OSSL_FUNC_DIGEST_FINAL),
    };
    provider_context = OSSL_PROVIDER_get0_provider_ctx(provider);
    /* The provider stays loaded for the life of the process (its tables are used from here on). */
    have_direct = provider_context != NULL && gcm_direct.newctx && gcm_direct.freectx && gcm_direct.encrypt_init &&
                  gcm_direct.decrypt_init && gcm_direct.update && gcm_direct.final && gcm_direct.get_params &&
                  gcm_direct.set_params && sha_direct.newctx && sha_direct.freectx && sha_direct.init &&
                  sha_direct.update && sha_direct.final;
}
#else
static int have_direct;
static void load_provider(void) {}
#endif

static pthread_once_t provider_once = PTHREAD_ONCE_INIT;

static int direct(void) {
    pthread_once(&provider_once, load_provider);
    return have_direct;
}

/* SHA-256 of the concatenation of `count` byte strings. */
static int sha256(const uint8_t *const *parts, const size_t *lengths, size_t count, uint8_t out[32]) {
    int ok = 1;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    if (direct()) {
        void *ctx = sha_direct.newctx(provider_context);
        if (!ctx) return 0;
        size_t written = 0;
        ok = sha_direct.init(ctx, NULL);
        for (size_t i = 0; ok && i < count; i++) ok = sha_direct.update(ctx, parts[i], lengths[i]);
        ok = ok && sha_direct.final(ctx, out, &written, 32) && written == 32;
        sha_direct.freectx(ctx);
        return ok;
    }
#endif
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return 0;
    unsigned int written = 0;
    ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) > 0;
    for (size_t i = 0; ok && i < count; i++) ok = EVP_DigestUpdate(ctx, parts[i], lengths[i]) > 0;
    ok = ok && EVP_DigestFinal_ex(ctx, out, &written) > 0 && written == 32;
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* HMAC-SHA256 (RFC 2104) of the concatenation of two byte strings. */
static int hmac_sha256(const uint8_t *key, size_t key_length, const uint8_t *a, size_t a_length, const uint8_t *b,
                       size_t b_length, uint8_t out[32]) {
    uint8_t block[64] = {0}, pad[64], inner[32];
    int ok = 1;
    if (key_length > 64) {
        const uint8_t *parts[] = {key};
        ok = sha256(parts, &key_length, 1, block);
    } else if (key_length > 0) {
        memcpy(block, key, key_length);
    }
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
    const uint8_t *inner_parts[] = {pad, a, b};
    const size_t inner_lengths[] = {64, a_length, b_length};
    ok = ok && sha256(inner_parts, inner_lengths, 3, inner);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5c;
    const uint8_t *outer_parts[] = {pad, inner};
    const size_t outer_lengths[] = {64, 32};
    ok = ok && sha256(outer_parts, outer_lengths, 2, out);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    return ok;
}

int soup_crypto_hkdf_sha256(const uint8_t *secret, size_t secret_length, const uint8_t *salt, size_t salt_length,
                            const uint8_t *info, size_t info_length, uint8_t *out, size_t out_length) {
    if (out_length > 32) return SOUP_CRYPTO_FAILED;
    /* RFC 5869 with one block: PRK = HMAC(salt, IKM); OKM = first out_length bytes of HMAC(PRK, info | 0x01). */
    uint8_t prk[32], block[32];
    const uint8_t counter[1] = {1};
    int ok = hmac_sha256(salt, salt_length, secret, secret_length, NULL, 0, prk) &&
             hmac_sha256(prk, 32, info, info_length, counter, 1, block);
    if (ok) memcpy(out, block, out_length);
    OPENSSL_cleanse(prk, sizeof prk);
    OPENSSL_cleanse(block, sizeof block);
    return ok ? SOUP_CRYPTO_OK : SOUP_CRYPTO_FAILED;
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
/* GCM through the provider's dispatch table (see above). */
static int gcm_direct_call(int encrypt, const uint8_t *key, const uint8_t *nonce, const uint8_t *aad,
                           size_t aad_length, const uint8_t *in, size_t length, uint8_t *out, uint8_t *tag) {
    void *ctx = gcm_direct.newctx(provider_context);
    if (!ctx) return SOUP_CRYPTO_FAILED;
    size_t n = 0;
    uint8_t rest[16];
    int result = SOUP_CRYPTO_FAILED;
    int ok = encrypt ? gcm_direct.encrypt_init(ctx, key, SOUP_CRYPTO_KEY_BYTES, nonce, SOUP_CRYPTO_NONCE_BYTES, NULL)
                     : gcm_direct.decrypt_init(ctx, key, SOUP_CRYPTO_KEY_BYTES, nonce, SOUP_CRYPTO_NONCE_BYTES, NULL);
    /* A NULL output makes the update associated data; the provider still wants room for it. */
    ok = ok && (aad_length == 0 || gcm_direct.update(ctx, NULL, &n, aad_length, aad, aad_length));
    ok = ok && (length == 0 || gcm_direct.update(ctx, out, &n, length, in, length));
    if (ok && !encrypt) {
        OSSL_PARAM set[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, SOUP_CRYPTO_TAG_BYTES),
                            OSSL_PARAM_construct_end()};
        ok = gcm_direct.set_params(ctx, set);
    }
    if (ok) {
        if (!gcm_direct.final(ctx, rest, &n, sizeof rest)) {
            result = encrypt ? SOUP_CRYPTO_FAILED : SOUP_CRYPTO_REJECTED;
        } else if (encrypt) {
            OSSL_PARAM get[] = {
                OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, SOUP_CRYPTO_TAG_BYTES),
                OSSL_PARAM_construct_end()};
            result = gcm_direct.get_params(ctx, get) ? SOUP_CRYPTO_OK : SOUP_CRYPTO_FAILED;
        } else {
            result = SOUP_CRYPTO_OK;
        }
    }
    gcm_direct.freectx(ctx);
    return result;
}
#endif

/* One GCM operation: `encrypt` 1 seals (and writes the tag), 0 opens (and checks it). */
static int gcm(int encrypt, const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_length,
               const uint8_t *in, size_t length, uint8_t *out, uint8_t *tag) {
    if (length > (size_t)0x7fffffff || aad_length > (size_t)0x7fffffff) return SOUP_CRYPTO_FAILED;
    int result = SOUP_CRYPTO_FAILED;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    if (direct()) {
        result = gcm_direct_call(encrypt, key, nonce, aad, aad_length, in, length, out, tag);
        goto wiped;
    }
#endif
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx) return SOUP_CRYPTO_FAILED;
    int n = 0;
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
wiped:
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

/* For tests: whether the provider's tables are used (1) or the EVP calls (0). */
int soup_crypto_uses_provider_tables(void) { return direct(); }

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

int soup_crypto_uses_provider_tables(void) { return 0; }

void soup_crypto_wipe(void *p, size_t length) {
    volatile uint8_t *bytes = p;
    while (length--) *bytes++ = 0;
}
#endif
