/*
 * server.c - DLMS/COSEM server application layer: the connection, the
 * dispatch of incoming APDUs, the ciphering of requests and responses
 * (security suite 0, IEC 62056-5-3 "xDLMS APDUs protected"), invocation
 * counter reservation, general-block-transfer of requests and
 * data-notification. ACSE and HLS-5 are in server_assoc.c, GET/SET/ACTION
 * in server_services.c. See server.h for the behaviour.
 */
#include "dlms/server.h"

#include <string.h>

#include "dlms/server_internal.h"

/* Tags of the LN service requests this server serves, plain and ciphered
 * (dlms-facts §4.4). */
#define TAG_GLO_GET     0xC8u
#define TAG_GLO_SET     0xC9u
#define TAG_GLO_ACTION  0xCBu
#define TAG_DED_GET     0xD0u
#define TAG_DED_SET     0xD1u
#define TAG_DED_ACTION  0xD3u
#define TAG_GENERAL_GLO 0xDBu
#define TAG_GENERAL_DED 0xDCu

/* Envelope of a ciphered response: tag (general-*: + title octet string)
 * and a length of up to 82 xx xx. */
#define ENVELOPE_SERVICE (1 + 3)
#define ENVELOPE_GENERAL (1 + 1 + DLMS_SEC_SYSTEM_TITLE_LEN + 3)

/* Smallest plain budget a response needs: an exception-response, a DAR. */
#define MIN_BUDGET 16

/* ---- small helpers ------------------------------------------------------------ */

void srv_wipe(void *p, size_t len) {
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (len-- > 0) {
        *v++ = 0;
    }
}

