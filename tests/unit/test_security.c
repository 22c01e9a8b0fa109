/*
 * test_security.c - DLMS security suite 0 (lib/dlms/security) against the
 * Green Book vectors of dlms-facts §3: glo-get-request with SC 0x30, 0x10
 * and 0x20, the ciphered InitiateRequest, HLS-5 f(StoC)/f(CtoS), key wrap;
 * plus envelopes (glo-, ded-, general-glo, general-ded), replay, hostile
 * and truncated input, long APDUs and challenge generation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/security.h"
#include "test_hex.h"

#define GET_REQUEST_HEX "C0010000080000010000FF0200"
#define GLO_GET_30_HEX  "C81E3001234567411312FF935A47566827C467BC7D825C3BE4A77C3FCC056B6B"
#define CONTENT_10_HEX  "1001234567C0010000080000010000FF020006725D910F9221D263877516"
#define GLO_GET_20_HEX  "C8122001234567411312FF935A47566827C467BC"
#define INITIATE_HEX    "01011000112233445566778899AABBCCDDEEFF0000065F1F0400007E1F04B0"
#define GLO_INITIATE_HEX                                                                           \
    "21303001234567801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6F"   \
    "DB8E356855"
#define IC_SERVER 0x01234567u


static bool all_zero(const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

/* Fixture: Green Book keys, server and client system titles. */
typedef struct fixture {
    dlms_sec_keys_t keys;
    uint8_t server_title[8];
    uint8_t client_title[8];
    uint8_t get_request[13];
} fixture_t;

static fixture_t fx;

static int setup(void **state) {
    (void)state;
    memset(&fx, 0, sizeof fx);
    test_unhex("000102030405060708090A0B0C0D0E0F", fx.keys.guek, 16);
    test_unhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF", fx.keys.ak, 16);
    test_unhex("000102030405060708090A0B0C0D0E0F", fx.keys.kek, 16);
    memset(fx.keys.gbek, 0x42, 16);
    test_unhex("4D4D4D0000BC614E", fx.server_title, 8);
    test_unhex("4D4D4D0000000001", fx.client_title, 8);
    test_unhex(GET_REQUEST_HEX, fx.get_request, sizeof fx.get_request);
    return 0;
}

static dlms_sec_tx_t server_tx(uint8_t sc) {
    dlms_sec_tx_t tx = {&fx.keys, fx.server_title, sc, IC_SERVER, false};
    return tx;
}

/* Receiver knowing the Green Book server as its peer, no IC seen yet. */
static dlms_sec_rx_t server_rx(void) {
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    rx.keys = &fx.keys;
    rx.peer_title = fx.server_title;
    return rx;
}

/* ---- security control byte ---------------------------------------------- */

static void test_sc_helpers(void **state) {
    (void)state;
    assert_int_equal(dlms_sec_sc_make(true, true, false), 0x30);
    assert_int_equal(dlms_sec_sc_make(true, false, false), 0x10);
    assert_int_equal(dlms_sec_sc_make(false, true, true), 0x60);
    assert_int_equal(dlms_sec_sc_check(0x30), 0);
    assert_int_equal(dlms_sec_sc_check(0x10), 0);
    assert_int_equal(dlms_sec_sc_check(0x20), 0);
    assert_int_equal(dlms_sec_sc_check(0x70), 0);
    assert_int_equal(dlms_sec_sc_check(0x31), DLMS_SEC_ERR_SUITE);
    assert_int_equal(dlms_sec_sc_check(0x3F), DLMS_SEC_ERR_SUITE);
    assert_int_equal(dlms_sec_sc_check(0xB0), DLMS_SEC_ERR_COMPRESSION);
    assert_int_equal(dlms_sec_sc_check(0x00), DLMS_SEC_ERR_SC);
    assert_int_equal(dlms_sec_sc_check(0x40), DLMS_SEC_ERR_SC);
}

static void test_ciphered_tags(void **state) {
    (void)state;
    static const uint8_t map[][3] = {
        {0xC0, 0xC8, 0xD0}, {0xC1, 0xC9, 0xD1}, {0xC3, 0xCB, 0xD3},
        {0xC4, 0xCC, 0xD4}, {0xC5, 0xCD, 0xD5}, {0xC7, 0xCF, 0xD7},
        {0x01, 0x21, 0x00}, {0x08, 0x28, 0x00}, {0xC2, 0xCA, 0x00},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        assert_int_equal(dlms_sec_ciphered_tag(map[i][0], false), map[i][1]);
        int ded = dlms_sec_ciphered_tag(map[i][0], true);
        assert_int_equal(ded, map[i][2] ? map[i][2] : DLMS_SEC_ERR_APDU_TAG);
    }
    assert_int_equal(dlms_sec_ciphered_tag(0x60, false), DLMS_SEC_ERR_APDU_TAG);
    assert_int_equal(dlms_sec_ciphered_tag(0xC8, false), DLMS_SEC_ERR_APDU_TAG);
    assert_int_equal(dlms_sec_ciphered_tag(0x00, true), DLMS_SEC_ERR_APDU_TAG);
}

