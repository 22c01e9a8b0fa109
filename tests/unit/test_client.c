/*
 * test_client.c - lib/dlms/client: association (AARQ/AARE, §4.6 vectors),
 * HLS-5 passes 3 and 4 (§3.3 vectors), ciphered requests (§3.1 vector) and
 * responses, release, invoke ids, invocation counters, and hostile answers
 * (wrong invoke id, truncated, replayed counter, bad tag, plain answer on a
 * ciphered association, bad f(CtoS)). Server answers are built with the
 * library's server-side encoders (test_client_support.h). Blocks, lists,
 * selective access, SET and ACTION are in test_client_blocks.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "dlms/client.h"
#include "test_client_support.h"

static uint8_t out[EM_DLMS_CLIENT_MAX_PDU + 64];
static uint8_t in[EM_DLMS_CLIENT_MAX_PDU + 64];

/* One client at a time, in static storage (it holds two PDU buffers), so a
 * failed assertion leaks nothing. */
static dlms_client_t the_client;

static dlms_client_t *new_client(const dlms_client_settings_t *s) {
    assert_int_equal(dlms_client_init(&the_client, s), 0);
    return &the_client;
}

static void done(dlms_client_t *c) {
    memset(c, 0xA5, sizeof *c); /* a later test must not see stale state */
}

static void expect_bytes(const uint8_t *got, int n, const char *hex) {
    uint8_t want[512];
    size_t wn = tc_unhex(hex, want, sizeof want);
    assert_int_equal(n, (int)wn);
    assert_memory_equal(got, want, wn);
}

/* Plain association accepted with the given conformance and server PDU. */
static dlms_client_t *associate_plain(uint32_t conformance, uint16_t max_pdu) {
    dlms_client_settings_t s;
    tc_settings(&s);
    dlms_client_t *c = new_client(&s);
    tc_server_t srv;
    tc_server_init(&srv, 1);
    dlms_client_result_t res;
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    tc_aare_opts_t o = {0, 0, false, NULL, 0, false, conformance, max_pdu};
    int n = tc_aare(&srv, &o, in, sizeof in);
    assert_true(n > 0);
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res), 0);
    assert_true(dlms_client_is_associated(c));
    return c;
}

/* ---- AARQ / AARE ------------------------------------------------------------------- */

/* dlms-facts §4.6: the AARQ without security and the accepted AARE. */
static void test_aarq_aare_vectors(void **state) {
    (void)state;
    dlms_client_settings_t s;
    dlms_client_settings_init(&s);
    s.max_receive_pdu = 1200;
    dlms_client_t *c = new_client(&s);
    int n = dlms_client_aarq(c, NULL, 0, out, sizeof out);
    expect_bytes(out, n, "601DA109060760857405080101BE10040E01000000065F1F0400007E1F04B0");
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_AARQ_SENT);
    /* A second AARQ while the first is pending. */
    assert_int_equal(dlms_client_aarq(c, NULL, 0, out, sizeof out), DLMS_CLIENT_ERR_BUSY);

    size_t m = tc_unhex("6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F04"
                        "0000501F01F40007",
                        in, sizeof in);
    dlms_client_result_t res;
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res), 0);
    assert_int_equal(res.op, DLMS_CLIENT_OP_ASSOCIATE);
    assert_true(dlms_client_is_associated(c));
    assert_int_equal(dlms_client_conformance(c), 0x00501F);
    assert_int_equal(dlms_client_server_max_pdu(c), 500);
    assert_null(dlms_client_server_title(c));
    /* Associated: a new AARQ is refused. */
    assert_int_equal(dlms_client_aarq(c, NULL, 0, out, sizeof out), DLMS_CLIENT_ERR_STATE);
    done(c);
}

/* §4.6: rejected-permanent with an InitiateError dlms-version-too-low. */
static void test_aare_rejected(void **state) {
    (void)state;
    dlms_client_settings_t s;
    dlms_client_settings_init(&s);
    dlms_client_t *c = new_client(&s);
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    size_t m = tc_unhex("611FA109060760857405080101A203020101A305A103020101BE0604040E010601", in,
                        sizeof in);
    dlms_client_result_t res;
    int rc = dlms_client_handle(c, in, m, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_CLIENT_ERR_REJECTED);
    assert_int_equal(res.assoc_result, DLMS_ACSE_RESULT_REJECTED_PERMANENT);
    assert_int_equal(res.diag_source, DLMS_ACSE_SOURCE_USER);
    assert_int_equal(res.diagnostic, DLMS_ACSE_DIAG_NO_REASON_GIVEN);
    assert_true(res.has_service_error);
    assert_int_equal(res.service_error.service, DLMS_CSE_INITIATE_ERROR);
    assert_int_equal(res.service_error.value, DLMS_INITIATE_ERROR_DLMS_VERSION_TOO_LOW);
    assert_string_equal(dlms_client_reason(rc, &res),
                        dlms_initiate_error_name(DLMS_INITIATE_ERROR_DLMS_VERSION_TOO_LOW));
    assert_string_equal(dlms_client_strerror(rc), "association rejected");
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);
    /* Idle again: a new AARQ may follow. */
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    done(c);
}

