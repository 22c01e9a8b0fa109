/*
 * test_crypto_port.c - the crypto primitives of port.h (POSIX port over
 * mbedTLS) against published vectors: Green Book AES-GCM examples
 * (dlms-facts §3.1-3.3), RFC 3394 §4.1 key wrap, FIPS 180-2 SHA-256.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "test_hex.h"

/* Decodes a hex string into buf (test helper); returns the byte count. */

static bool all_zero(const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

/* Green Book example keys and server IV (dlms-facts §3.1). */
static uint8_t ek[16], ak[16], iv_server[12], iv_client[12];

static int setup_keys(void **state) {
    (void)state;
    test_unhex("000102030405060708090A0B0C0D0E0F", ek, sizeof ek);
    test_unhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF", ak, sizeof ak);
    test_unhex("4D4D4D0000BC614E01234567", iv_server, sizeof iv_server);
    test_unhex("4D4D4D000000000100000001", iv_client, sizeof iv_client);
    return 0;
}

/* AAD = SC || AK (|| extra) */
static size_t make_aad(uint8_t sc, const char *extra_hex, uint8_t *aad, size_t cap) {
    aad[0] = sc;
    memcpy(aad + 1, ak, 16);
    return 17 + (extra_hex ? test_unhex(extra_hex, aad + 17, cap - 17) : 0);
}

static void test_gcm_encrypt_green_book(void **state) {
    (void)state;
    uint8_t pt[13], ct[13], tag[12], exp_ct[13], exp_tag[12], aad[17];
    test_unhex("C0010000080000010000FF0200", pt, sizeof pt);
    test_unhex("411312FF935A47566827C467BC", exp_ct, sizeof exp_ct);
    test_unhex("7D825C3BE4A77C3FCC056B6B", exp_tag, sizeof exp_tag);
    size_t aad_len = make_aad(0x30, NULL, aad, sizeof aad);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, aad, aad_len, pt, sizeof pt, ct, tag, 12),
                     0);
    assert_memory_equal(ct, exp_ct, sizeof ct);
    assert_memory_equal(tag, exp_tag, sizeof tag);
}

static void test_gcm_decrypt_green_book(void **state) {
    (void)state;
    uint8_t ct[13], tag[12], pt[13], exp_pt[13], aad[17];
    test_unhex("411312FF935A47566827C467BC", ct, sizeof ct);
    test_unhex("7D825C3BE4A77C3FCC056B6B", tag, sizeof tag);
    test_unhex("C0010000080000010000FF0200", exp_pt, sizeof exp_pt);
    size_t aad_len = make_aad(0x30, NULL, aad, sizeof aad);
    assert_int_equal(em_crypto_gcm_decrypt(ek, iv_server, aad, aad_len, ct, sizeof ct, pt, tag, 12),
                     0);
    assert_memory_equal(pt, exp_pt, sizeof pt);
}

/* Authentication only (SC 0x10): GMAC over SC || AK || plaintext. */
static void test_gcm_gmac_auth_only(void **state) {
    (void)state;
    uint8_t aad[64], tag[12], exp_tag[12];
    size_t aad_len = make_aad(0x10, "C0010000080000010000FF0200", aad, sizeof aad);
    test_unhex("06725D910F9221D263877516", exp_tag, sizeof exp_tag);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, aad, aad_len, NULL, 0, NULL, tag, 12), 0);
    assert_memory_equal(tag, exp_tag, sizeof tag);
    assert_int_equal(em_crypto_gcm_decrypt(ek, iv_server, aad, aad_len, NULL, 0, NULL, tag, 12), 0);
}

/* Encryption only (SC 0x20): same ciphertext as with authentication. */
static void test_gcm_encrypt_only(void **state) {
    (void)state;
    uint8_t pt[13], ct[13], tag[12], exp_ct[13];
    test_unhex("C0010000080000010000FF0200", pt, sizeof pt);
    test_unhex("411312FF935A47566827C467BC", exp_ct, sizeof exp_ct);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, NULL, 0, pt, sizeof pt, ct, tag, 12), 0);
    assert_memory_equal(ct, exp_ct, sizeof ct);
}

