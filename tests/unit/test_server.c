/*
 * test_server.c - the DLMS server (lib/dlms/server*.c): associations and
 * security, driven in process with APDUs built by the acse/apdu encoders
 * and the security module, against a fake object layer
 * (test_server_fake.h). Covers the exact accepted and refused AAREs of
 * dlms-facts §4.6, wrong client SAP / context / mechanism, LLS good and
 * bad (with the failed-login hook), HLS-5 four-pass with the §3.3 f(CtoS)
 * vector (the server's StoC injected through the port's entropy), the
 * §3.2 ciphered AARQ with a dedicated key and ded- requests, the §3.1
 * glo-get-request deciphered byte for byte, replay and wrong-key refusal,
 * the security policy refusing plain requests, RLRQ/RLRE plain and
 * ciphered, re-association as another client, a new AARQ replacing the
 * association, inactivity timeout, transport close, pre-established
 * association, invocation counter reservation ahead and its failure, the
 * view handed to the objects, unknown / truncated / oversized APDUs and
 * data-notification.
 */
#include "test_server_fake.h"

/* dlms-facts §4.6 */
#define AARQ_HEX "601DA109060760857405080101BE10040E01000000065F1F0400007E1F04B0"
#define AARE_OK_HEX                                                                                \
    "6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F040000501F01F40007"
#define AARQ_V5_HEX     "601DA109060760857405080101BE10040E01000000055F1F0400007E1F04B0"
#define AARE_REJECT_HEX "611FA109060760857405080101A203020101A305A103020101BE0604040E010601"
/* §3.2: ciphered AARQ, LLS "12345678", glo-initiateRequest with a dedicated key. */
#define AARQ_CIPH_HEX                                                                              \
    "6066A109060760857405080103A60A04084D4D4D0000BC614E8A0207808B0760857405080201AC0A8008313233"   \
    "3435363738BE3404322130300123456780"                                                           \
    "1302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855"
/* §3.1: glo-get-request of clock attribute 2, client title 4D4D4D0000BC614E, IC 01234567. */
#define GLO_GET_HEX "C81E3001234567411312FF935A47566827C467BC7D825C3BE4A77C3FCC056B6B"
/* §3.3 */
#define FCTOS_HEX "1001234567FE1466AFB3DBCD4F9389E2B7"

static const uint8_t CLOCK_VALUE_HEX_PREFIX[] = {0x09, 0x0C, 0x07, 0xE8};
static const uint8_t TITLE_GB31[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
static const uint8_t TITLE_OTHER[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t DEDICATED_KEY[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                          0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};

static uint8_t out[DLMS_SERVER_OUT_CAP];
static uint8_t buf[2048];
static uint8_t plain[2048];

static void decode_aare(const uint8_t *p, int n, dlms_aare_t *aare) {
    assert_true(n > 0);
    assert_int_equal(dlms_aare_decode(p, (size_t)n, aare), 0);
}

/* ---- configuration -------------------------------------------------------------------------- */

static void test_config_checks(void **state) {
    (void)state;
    dlms_server_t *s = &g_h->server;
    dlms_server_config_t cfg = g_h->cfg;
    assert_int_equal(dlms_server_init(NULL, &cfg, 0), DLMS_SERVER_ERR_BADARG);
    cfg.association_count = 0;
    assert_int_equal(dlms_server_init(s, &cfg, 0), DLMS_SERVER_ERR_CONFIG);
    cfg = g_h->cfg;
    cfg.services = NULL;
    assert_int_equal(dlms_server_init(s, &cfg, 0), DLMS_SERVER_ERR_CONFIG);
    cfg = g_h->cfg;
    cfg.port = NULL; /* HLS-5 needs entropy */
    assert_int_equal(dlms_server_init(s, &cfg, 0), DLMS_SERVER_ERR_CONFIG);
    cfg = g_h->cfg;
    cfg.challenge_len = 8; /* our own challenges are at least 16 bytes */
    assert_int_equal(dlms_server_init(s, &cfg, 0), DLMS_SERVER_ERR_CONFIG);
    g_h->lls.client_sap = SAP_PUBLIC; /* duplicate SAP */
    assert_int_equal(dlms_server_init(s, &g_h->cfg, 0), DLMS_SERVER_ERR_CONFIG);
    g_h->lls.client_sap = SAP_LLS;
    g_h->mgmt.sec = NULL; /* context 3 without a security context */
    assert_int_equal(dlms_server_init(s, &g_h->cfg, 0), DLMS_SERVER_ERR_CONFIG);
    g_h->mgmt.sec = &g_h->sec;
    assert_int_equal(dlms_server_init(s, &g_h->cfg, 0), 0);
    assert_string_equal(dlms_server_strerror(DLMS_SERVER_ERR_IC_RESERVE),
                        "server: invocation counter reservation failed");
    assert_string_equal(dlms_server_strerror(DLMS_SEC_ERR_REPLAY), "invocation counter replayed");
}

/* ---- AARQ / AARE -------------------------------------------------------------------------------
 */

static void test_public_aare_exact(void **state) {
    (void)state;
    size_t n = unhex(AARQ_HEX, buf, sizeof buf);
    int r = srv_in(SAP_PUBLIC, buf, n, out, sizeof out);
    assert_hex(out, (size_t)r, AARE_OK_HEX);
    const dlms_assoc_view_t *v = dlms_server_view(&g_h->server);
    assert_int_equal(v->status, DLMS_ASSOC_ASSOCIATED);
    assert_int_equal(v->client_sap, SAP_PUBLIC);
    assert_int_equal(v->server_sap, SAP_SERVER);
    assert_int_equal(v->assoc_index, 0);
    assert_int_equal(v->conformance, 0x00501F);
    assert_int_equal(v->client_max_pdu, 1200);
    assert_int_equal(v->server_max_pdu, 500);
    assert_int_equal(v->mechanism, DLMS_MECH_NONE);
    assert_false(v->has_client_system_title);
    assert_int_equal(g_h->events, 1);
    assert_int_equal(g_h->last_event, DLMS_SERVER_EVENT_ASSOCIATED);
    /* And the association serves a GET. */
    n = get_normal(0xC1, 8, LN_CLOCK, 2, NULL, buf, sizeof buf);
    r = srv_in(SAP_PUBLIC, buf, n, out, sizeof out);
    assert_true(r == 4 + 14);
    assert_memory_equal(out, ((const uint8_t[]){0xC4, 0x01, 0xC1, 0x00}), 4);
    assert_memory_equal(out + 4, CLOCK_VALUE_HEX_PREFIX, 4);
}

static void test_refused_initiate_exact(void **state) {
    (void)state;
    size_t n = unhex(AARQ_V5_HEX, buf, sizeof buf);
    int r = srv_in(SAP_PUBLIC, buf, n, out, sizeof out);
    assert_hex(out, (size_t)r, AARE_REJECT_HEX);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_NON_ASSOCIATED);
    assert_int_equal(g_h->events, 0);
    /* PDU size too short: 0E 01 06 03. */
    n = build_aarq(NULL, DLMS_MECH_NONE, NULL, 0, 0x7E1F, 20, buf, sizeof buf);
    r = srv_in(SAP_PUBLIC, buf, n, out, sizeof out);
    dlms_aare_t aare;
    decode_aare(out, r, &aare);
    assert_int_equal(aare.result, DLMS_ACSE_RESULT_REJECTED_PERMANENT);
    assert_hex(aare.user_info, aare.user_info_len, "0E010603");
}

static void test_wrong_sap_context_mechanism(void **state) {
    (void)state;
    dlms_aare_t aare;
    size_t n = unhex(AARQ_HEX, buf, sizeof buf);
    int r = srv_in(99, buf, n, out, sizeof out); /* no such client */
    decode_aare(out, r, &aare);
    assert_int_equal(aare.result, DLMS_ACSE_RESULT_REJECTED_PERMANENT);
    assert_int_equal(aare.diagnostic_source, DLMS_ACSE_SOURCE_USER);
    assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_NO_REASON_GIVEN);
    /* Management client asking for the plain LN context. */
    r = srv_in(SAP_MGMT, buf, n, out, sizeof out);
    decode_aare(out, r, &aare);
    assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_APPLICATION_CONTEXT_NAME_NOT_SUPPORTED);
    /* LLS client without any mechanism. */
    r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    decode_aare(out, r, &aare);
    assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_MECHANISM_NAME_REQUIRED);
    /* Public client with a password it does not need. */
    n = build_aarq(NULL, DLMS_MECH_LLS, "12345678", 8, 0x7E1F, 1200, buf, sizeof buf);
    r = srv_in(SAP_PUBLIC, buf, n, out, sizeof out);
    decode_aare(out, r, &aare);
    assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED);
    /* Garbage after the AARQ tag. */
    uint8_t junk[] = {0x60, 0x03, 0xA1, 0x01, 0x00};
    r = srv_in(SAP_PUBLIC, junk, sizeof junk, out, sizeof out);
    decode_aare(out, r, &aare);
    assert_int_equal(aare.result, DLMS_ACSE_RESULT_REJECTED_PERMANENT);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_NON_ASSOCIATED);
    assert_int_equal(g_h->auth_failures, 0);
}