/* Rejected by an authentication failure: the diagnostic is the reason. */
static void test_aare_rejected_diagnostic(void **state) {
    (void)state;
    dlms_client_settings_t s;
    tc_settings(&s);
    s.mechanism = DLMS_MECH_LLS;
    memcpy(s.password, "12345678", 8);
    s.password_len = 8;
    dlms_client_t *c = new_client(&s);
    int n = dlms_client_aarq(c, NULL, 0, out, sizeof out);
    dlms_aarq_t aarq;
    assert_int_equal(dlms_aarq_decode(out, (size_t)n, &aarq), 0);
    assert_int_equal(aarq.mechanism, DLMS_MECH_LLS);
    assert_int_equal(aarq.auth_value_len, 8);
    assert_memory_equal(aarq.auth_value, "12345678", 8);
    assert_false(aarq.has_calling_ap_title); /* not needed without ciphering */

    tc_server_t srv;
    tc_server_init(&srv, 1);
    tc_aare_opts_t o = {DLMS_ACSE_RESULT_REJECTED_PERMANENT,
                        DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE,
                        false,
                        NULL,
                        0,
                        false,
                        0x1F,
                        512};
    n = tc_aare(&srv, &o, in, sizeof in);
    dlms_client_result_t res;
    int rc = dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_CLIENT_ERR_REJECTED);
    assert_string_equal(
        dlms_client_reason(rc, &res),
        dlms_acse_diagnostic_name(DLMS_ACSE_SOURCE_USER, DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE));
    done(c);
}

/* Hostile AAREs: wrong APDU, truncated, context not the one proposed. */
static void test_aare_hostile(void **state) {
    (void)state;
    dlms_client_settings_t s;
    dlms_client_settings_init(&s);
    dlms_client_t *c = new_client(&s);
    dlms_client_result_t res;

    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    size_t m = tc_unhex("63028000", in, sizeof in); /* an RLRE */
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_UNEXPECTED);
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);

    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    m = tc_unhex("6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F04"
                 "0000501F01F40007",
                 in, sizeof in);
    assert_true(dlms_client_handle(c, in, m - 1, out, sizeof out, &res) < 0);
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);

    /* The server answers "LN with ciphering" to a plain proposal. */
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    in[12] = 0x03; /* the last byte of the application-context-name OID */
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_UNEXPECTED);

    /* An empty answer. */
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    assert_int_equal(dlms_client_handle(c, in, 0, out, sizeof out, &res), DLMS_APDU_ERR_TRUNCATED);
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);

    /* No request pending: nothing to match. */
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_NO_REQUEST);
    done(c);
}

/* ---- HLS-5 ------------------------------------------------------------------------- */

/* Client for the §3.3 example: title ...01, IC 1, CtoS "K56iVagY". */
static dlms_client_t *hls_client(bool ciphered) {
    dlms_client_settings_t s;
    tc_settings(&s);
    s.mechanism = DLMS_MECH_GMAC;
    s.ciphered = ciphered;
    s.tx_ic = 1;
    s.first_invoke_id = 0;
    dlms_client_t *c = new_client(&s);
    int n = dlms_client_aarq(c, (const uint8_t *)"K56iVagY", 8, out, sizeof out);
    assert_true(n > 0);
    dlms_aarq_t aarq;
    assert_int_equal(dlms_aarq_decode(out, (size_t)n, &aarq), 0);
    assert_int_equal(aarq.mechanism, DLMS_MECH_GMAC);
    assert_memory_equal(aarq.auth_value, "K56iVagY", 8);
    assert_true(aarq.has_calling_ap_title);
    assert_int_equal(aarq.context, ciphered ? DLMS_CONTEXT_LN_CIPH : DLMS_CONTEXT_LN);
    return c;
}

/* AARE pass 2 with StoC "P6wRJ21F"; returns the pass 3 request length. */
static int hls_pass2(dlms_client_t *c, tc_server_t *srv, bool ciphered) {
    tc_aare_opts_t o = {0,        DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED,
                        ciphered, (const uint8_t *)"P6wRJ21F",
                        8,        true,
                        0x00501F, 1024};
    int n = tc_aare(srv, &o, in, sizeof in);
    assert_true(n > 0);
    dlms_client_result_t res;
    n = dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res);
    assert_true(n > 0);
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_HLS_PENDING);
    return n;
}

/* Pass 4 reply: action-response carrying f as an octet string. */
static size_t pass4_reply(uint8_t iid, uint8_t result, const uint8_t *f, size_t flen,
                          uint8_t *buf) {
    size_t n = 0;
    buf[n++] = 0xC7;
    buf[n++] = 0x01;
    buf[n++] = iid;
    buf[n++] = result;
    if (f != NULL) {
        buf[n++] = 0x01; /* return parameters */
        buf[n++] = 0x00; /* data */
        buf[n++] = 0x09;
        buf[n++] = (uint8_t)flen;
        memcpy(buf + n, f, flen);
        n += flen;
    } else {
        buf[n++] = 0x00;
    }
    return n;
}

