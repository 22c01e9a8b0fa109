/*
 * client.c - DLMS/COSEM client: the context, association establishment
 * (AARQ/AARE, IEC 62056-5-3 / Green Book "COSEM-OPEN"), HLS-5 GMAC passes 3
 * and 4 (Green Book "HLS authentication", dlms-facts §4.8), release
 * (RLRQ/RLRE), ciphering of requests and deciphering of responses (security
 * suite 0, glo- envelopes), and the dispatch of responses to the pending
 * operation. GET/SET/ACTION live in client_services.c.
 */
#include "dlms/client.h"

#include <string.h>

#include "dlms/client_internal.h"
#include "dlms/hdlc.h"
#include "dlms/wrapper.h"

/* The current association object 0.0.40.0.0.255. */
static const uint8_t current_association[DLMS_OBIS_LEN] = {0, 0, 40, 0, 0, 255};

static void wipe(void *p, size_t n) {
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n-- > 0) {
        *v++ = 0;
    }
}

/* ---- settings and context ------------------------------------------------------------- */

void dlms_client_settings_init(dlms_client_settings_t *s) {
    if (s == NULL) {
        return;
    }
    memset(s, 0, sizeof *s);
    s->mechanism = DLMS_MECH_NONE;
    s->tx_ic = 1;
    s->sc = DLMS_SEC_SC_AUTH_ENC;
    s->conformance = DLMS_CLIENT_DEFAULT_CONFORMANCE;
    s->max_receive_pdu = EM_DLMS_CLIENT_MAX_PDU;
    s->invoke_flags = DLMS_IID_PRIORITY_HIGH | DLMS_IID_CONFIRMED;
    s->first_invoke_id = 1;
}

static bool title_is_zero(const uint8_t t[DLMS_SEC_SYSTEM_TITLE_LEN]) {
    uint8_t acc = 0;
    for (size_t i = 0; i < DLMS_SEC_SYSTEM_TITLE_LEN; i++) {
        acc |= t[i];
    }
    return acc == 0;
}

static int check_settings(const dlms_client_settings_t *s) {
    bool mech_ok = s->mechanism == DLMS_MECH_NONE || s->mechanism == DLMS_MECH_LLS ||
                   s->mechanism == DLMS_MECH_GMAC;
    bool lls_ok = s->mechanism != DLMS_MECH_LLS ||
                  (s->password_len > 0 && s->password_len <= EM_ACSE_MAX_PASSWORD);
    /* Ciphering puts the title in every IV, HLS-5 in the GMAC of pass 3. */
    bool title_ok =
        !(s->ciphered || s->mechanism == DLMS_MECH_GMAC) || !title_is_zero(s->system_title);
    bool sc_ok =
        !s->ciphered || (dlms_sec_sc_check(s->sc) == 0 && (s->sc & DLMS_SEC_SC_BROADCAST) == 0);
    bool pdu_ok = s->max_receive_pdu == 0 || (s->max_receive_pdu >= DLMS_XDLMS_PDU_RESERVED_BELOW &&
                                              s->max_receive_pdu <= EM_DLMS_CLIENT_MAX_PDU);
    bool iid_ok =
        s->first_invoke_id <= DLMS_IID_ID_MASK && (s->invoke_flags & DLMS_IID_ID_MASK) == 0;
    bool conf_ok = (s->conformance & ~DLMS_CONF_MASK) == 0;
    return mech_ok && lls_ok && title_ok && sc_ok && pdu_ok && iid_ok && conf_ok
               ? 0
               : DLMS_CLIENT_ERR_SETTINGS;
}

int dlms_client_init(dlms_client_t *c, const dlms_client_settings_t *s) {
    if (c == NULL || s == NULL) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    memset(c, 0, sizeof *c);
    int rc = check_settings(s);
    if (rc != 0) {
        return rc;
    }
    c->s = *s;
    if (c->s.max_receive_pdu == 0) {
        /* We cannot take "no limit": our buffers are the limit. */
        c->s.max_receive_pdu = EM_DLMS_CLIENT_MAX_PDU;
    }
    c->tx_ic = s->tx_ic;
    c->next_id = s->first_invoke_id;
    c->state = DLMS_CLIENT_IDLE;
    return 0;
}

