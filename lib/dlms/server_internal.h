/*
 * server_internal.h - what the files of the DLMS server share
 * (server.c: input, ciphering, GBT, counters; server_assoc.c: ACSE and
 * HLS-5; server_services.c: GET, SET, ACTION). Not part of the public API:
 * include server.h instead.
 */
#ifndef EMETER_DLMS_SERVER_INTERNAL_H
#define EMETER_DLMS_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/server.h"

/* Longest general-block-transfer header: E0, control, two u16, 82 xx xx. */
#define SRV_GBT_HEADER_MAX (DLMS_GBT_HEADER_LEN + 3)

/* One request being served. Handlers write the plain response APDU into
 * body[0..budget) and return its length; srv_finish() then ciphers it the
 * way the request came and wraps it in GBT when the request came so. */
typedef struct srv_req {
    bool ciphered;        /* the request came protected */
    dlms_sec_info_t info; /* how (valid when ciphered) */
    bool via_gbt;         /* the request came in general-block-transfer */
    bool plain_reply;     /* the response is an exception: sent in clear */
    bool final;           /* the response is already complete in out */
    uint8_t *body;        /* where the plain response goes */
    size_t budget;        /* its largest length */
    uint8_t *out;         /* the caller's output (GBT streaming writes there) */
    size_t limit;         /* min(max send PDU, cap) */
} srv_req_t;

/* ---- server.c ---------------------------------------------------------------- */

/* exception-response into out; returns its length (always fits 7 bytes). */
int srv_exception(srv_req_t *c, uint8_t state_error, uint8_t service_error, uint32_t ic);
/* dlms_apdu_refuse() as the response. */
int srv_refuse(srv_req_t *c, uint8_t tag);

/* Association configured for a client SAP, NULL when none. */
dlms_assoc_config_t *srv_find_assoc(const dlms_server_t *s, uint16_t client_sap, uint8_t *index);
/* server-max-receive-pdu-size of an association, clamped to the buffers. */
uint16_t srv_max_pdu(const dlms_assoc_config_t *cfg);
/* Goes idle and forgets every session secret; event (DLMS_SERVER_EVENT_*,
 * 0 for none) is reported when an association was established. */
void srv_release(dlms_server_t *s, int event);

/* Makes sure n transmit counters can be used (reserving ahead through the
 * config's reserve_ic); then srv_ic_take() hands them out one by one. */
int srv_ic_ensure(dlms_server_t *s, dlms_security_context_t *sec, uint32_t n);
uint32_t srv_ic_take(dlms_security_context_t *sec);
/* Copies sec's keys and the session's dedicated key into s->keys. */
void srv_keys_snapshot(dlms_server_t *s, const dlms_security_context_t *sec);
/* SC bits the association's security policy requires of every request. */
uint8_t srv_sc_required(const dlms_assoc_config_t *cfg);
/* Constant-time comparison (passwords). */
bool srv_equal(const uint8_t *a, const uint8_t *b, size_t len);
/* Zeroes memory the compiler may not drop (secrets). */
void srv_wipe(void *p, size_t len);
/* Reports a failed login. */
void srv_auth_failure(const dlms_server_t *s, uint16_t client_sap, int reason);

/* ---- server_assoc.c -------------------------------------------------------------- */

int srv_aarq(dlms_server_t *s, uint16_t client_sap, uint16_t server_sap, const uint8_t *apdu,
             size_t len, uint8_t *out, size_t cap);
int srv_rlrq(dlms_server_t *s, uint16_t client_sap, const uint8_t *apdu, size_t len, uint8_t *out,
             size_t cap);
/* True when an action-request-normal is HLS pass 3 of the association. */
bool srv_is_hls_pass3(const dlms_server_t *s, const dlms_action_request_t *r);
/* Pass 3 check and the pass 4 action-response. */
int srv_hls_pass3(dlms_server_t *s, srv_req_t *c, const dlms_action_request_t *r);

/* ---- server_services.c -------------------------------------------------------------- */

/* Drops the long transfer in progress. */
void srv_long_abort(dlms_server_t *s);
int srv_get(dlms_server_t *s, srv_req_t *c, const uint8_t *apdu, size_t len);
int srv_set(dlms_server_t *s, srv_req_t *c, const uint8_t *apdu, size_t len);
int srv_action(dlms_server_t *s, srv_req_t *c, const uint8_t *apdu, size_t len);
/* The next block of a GET reply streamed in GBT, after the client's
 * acknowledgement; 0 when every block is acknowledged. */
int srv_get_gbt_ack(dlms_server_t *s, srv_req_t *c, const dlms_gbt_t *ack);

#endif /* EMETER_DLMS_SERVER_INTERNAL_H */