/* §3.3: pass 3 carries f(StoC) = 10 00000001 1A52FE7DD3E72748973C1E28 in
 * the plain ACTION of dlms-facts §4.8 (C3 01 C0 000F 0000280000FF 01 01 09
 * 11 ...), and the server's f(CtoS) of the same example verifies. */
static void test_hls5_vectors(void **state) {
    (void)state;
    dlms_client_t *c = hls_client(false);
    tc_server_t srv;
    tc_server_init(&srv, 0x01234567);
    int n = hls_pass2(c, &srv, false);
    expect_bytes(out, n,
                 "C301C0000F0000280000FF01010911"
                 "10000000011A52FE7DD3E72748973C1E28");
    assert_int_equal(dlms_client_tx_ic(c), 2); /* IC 1 went into the GMAC */
    /* A new request while HLS is pending. */
    dlms_cosem_descriptor_t clk = {8, {0, 0, 1, 0, 0, 255}, 2};
    assert_int_equal(dlms_client_get(c, &clk, NULL, out, sizeof out), DLMS_CLIENT_ERR_BUSY);

    uint8_t f[17];
    tc_unhex("1001234567FE1466AFB3DBCD4F9389E2B7", f, sizeof f);
    size_t m = pass4_reply(0xC0, 0, f, sizeof f, in);
    dlms_client_result_t res;
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res), 0);
    assert_true(dlms_client_is_associated(c));
    assert_memory_equal(dlms_client_server_title(c), srv.title, 8);
    done(c);
}

/* A server that does not know the keys: its f(CtoS) does not verify. */
static void test_hls5_bad_ctos(void **state) {
    (void)state;
    uint8_t f[17];
    dlms_client_result_t res;
    const char *bad[] = {
        "1001234567FE1466AFB3DBCD4F9389E2B6", /* tag bit flipped */
        "1001234568FE1466AFB3DBCD4F9389E2B7", /* another IC */
        "3001234567FE1466AFB3DBCD4F9389E2B7", /* SC not 0x10 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dlms_client_t *c = hls_client(false);
        tc_server_t srv;
        tc_server_init(&srv, 0x01234567);
        hls_pass2(c, &srv, false);
        tc_unhex(bad[i], f, sizeof f);
        size_t m = pass4_reply(0xC0, 0, f, sizeof f, in);
        assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                         DLMS_CLIENT_ERR_HLS_VERIFY);
        assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);
        done(c);
    }
    /* Too short a reply, no reply, refused pass 3. */
    dlms_client_t *c = hls_client(false);
    tc_server_t srv;
    tc_server_init(&srv, 0x01234567);
    hls_pass2(c, &srv, false);
    size_t m = pass4_reply(0xC0, 0, f, 10, in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_HLS_VERIFY);
    done(c);

    c = hls_client(false);
    hls_pass2(c, &srv, false);
    m = pass4_reply(0xC0, 0, NULL, 0, in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_HLS_FAILED);
    done(c);

    c = hls_client(false);
    hls_pass2(c, &srv, false);
    m = pass4_reply(0xC0, DLMS_ACTION_READ_WRITE_DENIED, NULL, 0, in);
    int rc = dlms_client_handle(c, in, m, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_CLIENT_ERR_HLS_FAILED);
    assert_int_equal(res.dar, DLMS_ACTION_READ_WRITE_DENIED);
    assert_string_equal(dlms_client_reason(rc, &res),
                        dlms_action_result_name(DLMS_ACTION_READ_WRITE_DENIED));
    done(c);

    /* Pass 4 with another invoke id. */
    c = hls_client(false);
    hls_pass2(c, &srv, false);
    tc_unhex("1001234567FE1466AFB3DBCD4F9389E2B7", f, sizeof f);
    m = pass4_reply(0xC1, 0, f, sizeof f, in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_INVOKE_ID);
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);
    done(c);
}

/* An AARE that does not follow the HLS-5 flow. */
static void test_hls5_bad_aare(void **state) {
    (void)state;
    tc_server_t srv;
    tc_server_init(&srv, 5);
    dlms_client_result_t res;
    /* accepted without "authentication-required" */
    tc_aare_opts_t o = {0, 0, false, (const uint8_t *)"P6wRJ21F", 8, true, 0x1F, 512};
    dlms_client_t *c = hls_client(false);
    int n = tc_aare(&srv, &o, in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_HLS_FAILED);
    done(c);
    /* no StoC */
    o.diagnostic = DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED;
    o.stoc = NULL;
    c = hls_client(false);
    n = tc_aare(&srv, &o, in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_HLS_FAILED);
    done(c);
    /* no server title: f(CtoS) could not be checked */
    o.stoc = (const uint8_t *)"P6wRJ21F";
    o.title = false;
    c = hls_client(false);
    n = tc_aare(&srv, &o, in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_HLS_FAILED);
    done(c);
}