/* ---- Green Book vectors ------------------------------------------------- */

static void check_protect(uint8_t sc, const char *exp_hex) {
    uint8_t exp[128], out[128];
    size_t n = test_unhex(exp_hex, exp, sizeof exp);
    dlms_sec_tx_t tx = server_tx(sc);
    assert_int_equal(
        dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, sizeof out), (int)n);
    assert_memory_equal(out, exp, n);
}

static void check_unprotect(uint8_t sc, const char *in_hex) {
    uint8_t in[128], out[128];
    size_t n = test_unhex(in_hex, in, sizeof in);
    dlms_sec_rx_t rx = server_rx();
    dlms_sec_info_t info;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), 13);
    assert_memory_equal(out, fx.get_request, 13);
    assert_int_equal(info.apdu_tag, in[0]);
    assert_int_equal(info.form, DLMS_SEC_FORM_SERVICE);
    assert_int_equal(info.key, DLMS_SEC_KEY_UNICAST);
    assert_false(info.dedicated);
    assert_int_equal(info.sc, sc);
    assert_int_equal(info.ic, IC_SERVER);
    assert_memory_equal(info.system_title, fx.server_title, 8);
}

static void test_glo_get_request_sc30(void **state) {
    (void)state;
    check_protect(0x30, GLO_GET_30_HEX);
    check_unprotect(0x30, GLO_GET_30_HEX);
}

static void test_glo_get_request_sc20(void **state) {
    (void)state;
    check_protect(0x20, GLO_GET_20_HEX);
    check_unprotect(0x20, GLO_GET_20_HEX);
}

static void test_glo_get_request_sc10(void **state) {
    (void)state;
    uint8_t exp[64], out[64];
    size_t n = test_unhex(CONTENT_10_HEX, exp, sizeof exp);
    dlms_sec_tx_t tx = server_tx(0x10);
    assert_int_equal(dlms_sec_protect_content(&tx, fx.get_request, 13, out, n), (int)n);
    assert_memory_equal(out, exp, n);
    /* The same content in its glo- envelope, and back. */
    check_protect(0x10, "C81E" CONTENT_10_HEX);
    check_unprotect(0x10, "C81E" CONTENT_10_HEX);
}

static void test_glo_initiate_request(void **state) {
    (void)state;
    uint8_t plain[64], exp[128], out[128];
    size_t pn = test_unhex(INITIATE_HEX, plain, sizeof plain);
    size_t n = test_unhex(GLO_INITIATE_HEX, exp, sizeof exp);
    dlms_sec_tx_t tx = server_tx(0x30);
    assert_int_equal(dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, plain, pn, out, sizeof out),
                     (int)n);
    assert_memory_equal(out, exp, n);
    dlms_sec_rx_t rx = server_rx();
    dlms_sec_info_t info;
    assert_int_equal(dlms_sec_unprotect(&rx, exp, n, out, sizeof out, &info), (int)pn);
    assert_memory_equal(out, plain, pn);
    assert_int_equal(info.apdu_tag, 0x21);
}

/* ---- HLS-5 ------------------------------------------------------------ */

#define STOC_HEX   "503677524A323146"
#define CTOS_HEX   "4B35366956616759"
#define F_STOC_HEX "10000000011A52FE7DD3E72748973C1E28"
#define F_CTOS_HEX "1001234567FE1466AFB3DBCD4F9389E2B7"

static void test_hls_gmac_vectors(void **state) {
    (void)state;
    uint8_t stoc[8], ctos[8], exp[17], out[17];
    test_unhex(STOC_HEX, stoc, 8);
    test_unhex(CTOS_HEX, ctos, 8);
    /* Pass 3: the client answers the server's challenge. */
    dlms_sec_tx_t client = {&fx.keys, fx.client_title, 0x10, 1, false};
    assert_int_equal(dlms_sec_hls_gmac(&client, stoc, 8, out), 0);
    test_unhex(F_STOC_HEX, exp, 17);
    assert_memory_equal(out, exp, 17);
    /* Pass 4: the server answers the client's challenge. */
    dlms_sec_tx_t server = server_tx(0x10);
    assert_int_equal(dlms_sec_hls_gmac(&server, ctos, 8, out), 0);
    test_unhex(F_CTOS_HEX, exp, 17);
    assert_memory_equal(out, exp, 17);
}

