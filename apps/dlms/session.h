/*
 * session.h - one association of the dlms tool with a meter: transport
 * (transport.h) + lib/dlms/client, the request/answer loop, and the one-line
 * failure reports with their exit statuses (cli.h).
 */
#ifndef DLMS_CLI_SESSION_H
#define DLMS_CLI_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "dlms/client.h"
#include "transport.h"

/* Largest reply reassembled in memory (object lists, profiles read with
 * `get`); `profile` streams rows and needs none of it. */
#define SESSION_RX_MAX (32u * 1024u * 1024u)

typedef struct session {
    const cli_opts_t *o;
    transport_t *t;
    dlms_client_t *c;
    uint8_t *out; /* next request */
    uint8_t *in;  /* last answer */
    size_t buflen;
    uint8_t *rx; /* reassembly buffer */
    size_t rx_cap;
    uint16_t client_sap; /* the client this association speaks for */
} session_t;

/* What one association needs to know. */
typedef struct session_params {
    uint16_t client_sap;
    uint8_t mechanism;
    bool ciphered;
    uint32_t tx_ic;
} session_params_t;

/* Connects and associates. Returns CLI_OK or the exit status of the
 * failure, already reported on stderr. */
int session_open(session_t *s, const cli_opts_t *o, const session_params_t *p);

/* Releases (best effort) and disconnects. */
void session_close(session_t *s);

/* Sends the request out[0..n) (n from a dlms_client_* builder, or a
 * negative error) and runs the exchange to its end. Returns 0, a
 * DLMS_CLIENT_ERR_* / module error, or a TRANSPORT_ERR_*. */
int session_exchange(session_t *s, int n, dlms_client_result_t *res);

/* GET of one attribute; the value (one Data) is copied into a malloc'd
 * *value (caller frees). Same returns as session_exchange. */
int session_get(session_t *s, uint16_t class_id, const uint8_t obis[6], int8_t attr,
                uint8_t **value, size_t *len, dlms_client_result_t *res);

/* Prints "dlms: <what>: <reason>" for a session_* failure and returns the
 * exit status that goes with it. */
int session_fail(const session_t *s, int rc, const dlms_client_result_t *res, const char *what);

#endif /* DLMS_CLI_SESSION_H */
