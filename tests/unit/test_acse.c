/*
 * test_acse.c - AARQ / AARE / RLRQ / RLRE codecs and the ACSE helpers
 * (lib/dlms/acse) against the Green Book examples of dlms-facts §4.6 and
 * the ciphered AARQ of §3.2 (decoded, decrypted with the §3.1 keys,
 * re-encoded and rebuilt by the client builder), dlms-cosem's RLRQ/RLRE
 * examples, the server flow to the exact accepted / HLS-pending / rejected
 * AAREs, truncations, BER long forms, unknown tags and wrong OIDs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/acse.h"
#include "test_hex.h"

/* dlms-facts §4.6 */
#define AARQ_HEX "601DA109060760857405080101BE10040E01000000065F1F0400007E1F04B0"
#define AARE_OK_HEX                                                                                \
    "6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F040000501F01F40007"
#define AARE_HLS_HEX                                                                               \
    "6142A109060760857405080101A203020100A305A10302010E88020780890760857405080205AA0A800850367752" \
    "4A323146BE10040E0800065F1F040000501F01F40007"
#define AARE_REJECT_HEX "611FA109060760857405080101A203020101A305A103020101BE0604040E010601"
/* dlms-facts §3.2: ciphered AARQ (LLS "12345678", glo-initiateRequest). */
#define GLO_INIT_REQ_HEX                                                                           \
    "21303001234567801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6F"   \
    "DB8E356855"
#define AARQ_CIPH_HEX                                                                              \
    "6066A109060760857405080103A60A04084D4D4D0000BC614E8A0207808B0760857405080201AC0A8008313233"   \
    "3435363738BE3404322130300123456780"                                                           \
    "1302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855"
/* dlms-cosem tests/test_asce: LLS AARQ, AARE with a wrong context, RLRQ, RLRE. */
#define AARQ_LLS_HEX                                                                               \
    "6036A1090607608574050801018A0207808B0760857405080201AC0A80083132333435363738BE10040E01000000" \
    "065F1F0400007E1F04B0"
#define AARE_CTX_HEX                                                                               \
    "6129A109060760857405080101A203020101A305A103020102BE10040E0800065F1F040000501F01F40007"
#define RLRQ_HEX "6203800100"
#define RLRQ_CIPH_HEX                                                                              \
    "6239800100BE3404322130300123456780"                                                           \
    "1302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855"
#define RLRE_HEX "6303800100"
#define RLRE_INIT_HEX                                                                              \
    "6316800100BE1104"                                                                             \
    "0F080100065F1F0400001E1D04C80007"
#define RLRE_CIPH_HEX                                                                              \
    "6328800100BE230421281F3001234567891214A0845E475714383F65BC19745CA235906525E4F3E1C893"

#define IC_GB 0x01234567u