static void test_hls_verify(void **state) {
    (void)state;
    uint8_t stoc[8], ctos[8], reply[17];
    test_unhex(STOC_HEX, stoc, 8);
    test_unhex(CTOS_HEX, ctos, 8);
    uint32_t ic = 0;
    test_unhex(F_STOC_HEX, reply, 17);
    assert_int_equal(dlms_sec_hls_verify(&fx.keys, fx.client_title, stoc, 8, reply, 17, &ic), 0);
    assert_int_equal(ic, 1);
    test_unhex(F_CTOS_HEX, reply, 17);
    assert_int_equal(dlms_sec_hls_verify(&fx.keys, fx.server_title, ctos, 8, reply, 17, &ic), 0);
    assert_int_equal(ic, IC_SERVER);
    assert_int_equal(dlms_sec_hls_verify(&fx.keys, fx.server_title, ctos, 8, reply, 17, NULL), 0);

    /* Wrong peer title, wrong challenge, wrong key. */
    assert_int_equal(dlms_sec_hls_verify(&fx.keys, fx.client_title, ctos, 8, reply, 17, &ic),
                     DLMS_SEC_ERR_AUTH);
    assert_int_equal(dlms_sec_hls_verify(&fx.keys, fx.server_title, stoc, 8, reply, 17, &ic),
                     DLMS_SEC_ERR_AUTH);
    dlms_sec_keys_t wrong = fx.keys;
    wrong.guek[15] ^= 0x01;
    assert_int_equal(dlms_sec_hls_verify(&wrong, fx.server_title, ctos, 8, reply, 17, &ic),
                     DLMS_SEC_ERR_AUTH);
    wrong = fx.keys;
    wrong.ak[0] ^= 0x80;
    assert_int_equal(dlms_sec_hls_verify(&wrong, fx.server_title, ctos, 8, reply, 17, &ic),
                     DLMS_SEC_ERR_AUTH);
}

static void test_hls_verify_bit_flips(void **state) {
    (void)state;
    uint8_t ctos[8], reply[17];
    test_unhex(CTOS_HEX, ctos, 8);
    test_unhex(F_CTOS_HEX, reply, 17);
    for (size_t bit = 0; bit < 17 * 8; bit++) {
        reply[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int rc = dlms_sec_hls_verify(&fx.keys, fx.server_title, ctos, 8, reply, 17, NULL);
        reply[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        /* The SC byte is checked first; everything else fails the tag. */
        assert_int_equal(rc < 0, true);
        if (bit >= 8) {
            assert_int_equal(rc, DLMS_SEC_ERR_AUTH);
        }
    }
}

static void test_hls_bounds(void **state) {
    (void)state;
    uint8_t ch[EM_SEC_MAX_CHALLENGE + 1], out[17];
    memset(ch, 0x33, sizeof ch);
    dlms_sec_tx_t tx = server_tx(0x10);
    assert_int_equal(dlms_sec_hls_gmac(&tx, ch, 7, out), DLMS_SEC_ERR_CHALLENGE);
    assert_int_equal(dlms_sec_hls_gmac(&tx, ch, EM_SEC_MAX_CHALLENGE + 1, out),
                     DLMS_SEC_ERR_CHALLENGE);
    assert_int_equal(dlms_sec_hls_gmac(&tx, ch, 8, out), 0);
    assert_int_equal(dlms_sec_hls_gmac(&tx, ch, EM_SEC_MAX_CHALLENGE, out), 0);
    assert_int_equal(
        dlms_sec_hls_verify(&fx.keys, fx.server_title, ch, EM_SEC_MAX_CHALLENGE, out, 17, NULL), 0);
    assert_int_equal(dlms_sec_hls_verify(&fx.keys, fx.server_title, ch, 7, out, 17, NULL),
                     DLMS_SEC_ERR_CHALLENGE);
    assert_int_equal(dlms_sec_hls_verify(&fx.keys, fx.server_title, ch, 8, out, 16, NULL),
                     DLMS_SEC_ERR_LENGTH);
    assert_int_equal(dlms_sec_hls_verify(&fx.keys, fx.server_title, ch, 8, out, 18, NULL),
                     DLMS_SEC_ERR_LENGTH);
    /* HLS-5 is SC 0x10 only. */
    tx.sc = 0x30;
    assert_int_equal(dlms_sec_hls_gmac(&tx, ch, 8, out), DLMS_SEC_ERR_SC);
    assert_true(all_zero(out, 17));
    tx.sc = 0x11;
    assert_int_equal(dlms_sec_hls_gmac(&tx, ch, 8, out), DLMS_SEC_ERR_SUITE);
    tx.sc = 0x10;
    tx.dedicated = true;
    assert_int_equal(dlms_sec_hls_gmac(&tx, ch, 8, out), DLMS_SEC_ERR_BADARG);
}

/* Port entropy stub: counts bytes, can fail. */
typedef struct entropy_stub {
    int fail;
    size_t calls;
} entropy_stub_t;

static int stub_entropy(void *user, uint8_t *buf, size_t len) {
    entropy_stub_t *s = user;
    s->calls++;
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(0xA0 + i); /* partially filled even on failure */
    }
    return s->fail ? EM_PORT_ERR_ENTROPY : 0;
}

static void test_hls_challenge(void **state) {
    (void)state;
    entropy_stub_t stub = {0, 0};
    em_port_t port;
    memset(&port, 0, sizeof port);
    port.user = &stub;
    port.entropy = stub_entropy;
    uint8_t ch[EM_SEC_MAX_CHALLENGE + 1];
    assert_int_equal(dlms_sec_hls_challenge(&port, ch, 15), DLMS_SEC_ERR_CHALLENGE);
    assert_int_equal(dlms_sec_hls_challenge(&port, ch, EM_SEC_MAX_CHALLENGE + 1),
                     DLMS_SEC_ERR_CHALLENGE);
    assert_int_equal(stub.calls, 0);
    assert_int_equal(dlms_sec_hls_challenge(&port, ch, 16), 0);
    assert_int_equal(ch[15], 0xAF);
    assert_int_equal(dlms_sec_hls_challenge(&port, ch, EM_SEC_MAX_CHALLENGE), 0);
    assert_int_equal(dlms_sec_hls_challenge(&port, ch, EM_SEC_CHALLENGE_LEN), 0);
    assert_int_equal(stub.calls, 3);
    stub.fail = 1;
    assert_int_equal(dlms_sec_hls_challenge(&port, ch, 32), DLMS_SEC_ERR_ENTROPY);
    assert_true(all_zero(ch, 32));
    port.entropy = NULL;
    assert_int_equal(dlms_sec_hls_challenge(&port, ch, 32), DLMS_SEC_ERR_ENTROPY);
    assert_int_equal(dlms_sec_hls_challenge(NULL, ch, 32), DLMS_SEC_ERR_ENTROPY);
}

/* ---- hostile input ------------------------------------------------------ */

/* Every single-bit flip of the ciphered APDU is refused, and out is left
 * zeroed. Flips in IC, ciphertext and tag fail authentication. */
static void test_bit_flips(void **state) {
    (void)state;
    static const char *vectors[] = {GLO_GET_30_HEX, "C81E" CONTENT_10_HEX};
    for (size_t v = 0; v < 2; v++) {
        uint8_t in[64], out[64];
        size_t n = test_unhex(vectors[v], in, sizeof in);
        dlms_sec_rx_t rx = server_rx();
        rx.sc_required = DLMS_SEC_SC_AUTH;
        dlms_sec_info_t info;
        for (size_t bit = 0; bit < n * 8; bit++) {
            in[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            memset(out, 0xAA, sizeof out);
            int rc = dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info);
            in[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_true(rc < 0);
            assert_true(all_zero(out, sizeof out));
            if (bit >= 3 * 8) { /* after tag, length and SC */
                assert_int_equal(rc, DLMS_SEC_ERR_AUTH);
            }
        }
    }
}

/* Without a policy, SC 0x30 -> 0x20 decrypts (nothing is authenticated);
 * with sc_required the downgrade is refused. */
static void test_sc_policy(void **state) {
    (void)state;
    uint8_t in[64], out[64];
    size_t n = test_unhex(GLO_GET_30_HEX, in, sizeof in);
    in[2] = 0x20;
    dlms_sec_rx_t rx = server_rx();
    dlms_sec_info_t info;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), 25);
    rx.sc_required = DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_POLICY);
    n = test_unhex("C81E" CONTENT_10_HEX, in, sizeof in);
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_POLICY);
    rx.sc_required = DLMS_SEC_SC_AUTH;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), 13);
}