static void clear_op(dlms_client_t *c) {
    c->op = DLMS_CLIENT_OP_NONE;
    c->list_count = 0;
    c->rx_block = 0;
    c->rx_len = 0;
    c->tx_data = NULL;
    c->tx_len = 0;
    c->tx_sent = 0;
    c->tx_block = 0;
    c->tx_blocks = false;
}

static void drop_association(dlms_client_t *c) {
    c->state = DLMS_CLIENT_IDLE;
    c->has_server_title = false;
    memset(c->server_title, 0, sizeof c->server_title);
    c->conformance = 0;
    c->server_max_pdu = 0;
    wipe(c->ctos, sizeof c->ctos);
    c->ctos_len = 0;
    /* rx_ic stays: the server's counters only grow, so what was accepted
     * once must never be accepted again, whatever association follows. */
}

void dlms_client_reset(dlms_client_t *c) {
    if (c == NULL) {
        return;
    }
    clear_op(c);
    drop_association(c);
}

void dlms_client_abort(dlms_client_t *c) {
    if (c == NULL) {
        return;
    }
    if (c->state != DLMS_CLIENT_ASSOCIATED) {
        drop_association(c);
    }
    clear_op(c);
}

void dlms_client_set_rx_buffer(dlms_client_t *c, uint8_t *buf, size_t cap) {
    if (c != NULL) {
        c->rx_buf = buf;
        c->rx_cap = buf != NULL ? cap : 0;
    }
}

void dlms_client_set_rx_stream(dlms_client_t *c, dlms_client_stream_cb_t cb, void *user) {
    if (c != NULL) {
        c->stream = cb;
        c->stream_user = user;
    }
}

/* ---- helpers shared with client_services.c ---------------------------------------------- */

int client_ready(const dlms_client_t *c) {
    if (c == NULL) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    if (c->op != DLMS_CLIENT_OP_NONE) {
        return DLMS_CLIENT_ERR_BUSY;
    }
    return c->state == DLMS_CLIENT_ASSOCIATED ? 0 : DLMS_CLIENT_ERR_STATE;
}

uint8_t client_next_iid(const dlms_client_t *c) {
    return (uint8_t)(c->s.invoke_flags | (c->next_id & DLMS_IID_ID_MASK));
}

void client_start_op(dlms_client_t *c, dlms_client_op_t op, uint8_t iid) {
    clear_op(c);
    c->op = op;
    c->iid = iid;
    c->next_id = (uint8_t)(((iid & DLMS_IID_ID_MASK) + 1u) & DLMS_IID_ID_MASK);
}

/* Bytes of an A-XDR length field for n. */
static size_t length_field_size(size_t n) {
    return n < 0x80u ? 1u : (n <= 0xFFu ? 2u : 3u);
}

size_t client_plain_budget(const dlms_client_t *c) {
    size_t max = c->server_max_pdu == 0 ? DLMS_XDLMS_PDU_UNLIMITED : c->server_max_pdu;
    if (max > EM_DLMS_CLIENT_MAX_PDU) {
        max = EM_DLMS_CLIENT_MAX_PDU; /* the transports carry no more */
    }
    if (c->s.ciphered) {
        size_t tag = (c->s.sc & DLMS_SEC_SC_AUTH) != 0 ? DLMS_SEC_TAG_LEN : 0;
        size_t over = 1 + length_field_size(max) + DLMS_SEC_HEADER_LEN + tag;
        max = max > over ? max - over : 0;
    }
    return max;
}

void client_enc_init(dlms_client_t *c, axdr_enc_t *e, size_t budget) {
    axdr_enc_init(e, c->tx_plain, budget < sizeof c->tx_plain ? budget : sizeof c->tx_plain);
}

