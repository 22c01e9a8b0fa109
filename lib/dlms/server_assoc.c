/*
 * server_assoc.c - association control of the DLMS server (IEC 62056-5-3
 * / Green Book "COSEM-OPEN" and "COSEM-RELEASE" services, server side):
 * AARQ checked against the configured associations and answered with an
 * AARE, RLRQ answered with an RLRE, and passes 3 and 4 of HLS-5
 * (mechanism 5, GMAC) on the current Association LN object (dlms-facts
 * §4.6-§4.8). The checks and the diagnostics they give are listed in
 * server.h.
 */
#include <string.h>

#include "dlms/server_internal.h"

/* 0.0.40.0.0.255: "the current association" Association LN instance. */
static const uint8_t current_association_ln[DLMS_OBIS_LEN] = {0, 0, 40, 0, 0, 255};

#define ASSOCIATION_LN_CLASS 15
#define REPLY_TO_HLS_METHOD  1
/* Room for the AARE user-information: a glo-initiateResponse. */
#define AARE_USER_INFO_MAX (DLMS_XDLMS_INITIATE_RESPONSE_MAX + DLMS_SEC_OVERHEAD + 4)

/* ---- AARE --------------------------------------------------------------------------------- */

static int aare_encode(dlms_aare_t *aare, uint8_t *out, size_t cap) {
    int n = dlms_aare_encode(aare, out, cap);
    return n < 0 ? DLMS_SERVER_ERR_BUFFER : n;
}

/* A refusing AARE (result and acse-service-user diagnostic), with an
 * optional user-information (the InitiateRequest refusal). */
static int aare_reject(uint8_t context, uint8_t result, uint8_t diagnostic, const uint8_t *ui,
                       size_t ui_len, uint8_t *out, size_t cap) {
    dlms_aare_t aare;
    memset(&aare, 0, sizeof aare);
    aare.context =
        (context >= DLMS_CONTEXT_LN && context <= DLMS_CONTEXT_SN_CIPH) ? context : DLMS_CONTEXT_LN;
    aare.result = result;
    aare.diagnostic_source = DLMS_ACSE_SOURCE_USER;
    aare.diagnostic = diagnostic;
    aare.user_info = ui;
    aare.user_info_len = ui != NULL ? ui_len : 0;
    return aare_encode(&aare, out, cap);
}

/* ---- AARQ checks ---------------------------------------------------------------------------- */

/* Everything the checks learn, for the AARE and the new state. */
typedef struct aarq_work {
    dlms_aarq_t aarq;
    dlms_assoc_config_t *cfg;
    uint8_t index;
    dlms_acse_initiate_t init;
    dlms_xdlms_negotiated_t neg;
    uint16_t server_max_pdu;
    uint8_t diagnostic; /* when refused */
    uint8_t result;     /* when refused */
} aarq_work_t;

static uint8_t mechanism_diagnostic(const dlms_aarq_t *aarq, const dlms_assoc_config_t *cfg) {
    uint8_t asked = aarq->has_mechanism ? aarq->mechanism : DLMS_MECH_NONE;
    if (asked == cfg->mechanism) {
        return DLMS_ACSE_DIAG_NULL;
    }
    return asked == DLMS_MECH_NONE ? DLMS_ACSE_DIAG_AUTHENTICATION_MECHANISM_NAME_REQUIRED
                                   : DLMS_ACSE_DIAG_AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED;
}

/* The InitiateRequest in the user-information, deciphered when the
 * context is ciphered; a wrong key is a failed login. */
static uint8_t check_initiate(dlms_server_t *s, uint16_t client_sap, aarq_work_t *w) {
    dlms_security_context_t *sec = w->cfg->sec;
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    if (sec != NULL) {
        srv_keys_snapshot(s, sec); /* no dedicated key yet: the session is fresh */
        rx.keys = &s->keys;
        rx.ic[DLMS_SEC_KEY_UNICAST].last = sec->rx_ic_last;
        rx.ic[DLMS_SEC_KEY_UNICAST].valid = sec->rx_ic_valid;
        rx.sc_required = srv_sc_required(w->cfg);
    }
    int rc = dlms_acse_aarq_initiate(&w->aarq, sec != NULL ? &rx : NULL, &w->init);
    if (rc == DLMS_SEC_ERR_AUTH) {
        srv_auth_failure(s, client_sap, DLMS_SERVER_AUTH_DECIPHER);
    }
    if (rc != 0) {
        return dlms_acse_diagnostic_for_error(rc);
    }
    if (w->init.ciphered && w->init.sec.key != DLMS_SEC_KEY_UNICAST) {
        return DLMS_ACSE_DIAG_NO_REASON_GIVEN; /* associations are unicast */
    }
    return DLMS_ACSE_DIAG_NULL;
}