bool srv_equal(const uint8_t *a, const uint8_t *b, size_t len) {
    volatile uint8_t diff = 0;
    for (size_t i = 0; i < len; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

static bool is_plain_request(uint8_t tag) {
    return tag == DLMS_APDU_GET_REQUEST || tag == DLMS_APDU_SET_REQUEST ||
           tag == DLMS_APDU_ACTION_REQUEST;
}

static bool is_ciphered_request(uint8_t tag) {
    switch (tag) {
    case TAG_GLO_GET:
    case TAG_GLO_SET:
    case TAG_GLO_ACTION:
    case TAG_DED_GET:
    case TAG_DED_SET:
    case TAG_DED_ACTION:
    case TAG_GENERAL_GLO:
    case TAG_GENERAL_DED:
        return true;
    default:
        return false;
    }
}

dlms_assoc_config_t *srv_find_assoc(const dlms_server_t *s, uint16_t client_sap, uint8_t *index) {
    for (uint8_t i = 0; i < s->cfg->association_count; i++) {
        dlms_assoc_config_t *a = s->cfg->associations[i];
        if (a->client_sap == client_sap) {
            if (index != NULL) {
                *index = i;
            }
            return a;
        }
    }
    return NULL;
}

uint16_t srv_max_pdu(const dlms_assoc_config_t *cfg) {
    uint16_t m = cfg->max_receive_pdu;
    if (m == 0 || m > EM_DLMS_SERVER_MAX_PDU) {
        m = EM_DLMS_SERVER_MAX_PDU; /* our buffers are the real limit */
    }
    return m < EM_XDLMS_MIN_PDU_SIZE ? EM_XDLMS_MIN_PDU_SIZE : m;
}

uint8_t srv_sc_required(const dlms_assoc_config_t *cfg) {
    if (cfg->sec == NULL || cfg->app_context != DLMS_CONTEXT_LN_CIPH) {
        return 0;
    }
    uint8_t p = cfg->sec->security_policy;
    return (uint8_t)(((p & DLMS_SEC_POLICY_AUTHENTICATED) != 0 ? DLMS_SEC_SC_AUTH : 0u) |
                     ((p & DLMS_SEC_POLICY_ENCRYPTED) != 0 ? DLMS_SEC_SC_ENC : 0u));
}

void srv_keys_snapshot(dlms_server_t *s, const dlms_security_context_t *sec) {
    s->keys = sec->keys;
    /* The dedicated key belongs to this session, not to the shared context. */
    memcpy(s->keys.dedicated, s->dedicated_key, DLMS_SEC_KEY_LEN);
    s->keys.has_dedicated = s->has_dedicated_key;
}

void srv_auth_failure(const dlms_server_t *s, uint16_t client_sap, int reason) {
    if (s->cfg->on_auth_failure != NULL) {
        s->cfg->on_auth_failure(s->cfg->user, client_sap, reason);
    }
}

int srv_exception(srv_req_t *c, uint8_t state_error, uint8_t service_error, uint32_t ic) {
    dlms_exception_response_t x = {state_error, service_error, ic};
    c->plain_reply = true;
    int n = dlms_exception_response_encode(&x, c->body, c->budget);
    return n < 0 ? DLMS_SERVER_ERR_BUFFER : n;
}

int srv_refuse(srv_req_t *c, uint8_t tag) {
    c->plain_reply = true;
    int n = dlms_apdu_refuse(tag, c->body, c->budget);
    return n < 0 ? DLMS_SERVER_ERR_BUFFER : n;
}

/* ---- invocation counters --------------------------------------------------------- */

static uint32_t ic_step(const dlms_server_config_t *cfg) {
    return cfg->ic_reserve_step != 0 ? cfg->ic_reserve_step : EM_DLMS_IC_RESERVE_STEP;
}

/* Persist a new reservation bound through the owner; only then may
 * counters below it be used. */
static int ic_reserve(const dlms_server_config_t *cfg, dlms_security_context_t *sec,
                      uint64_t bound) {
    if (bound > UINT32_MAX) {
        bound = UINT32_MAX;
    }
    if (cfg->reserve_ic == NULL || cfg->reserve_ic(cfg->user, sec, (uint32_t)bound) != 0) {
        return DLMS_SERVER_ERR_IC_RESERVE; /* never send with an unpersisted counter */
    }
    if (sec->tx_ic_reserved < (uint32_t)bound) {
        sec->tx_ic_reserved = (uint32_t)bound;
    }
    return 0;
}

int srv_ic_ensure(dlms_server_t *s, dlms_security_context_t *sec, uint32_t n) {
    if (n == 0) {
        return 0;
    }
    /* UINT32_MAX itself is never used: tx_ic < tx_ic_reserved must hold. */
    if (sec->tx_ic > UINT32_MAX - n) {
        return DLMS_SERVER_ERR_IC_EXHAUSTED;
    }
    uint64_t need = (uint64_t)sec->tx_ic + n;
    if (need <= sec->tx_ic_reserved) {
        return 0;
    }
    uint32_t step = ic_step(s->cfg);
    return ic_reserve(s->cfg, sec, (uint64_t)sec->tx_ic + (step > n ? step : n));
}

int dlms_server_ic_top_up(const dlms_server_config_t *cfg, dlms_security_context_t *sec) {
    if (cfg == NULL || sec == NULL) {
        return DLMS_SERVER_ERR_BADARG;
    }
    uint32_t step = ic_step(cfg);
    uint32_t left = sec->tx_ic_reserved > sec->tx_ic ? sec->tx_ic_reserved - sec->tx_ic : 0;
    if (left >= step / 2) {
        return 0;
    }
    if (sec->tx_ic == UINT32_MAX) {
        return DLMS_SERVER_ERR_IC_EXHAUSTED;
    }
    return ic_reserve(cfg, sec, (uint64_t)sec->tx_ic + step);
}

uint32_t srv_ic_take(dlms_security_context_t *sec) {
    return sec->tx_ic++;
}

/* ---- association life ---------------------------------------------------------------- */

static void long_reset(dlms_server_t *s) {
    memset(&s->lt, 0, sizeof s->lt);
}

void srv_release(dlms_server_t *s, int event) {
    bool established = s->view.status == DLMS_ASSOC_ASSOCIATED;
    dlms_assoc_view_t ended = s->view;
    srv_wipe(s->client_title, sizeof s->client_title);
    srv_wipe(s->dedicated_key, sizeof s->dedicated_key);
    srv_wipe(&s->keys, sizeof s->keys);
    srv_wipe(s->stoc, sizeof s->stoc);
    srv_wipe(s->ctos, sizeof s->ctos);
    s->has_client_title = false;
    s->has_dedicated_key = false;
    s->stoc_len = 0;
    s->ctos_len = 0;
    memset(&s->dedicated_rx, 0, sizeof s->dedicated_rx);
    memset(&s->initiate_response, 0, sizeof s->initiate_response);
    long_reset(s);
    s->gbt_rx_active = false;
    s->gbt_tx_number = 1;
    s->gbt_rx_last = 0;
    s->assoc = NULL;
    s->assoc_sc = 0;
    s->max_send_pdu = 0;
    s->max_recv_pdu = 0;
    memset(&s->view, 0, sizeof s->view);
    s->view.status = DLMS_ASSOC_NON_ASSOCIATED;
    if (established && event != 0 && s->cfg->on_association != NULL) {
        s->cfg->on_association(s->cfg->user, &ended, event);
    }
}

/* A pre-established association opens with its configured parameters: no
 * AARQ ever negotiated anything. */
static void open_pre_established(dlms_server_t *s, dlms_assoc_config_t *a, uint8_t index,
                                 uint16_t client_sap, uint16_t server_sap) {
    uint16_t pdu = srv_max_pdu(a);
    s->assoc = a;
    s->max_send_pdu = pdu;
    s->max_recv_pdu = pdu;
    s->gbt_tx_number = 1;
    s->view.client_sap = client_sap;
    s->view.server_sap = server_sap;
    s->view.assoc_index = index;
    s->view.status = DLMS_ASSOC_ASSOCIATED;
    s->view.app_context = a->app_context;
    s->view.mechanism = a->mechanism;
    s->view.conformance = a->conformance & DLMS_CONF_MASK;
    s->view.client_max_pdu = pdu;
    s->view.server_max_pdu = pdu;
    s->view.dlms_version = DLMS_XDLMS_VERSION;
}

/* The association a request from client_sap is served in: the open one of
 * that client, or its pre-established one on an idle connection. */
static bool select_association(dlms_server_t *s, uint16_t client_sap, uint16_t server_sap) {
    if (s->view.status != DLMS_ASSOC_NON_ASSOCIATED) {
        return s->view.client_sap == client_sap;
    }
    uint8_t index = 0;
    dlms_assoc_config_t *a = srv_find_assoc(s, client_sap, &index);
    if (a == NULL || !a->pre_established) {
        return false;
    }
    open_pre_established(s, a, index, client_sap, server_sap);
    return true;
}

/* ---- responses ----------------------------------------------------------------------- */

/* Where the plain response of c goes and how long it may be. */
static int plan_response(dlms_server_t *s, srv_req_t *c, uint8_t *out, size_t cap) {
    size_t limit = cap;
    if (s->view.status != DLMS_ASSOC_NON_ASSOCIATED && s->max_send_pdu < limit) {
        limit = s->max_send_pdu;
    }
    size_t room = c->via_gbt ? SRV_GBT_HEADER_MAX : 0;
    if (c->ciphered) {
        room += (c->info.form == DLMS_SEC_FORM_GENERAL ? ENVELOPE_GENERAL : ENVELOPE_SERVICE) +
                DLMS_SEC_OVERHEAD;
    }
    if (limit < room + MIN_BUDGET) {
        return DLMS_SERVER_ERR_BUFFER;
    }
    c->out = out;
    c->limit = limit;
    c->budget = limit - room;
    if (c->ciphered) {
        c->body = s->tx;
        if (c->budget > sizeof s->tx) {
            c->budget = sizeof s->tx;
        }
    } else {
        c->body = out + (c->via_gbt ? SRV_GBT_HEADER_MAX : 0);
    }
    return 0;
}

/* The response to a request that came in GBT goes back as one last GBT
 * block: the APDU at out[off..off+len) moves behind the header. */
static int gbt_wrap(dlms_server_t *s, uint8_t *out, size_t off, size_t len) {
    dlms_gbt_t g = {true, false, EM_DLMS_GBT_WINDOW, s->gbt_tx_number, s->gbt_rx_last, {NULL, 0}};
    uint8_t hdr[SRV_GBT_HEADER_MAX];
    axdr_enc_t e;
    axdr_enc_init(&e, hdr, sizeof hdr);
    if (dlms_gbt_put_header(&e, &g, len) != 0 || e.len > off) {
        return DLMS_SERVER_ERR_INTERNAL;
    }
    s->gbt_tx_number++;
    memmove(out + e.len, out + off, len);
    memcpy(out, hdr, e.len);
    return (int)(e.len + len);
}

/* Ciphers the plain response the way the request came, then wraps it. */
static int finish(dlms_server_t *s, srv_req_t *c, int n) {
    if (n <= 0 || c->final) {
        return n;
    }
    size_t off = c->via_gbt ? SRV_GBT_HEADER_MAX : 0;
    size_t len = (size_t)n;
    if (c->ciphered && !c->plain_reply) {
        dlms_security_context_t *sec = s->assoc->sec;
        dlms_sec_tx_t tx = {&s->keys, sec->server_system_title,
                            (uint8_t)(c->info.sc & (DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC)),
                            srv_ic_take(sec), c->info.dedicated};
        int m = dlms_sec_protect(&tx, c->info.form, s->tx, len, c->out + off, c->limit - off);
        srv_wipe(s->tx, len); /* the plaintext of what went out ciphered */
        if (m < 0) {
            return DLMS_SERVER_ERR_INTERNAL; /* the budget left room: a bug */
        }
        len = (size_t)m;
    } else if (c->body != c->out + off) {
        memcpy(c->out + off, c->body, len);
    }
    return c->via_gbt ? gbt_wrap(s, c->out, off, len) : (int)len;
}

/* ---- ciphered requests --------------------------------------------------------------- */

static int decipher_failed(dlms_server_t *s, srv_req_t *c, uint16_t client_sap, int rc,
                           const dlms_sec_rx_t *rx) {
    if (rc == DLMS_SEC_ERR_REPLAY) {
        /* Tell the client which counter would be accepted next. */
        uint32_t next = rx->ic[c->info.key].last + 1u;
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED,
                             DLMS_EXC_INVOCATION_COUNTER_ERROR, next);
    }
    if (rc == DLMS_SEC_ERR_AUTH) {
        srv_auth_failure(s, client_sap, DLMS_SERVER_AUTH_DECIPHER);
    }
    return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_DECIPHERING_ERROR, 0);
}