static void test_lls(void **state) {
    (void)state;
    dlms_aare_t aare;
    size_t n = build_aarq(NULL, DLMS_MECH_LLS, "12345679", 8, 0x7E1F, 1200, buf, sizeof buf);
    int r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    decode_aare(out, r, &aare);
    assert_int_equal(aare.result, DLMS_ACSE_RESULT_REJECTED_PERMANENT);
    assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE);
    assert_int_equal(g_h->auth_failures, 1);
    assert_int_equal(g_h->last_auth_reason, DLMS_SERVER_AUTH_LLS);
    assert_int_equal(g_h->last_auth_sap, SAP_LLS);
    n = build_aarq(NULL, DLMS_MECH_LLS, "1234567", 7, 0x7E1F, 1200, buf, sizeof buf);
    r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    decode_aare(out, r, &aare);
    assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE);
    assert_int_equal(g_h->auth_failures, 2);
    n = build_aarq(NULL, DLMS_MECH_LLS, "12345678", 8, 0x7E1F, 1200, buf, sizeof buf);
    r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    decode_aare(out, r, &aare);
    assert_int_equal(aare.result, DLMS_ACSE_RESULT_ACCEPTED);
    assert_true(aare.has_mechanism);
    assert_int_equal(aare.mechanism, DLMS_MECH_LLS);
    assert_false(aare.has_responding_ap_title);
    assert_int_equal(dlms_server_view(&g_h->server)->mechanism, DLMS_MECH_LLS);
    assert_int_equal(dlms_server_view(&g_h->server)->conformance, 0x7E1F & CONF_ALL);
}

/* ---- HLS-5 -------------------------------------------------------------------------------------
 */

static const uint8_t CTOS[8] = {'K', '5', '6', 'i', 'V', 'a', 'g', 'Y'};

/* Passes 1 and 2 for the management client: returns after the AARE. */
static void hls_pass12(client_t *c, uint32_t first_ic) {
    client_init(c, first_ic);
    size_t n = build_aarq(c, DLMS_MECH_GMAC, CTOS, sizeof CTOS, CONF_ALL, 1024, buf, sizeof buf);
    uint32_t server_ic = g_h->sec.tx_ic;
    int r = srv_in(SAP_MGMT, buf, n, out, sizeof out);
    assert_true(r > 0);
    dlms_aare_t aare;
    dlms_acse_answer_t ans;
    assert_int_equal(dlms_acse_client_aare(out, (size_t)r, &c->rx, &aare, &ans), 0);
    c->rx.ic[ans.sec.key].last = ans.sec.ic;
    c->rx.ic[ans.sec.key].valid = true;
    assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED);
    assert_true(aare.has_responding_ap_title);
    assert_memory_equal(aare.responding_ap_title, TITLE_SERVER, 8);
    assert_true(aare.has_auth_value);
    assert_int_equal(aare.auth_value_len, 16);
    assert_memory_equal(aare.auth_value, "P6wRJ21FP6wRJ21F", 16);
    assert_true(ans.ciphered);
    assert_int_equal(ans.sec.ic, server_ic); /* 0x01234566 the first time */
    assert_true(ans.has_response);
    assert_int_equal(ans.response.server_max_receive_pdu_size, 1024);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_PENDING);
}