static uint8_t check_authentication(const dlms_server_t *s, uint16_t client_sap,
                                    const aarq_work_t *w) {
    const dlms_aarq_t *a = &w->aarq;
    const dlms_assoc_config_t *cfg = w->cfg;
    if (cfg->mechanism == DLMS_MECH_LLS) {
        bool ok = a->has_auth_value && a->auth_value_len == cfg->lls_secret_len &&
                  srv_equal(a->auth_value, cfg->lls_secret, cfg->lls_secret_len);
        if (!ok) {
            srv_auth_failure(s, client_sap, DLMS_SERVER_AUTH_LLS);
            return DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE;
        }
    } else if (cfg->mechanism == DLMS_MECH_GMAC) {
        /* Pass 3 is checked under the client's title, pass 4 answers CtoS. */
        if (!a->has_calling_ap_title || !a->has_auth_value ||
            a->auth_value_len < DLMS_SEC_PEER_CHALLENGE_MIN ||
            a->auth_value_len > EM_SEC_MAX_CHALLENGE) {
            return DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE;
        }
    }
    return DLMS_ACSE_DIAG_NULL;
}

/* Runs the checks of server.h in order; DLMS_ACSE_DIAG_NULL when the AARQ
 * is acceptable (the InitiateRequest may still be refused: w->neg). */
static uint8_t check_aarq(dlms_server_t *s, uint16_t client_sap, aarq_work_t *w) {
    w->cfg = srv_find_assoc(s, client_sap, &w->index);
    if (w->cfg == NULL) {
        return DLMS_ACSE_DIAG_NO_REASON_GIVEN;
    }
    if (w->aarq.context != w->cfg->app_context) {
        return DLMS_ACSE_DIAG_APPLICATION_CONTEXT_NAME_NOT_SUPPORTED;
    }
    uint8_t d = mechanism_diagnostic(&w->aarq, w->cfg);
    if (d == DLMS_ACSE_DIAG_NULL) {
        d = check_initiate(s, client_sap, w);
    }
    if (d == DLMS_ACSE_DIAG_NULL) {
        d = check_authentication(s, client_sap, w);
    }
    return d;
}

/* ---- AARQ accepted ----------------------------------------------------------------------------
 */

/* The AARE user-information: the InitiateResponse, ciphered like the
 * InitiateRequest came. */
static int initiate_answer(dlms_server_t *s, const aarq_work_t *w, uint8_t *ui, size_t cap) {
    if (!w->init.ciphered) {
        return dlms_xdlms_answer(&w->neg, NULL, ui, cap);
    }
    dlms_security_context_t *sec = w->cfg->sec;
    dlms_sec_tx_t tx = {&s->keys, sec->server_system_title,
                        (uint8_t)(w->init.sec.sc & (DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC)),
                        srv_ic_take(sec), false};
    return dlms_xdlms_answer(&w->neg, &tx, ui, cap);
}

