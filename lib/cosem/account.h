/*
 * account.h - interface class Account (class_id 111, version 0; IEC
 * 62056-6-2 / DLMS UA Blue Book "Payment metering" classes, Account): the
 * prepayment (or credit) account of a supply, aggregating its Credit (112)
 * and Charge (113) objects. The engine that runs it is prepayment.h.
 *
 * Attributes (types as Blue Book / Gurux GXDLMSAccount, Circutor map):
 *   2 account_mode_and_status structure{payment_mode enum 1 credit /
 *                             2 prepayment, account_status enum 1 new
 *                             (inactive) / 2 active / 3 closed}        RW *
 *   3 current_credit_in_use   unsigned: 1-based index in credit_reference_
 *                             list of the credit drawn from, 0 none   R
 *   4 current_credit_status   bit-string(8): 0 in credit, 1 low credit, 2
 *                             next credit enabled, 3 next credit
 *                             selectable, 4 credit reference list (a
 *                             credit of the list is in use), 5 selectable
 *                             credit in use, 6 out of credit, 7 reserved R
 *   5 available_credit        double-long: sum over the usable credits of
 *                             (amount - limit); negative in debt       R
 *   6 amount_to_clear         double-long: emergency credit used that must
 *                             be paid back + negative balances          R
 *   7 clearance_threshold     double-long: a used emergency credit is made
 *                             available again (and the supply may be
 *                             reconnected) only when amount_to_clear <=
 *                             this                                      RW
 *   8 aggregated_debt         double-long: sum of total_amount_remaining
 *                             of the non-continuous charges             R
 *   9 credit_reference_list   array octet-string(6) (Credit objects)    RW
 *  10 charge_reference_list   array octet-string(6) (Charge objects)    RW
 *  11 credit_charge_configuration array structure{credit_reference,
 *                             charge_reference octet-string(6),
 *                             collection_configuration bit-string(3): 0
 *                             collect when supply disconnected, 1 in load
 *                             limiting periods, 2 in friendly credit
 *                             periods}                                  RW
 *  12 token_gateway_configuration array structure{credit_reference
 *                             octet-string(6), token_proportion unsigned
 *                             percent}; the proportions add up to 100   RW
 *  13 account_activation_time date-time (a future time activates a new
 *                             account then)                             RW
 *  14 account_closure_time    date-time (a future time closes then)     RW
 *  15 currency                structure{currency_name utf8-string,
 *                             currency_scale integer, currency_unit enum
 *                             0 time / 1 consumption / 2 monetary}      RW
 *  16 low_credit_threshold    double-long                               RW
 *  17 next_credit_available_threshold double-long                       RW
 *  18 max_provision           long-unsigned: top-ups accepted per
 *                             max_provision_period (0: no limit)        RW
 *  19 max_provision_period    double-long, s                            RW
 *   * payment_mode is writable; account_status changes only through the
 *     methods (a SET with another status: other-reason).
 * Methods (data ::= integer 0 or null):
 *   1 activate_account  status active, activation time now
 *   2 close_account     status closed, closure time now
 *   3 reset_account     status new, times cleared, engine state cleared
 *
 * References written in 9..12 must name Credit / Charge objects of the
 * object table (other-reason otherwise); 11 and 12 must name credits and
 * charges of the account's own lists, so a write of 9 empties 11 and 12 and
 * a write of 10 empties 11 (write the lists first, then the pairs).
 */
#ifndef EMETER_COSEM_ACCOUNT_H
#define EMETER_COSEM_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_ACCOUNT 111u

extern const cosem_class_t cosem_class_account;

#define COSEM_PAYMENT_MODE_CREDIT     1u
#define COSEM_PAYMENT_MODE_PREPAYMENT 2u
#define COSEM_ACCOUNT_NEW             1u
#define COSEM_ACCOUNT_ACTIVE          2u
#define COSEM_ACCOUNT_CLOSED          3u

/* current_credit_status bits (bit n = 1 << n) */
#define COSEM_ACCOUNT_IN_CREDIT         0x01u
#define COSEM_ACCOUNT_LOW_CREDIT        0x02u
#define COSEM_ACCOUNT_NEXT_ENABLED      0x04u
#define COSEM_ACCOUNT_NEXT_SELECTABLE   0x08u
#define COSEM_ACCOUNT_CREDIT_REF_LIST   0x10u
#define COSEM_ACCOUNT_SELECTABLE_IN_USE 0x20u
#define COSEM_ACCOUNT_OUT_OF_CREDIT     0x40u

/* collection_configuration bits */
#define COSEM_COLLECT_WHEN_DISCONNECTED 0x01u
#define COSEM_COLLECT_LOAD_LIMITING     0x02u
#define COSEM_COLLECT_FRIENDLY          0x04u

/* currency_unit */
#define COSEM_CURRENCY_TIME        0u
#define COSEM_CURRENCY_CONSUMPTION 1u
#define COSEM_CURRENCY_MONETARY    2u

typedef struct cosem_credit_charge_cfg {
    uint8_t credit[COSEM_LN_LEN];
    uint8_t charge[COSEM_LN_LEN];
    uint8_t collection; /* COSEM_COLLECT_* */
} cosem_credit_charge_cfg_t;

typedef struct cosem_token_gw_cfg {
    uint8_t credit[COSEM_LN_LEN];
    uint8_t proportion; /* percent */
} cosem_token_gw_cfg_t;