/* The whole HLS-5 flow ciphered, as the DSMR management client runs it:
 * glo-initiateRequest, glo-initiateResponse, pass 3/4 as glo-action, a
 * ciphered GET, an authenticated release. The canned server checks what the
 * client sends with the library's own server-side functions. */
static void test_hls5_ciphered_flow(void **state) {
    (void)state;
    dlms_client_settings_t s;
    tc_settings(&s);
    s.mechanism = DLMS_MECH_GMAC;
    s.ciphered = true;
    s.tx_ic = 100;
    dlms_client_t *c = new_client(&s);
    tc_server_t srv;
    tc_server_init(&srv, 7000);
    uint8_t ctos[32];
    memset(ctos, 0x5A, sizeof ctos);
    int n = dlms_client_aarq(c, ctos, sizeof ctos, out, sizeof out);
    assert_true(n > 0);

    /* Server: decode the AARQ and decipher its InitiateRequest. */
    dlms_aarq_t aarq;
    assert_int_equal(dlms_aarq_decode(out, (size_t)n, &aarq), 0);
    assert_int_equal(aarq.context, DLMS_CONTEXT_LN_CIPH);
    dlms_sec_rx_t srx;
    memset(&srx, 0, sizeof srx);
    srx.keys = &srv.keys;
    srx.sc_required = DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC;
    dlms_acse_initiate_t ini;
    assert_int_equal(dlms_acse_aarq_initiate(&aarq, &srx, &ini), 0);
    assert_true(ini.ciphered);
    assert_int_equal(ini.sec.ic, 100);
    assert_int_equal(ini.request.conformance, DLMS_CLIENT_DEFAULT_CONFORMANCE);
    assert_int_equal(ini.request.client_max_receive_pdu_size, EM_DLMS_CLIENT_MAX_PDU);

    /* Pass 2 (ciphered AARE), the client answers with a glo-action. */
    const uint8_t stoc[16] = "0123456789abcdef";
    tc_aare_opts_t o = {0,    DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED,          true, stoc, 16,
                        true, 0x00501F | DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION, 1024};
    n = tc_aare(&srv, &o, in, sizeof in);
    dlms_client_result_t res;
    n = dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res);
    assert_true(n > 0);
    assert_int_equal(out[0], 0xCB); /* glo-action-request */
    uint8_t plain[256];
    srx.peer_title = aarq.calling_ap_title;
    dlms_sec_info_t info;
    int m = dlms_sec_unprotect(&srx, out, (size_t)n, plain, sizeof plain, &info);
    assert_true(m > 0);
    assert_int_equal(info.ic, 102); /* 100 AARQ, 101 GMAC of f(StoC), 102 this */
    dlms_action_request_t ar;
    assert_int_equal(dlms_action_request_decode(plain, (size_t)m, &ar), 0);
    assert_int_equal(ar.methods[0].class_id, 15);
    assert_int_equal(ar.methods[0].id, 1);
    /* The server checks f(StoC) as a real one would. */
    assert_int_equal(ar.params[0].len, 2 + 17);
    uint32_t cic = 0;
    assert_int_equal(dlms_sec_hls_verify(&srv.keys, aarq.calling_ap_title, stoc, 16,
                                         ar.params[0].p + 2, 17, &cic),
                     0);
    assert_int_equal(cic, 101);

    /* Pass 4, ciphered, with the server's f(CtoS). */
    uint8_t f[17];
    dlms_sec_tx_t stx = {&srv.keys, srv.title, DLMS_SEC_SC_AUTH_ONLY, srv.ic++, false};
    assert_int_equal(dlms_sec_hls_gmac(&stx, ctos, sizeof ctos, f), 0);
    size_t pl = pass4_reply(ar.invoke_id, 0, f, sizeof f, plain);
    n = tc_protect(&srv, plain, pl, in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res), 0);
    assert_true(dlms_client_is_associated(c));

    /* A ciphered GET and its ciphered answer. */
    dlms_cosem_descriptor_t ldn = {1, {0, 0, 42, 0, 0, 255}, 2};
    n = dlms_client_get(c, &ldn, NULL, out, sizeof out);
    assert_int_equal(out[0], 0xC8);
    m = dlms_sec_unprotect(&srx, out, (size_t)n, plain, sizeof plain, &info);
    assert_int_equal(info.ic, 103);
    dlms_get_request_t gr;
    assert_int_equal(dlms_get_request_decode(plain, (size_t)m, &gr), 0);
    uint8_t rsp[32] = {0xC4, 0x01, gr.invoke_id, 0x00, 0x09, 0x04, 'E', 'M', 'T', 'R'};
    n = tc_protect(&srv, rsp, 10, in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res), 0);
    assert_int_equal(res.data.len, 6);
    assert_memory_equal(res.data.p, rsp + 4, 6);

    /* Release: RLRQ carries a glo-initiateRequest; the RLRE is ciphered too. */
    n = dlms_client_release(c, out, sizeof out);
    assert_true(n > 0);
    dlms_release_t rl;
    assert_int_equal(dlms_rlrq_decode(out, (size_t)n, &rl), 0);
    assert_non_null(rl.user_info);
    assert_int_equal(rl.user_info[0], DLMS_XDLMS_TAG_GLO_INITIATE_REQUEST);
    dlms_initiate_response_t ir = {false, 0, 6, 0x501F, 1024, 7};
    pl = (size_t)dlms_initiate_response_encode(&ir, plain, sizeof plain);
    uint8_t ui[128];
    n = tc_protect(&srv, plain, pl, ui, sizeof ui);
    dlms_release_t rle = {true, DLMS_RLRE_REASON_NORMAL, ui, (size_t)n};
    n = dlms_rlre_encode(&rle, in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res), 0);
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);
    assert_int_equal(dlms_client_tx_ic(c), 105);
    done(c);
}

