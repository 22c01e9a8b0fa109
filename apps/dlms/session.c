/*
 * session.c - the dlms tool's association with a meter: settings for
 * lib/dlms/client from the command line, the HLS-5 challenge from the
 * kernel CSPRNG (port/posix), AARQ .. AARE (.. HLS passes 3/4), the
 * request/answer loop over the transport, RLRQ at the end, and the mapping
 * of every failure to one line on stderr and an exit status.
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port_posix.h"

static void session_trace(const session_t *s, const char *dir, const uint8_t *p, size_t n) {
    if (s->o->verbose < 2) {
        return;
    }
    fprintf(stderr, "%s", dir);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "%s%02X", i % 32 == 0 && i > 0 ? "\n   " : " ", p[i]);
    }
    fputc('\n', stderr);
}

static bool session_is_transport_err(int rc) {
    return rc <= TRANSPORT_ERR_IO && rc >= TRANSPORT_ERR_FRAME;
}

int session_exchange(session_t *s, int n, dlms_client_result_t *res) {
    memset(res, 0, sizeof *res);
    while (n > 0) {
        session_trace(s, "->", s->out, (size_t)n);
        int rc = s->t->send(s->t, s->out, (size_t)n);
        size_t len = 0;
        if (rc == 0) {
            rc = s->t->recv(s->t, s->in, s->buflen, &len);
        }
        if (rc != 0) {
            dlms_client_abort(s->c);
            return rc;
        }
        session_trace(s, "<-", s->in, len);
        n = dlms_client_handle(s->c, s->in, len, s->out, s->buflen, res);
    }
    return n;
}

int session_get(session_t *s, uint16_t class_id, const uint8_t obis[6], int8_t attr,
                uint8_t **value, size_t *len, dlms_client_result_t *res) {
    dlms_cosem_descriptor_t d = {class_id, {0}, attr};
    memcpy(d.instance_id, obis, 6);
    *value = NULL;
    *len = 0;
    int rc = session_exchange(s, dlms_client_get(s->c, &d, NULL, s->out, s->buflen), res);
    if (rc != 0) {
        return rc;
    }
    *value = malloc(res->data.len > 0 ? res->data.len : 1);
    if (*value == NULL) {
        return DLMS_CLIENT_ERR_BUFFER;
    }
    memcpy(*value, res->data.p, res->data.len);
    *len = res->data.len;
    return 0;
}

static int session_exit_for(int rc) {
    if (session_is_transport_err(rc)) {
        return CLI_EXIT_TRANSPORT;
    }
    switch (rc) {
    case DLMS_CLIENT_ERR_REJECTED:
    case DLMS_CLIENT_ERR_HLS_FAILED:
    case DLMS_CLIENT_ERR_HLS_VERIFY:
        return CLI_EXIT_ASSOCIATION;
    case DLMS_CLIENT_ERR_DATA_ACCESS:
    case DLMS_CLIENT_ERR_EXCEPTION:
    case DLMS_CLIENT_ERR_SERVICE_ERROR:
    case DLMS_CLIENT_ERR_CONFORMANCE:
    case DLMS_CLIENT_ERR_PDU_SIZE:
        return CLI_EXIT_REFUSED;
    case DLMS_CLIENT_ERR_BUFFER:
    case DLMS_CLIENT_ERR_STREAM:
    case DLMS_CLIENT_ERR_STATE:
    case DLMS_CLIENT_ERR_BUSY:
    case DLMS_CLIENT_ERR_BADARG:
        return CLI_EXIT_FAILURE;
    default:
        return CLI_EXIT_PROTOCOL;
    }
}

int session_fail(const session_t *s, int rc, const dlms_client_result_t *res, const char *what) {
    if (session_is_transport_err(rc)) {
        fprintf(stderr, "dlms: %s: %s\n", what, s->t != NULL ? s->t->err : "transport failed");
        return CLI_EXIT_TRANSPORT;
    }
    const char *why = dlms_client_strerror(rc);
    const char *reason = dlms_client_reason(rc, res);
    if (rc == DLMS_CLIENT_ERR_EXCEPTION && res != NULL) {
        fprintf(stderr, "dlms: %s: exception-response %s, %s\n", what,
                dlms_state_error_name(res->exception.state_error),
                dlms_exception_service_error_name(res->exception.service_error));
    } else if (reason != why) {
        fprintf(stderr, "dlms: %s: %s: %s\n", what, why, reason);
    } else {
        fprintf(stderr, "dlms: %s: %s\n", what, why);
    }
    return session_exit_for(rc);
}

static int session_settings(const cli_opts_t *o, const session_params_t *p,
                            dlms_client_settings_t *st) {
    dlms_client_settings_init(st);
    st->mechanism = p->mechanism;
    st->ciphered = p->ciphered;
    st->keys = o->keys;
    memcpy(st->system_title, o->system_title, sizeof st->system_title);
    st->tx_ic = p->tx_ic;
    if (o->max_pdu != 0) {
        st->max_receive_pdu = o->max_pdu;
    }
    if (p->mechanism == DLMS_MECH_LLS) {
        size_t n = o->password != NULL ? strlen(o->password) : 0;
        if (n == 0 || n > sizeof st->password) {
            fprintf(stderr, "dlms: --auth low needs --password of 1..%zu characters\n",
                    sizeof st->password);
            return CLI_EXIT_USAGE;
        }
        memcpy(st->password, o->password, n);
        st->password_len = (uint8_t)n;
    }
    return CLI_OK;
}

static int session_transport(session_t *s, const cli_opts_t *o, uint16_t client_sap) {
    char err[256] = "";
    if (o->serial != NULL) {
        transport_hdlc_cfg_t h = {o->serial,     o->baud,     client_sap,
                                  o->server_sap, o->physical, o->timeout_ms};
        s->t = transport_hdlc_open(&h, err, sizeof err);
    } else {
        transport_tcp_cfg_t tc = {o->host, o->port, client_sap, o->server_sap, o->timeout_ms};
        s->t = transport_tcp_open(&tc, err, sizeof err);
    }
    if (s->t == NULL) {
        fprintf(stderr, "dlms: %s\n", err);
        return CLI_EXIT_TRANSPORT;
    }
    return CLI_OK;
}

static void session_describe(const session_t *s) {
    if (s->o->verbose < 1) {
        return;
    }
    char conf[512];
    dlms_conformance_describe(dlms_client_conformance(s->c), conf, sizeof conf);
    fprintf(stderr, "dlms: associated as client %u (%s%s), server max PDU %u, conformance %s\n",
            s->client_sap, dlms_mechanism_name(s->c->s.mechanism),
            s->c->s.ciphered ? ", ciphered" : "", dlms_client_server_max_pdu(s->c), conf);
}

static int session_associate(session_t *s) {
    uint8_t ctos[EM_SEC_CHALLENGE_LEN];
    size_t ctos_len = 0;
    if (s->c->s.mechanism == DLMS_MECH_GMAC) {
        em_port_t port;
        memset(&port, 0, sizeof port);
        port.entropy = em_posix_entropy;
        if (dlms_sec_hls_challenge(&port, ctos, sizeof ctos) != 0) {
            fprintf(stderr, "dlms: no random bytes for the HLS-5 challenge\n");
            return CLI_EXIT_FAILURE;
        }
        ctos_len = sizeof ctos;
    }
    dlms_client_result_t res;
    int rc = session_exchange(s, dlms_client_aarq(s->c, ctos, ctos_len, s->out, s->buflen), &res);
    if (rc != 0) {
        return session_fail(s, rc, &res, "association");
    }
    session_describe(s);
    return CLI_OK;
}

int session_open(session_t *s, const cli_opts_t *o, const session_params_t *p) {
    memset(s, 0, sizeof *s);
    s->o = o;
    dlms_client_settings_t st;
    int rc = session_settings(o, p, &st);
    if (rc != CLI_OK) {
        return rc;
    }
    s->buflen = EM_DLMS_CLIENT_MAX_PDU + 64;
    s->c = malloc(sizeof *s->c);
    s->out = malloc(s->buflen);
    s->in = malloc(s->buflen);
    s->rx_cap = SESSION_RX_MAX;
    s->rx = malloc(s->rx_cap);
    if (s->c == NULL || s->out == NULL || s->in == NULL || s->rx == NULL) {
        fprintf(stderr, "dlms: out of memory\n");
        session_close(s);
        return CLI_EXIT_FAILURE;
    }
    rc = dlms_client_init(s->c, &st);
    if (rc != 0) {
        fprintf(stderr, "dlms: %s\n", dlms_client_strerror(rc));
        session_close(s);
        return CLI_EXIT_USAGE;
    }
    dlms_client_set_rx_buffer(s->c, s->rx, s->rx_cap);
    s->client_sap = p->client_sap;
    rc = session_transport(s, o, p->client_sap);
    if (rc == CLI_OK) {
        rc = session_associate(s);
    }
    if (rc != CLI_OK) {
        session_close(s);
    }
    return rc;
}

void session_close(session_t *s) {
    if (s->t != NULL && s->c != NULL && dlms_client_is_associated(s->c)) {
        /* Best effort: a meter that does not answer RLRQ is not an error. */
        dlms_client_result_t res;
        int saved = s->t->timeout_ms;
        s->t->timeout_ms = saved < 2000 ? saved : 2000;
        session_exchange(s, dlms_client_release(s->c, s->out, s->buflen), &res);
        s->t->timeout_ms = saved;
    }
    if (s->c != NULL && s->o != NULL && s->o->verbose >= 1 && s->c->s.ciphered) {
        fprintf(stderr, "dlms: next invocation counter %u\n", (unsigned)dlms_client_tx_ic(s->c));
    }
    if (s->t != NULL) {
        s->t->close(s->t);
    }
    free(s->c);
    free(s->out);
    free(s->in);
    free(s->rx);
    memset(s, 0, sizeof *s);
}