/* Friendly credit (not a COSEM attribute: meter configuration). While the
 * local time is inside a friendly period an account that runs out of credit
 * is not disconnected; the disconnect waits for the end of the period.
 * Friendly: the whole local day when its weekday bit is set (bit 0 Monday
 * .. bit 6 Sunday), or the local time of day in [start_minute, end_minute)
 * (minutes after midnight; start > end wraps over midnight, start == end:
 * no daily window). */
typedef struct cosem_prepay_friendly {
    uint8_t weekdays;
    uint16_t start_minute;
    uint16_t end_minute;
} cosem_prepay_friendly_t;

typedef struct cosem_account_state {
    uint8_t payment_mode;          /* attr 2 */
    uint8_t account_status;        /* attr 2 */
    uint8_t current_credit_in_use; /* attr 3 */
    uint8_t current_credit_status; /* attr 4 */
    int32_t available_credit;      /* attr 5 */
    int32_t amount_to_clear;       /* attr 6 */
    int32_t clearance_threshold;   /* attr 7 */
    int32_t aggregated_debt;       /* attr 8 */
    uint8_t credit_count;          /* attr 9 */
    uint8_t credits[EM_PREPAY_CREDITS][COSEM_LN_LEN];
    uint8_t charge_count; /* attr 10 */
    uint8_t charges[EM_PREPAY_CHARGES][COSEM_LN_LEN];
    uint8_t ccc_count; /* attr 11 */
    cosem_credit_charge_cfg_t ccc[EM_PREPAY_CREDIT_CHARGE_CFG];
    uint8_t tgc_count; /* attr 12 */
    cosem_token_gw_cfg_t tgc[EM_PREPAY_CREDITS];
    int64_t activation_time;   /* attr 13, UTC; 0 not set */
    int64_t closure_time;      /* attr 14 */
    uint8_t currency_name_len; /* attr 15 */
    uint8_t currency_name[EM_PREPAY_CURRENCY_NAME_MAX];
    int8_t currency_scale;
    uint8_t currency_unit;
    int32_t low_credit_threshold;            /* attr 16 */
    int32_t next_credit_available_threshold; /* attr 17 */
    uint16_t max_provision;                  /* attr 18 */
    int32_t max_provision_period;            /* attr 19 */
    /* meter configuration */
    cosem_prepay_friendly_t friendly;
    /* inputs the meter keeps up to date */
    bool supply_disconnected; /* the breaker is open */
    bool load_limiting;       /* a limiter period is in force */
    /* runtime of the engine (persist with the rest) */
    bool low_reported;       /* low credit warning given */
    bool out_of_credit;      /* out of credit seen */
    bool disconnect_wanted;  /* the account asks for the supply to be off */
    bool deferred;           /* out of credit inside a friendly period */
    uint16_t provisions;     /* top-ups in the provision window */
    int64_t provision_start; /* start of that window */
} cosem_account_state_t;

/* Outcomes reported to the application (cosem_account_def_t.hook). */
enum cosem_prepay_event {
    COSEM_PREPAY_LOW_CREDIT = 1,   /* available credit fell to low_credit_threshold */
    COSEM_PREPAY_EXHAUSTED,        /* out of credit: disconnect the supply now */
    COSEM_PREPAY_DEFERRED,         /* out of credit in a friendly period: not yet */
    COSEM_PREPAY_CREDIT_AVAILABLE, /* credit again: ready for reconnection */
    COSEM_PREPAY_SELECTABLE,       /* an emergency credit may be invoked (value: index) */
    COSEM_PREPAY_INVOKED,          /* an emergency credit was invoked (value: index) */
    COSEM_PREPAY_CREDIT_WARNING,   /* a credit fell to its warning_threshold (index) */
    COSEM_PREPAY_TOP_UP,           /* credit added (value: amount) */
    COSEM_PREPAY_TOKEN_REFUSED,    /* a token was refused (value: token status code) */
    COSEM_PREPAY_ACTIVATED,        /* the account became active */
    COSEM_PREPAY_CLOSED,           /* the account was closed */
};

typedef void (*cosem_prepay_hook_fn)(void *app, const cosem_object_t *account, uint8_t event,
                                     int32_t value);

typedef struct cosem_account_def {
    uint32_t state;            /* COSEM_STATE(cosem_account_state_t, app_t, member) */
    cosem_prepay_hook_fn hook; /* NULL: no reports */
    /* The tariff the meter applies now (an octet-string, e.g. the value of
     * 0.0.96.14.0.255), matched with the charge table indexes; COSEM_NULL:
     * the first entry of every charge table. */
    cosem_value_t tariff;
} cosem_account_def_t;

/* A new prepayment account in `currency` (e.g. "EUR", scale -2, monetary),
 * empty lists, no friendly credit. */
void cosem_account_init(cosem_account_state_t *st, const char *currency, int8_t scale,
                        uint8_t unit);

cosem_account_state_t *cosem_account_state(const cosem_server_t *s, const cosem_object_t *obj);

/* The methods, for the application (local button, configuration). */
int cosem_account_activate(cosem_server_t *s, const cosem_object_t *obj, int64_t utc);
int cosem_account_close(cosem_server_t *s, const cosem_object_t *obj, int64_t utc);
int cosem_account_reset(cosem_server_t *s, const cosem_object_t *obj);

#endif /* EMETER_COSEM_ACCOUNT_H */