/* Deciphers a protected request into s->rx: returns 0 and its length in
 * *n, or the response to send instead (an exception's length, or a
 * negative error). */
static int decipher(dlms_server_t *s, srv_req_t *c, uint16_t client_sap, const uint8_t *apdu,
                    size_t len, size_t *n) {
    dlms_security_context_t *sec = s->assoc->sec;
    if (sec == NULL || s->assoc->app_context != DLMS_CONTEXT_LN_CIPH) {
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_DECIPHERING_ERROR, 0);
    }
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    rx.keys = &s->keys;
    rx.peer_title = s->has_client_title ? s->client_title : NULL;
    rx.ic[DLMS_SEC_KEY_UNICAST].last = sec->rx_ic_last;
    rx.ic[DLMS_SEC_KEY_UNICAST].valid = sec->rx_ic_valid;
    rx.ic[DLMS_SEC_KEY_DEDICATED] = s->dedicated_rx;
    rx.sc_required = srv_sc_required(s->assoc);
    int rc = dlms_sec_unprotect(&rx, apdu, len, s->rx, sizeof s->rx, &c->info);
    if (rc < 0) {
        return decipher_failed(s, c, client_sap, rc, &rx);
    }
    if (c->info.key == DLMS_SEC_KEY_BROADCAST) {
        /* A unicast association: GBEK is for broadcasts to many meters. */
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_DECIPHERING_ERROR, 0);
    }
    /* Only an authentic APDU moves the counter. */
    if (c->info.key == DLMS_SEC_KEY_DEDICATED) {
        s->dedicated_rx.last = c->info.ic;
        s->dedicated_rx.valid = true;
    } else {
        sec->rx_ic_last = c->info.ic;
        sec->rx_ic_valid = true;
    }
    c->ciphered = true;
    *n = (size_t)rc;
    return 0;
}

