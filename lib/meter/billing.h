/*
 * billing.h - end of billing periods (Blue Book "billing period" objects,
 * DSMR/SMR 5 monthly billing values, seed 004 "debiting period"):
 *
 *  - the end-of-billing single action schedule 0.0.15.0.0.255 runs script
 *    1 of the script table 0.0.10.0.1.255 ("MDI reset / end of billing
 *    period"), a native hook that calls meter_billing_close();
 *  - meter_billing_close() captures the billing logger (1.0.98.1.0.255:
 *    esmr monthly billing values, omni debiting period logger), then
 *    adds the maximum demands to their accumulated registers and resets
 *    them (demand.h), counts the billing period counter 0.0.0.1.0.255
 *    and stamps 0.0.0.1.2.255 (time of the last end of billing);
 *  - omni: the debiting period is configuration (meter_set_debiting: every
 *    1, 2, 3, 6 or 12 months from a start month, on a stop day 1..28),
 *    written as the schedule's execution times, which a head-end may also
 *    write directly; debit logger 2 (1.0.98.2.0.255) captures daily, weekly
 *    (Monday) or monthly (the 1st) at local midnight (seed 004 Z25).
 *
 * A schedule fires again for an instant the clock passes twice (a clock
 * set back); last_close_utc is a high-water mark so a period is never
 * closed twice: a close at or before the last one does nothing.
 */
#ifndef EMETER_METER_BILLING_H
#define EMETER_METER_BILLING_H

#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

struct meter;

#define METER_BILLING_ERR_CONFIG (-0x0A61) /* debiting interval, start month or stop day */

/* Debit logger 2 intervals (seed 004 Z25). */
enum meter_debit2_interval {
    METER_DEBIT2_DAILY = 1,
    METER_DEBIT2_WEEKLY = 2,
    METER_DEBIT2_MONTHLY = 3,
};

typedef struct meter_billing {
    cosem_single_action_state_t schedule; /* 0.0.15.0.0.255 */
    cosem_script_table_state_t scripts;   /* 0.0.10.0.1.255 */
    int64_t last_close_utc;               /* 0.0.0.1.2.255; 0: never */
    uint8_t counter;                      /* 0.0.0.1.0.255, 0..99 (VZ) */
    uint8_t debit2_interval;              /* enum meter_debit2_interval */
    uint32_t debit2_day;                  /* local day number of the last check, 0: none */
} meter_billing_t;

/* Factory billing (meter_init): the schedule at local 00:00 on the 1st of
 * every month, debit logger 2 daily. */
void meter_billing_init(struct meter *m);

/* omni debiting period: every `months` (1, 2, 3, 6, 12) months starting
 * with `start_month` (1..12), ending at 00:00 of `stop_day` (1..28).
 * METER_BILLING_ERR_CONFIG otherwise. */
int meter_set_debiting(struct meter *m, unsigned months, unsigned start_month, unsigned stop_day);

/* End of a billing period at UTC utc (see above); 0 or a profile error. */
int meter_billing_close(struct meter *m, int64_t utc);

/* Debit logger 2 at the end of a step (utc). */
int meter_billing_tick(struct meter *m, int64_t utc);

/* The native script of 0.0.10.0.1.255. */
int meter_billing_script(void *app, const cosem_object_t *table, uint16_t script_id);

#endif /* EMETER_METER_BILLING_H */