/* Pass 3 as a glo-action-request; returns the plain action-response. */
static size_t hls_pass3(client_t *c, const dlms_sec_keys_t *gmac_keys, const uint8_t *ln) {
    uint8_t f[DLMS_SEC_HLS_REPLY_LEN];
    dlms_sec_tx_t tx = {gmac_keys, TITLE_CLIENT, DLMS_SEC_SC_AUTH_ONLY, c->ic++, false};
    assert_int_equal(dlms_sec_hls_gmac(&tx, (const uint8_t *)"P6wRJ21FP6wRJ21F", 16, f), 0);
    uint8_t param[2 + sizeof f] = {0x09, sizeof f};
    memcpy(param + 2, f, sizeof f);
    dlms_action_request_t *q = calloc(1, sizeof *q);
    assert_non_null(q);
    q->type = DLMS_ACTION_REQUEST_NORMAL;
    q->invoke_id = 0xC1;
    q->count = 1;
    q->methods[0].class_id = 15;
    memcpy(q->methods[0].instance_id, ln, 6);
    q->methods[0].id = 1;
    q->params[0].p = param;
    q->params[0].len = sizeof param;
    uint8_t req[128];
    int n = dlms_action_request_encode(q, req, sizeof req);
    free(q);
    assert_true(n > 0);
    size_t m = client_protect(c, req, (size_t)n, buf, sizeof buf);
    int r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_true(r > 0);
    assert_int_equal(out[0], 0xCF); /* glo-action-response */
    return client_unprotect(c, out, (size_t)r, plain, sizeof plain);
}

/* assoc_allowed (a login lockout): a refused association gets AARE
 * rejected-transient / authentication-failure before its password is
 * looked at (no on_auth_failure, even for a wrong one); other clients are
 * not affected; allowed again, the right password works. */
static uint16_t locked_sap;
static uint8_t locked_index_seen;
static bool cb_allowed(void *user, uint8_t assoc_index, uint16_t client_sap) {
    (void)user;
    if (client_sap == locked_sap)
        locked_index_seen = assoc_index;
    return client_sap != locked_sap;
}

static void test_assoc_allowed_hook(void **state) {
    (void)state;
    dlms_aare_t aare;
    g_h->cfg.assoc_allowed = cb_allowed;
    locked_sap = SAP_LLS;
    locked_index_seen = 0xFF;
    const char *pw[2] = {"12345678", "wrong123"};
    for (int i = 0; i < 2; i++) {
        size_t n = build_aarq(NULL, DLMS_MECH_LLS, pw[i], 8, 0x7E1F, 1200, buf, sizeof buf);
        int r = srv_in(SAP_LLS, buf, n, out, sizeof out);
        decode_aare(out, r, &aare);
        assert_int_equal(aare.result, DLMS_ACSE_RESULT_REJECTED_TRANSIENT);
        assert_int_equal(aare.diagnostic_source, DLMS_ACSE_SOURCE_USER);
        assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE);
        assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_NON_ASSOCIATED);
    }
    assert_int_equal(g_h->auth_failures, 0);
    assert_int_not_equal(locked_index_seen, 0xFF);
    assert_int_equal(locked_index_seen, 2); /* the LLS association (harness order) */
    locked_sap = 0;
    size_t n = build_aarq(NULL, DLMS_MECH_LLS, "12345678", 8, 0x7E1F, 1200, buf, sizeof buf);
    int r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    decode_aare(out, r, &aare);
    assert_int_equal(aare.result, DLMS_ACSE_RESULT_ACCEPTED);
}

static void test_hls5_four_pass(void **state) {
    (void)state;
    client_t c;
    hls_pass12(&c, 0);
    assert_int_equal(g_h->events, 0); /* not associated yet */
    size_t n = hls_pass3(&c, &c.keys, LN_ASSOC_CURRENT);
    /* C7 01 C1 00 01 00 09 11 f(CtoS): the §3.3 vector, IC 01234567. */
    assert_int_equal(n, 8 + 17);
    assert_memory_equal(plain, ((const uint8_t[]){0xC7, 0x01, 0xC1, 0x00, 0x01, 0x00, 0x09, 0x11}),
                        8);
    assert_hex(plain + 8, 17, FCTOS_HEX);
    assert_int_equal(
        dlms_sec_hls_verify(&c.keys, TITLE_SERVER, CTOS, sizeof CTOS, plain + 8, 17, NULL), 0);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
    assert_int_equal(g_h->events, 1);
    assert_int_equal(g_h->last_event, DLMS_SERVER_EVENT_ASSOCIATED);
    assert_int_equal(g_fake.action_calls, 0); /* the object layer never saw pass 3 */
    assert_int_equal(g_h->sec.tx_ic, 0x01234569u);
    /* Ciphered GET now works; the view says so. */
    size_t q = get_normal(0xC2, 3, LN_REGISTER, 2, NULL, plain, sizeof plain);
    size_t m = client_protect(&c, plain, q, buf, sizeof buf);
    int r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_int_equal(out[0], 0xCC);
    n = client_unprotect(&c, out, (size_t)r, plain, sizeof plain);
    assert_hex(plain, n, "C401C2000600003039");
    assert_true(g_fake.last_view.ciphered);
    assert_int_equal(g_fake.last_view.mechanism, DLMS_MECH_GMAC);
    assert_int_equal(g_fake.last_view.app_context, DLMS_CONTEXT_LN_CIPH);
    assert_int_equal(g_fake.last_view.assoc_index, 1);
    assert_true(g_fake.last_view.has_client_system_title);
    assert_memory_equal(g_fake.last_view.client_system_title, TITLE_CLIENT, 8);
    assert_memory_equal(g_h->sec.client_system_title, TITLE_CLIENT, 8);
}

static void test_hls5_own_logical_name(void **state) {
    (void)state;
    client_t c;
    hls_pass12(&c, 0);
    static const uint8_t own[6] = {0, 0, 40, 0, 3, 255};
    size_t n = hls_pass3(&c, &c.keys, own);
    assert_int_equal(n, 25);
    assert_int_equal(plain[3], 0);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
}