/* ---- xDLMS requests ------------------------------------------------------------------- */

static int dispatch(dlms_server_t *s, srv_req_t *c, const uint8_t *apdu, size_t len) {
    if (s->view.status == DLMS_ASSOC_PENDING && apdu[0] != DLMS_APDU_ACTION_REQUEST) {
        /* Only reply_to_HLS_authentication is served until pass 3. */
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_OPERATION_NOT_POSSIBLE,
                             0);
    }
    switch (apdu[0]) {
    case DLMS_APDU_GET_REQUEST:
        return srv_get(s, c, apdu, len);
    case DLMS_APDU_SET_REQUEST:
        return srv_set(s, c, apdu, len);
    case DLMS_APDU_ACTION_REQUEST:
        return srv_action(s, c, apdu, len);
    default:
        /* e.g. a general-glo-ciphering that carried something else */
        return srv_refuse(c, apdu[0]);
    }
}

/* Counters the response to this request will use: one for a ciphered
 * response, one for f(CtoS) of HLS pass 4. */
static uint32_t counters_needed(const dlms_server_t *s, const srv_req_t *c) {
    uint32_t n = c->ciphered ? 1u : 0u;
    if (s->view.status == DLMS_ASSOC_PENDING) {
        n++;
    }
    return n;
}