static int build_accept(dlms_server_t *s, const aarq_work_t *w, uint8_t *out, size_t cap) {
    uint8_t ui[AARE_USER_INFO_MAX];
    int n = initiate_answer(s, w, ui, sizeof ui);
    if (n < 0) {
        return DLMS_SERVER_ERR_INTERNAL;
    }
    dlms_aare_t aare;
    memset(&aare, 0, sizeof aare);
    aare.context = w->cfg->app_context;
    aare.result = DLMS_ACSE_RESULT_ACCEPTED;
    aare.diagnostic_source = DLMS_ACSE_SOURCE_USER;
    bool gmac = w->cfg->mechanism == DLMS_MECH_GMAC;
    aare.diagnostic = gmac ? DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED : DLMS_ACSE_DIAG_NULL;
    if (w->cfg->sec != NULL && (gmac || w->cfg->app_context == DLMS_CONTEXT_LN_CIPH)) {
        /* The client needs our title for the IV of what we send. */
        aare.has_responding_ap_title = true;
        memcpy(aare.responding_ap_title, w->cfg->sec->server_system_title,
               DLMS_SEC_SYSTEM_TITLE_LEN);
    }
    if (w->cfg->mechanism != DLMS_MECH_NONE) {
        aare.has_acse_requirements = true;
        aare.authentication = true;
        aare.has_mechanism = true;
        aare.mechanism = w->cfg->mechanism;
    }
    if (gmac) {
        aare.has_auth_value = true;
        aare.auth_value_len = s->stoc_len;
        memcpy(aare.auth_value, s->stoc, s->stoc_len);
    }
    aare.user_info = ui;
    aare.user_info_len = (size_t)n;
    n = aare_encode(&aare, out, cap);
    srv_wipe(&aare, sizeof aare);
    return n;
}

/* The new association's state, once the AARE is decided. */
static void enter_association(dlms_server_t *s, const aarq_work_t *w, uint16_t client_sap,
                              uint16_t server_sap) {
    const dlms_aarq_t *a = &w->aarq;
    dlms_security_context_t *sec = w->cfg->sec;
    s->assoc = w->cfg;
    s->max_send_pdu = w->neg.max_send_pdu;
    s->max_recv_pdu = w->server_max_pdu;
    s->initiate_response = w->neg.response;
    s->assoc_sc = w->init.ciphered ? w->init.sec.sc : 0;
    s->gbt_tx_number = 1;
    if (a->has_calling_ap_title) {
        memcpy(s->client_title, a->calling_ap_title, DLMS_SEC_SYSTEM_TITLE_LEN);
        s->has_client_title = true;
    }
    if (w->init.request.has_dedicated_key) {
        memcpy(s->dedicated_key, w->init.request.dedicated_key, DLMS_SEC_KEY_LEN);
        s->has_dedicated_key = true;
    }
    if (sec != NULL && w->init.ciphered) {
        sec->rx_ic_last = w->init.sec.ic; /* the AARQ was authentic */
        sec->rx_ic_valid = true;
    }
    if (sec != NULL && s->has_client_title) {
        memcpy(sec->client_system_title, s->client_title, DLMS_SEC_SYSTEM_TITLE_LEN);
        sec->has_client_system_title = true;
    }
    dlms_assoc_view_t *v = &s->view;
    v->client_sap = client_sap;
    v->server_sap = server_sap;
    v->assoc_index = w->index;
    v->app_context = w->cfg->app_context;
    v->mechanism = w->cfg->mechanism;
    v->ciphered = w->init.ciphered;
    v->conformance = w->neg.response.conformance;
    v->client_max_pdu = w->neg.client_max_receive_pdu;
    v->server_max_pdu = w->server_max_pdu;
    v->dlms_version = w->neg.response.dlms_version;
    v->has_client_system_title = s->has_client_title;
    memcpy(v->client_system_title, s->client_title, DLMS_SEC_SYSTEM_TITLE_LEN);
    v->status = w->cfg->mechanism == DLMS_MECH_GMAC ? DLMS_ASSOC_PENDING : DLMS_ASSOC_ASSOCIATED;
}

/* Counters and the HLS challenge, before anything is decided: a failure
 * here refuses the AARQ for now (rejected-transient). */
static int prepare_accept(dlms_server_t *s, const aarq_work_t *w) {
    if (w->init.ciphered && srv_ic_ensure(s, w->cfg->sec, 1) != 0) {
        return DLMS_SERVER_ERR_IC_RESERVE;
    }
    if (w->cfg->mechanism != DLMS_MECH_GMAC) {
        return 0;
    }
    size_t len = s->cfg->challenge_len != 0 ? s->cfg->challenge_len : EM_SEC_CHALLENGE_LEN;
    if (dlms_sec_hls_challenge(s->cfg->port, s->stoc, len) != 0) {
        return DLMS_SEC_ERR_ENTROPY;
    }
    s->stoc_len = (uint8_t)len;
    s->ctos_len = (uint8_t)w->aarq.auth_value_len;
    memcpy(s->ctos, w->aarq.auth_value, w->aarq.auth_value_len);
    return 0;
}

