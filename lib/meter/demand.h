/*
 * demand.h - demand and maximum demand of the metering application
 * (Blue Book Demand register class 5 and Extended register class 4; OBIS
 * C.D = x.4 current/last average, x.6 maximum, x.2 cumulative maximum,
 * dlms-facts §2.3; seed 004 "Peak power P+max, Q+max, S+max" with their
 * RTC, per tariff, and accumulated).
 *
 * Three quantities: P+ (import active power, from A+), Q+ (R+ = QI+QII)
 * and S+ (apparent import), each a block demand (Demand register,
 * period EM_METER_DEMAND_PERIOD_S, one sub-period) fed with the average
 * power of every step, taken from the energy the step added, so the
 * demand is the energy of the period divided by its length, exactly.
 * When a period closes its average is compared with the maximum of the
 * billing period, total and of the tariff in force at the period's end;
 * a new maximum stores the value and the period's end as capture time.
 * At the end of a billing period (billing.h) each maximum is added to its
 * cumulative maximum and reset to 0 with the reset instant as time.
 * Values are W / var / VA with scaler 0, double-long-unsigned.
 */
#ifndef EMETER_METER_DEMAND_H
#define EMETER_METER_DEMAND_H

#include <stdint.h>

#include "cosem/cosem_classes.h"
#include "emeter_config.h"

struct meter;

enum meter_dq {
    METER_DQ_P = 0, /* 1.0.1.x: active import */
    METER_DQ_Q = 1, /* 1.0.3.x: reactive import (QI + QII) */
    METER_DQ_S = 2, /* 1.0.9.x: apparent import */
    METER_DQ_COUNT = 3,
};

typedef struct meter_demand {
    cosem_demand_state_t avg[METER_DQ_COUNT]; /* 1.0.1.4.0, 1.0.3.4.0, 1.0.9.4.0 */
    /* [q][0] total, [q][t] tariff t: 1.0.c.6.t / 1.0.c.2.t */
    uint32_t max[METER_DQ_COUNT][1 + EM_METER_TARIFFS];
    int64_t max_time[METER_DQ_COUNT][1 + EM_METER_TARIFFS];
    uint32_t cum[METER_DQ_COUNT][1 + EM_METER_TARIFFS];
    uint64_t last_uwh[METER_DQ_COUNT]; /* energy counters at the last update */
    int64_t last_utc;                  /* instant of the last update, 0: none */
} meter_demand_t;

/* Period EM_METER_DEMAND_PERIOD_S, averages and maxima 0 (meter_init). */
void meter_demand_init(struct meter *m);

/* After the registers took the step ending at utc. */
void meter_demand_step(struct meter *m, int64_t utc);

/* End of billing at utc: cumulative += maximum, maximum = 0 (time utc). */
void meter_demand_billing_reset(struct meter *m, int64_t utc);

#endif /* EMETER_METER_DEMAND_H */