/* ---- ciphering ------------------------------------------------------------------------ */

/* A ciphered association without authentication whose client title and
 * counter reproduce dlms-facts §3.1: the AARQ takes IC 0x01234566, so the
 * GET of the clock goes out with 0x01234567. */
static dlms_client_t *ciphered_client(tc_server_t *srv) {
    dlms_client_settings_t s;
    tc_settings(&s);
    tc_unhex(TC_SRV_T, s.system_title, 8); /* the §3.1 example's title */
    s.ciphered = true;
    s.tx_ic = 0x01234566;
    s.invoke_flags = 0;
    s.first_invoke_id = 0;
    dlms_client_t *c = new_client(&s);
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    tc_server_init(srv, 10);
    srv->title[7] = 0x01; /* the server has its own title */
    tc_aare_opts_t o = {0, 0, true, NULL, 0, true, 0x00501F, 1024};
    int n = tc_aare(srv, &o, in, sizeof in);
    dlms_client_result_t res;
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res), 0);
    return c;
}

static void test_ciphered_get_vector(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = ciphered_client(&srv);
    dlms_cosem_descriptor_t clk = {8, {0, 0, 1, 0, 0, 255}, 2};
    int n = dlms_client_get(c, &clk, NULL, out, sizeof out);
    expect_bytes(out, n, "C81E3001234567411312FF935A47566827C467BC7D825C3BE4A77C3FCC056B6B");
    assert_int_equal(dlms_client_tx_ic(c), 0x01234568);

    /* The ciphered answer (2026-11-20 12:00 CET); then the same answer
     * replayed for a new GET. */
    uint8_t plain[18] = {0xC4, 0x01, 0x00, 0x00, 0x09, 0x0C, 0x07, 0xEA, 11,
                         20,   5,    12,   0,    0,    0,    0xFF, 0xC4, 0x00};
    uint8_t ct[128];
    int cn = tc_protect(&srv, plain, sizeof plain, ct, sizeof ct);
    dlms_client_result_t res;
    assert_int_equal(dlms_client_handle(c, ct, (size_t)cn, out, sizeof out, &res), 0);
    assert_int_equal(res.data.len, 14);
    assert_memory_equal(res.data.p, plain + 4, 14);

    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    plain[2] = 0x01;
    /* Replayed counter: refused before any decryption. */
    int rc = dlms_client_handle(c, ct, (size_t)cn, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_SEC_ERR_REPLAY);
    assert_true(dlms_client_is_associated(c)); /* the association survives */

    /* A forged tag. */
    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    cn = tc_protect(&srv, plain, sizeof plain, ct, sizeof ct);
    ct[cn - 1] ^= 1;
    assert_int_equal(dlms_client_handle(c, ct, (size_t)cn, out, sizeof out, &res),
                     DLMS_SEC_ERR_AUTH);

    /* A plain answer on a ciphered association. */
    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    plain[2] = 0x02;
    assert_int_equal(dlms_client_handle(c, plain, sizeof plain, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_NOT_CIPHERED);

    /* Authenticated only (SC 0x10) while we asked for 0x30: policy. */
    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    plain[2] = 0x03;
    dlms_sec_tx_t tx = {&srv.keys, srv.title, DLMS_SEC_SC_AUTH_ONLY, srv.ic++, false};
    cn = dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, plain, sizeof plain, ct, sizeof ct);
    assert_int_equal(dlms_client_handle(c, ct, (size_t)cn, out, sizeof out, &res),
                     DLMS_SEC_ERR_POLICY);

    /* The good one still works afterwards, with a fresh counter. */
    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    plain[2] = 0x05; /* invoke ids 0..4 went to the requests above */
    cn = tc_protect(&srv, plain, sizeof plain, ct, sizeof ct);
    assert_int_equal(dlms_client_handle(c, ct, (size_t)cn, out, sizeof out, &res), 0);
    done(c);
}