/* Ciphered InitiateRequest (dlms-facts §3.2). */
static void test_gcm_initiate_request(void **state) {
    (void)state;
    uint8_t pt[31], ct[31], tag[12], exp_ct[31], exp_tag[12], aad[17], back[31];
    size_t n =
        test_unhex("01011000112233445566778899AABBCCDDEEFF0000065F1F0400007E1F04B0", pt, sizeof pt);
    assert_int_equal(n, 31);
    test_unhex("801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE68", exp_ct, sizeof exp_ct);
    test_unhex("41DB204D39EE6FDB8E356855", exp_tag, sizeof exp_tag);
    size_t aad_len = make_aad(0x30, NULL, aad, sizeof aad);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, aad, aad_len, pt, n, ct, tag, 12), 0);
    assert_memory_equal(ct, exp_ct, n);
    assert_memory_equal(tag, exp_tag, 12);
    assert_int_equal(em_crypto_gcm_decrypt(ek, iv_server, aad, aad_len, ct, n, back, tag, 12), 0);
    assert_memory_equal(back, pt, n);
}

/* HLS-5 pass 3 and 4 tags (dlms-facts §3.3). */
static void test_gcm_hls_gmac(void **state) {
    (void)state;
    uint8_t aad[64], tag[12], exp[12];
    size_t aad_len = make_aad(0x10, "503677524A323146", aad, sizeof aad);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_client, aad, aad_len, NULL, 0, NULL, tag, 12), 0);
    test_unhex("1A52FE7DD3E72748973C1E28", exp, sizeof exp);
    assert_memory_equal(tag, exp, 12);

    aad_len = make_aad(0x10, "4B35366956616759", aad, sizeof aad);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, aad, aad_len, NULL, 0, NULL, tag, 12), 0);
    test_unhex("FE1466AFB3DBCD4F9389E2B7", exp, sizeof exp);
    assert_memory_equal(tag, exp, 12);
}

/* A truncated tag is a prefix of the full 16-byte tag. */
static void test_gcm_tag_lengths(void **state) {
    (void)state;
    uint8_t pt[13], ct[13], tag16[16], tag4[4], aad[17];
    test_unhex("C0010000080000010000FF0200", pt, sizeof pt);
    size_t aad_len = make_aad(0x30, NULL, aad, sizeof aad);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, aad, aad_len, pt, 13, ct, tag16, 16), 0);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, aad, aad_len, pt, 13, ct, tag4, 4), 0);
    uint8_t exp[12];
    test_unhex("7D825C3BE4A77C3FCC056B6B", exp, sizeof exp);
    assert_memory_equal(tag16, exp, 12);
    assert_memory_equal(tag4, exp, 4);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, aad, aad_len, pt, 13, ct, tag16, 3),
                     EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, aad, aad_len, pt, 13, ct, tag16, 17),
                     EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_gcm_decrypt(ek, iv_server, aad, aad_len, ct, 13, pt, tag16, 3),
                     EM_PORT_ERR_BADARG);
}

static void test_gcm_bad_args(void **state) {
    (void)state;
    uint8_t buf[16] = {0}, tag[12] = {0};
    assert_int_equal(em_crypto_gcm_encrypt(NULL, iv_server, NULL, 0, buf, 1, buf, tag, 12),
                     EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_gcm_encrypt(ek, NULL, NULL, 0, buf, 1, buf, tag, 12),
                     EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, NULL, 5, buf, 1, buf, tag, 12),
                     EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, NULL, 0, NULL, 1, buf, tag, 12),
                     EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, NULL, 0, buf, 1, NULL, tag, 12),
                     EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_gcm_encrypt(ek, iv_server, NULL, 0, buf, 1, buf, NULL, 12),
                     EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_gcm_decrypt(ek, iv_server, NULL, 0, buf, 1, NULL, tag, 12),
                     EM_PORT_ERR_BADARG);
}