static void check_truncations(const uint8_t *in, size_t n, const dlms_sec_rx_t *rx) {
    uint8_t out[512];
    dlms_sec_info_t info;
    assert_true(n <= sizeof out);
    for (size_t len = 0; len < n; len++) {
        memset(out, 0xAA, sizeof out);
        /* A heap copy of exactly len bytes lets ASan catch any over-read. */
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, in, len);
        int rc = dlms_sec_unprotect(rx, copy, len, out, sizeof out, &info);
        free(copy);
        assert_int_equal(rc, DLMS_SEC_ERR_TRUNCATED);
        assert_true(all_zero(out, sizeof out));
    }
    assert_true(dlms_sec_unprotect(rx, in, n, out, sizeof out, &info) > 0);
}

static void test_truncated_every_length(void **state) {
    (void)state;
    static const char *vectors[] = {GLO_GET_30_HEX, "C81E" CONTENT_10_HEX, GLO_GET_20_HEX,
                                    GLO_INITIATE_HEX};
    dlms_sec_rx_t rx = server_rx();
    for (size_t v = 0; v < 4; v++) {
        uint8_t in[128];
        size_t n = test_unhex(vectors[v], in, sizeof in);
        check_truncations(in, n, &rx);
    }
    /* general-glo (title and content lengths) and a 0x82 length. */
    uint8_t apdu[300], in[400];
    memset(apdu, 0x5A, sizeof apdu);
    apdu[0] = 0xC4;
    dlms_sec_tx_t tx = server_tx(0x30);
    int n = dlms_sec_protect(&tx, DLMS_SEC_FORM_GENERAL, apdu, 20, in, sizeof in);
    assert_true(n > 0);
    check_truncations(in, (size_t)n, &rx);
    n = dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, apdu, sizeof apdu, in, sizeof in);
    assert_true(n > 0);
    check_truncations(in, (size_t)n, &rx);
}