static int accept_aarq(dlms_server_t *s, aarq_work_t *w, uint16_t client_sap, uint16_t server_sap,
                       uint8_t *out, size_t cap) {
    if (prepare_accept(s, w) != 0) {
        srv_release(s, 0);
        return aare_reject(w->aarq.context, DLMS_ACSE_RESULT_REJECTED_TRANSIENT,
                           DLMS_ACSE_DIAG_NO_REASON_GIVEN, NULL, 0, out, cap);
    }
    int n = build_accept(s, w, out, cap);
    if (n < 0) {
        srv_release(s, 0);
        return n;
    }
    enter_association(s, w, client_sap, server_sap);
    if (s->view.status == DLMS_ASSOC_ASSOCIATED && s->cfg->on_association != NULL) {
        s->cfg->on_association(s->cfg->user, &s->view, DLMS_SERVER_EVENT_ASSOCIATED);
    }
    return n;
}

/* The InitiateRequest could not be accepted: the AARE carries the
 * confirmedServiceError with the initiate error. */
static int refuse_initiate(const aarq_work_t *w, uint8_t *out, size_t cap) {
    uint8_t ui[DLMS_XDLMS_CONFIRMED_SERVICE_ERROR_LEN];
    int n = dlms_xdlms_answer(&w->neg, NULL, ui, sizeof ui);
    return aare_reject(w->aarq.context, DLMS_ACSE_RESULT_REJECTED_PERMANENT,
                       DLMS_ACSE_DIAG_NO_REASON_GIVEN, n > 0 ? ui : NULL, n > 0 ? (size_t)n : 0,
                       out, cap);
}

static int negotiate(aarq_work_t *w) {
    dlms_xdlms_server_cfg_t xc = {w->cfg->conformance & DLMS_CONF_MASK, srv_max_pdu(w->cfg), 0};
    w->server_max_pdu = xc.max_pdu_size;
    return dlms_xdlms_negotiate(&w->init.request, &xc, &w->neg);
}

/* The application refuses associations of this client for now (a login
 * lockout: dlms_server_config_t.assoc_allowed). */
static bool locked_out(const dlms_server_t *s, uint16_t client_sap) {
    uint8_t index;
    if (s->cfg->assoc_allowed == NULL || srv_find_assoc(s, client_sap, &index) == NULL) {
        return false;
    }
    return !s->cfg->assoc_allowed(s->cfg->user, index, client_sap);
}

int srv_aarq(dlms_server_t *s, uint16_t client_sap, uint16_t server_sap, const uint8_t *apdu,
             size_t len, uint8_t *out, size_t cap) {
    /* A new AARQ ends whatever this connection held (server.h). */
    srv_release(s, DLMS_SERVER_EVENT_REPLACED);
    aarq_work_t w;
    memset(&w, 0, sizeof w);
    int rc = dlms_aarq_decode(apdu, len, &w.aarq);
    if (rc == 0 && locked_out(s, client_sap)) {
        /* Locked (server.h): refused before any credential is looked at. */
        rc = aare_reject(w.aarq.context, DLMS_ACSE_RESULT_REJECTED_TRANSIENT,
                         DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE, NULL, 0, out, cap);
        srv_wipe(&w, sizeof w);
        return rc;
    }
    uint8_t d = rc != 0 ? dlms_acse_diagnostic_for_error(rc) : check_aarq(s, client_sap, &w);
    if (d == DLMS_ACSE_DIAG_NULL) {
        rc = negotiate(&w);
        if (rc == DLMS_APDU_ERR_XDLMS_REFUSED) {
            rc = refuse_initiate(&w, out, cap);
        } else if (rc != 0) {
            rc = aare_reject(w.aarq.context, DLMS_ACSE_RESULT_REJECTED_PERMANENT,
                             DLMS_ACSE_DIAG_NO_REASON_GIVEN, NULL, 0, out, cap);
        } else {
            rc = accept_aarq(s, &w, client_sap, server_sap, out, cap);
        }
    } else {
        rc = aare_reject(w.aarq.context, DLMS_ACSE_RESULT_REJECTED_PERMANENT, d, NULL, 0, out, cap);
    }
    srv_wipe(&w, sizeof w); /* dedicated key, password */
    srv_wipe(&s->keys, sizeof s->keys);
    return rc;
}