/* A plain AARE on a ciphered proposal is refused (forged InitiateResponse). */
static void test_ciphered_plain_aare(void **state) {
    (void)state;
    dlms_client_settings_t s;
    tc_settings(&s);
    s.ciphered = true;
    dlms_client_t *c = new_client(&s);
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    tc_server_t srv;
    tc_server_init(&srv, 1);
    tc_aare_opts_t o = {0, 0, false, NULL, 0, true, 0x1F, 512};
    int n = tc_aare(&srv, &o, in, sizeof in);
    in[12] = DLMS_CONTEXT_LN_CIPH; /* context echo right, user-information plain */
    dlms_client_result_t res;
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_NOT_CIPHERED);
    /* Replay of a ciphered AARE from an earlier association. */
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    o.ciphered = true;
    int first = tc_aare(&srv, &o, in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, (size_t)first, out, sizeof out, &res), 0);
    n = dlms_client_release(c, out, sizeof out);
    assert_true(n > 0);
    dlms_release_t rle = {true, 0, NULL, 0};
    uint8_t rlre[16];
    n = dlms_rlre_encode(&rle, rlre, sizeof rlre);
    assert_int_equal(dlms_client_handle(c, rlre, (size_t)n, out, sizeof out, &res), 0);
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    assert_int_equal(dlms_client_handle(c, in, (size_t)first, out, sizeof out, &res),
                     DLMS_SEC_ERR_REPLAY);
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);
    done(c);
}

/* ---- service answers: invoke ids, exceptions, hostile APDUs ------------------------------ */

static void test_invoke_ids(void **state) {
    (void)state;
    dlms_client_t *c = associate_plain(0x1F, 512);
    dlms_cosem_descriptor_t clk = {8, {0, 0, 1, 0, 0, 255}, 2};
    dlms_client_result_t res;
    for (unsigned i = 0; i < 18; i++) {
        int n = dlms_client_get(c, &clk, NULL, out, sizeof out);
        assert_true(n > 0);
        uint8_t want = (uint8_t)(0xC0 | ((1 + i) & 0x0F)); /* 1..15, 0, 1, 2 */
        assert_int_equal(out[2], want);
        uint8_t rsp[] = {0xC4, 0x01, want, 0x00, 0x11, (uint8_t)i};
        assert_int_equal(dlms_client_handle(c, rsp, sizeof rsp, out, sizeof out, &res), 0);
        assert_int_equal(res.data.len, 2);
    }
    /* Another invoke id, another priority bit, and a stray answer. */
    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    uint8_t rsp[] = {0xC4, 0x01, (uint8_t)(out[2] ^ 0x01), 0x00, 0x11, 0};
    assert_int_equal(dlms_client_handle(c, rsp, sizeof rsp, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_INVOKE_ID);
    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    rsp[2] = (uint8_t)(out[2] & 0x7F);
    assert_int_equal(dlms_client_handle(c, rsp, sizeof rsp, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_INVOKE_ID);
    assert_int_equal(dlms_client_handle(c, rsp, sizeof rsp, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_NO_REQUEST);
    done(c);
}

static void test_hostile_answers(void **state) {
    (void)state;
    dlms_client_t *c = associate_plain(0x1F, 512);
    dlms_cosem_descriptor_t clk = {8, {0, 0, 1, 0, 0, 255}, 2};
    dlms_client_result_t res;
    struct {
        const char *hex;
        int rc;
    } cases[] = {
        {"C401C1", DLMS_APDU_ERR_TRUNCATED},                   /* truncated */
        {"C401C20011", DLMS_APDU_ERR_TRUNCATED},               /* Data cut */
        {"C401C300110500", DLMS_APDU_ERR_TRAILING},            /* trailing byte */
        {"C501C400", DLMS_CLIENT_ERR_UNEXPECTED},              /* a set-response */
        {"C403C501001105", DLMS_CLIENT_ERR_UNEXPECTED},        /* with-list to a normal GET */
        {"C409C6", DLMS_APDU_ERR_TYPE},                        /* unknown response type */
        {"7E", DLMS_CLIENT_ERR_UNEXPECTED},                    /* not an APDU at all */
        {"C401C8002A", DLMS_APDU_ERR_DATA},                    /* unknown data tag */
        {"C401C90103", DLMS_CLIENT_ERR_DATA_ACCESS},           /* read-write-denied */
        {"C402CA0000000001000101", DLMS_CLIENT_ERR_NO_BUFFER}, /* a block, no buffer */
        {"CC0530000000", DLMS_CLIENT_ERR_UNEXPECTED},          /* ciphered, plain association */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = dlms_client_get(c, &clk, NULL, out, sizeof out);
        assert_true(n > 0);
        size_t m = tc_unhex(cases[i].hex, in, sizeof in);
        int rc = dlms_client_handle(c, in, m, out, sizeof out, &res);
        if (rc != cases[i].rc) {
            print_error("case %zu (%s): %d, want %d\n", i, cases[i].hex, rc, cases[i].rc);
        }
        assert_int_equal(rc, cases[i].rc);
        assert_true(dlms_client_is_associated(c));
    }
    done(c);
}

static void test_exception_and_service_error(void **state) {
    (void)state;
    dlms_client_t *c = associate_plain(0x1F, 512);
    dlms_cosem_descriptor_t clk = {8, {0, 0, 1, 0, 0, 255}, 2};
    dlms_client_result_t res;
    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    size_t m = tc_unhex("D80102", in, sizeof in);
    int rc = dlms_client_handle(c, in, m, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_CLIENT_ERR_EXCEPTION);
    assert_true(res.has_exception);
    assert_int_equal(res.exception.state_error, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED);
    assert_int_equal(res.exception.service_error, DLMS_EXC_SERVICE_NOT_SUPPORTED);
    assert_string_equal(dlms_client_reason(rc, &res),
                        dlms_exception_service_error_name(DLMS_EXC_SERVICE_NOT_SUPPORTED));

    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    m = tc_unhex("D8010600000010", in, sizeof in); /* invocation-counter-error, expected 16 */
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_EXCEPTION);
    assert_int_equal(res.exception.invocation_counter, 16);

    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    m = tc_unhex("0E050302", in, sizeof in);
    rc = dlms_client_handle(c, in, m, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_CLIENT_ERR_SERVICE_ERROR);
    assert_true(res.has_service_error);
    assert_int_equal(res.service_error.service, DLMS_CSE_READ);

    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    m = tc_unhex("D801", in, sizeof in); /* truncated exception */
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res), DLMS_APDU_ERR_TRUNCATED);
    done(c);
}