/* Everything after the tag check of a GET/SET/ACTION request, plain or
 * ciphered; the response is written into c->body. */
static int serve_request(dlms_server_t *s, srv_req_t *c, uint16_t client_sap, const uint8_t *apdu,
                         size_t len) {
    if ((!c->via_gbt && len > s->max_recv_pdu) ||
        (is_ciphered_request(apdu[0]) && len > sizeof s->rx)) {
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_PDU_TOO_LONG, 0);
    }
    dlms_security_context_t *sec = s->assoc->sec;
    if (sec != NULL) {
        srv_keys_snapshot(s, sec); /* a key changed by this request applies after it */
    }
    const uint8_t *plain = apdu;
    size_t n = len;
    if (is_ciphered_request(apdu[0])) {
        int rc = decipher(s, c, client_sap, apdu, len, &n);
        if (rc != 0) {
            return rc;
        }
        plain = s->rx;
    } else if (srv_sc_required(s->assoc) != 0) {
        /* The security policy wants every request protected. */
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_DECIPHERING_ERROR, 0);
    }
    s->view.ciphered = c->ciphered;
    uint32_t need = counters_needed(s, c);
    int rc;
    if (need > 0 && (sec == NULL || srv_ic_ensure(s, sec, need) != 0)) {
        /* Refused before anything runs: no SET is ever left unanswered. */
        c->ciphered = false;
        rc = srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_OTHER_REASON, 0);
    } else {
        rc = dispatch(s, c, plain, n);
    }
    if (rc == DLMS_SERVER_ERR_BUFFER) {
        /* Even the short answer (a list of results) exceeds the PDU. */
        rc = srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_PDU_TOO_LONG, 0);
    }
    if (plain == s->rx) {
        srv_wipe(s->rx, n); /* a deciphered request may carry secrets (an LLS secret) */
    }
    return rc;
}

/* A GET/SET/ACTION request (plain or ciphered), or the APDU reassembled
 * from GBT blocks. */
static int serve_xdlms(dlms_server_t *s, uint16_t client_sap, uint16_t server_sap,
                       const uint8_t *apdu, size_t len, bool via_gbt, uint8_t *out, size_t cap) {
    srv_req_t c;
    memset(&c, 0, sizeof c);
    c.via_gbt = via_gbt;
    bool known = is_plain_request(apdu[0]) || is_ciphered_request(apdu[0]);
    bool associated = known && select_association(s, client_sap, server_sap);
    /* Plan for a plain reply first: the request's protection is known only
     * once it is deciphered, and then the plan is redone. */
    int rc = plan_response(s, &c, out, cap);
    if (rc != 0) {
        return rc;
    }
    if (!known) {
        return finish(s, &c, srv_refuse(&c, apdu[0]));
    }
    if (!associated) {
        return finish(s, &c,
                      srv_exception(&c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED,
                                    DLMS_EXC_OPERATION_NOT_POSSIBLE, 0));
    }
    if (is_ciphered_request(apdu[0]) && s->assoc->sec != NULL &&
        s->assoc->app_context == DLMS_CONTEXT_LN_CIPH) {
        /* Assume the protected reply now, so the plan holds the envelope. */
        c.ciphered = true;
        c.info.form = (apdu[0] == TAG_GENERAL_GLO || apdu[0] == TAG_GENERAL_DED)
                          ? DLMS_SEC_FORM_GENERAL
                          : DLMS_SEC_FORM_SERVICE;
        rc = plan_response(s, &c, out, cap);
        c.ciphered = false;
        if (rc != 0) {
            return rc;
        }
    }
    int n = serve_request(s, &c, client_sap, apdu, len);
    n = finish(s, &c, n);
    srv_wipe(&s->keys, sizeof s->keys);
    if (s->assoc != NULL && s->view.status == DLMS_ASSOC_NON_ASSOCIATED) {
        srv_release(s, 0); /* HLS pass 3 failed: answered, now forgotten */
    }
    return n;
}