/* Envelope-level garbage: unknown tags, bad lengths, trailing bytes. */
static void test_malformed_envelopes(void **state) {
    (void)state;
    uint8_t in[80], out[80];
    dlms_sec_rx_t rx = server_rx();
    dlms_sec_info_t info;
    size_t n = test_unhex(GLO_GET_30_HEX, in, sizeof in);

    in[0] = 0xC0; /* a plain get-request is not ciphered */
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_APDU_TAG);
    in[0] = 0xC9; /* glo-set-request carrying a get-request */
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_APDU_TAG);
    assert_true(all_zero(out, sizeof out));
    in[0] = 0xC8;

    in[n] = 0x00; /* one trailing byte */
    assert_int_equal(dlms_sec_unprotect(&rx, in, n + 1, out, sizeof out, &info),
                     DLMS_SEC_ERR_LENGTH);
    in[1] = 0x80; /* indefinite length */
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_LENGTH);
    in[1] = 0x83;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_LENGTH);

    /* A non-minimal length (0x81 1E) is still a valid length. */
    in[1] = 0x1E;
    uint8_t long_form[80] = {0xC8, 0x81};
    memcpy(long_form + 2, in + 1, n - 1);
    assert_int_equal(dlms_sec_unprotect(&rx, long_form, n + 1, out, sizeof out, &info), 13);

    /* Content shorter than SC || IC || tag, and content with no APDU. */
    static const uint8_t tiny[] = {0xC8, 0x04, 0x30, 0x01, 0x23, 0x45};
    assert_int_equal(dlms_sec_unprotect(&rx, tiny, sizeof tiny, out, sizeof out, &info),
                     DLMS_SEC_ERR_TRUNCATED);
    uint8_t empty[2 + 17] = {0xC8, 17, 0x30};
    assert_int_equal(dlms_sec_unprotect(&rx, empty, sizeof empty, out, sizeof out, &info),
                     DLMS_SEC_ERR_TRUNCATED);
    static const uint8_t empty20[] = {0xC8, 0x05, 0x20, 0x01, 0x23, 0x45, 0x67};
    assert_int_equal(dlms_sec_unprotect(&rx, empty20, sizeof empty20, out, sizeof out, &info),
                     DLMS_SEC_ERR_TRUNCATED);

    /* Unsupported SC values inside the envelope. */
    n = test_unhex(GLO_GET_30_HEX, in, sizeof in);
    in[2] = 0x31;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_SUITE);
    in[2] = 0xB0;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info),
                     DLMS_SEC_ERR_COMPRESSION);
    in[2] = 0x00;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_SC);

    /* Glo- envelope without a known peer title. */
    n = test_unhex(GLO_GET_30_HEX, in, sizeof in);
    rx.peer_title = NULL;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info),
                     DLMS_SEC_ERR_SYSTEM_TITLE);
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, NULL), DLMS_SEC_ERR_BADARG);
    assert_int_equal(dlms_sec_unprotect(NULL, in, n, out, sizeof out, &info), DLMS_SEC_ERR_BADARG);
}

static void test_replay(void **state) {
    (void)state;
    uint8_t in[64], out[64];
    size_t n = test_unhex(GLO_GET_30_HEX, in, sizeof in);
    dlms_sec_rx_t rx = server_rx();
    dlms_sec_info_t info;

    rx.ic[DLMS_SEC_KEY_UNICAST] = (dlms_sec_rx_ic_t){IC_SERVER, true};
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_REPLAY);
    assert_int_equal(info.ic, IC_SERVER);
    assert_true(all_zero(out, sizeof out));
    rx.ic[DLMS_SEC_KEY_UNICAST].last = IC_SERVER + 1;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_REPLAY);
    rx.ic[DLMS_SEC_KEY_UNICAST].last = 0xFFFFFFFFu;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_REPLAY);
    rx.ic[DLMS_SEC_KEY_UNICAST].last = IC_SERVER - 1;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), 13);
    /* Nothing accepted yet: any IC is fresh, even with a stale value. */
    rx.ic[DLMS_SEC_KEY_UNICAST] = (dlms_sec_rx_ic_t){0xFFFFFFFFu, false};
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), 13);
    /* Counters of other keys do not apply. */
    rx.ic[DLMS_SEC_KEY_DEDICATED] = (dlms_sec_rx_ic_t){0xFFFFFFFFu, true};
    rx.ic[DLMS_SEC_KEY_BROADCAST] = (dlms_sec_rx_ic_t){0xFFFFFFFFu, true};
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), 13);

    /* The replay check comes before crypto: a replayed IC with a broken
     * tag reports the replay. */
    rx.ic[DLMS_SEC_KEY_UNICAST] = (dlms_sec_rx_ic_t){IC_SERVER, true};
    in[n - 1] ^= 0x01;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_REPLAY);
}

static void test_wrong_keys(void **state) {
    (void)state;
    uint8_t in[64], out[64];
    size_t n = test_unhex(GLO_GET_30_HEX, in, sizeof in);
    dlms_sec_keys_t wrong = fx.keys;
    dlms_sec_rx_t rx = server_rx();
    rx.keys = &wrong;
    dlms_sec_info_t info;
    wrong.guek[0] ^= 0x01;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_AUTH);
    wrong = fx.keys;
    wrong.ak[7] ^= 0x10;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_AUTH);
    /* Wrong peer title means a wrong IV. */
    rx.keys = &fx.keys;
    rx.peer_title = fx.client_title;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_AUTH);
    assert_true(all_zero(out, sizeof out));
    /* Broadcast bit selects the GBEK: the unicast vector fails. */
    rx.peer_title = fx.server_title;
    in[2] = 0x70;
    assert_int_equal(dlms_sec_unprotect(&rx, in, n, out, sizeof out, &info), DLMS_SEC_ERR_AUTH);
    assert_int_equal(info.key, DLMS_SEC_KEY_BROADCAST);
}