static void test_hls5_wrong_reply(void **state) {
    (void)state;
    client_t c;
    hls_pass12(&c, 0);
    dlms_sec_keys_t wrong = c.keys;
    wrong.ak[0] ^= 1;
    size_t n = hls_pass3(&c, &wrong, LN_ASSOC_CURRENT);
    assert_hex(plain, n, "C701C10300"); /* read-write-denied, no data */
    assert_int_equal(g_h->auth_failures, 1);
    assert_int_equal(g_h->last_auth_reason, DLMS_SERVER_AUTH_HLS);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_NON_ASSOCIATED);
    assert_int_equal(g_h->events, 0);
    /* Nothing is served any more. */
    size_t q = get_normal(0xC1, 3, LN_REGISTER, 2, NULL, plain, sizeof plain);
    size_t m = client_protect(&c, plain, q, buf, sizeof buf);
    int r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_hex(out, (size_t)r, "D80101");
}

/* HLS-5 in the plain LN context (dlms-facts §4.6 HLS example): plain
 * InitiateResponse, plain pass 3 and 4, f(CtoS) still under the server's
 * counter. */
static void test_hls5_plain_context(void **state) {
    (void)state;
    g_h->mgmt.app_context = DLMS_CONTEXT_LN;
    size_t n = build_aarq(NULL, DLMS_MECH_GMAC, CTOS, sizeof CTOS, CONF_ALL, 1024, buf, sizeof buf);
    int r = srv_in(SAP_MGMT, buf, n, out, sizeof out);
    dlms_aare_t aare;
    decode_aare(out, r, &aare);
    assert_int_equal(aare.result, DLMS_ACSE_RESULT_ACCEPTED);
    assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED);
    assert_int_equal(aare.user_info[0], 0x08); /* plain InitiateResponse */
    assert_true(aare.has_responding_ap_title);
    dlms_sec_keys_t keys;
    keys_gb(&keys);
    uint8_t f[17];
    dlms_sec_tx_t tx = {&keys, TITLE_CLIENT, 0x10, 1, false};
    assert_int_equal(dlms_sec_hls_gmac(&tx, aare.auth_value, aare.auth_value_len, f), 0);
    uint8_t p3[32] = {0xC3, 0x01, 0xC1, 0x00, 0x0F, 0, 0, 40, 0, 0, 255, 0x01, 0x01, 0x09, 0x11};
    memcpy(p3 + 15, f, 17);
    r = srv_in(SAP_MGMT, p3, sizeof p3, out, sizeof out);
    assert_int_equal(r, 25);
    assert_memory_equal(out, ((const uint8_t[]){0xC7, 0x01, 0xC1, 0x00, 0x01, 0x00, 0x09, 0x11}),
                        8);
    uint32_t ic = 0;
    assert_int_equal(dlms_sec_hls_verify(&keys, TITLE_SERVER, CTOS, sizeof CTOS, out + 8, 17, &ic),
                     0);
    assert_int_equal(ic, 0x01234566u);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
    size_t q = get_normal(0xC1, 3, LN_REGISTER, 2, NULL, buf, sizeof buf);
    r = srv_in(SAP_MGMT, buf, q, out, sizeof out);
    assert_hex(out, (size_t)r, "C401C1000600003039");
    /* A second pass 3 once associated is not an authentication. */
    r = srv_in(SAP_MGMT, p3, sizeof p3, out, sizeof out);
    assert_hex(out, (size_t)r, "C701C10300");
    assert_int_equal(g_fake.action_calls, 0);
}

static void test_pending_serves_nothing_else(void **state) {
    (void)state;
    client_t c;
    hls_pass12(&c, 0);
    size_t q = get_normal(0xC1, 3, LN_REGISTER, 2, NULL, plain, sizeof plain);
    size_t m = client_protect(&c, plain, q, buf, sizeof buf);
    int r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_hex(out, (size_t)r, "D80101");
    assert_int_equal(g_fake.get_calls, 0);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_PENDING);
}

static void test_wrong_key_aarq(void **state) {
    (void)state;
    client_t c;
    client_init(&c, 0);
    c.keys.guek[15] ^= 0x80;
    size_t n = build_aarq(&c, DLMS_MECH_GMAC, CTOS, sizeof CTOS, CONF_ALL, 1024, buf, sizeof buf);
    int r = srv_in(SAP_MGMT, buf, n, out, sizeof out);
    dlms_aare_t aare;
    decode_aare(out, r, &aare);
    assert_int_equal(aare.result, DLMS_ACSE_RESULT_REJECTED_PERMANENT);
    assert_int_equal(aare.diagnostic, DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE);
    assert_int_equal(g_h->auth_failures, 1);
    assert_int_equal(g_h->last_auth_reason, DLMS_SERVER_AUTH_DECIPHER);
    assert_int_equal(g_h->last_auth_sap, SAP_MGMT);
    assert_false(g_h->sec.rx_ic_valid); /* a forged AARQ never moves the counter */
    assert_int_equal(g_h->reserve_calls, 0);
}

/* Full HLS-5 association for the tests that need one. */
static void associate_mgmt(client_t *c, uint32_t first_ic) {
    hls_pass12(c, first_ic);
    hls_pass3(c, &c->keys, LN_ASSOC_CURRENT);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
}

static void test_policy_refuses_plain(void **state) {
    (void)state;
    client_t c;
    associate_mgmt(&c, 0);
    size_t q = get_normal(0xC1, 3, LN_REGISTER, 2, NULL, buf, sizeof buf);
    int r = srv_in(SAP_MGMT, buf, q, out, sizeof out);
    assert_hex(out, (size_t)r, "D80105");
    assert_int_equal(g_fake.get_calls, 0);
    /* Authentication only (SC 0x10) is below the policy (auth + enc). */
    c.sc = DLMS_SEC_SC_AUTH_ONLY;
    size_t m = client_protect(&c, buf, q, plain, sizeof plain);
    r = srv_in(SAP_MGMT, plain, m, out, sizeof out);
    assert_hex(out, (size_t)r, "D80105");
    assert_int_equal(g_fake.get_calls, 0);
    /* With the policy at "authenticated" the same request is served, and
     * the response is protected like the request: SC 0x10. */
    g_h->sec.security_policy = DLMS_SEC_POLICY_AUTHENTICATED;
    m = client_protect(&c, buf, q, plain, sizeof plain);
    r = srv_in(SAP_MGMT, plain, m, out, sizeof out);
    assert_int_equal(out[0], 0xCC);
    assert_int_equal(out[2], DLMS_SEC_SC_AUTH_ONLY);
    size_t n = client_unprotect(&c, out, (size_t)r, plain, sizeof plain);
    assert_hex(plain, n, "C401C1000600003039");
}