/* ---- state, settings, counters ------------------------------------------------------------ */

static void test_state_rules(void **state) {
    (void)state;
    dlms_client_settings_t s;
    dlms_client_settings_init(&s);
    dlms_client_t *c = new_client(&s);
    dlms_cosem_descriptor_t clk = {8, {0, 0, 1, 0, 0, 255}, 2};
    assert_int_equal(dlms_client_get(c, &clk, NULL, out, sizeof out), DLMS_CLIENT_ERR_STATE);
    assert_int_equal(dlms_client_release(c, out, sizeof out), DLMS_CLIENT_ERR_STATE);
    done(c);

    c = associate_plain(0x1F, 512);
    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    assert_int_equal(dlms_client_get(c, &clk, NULL, out, sizeof out), DLMS_CLIENT_ERR_BUSY);
    dlms_client_abort(c); /* e.g. a response timeout */
    assert_true(dlms_client_is_associated(c));
    assert_true(dlms_client_get(c, &clk, NULL, out, sizeof out) > 0);
    dlms_client_reset(c); /* the transport went away */
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);
    assert_int_equal(dlms_client_get(c, &clk, NULL, out, sizeof out), DLMS_CLIENT_ERR_STATE);
    /* Output buffer too small. */
    assert_int_equal(dlms_client_aarq(c, NULL, 0, out, 10), DLMS_CLIENT_ERR_BUFFER);
    done(c);

    /* Plain release: RLRQ 62 03 80 01 00, RLRE with and without reason. */
    c = associate_plain(0x1F, 512);
    int n = dlms_client_release(c, out, sizeof out);
    expect_bytes(out, n, "6203800100");
    dlms_client_result_t res;
    size_t m = tc_unhex("6203800100", in, sizeof in); /* an RLRQ back */
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_UNEXPECTED);
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE); /* released anyway */
    done(c);
    c = associate_plain(0x1F, 512);
    assert_true(dlms_client_release(c, out, sizeof out) > 0);
    m = tc_unhex("6300", in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res), 0);
    assert_int_equal(dlms_client_state(c), DLMS_CLIENT_IDLE);
    done(c);
}

static void test_settings(void **state) {
    (void)state;
    dlms_client_t *c = &the_client;
    dlms_client_settings_t s;
    dlms_client_settings_init(&s);
    assert_int_equal(s.sc, 0x30);
    assert_int_equal(s.max_receive_pdu, EM_DLMS_CLIENT_MAX_PDU);
    assert_int_equal(dlms_client_init(c, &s), 0);
    assert_int_equal(dlms_client_init(NULL, &s), DLMS_CLIENT_ERR_BADARG);

    s.mechanism = DLMS_MECH_LLS; /* no password */
    assert_int_equal(dlms_client_init(c, &s), DLMS_CLIENT_ERR_SETTINGS);
    dlms_client_settings_init(&s);
    s.mechanism = DLMS_MECH_GMAC; /* no system title */
    assert_int_equal(dlms_client_init(c, &s), DLMS_CLIENT_ERR_SETTINGS);
    dlms_client_settings_init(&s);
    s.ciphered = true;
    assert_int_equal(dlms_client_init(c, &s), DLMS_CLIENT_ERR_SETTINGS);
    tc_settings(&s);
    s.ciphered = true;
    s.sc = 0x00; /* neither authentication nor encryption */
    assert_int_equal(dlms_client_init(c, &s), DLMS_CLIENT_ERR_SETTINGS);
    s.sc = 0x31; /* suite 1 */
    assert_int_equal(dlms_client_init(c, &s), DLMS_CLIENT_ERR_SETTINGS);
    tc_settings(&s);
    s.mechanism = DLMS_MECH_MD5;
    assert_int_equal(dlms_client_init(c, &s), DLMS_CLIENT_ERR_SETTINGS);
    tc_settings(&s);
    s.max_receive_pdu = 11;
    assert_int_equal(dlms_client_init(c, &s), DLMS_CLIENT_ERR_SETTINGS);
    s.max_receive_pdu = 0; /* the maximum */
    assert_int_equal(dlms_client_init(c, &s), 0);
    assert_int_equal(c->s.max_receive_pdu, EM_DLMS_CLIENT_MAX_PDU);
    s.first_invoke_id = 16;
    assert_int_equal(dlms_client_init(c, &s), DLMS_CLIENT_ERR_SETTINGS);
    tc_settings(&s);
    s.invoke_flags = 0xC1;
    assert_int_equal(dlms_client_init(c, &s), DLMS_CLIENT_ERR_SETTINGS);

    /* HLS-5 needs a challenge of 8..64 bytes. */
    tc_settings(&s);
    s.mechanism = DLMS_MECH_GMAC;
    assert_int_equal(dlms_client_init(c, &s), 0);
    assert_int_equal(dlms_client_aarq(c, (const uint8_t *)"1234567", 7, out, sizeof out),
                     DLMS_CLIENT_ERR_BADARG);
    assert_int_equal(dlms_client_aarq(c, NULL, 8, out, sizeof out), DLMS_CLIENT_ERR_BADARG);
    done(c);
}