/* ---- general-block-transfer ------------------------------------------------------------ */

static int gbt_ack(dlms_server_t *s, uint8_t *out, size_t cap) {
    dlms_gbt_t g = {false, false, EM_DLMS_GBT_WINDOW, s->gbt_tx_number, s->gbt_rx_last, {NULL, 0}};
    int n = dlms_gbt_encode(&g, out, cap);
    if (n < 0) {
        return DLMS_SERVER_ERR_BUFFER;
    }
    s->gbt_tx_number++;
    return n;
}

/* A GBT block of a request: reassemble, acknowledge, and serve the APDU
 * once complete. */
static int gbt_request_block(dlms_server_t *s, uint16_t client_sap, uint16_t server_sap,
                             const dlms_gbt_t *g, uint8_t *out, size_t cap) {
    if (s->lt.kind == DLMS_SERVER_LONG_GET_GBT) {
        srv_long_abort(s); /* data from the client: a new request */
    }
    if (!s->gbt_rx_active) {
        dlms_gbt_rx_init(&s->gbt_rx, s->gbt_buf, sizeof s->gbt_buf, EM_DLMS_GBT_WINDOW,
                         g->block_number);
        s->gbt_rx_active = true;
    }
    int rc = dlms_gbt_rx_push(&s->gbt_rx, g);
    s->gbt_rx_last = dlms_gbt_rx_ack_number(&s->gbt_rx);
    if (rc == DLMS_GBT_RX_MORE) {
        return 0;
    }
    if (rc == DLMS_GBT_RX_ACK) {
        return gbt_ack(s, out, cap);
    }
    s->gbt_rx_active = false;
    srv_req_t c;
    memset(&c, 0, sizeof c);
    if (rc != DLMS_GBT_RX_COMPLETE || s->gbt_rx.len == 0) {
        int prc = plan_response(s, &c, out, cap);
        return prc != 0 ? prc
                        : srv_exception(&c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED,
                                        DLMS_EXC_PDU_TOO_LONG, 0);
    }
    int n = serve_xdlms(s, client_sap, server_sap, s->gbt_buf, s->gbt_rx.len, true, out, cap);
    srv_wipe(s->gbt_buf, s->gbt_rx.len);
    return n;
}

static int serve_gbt(dlms_server_t *s, uint16_t client_sap, uint16_t server_sap,
                     const uint8_t *apdu, size_t len, uint8_t *out, size_t cap) {
    srv_req_t c;
    memset(&c, 0, sizeof c);
    int rc = plan_response(s, &c, out, cap);
    if (rc != 0) {
        return rc;
    }
    if (s->view.status != DLMS_ASSOC_ASSOCIATED || s->view.client_sap != client_sap) {
        return srv_exception(&c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED,
                             DLMS_EXC_OPERATION_NOT_POSSIBLE, 0);
    }
    if ((s->view.conformance & DLMS_CONF_GENERAL_BLOCK_TRANSFER) == 0) {
        return srv_refuse(&c, DLMS_APDU_GENERAL_BLOCK_TRANSFER);
    }
    dlms_gbt_t g;
    if (dlms_gbt_decode(apdu, len, &g) != 0) {
        return srv_exception(&c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_OTHER_REASON, 0);
    }
    if (g.block_data.len == 0 && !g.last_block) {
        /* An acknowledgement: of our streamed reply, or nothing to do. */
        s->gbt_rx_last = g.block_number;
        return s->lt.kind == DLMS_SERVER_LONG_GET_GBT ? srv_get_gbt_ack(s, &c, &g) : 0;
    }
    return gbt_request_block(s, client_sap, server_sap, &g, out, cap);
}

/* ---- public API ------------------------------------------------------------------------ */