static void test_replay_and_wrong_key_request(void **state) {
    (void)state;
    client_t c;
    associate_mgmt(&c, 0);
    size_t q = get_normal(0xC1, 3, LN_REGISTER, 2, NULL, plain, sizeof plain);
    uint32_t ic = c.ic;
    size_t m = client_protect(&c, plain, q, buf, sizeof buf);
    int r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_int_equal(out[0], 0xCC);
    unsigned gets = g_fake.get_calls;
    /* The same APDU again: replay, the next acceptable counter is ic + 1. */
    r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_int_equal(r, 7);
    assert_memory_equal(out, ((const uint8_t[]){0xD8, 0x01, 0x06}), 3);
    uint32_t next =
        ((uint32_t)out[3] << 24) | ((uint32_t)out[4] << 16) | ((uint32_t)out[5] << 8) | out[6];
    assert_int_equal(next, ic + 1);
    assert_int_equal(g_fake.get_calls, gets);
    /* A wrong key: refused, the fraud hook hears of it, the association stays. */
    client_t bad = c;
    bad.keys.guek[0] ^= 1;
    m = client_protect(&bad, plain, q, buf, sizeof buf);
    r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_hex(out, (size_t)r, "D80105");
    assert_int_equal(g_h->last_auth_reason, DLMS_SERVER_AUTH_DECIPHER);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
    /* A counter above the forged one still works: forgeries moved nothing. */
    c.ic = bad.ic - 1;
    m = client_protect(&c, plain, q, buf, sizeof buf);
    r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_int_equal(out[0], 0xCC);
    /* A broadcast-key request is not for a unicast association. */
    c.sc = DLMS_SEC_SC_AUTH_ENC | DLMS_SEC_SC_BROADCAST;
    memset(c.keys.gbek, 0x5A, 16);
    m = client_protect(&c, plain, q, buf, sizeof buf);
    r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_hex(out, (size_t)r, "D80105");
}

/* ---- §3.1 / §3.2 vectors ----------------------------------------------------------------------
 */

/* The LLS association in context 3 with the Green Book client title. */
static void ciphered_lls_config(void) {
    g_h->lls.app_context = DLMS_CONTEXT_LN_CIPH;
    g_h->lls.sec = &g_h->sec;
    memcpy(g_h->sec.server_system_title, TITLE_OTHER, 8);
    assert_int_equal(dlms_server_init(&g_h->server, &g_h->cfg, 0), 0);
}

static void test_glo_get_vector(void **state) {
    (void)state;
    ciphered_lls_config();
    client_t c;
    client_init(&c, 0x01234560u);
    c.title = TITLE_GB31;
    c.rx.peer_title = TITLE_OTHER;
    size_t n = build_aarq(&c, DLMS_MECH_LLS, "12345678", 8, CONF_ALL, 1024, buf, sizeof buf);
    int r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    dlms_aare_t aare;
    dlms_acse_answer_t ans;
    assert_int_equal(dlms_acse_client_aare(out, (size_t)r, &c.rx, &aare, &ans), 0);
    assert_true(ans.ciphered);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
    /* The exact §3.1 bytes: the server deciphers them and reads the clock. */
    n = unhex(GLO_GET_HEX, buf, sizeof buf);
    r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    assert_int_equal(out[0], 0xCC);
    assert_int_equal(out[2], 0x30);
    n = client_unprotect(&c, out, (size_t)r, plain, sizeof plain);
    assert_int_equal(n, 4 + 14);
    assert_memory_equal(plain, ((const uint8_t[]){0xC4, 0x01, 0x00, 0x00}), 4);
    assert_memory_equal(plain + 4, CLOCK_VALUE_HEX_PREFIX, 4);
    assert_int_equal(g_h->sec.rx_ic_last, 0x01234567u);
    /* Replayed: D8 01 06 and the counter expected next. */
    n = unhex(GLO_GET_HEX, buf, sizeof buf);
    r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    assert_hex(out, (size_t)r, "D8010601234568");
}

static void test_ciphered_aarq_vector_dedicated(void **state) {
    (void)state;
    ciphered_lls_config();
    size_t n = unhex(AARQ_CIPH_HEX, buf, sizeof buf);
    int r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    client_t c;
    client_init(&c, 0x01234568u);
    c.title = TITLE_GB31;
    c.rx.peer_title = TITLE_OTHER;
    dlms_aare_t aare;
    dlms_acse_answer_t ans;
    assert_int_equal(dlms_acse_client_aare(out, (size_t)r, &c.rx, &aare, &ans), 0);
    assert_true(ans.ciphered);
    assert_int_equal(ans.response.conformance, 0x007E1F & CONF_ALL);
    assert_true(aare.has_responding_ap_title);
    assert_memory_equal(aare.responding_ap_title, TITLE_OTHER, 8);
    assert_int_equal(dlms_server_view(&g_h->server)->client_max_pdu, 1200);
    /* ded-get-request under the dedicated key: answered ded-get-response. */
    memcpy(c.keys.dedicated, DEDICATED_KEY, 16);
    c.keys.has_dedicated = true;
    c.dedicated = true;
    size_t q = get_normal(0xC1, 8, LN_CLOCK, 2, NULL, plain, sizeof plain);
    size_t m = client_protect(&c, plain, q, buf, sizeof buf);
    assert_int_equal(buf[0], 0xD0);
    r = srv_in(SAP_LLS, buf, m, out, sizeof out);
    assert_int_equal(out[0], 0xD4);
    n = client_unprotect(&c, out, (size_t)r, plain, sizeof plain);
    assert_memory_equal(plain, ((const uint8_t[]){0xC4, 0x01, 0xC1, 0x00}), 4);
    /* general-glo-ciphering request: general-glo-ciphering response. */
    c.dedicated = false;
    c.form = DLMS_SEC_FORM_GENERAL;
    q = get_normal(0xC2, 8, LN_CLOCK, 2, NULL, plain, sizeof plain);
    m = client_protect(&c, plain, q, buf, sizeof buf);
    r = srv_in(SAP_LLS, buf, m, out, sizeof out);
    assert_int_equal(out[0], 0xDB);
    n = client_unprotect(&c, out, (size_t)r, plain, sizeof plain);
    assert_memory_equal(plain, ((const uint8_t[]){0xC4, 0x01, 0xC2, 0x00}), 4);
    /* general-ded-ciphering too. */
    c.dedicated = true;
    m = client_protect(&c, plain, get_normal(0xC3, 8, LN_CLOCK, 2, NULL, plain, sizeof plain), buf,
                       sizeof buf);
    r = srv_in(SAP_LLS, buf, m, out, sizeof out);
    assert_int_equal(out[0], 0xDC);
    /* After RLRQ the dedicated key is forgotten. */
    uint8_t rlrq[] = {0x62, 0x03, 0x80, 0x01, 0x00};
    r = srv_in(SAP_LLS, rlrq, sizeof rlrq, out, sizeof out);
    assert_true(r > 0);
    assert_false(g_h->server.has_dedicated_key);
}