int client_enc_result(const axdr_enc_t *e, int rc) {
    if (rc == 0) {
        rc = e->err;
    }
    if (rc == AXDR_ERR_OVERFLOW || rc == DLMS_APDU_ERR_BUFFER) {
        return DLMS_CLIENT_ERR_PDU_SIZE;
    }
    return rc != 0 ? rc : (int)e->len;
}

static dlms_sec_tx_t make_tx(const dlms_client_t *c, uint8_t sc) {
    dlms_sec_tx_t tx = {&c->s.keys, c->s.system_title, sc, c->tx_ic, false};
    return tx;
}

/* The last counter value is never used, so "exhausted" needs no flag. */
static int take_ic(const dlms_client_t *c) {
    return c->tx_ic == UINT32_MAX ? DLMS_CLIENT_ERR_IC_EXHAUSTED : 0;
}

int client_emit(dlms_client_t *c, size_t n, uint8_t *out, size_t cap) {
    if (!c->s.ciphered) {
        if (n > cap) {
            return DLMS_CLIENT_ERR_BUFFER;
        }
        memcpy(out, c->tx_plain, n);
        return (int)n;
    }
    int rc = take_ic(c);
    if (rc != 0) {
        return rc;
    }
    dlms_sec_tx_t tx = make_tx(c, c->s.sc);
    rc = dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, c->tx_plain, n, out, cap);
    if (rc == DLMS_SEC_ERR_BUFFER) {
        return DLMS_CLIENT_ERR_BUFFER;
    }
    if (rc >= 0) {
        c->tx_ic++;
    }
    return rc;
}

static void fill_rx(const dlms_client_t *c, dlms_sec_rx_t *rx) {
    memset(rx, 0, sizeof *rx);
    rx->keys = &c->s.keys;
    rx->peer_title = c->has_server_title ? c->server_title : NULL;
    memcpy(rx->ic, c->rx_ic, sizeof rx->ic);
    /* Answers must be protected at least as our requests are. */
    rx->sc_required = (uint8_t)(c->s.sc & (DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC));
}

static void accept_ic(dlms_client_t *c, const dlms_sec_info_t *info) {
    c->rx_ic[info->key].last = info->ic;
    c->rx_ic[info->key].valid = true;
}

int client_unwrap(dlms_client_t *c, const uint8_t *in, size_t len, const uint8_t **p, size_t *n) {
    if (len == 0) {
        return DLMS_APDU_ERR_TRUNCATED;
    }
    if (!c->s.ciphered || in[0] == DLMS_APDU_EXCEPTION_RESPONSE ||
        in[0] == DLMS_XDLMS_TAG_CONFIRMED_SERVICE_ERROR) {
        *p = in;
        *n = len;
        return 0;
    }
    dlms_sec_rx_t rx;
    dlms_sec_info_t info;
    fill_rx(c, &rx);
    int m = dlms_sec_unprotect(&rx, in, len, c->rx_plain, sizeof c->rx_plain, &info);
    if (m < 0) {
        return m == DLMS_SEC_ERR_APDU_TAG ? DLMS_CLIENT_ERR_NOT_CIPHERED : m;
    }
    accept_ic(c, &info);
    *p = c->rx_plain;
    *n = (size_t)m;
    return 0;
}

int client_error_apdu(const uint8_t *p, size_t n, dlms_client_result_t *res) {
    if (p[0] == DLMS_APDU_EXCEPTION_RESPONSE) {
        int rc = dlms_exception_response_decode(p, n, &res->exception);
        res->has_exception = rc == 0;
        return rc != 0 ? rc : DLMS_CLIENT_ERR_EXCEPTION;
    }
    if (p[0] == DLMS_XDLMS_TAG_CONFIRMED_SERVICE_ERROR) {
        int rc = dlms_confirmed_service_error_decode(p, n, &res->service_error);
        res->has_service_error = rc == 0;
        return rc != 0 ? rc : DLMS_CLIENT_ERR_SERVICE_ERROR;
    }
    return 0;
}

/* ---- association: AARQ / AARE ------------------------------------------------------------ */

