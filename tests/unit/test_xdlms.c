/*
 * test_xdlms.c - xDLMS InitiateRequest / InitiateResponse, conformance block,
 * confirmedServiceError and the server's negotiation (lib/dlms/xdlms)
 * against dlms-facts §3.2, §4.5 and §4.7 (Green Book examples as used by
 * dlms-cosem's tests), plus truncations, bad flags and negotiation edges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/xdlms.h"
#include "test_hex.h"

#define INIT_REQ_HEX       "01000000065F1F0400007E1F04B0"
#define INIT_REQ_KEY_HEX   "01011000112233445566778899AABBCCDDEEFF0000065F1F0400007E1F04B0"
#define INIT_REQ_FFFF_HEX  "01000000065F1F0400001E1DFFFF" /* dlms-facts §4.3 HDLC example */
#define INIT_RESP_HEX      "0800065F1F040000501F01F40007"
#define INIT_RESP_QOS_HEX  "080100065F1F0400001E1D04C80007" /* DC test_initiate, QoS 0 */
#define GLO_INIT_RESP_HEX  "281F3001234567891214A0845E475714383F65BC19745CA235906525E4F3E1C893"
#define INIT_RESP_1024_HEX "0800065F1F0400007C1F04000007" /* plain of the line above */


static bool all_zero(const void *p, size_t len) {
    const uint8_t *b = p;
    for (size_t i = 0; i < len; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

/* ---- InitiateRequest -------------------------------------------------------- */

static void check_request_round_trip(const char *hex, const dlms_initiate_request_t *exp) {
    uint8_t in[64], out[64];
    size_t n = test_unhex(hex, in, sizeof in);
    dlms_initiate_request_t req;
    assert_int_equal(dlms_initiate_request_decode(in, n, &req), 0);
    assert_memory_equal(&req, exp, sizeof req);
    assert_int_equal(dlms_initiate_request_encode(exp, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
}

static void test_initiate_request_plain(void **state) {
    (void)state;
    dlms_initiate_request_t exp;
    dlms_initiate_request_init(&exp, 0x007E1F, 1200);
    check_request_round_trip(INIT_REQ_HEX, &exp);
    dlms_initiate_request_init(&exp, 0x001E1D, 0xFFFF);
    check_request_round_trip(INIT_REQ_FFFF_HEX, &exp);
}

static void test_initiate_request_dedicated_key(void **state) {
    (void)state;
    dlms_initiate_request_t exp;
    dlms_initiate_request_init(&exp, 0x007E1F, 1200);
    exp.has_dedicated_key = true;
    test_unhex("00112233445566778899AABBCCDDEEFF", exp.dedicated_key, 16);
    check_request_round_trip(INIT_REQ_KEY_HEX, &exp);
}

static void test_initiate_request_optional_fields(void **state) {
    (void)state;
    dlms_initiate_request_t exp;
    dlms_initiate_request_init(&exp, DLMS_CONF_GET, 0);
    exp.response_allowed = false;
    exp.has_quality_of_service = true;
    exp.quality_of_service = -3;
    check_request_round_trip("0100010001FD065F1F04000000100000", &exp);

    /* response-allowed written out as TRUE is read as TRUE. */
    uint8_t in[32];
    size_t n = test_unhex("0100010100065F1F040000001004B0", in, sizeof in);
    dlms_initiate_request_t req;
    assert_int_equal(dlms_initiate_request_decode(in, n, &req), 0);
    assert_true(req.response_allowed);
    assert_int_equal(req.client_max_receive_pdu_size, 1200);
}

static void test_initiate_request_refusals(void **state) {
    (void)state;
    static const struct {
        const char *hex;
        int rc;
    } cases[] = {
        {"08000000065F1F0400007E1F04B0", DLMS_APDU_ERR_XDLMS_TAG},
        {"01020000065F1F0400007E1F04B0", DLMS_APDU_ERR_XDLMS_FLAG},
        {"01000200065F1F0400007E1F04B0", DLMS_APDU_ERR_XDLMS_FLAG},
        {"01000002065F1F0400007E1F04B0", DLMS_APDU_ERR_XDLMS_FLAG},
        {"01010F00112233445566778899AABBCCDDEE0000065F1F0400007E1F04B0", DLMS_APDU_ERR_XDLMS_KEY},
        {"0101811000112233445566778899AABBCCDDEEFF0000065F1F0400007E1F04B0",
         DLMS_APDU_ERR_XDLMS_KEY},
        {"01000000065F1F0300007E1F04B0", DLMS_APDU_ERR_XDLMS_CONFORMANCE},
        {"01000000065F1F0401007E1F04B0", DLMS_APDU_ERR_XDLMS_CONFORMANCE},
        {"01000000065F1E0400007E1F04B0", DLMS_APDU_ERR_XDLMS_CONFORMANCE},
        {"01000000065F1F0400007E1F04B000", DLMS_APDU_ERR_XDLMS_TRAILING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t in[64];
        size_t n = test_unhex(cases[i].hex, in, sizeof in);
        dlms_initiate_request_t req;
        memset(&req, 0xAA, sizeof req);
        assert_int_equal(dlms_initiate_request_decode(in, n, &req), cases[i].rc);
        assert_true(all_zero(&req, sizeof req));
    }
    dlms_initiate_request_t req;
    assert_int_equal(dlms_initiate_request_decode(NULL, 3, &req), DLMS_APDU_ERR_XDLMS_BADARG);
    assert_int_equal(dlms_initiate_request_decode((const uint8_t *)"", 0, NULL),
                     DLMS_APDU_ERR_XDLMS_BADARG);
}

/* Every proper prefix of a valid APDU is refused as truncated. */
static void check_truncations(const char *hex, bool response) {
    uint8_t in[64];
    size_t n = test_unhex(hex, in, sizeof in);
    for (size_t len = 0; len < n; len++) {
        /* Exact-size heap copy: ASan sees any read past len. */
        uint8_t *p = malloc(len ? len : 1);
        memcpy(p, in, len);
        int rc;
        if (response) {
            dlms_initiate_response_t r;
            rc = dlms_initiate_response_decode(p, len, &r);
            assert_true(all_zero(&r, sizeof r));
        } else {
            dlms_initiate_request_t r;
            rc = dlms_initiate_request_decode(p, len, &r);
            assert_true(all_zero(&r, sizeof r));
        }
        assert_int_equal(rc, DLMS_APDU_ERR_XDLMS_TRUNCATED);
        free(p);
    }
}

static void test_initiate_truncations(void **state) {
    (void)state;
    check_truncations(INIT_REQ_HEX, false);
    check_truncations(INIT_REQ_KEY_HEX, false);
    check_truncations("0100010001FD065F1F04000000100000", false);
    check_truncations(INIT_RESP_HEX, true);
    check_truncations(INIT_RESP_QOS_HEX, true);
}

static void test_initiate_encode_buffer(void **state) {
    (void)state;
    dlms_initiate_request_t req;
    dlms_initiate_request_init(&req, 0x007E1F, 1200);
    uint8_t out[14];
    for (size_t cap = 0; cap < 14; cap++) {
        memset(out, 0x55, sizeof out);
        assert_int_equal(dlms_initiate_request_encode(&req, out, cap), DLMS_APDU_ERR_XDLMS_BUFFER);
        assert_true(all_zero(out, cap));
    }
    assert_int_equal(dlms_initiate_request_encode(&req, out, 14), 14);
    req.conformance = 0x1000000;
    assert_int_equal(dlms_initiate_request_encode(&req, out, 14), DLMS_APDU_ERR_XDLMS_BADARG);
    assert_int_equal(dlms_initiate_request_encode(NULL, out, 14), DLMS_APDU_ERR_XDLMS_BADARG);
}

/* ---- InitiateResponse ------------------------------------------------------- */

static void check_response_round_trip(const char *hex, const dlms_initiate_response_t *exp) {
    uint8_t in[64], out[64];
    size_t n = test_unhex(hex, in, sizeof in);
    dlms_initiate_response_t resp;
    assert_int_equal(dlms_initiate_response_decode(in, n, &resp), 0);
    assert_memory_equal(&resp, exp, sizeof resp);
    assert_int_equal(dlms_initiate_response_encode(exp, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
}

static void test_initiate_response(void **state) {
    (void)state;
    dlms_initiate_response_t exp;
    memset(&exp, 0, sizeof exp);
    exp.dlms_version = 6;
    exp.conformance = 0x00501F;
    exp.server_max_receive_pdu_size = 500;
    exp.vaa_name = DLMS_XDLMS_VAA_NAME_LN;
    check_response_round_trip(INIT_RESP_HEX, &exp);

    exp.has_quality_of_service = true;
    exp.quality_of_service = 0;
    exp.conformance = 0x001E1D;
    exp.server_max_receive_pdu_size = 1224;
    check_response_round_trip(INIT_RESP_QOS_HEX, &exp);

    uint8_t in[32];
    dlms_initiate_response_t r;
    size_t n = test_unhex(INIT_RESP_HEX "00", in, sizeof in);
    assert_int_equal(dlms_initiate_response_decode(in, n, &r), DLMS_APDU_ERR_XDLMS_TRAILING);
    n = test_unhex("0100065F1F040000501F01F40007", in, sizeof in);
    assert_int_equal(dlms_initiate_response_decode(in, n, &r), DLMS_APDU_ERR_XDLMS_TAG);
    n = test_unhex("0802065F1F040000501F01F40007", in, sizeof in);
    assert_int_equal(dlms_initiate_response_decode(in, n, &r), DLMS_APDU_ERR_XDLMS_FLAG);
}

/* ---- conformance block -------------------------------------------------------- */

static void test_conformance_names(void **state) {
    (void)state;
    assert_int_equal(dlms_conformance_bit_mask(0), DLMS_CONF_RESERVED_ZERO);
    assert_int_equal(dlms_conformance_bit_mask(11), DLMS_CONF_BLOCK_TRANSFER_WITH_GET_OR_READ);
    assert_int_equal(dlms_conformance_bit_mask(19), DLMS_CONF_GET);
    assert_int_equal(dlms_conformance_bit_mask(23), DLMS_CONF_ACTION);
    assert_int_equal(dlms_conformance_bit_mask(24), 0);
    assert_string_equal(dlms_conformance_bit_name(2), "general-block-transfer");
    assert_string_equal(dlms_conformance_bit_name(19), "get");
    assert_null(dlms_conformance_bit_name(24));
    uint32_t all = 0;
    for (unsigned b = 0; b < DLMS_CONF_BITS; b++) {
        assert_non_null(dlms_conformance_bit_name(b));
        all |= dlms_conformance_bit_mask(b);
    }
    assert_int_equal(all, DLMS_CONF_MASK);

    /* dlms-facts §4.5 worked examples. */
    char buf[512];
    int len = dlms_conformance_describe(0x00501F, buf, sizeof buf);
    assert_int_equal(len, (int)strlen(buf));
    assert_string_equal(buf, "priority-mgmt-supported, block-transfer-with-get-or-read, get, set, "
                             "selective-access, event-notification, action");
    assert_true(dlms_conformance_describe(0x007E1F, buf, sizeof buf) > 0);
    assert_string_equal(buf, "priority-mgmt-supported, attribute0-supported-with-get, "
                             "block-transfer-with-get-or-read, block-transfer-with-set-or-write, "
                             "block-transfer-with-action, multiple-references, get, set, "
                             "selective-access, event-notification, action");
    assert_int_equal(dlms_conformance_describe(0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(dlms_conformance_describe(DLMS_CONF_GET, buf, 4), 3);
    assert_int_equal(dlms_conformance_describe(DLMS_CONF_GET, buf, 3), DLMS_APDU_ERR_XDLMS_BUFFER);
    assert_string_equal(buf, "");
    assert_int_equal(dlms_conformance_describe(DLMS_CONF_GET | DLMS_CONF_SET, buf, 8),
                     DLMS_APDU_ERR_XDLMS_BUFFER);
    assert_string_equal(buf, "");
    assert_int_equal(dlms_conformance_describe(0, NULL, 8), DLMS_APDU_ERR_XDLMS_BADARG);
}

/* ---- confirmedServiceError --------------------------------------------------- */

static void test_confirmed_service_error(void **state) {
    (void)state;
    uint8_t out[8], in[8];
    assert_int_equal(dlms_initiate_error_encode(DLMS_INITIATE_ERROR_DLMS_VERSION_TOO_LOW, out, 8),
                     4);
    size_t n = test_unhex("0E010601", in, sizeof in);
    assert_memory_equal(out, in, n);
    dlms_confirmed_service_error_t e;
    assert_int_equal(dlms_confirmed_service_error_decode(in, n, &e), 0);
    assert_int_equal(e.service, DLMS_CSE_INITIATE_ERROR);
    assert_int_equal(e.error_choice, DLMS_SERVICE_ERROR_INITIATE);
    assert_int_equal(e.value, DLMS_INITIATE_ERROR_DLMS_VERSION_TOO_LOW);
    for (size_t len = 0; len < n; len++) {
        assert_int_equal(dlms_confirmed_service_error_decode(in, len, &e),
                         DLMS_APDU_ERR_XDLMS_TRUNCATED);
        assert_true(all_zero(&e, sizeof e));
    }
    n = test_unhex("0E01060300", in, sizeof in);
    assert_int_equal(dlms_confirmed_service_error_decode(in, n, &e), DLMS_APDU_ERR_XDLMS_TRAILING);
    n = test_unhex("0F010603", in, sizeof in);
    assert_int_equal(dlms_confirmed_service_error_decode(in, n, &e), DLMS_APDU_ERR_XDLMS_TAG);
    assert_int_equal(dlms_initiate_error_encode(3, out, 3), DLMS_APDU_ERR_XDLMS_BUFFER);
    assert_string_equal(dlms_initiate_error_name(1), "dlms-version-too-low");
    assert_string_equal(dlms_initiate_error_name(3), "pdu-size-too-short");
    assert_string_equal(dlms_initiate_error_name(9), "unknown");
}

/* ---- negotiation ---------------------------------------------------------------- */

/* A server as in the Green Book AARE example: it supports 00501F and
 * general block transfer, and receives up to 500 bytes. */
static dlms_xdlms_server_cfg_t example_server(void) {
    dlms_xdlms_server_cfg_t cfg = {0x00501F | DLMS_CONF_GENERAL_BLOCK_TRANSFER, 500, 0};
    return cfg;
}

static void test_negotiate_green_book(void **state) {
    (void)state;
    uint8_t in[32], out[64];
    size_t n = test_unhex(INIT_REQ_HEX, in, sizeof in);
    dlms_initiate_request_t req;
    assert_int_equal(dlms_initiate_request_decode(in, n, &req), 0);
    dlms_xdlms_server_cfg_t cfg = example_server();
    dlms_xdlms_negotiated_t neg;
    assert_int_equal(dlms_xdlms_negotiate(&req, &cfg, &neg), 0);
    assert_int_equal(neg.initiate_error, 0);
    assert_int_equal(neg.response.conformance, 0x00501F); /* 007E1F & 20501F */
    assert_int_equal(neg.max_send_pdu, 500);              /* min(1200, 500) */
    assert_int_equal(neg.client_max_receive_pdu, 1200);
    n = test_unhex(INIT_RESP_HEX, in, sizeof in);
    assert_int_equal(dlms_xdlms_answer(&neg, NULL, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
}

static int negotiate(uint8_t version, uint32_t conf, uint16_t pdu, uint16_t min,
                     dlms_xdlms_negotiated_t *neg) {
    dlms_initiate_request_t req;
    dlms_initiate_request_init(&req, conf, pdu);
    req.dlms_version = version;
    dlms_xdlms_server_cfg_t cfg = example_server();
    cfg.min_client_pdu = min;
    return dlms_xdlms_negotiate(&req, &cfg, neg);
}

static void test_negotiate_version(void **state) {
    (void)state;
    dlms_xdlms_negotiated_t neg;
    assert_int_equal(negotiate(5, 0x007E1F, 1200, 0, &neg), DLMS_APDU_ERR_XDLMS_REFUSED);
    assert_int_equal(neg.initiate_error, DLMS_INITIATE_ERROR_DLMS_VERSION_TOO_LOW);
    uint8_t out[16];
    assert_int_equal(dlms_xdlms_answer(&neg, NULL, out, sizeof out), 4);
    assert_memory_equal(out, "\x0E\x01\x06\x01", 4);
    /* Version 5 with every other fault still reports the version first. */
    assert_int_equal(negotiate(5, 0, 11, 0, &neg), DLMS_APDU_ERR_XDLMS_REFUSED);
    assert_int_equal(neg.initiate_error, DLMS_INITIATE_ERROR_DLMS_VERSION_TOO_LOW);
    /* A newer client gets version 6. */
    assert_int_equal(negotiate(7, 0x007E1F, 1200, 0, &neg), 0);
    assert_int_equal(neg.response.dlms_version, 6);
}

static void test_negotiate_pdu_size(void **state) {
    (void)state;
    dlms_xdlms_negotiated_t neg;
    /* 0: no limit; our sends are bounded by our own maximum. */
    assert_int_equal(negotiate(6, 0x007E1F, 0, 0, &neg), 0);
    assert_int_equal(neg.client_max_receive_pdu, 0xFFFF);
    assert_int_equal(neg.max_send_pdu, 500);
    assert_int_equal(negotiate(6, 0x007E1F, 0xFFFF, 0, &neg), 0);
    assert_int_equal(neg.max_send_pdu, 500);
    /* 1..11 are reserved: refused whatever the configured minimum. */
    assert_int_equal(negotiate(6, 0x007E1F, 11, 1, &neg), DLMS_APDU_ERR_XDLMS_REFUSED);
    assert_int_equal(neg.initiate_error, DLMS_INITIATE_ERROR_PDU_SIZE_TOO_SHORT);
    assert_int_equal(negotiate(6, 0x007E1F, 1, 0, &neg), DLMS_APDU_ERR_XDLMS_REFUSED);
    assert_int_equal(neg.initiate_error, DLMS_INITIATE_ERROR_PDU_SIZE_TOO_SHORT);
    uint8_t out[16];
    assert_int_equal(dlms_xdlms_answer(&neg, NULL, out, sizeof out), 4);
    assert_memory_equal(out, "\x0E\x01\x06\x03", 4);
    /* 12 is the smallest legal size, below the default minimum (64). */
    assert_int_equal(negotiate(6, 0x007E1F, 12, 0, &neg), DLMS_APDU_ERR_XDLMS_REFUSED);
    assert_int_equal(neg.initiate_error, DLMS_INITIATE_ERROR_PDU_SIZE_TOO_SHORT);
    assert_int_equal(negotiate(6, 0x007E1F, 12, 12, &neg), 0);
    assert_int_equal(neg.max_send_pdu, 12);
    assert_int_equal(negotiate(6, 0x007E1F, EM_XDLMS_MIN_PDU_SIZE - 1, 0, &neg),
                     DLMS_APDU_ERR_XDLMS_REFUSED);
    assert_int_equal(negotiate(6, 0x007E1F, EM_XDLMS_MIN_PDU_SIZE, 0, &neg), 0);
    assert_int_equal(neg.max_send_pdu, EM_XDLMS_MIN_PDU_SIZE);
}

static void test_negotiate_conformance(void **state) {
    (void)state;
    dlms_xdlms_negotiated_t neg;
    assert_int_equal(negotiate(6, 0, 1200, 0, &neg), DLMS_APDU_ERR_XDLMS_REFUSED);
    assert_int_equal(neg.initiate_error, DLMS_INITIATE_ERROR_INCOMPATIBLE_CONFORMANCE);
    /* Disjoint sets (SN read/write against an LN server). */
    assert_int_equal(negotiate(6, DLMS_CONF_READ | DLMS_CONF_WRITE, 1200, 0, &neg),
                     DLMS_APDU_ERR_XDLMS_REFUSED);
    assert_int_equal(neg.initiate_error, DLMS_INITIATE_ERROR_INCOMPATIBLE_CONFORMANCE);
    uint8_t out[16];
    assert_int_equal(dlms_xdlms_answer(&neg, NULL, out, sizeof out), 4);
    assert_memory_equal(out, "\x0E\x01\x06\x02", 4);
    /* Reserved bits are never agreed, even by a server listing them. */
    dlms_initiate_request_t req;
    dlms_initiate_request_init(&req, DLMS_CONF_RESERVED | DLMS_CONF_GET, 1200);
    dlms_xdlms_server_cfg_t cfg = {DLMS_CONF_MASK, 1024, 0};
    assert_int_equal(dlms_xdlms_negotiate(&req, &cfg, &neg), 0);
    assert_int_equal(neg.response.conformance, DLMS_CONF_GET);
    req.conformance = DLMS_CONF_RESERVED;
    assert_int_equal(dlms_xdlms_negotiate(&req, &cfg, &neg), DLMS_APDU_ERR_XDLMS_REFUSED);
    assert_int_equal(neg.initiate_error, DLMS_INITIATE_ERROR_INCOMPATIBLE_CONFORMANCE);
    /* Bad arguments. */
    cfg.max_pdu_size = 11;
    assert_int_equal(dlms_xdlms_negotiate(&req, &cfg, &neg), DLMS_APDU_ERR_XDLMS_BADARG);
    assert_int_equal(dlms_xdlms_negotiate(NULL, &cfg, &neg), DLMS_APDU_ERR_XDLMS_BADARG);
    assert_int_equal(dlms_xdlms_negotiate(&req, &cfg, NULL), DLMS_APDU_ERR_XDLMS_BADARG);
}

/* The glo-initiateResponse of dlms-cosem's ciphered RLRE test (Green Book
 * keys, server title 4D4D4D0000BC614E, IC 01234567, SC 30) is what the
 * server answers when it negotiates 007C1F and 1024 bytes. */
static void test_answer_ciphered(void **state) {
    (void)state;
    dlms_sec_keys_t keys;
    memset(&keys, 0, sizeof keys);
    test_unhex("000102030405060708090A0B0C0D0E0F", keys.guek, 16);
    test_unhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF", keys.ak, 16);
    uint8_t title[8];
    test_unhex("4D4D4D0000BC614E", title, 8);
    dlms_sec_tx_t tx = {&keys, title, DLMS_SEC_SC_AUTH_ENC, 0x01234567u, false};

    dlms_initiate_request_t req;
    dlms_initiate_request_init(&req, 0x007E1F, 1200);
    dlms_xdlms_server_cfg_t cfg = {0x007C1F, 1024, 0};
    dlms_xdlms_negotiated_t neg;
    assert_int_equal(dlms_xdlms_negotiate(&req, &cfg, &neg), 0);

    uint8_t exp[64], out[64];
    size_t n = test_unhex(INIT_RESP_1024_HEX, exp, sizeof exp);
    assert_int_equal(dlms_xdlms_answer(&neg, NULL, out, sizeof out), (int)n);
    assert_memory_equal(out, exp, n);
    n = test_unhex(GLO_INIT_RESP_HEX, exp, sizeof exp);
    assert_int_equal(dlms_xdlms_answer(&neg, &tx, out, sizeof out), (int)n);
    assert_memory_equal(out, exp, n);
    assert_true(dlms_xdlms_answer(&neg, &tx, out, n - 1) < 0);

    /* A refusal is never ciphered. */
    neg.initiate_error = DLMS_INITIATE_ERROR_PDU_SIZE_TOO_SHORT;
    assert_int_equal(dlms_xdlms_answer(&neg, &tx, out, sizeof out), 4);
    assert_memory_equal(out, "\x0E\x01\x06\x03", 4);
    assert_int_equal(dlms_xdlms_answer(NULL, &tx, out, sizeof out), DLMS_APDU_ERR_XDLMS_BADARG);
}

static void test_strerror(void **state) {
    (void)state;
    for (int e = DLMS_APDU_ERR_XDLMS_BADARG; e >= DLMS_APDU_ERR_XDLMS_REFUSED; e--) {
        assert_null(strstr(dlms_xdlms_strerror(e), "unknown"));
    }
    assert_non_null(strstr(dlms_xdlms_strerror(-0x05FF), "unknown"));
    assert_string_equal(dlms_xdlms_strerror(0), "success");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initiate_request_plain),
        cmocka_unit_test(test_initiate_request_dedicated_key),
        cmocka_unit_test(test_initiate_request_optional_fields),
        cmocka_unit_test(test_initiate_request_refusals),
        cmocka_unit_test(test_initiate_truncations),
        cmocka_unit_test(test_initiate_encode_buffer),
        cmocka_unit_test(test_initiate_response),
        cmocka_unit_test(test_conformance_names),
        cmocka_unit_test(test_confirmed_service_error),
        cmocka_unit_test(test_negotiate_green_book),
        cmocka_unit_test(test_negotiate_version),
        cmocka_unit_test(test_negotiate_pdu_size),
        cmocka_unit_test(test_negotiate_conformance),
        cmocka_unit_test(test_answer_ciphered),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