/* ---- release, re-association, timeouts ----------------------------------------------------------
 */

static void test_rlrq_then_other_client(void **state) {
    (void)state;
    associate_public(0x7E1F, 1200);
    uint8_t rlrq[] = {0x62, 0x03, 0x80, 0x01, 0x00};
    /* Another client's RLRQ does not release ours. */
    int r = srv_in(SAP_LLS, rlrq, sizeof rlrq, out, sizeof out);
    assert_hex(out, (size_t)r, "6303800100");
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
    r = srv_in(SAP_PUBLIC, rlrq, sizeof rlrq, out, sizeof out);
    assert_hex(out, (size_t)r, "6303800100");
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_NON_ASSOCIATED);
    assert_int_equal(g_h->last_event, DLMS_SERVER_EVENT_RELEASED);
    assert_int_equal(g_h->last_event_view.client_sap, SAP_PUBLIC);
    /* The public GET is refused now ... */
    size_t q = get_normal(0xC1, 8, LN_CLOCK, 2, NULL, buf, sizeof buf);
    r = srv_in(SAP_PUBLIC, buf, q, out, sizeof out);
    assert_hex(out, (size_t)r, "D80101");
    /* ... and the same connection associates as the LLS client. */
    size_t n = build_aarq(NULL, DLMS_MECH_LLS, "12345678", 8, 0x7E1F, 1200, buf, sizeof buf);
    r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    dlms_aare_t aare;
    decode_aare(out, r, &aare);
    assert_int_equal(aare.result, DLMS_ACSE_RESULT_ACCEPTED);
    assert_int_equal(dlms_server_view(&g_h->server)->client_sap, SAP_LLS);
    /* A request from the released client is not served by the new one. */
    r = srv_in(SAP_PUBLIC, buf, get_normal(0xC1, 8, LN_CLOCK, 2, NULL, buf, sizeof buf), out,
               sizeof out);
    assert_hex(out, (size_t)r, "D80101");
}

static void test_rlrq_ciphered(void **state) {
    (void)state;
    client_t c;
    associate_mgmt(&c, 0);
    dlms_initiate_request_t init;
    dlms_initiate_request_init(&init, CONF_ALL, 1024);
    dlms_sec_tx_t tx = {&c.keys, TITLE_CLIENT, 0x30, c.ic++, false};
    int n = dlms_acse_client_rlrq(&init, &tx, buf, sizeof buf);
    assert_true(n > 0);
    int r = srv_in(SAP_MGMT, buf, (size_t)n, out, sizeof out);
    dlms_release_t re;
    assert_int_equal(dlms_rlre_decode(out, (size_t)r, &re), 0);
    assert_non_null(re.user_info);
    assert_int_equal(re.user_info[0], 0x28); /* glo-initiateResponse */
    dlms_acse_answer_t ans;
    assert_int_equal(
        dlms_acse_read_answer(re.user_info, re.user_info_len, &c.rx, TITLE_SERVER, &ans), 0);
    assert_true(ans.ciphered);
    assert_true(ans.has_response);
    assert_int_equal(ans.response.server_max_receive_pdu_size, 1024);
    assert_int_equal(g_h->sec.rx_ic_last, c.ic - 1);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_NON_ASSOCIATED);
    assert_int_equal(g_h->last_event, DLMS_SERVER_EVENT_RELEASED);
    /* A plain RLRQ on a ciphered association still gets a ciphered RLRE. */
    associate_mgmt(&c, c.ic);
    uint8_t rlrq[] = {0x62, 0x03, 0x80, 0x01, 0x00};
    r = srv_in(SAP_MGMT, rlrq, sizeof rlrq, out, sizeof out);
    assert_int_equal(dlms_rlre_decode(out, (size_t)r, &re), 0);
    assert_non_null(re.user_info);
}

static void test_new_aarq_replaces(void **state) {
    (void)state;
    associate_public(0x7E1F, 1200);
    size_t n = build_aarq(NULL, DLMS_MECH_LLS, "12345678", 8, 0x7E1F, 1200, buf, sizeof buf);
    int r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    assert_true(r > 0);
    assert_int_equal(g_h->events, 3); /* associated, replaced, associated */
    assert_int_equal(dlms_server_view(&g_h->server)->client_sap, SAP_LLS);
    /* A refused AARQ leaves the connection idle. */
    n = build_aarq(NULL, DLMS_MECH_LLS, "bad", 3, 0x7E1F, 1200, buf, sizeof buf);
    r = srv_in(SAP_LLS, buf, n, out, sizeof out);
    assert_int_equal(g_h->last_event, DLMS_SERVER_EVENT_REPLACED);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_NON_ASSOCIATED);
}

