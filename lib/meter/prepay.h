/*
 * prepay.h - prepayment in the meter (omni): Account 0.0.19.0.0.255 (class
 * 111), token credit 0.0.19.10.0.255 and emergency credit 0.0.19.10.1.255
 * (112), energy 0.0.19.20.0.255, standing 0.0.19.20.1.255 and debt
 * 0.0.19.20.2.255 charges (113), Token gateway 0.0.19.40.0.255 (115): the
 * Blue Book payment metering classes (lib/cosem/prepayment.h) wired to the
 * A+ register, the breaker (breaker.h) and the logs. docs/prepayment.md
 * "In the meter" has the choices.
 *
 * Every meter_step ticks the account with the A+ energy of the step (whole
 * Wh, the fraction carried) and applies account.disconnect_wanted to the
 * breaker: out of credit -> local disconnect (event 244 in the breaker
 * log, then 64) and the button refuses to reconnect; credit again -> the
 * button reconnects (ready_for_reconnection -> connected). The factory
 * account is NEW (inactive: collects nothing, never disconnects) until a
 * head-end activates it (method 1).
 *
 * The token key (meter_identity_t.token_key) is the vending system's key
 * for this meter; without one it is derived from the system title
 * (a simulator default, documented as insecure). It is never logged nor
 * readable over DLMS.
 */
#ifndef EMETER_METER_PREPAY_H
#define EMETER_METER_PREPAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/prepayment.h"

struct meter;
struct meter_identity;

/* Standard log codes (manufacturer range 245-249) of the prepayment. */
#define METER_EV_PREPAY_LOW_CREDIT 245u
#define METER_EV_PREPAY_EXHAUSTED  246u
#define METER_EV_PREPAY_AVAILABLE  247u
#define METER_EV_PREPAY_TOP_UP     248u
#define METER_EV_PREPAY_REFUSED    249u

typedef struct meter_prepay {
    bool enabled; /* the variant has the objects (omni) */
    cosem_account_state_t account;
    cosem_credit_state_t token, emergency;
    cosem_charge_state_t energy, standing, debt;
    cosem_token_gateway_state_t gateway;
    uint64_t a_plus_base_uwh; /* A+ already handed to the account */
    bool have_base;
    uint32_t top_ups; /* since power-up */
} meter_prepay_t;

/* From meter_init: the factory account (EUR cents, prepayment mode, NEW),
 * token credit (priority 1), emergency credit of 5.00 (priority 2, offered
 * when the token credit is empty, no confirmation), energy at 25 ct/kWh
 * from the A+ of each step, standing charge 30 ct/day and debt recovery
 * present but off (priority 0), low credit at 2.00; the token gateway with
 * the identity's token key. */
void meter_prepay_init(struct meter *m, const struct meter_identity *id);

/* From meter_step at its end utc: the account tick, then the breaker level. */
int meter_prepay_step(struct meter *m, int64_t utc);

/* A token from a keypad / the optical port (COSEM_TOKEN_MANUAL / _LOCAL):
 * 0 executed, or COSEM_ERR_TOKEN_* (token_status says why). The caller
 * commits the persisted state after it (the token history and the credit
 * are one record). */
int meter_prepay_token(struct meter *m, const uint8_t *token, size_t len, uint8_t method);

/* Persistence (record REC_PREPAY: the money, the account and credit
 * settings, the charges' settings and collection state, the token
 * gateway's status and replay history, atomically in one record). */
#define METER_PREPAY_REC_LEN 432u
size_t meter_prepay_encode(const struct meter *m, uint8_t *b);
bool meter_prepay_decode(struct meter *m, const uint8_t *b, size_t len);

extern const cosem_account_def_t meter_def_account;
extern const cosem_credit_def_t meter_def_credit_token, meter_def_credit_emergency;
extern const cosem_charge_def_t meter_def_charge_energy, meter_def_charge_standing,
    meter_def_charge_debt;
extern const cosem_token_gateway_def_t meter_def_token_gateway;
extern const cosem_access_t meter_acc_account, meter_acc_credit, meter_acc_charge,
    meter_acc_token_gateway;

#define PREPAY_OBJ(cls, d, e, def, acc)                                                            \
    {                                                                                              \
        &(cls), COSEM_OBIS(0, 0, 19, d, e, 255), &(def), {                                         \
            [METER_ASSOC_MANAGEMENT] = &(acc)                                                      \
        }                                                                                          \
    }
/* The table rows (omni, before the event logs). */
#define METER_PREPAY_OBJECTS                                                                       \
    PREPAY_OBJ(cosem_class_account, 0, 0, meter_def_account, meter_acc_account),                   \
        PREPAY_OBJ(cosem_class_credit, 10, 0, meter_def_credit_token, meter_acc_credit),           \
        PREPAY_OBJ(cosem_class_credit, 10, 1, meter_def_credit_emergency, meter_acc_credit),       \
        PREPAY_OBJ(cosem_class_charge, 20, 0, meter_def_charge_energy, meter_acc_charge),          \
        PREPAY_OBJ(cosem_class_charge, 20, 1, meter_def_charge_standing, meter_acc_charge),        \
        PREPAY_OBJ(cosem_class_charge, 20, 2, meter_def_charge_debt, meter_acc_charge),            \
        PREPAY_OBJ(cosem_class_token_gateway, 40, 0, meter_def_token_gateway,                      \
                   meter_acc_token_gateway)

#endif /* EMETER_METER_PREPAY_H */
