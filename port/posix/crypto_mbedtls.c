/*
 * crypto_mbedtls.c - the stateless crypto primitives of port.h on top of
 * mbedTLS 2.28 (Debian's libmbedcrypto).
 *
 * AES-128-GCM (NIST SP 800-38D, 96-bit IV, truncated tags) is what DLMS
 * security suite 0 uses for ciphered APDUs and HLS-5 GMAC (IEC 62056-5-3,
 * Green Book "security suite 0"); SHA-256 serves image transfer and stored
 * state checksums. AES key wrap is in keywrap_nettle.c: Debian builds
 * mbedTLS without MBEDTLS_NIST_KW_C.
 *
 * Every function validates its arguments, maps mbedTLS errors to
 * EM_PORT_ERR_* and wipes its cipher contexts before returning. Nothing
 * here keeps state between calls.
 */
#include "port.h"

#include <stdbool.h>
#include <string.h>

#include <mbedtls/gcm.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#define GCM_TAG_MIN 4 /* mbedTLS and SP 800-38D accept 4..16 byte tags */
#define GCM_TAG_MAX 16

/* A length of 0 allows a NULL pointer; anything else needs a buffer. */
static bool buf_ok(const void *p, size_t len) {
    return len == 0 || p != NULL;
}

static bool gcm_args_ok(const uint8_t *key, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
                        const uint8_t *in, size_t len, const uint8_t *out, const uint8_t *tag,
                        size_t tag_len) {
    return key != NULL && iv != NULL && tag != NULL && tag_len >= GCM_TAG_MIN &&
           tag_len <= GCM_TAG_MAX && buf_ok(aad, aad_len) && buf_ok(in, len) && buf_ok(out, len);
}

int em_crypto_gcm_encrypt(const uint8_t key[EM_AES128_KEY_LEN], const uint8_t iv[EM_GCM_IV_LEN],
                          const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                          uint8_t *out, uint8_t *tag, size_t tag_len) {
    if (!gcm_args_ok(key, iv, aad, aad_len, in, len, out, tag, tag_len)) {
        return EM_PORT_ERR_BADARG;
    }
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, EM_AES128_KEY_LEN * 8);
    if (rc == 0) {
        rc = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, len, iv, EM_GCM_IV_LEN, aad,
                                       aad_len, in, out, tag_len, tag);
    }
    mbedtls_gcm_free(&gcm);
    if (rc != 0) {
        if (len > 0) {
            mbedtls_platform_zeroize(out, len);
        }
        mbedtls_platform_zeroize(tag, tag_len);
        return EM_PORT_ERR_CRYPTO;
    }
    return 0;
}

int em_crypto_gcm_decrypt(const uint8_t key[EM_AES128_KEY_LEN], const uint8_t iv[EM_GCM_IV_LEN],
                          const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                          uint8_t *out, const uint8_t *tag, size_t tag_len) {
    if (!gcm_args_ok(key, iv, aad, aad_len, in, len, out, tag, tag_len)) {
        return EM_PORT_ERR_BADARG;
    }
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, EM_AES128_KEY_LEN * 8);
    if (rc == 0) {
        /* mbedTLS compares the tag in constant time. */
        rc = mbedtls_gcm_auth_decrypt(&gcm, len, iv, EM_GCM_IV_LEN, aad, aad_len, tag, tag_len, in,
                                      out);
    }
    mbedtls_gcm_free(&gcm);
    if (rc != 0) {
        /* Never hand unauthenticated plaintext to the caller. */
        if (len > 0) {
            mbedtls_platform_zeroize(out, len);
        }
        return rc == MBEDTLS_ERR_GCM_AUTH_FAILED ? EM_PORT_ERR_AUTH : EM_PORT_ERR_CRYPTO;
    }
    return 0;
}

int em_crypto_sha256(const void *data, size_t len, uint8_t out[EM_SHA256_LEN]) {
    if (out == NULL || !buf_ok(data, len)) {
        return EM_PORT_ERR_BADARG;
    }
    if (mbedtls_sha256_ret(data, len, out, 0) != 0) {
        mbedtls_platform_zeroize(out, EM_SHA256_LEN);
        return EM_PORT_ERR_CRYPTO;
    }
    return 0;
}

/* ---- streaming SHA-256 ------------------------------------------------------------------ */

/* The mbedTLS context (no pointers in the software implementation) is
 * copied in and out of the opaque bytes, so no object is ever accessed
 * through a pointer of another type. */
_Static_assert(sizeof(mbedtls_sha256_context) <= EM_SHA256_CTX_SIZE,
               "EM_SHA256_CTX_SIZE too small for mbedtls_sha256_context");

static void sha_load(const em_sha256_ctx_t *ctx, mbedtls_sha256_context *m) {
    memcpy(m, ctx->opaque, sizeof(*m));
}

static void sha_store(em_sha256_ctx_t *ctx, const mbedtls_sha256_context *m) {
    memcpy(ctx->opaque, m, sizeof(*m));
}

int em_crypto_sha256_start(em_sha256_ctx_t *ctx) {
    if (ctx == NULL) {
        return EM_PORT_ERR_BADARG;
    }
    mbedtls_sha256_context m;
    mbedtls_sha256_init(&m);
    int rc = mbedtls_sha256_starts_ret(&m, 0);
    memset(ctx, 0, sizeof(*ctx));
    sha_store(ctx, &m);
    mbedtls_sha256_free(&m);
    return rc == 0 ? 0 : EM_PORT_ERR_CRYPTO;
}

int em_crypto_sha256_update(em_sha256_ctx_t *ctx, const void *data, size_t len) {
    if (ctx == NULL || !buf_ok(data, len)) {
        return EM_PORT_ERR_BADARG;
    }
    if (len == 0) {
        return 0;
    }
    mbedtls_sha256_context m;
    sha_load(ctx, &m);
    int rc = mbedtls_sha256_update_ret(&m, data, len);
    sha_store(ctx, &m);
    mbedtls_platform_zeroize(&m, sizeof(m));
    return rc == 0 ? 0 : EM_PORT_ERR_CRYPTO;
}

int em_crypto_sha256_finish(em_sha256_ctx_t *ctx, uint8_t out[EM_SHA256_LEN]) {
    if (ctx == NULL || out == NULL) {
        return EM_PORT_ERR_BADARG;
    }
    mbedtls_sha256_context m;
    sha_load(ctx, &m);
    int rc = mbedtls_sha256_finish_ret(&m, out);
    mbedtls_platform_zeroize(&m, sizeof(m));
    mbedtls_platform_zeroize(ctx, sizeof(*ctx));
    if (rc != 0) {
        mbedtls_platform_zeroize(out, EM_SHA256_LEN);
        return EM_PORT_ERR_CRYPTO;
    }
    return 0;
}