static void test_inactivity_and_close(void **state) {
    (void)state;
    g_h->now = 1000;
    associate_public(0x7E1F, 1200);
    assert_int_equal(dlms_server_tick(&g_h->server, 1000 + EM_DLMS_INACTIVITY_MS - 1), 0);
    g_h->now = 50000; /* activity moves the deadline */
    size_t q = get_normal(0xC1, 8, LN_CLOCK, 2, NULL, buf, sizeof buf);
    assert_true(srv_in(SAP_PUBLIC, buf, q, out, sizeof out) > 0);
    assert_int_equal(dlms_server_tick(&g_h->server, 1000 + EM_DLMS_INACTIVITY_MS), 0);
    assert_int_equal(dlms_server_tick(&g_h->server, 50000 + EM_DLMS_INACTIVITY_MS), 1);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_NON_ASSOCIATED);
    assert_int_equal(g_h->last_event, DLMS_SERVER_EVENT_TIMEOUT);
    assert_int_equal(dlms_server_tick(&g_h->server, UINT64_MAX), 0);
    /* A configured timeout, and "none". */
    g_h->cfg.inactivity_ms = 10;
    associate_public(0x7E1F, 1200);
    assert_int_equal(dlms_server_tick(&g_h->server, g_h->now + 10), 1);
    g_h->cfg.inactivity_ms = DLMS_SERVER_NO_TIMEOUT;
    associate_public(0x7E1F, 1200);
    assert_int_equal(dlms_server_tick(&g_h->server, UINT64_MAX), 0);
    dlms_server_transport_closed(&g_h->server);
    assert_int_equal(g_h->last_event, DLMS_SERVER_EVENT_CLOSED);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_NON_ASSOCIATED);
}

static void test_pre_established(void **state) {
    (void)state;
    size_t q = get_normal(0xC1, 3, LN_REGISTER, 2, NULL, buf, sizeof buf);
    int r = srv_in(SAP_PRE, buf, q, out, sizeof out);
    assert_hex(out, (size_t)r, "C401C1000600003039");
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
    assert_int_equal(g_fake.last_view.client_sap, SAP_PRE);
    assert_int_equal(g_fake.last_view.assoc_index, 3);
    assert_int_equal(g_h->events, 0);
    /* The public client is not pre-established. */
    dlms_server_transport_closed(&g_h->server);
    r = srv_in(SAP_PUBLIC, buf, q, out, sizeof out);
    assert_hex(out, (size_t)r, "D80101");
}

/* ---- invocation counters ------------------------------------------------------------------------
 */

static void test_ic_reserved_ahead(void **state) {
    (void)state;
    g_h->cfg.ic_reserve_step = 4;
    client_t c;
    hls_pass12(&c, 0);
    /* The AARE's counter was reserved before use, 4 ahead. */
    assert_int_equal(g_h->reserve_calls, 1);
    assert_int_equal(g_h->last_bound, 0x01234566u + 4);
    assert_int_equal(g_h->sec.tx_ic_reserved, 0x01234566u + 4);
    hls_pass3(&c, &c.keys, LN_ASSOC_CURRENT); /* uses 67 and 68 */
    assert_int_equal(g_h->reserve_calls, 1);
    size_t q = get_normal(0xC1, 3, LN_REGISTER, 2, NULL, plain, sizeof plain);
    size_t m = client_protect(&c, plain, q, buf, sizeof buf); /* 69: the last reserved */
    assert_true(srv_in(SAP_MGMT, buf, m, out, sizeof out) > 0);
    assert_int_equal(g_h->reserve_calls, 1);
    m = client_protect(&c, plain, q, buf, sizeof buf); /* 6A: reserve again first */
    assert_true(srv_in(SAP_MGMT, buf, m, out, sizeof out) > 0);
    assert_int_equal(g_h->reserve_calls, 2);
    assert_int_equal(g_h->last_bound, 0x0123456Au + 4);
    assert_true(g_h->sec.tx_ic <= g_h->sec.tx_ic_reserved);
}

/* Topping up when idle keeps the durable write off the request path:
 * nothing while half a step or more remains, one reservation of a full
 * step below that, and a failure is reported without moving anything. */
static void test_ic_top_up(void **state) {
    (void)state;
    g_h->cfg.ic_reserve_step = 8;
    g_h->sec.tx_ic = 100;
    g_h->sec.tx_ic_reserved = 104; /* 4 left = half a step: enough */
    unsigned calls = g_h->reserve_calls;
    assert_int_equal(dlms_server_ic_top_up(&g_h->cfg, &g_h->sec), 0);
    assert_int_equal(g_h->reserve_calls, calls);
    g_h->sec.tx_ic = 101; /* 3 left */
    assert_int_equal(dlms_server_ic_top_up(&g_h->cfg, &g_h->sec), 0);
    assert_int_equal(g_h->reserve_calls, calls + 1);
    assert_int_equal(g_h->last_bound, 109u);
    assert_int_equal(g_h->sec.tx_ic_reserved, 109u);
    assert_int_equal(g_h->sec.tx_ic, 101u);
    g_h->sec.tx_ic = 108;
    g_h->reserve_fail = true;
    assert_int_equal(dlms_server_ic_top_up(&g_h->cfg, &g_h->sec), DLMS_SERVER_ERR_IC_RESERVE);
    assert_int_equal(g_h->sec.tx_ic_reserved, 109u);
    g_h->reserve_fail = false;
    g_h->sec.tx_ic = UINT32_MAX;
    g_h->sec.tx_ic_reserved = UINT32_MAX;
    assert_int_equal(dlms_server_ic_top_up(&g_h->cfg, &g_h->sec), DLMS_SERVER_ERR_IC_EXHAUSTED);
    assert_int_equal(dlms_server_ic_top_up(NULL, &g_h->sec), DLMS_SERVER_ERR_BADARG);
}

static void test_ic_reservation_failure(void **state) {
    (void)state;
    g_h->cfg.ic_reserve_step = 1;
    client_t c;
    associate_mgmt(&c, 0);
    g_h->reserve_fail = true;
    uint32_t ic = g_h->sec.tx_ic;
    unsigned sets = g_fake.set_calls;
    /* A SET that cannot be answered is not executed: plain D8 01 03. */
    uint8_t set[] = {0xC1, 0x01, 0xC1, 0x00, 0x03, 1, 0, 1, 8,
                     0,    255,  0x02, 0x00, 0x06, 0, 0, 0, 7};
    size_t m = client_protect(&c, set, sizeof set, buf, sizeof buf);
    int r = srv_in(SAP_MGMT, buf, m, out, sizeof out);
    assert_hex(out, (size_t)r, "D80103");
    assert_int_equal(g_fake.set_calls, sets);
    assert_int_equal(g_fake.register_value, 12345);
    assert_int_equal(g_h->sec.tx_ic, ic);
    /* An AARQ needing a counter is refused for now (rejected-transient). */
    {
        client_t d;
        client_init(&d, c.ic);
        size_t n =
            build_aarq(&d, DLMS_MECH_GMAC, CTOS, sizeof CTOS, CONF_ALL, 1024, buf, sizeof buf);
        r = srv_in(SAP_MGMT, buf, n, out, sizeof out);
        dlms_aare_t aare;
        decode_aare(out, r, &aare);
        assert_int_equal(aare.result, DLMS_ACSE_RESULT_REJECTED_TRANSIENT);
        assert_int_equal(g_h->sec.tx_ic, ic);
    }
    /* Data notifications refuse too. */
    uint8_t body[] = {0x11, 0x05};
    r = dlms_server_data_notification(&g_h->server, &g_h->sec, 0x30, 1, NULL,
                                      (dlms_slice_t){body, 2}, out, sizeof out);
    assert_int_equal(r, DLMS_SERVER_ERR_IC_RESERVE);
    /* The end of the counter space needs a new key. */
    g_h->reserve_fail = false;
    g_h->sec.tx_ic = UINT32_MAX;
    r = dlms_server_data_notification(&g_h->server, &g_h->sec, 0x30, 1, NULL,
                                      (dlms_slice_t){body, 2}, out, sizeof out);
    assert_int_equal(r, DLMS_SERVER_ERR_IC_EXHAUSTED);
}