int dlms_client_aarq(dlms_client_t *c, const uint8_t *ctos, size_t ctos_len, uint8_t *out,
                     size_t cap) {
    if (c == NULL || out == NULL) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    if (c->op != DLMS_CLIENT_OP_NONE) {
        return DLMS_CLIENT_ERR_BUSY;
    }
    if (c->state != DLMS_CLIENT_IDLE) {
        return DLMS_CLIENT_ERR_STATE;
    }
    dlms_acse_client_t ac = {c->s.mechanism, NULL, 0, NULL, NULL, NULL};
    if (c->s.mechanism == DLMS_MECH_LLS) {
        ac.auth_value = c->s.password;
        ac.auth_value_len = c->s.password_len;
    } else if (c->s.mechanism == DLMS_MECH_GMAC) {
        if (ctos == NULL || ctos_len < DLMS_SEC_PEER_CHALLENGE_MIN ||
            ctos_len > EM_SEC_MAX_CHALLENGE) {
            return DLMS_CLIENT_ERR_BADARG;
        }
        memcpy(c->ctos, ctos, ctos_len);
        c->ctos_len = (uint8_t)ctos_len;
        ac.auth_value = c->ctos;
        ac.auth_value_len = ctos_len;
    }
    if (c->s.ciphered || c->s.mechanism == DLMS_MECH_GMAC) {
        ac.system_title = c->s.system_title;
    }
    dlms_initiate_request_t req;
    dlms_initiate_request_init(&req, c->s.conformance, c->s.max_receive_pdu);
    ac.initiate = &req;
    dlms_sec_tx_t tx = make_tx(c, c->s.sc);
    if (c->s.ciphered) {
        int rc = take_ic(c);
        if (rc != 0) {
            return rc;
        }
        ac.tx = &tx;
    }
    int n = dlms_acse_client_aarq(&ac, out, cap);
    if (n < 0) {
        return n == DLMS_ACSE_ERR_BUFFER ? DLMS_CLIENT_ERR_BUFFER : n;
    }
    if (c->s.ciphered) {
        c->tx_ic++;
    }
    clear_op(c);
    c->op = DLMS_CLIENT_OP_ASSOCIATE;
    c->state = DLMS_CLIENT_AARQ_SENT;
    return n;
}

/* HLS pass 3: f(StoC) as the octet-string argument of reply_to_HLS_authentication. */
static int hls_pass3(dlms_client_t *c, const dlms_aare_t *aare, uint8_t *out, size_t cap) {
    uint8_t f[DLMS_SEC_HLS_REPLY_LEN];
    int rc = take_ic(c);
    if (rc != 0) {
        return rc;
    }
    uint8_t sc = (uint8_t)(DLMS_SEC_SC_AUTH_ONLY | (c->s.sc & DLMS_SEC_SC_SUITE_MASK));
    dlms_sec_tx_t tx = make_tx(c, sc);
    rc = dlms_sec_hls_gmac(&tx, aare->auth_value, aare->auth_value_len, f);
    if (rc != 0) {
        return rc;
    }
    c->tx_ic++; /* the GMAC used it: the ciphered ACTION below takes the next one */
    uint8_t iid = client_next_iid(c);
    dlms_cosem_descriptor_t m = {
        DLMS_CLIENT_CLASS_ASSOCIATION_LN, {0}, DLMS_CLIENT_METHOD_REPLY_TO_HLS};
    memcpy(m.instance_id, current_association, DLMS_OBIS_LEN);
    axdr_enc_t e;
    client_enc_init(c, &e, client_plain_budget(c));
    const uint8_t head[3] = {DLMS_APDU_ACTION_REQUEST, DLMS_ACTION_REQUEST_NORMAL, iid};
    axdr_put_raw(&e, head, sizeof head);
    dlms_apdu_put_descriptor(&e, &m);
    axdr_put_raw(&e, (const uint8_t[]){1}, 1); /* method-invocation-parameters present */
    axdr_put_octet_string(&e, f, sizeof f);
    int n = client_enc_result(&e, 0);
    if (n < 0) {
        return n;
    }
    n = client_emit(c, (size_t)n, out, cap);
    if (n > 0) {
        client_start_op(c, DLMS_CLIENT_OP_ASSOCIATE, iid);
        c->state = DLMS_CLIENT_HLS_PENDING;
    }
    return n;
}