/* ---- envelopes and round trips ----------------------------------------- */

static void test_general_glo_round_trip(void **state) {
    (void)state;
    uint8_t out[128], content[64], plain[64];
    dlms_sec_tx_t tx = server_tx(0x30);
    int n = dlms_sec_protect(&tx, DLMS_SEC_FORM_GENERAL, fx.get_request, 13, out, sizeof out);
    assert_int_equal(n, 1 + 1 + 8 + 1 + 30);
    assert_int_equal(out[0], 0xDB);
    assert_int_equal(out[1], 8);
    assert_memory_equal(out + 2, fx.server_title, 8);
    assert_int_equal(out[10], 30);
    size_t cn = test_unhex(GLO_GET_30_HEX, content, sizeof content);
    assert_memory_equal(out + 11, content + 2, cn - 2);

    dlms_sec_rx_t rx = server_rx();
    rx.peer_title = NULL; /* the envelope names its sender */
    dlms_sec_info_t info;
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info), 13);
    assert_memory_equal(plain, fx.get_request, 13);
    assert_int_equal(info.form, DLMS_SEC_FORM_GENERAL);
    assert_int_equal(info.apdu_tag, 0xDB);
    assert_memory_equal(info.system_title, fx.server_title, 8);

    rx.peer_title = fx.server_title;
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info), 13);
    rx.peer_title = fx.client_title; /* some other sender */
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info),
                     DLMS_SEC_ERR_SYSTEM_TITLE);

    /* A 7-byte title is not a system title. */
    uint8_t bad[128] = {0xDB, 7};
    memcpy(bad + 2, out + 2, 7);
    memcpy(bad + 9, out + 10, (size_t)n - 10);
    rx.peer_title = NULL;
    assert_int_equal(dlms_sec_unprotect(&rx, bad, (size_t)n - 1, plain, sizeof plain, &info),
                     DLMS_SEC_ERR_SYSTEM_TITLE);

    /* General envelopes carry any APDU, e.g. a data-notification. */
    uint8_t note[] = {0x0F, 0x00, 0x00, 0x00, 0x01, 0x00, 0x09, 0x02, 0x12, 0x34};
    tx.sc = 0x10;
    n = dlms_sec_protect(&tx, DLMS_SEC_FORM_GENERAL, note, sizeof note, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info),
                     (int)sizeof note);
    assert_memory_equal(plain, note, sizeof note);
    /* ... which has no glo- service form. */
    assert_int_equal(
        dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, note, sizeof note, out, sizeof out),
        DLMS_SEC_ERR_APDU_TAG);
}

static void test_ded_round_trip(void **state) {
    (void)state;
    uint8_t out[128], plain[64];
    dlms_sec_keys_t keys = fx.keys;
    test_unhex("00112233445566778899AABBCCDDEEFF", keys.dedicated, 16);
    keys.has_dedicated = true;
    dlms_sec_tx_t tx = {&keys, fx.client_title, 0x30, 7, true};
    int n = dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, sizeof out);
    assert_int_equal(n, 32);
    assert_int_equal(out[0], 0xD0);
    assert_int_equal(out[1], 30);

    /* Not the glo- ciphertext: another key. */
    uint8_t glo[64];
    test_unhex(GLO_GET_30_HEX, glo, sizeof glo);
    assert_memory_not_equal(out + 7, glo + 7, 13);

    dlms_sec_rx_t rx = server_rx();
    rx.keys = &keys;
    rx.peer_title = fx.client_title;
    dlms_sec_info_t info;
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info), 13);
    assert_memory_equal(plain, fx.get_request, 13);
    assert_int_equal(info.key, DLMS_SEC_KEY_DEDICATED);
    assert_true(info.dedicated);
    assert_int_equal(info.ic, 7);

    /* Replay under the dedicated key's own counter. */
    rx.ic[DLMS_SEC_KEY_DEDICATED] = (dlms_sec_rx_ic_t){7, true};
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info),
                     DLMS_SEC_ERR_REPLAY);
    rx.ic[DLMS_SEC_KEY_DEDICATED].valid = false;

    /* Wrong dedicated key, then none at all. */
    dlms_sec_keys_t other = keys;
    other.dedicated[3] ^= 0x04;
    rx.keys = &other;
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info),
                     DLMS_SEC_ERR_AUTH);
    other.has_dedicated = false;
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info),
                     DLMS_SEC_ERR_NO_KEY);
    tx.keys = &other;
    assert_int_equal(
        dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, sizeof out),
        DLMS_SEC_ERR_NO_KEY);
    tx.keys = &keys;

    /* general-ded-ciphering. */
    rx.keys = &keys;
    tx.ic = 8;
    n = dlms_sec_protect(&tx, DLMS_SEC_FORM_GENERAL, fx.get_request, 13, out, sizeof out);
    assert_int_equal(out[0], 0xDC);
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info), 13);
    assert_int_equal(info.key, DLMS_SEC_KEY_DEDICATED);
    assert_int_equal(info.form, DLMS_SEC_FORM_GENERAL);

    /* A dedicated key is never broadcast; InitiateRequest has no ded- form. */
    tx.sc = 0x70;
    assert_int_equal(
        dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, sizeof out),
        DLMS_SEC_ERR_SC);
    tx.sc = 0x30;
    uint8_t initiate[64];
    size_t in_len = test_unhex(INITIATE_HEX, initiate, sizeof initiate);
    assert_int_equal(
        dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, initiate, in_len, out, sizeof out),
        DLMS_SEC_ERR_APDU_TAG);
    assert_true(all_zero(out, sizeof out));
}

