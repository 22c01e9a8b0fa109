/*
 * client_internal.h - helpers shared by client.c (association, ciphering,
 * dispatch) and client_services.c (GET, SET, ACTION). Not part of the public
 * API: include client.h instead.
 */
#ifndef EMETER_DLMS_CLIENT_INTERNAL_H
#define EMETER_DLMS_CLIENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dlms/axdr.h"
#include "dlms/client.h"

/* 0 when a new service request may start (associated, nothing pending),
 * else DLMS_CLIENT_ERR_STATE / _BUSY / _BADARG. */
int client_ready(const dlms_client_t *c);

/* Invoke-id-and-priority byte the next new request will carry. */
uint8_t client_next_iid(const dlms_client_t *c);

/* Marks op pending with invoke byte iid (consuming the invoke id) and
 * clears the block state of the previous operation. */
void client_start_op(dlms_client_t *c, dlms_client_op_t op, uint8_t iid);

/* Largest plain request APDU the server accepts once ciphering and its
 * envelope are added, bounded by the context's buffer. */
size_t client_plain_budget(const dlms_client_t *c);

/* Write-mode encoder over c->tx_plain limited to `budget` bytes. */
void client_enc_init(dlms_client_t *c, axdr_enc_t *e, size_t budget);

/* The plain request in c->tx_plain[0..n) as it goes on the wire into out:
 * copied, or glo-ciphered with the next transmit invocation counter.
 * Returns the length or a negative error. */
int client_emit(dlms_client_t *c, size_t n, uint8_t *out, size_t cap);

/* Encoder result of a request: the length, DLMS_CLIENT_ERR_PDU_SIZE when
 * the encoder ran out of `budget`, or the first error. */
int client_enc_result(const axdr_enc_t *e, int rc);

/* The plain xDLMS APDU of a response: deciphered into c->rx_plain (counter
 * checked and recorded) on a ciphered association, as received otherwise;
 * exception-response and confirmedServiceError pass in clear. */
int client_unwrap(dlms_client_t *c, const uint8_t *in, size_t len, const uint8_t **p, size_t *n);

/* exception-response (D8) or confirmedServiceError (0E) in p: decodes it
 * into res and returns DLMS_CLIENT_ERR_EXCEPTION / _SERVICE_ERROR (or the
 * decoder's error); returns 0 when p is neither. */
int client_error_apdu(const uint8_t *p, size_t n, dlms_client_result_t *res);

/* Service response handlers (client_services.c); same contract as
 * dlms_client_handle() with the plain APDU. */
int client_on_get(dlms_client_t *c, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
                  dlms_client_result_t *res);
int client_on_set(dlms_client_t *c, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
                  dlms_client_result_t *res);
int client_on_action(dlms_client_t *c, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
                     dlms_client_result_t *res);

/* Action-Response-With-Optional-Data (result, optional Get-Data-Result)
 * from a decoder cursor, as the ACTION normal response and the reassembled
 * pblocks carry it. Returns 0 or an APDU decode error. */
int client_get_action_result(axdr_dec_t *d, dlms_action_result_data_t *r);

#endif /* EMETER_DLMS_CLIENT_INTERNAL_H */