/* What an accepted AARE must carry for the settings we proposed. */
static int check_accepted(const dlms_client_t *c, const dlms_aare_t *aare,
                          const dlms_acse_answer_t *ans) {
    uint8_t context = c->s.ciphered ? DLMS_CONTEXT_LN_CIPH : DLMS_CONTEXT_LN;
    if (aare->context != context) {
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
    if (c->s.ciphered && !ans->ciphered) {
        return DLMS_CLIENT_ERR_NOT_CIPHERED; /* a forged plain InitiateResponse */
    }
    if (c->s.mechanism != DLMS_MECH_GMAC) {
        return 0;
    }
    /* HLS-5 pass 2: "authentication-required", StoC and the server title. */
    bool pending = aare->diagnostic_source == DLMS_ACSE_SOURCE_USER &&
                   aare->diagnostic == DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED;
    bool stoc_ok = aare->has_auth_value && aare->auth_value_len >= DLMS_SEC_PEER_CHALLENGE_MIN &&
                   aare->auth_value_len <= EM_SEC_MAX_CHALLENGE;
    return pending && stoc_ok && aare->has_responding_ap_title ? 0 : DLMS_CLIENT_ERR_HLS_FAILED;
}

static int on_aare(dlms_client_t *c, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                   dlms_client_result_t *res) {
    if (in[0] != DLMS_ACSE_TAG_AARE) {
        int rc = client_error_apdu(in, len, res);
        return rc != 0 ? rc : DLMS_CLIENT_ERR_UNEXPECTED;
    }
    dlms_aare_t aare;
    dlms_acse_answer_t ans;
    dlms_sec_rx_t rx;
    fill_rx(c, &rx);
    int rc = dlms_acse_client_aare(in, len, c->s.ciphered ? &rx : NULL, &aare, &ans);
    res->assoc_result = aare.result;
    res->diag_source = aare.diagnostic_source;
    res->diagnostic = aare.diagnostic;
    res->has_service_error = ans.has_error;
    res->service_error = ans.error;
    if (rc == DLMS_ACSE_ERR_REJECTED) {
        return DLMS_CLIENT_ERR_REJECTED;
    }
    if (rc == 0) {
        rc = check_accepted(c, &aare, &ans);
    }
    if (rc != 0) {
        return rc;
    }
    if (aare.has_responding_ap_title) {
        memcpy(c->server_title, aare.responding_ap_title, sizeof c->server_title);
        c->has_server_title = true;
    }
    if (ans.ciphered) {
        accept_ic(c, &ans.sec);
    }
    c->conformance = ans.response.conformance;
    c->server_max_pdu = ans.response.server_max_receive_pdu_size;
    if (c->s.mechanism == DLMS_MECH_GMAC) {
        return hls_pass3(c, &aare, out, cap);
    }
    c->state = DLMS_CLIENT_ASSOCIATED;
    return 0;
}

/* The f(CtoS) octet string of the pass 4 return data. */
static int hls_reply(const dlms_action_response_t *r, const uint8_t **f, size_t *n) {
    const dlms_action_result_data_t *a = &r->results[0];
    if (!a->has_return || !a->ret.is_data) {
        return DLMS_CLIENT_ERR_HLS_FAILED;
    }
    axdr_dec_t d;
    axdr_dec_init(&d, a->ret.data.p, a->ret.data.len);
    return axdr_get_octet_string(&d, f, n) == 0 ? 0 : DLMS_CLIENT_ERR_HLS_FAILED;
}

/* HLS pass 4: the server proves it knows the keys by answering our CtoS. */
static int on_hls_pass4(dlms_client_t *c, const uint8_t *in, size_t len,
                        dlms_client_result_t *res) {
    const uint8_t *p = NULL;
    size_t n = 0;
    int rc = client_unwrap(c, in, len, &p, &n);
    if (rc == 0) {
        rc = client_error_apdu(p, n, res);
    }
    if (rc != 0) {
        return rc;
    }
    if (p[0] != DLMS_APDU_ACTION_RESPONSE) {
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
    dlms_action_response_t r;
    rc = dlms_action_response_decode(p, n, &r);
    if (rc != 0) {
        return rc;
    }
    if (r.type != DLMS_ACTION_RESPONSE_NORMAL) {
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
    if (!dlms_invoke_id_matches(c->iid, r.invoke_id)) {
        return DLMS_CLIENT_ERR_INVOKE_ID;
    }
    if (r.results[0].result != DLMS_ACTION_SUCCESS) {
        res->dar = r.results[0].result;
        return DLMS_CLIENT_ERR_HLS_FAILED;
    }
    const uint8_t *f = NULL;
    size_t flen = 0;
    rc = hls_reply(&r, &f, &flen);
    if (rc == 0 && dlms_sec_hls_verify(&c->s.keys, c->server_title, c->ctos, c->ctos_len, f, flen,
                                       NULL) != 0) {
        rc = DLMS_CLIENT_ERR_HLS_VERIFY;
    }
    if (rc == 0) {
        wipe(c->ctos, sizeof c->ctos);
        c->ctos_len = 0;
        c->state = DLMS_CLIENT_ASSOCIATED;
    }
    return rc;
}

/* ---- release: RLRQ / RLRE ---------------------------------------------------------------- */

int dlms_client_release(dlms_client_t *c, uint8_t *out, size_t cap) {
    int rc = client_ready(c);
    if (rc != 0) {
        return rc;
    }
    if (out == NULL) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    int n;
    if (c->s.ciphered) {
        rc = take_ic(c);
        if (rc != 0) {
            return rc;
        }
        dlms_initiate_request_t req;
        dlms_initiate_request_init(&req, c->s.conformance, c->s.max_receive_pdu);
        dlms_sec_tx_t tx = make_tx(c, c->s.sc);
        n = dlms_acse_client_rlrq(&req, &tx, out, cap);
        if (n >= 0) {
            c->tx_ic++;
        }
    } else {
        n = dlms_acse_client_rlrq(NULL, NULL, out, cap);
    }
    if (n < 0) {
        return n == DLMS_ACSE_ERR_BUFFER ? DLMS_CLIENT_ERR_BUFFER : n;
    }
    clear_op(c);
    c->op = DLMS_CLIENT_OP_RELEASE;
    c->state = DLMS_CLIENT_RELEASING;
    return n;
}

static int on_rlre(dlms_client_t *c, const uint8_t *in, size_t len, dlms_client_result_t *res) {
    if (in[0] != DLMS_ACSE_TAG_RLRE) {
        int rc = client_error_apdu(in, len, res);
        return rc != 0 ? rc : DLMS_CLIENT_ERR_UNEXPECTED;
    }
    dlms_release_t rl;
    int rc = dlms_rlre_decode(in, len, &rl);
    if (rc != 0 || rl.user_info == NULL) {
        return rc;
    }
    dlms_sec_rx_t rx;
    dlms_acse_answer_t ans;
    fill_rx(c, &rx);
    rc = dlms_acse_read_answer(rl.user_info, rl.user_info_len, c->s.ciphered ? &rx : NULL,
                               c->has_server_title ? c->server_title : NULL, &ans);
    if (rc == 0 && ans.ciphered) {
        accept_ic(c, &ans.sec);
    }
    return rc;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static int dispatch_service(dlms_client_t *c, const uint8_t *in, size_t len, uint8_t *out,
                            size_t cap, dlms_client_result_t *res) {
    const uint8_t *p = NULL;
    size_t n = 0;
    int rc = client_unwrap(c, in, len, &p, &n);
    if (rc == 0) {
        rc = client_error_apdu(p, n, res);
    }
    if (rc != 0) {
        return rc;
    }
    switch (c->op) {
    case DLMS_CLIENT_OP_GET:
    case DLMS_CLIENT_OP_GET_LIST:
        return client_on_get(c, p, n, out, cap, res);
    case DLMS_CLIENT_OP_SET:
        return client_on_set(c, p, n, out, cap, res);
    case DLMS_CLIENT_OP_ACTION:
        return client_on_action(c, p, n, out, cap, res);
    default:
        return DLMS_CLIENT_ERR_NO_REQUEST;
    }
}

static int dispatch(dlms_client_t *c, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                    dlms_client_result_t *res) {
    switch (c->op) {
    case DLMS_CLIENT_OP_NONE:
        return DLMS_CLIENT_ERR_NO_REQUEST;
    case DLMS_CLIENT_OP_ASSOCIATE:
        return c->state == DLMS_CLIENT_HLS_PENDING ? on_hls_pass4(c, in, len, res)
                                                   : on_aare(c, in, len, out, cap, res);
    case DLMS_CLIENT_OP_RELEASE:
        return on_rlre(c, in, len, res);
    default:
        return dispatch_service(c, in, len, out, cap, res);
    }
}

int dlms_client_handle(dlms_client_t *c, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                       dlms_client_result_t *res) {
    if (c == NULL || res == NULL) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    memset(res, 0, sizeof *res);
    res->op = c->op;
    if (in == NULL || out == NULL) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    int rc = len == 0 ? DLMS_APDU_ERR_TRUNCATED : dispatch(c, in, len, out, cap, res);
    if (len == 0 && c->op == DLMS_CLIENT_OP_NONE) {
        rc = DLMS_CLIENT_ERR_NO_REQUEST;
    }
    res->blocks = c->rx_block;
    if (rc > 0) {
        return rc;
    }
    if (rc == DLMS_CLIENT_ERR_NO_REQUEST) {
        return rc; /* a stray answer does not end anything */
    }
    if (c->op == DLMS_CLIENT_OP_RELEASE || (rc < 0 && c->state != DLMS_CLIENT_ASSOCIATED)) {
        drop_association(c);
    }
    clear_op(c);
    return rc;
}

/* ---- state ---------------------------------------------------------------------------------- */

dlms_client_state_t dlms_client_state(const dlms_client_t *c) {
    return c != NULL ? c->state : DLMS_CLIENT_IDLE;
}

bool dlms_client_is_associated(const dlms_client_t *c) {
    return c != NULL && c->state == DLMS_CLIENT_ASSOCIATED;
}

uint32_t dlms_client_tx_ic(const dlms_client_t *c) {
    return c != NULL ? c->tx_ic : 0;
}

uint32_t dlms_client_conformance(const dlms_client_t *c) {
    return c != NULL ? c->conformance : 0;
}

uint16_t dlms_client_server_max_pdu(const dlms_client_t *c) {
    if (c == NULL) {
        return 0;
    }
    return c->server_max_pdu == 0 ? (uint16_t)DLMS_XDLMS_PDU_UNLIMITED : c->server_max_pdu;
}

const uint8_t *dlms_client_server_title(const dlms_client_t *c) {
    return c != NULL && c->has_server_title ? c->server_title : NULL;
}

/* ---- names ---------------------------------------------------------------------------------- */

static const struct {
    int code;
    const char *text;
} client_errors[] = {
    {DLMS_CLIENT_ERR_BADARG, "client: invalid argument"},
    {DLMS_CLIENT_ERR_STATE, "client: not allowed in this association state"},
    {DLMS_CLIENT_ERR_BUSY, "client: another request is still pending"},
    {DLMS_CLIENT_ERR_NO_REQUEST, "client: response without a pending request"},
    {DLMS_CLIENT_ERR_UNEXPECTED, "client: unexpected response APDU"},
    {DLMS_CLIENT_ERR_INVOKE_ID, "client: response invoke id does not match the request"},
    {DLMS_CLIENT_ERR_NOT_CIPHERED, "client: plain response on a ciphered association"},
    {DLMS_CLIENT_ERR_REJECTED, "association rejected"},
    {DLMS_CLIENT_ERR_HLS_FAILED, "HLS-5 authentication failed"},
    {DLMS_CLIENT_ERR_HLS_VERIFY, "HLS-5: server reply f(CtoS) does not verify (wrong keys?)"},
    {DLMS_CLIENT_ERR_DATA_ACCESS, "access refused"},
    {DLMS_CLIENT_ERR_EXCEPTION, "exception-response"},
    {DLMS_CLIENT_ERR_SERVICE_ERROR, "confirmed-service-error"},
    {DLMS_CLIENT_ERR_BLOCK, "client: block number out of sequence"},
    {DLMS_CLIENT_ERR_NO_BUFFER, "client: reply in blocks but no reassembly buffer"},
    {DLMS_CLIENT_ERR_TOO_LONG, "client: reply longer than the reassembly buffer"},
    {DLMS_CLIENT_ERR_PDU_SIZE, "client: request longer than the server's max PDU"},
    {DLMS_CLIENT_ERR_BUFFER, "client: output buffer too small"},
    {DLMS_CLIENT_ERR_IC_EXHAUSTED, "client: invocation counter exhausted (new keys needed)"},
    {DLMS_CLIENT_ERR_CONFORMANCE, "client: service not in the negotiated conformance"},
    {DLMS_CLIENT_ERR_STREAM, "client: transfer stopped by the receiver"},
    {DLMS_CLIENT_ERR_MALFORMED, "client: reassembled reply is not well-formed A-XDR"},
    {DLMS_CLIENT_ERR_LIST, "client: with-list reply has the wrong number of results"},
    {DLMS_CLIENT_ERR_SETTINGS, "client: inconsistent settings (password, system title, SC)"},
};

const char *dlms_client_strerror(int err) {
    if (err >= 0) {
        return "success";
    }
    if (err <= -0x0B00 && err >= -0x0BFF) {
        for (size_t i = 0; i < sizeof client_errors / sizeof client_errors[0]; i++) {
            if (client_errors[i].code == err) {
                return client_errors[i].text;
            }
        }
        return "client: unknown error";
    }
    int range = (-err) >> 8;
    switch (range) {
    case 0x01:
        return axdr_strerror(err);
    case 0x02:
        return dlms_wrapper_strerror(err);
    case 0x03:
        return hdlc_strerror(err);
    case 0x05:
        return dlms_apdu_strerror(err);
    case 0x06:
        return dlms_acse_strerror(err);
    case 0x07:
        return dlms_security_strerror(err);
    default:
        return "unknown error";
    }
}

static const char *rejection_reason(const dlms_client_result_t *res) {
    if (res->has_service_error && res->service_error.service == DLMS_CSE_INITIATE_ERROR) {
        return dlms_initiate_error_name(res->service_error.value);
    }
    return dlms_acse_diagnostic_name(res->diag_source, res->diagnostic);
}

const char *dlms_client_reason(int err, const dlms_client_result_t *res) {
    if (res == NULL) {
        return dlms_client_strerror(err);
    }
    switch (err) {
    case DLMS_CLIENT_ERR_REJECTED:
        return rejection_reason(res);
    case DLMS_CLIENT_ERR_DATA_ACCESS:
        return res->op == DLMS_CLIENT_OP_ACTION ? dlms_action_result_name(res->dar)
                                                : dlms_data_access_result_name(res->dar);
    case DLMS_CLIENT_ERR_HLS_FAILED:
        return res->dar != 0 ? dlms_action_result_name(res->dar) : dlms_client_strerror(err);
    case DLMS_CLIENT_ERR_EXCEPTION:
        return dlms_exception_service_error_name(res->exception.service_error);
    case DLMS_CLIENT_ERR_SERVICE_ERROR:
        if (res->service_error.service == DLMS_CSE_INITIATE_ERROR) {
            return dlms_initiate_error_name(res->service_error.value);
        }
        return dlms_client_strerror(err);
    default:
        return dlms_client_strerror(err);
    }
}
