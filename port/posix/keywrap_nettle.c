/*
 * keywrap_nettle.c - AES-128 key wrap (RFC 3394) for the key transfer of
 * Security setup (class 64), from GNU Nettle.
 *
 * Why Nettle and not mbedTLS: Debian builds mbedTLS 2.28 without
 * MBEDTLS_NIST_KW_C, so libmbedcrypto exports no key wrap, and emeter never
 * writes a cipher mode of its own. A microcontroller port that builds
 * mbedTLS from source enables MBEDTLS_NIST_KW_C (or uses its AES peripheral
 * with a vendor key-wrap routine) behind the same two functions.
 */
#include "port.h"

#include <string.h>

#include <nettle/aes.h>
#include <nettle/nist-keywrap.h>

#define KW_HALF      8    /* RFC 3394 works on 64-bit half blocks */
#define KW_MIN_PLAIN 16   /* at least two half blocks of key data */
#define KW_MAX_PLAIN 4096 /* far above any key; bounds the 6n AES calls */

/* RFC 3394 §2.2.3.1 default initial value. */
static const uint8_t kw_default_iv[KW_HALF] = {0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6};

static int plain_len_ok(size_t len) {
    return len % KW_HALF == 0 && len >= KW_MIN_PLAIN && len <= KW_MAX_PLAIN;
}

/* Wipe through a volatile pointer so the compiler cannot drop the stores. */
static void wipe(void *p, size_t len) {
    volatile uint8_t *v = p;
    while (len--)
        *v++ = 0;
}

int em_crypto_aes_wrap(const uint8_t kek[EM_AES128_KEY_LEN], const uint8_t *in, size_t len,
                       uint8_t *out) {
    if (kek == NULL || in == NULL || out == NULL || !plain_len_ok(len))
        return EM_PORT_ERR_BADARG;
    struct aes128_ctx ctx;
    aes128_set_encrypt_key(&ctx, kek);
    aes128_keywrap(&ctx, kw_default_iv, len + KW_HALF, out, in);
    wipe(&ctx, sizeof(ctx));
    return 0;
}

int em_crypto_aes_unwrap(const uint8_t kek[EM_AES128_KEY_LEN], const uint8_t *in, size_t len,
                         uint8_t *out) {
    if (kek == NULL || in == NULL || out == NULL || len < KW_HALF || !plain_len_ok(len - KW_HALF))
        return EM_PORT_ERR_BADARG;
    struct aes128_ctx ctx;
    aes128_set_decrypt_key(&ctx, kek);
    /* Nettle checks the integrity value in constant time and returns 0 on
     * mismatch. */
    int ok = aes128_keyunwrap(&ctx, kw_default_iv, len - KW_HALF, out, in);
    wipe(&ctx, sizeof(ctx));
    if (!ok) {
        wipe(out, len - KW_HALF);
        return EM_PORT_ERR_AUTH;
    }
    return 0;
}