/* ---- RLRQ ------------------------------------------------------------------------------------ */

/* A ciphered RLRQ user-information is the client's InitiateRequest: check
 * it like the AARQ's (it moves the counter). Returns its SC, or 0. */
static uint8_t release_initiate(dlms_server_t *s, uint16_t client_sap, const dlms_release_t *rq) {
    dlms_security_context_t *sec = s->assoc->sec;
    dlms_aarq_t a;
    memset(&a, 0, sizeof a);
    a.context = s->assoc->app_context;
    a.has_calling_ap_title = s->has_client_title;
    memcpy(a.calling_ap_title, s->client_title, DLMS_SEC_SYSTEM_TITLE_LEN);
    a.user_info = rq->user_info;
    a.user_info_len = rq->user_info_len;
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    rx.keys = &s->keys;
    rx.ic[DLMS_SEC_KEY_UNICAST].last = sec->rx_ic_last;
    rx.ic[DLMS_SEC_KEY_UNICAST].valid = sec->rx_ic_valid;
    rx.sc_required = srv_sc_required(s->assoc);
    dlms_acse_initiate_t init;
    int rc = dlms_acse_aarq_initiate(&a, &rx, &init);
    uint8_t sc = 0;
    if (rc == 0 && init.ciphered && init.sec.key == DLMS_SEC_KEY_UNICAST) {
        sec->rx_ic_last = init.sec.ic;
        sec->rx_ic_valid = true;
        sc = init.sec.sc;
    } else if (rc == DLMS_SEC_ERR_AUTH) {
        srv_auth_failure(s, client_sap, DLMS_SERVER_AUTH_DECIPHER);
    }
    srv_wipe(&init, sizeof init);
    return sc;
}

/* RLRE user-information of a ciphered association: the InitiateResponse
 * as glo-initiateResponse. Returns its length, 0 when none can be sent. */
static int release_answer(dlms_server_t *s, uint8_t sc, uint8_t *ui, size_t cap) {
    dlms_security_context_t *sec = s->assoc->sec;
    sc &= DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC;
    if (sc == 0 || srv_ic_ensure(s, sec, 1) != 0) {
        return 0;
    }
    dlms_xdlms_negotiated_t neg;
    memset(&neg, 0, sizeof neg);
    neg.response = s->initiate_response;
    dlms_sec_tx_t tx = {&s->keys, sec->server_system_title, sc, srv_ic_take(sec), false};
    int n = dlms_xdlms_answer(&neg, &tx, ui, cap);
    return n > 0 ? n : 0;
}

int srv_rlrq(dlms_server_t *s, uint16_t client_sap, const uint8_t *apdu, size_t len, uint8_t *out,
             size_t cap) {
    dlms_release_t rq;
    bool decoded = dlms_rlrq_decode(apdu, len, &rq) == 0;
    uint8_t ui[AARE_USER_INFO_MAX];
    dlms_release_t re = {true, DLMS_RLRE_REASON_NORMAL, NULL, 0};
    bool ours = s->view.status != DLMS_ASSOC_NON_ASSOCIATED && s->view.client_sap == client_sap;
    if (ours && s->assoc->sec != NULL && s->assoc->app_context == DLMS_CONTEXT_LN_CIPH) {
        srv_keys_snapshot(s, s->assoc->sec);
        uint8_t sc = s->assoc_sc;
        if (decoded && rq.user_info != NULL) {
            uint8_t rq_sc = release_initiate(s, client_sap, &rq);
            sc = rq_sc != 0 ? rq_sc : sc;
        }
        int n = release_answer(s, sc, ui, sizeof ui);
        if (n > 0) {
            re.user_info = ui;
            re.user_info_len = (size_t)n;
        }
    }
    int n = dlms_rlre_encode(&re, out, cap);
    if (ours) {
        /* A client's release is honoured even when its RLRQ is damaged:
         * it asks for less, never more. */
        srv_release(s, DLMS_SERVER_EVENT_RELEASED);
    }
    srv_wipe(&s->keys, sizeof s->keys);
    return n < 0 ? DLMS_SERVER_ERR_BUFFER : n;
}

/* ---- HLS-5 passes 3 and 4 ---------------------------------------------------------------------
 */