static bool mechanism_ok(const dlms_assoc_config_t *a, const em_port_t *port) {
    switch (a->mechanism) {
    case DLMS_MECH_NONE:
        return true;
    case DLMS_MECH_LLS:
        return a->lls_secret_len <= sizeof a->lls_secret;
    case DLMS_MECH_GMAC:
        return a->sec != NULL && port != NULL && port->entropy != NULL;
    default:
        return false;
    }
}

static bool association_ok(const dlms_assoc_config_t *a, const em_port_t *port) {
    if (a == NULL) {
        return false;
    }
    if (a->app_context != DLMS_CONTEXT_LN && a->app_context != DLMS_CONTEXT_LN_CIPH) {
        return false;
    }
    if (a->app_context == DLMS_CONTEXT_LN_CIPH && a->sec == NULL) {
        return false;
    }
    return mechanism_ok(a, port);
}

static int config_check(const dlms_server_config_t *cfg) {
    const dlms_cosem_services_t *sv = cfg->services;
    if (sv == NULL || sv->get == NULL || sv->set == NULL || sv->action == NULL ||
        cfg->associations == NULL || cfg->association_count == 0 ||
        cfg->association_count > EM_DLMS_MAX_ASSOCIATIONS) {
        return DLMS_SERVER_ERR_CONFIG;
    }
    if (cfg->challenge_len != 0 && (cfg->challenge_len < DLMS_SEC_OWN_CHALLENGE_MIN ||
                                    cfg->challenge_len > EM_SEC_MAX_CHALLENGE)) {
        return DLMS_SERVER_ERR_CONFIG;
    }
    for (uint8_t i = 0; i < cfg->association_count; i++) {
        const dlms_assoc_config_t *a = cfg->associations[i];
        if (!association_ok(a, cfg->port)) {
            return DLMS_SERVER_ERR_CONFIG;
        }
        for (uint8_t j = 0; j < i; j++) {
            if (cfg->associations[j]->client_sap == a->client_sap) {
                return DLMS_SERVER_ERR_CONFIG;
            }
        }
    }
    return 0;
}

int dlms_server_init(dlms_server_t *s, const dlms_server_config_t *cfg, uint64_t now_ms) {
    if (s == NULL || cfg == NULL) {
        return DLMS_SERVER_ERR_BADARG;
    }
    memset(s, 0, sizeof *s);
    int rc = config_check(cfg);
    if (rc != 0) {
        return rc;
    }
    s->cfg = cfg;
    s->last_activity_ms = now_ms;
    srv_release(s, 0);
    return 0;
}

int dlms_server_input(dlms_server_t *s, uint16_t client_sap, uint16_t server_sap,
                      const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, uint64_t now_ms) {
    if (s == NULL || s->cfg == NULL || (apdu == NULL && len > 0) || out == NULL) {
        return DLMS_SERVER_ERR_BADARG;
    }
    if (cap < DLMS_SERVER_OUT_MIN) {
        return DLMS_SERVER_ERR_BUFFER;
    }
    if (len == 0 || (s->cfg->server_sap != 0 && server_sap != s->cfg->server_sap)) {
        return 0; /* not for this logical device */
    }
    s->last_activity_ms = now_ms;
    switch (apdu[0]) {
    case DLMS_ACSE_TAG_AARQ:
        return srv_aarq(s, client_sap, server_sap, apdu, len, out, cap);
    case DLMS_ACSE_TAG_RLRQ:
        return srv_rlrq(s, client_sap, apdu, len, out, cap);
    case DLMS_APDU_GENERAL_BLOCK_TRANSFER:
        return serve_gbt(s, client_sap, server_sap, apdu, len, out, cap);
    default:
        return serve_xdlms(s, client_sap, server_sap, apdu, len, false, out, cap);
    }
}

int dlms_server_tick(dlms_server_t *s, uint64_t now_ms) {
    if (s == NULL || s->cfg == NULL || s->view.status == DLMS_ASSOC_NON_ASSOCIATED) {
        return 0;
    }
    uint32_t timeout = s->cfg->inactivity_ms != 0 ? s->cfg->inactivity_ms : EM_DLMS_INACTIVITY_MS;
    if (timeout == DLMS_SERVER_NO_TIMEOUT || now_ms < s->last_activity_ms ||
        now_ms - s->last_activity_ms < timeout) {
        return 0;
    }
    srv_release(s, DLMS_SERVER_EVENT_TIMEOUT);
    return 1;
}