static void test_broadcast_round_trip(void **state) {
    (void)state;
    uint8_t out[64], plain[64];
    dlms_sec_tx_t tx = server_tx(0x70);
    int n = dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, sizeof out);
    assert_int_equal(n, 32);
    dlms_sec_rx_t rx = server_rx();
    dlms_sec_info_t info;
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info), 13);
    assert_int_equal(info.key, DLMS_SEC_KEY_BROADCAST);
}

/* Lengths around the one-byte / 0x81 / 0x82 boundaries, all three SCs. */
static void test_long_apdus(void **state) {
    (void)state;
    static const size_t lens[] = {110, 111, 127, 200, 238, 239, 255, 300, 1000};
    static const uint8_t scs[] = {0x30, 0x10, 0x20};
    static uint8_t apdu[1024], out[1100], plain[1100];
    for (size_t i = 0; i < sizeof apdu; i++) {
        apdu[i] = (uint8_t)(i * 13 + 5);
    }
    apdu[0] = 0xC4;
    dlms_sec_rx_t rx = server_rx();
    dlms_sec_info_t info;
    for (size_t s = 0; s < sizeof scs; s++) {
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            dlms_sec_tx_t tx = server_tx(scs[s]);
            size_t clen = 5 + lens[l] + (scs[s] & 0x10 ? 12 : 0);
            size_t hdr = clen < 128 ? 2 : (clen < 256 ? 3 : 4);
            int n = dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, apdu, lens[l], out, sizeof out);
            assert_int_equal(n, (int)(hdr + clen));
            assert_int_equal(out[0], 0xCC);
            if (hdr == 2) {
                assert_int_equal(out[1], clen);
            } else if (hdr == 3) {
                assert_int_equal(out[1], 0x81);
                assert_int_equal(out[2], clen);
            } else {
                assert_int_equal(out[1], 0x82);
                assert_int_equal(out[2], clen >> 8);
                assert_int_equal(out[3], clen & 0xFF);
            }
            assert_int_equal(out[hdr], scs[s]);
            memset(plain, 0, sizeof plain);
            assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof plain, &info),
                             (int)lens[l]);
            assert_memory_equal(plain, apdu, lens[l]);
        }
    }
}

static void test_buffer_too_small(void **state) {
    (void)state;
    uint8_t out[64], plain[64];
    static const uint8_t scs[] = {0x30, 0x10, 0x20};
    dlms_sec_rx_t rx = server_rx();
    dlms_sec_info_t info;
    for (size_t s = 0; s < sizeof scs; s++) {
        dlms_sec_tx_t tx = server_tx(scs[s]);
        int need = dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, 64);
        assert_true(need > 0);
        memset(out, 0xAA, sizeof out);
        assert_int_equal(
            dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, (size_t)need - 1),
            DLMS_SEC_ERR_BUFFER);
        assert_true(all_zero(out, (size_t)need - 1));
        assert_int_equal(out[need - 1], 0xAA); /* nothing beyond cap */
        int cneed = need - 2;
        assert_int_equal(dlms_sec_protect_content(&tx, fx.get_request, 13, out, (size_t)cneed - 1),
                         DLMS_SEC_ERR_BUFFER);
        assert_int_equal(dlms_sec_protect_content(&tx, fx.get_request, 13, out, (size_t)cneed),
                         cneed);
        assert_int_equal(
            dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, (size_t)need),
            need);
        /* Unprotect needs room for the whole content. */
        memset(plain, 0xAA, sizeof plain);
        assert_int_equal(
            dlms_sec_unprotect(&rx, out, (size_t)need, plain, (size_t)cneed - 1, &info),
            DLMS_SEC_ERR_BUFFER);
        assert_true(all_zero(plain, (size_t)cneed - 1));
        assert_int_equal(plain[cneed - 1], 0xAA);
        assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)need, plain, (size_t)cneed, &info),
                         13);
    }
}

