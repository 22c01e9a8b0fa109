/*
 * prepayment.h - the prepayment engine over the Account (111), Credit
 * (112), Charge (113) and Token gateway (115) classes (IEC 62056-6-2 / DLMS
 * UA Blue Book "Payment metering"; the Blue Book defines the objects, the
 * collection rules below are emeter's, see docs/prepayment.md).
 *
 * The meter calls cosem_prepay_tick() once a second (or at any cadence)
 * with the UTC time and the energy consumed since the last call. One tick:
 *   1. activation / closure at account_activation_time / closure_time, and
 *      unit_charge_passive activation of each charge;
 *   2. if the account is active: every charge of charge_reference_list in
 *      priority order (1 first, 0 never) computes what is due:
 *        consumption based: increase of the commodity attribute it names
 *          since the last tick (read through the object layer; a value that
 *          goes down, a register reset, starts a new baseline), or, when it
 *          names no commodity (class 0), the consumption handed to the tick;
 *        time based: one unit charge per `period` seconds completed (periods
 *          aligned to multiples of `period` in UTC; the first, partial
 *          period is free);
 *        payment-event based: nothing here (see cosem_prepay_top_up);
 *      and collects it from the usable credits in priority order, each down
 *      to its limit. What no credit covers is still owed: it is taken from
 *      the first allowed direct credit (token, time, consumption based),
 *      which goes below its limit (debt, part of amount_to_clear).
 *      credit_charge_configuration, when not empty, restricts which credits
 *      pay which charge, and its collection bits say whether the pair
 *      collects while the supply is disconnected, in a load limiting period,
 *      in a friendly credit period (a pair without the bit skips the
 *      charge then; it is not owed later, a standing charge is forgiven);
 *   3. credit states: a direct credit is IN_USE when it is the one drawn
 *      from, ENABLED when it holds credit above its limit but is not drawn
 *      yet, EXHAUSTED at amount <= limit (a time based credit also after its
 *      period). A selectable credit (emergency, reserved) is ENABLED until
 *      the available credit of the direct credits falls to its
 *      credit_available_threshold, then SELECTABLE; it is INVOKED by
 *      invoke_credit, or at once when its configuration does not require
 *      confirmation; it is drawn from (IN_USE) when no direct credit has
 *      credit left, and EXHAUSTED at its limit. A top-up first pays back a
 *      used credit with the "paid back" bit; once full again, and
 *      amount_to_clear <= clearance_threshold, it is ENABLED again;
 *   4. account attributes 3-6 and 8, and the outcomes for the hook:
 *        LOW_CREDIT once when available_credit falls to
 *          low_credit_threshold (again after it rose above);
 *        CREDIT_WARNING once per credit at its warning_threshold;
 *        SELECTABLE / INVOKED for emergency credit;
 *        out of credit in prepayment mode: EXHAUSTED once (the meter opens
 *          the breaker through Disconnect control), or, inside a friendly
 *          period, DEFERRED once and EXHAUSTED when the period ends;
 *        credit again after EXHAUSTED (available credit > 0 and
 *          amount_to_clear <= clearance_threshold): CREDIT_AVAILABLE once
 *          (the meter makes Disconnect control ready_for_reconnection).
 *      disconnect_wanted in the account state is the level the meter
 *      applies (true between EXHAUSTED and CREDIT_AVAILABLE).
 *
 * Credit mode (payment_mode 1) collects the same way but never asks for a
 * disconnect. New and closed accounts collect nothing and ask nothing;
 * nothing accrues for them either (time charges restart their period and
 * consumption charges take a new baseline when the account is active again).
 */
#ifndef EMETER_COSEM_PREPAYMENT_H
#define EMETER_COSEM_PREPAYMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/account.h"
#include "cosem/charge.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/credit.h"
#include "cosem/token_gateway.h"

/* ---- errors (-0x09D0..-0x09EF, cosem_prepay_strerror) ---------------------- */

