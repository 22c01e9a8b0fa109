/*
 * credit.h - interface class Credit (class_id 112, version 0; IEC 62056-6-2
 * / DLMS UA Blue Book "Payment metering" classes, Credit): one source of
 * credit of a prepayment Account (account.h). The engine that moves money
 * between charges and credits is prepayment.h.
 *
 * Attributes (types as Blue Book / Gurux GXDLMSCredit, Circutor CirCAMP map):
 *   2 current_credit_amount  double-long      R   (methods change it)
 *   3 credit_type            enum             RW  0 token, 1 reserved,
 *                                                 2 emergency, 3 time based,
 *                                                 4 consumption based
 *   4 priority               unsigned         RW  1 highest .. 255; 0: the
 *                                                 credit is not used
 *   5 warning_threshold      double-long      RW  "low" for this credit
 *   6 limit                  double-long      RW  the credit is exhausted at
 *                                                 amount <= limit
 *   7 credit_configuration   bit-string(5)    RW  bit 0 requires visual
 *                                                 indication, 1 requires
 *                                                 confirmation (invoke), 2
 *                                                 amount to be paid back, 3
 *                                                 resettable, 4 accepts tokens
 *   8 credit_status          enum             R   0 enabled, 1 selectable,
 *                                                 2 invoked (selected), 3 in
 *                                                 use, 4 exhausted
 *   9 preset_credit_amount   double-long      RW  amount of a selectable
 *                                                 (emergency) credit when full
 *  10 credit_available_threshold double-long  RW  available credit of the
 *                                                 other credits at or below
 *                                                 which this selectable credit
 *                                                 becomes selectable
 *  11 period                 date-time        RW  time based credit: the
 *                                                 instant it expires (not set:
 *                                                 never)
 * Methods:
 *   1 update_amount(double-long)        adds the value (a top-up or a
 *                                       correction); overflow: other-reason
 *   2 set_amount_to_value(double-long)  sets the amount
 *   3 invoke_credit(enum 2 | integer 0) selects a SELECTABLE credit (status
 *                                       2 invoked); other states: other-reason
 *
 * Bit-strings: DLMS bit 0 is the most significant bit of the first byte on
 * the wire; in the state bit n is (1 << n).
 *
 * Which credits are "selectable" (emergency and reserved credit) and which
 * are drawn directly (token, time based, consumption based), and the status
 * life cycle, are described in prepayment.h and docs/prepayment.md.
 */
#ifndef EMETER_COSEM_CREDIT_H
#define EMETER_COSEM_CREDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_CREDIT 112u

extern const cosem_class_t cosem_class_credit;

/* credit_type */
#define COSEM_CREDIT_TYPE_TOKEN       0u
#define COSEM_CREDIT_TYPE_RESERVED    1u
#define COSEM_CREDIT_TYPE_EMERGENCY   2u
#define COSEM_CREDIT_TYPE_TIME        3u
#define COSEM_CREDIT_TYPE_CONSUMPTION 4u

/* credit_status */
#define COSEM_CREDIT_ENABLED    0u
#define COSEM_CREDIT_SELECTABLE 1u
#define COSEM_CREDIT_INVOKED    2u
#define COSEM_CREDIT_IN_USE     3u
#define COSEM_CREDIT_EXHAUSTED  4u

/* credit_configuration bits (bit n = 1 << n) */
#define COSEM_CREDIT_CFG_VISUAL       0x01u
#define COSEM_CREDIT_CFG_CONFIRMATION 0x02u
#define COSEM_CREDIT_CFG_PAID_BACK    0x04u
#define COSEM_CREDIT_CFG_RESETTABLE   0x08u
#define COSEM_CREDIT_CFG_TOKENS       0x10u

typedef struct cosem_credit_state {
    int32_t current_credit_amount;      /* attr 2 */
    uint8_t credit_type;                /* attr 3 */
    uint8_t priority;                   /* attr 4 */
    uint8_t credit_configuration;       /* attr 7 */
    uint8_t credit_status;              /* attr 8 */
    int32_t warning_threshold;          /* attr 5 */
    int32_t limit;                      /* attr 6 */
    int32_t preset_credit_amount;       /* attr 9 */
    int32_t credit_available_threshold; /* attr 10 */
    int64_t period;                     /* attr 11, UTC; 0 not set */
    bool warned;                        /* runtime: below warning_threshold reported */
} cosem_credit_state_t;

typedef struct cosem_credit_def {
    uint32_t state; /* COSEM_STATE(cosem_credit_state_t, app_t, member) */
} cosem_credit_def_t;

/* A token credit: priority 1, limit 0, accepts tokens, status enabled. */
void cosem_credit_init_token(cosem_credit_state_t *st, uint8_t priority);
/* An emergency (friendly) credit of `preset` units: selectable when the
 * other credits fall to `threshold`; confirmation required or not. */
void cosem_credit_init_emergency(cosem_credit_state_t *st, uint8_t priority, int32_t preset,
                                 int32_t threshold, bool confirmation);

/* The state of a Credit object, NULL for other objects. */
cosem_credit_state_t *cosem_credit_state(const cosem_server_t *s, const cosem_object_t *obj);

/* True for the credit types that must be selected (emergency, reserved). */
bool cosem_credit_is_selectable_kind(const cosem_credit_state_t *st);

#endif /* EMETER_COSEM_CREDIT_H */
