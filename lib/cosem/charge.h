/*
 * charge.h - interface class Charge (class_id 113, version 0; IEC 62056-6-2
 * / DLMS UA Blue Book "Payment metering" classes, Charge): what a
 * prepayment Account (account.h) collects from its credits. The engine
 * that collects is prepayment.h.
 *
 * Attributes (types as Blue Book / Gurux GXDLMSCharge, Circutor map):
 *   2 total_amount_paid           double-long          R
 *   3 charge_type                 enum                 RW 0 consumption based,
 *                                                         1 time based, 2
 *                                                         payment-event based
 *   4 priority                    unsigned             RW 1 first; 0 unused
 *   5 unit_charge_active          unit_charge          R
 *   6 unit_charge_passive         unit_charge          RW
 *   7 unit_charge_activation_time date-time            RW not set: no pending
 *                                                         activation
 *   8 period                      double-long-unsigned RW s; time based: one
 *                                                         collection per period
 *   9 charge_configuration        bit-string(2)        RW bit 0 percentage
 *                                                         based collection, 1
 *                                                         continuous collection
 *  10 last_collection_time        date-time            R
 *  11 last_collection_amount      double-long          R
 *  12 total_amount_remaining      double-long          R  (methods 4, 5)
 *  13 proportion                  long-unsigned        RW payment-event
 *                                                         percentage in 1/100
 *                                                         % (0..10000)
 *   unit_charge ::= structure {
 *     charge_per_unit_scaling structure{commodity_scale integer,
 *                                       price_scale integer},
 *     commodity structure{class_id long-unsigned, logical_name
 *                         octet-string(6), attribute_index integer},
 *     charge_table array structure{index octet-string,
 *                                  charge_per_unit long}}
 * Methods:
 *   1 update_unit_charge(unit_charge)          writes unit_charge_passive
 *   2 activate_passive_unit_charge(integer 0)  passive -> active now
 *   3 collect(integer 0)                       collects what is due now
 *   4 update_total_amount_remaining(double-long) adds
 *   5 set_total_amount_remaining(double-long)    sets
 *
 * Amounts: a collection of `q` commodity units (Wh of the referenced
 * register, or periods for a time based charge) at charge_per_unit c is
 *   q x c x 10^(commodity_scale + price_scale)
 * in the account's credit units (its currency with currency_scale). Fractions
 * are carried to the next collection, nothing is lost to rounding. The
 * charge_table element whose index equals the tariff the meter shows (the
 * account definition's tariff binding) is used, otherwise the first one.
 * Without continuous collection (bit 1) a charge collects at most
 * total_amount_remaining and counts it down (a debt); with it the charge is
 * not capped (energy, standing charge).
 */
#ifndef EMETER_COSEM_CHARGE_H
#define EMETER_COSEM_CHARGE_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_CHARGE 113u

extern const cosem_class_t cosem_class_charge;

#define COSEM_CHARGE_CONSUMPTION 0u
#define COSEM_CHARGE_TIME        1u
#define COSEM_CHARGE_PAYMENT     2u

#define COSEM_CHARGE_CFG_PERCENTAGE 0x01u
#define COSEM_CHARGE_CFG_CONTINUOUS 0x02u

typedef struct cosem_charge_table_entry {
    uint8_t index_len;
    uint8_t index[EM_PREPAY_INDEX_MAX];
    int16_t charge_per_unit;
} cosem_charge_table_entry_t;

typedef struct cosem_unit_charge {
    int8_t commodity_scale;
    int8_t price_scale;
    uint16_t class_id; /* commodity; 0: the consumption handed to the tick */
    uint8_t ln[COSEM_LN_LEN];
    int8_t attribute_index;
    uint8_t count;
    cosem_charge_table_entry_t table[EM_PREPAY_CHARGE_TABLE];
} cosem_unit_charge_t;

typedef struct cosem_charge_state {
    int32_t total_amount_paid;      /* attr 2 */
    uint8_t charge_type;            /* attr 3 */
    uint8_t priority;               /* attr 4 */
    uint8_t charge_configuration;   /* attr 9 */
    uint16_t proportion;            /* attr 13 */
    cosem_unit_charge_t active;     /* attr 5 */
    cosem_unit_charge_t passive;    /* attr 6 */
    int64_t activation_time;        /* attr 7, UTC; 0 none */
    uint32_t period;                /* attr 8 */
    int64_t last_collection_time;   /* attr 10 */
    int32_t last_collection_amount; /* attr 11 */
    int32_t total_amount_remaining; /* attr 12 */
    /* runtime of the engine (persist with the rest) */
    int64_t remainder;      /* fraction carried: numerator below 10^-(scales) */
    int64_t last_commodity; /* commodity value at the last collection */
    bool have_commodity;    /* last_commodity is a baseline */
    int64_t next_period;    /* time based: end of the running period, 0 not started */
} cosem_charge_state_t;

typedef struct cosem_charge_def {
    uint32_t state; /* COSEM_STATE(cosem_charge_state_t, app_t, member) */
} cosem_charge_def_t;

/* A continuous charge of `per_unit` x 10^(commodity_scale + price_scale)
 * per commodity unit, one table entry with an empty index. */
void cosem_charge_init(cosem_charge_state_t *st, uint8_t type, uint8_t priority, int16_t per_unit,
                       int8_t commodity_scale, int8_t price_scale);

cosem_charge_state_t *cosem_charge_state(const cosem_server_t *s, const cosem_object_t *obj);

/* Amount due for q units at the active unit charge and tariff index
 * (NULL/0: the first entry), carrying the fraction in st->remainder.
 * Saturates at INT32_MAX. */
int32_t cosem_charge_amount(cosem_charge_state_t *st, int64_t q, const uint8_t *tariff,
                            size_t tariff_len);
/* unit_charge_passive -> unit_charge_active, activation time cleared. */
void cosem_charge_activate_passive(cosem_charge_state_t *st);

/* Reads / writes a unit_charge structure (write: type-unmatched / other-
 * reason, nothing changed on a refusal). Shared with the SET and method 1. */
int cosem_charge_get_unit(const cosem_server_t *s, axdr_dec_t *d, cosem_unit_charge_t *out);
int cosem_charge_put_unit(axdr_enc_t *e, const cosem_unit_charge_t *u);

#endif /* EMETER_COSEM_CHARGE_H */