/* Any flipped bit in ciphertext, tag, AAD, IV or key: EM_PORT_ERR_AUTH and
 * a zeroed output. */
static void test_gcm_tag_mismatch(void **state) {
    (void)state;
    uint8_t ct[13], tag[12], aad[17], pt[13];
    test_unhex("411312FF935A47566827C467BC", ct, sizeof ct);
    test_unhex("7D825C3BE4A77C3FCC056B6B", tag, sizeof tag);
    size_t aad_len = make_aad(0x30, NULL, aad, sizeof aad);
    uint8_t *fields[] = {ct, tag, aad, iv_server, ek};
    size_t lens[] = {sizeof ct, sizeof tag, aad_len, 12, 16};
    for (size_t f = 0; f < 5; f++) {
        for (size_t bit = 0; bit < lens[f] * 8; bit++) {
            fields[f][bit / 8] ^= (uint8_t)(1u << (bit % 8));
            memset(pt, 0xAA, sizeof pt);
            int rc = em_crypto_gcm_decrypt(ek, iv_server, aad, aad_len, ct, 13, pt, tag, 12);
            fields[f][bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_int_equal(rc, EM_PORT_ERR_AUTH);
            assert_true(all_zero(pt, sizeof pt));
        }
    }
}

static void test_key_wrap_rfc3394(void **state) {
    (void)state;
    uint8_t kek[16], key[16], wrapped[24], exp[24], back[16];
    test_unhex("000102030405060708090a0b0c0d0e0f", kek, sizeof kek);
    test_unhex("00112233445566778899aabbccddeeff", key, sizeof key);
    test_unhex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", exp, sizeof exp);
    assert_int_equal(em_crypto_aes_wrap(kek, key, 16, wrapped), 0);
    assert_memory_equal(wrapped, exp, 24);
    assert_int_equal(em_crypto_aes_unwrap(kek, exp, 24, back), 0);
    assert_memory_equal(back, key, 16);
}

/* Longer key data round trips (RFC 3394 allows any n >= 2 blocks). */
static void test_key_wrap_round_trip_long(void **state) {
    (void)state;
    uint8_t kek[16], data[32], wrapped[40], back[32];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 7 + 1);
    }
    memset(kek, 0x5A, sizeof kek);
    assert_int_equal(em_crypto_aes_wrap(kek, data, 32, wrapped), 0);
    assert_memory_not_equal(wrapped + 8, data, 32);
    assert_int_equal(em_crypto_aes_unwrap(kek, wrapped, 40, back), 0);
    assert_memory_equal(back, data, 32);
}