/* ---- what is refused
 * ------------------------------------------------------------------------------ */

static void test_refusals(void **state) {
    (void)state;
    size_t q = get_normal(0xC1, 8, LN_CLOCK, 2, NULL, buf, sizeof buf);
    int r = srv_in(SAP_PUBLIC, buf, q, out, sizeof out);
    assert_hex(out, (size_t)r, "D80101"); /* no association */
    uint8_t unknown[] = {0xFF, 0x01};
    r = srv_in(SAP_PUBLIC, unknown, sizeof unknown, out, sizeof out);
    assert_hex(out, (size_t)r, "D80202");
    uint8_t read_req[] = {0x05, 0x01, 0x02, 0x00, 0x08};
    r = srv_in(SAP_PUBLIC, read_req, sizeof read_req, out, sizeof out);
    assert_hex(out, (size_t)r, "0E050302");
    assert_int_equal(srv_in(SAP_PUBLIC, buf, 0, out, sizeof out), 0);
    assert_int_equal(dlms_server_input(&g_h->server, SAP_PUBLIC, 7, buf, q, out, sizeof out, 0),
                     0); /* another logical device */
    assert_int_equal(srv_in(SAP_PUBLIC, buf, q, out, DLMS_SERVER_OUT_MIN - 1),
                     DLMS_SERVER_ERR_BUFFER);
    assert_int_equal(srv_in(SAP_PUBLIC, NULL, 3, out, sizeof out), DLMS_SERVER_ERR_BADARG);
    associate_public(0x7E1F, 1200);
    uint8_t trunc[] = {0xC0, 0x01, 0xC1, 0x00};
    r = srv_in(SAP_PUBLIC, trunc, sizeof trunc, out, sizeof out);
    assert_hex(out, (size_t)r, "D80103");
    uint8_t bad_type[] = {0xC0, 0x09, 0xC1};
    r = srv_in(SAP_PUBLIC, bad_type, sizeof bad_type, out, sizeof out);
    assert_hex(out, (size_t)r, "D80102");
    /* Longer than the 500 bytes announced. */
    uint8_t big[600];
    memset(big, 0, sizeof big);
    memcpy(big, buf, q);
    r = srv_in(SAP_PUBLIC, big, sizeof big, out, sizeof out);
    assert_hex(out, (size_t)r, "D80104");
    /* A ciphered request on a plain association. */
    client_t c;
    client_init(&c, 1);
    size_t m = client_protect(&c, buf, q, plain, sizeof plain);
    r = srv_in(SAP_PUBLIC, plain, m, out, sizeof out);
    assert_hex(out, (size_t)r, "D80105");
    /* A response tag from a client. */
    uint8_t resp[] = {0xC4, 0x01, 0xC1, 0x00, 0x11, 0x01};
    r = srv_in(SAP_PUBLIC, resp, sizeof resp, out, sizeof out);
    assert_hex(out, (size_t)r, "D80202");
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
}

static void test_data_notification(void **state) {
    (void)state;
    uint8_t body[] = {0x02, 0x02, 0x11, 0x05, 0x06, 0x00, 0x00, 0x00, 0x07};
    int r = dlms_server_data_notification(&g_h->server, NULL, 0, 0x12, NULL,
                                          (dlms_slice_t){body, sizeof body}, out, sizeof out);
    assert_hex(out, (size_t)r, "0F0000001200020211050600000007");
    uint32_t ic = g_h->sec.tx_ic;
    r = dlms_server_data_notification(&g_h->server, &g_h->sec, 0x30, 0x12, NULL,
                                      (dlms_slice_t){body, sizeof body}, out, sizeof out);
    assert_true(r > 0);
    assert_int_equal(out[0], 0xDB); /* general-glo-ciphering, our title inside */
    assert_int_equal(g_h->sec.tx_ic, ic + 1);
    assert_int_equal(g_h->reserve_calls, 1);
    client_t c;
    client_init(&c, 0);
    c.rx.peer_title = NULL;
    size_t n = client_unprotect(&c, out, (size_t)r, plain, sizeof plain);
    assert_hex(plain, n, "0F0000001200020211050600000007");
    r = dlms_server_data_notification(&g_h->server, &g_h->sec, 0x30, 0x12, NULL,
                                      (dlms_slice_t){body, sizeof body}, out, 20);
    assert_int_equal(r, DLMS_SERVER_ERR_BUFFER);
    assert_int_equal(g_h->sec.tx_ic, ic + 1); /* nothing sent, nothing used */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_config_checks, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_assoc_allowed_hook, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_public_aare_exact, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_refused_initiate_exact, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_sap_context_mechanism, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_lls, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_hls5_four_pass, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_hls5_own_logical_name, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_hls5_wrong_reply, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_hls5_plain_context, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_pending_serves_nothing_else, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key_aarq, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_policy_refuses_plain, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_replay_and_wrong_key_request, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_glo_get_vector, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_ciphered_aarq_vector_dedicated, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_rlrq_then_other_client, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_rlrq_ciphered, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_new_aarq_replaces, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_inactivity_and_close, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_pre_established, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_ic_reserved_ahead, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_ic_top_up, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_ic_reservation_failure, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_refusals, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_data_notification, harness_setup, harness_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