static bool all_zero(const void *p, size_t len) {
    const uint8_t *b = p;
    for (size_t i = 0; i < len; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

/* Green Book keys and titles (dlms-facts §3.1, §3.3). */
static dlms_sec_keys_t keys;
static uint8_t server_title[8], client_title[8];

static int setup(void **state) {
    (void)state;
    memset(&keys, 0, sizeof keys);
    test_unhex("000102030405060708090A0B0C0D0E0F", keys.guek, 16);
    test_unhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF", keys.ak, 16);
    test_unhex("4D4D4D0000BC614E", server_title, 8);
    test_unhex("4D4D4D0000000001", client_title, 8);
    return 0;
}

static dlms_sec_rx_t fresh_rx(void) {
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    rx.keys = &keys;
    rx.sc_required = DLMS_SEC_SC_AUTH_ENC;
    return rx;
}

/* The InitiateRequest of §4.7 as the example clients propose it. */
static dlms_initiate_request_t gb_request(void) {
    dlms_initiate_request_t req;
    dlms_initiate_request_init(&req, 0x007E1F, 1200);
    return req;
}

/* ---- AARQ --------------------------------------------------------------------- */

static void test_aarq_plain(void **state) {
    (void)state;
    uint8_t in[64], out[64], ui[32];
    size_t n = test_unhex(AARQ_HEX, in, sizeof in);
    dlms_aarq_t a;
    assert_int_equal(dlms_aarq_decode(in, n, &a), 0);
    assert_int_equal(a.context, DLMS_CONTEXT_LN);
    assert_false(a.has_protocol_version);
    assert_false(a.has_calling_ap_title);
    assert_false(a.has_acse_requirements);
    assert_false(a.has_mechanism);
    assert_false(a.has_auth_value);
    size_t uin = test_unhex("01000000065F1F0400007E1F04B0", ui, sizeof ui);
    assert_int_equal(a.user_info_len, uin);
    assert_ptr_equal(a.user_info, in + 17); /* zero-copy */
    assert_memory_equal(a.user_info, ui, uin);

    /* Encoding a struct built from scratch gives the same bytes. */
    dlms_aarq_t b;
    memset(&b, 0, sizeof b);
    b.context = DLMS_CONTEXT_LN;
    b.user_info = ui;
    b.user_info_len = uin;
    assert_int_equal(dlms_aarq_encode(&b, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);

    /* The server's view of the user-information. */
    dlms_acse_initiate_t init;
    assert_int_equal(dlms_acse_aarq_initiate(&a, NULL, &init), 0);
    assert_false(init.ciphered);
    dlms_initiate_request_t exp = gb_request();
    assert_memory_equal(&init.request, &exp, sizeof exp);
}

static void test_aarq_lls(void **state) {
    (void)state;
    uint8_t in[128], out[128];
    size_t n = test_unhex(AARQ_LLS_HEX, in, sizeof in);
    dlms_aarq_t a;
    assert_int_equal(dlms_aarq_decode(in, n, &a), 0);
    assert_true(a.has_acse_requirements && a.authentication);
    assert_true(a.has_mechanism);
    assert_int_equal(a.mechanism, DLMS_MECH_LLS);
    assert_true(a.has_auth_value);
    assert_int_equal(a.auth_value_len, 8);
    assert_memory_equal(a.auth_value, "12345678", 8);
    assert_int_equal(dlms_aarq_encode(&a, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);

    /* The client builder produces it from a password and a proposal. */
    dlms_initiate_request_t req = gb_request();
    dlms_acse_client_t c = {DLMS_MECH_LLS, (const uint8_t *)"12345678", 8, NULL, &req, NULL};
    assert_int_equal(dlms_acse_client_aarq(&c, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
    /* And with no security, the §4.6 AARQ. */
    c.mechanism = DLMS_MECH_NONE;
    n = test_unhex(AARQ_HEX, in, sizeof in);
    assert_int_equal(dlms_acse_client_aarq(&c, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
}

/* §3.2: decode every field, decrypt, re-encode, rebuild. */
static void test_aarq_ciphered(void **state) {
    (void)state;
    uint8_t in[128], out[128], glo[64];
    size_t n = test_unhex(AARQ_CIPH_HEX, in, sizeof in);
    assert_int_equal(n, 0x68);
    dlms_aarq_t a;
    assert_int_equal(dlms_aarq_decode(in, n, &a), 0);
    assert_false(a.has_protocol_version);
    assert_int_equal(a.context, DLMS_CONTEXT_LN_CIPH);
    assert_true(a.has_calling_ap_title);
    assert_memory_equal(a.calling_ap_title, server_title, 8);
    assert_false(a.has_calling_ae_invocation_id);
    assert_true(a.has_acse_requirements && a.authentication);
    assert_true(a.has_mechanism);
    assert_int_equal(a.mechanism, DLMS_MECH_LLS);
    assert_int_equal(a.auth_value_len, 8);
    assert_memory_equal(a.auth_value, "12345678", 8);
    size_t glon = test_unhex(GLO_INIT_REQ_HEX, glo, sizeof glo);
    assert_int_equal(a.user_info_len, glon);
    assert_memory_equal(a.user_info, glo, glon);

    /* Decrypt the user-information with the §3.1 keys. */
    dlms_sec_rx_t rx = fresh_rx();
    dlms_acse_initiate_t init;
    assert_int_equal(dlms_acse_aarq_initiate(&a, &rx, &init), 0);
    assert_true(init.ciphered);
    assert_int_equal(init.sec.sc, 0x30);
    assert_int_equal(init.sec.ic, IC_GB);
    assert_int_equal(init.sec.key, DLMS_SEC_KEY_UNICAST);
    assert_memory_equal(init.sec.system_title, server_title, 8);
    dlms_initiate_request_t exp = gb_request();
    exp.has_dedicated_key = true;
    test_unhex("00112233445566778899AABBCCDDEEFF", exp.dedicated_key, 16);
    assert_memory_equal(&init.request, &exp, sizeof exp);

    /* Re-encode the decoded struct. */
    assert_int_equal(dlms_aarq_encode(&a, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);

    /* Rebuild it from scratch: the ciphering goes through security. */
    dlms_sec_tx_t tx = {&keys, server_title, DLMS_SEC_SC_AUTH_ENC, IC_GB, false};
    dlms_acse_client_t c = {DLMS_MECH_LLS, (const uint8_t *)"12345678", 8, NULL, &exp, &tx};
    memset(out, 0, sizeof out);
    assert_int_equal(dlms_acse_client_aarq(&c, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);

    /* The same glo-initiateRequest releases the association (dlms-cosem). */
    n = test_unhex(RLRQ_CIPH_HEX, in, sizeof in);
    assert_int_equal(dlms_acse_client_rlrq(&exp, &tx, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
}

/* HLS-5: context 3, A6, mechanism 5, CtoS, glo-initiateRequest. */
static void test_aarq_hls5_client(void **state) {
    (void)state;
    static const uint8_t ctos[] = "K56iVagY";
    uint8_t out[160];
    dlms_initiate_request_t req = gb_request();
    dlms_sec_tx_t tx = {&keys, client_title, DLMS_SEC_SC_AUTH_ENC, 1, false};
    dlms_acse_client_t c = {DLMS_MECH_GMAC, ctos, 8, NULL, &req, &tx};
    int n = dlms_acse_client_aarq(&c, out, sizeof out);
    assert_true(n > 0);

    dlms_aarq_t a;
    assert_int_equal(dlms_aarq_decode(out, (size_t)n, &a), 0);
    assert_int_equal(a.context, DLMS_CONTEXT_LN_CIPH);
    assert_memory_equal(a.calling_ap_title, client_title, 8);
    assert_int_equal(a.mechanism, DLMS_MECH_GMAC);
    assert_memory_equal(a.auth_value, ctos, 8);
    assert_int_equal(a.user_info[0], DLMS_XDLMS_TAG_GLO_INITIATE_REQUEST);
    uint8_t mech[9], ac[12];
    test_unhex("8B0760857405080205", mech, sizeof mech);
    test_unhex("AC0A80084B35366956616759", ac, sizeof ac);
    assert_non_null(memmem(out, (size_t)n, mech, sizeof mech));
    assert_non_null(memmem(out, (size_t)n, ac, sizeof ac));

    dlms_sec_rx_t rx = fresh_rx();
    dlms_acse_initiate_t init;
    assert_int_equal(dlms_acse_aarq_initiate(&a, &rx, &init), 0);
    assert_int_equal(init.sec.ic, 1);
    assert_memory_equal(&init.request, &req, sizeof req);

    /* Refusals of the builder. */
    c.tx = NULL; /* GMAC without any title */
    assert_int_equal(dlms_acse_client_aarq(&c, out, sizeof out), DLMS_ACSE_ERR_BADARG);
    c.system_title = client_title; /* HLS-5 without ciphering, with a title */
    n = dlms_acse_client_aarq(&c, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(dlms_aarq_decode(out, (size_t)n, &a), 0);
    assert_int_equal(a.context, DLMS_CONTEXT_LN);
    assert_true(a.has_calling_ap_title);
    c.auth_value_len = 7; /* challenge below 8 bytes */
    assert_int_equal(dlms_acse_client_aarq(&c, out, sizeof out), DLMS_ACSE_ERR_BADARG);
    c.auth_value_len = 8;
    c.mechanism = 8;
    assert_int_equal(dlms_acse_client_aarq(&c, out, sizeof out), DLMS_ACSE_ERR_BADARG);
    c.mechanism = DLMS_MECH_GMAC;
    for (size_t cap = 0; cap < 20; cap++) {
        assert_int_equal(dlms_acse_client_aarq(&c, out, cap), DLMS_ACSE_ERR_BUFFER);
    }
    c.initiate = NULL;
    assert_int_equal(dlms_acse_client_aarq(&c, out, sizeof out), DLMS_ACSE_ERR_BADARG);
}

static void test_aarq_optional_components(void **state) {
    (void)state;
    static const uint32_t ids[] = {0, 5, 127, 128, 0x8000, 0x7FFFFFFF, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        dlms_aarq_t a, b;
        memset(&a, 0, sizeof a);
        a.has_protocol_version = true;
        a.protocol_version1 = true;
        a.context = DLMS_CONTEXT_LN;
        a.has_calling_ae_invocation_id = true;
        a.calling_ae_invocation_id = ids[i];
        uint8_t out[64];
        int n = dlms_aarq_encode(&a, out, sizeof out);
        assert_true(n > 0);
        assert_memory_equal(out + 2, "\x80\x02\x07\x80", 4);
        assert_int_equal(dlms_aarq_decode(out, (size_t)n, &b), 0);
        assert_memory_equal(&a, &b, sizeof a);
    }
    uint8_t in[64];
    size_t n = test_unhex("6010A109060760857405080101A903020105", in, sizeof in);
    dlms_aarq_t a;
    assert_int_equal(dlms_aarq_decode(in, n, &a), 0);
    assert_int_equal(a.calling_ae_invocation_id, 5);
    /* A negative or over-long integer is refused. */
    n = test_unhex("6010A109060760857405080101A903020185", in, sizeof in);
    assert_int_equal(dlms_aarq_decode(in, n, &a), DLMS_ACSE_ERR_VALUE);
    n = test_unhex("6014A109060760857405080101A90702050100000000", in, sizeof in);
    assert_int_equal(dlms_aarq_decode(in, n, &a), DLMS_ACSE_ERR_VALUE);
}

/* ---- AARE --------------------------------------------------------------------- */

static void check_aare_round_trip(const char *hex, dlms_aare_t *a) {
    uint8_t in[128], out[128];
    size_t n = test_unhex(hex, in, sizeof in);
    assert_int_equal(dlms_aare_decode(in, n, a), 0);
    assert_int_equal(dlms_aare_encode(a, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
}

static void test_aare_examples(void **state) {
    (void)state;
    dlms_aare_t a;
    check_aare_round_trip(AARE_OK_HEX, &a);
    assert_int_equal(a.context, DLMS_CONTEXT_LN);
    assert_int_equal(a.result, DLMS_ACSE_RESULT_ACCEPTED);
    assert_int_equal(a.diagnostic_source, DLMS_ACSE_SOURCE_USER);
    assert_int_equal(a.diagnostic, DLMS_ACSE_DIAG_NULL);
    assert_false(a.has_mechanism || a.has_auth_value || a.has_responding_ap_title);
    assert_int_equal(a.user_info_len, 14);

    check_aare_round_trip(AARE_HLS_HEX, &a);
    assert_int_equal(a.result, DLMS_ACSE_RESULT_ACCEPTED);
    assert_int_equal(a.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED);
    assert_true(a.has_acse_requirements && a.authentication);
    assert_int_equal(a.mechanism, DLMS_MECH_GMAC);
    assert_int_equal(a.auth_value_len, 8);
    assert_memory_equal(a.auth_value, "P6wRJ21F", 8);

    check_aare_round_trip(AARE_REJECT_HEX, &a);
    assert_int_equal(a.result, DLMS_ACSE_RESULT_REJECTED_PERMANENT);
    assert_int_equal(a.diagnostic, DLMS_ACSE_DIAG_NO_REASON_GIVEN);
    assert_int_equal(a.user_info_len, 4);

    check_aare_round_trip(AARE_CTX_HEX, &a);
    assert_int_equal(a.diagnostic, DLMS_ACSE_DIAG_APPLICATION_CONTEXT_NAME_NOT_SUPPORTED);

    /* Provider diagnostic, responding-AP-title and protocol version. */
    dlms_aare_t b;
    memset(&b, 0, sizeof b);
    b.has_protocol_version = true;
    b.protocol_version1 = true;
    b.context = DLMS_CONTEXT_LN_CIPH;
    b.result = DLMS_ACSE_RESULT_REJECTED_TRANSIENT;
    b.diagnostic_source = DLMS_ACSE_SOURCE_PROVIDER;
    b.diagnostic = DLMS_ACSE_DIAG_PROVIDER_NO_COMMON_ACSE_VERSION;
    b.has_responding_ap_title = true;
    memcpy(b.responding_ap_title, server_title, 8);
    uint8_t out[64];
    int n = dlms_aare_encode(&b, out, sizeof out);
    uint8_t exp[64];
    size_t en = test_unhex("612780020780A109060760857405080103A203020102A305A203020102A40A04084D4D4D"
                      "0000BC614E",
                      exp, sizeof exp);
    assert_int_equal(n, (int)en);
    assert_memory_equal(out, exp, en);
    assert_int_equal(dlms_aare_decode(out, (size_t)n, &a), 0);
    assert_memory_equal(&a, &b, sizeof a);
}

/* The server's three answers of §4.6, built from the pieces. */
static int server_aare(const dlms_xdlms_negotiated_t *neg, uint8_t diag, const uint8_t *stoc,
                       uint8_t *out, size_t cap) {
    uint8_t ui[32];
    int uin = dlms_xdlms_answer(neg, NULL, ui, sizeof ui);
    assert_true(uin > 0);
    dlms_aare_t a;
    memset(&a, 0, sizeof a);
    a.context = DLMS_CONTEXT_LN;
    a.result =
        neg->initiate_error == 0 ? DLMS_ACSE_RESULT_ACCEPTED : DLMS_ACSE_RESULT_REJECTED_PERMANENT;
    a.diagnostic_source = DLMS_ACSE_SOURCE_USER;
    a.diagnostic = neg->initiate_error == 0 ? diag : DLMS_ACSE_DIAG_NO_REASON_GIVEN;
    if (stoc != NULL) {
        a.has_acse_requirements = true;
        a.authentication = true;
        a.has_mechanism = true;
        a.mechanism = DLMS_MECH_GMAC;
        a.has_auth_value = true;
        a.auth_value_len = 8;
        memcpy(a.auth_value, stoc, 8);
    }
    a.user_info = ui;
    a.user_info_len = (size_t)uin;
    return dlms_aare_encode(&a, out, cap);
}

static void test_server_flow(void **state) {
    (void)state;
    uint8_t in[128], out[128], exp[128];
    size_t n = test_unhex(AARQ_HEX, in, sizeof in);
    dlms_aarq_t aarq;
    dlms_acse_initiate_t init;
    assert_int_equal(dlms_aarq_decode(in, n, &aarq), 0);
    assert_int_equal(dlms_acse_aarq_initiate(&aarq, NULL, &init), 0);
    dlms_xdlms_server_cfg_t cfg = {0x00501F | DLMS_CONF_GENERAL_BLOCK_TRANSFER, 500, 0};
    dlms_xdlms_negotiated_t neg;
    assert_int_equal(dlms_xdlms_negotiate(&init.request, &cfg, &neg), 0);

    size_t en = test_unhex(AARE_OK_HEX, exp, sizeof exp);
    assert_int_equal(server_aare(&neg, DLMS_ACSE_DIAG_NULL, NULL, out, sizeof out), (int)en);
    assert_memory_equal(out, exp, en);

    en = test_unhex(AARE_HLS_HEX, exp, sizeof exp);
    assert_int_equal(server_aare(&neg, DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED,
                                 (const uint8_t *)"P6wRJ21F", out, sizeof out),
                     (int)en);
    assert_memory_equal(out, exp, en);

    /* DLMS version 5: refused with the exact rejecting AARE. */
    init.request.dlms_version = 5;
    assert_int_equal(dlms_xdlms_negotiate(&init.request, &cfg, &neg), DLMS_APDU_ERR_XDLMS_REFUSED);
    en = test_unhex(AARE_REJECT_HEX, exp, sizeof exp);
    assert_int_equal(server_aare(&neg, 0, NULL, out, sizeof out), (int)en);
    assert_memory_equal(out, exp, en);
}

static void test_client_aare(void **state) {
    (void)state;
    uint8_t in[128];
    dlms_aare_t a;
    dlms_acse_answer_t ans;
    size_t n = test_unhex(AARE_OK_HEX, in, sizeof in);
    assert_int_equal(dlms_acse_client_aare(in, n, NULL, &a, &ans), 0);
    assert_true(ans.has_response);
    assert_false(ans.has_error || ans.ciphered);
    assert_int_equal(ans.response.conformance, 0x00501F);
    assert_int_equal(ans.response.server_max_receive_pdu_size, 500);

    n = test_unhex(AARE_HLS_HEX, in, sizeof in);
    assert_int_equal(dlms_acse_client_aare(in, n, NULL, &a, &ans), 0);
    assert_int_equal(a.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED);
    assert_memory_equal(a.auth_value, "P6wRJ21F", 8);

    n = test_unhex(AARE_REJECT_HEX, in, sizeof in);
    assert_int_equal(dlms_acse_client_aare(in, n, NULL, &a, &ans), DLMS_ACSE_ERR_REJECTED);
    assert_true(ans.has_error);
    assert_int_equal(ans.error.service, DLMS_CSE_INITIATE_ERROR);
    assert_int_equal(ans.error.value, DLMS_INITIATE_ERROR_DLMS_VERSION_TOO_LOW);

    /* Rejected without user-information (some meters do that). */
    n = test_unhex("6117A109060760857405080101A203020101A305A10302010D", in, sizeof in);
    assert_int_equal(dlms_acse_client_aare(in, n, NULL, &a, &ans), DLMS_ACSE_ERR_REJECTED);
    assert_int_equal(a.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE);
    assert_false(ans.has_error || ans.has_response);
    /* Accepted without an InitiateResponse is not an association. */
    n = test_unhex("6117A109060760857405080101A203020100A305A103020100", in, sizeof in);
    assert_int_equal(dlms_acse_client_aare(in, n, NULL, &a, &ans), DLMS_ACSE_ERR_USER_INFO);
}

/* A server's ciphered AARE: A4 with its title, glo-initiateResponse. */
static void test_client_aare_ciphered(void **state) {
    (void)state;
    uint8_t ui[64], out[160];
    size_t uin =
        test_unhex("281F3001234567891214A0845E475714383F65BC19745CA235906525E4F3E1C893", ui, sizeof ui);
    dlms_aare_t a;
    memset(&a, 0, sizeof a);
    a.context = DLMS_CONTEXT_LN_CIPH;
    a.diagnostic_source = DLMS_ACSE_SOURCE_USER;
    a.has_responding_ap_title = true;
    memcpy(a.responding_ap_title, server_title, 8);
    a.user_info = ui;
    a.user_info_len = uin;
    int n = dlms_aare_encode(&a, out, sizeof out);
    assert_true(n > 0);

    dlms_sec_rx_t rx = fresh_rx();
    dlms_aare_t got;
    dlms_acse_answer_t ans;
    assert_int_equal(dlms_acse_client_aare(out, (size_t)n, &rx, &got, &ans), 0);
    assert_true(ans.ciphered && ans.has_response);
    assert_int_equal(ans.sec.ic, IC_GB);
    assert_int_equal(ans.response.conformance, 0x007C1F);
    assert_int_equal(ans.response.server_max_receive_pdu_size, 1024);
    /* No keys: cannot read it. Replayed IC: refused by security. */
    assert_int_equal(dlms_acse_client_aare(out, (size_t)n, NULL, &got, &ans),
                     DLMS_ACSE_ERR_CIPHERING);
    rx.ic[DLMS_SEC_KEY_UNICAST].valid = true;
    rx.ic[DLMS_SEC_KEY_UNICAST].last = IC_GB;
    assert_int_equal(dlms_acse_client_aare(out, (size_t)n, &rx, &got, &ans), DLMS_SEC_ERR_REPLAY);
    assert_true(all_zero(&ans, sizeof ans));
    /* No responding-AP-title: no IV. */
    a.has_responding_ap_title = false;
    n = dlms_aare_encode(&a, out, sizeof out);
    rx = fresh_rx();
    assert_int_equal(dlms_acse_client_aare(out, (size_t)n, &rx, &got, &ans),
                     DLMS_ACSE_ERR_CIPHERING);
}

/* ---- RLRQ / RLRE ------------------------------------------------------------------ */

static void test_release(void **state) {
    (void)state;
    uint8_t in[128], out[128];
    dlms_release_t rl;

    size_t n = test_unhex(RLRQ_HEX, in, sizeof in);
    assert_int_equal(dlms_rlrq_decode(in, n, &rl), 0);
    assert_true(rl.has_reason);
    assert_int_equal(rl.reason, DLMS_RLRQ_REASON_NORMAL);
    assert_null(rl.user_info);
    assert_int_equal(dlms_rlrq_encode(&rl, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
    assert_int_equal(dlms_acse_client_rlrq(NULL, NULL, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
    assert_int_equal(dlms_rlre_decode(in, n, &rl), DLMS_ACSE_ERR_APDU_TAG);

    n = test_unhex(RLRE_HEX, in, sizeof in);
    assert_int_equal(dlms_rlre_decode(in, n, &rl), 0);
    assert_int_equal(dlms_rlre_encode(&rl, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);

    /* Empty RLRQ / RLRE: every component is optional. */
    dlms_release_t empty = {false, 0, NULL, 0};
    assert_int_equal(dlms_rlrq_encode(&empty, out, sizeof out), 2);
    assert_memory_equal(out, "\x62\x00", 2);
    assert_int_equal(dlms_rlre_encode(&empty, out, sizeof out), 2);
    assert_memory_equal(out, "\x63\x00", 2);
    assert_int_equal(dlms_rlre_decode(out, 2, &rl), 0);
    assert_false(rl.has_reason);
    /* Other reasons. */
    dlms_release_t urgent = {true, DLMS_RLRQ_REASON_USER_DEFINED, NULL, 0};
    assert_int_equal(dlms_rlrq_encode(&urgent, out, sizeof out), 5);
    assert_memory_equal(out, "\x62\x03\x80\x01\x1E", 5);

    /* RLRE with an InitiateResponse (negotiated QoS present). */
    n = test_unhex(RLRE_INIT_HEX, in, sizeof in);
    assert_int_equal(dlms_rlre_decode(in, n, &rl), 0);
    assert_int_equal(rl.user_info_len, 15);
    assert_int_equal(dlms_rlre_encode(&rl, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
    dlms_acse_answer_t ans;
    assert_int_equal(dlms_acse_read_answer(rl.user_info, rl.user_info_len, NULL, NULL, &ans), 0);
    assert_true(ans.has_response && ans.response.has_quality_of_service);
    assert_int_equal(ans.response.server_max_receive_pdu_size, 1224);

    /* RLRE with a glo-initiateResponse (dlms-cosem), server title of §3.1. */
    n = test_unhex(RLRE_CIPH_HEX, in, sizeof in);
    assert_int_equal(dlms_rlre_decode(in, n, &rl), 0);
    assert_int_equal(dlms_rlre_encode(&rl, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
    dlms_sec_rx_t rx = fresh_rx();
    assert_int_equal(dlms_acse_read_answer(rl.user_info, rl.user_info_len, &rx, server_title, &ans),
                     0);
    assert_true(ans.ciphered && ans.has_response);
    assert_int_equal(ans.response.conformance, 0x007C1F);
    /* Wrong title in the IV: the tag does not match. */
    assert_int_equal(dlms_acse_read_answer(rl.user_info, rl.user_info_len, &rx, client_title, &ans),
                     DLMS_SEC_ERR_AUTH);

    /* RLRQ with a plain InitiateRequest. */
    dlms_initiate_request_t req = gb_request();
    int m = dlms_acse_client_rlrq(&req, NULL, out, sizeof out);
    assert_int_equal(m, 5 + 2 + 2 + 14);
    assert_int_equal(dlms_rlrq_decode(out, (size_t)m, &rl), 0);
    assert_int_equal(rl.user_info_len, 14);
    assert_int_equal(rl.user_info[0], DLMS_XDLMS_TAG_INITIATE_REQUEST);
}

/* ---- hostile input ---------------------------------------------------------------- */

typedef int (*decode_fn)(const uint8_t *in, size_t len, void *out);

static int dec_aarq(const uint8_t *in, size_t len, void *out) {
    return dlms_aarq_decode(in, len, out);
}
static int dec_aare(const uint8_t *in, size_t len, void *out) {
    return dlms_aare_decode(in, len, out);
}
static int dec_rlrq(const uint8_t *in, size_t len, void *out) {
    return dlms_rlrq_decode(in, len, out);
}
static int dec_rlre(const uint8_t *in, size_t len, void *out) {
    return dlms_rlre_decode(in, len, out);
}

static void check_truncations(const char *hex, decode_fn dec, size_t out_size) {
    uint8_t in[160];
    size_t n = test_unhex(hex, in, sizeof in);
    uint8_t out[sizeof(dlms_aarq_t) + sizeof(dlms_aare_t)];
    assert_true(out_size <= sizeof out);
    for (size_t len = 0; len < n; len++) {
        uint8_t *p = malloc(len ? len : 1); /* exact size: ASan sees over-reads */
        memcpy(p, in, len);
        memset(out, 0xAA, sizeof out);
        assert_int_equal(dec(p, len, out), DLMS_ACSE_ERR_TRUNCATED);
        assert_true(all_zero(out, out_size));
        free(p);
    }
    in[n] = 0x00;
    assert_int_equal(dec(in, n + 1, out), DLMS_ACSE_ERR_TRAILING);
    assert_true(all_zero(out, out_size));
    assert_int_equal(dec(in, n, out), 0);
}

static void test_truncations(void **state) {
    (void)state;
    check_truncations(AARQ_HEX, dec_aarq, sizeof(dlms_aarq_t));
    check_truncations(AARQ_LLS_HEX, dec_aarq, sizeof(dlms_aarq_t));
    check_truncations(AARQ_CIPH_HEX, dec_aarq, sizeof(dlms_aarq_t));
    check_truncations(AARE_OK_HEX, dec_aare, sizeof(dlms_aare_t));
    check_truncations(AARE_HLS_HEX, dec_aare, sizeof(dlms_aare_t));
    check_truncations(AARE_REJECT_HEX, dec_aare, sizeof(dlms_aare_t));
    check_truncations(RLRQ_HEX, dec_rlrq, sizeof(dlms_release_t));
    check_truncations(RLRQ_CIPH_HEX, dec_rlrq, sizeof(dlms_release_t));
    check_truncations(RLRE_HEX, dec_rlre, sizeof(dlms_release_t));
    check_truncations(RLRE_INIT_HEX, dec_rlre, sizeof(dlms_release_t));
    check_truncations(RLRE_CIPH_HEX, dec_rlre, sizeof(dlms_release_t));
}

static void test_long_form_lengths(void **state) {
    (void)state;
    /* The §4.6 AARQ with 81 / 82 lengths everywhere BER allows them. */
    uint8_t in[80];
    size_t n = test_unhex("60820022A1810A06810760857405080101BE82001104810E"
                     "01000000065F1F0400007E1F04B0",
                     in, sizeof in);
    dlms_aarq_t a, b;
    assert_int_equal(dlms_aarq_decode(in, n, &a), 0);
    uint8_t plain[64];
    size_t pn = test_unhex(AARQ_HEX, plain, sizeof plain);
    assert_int_equal(dlms_aarq_decode(plain, pn, &b), 0);
    assert_int_equal(a.context, b.context);
    assert_int_equal(a.user_info_len, b.user_info_len);
    assert_memory_equal(a.user_info, b.user_info, b.user_info_len);

    /* Encoding long user-information uses 81 xx and 82 xx xx. */
    static uint8_t ui[300], out[400];
    memset(ui, 0x5A, sizeof ui);
    dlms_release_t rl = {false, 0, ui, 200};
    int m = dlms_rlre_encode(&rl, out, sizeof out);
    assert_int_equal(m, 3 + 3 + 3 + 200);
    assert_memory_equal(out, "\x63\x81\xCE\xBE\x81\xCB\x04\x81\xC8", 9);
    dlms_release_t got;
    assert_int_equal(dlms_rlre_decode(out, (size_t)m, &got), 0);
    assert_int_equal(got.user_info_len, 200);
    rl.user_info_len = 300;
    m = dlms_rlrq_encode(&rl, out, sizeof out);
    assert_int_equal(m, 4 + 4 + 4 + 300);
    assert_memory_equal(out, "\x62\x82\x01\x34\xBE\x82\x01\x30\x04\x82\x01\x2C", 12);
    assert_int_equal(dlms_rlrq_decode(out, (size_t)m, &got), 0);
    assert_ptr_equal(got.user_info, out + 12);
    for (int cap = 0; cap < m; cap += 7) {
        memset(out, 0x55, sizeof out);
        assert_int_equal(dlms_rlrq_encode(&rl, out, (size_t)cap), DLMS_ACSE_ERR_BUFFER);
        assert_true(all_zero(out, (size_t)cap));
    }
}

static void check_aarq(const char *hex, int rc) {
    uint8_t in[128];
    size_t n = test_unhex(hex, in, sizeof in);
    dlms_aarq_t a;
    assert_int_equal(dlms_aarq_decode(in, n, &a), rc);
    if (rc != 0) {
        assert_true(all_zero(&a, sizeof a));
    }
}

static void test_bad_lengths_and_tags(void **state) {
    (void)state;
    check_aarq("6080A109060760857405080101", DLMS_ACSE_ERR_LENGTH);    /* indefinite */
    check_aarq("6083000000", DLMS_ACSE_ERR_LENGTH);                    /* 3 length bytes */
    check_aarq("600BA180060760857405080101", DLMS_ACSE_ERR_LENGTH);    /* inside */
    check_aarq("600BA10A060760857405080101", DLMS_ACSE_ERR_TRUNCATED); /* beyond APDU */
    check_aarq("610BA109060760857405080101", DLMS_ACSE_ERR_APDU_TAG);
    check_aarq("600B8109060760857405080101", DLMS_ACSE_ERR_TAG);       /* A1 primitive */
    check_aarq("600E040100A109060760857405080101", DLMS_ACSE_ERR_TAG); /* universal */
    check_aarq("600E610100A109060760857405080101", DLMS_ACSE_ERR_TAG); /* application */
    check_aarq("6016A109060760857405080101A109060760857405080101", DLMS_ACSE_ERR_DUPLICATE);
    check_aarq("6000", DLMS_ACSE_ERR_MISSING);
    check_aarq("6004BE020400", DLMS_ACSE_ERR_USER_INFO);       /* empty */
    check_aarq("6005BE03050100", DLMS_ACSE_ERR_USER_INFO);     /* not 04 */
    check_aarq("6007BE050401010500", DLMS_ACSE_ERR_USER_INFO); /* 2 inner TLVs */
    /* Unknown context tags are skipped: A2 called-AP-title, A7 qualifier,
     * BD implementation-information, high tag numbers [31] and [33]. */
    check_aarq("6026A203040100A7020400BD03410203A109060760857405080101"
               "9F1F00BF2102AABB9F810001FF",
               0);
    check_aarq("6009BF8181818101000000", DLMS_ACSE_ERR_TAG); /* 5-byte tag */
    check_aarq("6003A20500", DLMS_ACSE_ERR_TRUNCATED);       /* unknown, bad */
}

static void test_wrong_oids(void **state) {
    (void)state;
    static const struct {
        const char *hex;
        int rc;
        uint8_t diag;
    } cases[] = {
        {"600BA109060760857405080105", DLMS_ACSE_ERR_CONTEXT_NAME, 2},
        {"600BA109060760857405080100", DLMS_ACSE_ERR_CONTEXT_NAME, 2},
        {"600BA109060760857405080201", DLMS_ACSE_ERR_CONTEXT_NAME, 2}, /* a mechanism OID */
        {"600BA109060760857405090101", DLMS_ACSE_ERR_CONTEXT_NAME, 2},
        {"600BA109040760857405080101", DLMS_ACSE_ERR_CONTEXT_NAME, 2}, /* not an OID */
        {"600CA10A06086085740508010101", DLMS_ACSE_ERR_CONTEXT_NAME, 2},
        {"6014A1090607608574050801018B0760857405080208", DLMS_ACSE_ERR_MECHANISM, 11},
        {"6014A1090607608574050801018B0760857405080105", DLMS_ACSE_ERR_MECHANISM, 11},
        {"6015A1090607608574050801018B086085740508020500", DLMS_ACSE_ERR_MECHANISM, 11},
        {"6016A109060760857405080103A6090407"
         "4D4D4D0000BC61",
         DLMS_ACSE_ERR_SYSTEM_TITLE, 3},
        {"6017A109060760857405080103A60A0308"
         "4D4D4D0000BC614E",
         DLMS_ACSE_ERR_SYSTEM_TITLE, 3},
        {"6011A109060760857405080101AC04810207"
         "80",
         DLMS_ACSE_ERR_AUTH_VALUE, 13},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_aarq(cases[i].hex, cases[i].rc);
        assert_int_equal(dlms_acse_diagnostic_for_error(cases[i].rc), cases[i].diag);
    }
    assert_int_equal(dlms_acse_diagnostic_for_error(DLMS_ACSE_ERR_TRUNCATED), 1);
    assert_int_equal(dlms_acse_diagnostic_for_error(DLMS_SEC_ERR_AUTH), 13);
}

static void test_auth_value_bounds(void **state) {
    (void)state;
    uint8_t in[200];
    dlms_aarq_t a;
    for (size_t len = 0; len <= DLMS_ACSE_MAX_AUTH_VALUE + 1; len++) {
        for (unsigned mech = DLMS_MECH_LLS; mech <= DLMS_MECH_GMAC; mech += 4) {
            /* 60 L | A1 (11 bytes) | 8B 07 .. mech | AC 2+len 80 len value */
            size_t n = test_unhex("6000A1090607608574050801018B0760857405080200AC008000", in, sizeof in);
            in[21] = (uint8_t)mech;
            in[23] = (uint8_t)(2 + len);
            in[25] = (uint8_t)len;
            memset(in + n, 'x', len);
            n += len;
            in[1] = (uint8_t)(n - 2);
            size_t max = mech == DLMS_MECH_LLS ? EM_ACSE_MAX_PASSWORD : EM_SEC_MAX_CHALLENGE;
            int rc = dlms_aarq_decode(in, n, &a);
            assert_int_equal(rc, len <= max ? 0 : DLMS_ACSE_ERR_AUTH_VALUE);
            if (rc == 0) {
                assert_int_equal(a.mechanism, mech);
                assert_int_equal(a.auth_value_len, len);
            }
        }
    }
}

static void test_aare_refusals(void **state) {
    (void)state;
    static const struct {
        const char *hex;
        int rc;
    } cases[] = {
        {"6110A109060760857405080101A203020100", DLMS_ACSE_ERR_MISSING}, /* no A3 */
        {"610CA203020100A305A103020100", DLMS_ACSE_ERR_MISSING},         /* no A1 */
        {"6117A109060760857405080101A203020103A305A103020100", DLMS_ACSE_ERR_VALUE},
        {"6117A109060760857405080101A203020100A305A303020100", DLMS_ACSE_ERR_VALUE},
        {"6117A109060760857405080101A203020100A305A103040100", DLMS_ACSE_ERR_VALUE},
        {"6117A109060760857405080101A203020100A305A10302018E", DLMS_ACSE_ERR_VALUE},
        {"6118A109060760857405080101A20402010000A305A103020100", DLMS_ACSE_ERR_VALUE},
        /* 128, correctly encoded, but no such result */
        {"6118A109060760857405080101A20402020080A305A103020100", DLMS_ACSE_ERR_VALUE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t in[64];
        size_t n = test_unhex(cases[i].hex, in, sizeof in);
        dlms_aare_t a;
        assert_int_equal(dlms_aare_decode(in, n, &a), cases[i].rc);
        assert_true(all_zero(&a, sizeof a));
    }
}

static void test_aarq_initiate_refusals(void **state) {
    (void)state;
    uint8_t in[128];
    size_t n = test_unhex(AARQ_CIPH_HEX, in, sizeof in);
    dlms_aarq_t a;
    assert_int_equal(dlms_aarq_decode(in, n, &a), 0);
    dlms_sec_rx_t rx = fresh_rx();
    dlms_acse_initiate_t init;

    dlms_aarq_t b = a;
    b.context = DLMS_CONTEXT_LN; /* glo- in a plain context */
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), DLMS_ACSE_ERR_CIPHERING);
    assert_true(all_zero(&init, sizeof init));
    b = a;
    b.has_calling_ap_title = false;
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), DLMS_ACSE_ERR_SYSTEM_TITLE);
    assert_int_equal(dlms_acse_aarq_initiate(&a, NULL, &init), DLMS_ACSE_ERR_CIPHERING);
    b = a;
    b.calling_ap_title[7] ^= 1; /* wrong title: wrong IV */
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), DLMS_SEC_ERR_AUTH);
    assert_true(all_zero(&init, sizeof init));
    dlms_sec_keys_t wrong = keys;
    wrong.guek[0] ^= 1;
    dlms_sec_rx_t rxw = fresh_rx();
    rxw.keys = &wrong;
    assert_int_equal(dlms_acse_aarq_initiate(&a, &rxw, &init), DLMS_SEC_ERR_AUTH);
    rx.ic[DLMS_SEC_KEY_UNICAST].valid = true;
    rx.ic[DLMS_SEC_KEY_UNICAST].last = IC_GB;
    assert_int_equal(dlms_acse_aarq_initiate(&a, &rx, &init), DLMS_SEC_ERR_REPLAY);
    rx = fresh_rx();
    rx.sc_required = DLMS_SEC_SC_AUTH_ENC | 0x40;
    assert_true(dlms_acse_aarq_initiate(&a, &rx, &init) < 0);

    /* A plain InitiateRequest in a ciphered context, or with a key. */
    uint8_t ui[64];
    b = a;
    b.user_info = ui;
    b.user_info_len = test_unhex("01000000065F1F0400007E1F04B0", ui, sizeof ui);
    rx = fresh_rx();
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), DLMS_ACSE_ERR_CIPHERING);
    b.context = DLMS_CONTEXT_LN;
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), 0);
    b.user_info_len =
        test_unhex("01011000112233445566778899AABBCCDDEEFF0000065F1F0400007E1F04B0", ui, sizeof ui);
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), DLMS_ACSE_ERR_CIPHERING);
    assert_true(all_zero(&init, sizeof init));
    /* Not an InitiateRequest at all, or none. */
    b.user_info_len = test_unhex("0800065F1F040000501F01F40007", ui, sizeof ui);
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), DLMS_ACSE_ERR_USER_INFO);
    b.user_info_len = test_unhex("01000000065F1F0400007E1F04", ui, sizeof ui);
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), DLMS_APDU_ERR_XDLMS_TRUNCATED);
    b.user_info = NULL;
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), DLMS_ACSE_ERR_USER_INFO);
    /* A glo-initiateRequest too long to hold one. */
    static uint8_t big[100];
    memcpy(big, a.user_info, a.user_info_len);
    big[1] = 98;
    b = a;
    b.user_info = big;
    b.user_info_len = sizeof big;
    assert_int_equal(dlms_acse_aarq_initiate(&b, &rx, &init), DLMS_ACSE_ERR_USER_INFO);
}

static void test_encode_refusals(void **state) {
    (void)state;
    uint8_t out[128];
    dlms_aarq_t a;
    memset(&a, 0, sizeof a);
    assert_int_equal(dlms_aarq_encode(&a, out, sizeof out), DLMS_ACSE_ERR_BADARG); /* context 0 */
    a.context = 5;
    assert_int_equal(dlms_aarq_encode(&a, out, sizeof out), DLMS_ACSE_ERR_BADARG);
    a.context = DLMS_CONTEXT_LN;
    a.has_mechanism = true;
    a.mechanism = 8;
    assert_int_equal(dlms_aarq_encode(&a, out, sizeof out), DLMS_ACSE_ERR_BADARG);
    a.mechanism = DLMS_MECH_GMAC;
    a.has_auth_value = true;
    a.auth_value_len = DLMS_ACSE_MAX_AUTH_VALUE + 1;
    assert_int_equal(dlms_aarq_encode(&a, out, sizeof out), DLMS_ACSE_ERR_BADARG);
    a.auth_value_len = 8;
    a.user_info = out;
    a.user_info_len = 0;
    assert_int_equal(dlms_aarq_encode(&a, out, sizeof out), DLMS_ACSE_ERR_BADARG);
    assert_int_equal(dlms_aarq_encode(NULL, out, sizeof out), DLMS_ACSE_ERR_BADARG);

    dlms_aare_t r;
    memset(&r, 0, sizeof r);
    r.context = DLMS_CONTEXT_LN;
    assert_int_equal(dlms_aare_encode(&r, out, sizeof out), DLMS_ACSE_ERR_BADARG); /* source 0 */
    r.diagnostic_source = DLMS_ACSE_SOURCE_USER;
    r.result = 3;
    assert_int_equal(dlms_aare_encode(&r, out, sizeof out), DLMS_ACSE_ERR_BADARG);
    r.result = 0;
    assert_int_equal(dlms_aare_encode(&r, out, sizeof out), 0x19);
    for (size_t cap = 0; cap < 0x19; cap++) {
        memset(out, 0x55, sizeof out);
        assert_int_equal(dlms_aare_encode(&r, out, cap), DLMS_ACSE_ERR_BUFFER);
        assert_true(all_zero(out, cap));
    }
}

static void test_names_and_strerror(void **state) {
    (void)state;
    assert_string_equal(dlms_context_name(DLMS_CONTEXT_LN), "LN");
    assert_string_equal(dlms_context_name(DLMS_CONTEXT_LN_CIPH), "LN-ciphered");
    assert_string_equal(dlms_context_name(0), "unknown");
    assert_string_equal(dlms_context_name(5), "unknown");
    assert_string_equal(dlms_mechanism_name(DLMS_MECH_NONE), "none");
    assert_string_equal(dlms_mechanism_name(DLMS_MECH_LLS), "low");
    assert_string_equal(dlms_mechanism_name(DLMS_MECH_GMAC), "high-gmac");
    assert_string_equal(dlms_mechanism_name(8), "unknown");
    assert_string_equal(dlms_acse_result_name(1), "rejected-permanent");
    assert_string_equal(dlms_acse_result_name(3), "unknown");
    assert_string_equal(dlms_acse_diagnostic_name(DLMS_ACSE_SOURCE_USER, 14),
                        "authentication-required");
    assert_string_equal(dlms_acse_diagnostic_name(DLMS_ACSE_SOURCE_USER, 11),
                        "authentication-mechanism-name-not-recognised");
    assert_string_equal(dlms_acse_diagnostic_name(DLMS_ACSE_SOURCE_USER, 15), "unknown");
    assert_string_equal(dlms_acse_diagnostic_name(DLMS_ACSE_SOURCE_PROVIDER, 2),
                        "no-common-acse-version");
    assert_string_equal(dlms_acse_diagnostic_name(3, 0), "unknown");
    for (int e = DLMS_ACSE_ERR_BADARG; e >= DLMS_ACSE_ERR_REJECTED; e--) {
        assert_null(strstr(dlms_acse_strerror(e), "unknown"));
    }
    assert_non_null(strstr(dlms_acse_strerror(-0x06FF), "unknown"));
    assert_string_equal(dlms_acse_strerror(DLMS_SEC_ERR_AUTH),
                        dlms_security_strerror(DLMS_SEC_ERR_AUTH));
    assert_string_equal(dlms_acse_strerror(DLMS_APDU_ERR_XDLMS_KEY),
                        dlms_xdlms_strerror(DLMS_APDU_ERR_XDLMS_KEY));
    assert_string_equal(dlms_acse_strerror(0), "success");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aarq_plain),
        cmocka_unit_test(test_aarq_lls),
        cmocka_unit_test(test_aarq_ciphered),
        cmocka_unit_test(test_aarq_hls5_client),
        cmocka_unit_test(test_aarq_optional_components),
        cmocka_unit_test(test_aare_examples),
        cmocka_unit_test(test_server_flow),
        cmocka_unit_test(test_client_aare),
        cmocka_unit_test(test_client_aare_ciphered),
        cmocka_unit_test(test_release),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_long_form_lengths),
        cmocka_unit_test(test_bad_lengths_and_tags),
        cmocka_unit_test(test_wrong_oids),
        cmocka_unit_test(test_auth_value_bounds),
        cmocka_unit_test(test_aare_refusals),
        cmocka_unit_test(test_aarq_initiate_refusals),
        cmocka_unit_test(test_encode_refusals),
        cmocka_unit_test(test_names_and_strerror),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