static void test_key_unwrap_integrity(void **state) {
    (void)state;
    uint8_t kek[16], wrapped[24], back[16];
    test_unhex("000102030405060708090a0b0c0d0e0f", kek, sizeof kek);
    test_unhex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", wrapped, sizeof wrapped);
    for (size_t bit = 0; bit < 24 * 8; bit++) {
        wrapped[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        memset(back, 0xAA, sizeof back);
        int rc = em_crypto_aes_unwrap(kek, wrapped, 24, back);
        wrapped[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(rc, EM_PORT_ERR_AUTH);
        assert_true(all_zero(back, sizeof back));
    }
    kek[0] ^= 1; /* wrong KEK */
    assert_int_equal(em_crypto_aes_unwrap(kek, wrapped, 24, back), EM_PORT_ERR_AUTH);
}

static void test_key_wrap_bad_lengths(void **state) {
    (void)state;
    uint8_t kek[16] = {0}, in[40] = {0}, out[48];
    assert_int_equal(em_crypto_aes_wrap(kek, in, 8, out), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_aes_wrap(kek, in, 17, out), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_aes_wrap(kek, in, 0, out), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_aes_wrap(NULL, in, 16, out), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_aes_unwrap(kek, in, 16, out), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_aes_unwrap(kek, in, 25, out), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_aes_unwrap(kek, in, 0, out), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_aes_unwrap(kek, NULL, 24, out), EM_PORT_ERR_BADARG);
}

static void check_sha256(const char *msg, const char *hex) {
    uint8_t digest[EM_SHA256_LEN], exp[EM_SHA256_LEN];
    test_unhex(hex, exp, sizeof exp);
    assert_int_equal(em_crypto_sha256(msg, strlen(msg), digest), 0);
    assert_memory_equal(digest, exp, sizeof exp);
}

/* FIPS 180-2 appendix B examples and the empty message. */
static void test_sha256(void **state) {
    (void)state;
    check_sha256("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha256("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    uint8_t digest[EM_SHA256_LEN];
    assert_int_equal(em_crypto_sha256(NULL, 0, digest), 0);
    assert_int_equal(em_crypto_sha256(NULL, 3, digest), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_sha256("abc", 3, NULL), EM_PORT_ERR_BADARG);
}

/* The streaming API gives the one-shot digest however the data is cut,
 * and survives a copy of its context between updates (lib/ keeps it in a
 * state struct). */
static void test_sha256_stream(void **state) {
    (void)state;
    static const char msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    uint8_t one[EM_SHA256_LEN], got[EM_SHA256_LEN];
    size_t n = strlen(msg);
    assert_int_equal(em_crypto_sha256(msg, n, one), 0);
    for (size_t cut = 0; cut <= n; cut++) {
        em_sha256_ctx_t a, b;
        assert_int_equal(em_crypto_sha256_start(&a), 0);
        assert_int_equal(em_crypto_sha256_update(&a, msg, cut), 0);
        memcpy(&b, &a, sizeof(a));
        memset(&a, 0xA5, sizeof(a));
        assert_int_equal(em_crypto_sha256_update(&b, NULL, 0), 0);
        assert_int_equal(em_crypto_sha256_update(&b, msg + cut, n - cut), 0);
        assert_int_equal(em_crypto_sha256_finish(&b, got), 0);
        assert_memory_equal(got, one, sizeof(one));
    }
    /* one million 'a' (FIPS 180-2 B.3) in 1000-byte pieces */
    em_sha256_ctx_t c;
    uint8_t a1000[1000], exp[EM_SHA256_LEN];
    memset(a1000, 'a', sizeof(a1000));
    assert_int_equal(em_crypto_sha256_start(&c), 0);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(em_crypto_sha256_update(&c, a1000, sizeof(a1000)), 0);
    }
    assert_int_equal(em_crypto_sha256_finish(&c, got), 0);
    test_unhex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", exp,
               sizeof(exp));
    assert_memory_equal(got, exp, sizeof(exp));
    assert_int_equal(em_crypto_sha256_start(NULL), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_sha256_start(&c), 0);
    assert_int_equal(em_crypto_sha256_update(&c, NULL, 1), EM_PORT_ERR_BADARG);
    assert_int_equal(em_crypto_sha256_finish(&c, NULL), EM_PORT_ERR_BADARG);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_gcm_encrypt_green_book, setup_keys),
        cmocka_unit_test_setup(test_gcm_decrypt_green_book, setup_keys),
        cmocka_unit_test_setup(test_gcm_gmac_auth_only, setup_keys),
        cmocka_unit_test_setup(test_gcm_encrypt_only, setup_keys),
        cmocka_unit_test_setup(test_gcm_initiate_request, setup_keys),
        cmocka_unit_test_setup(test_gcm_hls_gmac, setup_keys),
        cmocka_unit_test_setup(test_gcm_tag_lengths, setup_keys),
        cmocka_unit_test_setup(test_gcm_bad_args, setup_keys),
        cmocka_unit_test_setup(test_gcm_tag_mismatch, setup_keys),
        cmocka_unit_test(test_key_wrap_rfc3394),
        cmocka_unit_test(test_key_wrap_round_trip_long),
        cmocka_unit_test(test_key_unwrap_integrity),
        cmocka_unit_test(test_key_wrap_bad_lengths),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_sha256_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