void dlms_server_transport_closed(dlms_server_t *s) {
    if (s != NULL && s->cfg != NULL) {
        srv_release(s, DLMS_SERVER_EVENT_CLOSED);
    }
}

uint8_t dlms_server_status(const dlms_server_t *s) {
    return s != NULL ? s->view.status : DLMS_ASSOC_NON_ASSOCIATED;
}

const dlms_assoc_view_t *dlms_server_view(const dlms_server_t *s) {
    return s != NULL ? &s->view : NULL;
}

/* ---- data-notification ------------------------------------------------------------------ */

static int notification_protect(dlms_server_t *s, dlms_security_context_t *sec, uint8_t sc,
                                size_t plain_len, uint8_t *out, size_t cap) {
    int rc = srv_ic_ensure(s, sec, 1);
    if (rc != 0) {
        return rc;
    }
    dlms_sec_keys_t keys = sec->keys;
    keys.has_dedicated = false;
    dlms_sec_tx_t tx = {&keys, sec->server_system_title, sc, sec->tx_ic, false};
    rc = dlms_sec_protect(&tx, DLMS_SEC_FORM_GENERAL, s->tx, plain_len, out, cap);
    srv_wipe(&keys, sizeof keys);
    if (rc >= 0) {
        srv_ic_take(sec); /* used: never again */
    }
    return rc == DLMS_SEC_ERR_BUFFER ? DLMS_SERVER_ERR_BUFFER : rc;
}

int dlms_server_data_notification(dlms_server_t *s, dlms_security_context_t *sec, uint8_t sc,
                                  uint32_t long_invoke_id, const cosem_datetime_t *dt,
                                  dlms_slice_t body, uint8_t *out, size_t cap) {
    if (s == NULL || s->cfg == NULL || out == NULL || body.p == NULL || body.len == 0) {
        return DLMS_SERVER_ERR_BADARG;
    }
    dlms_data_notification_t n;
    memset(&n, 0, sizeof n);
    n.long_invoke_id = long_invoke_id;
    n.has_date_time = dt != NULL;
    if (dt != NULL) {
        n.date_time = *dt;
    }
    n.body = body;
    bool plain = sec == NULL || sc == 0;
    uint8_t *dst = plain ? out : s->tx;
    size_t dcap = plain ? cap : sizeof s->tx;
    int len = dlms_data_notification_encode(&n, dst, dcap);
    if (len < 0) {
        return len == DLMS_APDU_ERR_BUFFER ? DLMS_SERVER_ERR_BUFFER : len;
    }
    if (plain) {
        return len;
    }
    int rc = notification_protect(s, sec, sc, (size_t)len, out, cap);
    srv_wipe(s->tx, (size_t)len);
    return rc;
}

/* ---- errors -------------------------------------------------------------------------------- */

static const char *server_reason(int err) {
    switch (err) {
    case 0:
        return "success";
    case DLMS_SERVER_ERR_BADARG:
        return "server: invalid argument";
    case DLMS_SERVER_ERR_CONFIG:
        return "server: configuration not usable";
    case DLMS_SERVER_ERR_BUFFER:
        return "server: output buffer too small";
    case DLMS_SERVER_ERR_IC_RESERVE:
        return "server: invocation counter reservation failed";
    case DLMS_SERVER_ERR_IC_EXHAUSTED:
        return "server: invocation counter exhausted, a new key is needed";
    case DLMS_SERVER_ERR_DAR:
        return "server: the object answered a data-access-result";
    case DLMS_SERVER_ERR_INTERNAL:
        return "server: internal encoding error";
    default:
        return NULL;
    }
}

const char *dlms_server_strerror(int err) {
    const char *r = server_reason(err);
    if (r != NULL) {
        return r;
    }
    if (err <= -0x0700 && err >= -0x07FF) {
        return dlms_security_strerror(err);
    }
    if (err <= -0x0600 && err >= -0x06FF) {
        return dlms_acse_strerror(err);
    }
    if (err <= -0x0500 && err >= -0x05FF) {
        return dlms_apdu_strerror(err); /* GET/SET/ACTION and xDLMS codes */
    }
    if (err <= -0x0100 && err >= -0x01FF) {
        return axdr_strerror(err);
    }
    return "server: unknown error";
}