bool srv_is_hls_pass3(const dlms_server_t *s, const dlms_action_request_t *r) {
    if (s->assoc == NULL || r->type != DLMS_ACTION_REQUEST_NORMAL || r->count != 1) {
        return false;
    }
    const dlms_cosem_descriptor_t *m = &r->methods[0];
    if (m->class_id != ASSOCIATION_LN_CLASS || m->id != REPLY_TO_HLS_METHOD) {
        return false;
    }
    return memcmp(m->instance_id, current_association_ln, DLMS_OBIS_LEN) == 0 ||
           memcmp(m->instance_id, s->assoc->logical_name, DLMS_OBIS_LEN) == 0;
}

/* f(StoC) from the method parameters: one octet-string and nothing else. */
static bool pass3_reply(const dlms_action_request_t *r, const uint8_t **p, size_t *n) {
    if (r->params[0].p == NULL) {
        return false;
    }
    axdr_dec_t d;
    axdr_dec_init(&d, r->params[0].p, r->params[0].len);
    return axdr_get_octet_string(&d, p, n) == 0 && axdr_dec_remaining(&d) == 0;
}

/* action-response-normal: result, and f(CtoS) as octet-string when given. */
static int pass4_response(srv_req_t *c, uint8_t invoke_id, uint8_t result, const uint8_t *f) {
    axdr_enc_t e;
    axdr_enc_init(&e, c->body, c->budget);
    axdr_put_raw(&e, (const uint8_t[]){DLMS_APDU_ACTION_RESPONSE, DLMS_ACTION_RESPONSE_NORMAL}, 2);
    axdr_put_raw(&e, &invoke_id, 1);
    dlms_apdu_put_action_result(&e, result, f != NULL);
    if (f != NULL) {
        axdr_put_octet_string(&e, f, DLMS_SEC_HLS_REPLY_LEN);
    }
    return e.err == 0 ? (int)e.len : DLMS_SERVER_ERR_BUFFER;
}

int srv_hls_pass3(dlms_server_t *s, srv_req_t *c, const dlms_action_request_t *r) {
    if (s->view.status != DLMS_ASSOC_PENDING) {
        /* Nothing to authenticate: the object layer is not involved. */
        return pass4_response(c, r->invoke_id, DLMS_ACTION_READ_WRITE_DENIED, NULL);
    }
    const uint8_t *reply = NULL;
    size_t reply_len = 0;
    int rc = pass3_reply(r, &reply, &reply_len) ? 0 : DLMS_SEC_ERR_LENGTH;
    if (rc == 0) {
        rc = dlms_sec_hls_verify(&s->keys, s->client_title, s->stoc, s->stoc_len, reply, reply_len,
                                 NULL);
    }
    uint8_t f[DLMS_SEC_HLS_REPLY_LEN];
    if (rc == 0) {
        /* Pass 4: f(CtoS) with our title and a fresh counter (reserved by
         * the caller before the request ran). */
        dlms_security_context_t *sec = s->assoc->sec;
        dlms_sec_tx_t tx = {&s->keys, sec->server_system_title, DLMS_SEC_SC_AUTH_ONLY,
                            srv_ic_take(sec), false};
        rc = dlms_sec_hls_gmac(&tx, s->ctos, s->ctos_len, f);
    }
    if (rc != 0) {
        srv_auth_failure(s, s->view.client_sap, DLMS_SERVER_AUTH_HLS);
        int n = pass4_response(c, r->invoke_id, DLMS_ACTION_READ_WRITE_DENIED, NULL);
        /* The response still goes out protected like the request; the
         * association is gone once it is built. */
        s->view.status = DLMS_ASSOC_NON_ASSOCIATED;
        return n;
    }
    int n = pass4_response(c, r->invoke_id, DLMS_ACTION_SUCCESS, f);
    srv_wipe(f, sizeof f);
    srv_wipe(s->stoc, sizeof s->stoc);
    srv_wipe(s->ctos, sizeof s->ctos);
    s->stoc_len = 0;
    s->ctos_len = 0;
    s->view.status = DLMS_ASSOC_ASSOCIATED;
    if (s->cfg->on_association != NULL) {
        s->cfg->on_association(s->cfg->user, &s->view, DLMS_SERVER_EVENT_ASSOCIATED);
    }
    return n;
}