/* The last counter value is never used; the counter never goes back. */
static void test_ic_exhausted(void **state) {
    (void)state;
    dlms_client_settings_t s;
    tc_settings(&s);
    s.ciphered = true;
    s.tx_ic = UINT32_MAX - 1;
    dlms_client_t *c = new_client(&s);
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    assert_int_equal(dlms_client_tx_ic(c), UINT32_MAX);
    tc_server_t srv;
    tc_server_init(&srv, 1);
    tc_aare_opts_t o = {0, 0, true, NULL, 0, true, 0x1F, 512};
    int n = tc_aare(&srv, &o, in, sizeof in);
    dlms_client_result_t res;
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res), 0);
    dlms_cosem_descriptor_t clk = {8, {0, 0, 1, 0, 0, 255}, 2};
    assert_int_equal(dlms_client_get(c, &clk, NULL, out, sizeof out), DLMS_CLIENT_ERR_IC_EXHAUSTED);
    assert_int_equal(dlms_client_release(c, out, sizeof out), DLMS_CLIENT_ERR_IC_EXHAUSTED);
    dlms_client_reset(c);
    assert_int_equal(dlms_client_aarq(c, NULL, 0, out, sizeof out), DLMS_CLIENT_ERR_IC_EXHAUSTED);
    done(c);
}

static void test_strerror(void **state) {
    (void)state;
    for (int e = -0x0B01; e >= -0x0B18; e--) {
        const char *t = dlms_client_strerror(e);
        assert_non_null(t);
        assert_null(strstr(t, "unknown"));
    }
    assert_string_equal(dlms_client_strerror(-0x0BFF), "client: unknown error");
    assert_string_equal(dlms_client_strerror(DLMS_SEC_ERR_REPLAY),
                        dlms_security_strerror(DLMS_SEC_ERR_REPLAY));
    assert_string_equal(dlms_client_strerror(DLMS_APDU_ERR_TRUNCATED),
                        dlms_apdu_strerror(DLMS_APDU_ERR_TRUNCATED));
    assert_string_equal(dlms_client_strerror(DLMS_ACSE_ERR_TAG),
                        dlms_acse_strerror(DLMS_ACSE_ERR_TAG));
    assert_string_equal(dlms_client_strerror(AXDR_ERR_TAG), axdr_strerror(AXDR_ERR_TAG));
    dlms_client_result_t res;
    memset(&res, 0, sizeof res);
    res.op = DLMS_CLIENT_OP_GET;
    res.dar = DLMS_DAR_OBJECT_UNDEFINED;
    assert_string_equal(dlms_client_reason(DLMS_CLIENT_ERR_DATA_ACCESS, &res),
                        dlms_data_access_result_name(DLMS_DAR_OBJECT_UNDEFINED));
    assert_string_equal(dlms_client_reason(DLMS_CLIENT_ERR_BLOCK, NULL),
                        dlms_client_strerror(DLMS_CLIENT_ERR_BLOCK));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aarq_aare_vectors),
        cmocka_unit_test(test_aare_rejected),
        cmocka_unit_test(test_aare_rejected_diagnostic),
        cmocka_unit_test(test_aare_hostile),
        cmocka_unit_test(test_hls5_vectors),
        cmocka_unit_test(test_hls5_bad_ctos),
        cmocka_unit_test(test_hls5_bad_aare),
        cmocka_unit_test(test_hls5_ciphered_flow),
        cmocka_unit_test(test_ciphered_get_vector),
        cmocka_unit_test(test_ciphered_plain_aare),
        cmocka_unit_test(test_invoke_ids),
        cmocka_unit_test(test_hostile_answers),
        cmocka_unit_test(test_exception_and_service_error),
        cmocka_unit_test(test_state_rules),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_ic_exhausted),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
