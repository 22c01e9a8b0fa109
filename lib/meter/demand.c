/*
 * demand.c - block demand, maxima per tariff and cumulative maxima (see
 * demand.h).
 */
#include "meter/demand.h"

#include <string.h>

#include "meter/meter.h"

static const enum meter_ereg energy_of[METER_DQ_COUNT] = {METER_E_A_PLUS, METER_E_R_PLUS,
                                                          METER_E_S_PLUS};

void meter_demand_init(meter_t *m) {
    meter_demand_t *d = &m->demand;
    memset(d, 0, sizeof(*d));
    for (unsigned q = 0; q < METER_DQ_COUNT; q++)
        cosem_demand_init(&d->avg[q], EM_METER_DEMAND_PERIOD_S, 1);
}

/* A closed period's average against the maxima of the billing period. */
static void maximum(meter_demand_t *d, unsigned q, unsigned tariff) {
    const cosem_demand_state_t *a = &d->avg[q];
    uint32_t v = a->last_average < 0                     ? 0u
                 : a->last_average > (int64_t)UINT32_MAX ? UINT32_MAX
                                                         : (uint32_t)a->last_average;
    const unsigned idx[2] = {0, tariff};
    for (unsigned k = 0; k < 2; k++) {
        unsigned t = idx[k];
        if (t > EM_METER_TARIFFS || (k == 1 && t == 0))
            continue;
        if (v > d->max[q][t] || d->max_time[q][t] == 0) {
            d->max[q][t] = v;
            d->max_time[q][t] = a->capture_time;
        }
    }
}

void meter_demand_step(meter_t *m, int64_t utc) {
    meter_demand_t *d = &m->demand;
    int64_t since = d->last_utc;
    d->last_utc = utc;
    for (unsigned q = 0; q < METER_DQ_COUNT; q++) {
        uint64_t now_uwh = m->energy.uwh[energy_of[q]];
        uint64_t delta = now_uwh - d->last_uwh[q];
        d->last_uwh[q] = now_uwh;
        if (since == 0 || utc <= since) {
            /* First step, or the clock went back: the demand restarts. */
            cosem_demand_update(&d->avg[q], 0, utc);
            continue;
        }
        /* The step's mean power: µWh over seconds -> W = µWh x 3.6e-3 / s. */
        int64_t seconds = utc - since;
        int64_t power = (int64_t)((delta * 36u) / 10000u) / seconds;
        int64_t before = d->avg[q].capture_time;
        cosem_demand_update(&d->avg[q], power, utc);
        if (d->avg[q].capture_time != before)
            maximum(d, q, m->tariff);
    }
}

void meter_demand_billing_reset(meter_t *m, int64_t utc) {
    meter_demand_t *d = &m->demand;
    for (unsigned q = 0; q < METER_DQ_COUNT; q++)
        for (unsigned t = 0; t <= EM_METER_TARIFFS; t++) {
            d->cum[q][t] += d->max[q][t];
            d->max[q][t] = 0;
            d->max_time[q][t] = utc;
        }
}