static void test_protect_bad_args(void **state) {
    (void)state;
    uint8_t out[64];
    dlms_sec_tx_t tx = server_tx(0x30);
    assert_int_equal(dlms_sec_protect(NULL, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, 64),
                     DLMS_SEC_ERR_BADARG);
    assert_int_equal(dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 0, out, 64),
                     DLMS_SEC_ERR_BADARG);
    assert_int_equal(dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, NULL, 13, out, 64),
                     DLMS_SEC_ERR_BADARG);
    assert_int_equal(dlms_sec_protect(&tx, (dlms_sec_form_t)7, fx.get_request, 13, out, 64),
                     DLMS_SEC_ERR_BADARG);
    assert_int_equal(dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 0x10000, out, 64),
                     DLMS_SEC_ERR_LENGTH);
    tx.sc = 0x01;
    assert_int_equal(dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, 64),
                     DLMS_SEC_ERR_SUITE);
    tx.sc = 0x80 | 0x30;
    assert_int_equal(dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, fx.get_request, 13, out, 64),
                     DLMS_SEC_ERR_COMPRESSION);
    tx.sc = 0x00;
    assert_int_equal(dlms_sec_protect_content(&tx, fx.get_request, 13, out, 64), DLMS_SEC_ERR_SC);
}

/* ---- key transfer ------------------------------------------------------- */

static void test_key_transfer(void **state) {
    (void)state;
    uint8_t key[16], wrapped[24], exp[24], back[16];
    test_unhex("00112233445566778899aabbccddeeff", key, 16);
    test_unhex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", exp, 24);
    assert_int_equal(dlms_sec_key_wrap(&fx.keys, key, wrapped), 0);
    assert_memory_equal(wrapped, exp, 24);
    assert_int_equal(dlms_sec_key_unwrap(&fx.keys, exp, 24, back), 0);
    assert_memory_equal(back, key, 16);

    memset(back, 0xAA, 16);
    assert_int_equal(dlms_sec_key_unwrap(&fx.keys, exp, 23, back), DLMS_SEC_ERR_LENGTH);
    assert_true(all_zero(back, 16));
    assert_int_equal(dlms_sec_key_unwrap(&fx.keys, exp, 32, back), DLMS_SEC_ERR_LENGTH);
    exp[5] ^= 0x20;
    memset(back, 0xAA, 16);
    assert_int_equal(dlms_sec_key_unwrap(&fx.keys, exp, 24, back), DLMS_SEC_ERR_KEY_WRAP);
    assert_true(all_zero(back, 16));
    exp[5] ^= 0x20;
    dlms_sec_keys_t other = fx.keys;
    other.kek[0] ^= 1;
    assert_int_equal(dlms_sec_key_unwrap(&other, exp, 24, back), DLMS_SEC_ERR_KEY_WRAP);
    assert_int_equal(dlms_sec_key_unwrap(NULL, exp, 24, back), DLMS_SEC_ERR_BADARG);
    assert_int_equal(dlms_sec_key_wrap(&fx.keys, NULL, wrapped), DLMS_SEC_ERR_BADARG);
}

static void test_strerror(void **state) {
    (void)state;
    const char *unknown = dlms_security_strerror(-0x07FF);
    for (int code = -0x0701; code >= DLMS_SEC_ERR_POLICY; code--) {
        const char *s = dlms_security_strerror(code);
        assert_non_null(s);
        assert_string_not_equal(s, unknown);
        for (int other = code + 1; other <= -0x0701; other++) {
            assert_string_not_equal(s, dlms_security_strerror(other));
        }
    }
    assert_string_equal(dlms_security_strerror(0), "success");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sc_helpers, setup),
        cmocka_unit_test_setup(test_ciphered_tags, setup),
        cmocka_unit_test_setup(test_glo_get_request_sc30, setup),
        cmocka_unit_test_setup(test_glo_get_request_sc20, setup),
        cmocka_unit_test_setup(test_glo_get_request_sc10, setup),
        cmocka_unit_test_setup(test_glo_initiate_request, setup),
        cmocka_unit_test_setup(test_hls_gmac_vectors, setup),
        cmocka_unit_test_setup(test_hls_verify, setup),
        cmocka_unit_test_setup(test_hls_verify_bit_flips, setup),
        cmocka_unit_test_setup(test_hls_bounds, setup),
        cmocka_unit_test_setup(test_hls_challenge, setup),
        cmocka_unit_test_setup(test_bit_flips, setup),
        cmocka_unit_test_setup(test_sc_policy, setup),
        cmocka_unit_test_setup(test_truncated_every_length, setup),
        cmocka_unit_test_setup(test_malformed_envelopes, setup),
        cmocka_unit_test_setup(test_replay, setup),
        cmocka_unit_test_setup(test_wrong_keys, setup),
        cmocka_unit_test_setup(test_general_glo_round_trip, setup),
        cmocka_unit_test_setup(test_ded_round_trip, setup),
        cmocka_unit_test_setup(test_broadcast_round_trip, setup),
        cmocka_unit_test_setup(test_long_apdus, setup),
        cmocka_unit_test_setup(test_buffer_too_small, setup),
        cmocka_unit_test_setup(test_protect_bad_args, setup),
        cmocka_unit_test_setup(test_key_transfer, setup),
        cmocka_unit_test_setup(test_strerror, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