#define COSEM_ERR_PREPAY_OBJECT    (-0x09D0) /* not an Account/Credit/Charge/Token gateway */
#define COSEM_ERR_PREPAY_REFERENCE (-0x09D1) /* a reference names no such object */
#define COSEM_ERR_PREPAY_INACTIVE  (-0x09D2) /* the account is not active */
#define COSEM_ERR_PREPAY_OVERFLOW  (-0x09D3) /* an amount would leave the double-long range */
#define COSEM_ERR_PREPAY_AMOUNT    (-0x09D4) /* amount not positive */
#define COSEM_ERR_PREPAY_NO_CREDIT (-0x09D5) /* no credit of the account takes the top-up */
#define COSEM_ERR_PREPAY_PROVISION (-0x09D6) /* max_provision reached in the period */
#define COSEM_ERR_PREPAY_COMMODITY (-0x09D7) /* commodity attribute unreadable / not a number */
#define COSEM_ERR_TOKEN_FORMAT     (-0x09D8) /* token of the wrong size or type */
#define COSEM_ERR_TOKEN_AUTH       (-0x09D9) /* token tag wrong: altered, other key or meter */
#define COSEM_ERR_TOKEN_REPLAYED   (-0x09DA) /* token already used (or older than remembered) */
#define COSEM_ERR_TOKEN_CRYPTO     (-0x09DB) /* crypto port failed */

const char *cosem_prepay_strerror(int err);

/* One tick of the account object at UTC utc; consumed: commodity units
 * (Wh) used since the last tick, for consumption charges without a
 * commodity reference. Returns 0 or a negative error (a broken reference
 * is skipped, the tick goes on and returns COSEM_ERR_PREPAY_REFERENCE /
 * _COMMODITY at the end). */
int cosem_prepay_tick(cosem_server_t *s, const cosem_object_t *account, int64_t utc,
                      uint64_t consumed);

/* Adds a payment of `amount` credit units to the account: pays back used
 * credit that must be paid back, splits the rest by token_gateway_
 * configuration (empty: the first credit that accepts tokens), collects the
 * payment-event charges, updates the states (CREDIT_AVAILABLE may fire)
 * and reports TOP_UP. Counts against max_provision. Refused (nothing
 * changes): inactive account, amount <= 0, provision limit, no credit,
 * overflow. */
int cosem_prepay_top_up(cosem_server_t *s, const cosem_object_t *account, int32_t amount,
                        int64_t utc);

/* Collects one charge of the account now (Charge method collect). */
int cosem_prepay_collect_charge(cosem_server_t *s, const cosem_object_t *charge, int64_t utc);

/* True when utc is inside the account's friendly credit period (local time
 * of the table's Clock). */
bool cosem_prepay_friendly(const cosem_server_t *s, const cosem_account_state_t *st, int64_t utc);

/* The Account object whose charge (credit) reference list names ln, or NULL. */
const cosem_object_t *cosem_prepay_account_of(const cosem_server_t *s, uint16_t class_id,
                                              const uint8_t ln[COSEM_LN_LEN]);

/* ---- helpers shared by the payment classes ---------------------------------- */

/* A FIELD binding of a member of a class state (state offset + member
 * offset), so the classes reuse cosem_value_get/set and their checks. */
cosem_value_t cosem_prepay_field(uint32_t offset, uint8_t wire, uint8_t ctype, uint32_t size);
/* Bit-string (n bits, bit i = 1 << i in v) on the wire and back. */
int cosem_prepay_put_bits(axdr_enc_t *e, uint8_t v, uint8_t nbits);
int cosem_prepay_get_bits(axdr_dec_t *d, uint8_t nbits, uint8_t *v);
/* A method parameter that is exactly one double-long (update_amount,
 * set_amount_to_value, update/set_total_amount_remaining): 0, or
 * type-unmatched for anything else, absent or trailing bytes included. */
int cosem_prepay_get_amount(axdr_dec_t *d, int32_t *v);
/* Now, from the server's RTC (0 when there is none). */
int64_t cosem_prepay_now(const cosem_server_t *s);

#endif /* EMETER_COSEM_PREPAYMENT_H */
