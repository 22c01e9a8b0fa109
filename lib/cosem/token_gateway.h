/*
 * token_gateway.h - interface class Token gateway (class_id 115, version 0;
 * IEC 62056-6-2 / DLMS UA Blue Book "Payment metering" classes, Token
 * gateway): the door through which credit tokens reach an Account.
 *
 * Attributes (types as Blue Book / Gurux GXDLMSTokenGateway):
 *   2 token                 octet-string: the last token entered       R
 *   3 token_time            date-time: when it was entered             R
 *   4 token_description     array octet-string: of the last accepted
 *                           token, {token id (4 bytes), amount (4
 *                           bytes, double-long big-endian)}; empty
 *                           after a refusal                            R
 *   5 token_delivery_method enum 0 remote, 1 local, 2 manual entry     R
 *   6 token_status          structure{status_code enum, data_value
 *                           bit-string(8)}                             R
 *     status_code: 0 format ok, 1 authentication ok, 2 validation ok,
 *     3 token execution ok, 4 format failure, 5 authentication failure,
 *     6 validation failure, 7 execution failure, 8 received
 *     data_value (ours, bit 0 first): 0 replayed, 1 older than every
 *     remembered token, 2 amount not positive, 3 account not active,
 *     4 provision limit reached, 5 credit would overflow, 6 no credit
 *     takes tokens, 7 unknown token type
 * Method 1 enter(octet-string token): verifies and executes the token;
 * success, or other-reason with token_status saying why (type-unmatched
 * when the parameter is not an octet-string).
 *
 * ---- Token format (emeter, documented in docs/prepayment.md) ----------------
 *
 *   offset  len  field
 *   0       4    token_id, big-endian, clear
 *   4       8    AES-128-GCM ciphertext of: amount double-long BE (> 0,
 *                credit units) | type 0x01 (credit top-up) | 3 bytes 0
 *   12      12   GCM tag (96 bits)
 *   IV  = meter system title (8) | token_id (4)
 *   AAD = "EMT1"
 *   key = the token key of this gateway (a key of its own, not the DLMS
 *         GUEK/AK: the vending system holds it)
 * A token is bound to one meter (its system title is in the IV), cannot be
 * altered (tag), and cannot be read by a bystander (amount encrypted). It
 * is accepted once: the ids of the last EM_PREPAY_TOKEN_HISTORY accepted
 * tokens are kept; a remembered id is refused, and once the history is
 * full an id below every remembered one is refused too, so a vending
 * system that issues increasing ids is protected against every replay.
 */
#ifndef EMETER_COSEM_TOKEN_GATEWAY_H
#define EMETER_COSEM_TOKEN_GATEWAY_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_TOKEN_GATEWAY 115u

extern const cosem_class_t cosem_class_token_gateway;

#define COSEM_TOKEN_LEN         24u
#define COSEM_TOKEN_TYPE_CREDIT 0x01u

/* token_status status_code */
#define COSEM_TOKEN_FORMAT_OK          0u
#define COSEM_TOKEN_AUTH_OK            1u
#define COSEM_TOKEN_VALIDATION_OK      2u
#define COSEM_TOKEN_EXECUTION_OK       3u
#define COSEM_TOKEN_FORMAT_FAILURE     4u
#define COSEM_TOKEN_AUTH_FAILURE       5u
#define COSEM_TOKEN_VALIDATION_FAILURE 6u
#define COSEM_TOKEN_EXECUTION_FAILURE  7u
#define COSEM_TOKEN_RECEIVED           8u

/* token_status data_value bits (bit n = 1 << n) */
#define COSEM_TOKEN_WHY_REPLAYED  0x01u
#define COSEM_TOKEN_WHY_TOO_OLD   0x02u
#define COSEM_TOKEN_WHY_AMOUNT    0x04u
#define COSEM_TOKEN_WHY_INACTIVE  0x08u
#define COSEM_TOKEN_WHY_PROVISION 0x10u
#define COSEM_TOKEN_WHY_OVERFLOW  0x20u
#define COSEM_TOKEN_WHY_NO_CREDIT 0x40u
#define COSEM_TOKEN_WHY_TYPE      0x80u

/* token_delivery_method */
#define COSEM_TOKEN_REMOTE 0u
#define COSEM_TOKEN_LOCAL  1u
#define COSEM_TOKEN_MANUAL 2u

typedef struct cosem_token_gateway_state {
    uint8_t token_len; /* attr 2 */
    uint8_t token[EM_PREPAY_TOKEN_MAX];
    int64_t token_time;      /* attr 3, UTC */
    uint8_t delivery_method; /* attr 5 */
    uint8_t status_code;     /* attr 6 */
    uint8_t status_bits;
    bool described; /* attr 4 holds the last accepted token */
    uint32_t last_id;
    int32_t last_amount;
    /* secrets and replay memory (persist; never readable) */
    uint8_t key[16];
    uint8_t system_title[8];
    uint8_t history_count;
    uint8_t history_pos;
    uint32_t history[EM_PREPAY_TOKEN_HISTORY];
} cosem_token_gateway_state_t;

typedef struct cosem_token_gateway_def {
    uint32_t state;                /* COSEM_STATE(cosem_token_gateway_state_t, app_t, m) */
    uint8_t account[COSEM_LN_LEN]; /* the Account object credited */
} cosem_token_gateway_def_t;

/* Empty gateway with its key and the meter's system title. */
void cosem_token_gateway_init(cosem_token_gateway_state_t *st, const uint8_t key[16],
                              const uint8_t system_title[8]);

/* Enters a token (keypad: COSEM_TOKEN_MANUAL, optical: LOCAL, DLMS:
 * REMOTE). Returns 0 when it was executed, else COSEM_ERR_TOKEN_* (the
 * status attribute says why; the account hook hears TOKEN_REFUSED). */
int cosem_token_gateway_enter(cosem_server_t *s, const cosem_object_t *obj, const uint8_t *token,
                              size_t len, uint8_t method, int64_t utc);

/* Builds a token (the vending side; tests and the dlms tool use it). */
int cosem_token_build(const uint8_t key[16], const uint8_t system_title[8], uint32_t id,
                      int32_t amount, uint8_t type, uint8_t out[COSEM_TOKEN_LEN]);

#endif /* EMETER_COSEM_TOKEN_GATEWAY_H */
