/*
 * registers.c - energy registers and instantaneous values (see
 * registers.h): integer accumulation of the metrology energy deltas, the
 * Register (class 3) read of the Wh value, and the scaled instantaneous
 * values of the last measures record.
 */
#include "meter/registers.h"

#include "meter/meter.h"

/* Deltas are >= 0 by the measures record's contract; a negative one would
 * make a register go back, so it is not added. */
static void add(meter_energy_t *en, enum meter_ereg idx, int64_t delta) {
    if (delta > 0)
        en->uwh[idx] += (uint64_t)delta;
}

void meter_energy_add(meter_energy_t *en, const metrology_energy_delta_t *d, unsigned tariff) {
    const int64_t *r = d->reg;
    add(en, METER_E_A_PLUS, r[METROLOGY_E_A_PLUS]);
    add(en, METER_E_A_MINUS, r[METROLOGY_E_A_MINUS]);
    if (tariff >= 1 && tariff <= EM_METER_TARIFFS) {
        add(en, (enum meter_ereg)(METER_E_A_PLUS_T1 + tariff - 1), r[METROLOGY_E_A_PLUS]);
        add(en, (enum meter_ereg)(METER_E_A_MINUS_T1 + tariff - 1), r[METROLOGY_E_A_MINUS]);
        add(en, (enum meter_ereg)(METER_E_R_PLUS_T1 + tariff - 1), r[METROLOGY_E_R1]);
        add(en, (enum meter_ereg)(METER_E_R_PLUS_T1 + tariff - 1), r[METROLOGY_E_R2]);
    }
    add(en, METER_E_R1, r[METROLOGY_E_R1]);
    add(en, METER_E_R2, r[METROLOGY_E_R2]);
    add(en, METER_E_R3, r[METROLOGY_E_R3]);
    add(en, METER_E_R4, r[METROLOGY_E_R4]);
    /* +R is QI + QII, -R is QIII + QIV (measures.h). */
    add(en, METER_E_R_PLUS, r[METROLOGY_E_R1]);
    add(en, METER_E_R_PLUS, r[METROLOGY_E_R2]);
    add(en, METER_E_R_MINUS, r[METROLOGY_E_R3]);
    add(en, METER_E_R_MINUS, r[METROLOGY_E_R4]);
    add(en, METER_E_S_PLUS, r[METROLOGY_E_S_PLUS]);
    add(en, METER_E_S_MINUS, r[METROLOGY_E_S_MINUS]);
    for (unsigned k = 0; k < METROLOGY_PHASES; k++) {
        add(en, (enum meter_ereg)(METER_E_A_PLUS_L1 + k), r[METROLOGY_E_A_PLUS_L1 + k]);
        add(en, (enum meter_ereg)(METER_E_A_MINUS_L1 + k), r[METROLOGY_E_A_MINUS_L1 + k]);
    }
    add(en, METER_E_A_ABS, r[METROLOGY_E_A_PLUS]);
    add(en, METER_E_A_ABS, r[METROLOGY_E_A_MINUS]);
}

uint32_t meter_energy_wh(const meter_energy_t *en, enum meter_ereg idx) {
    if ((unsigned)idx >= METER_E_COUNT)
        return 0;
    return (uint32_t)(en->uwh[idx] / 1000000u);
}

/* x * scale rounded half away from zero, clamped to [lo, hi]. */
static int64_t scaled(float x, float scale, int64_t lo, int64_t hi) {
    float v = x * scale;
    if (!(v == v)) /* NaN */
        return 0;
    if (v <= (float)lo)
        return lo;
    if (v >= (float)hi)
        return hi;
    return (int64_t)(v < 0 ? v - 0.5f : v + 0.5f);
}

static uint16_t u16(float x, float scale) {
    return (uint16_t)scaled(x, scale, 0, UINT16_MAX);
}

/* Import and export powers are both shown as positive numbers. */
static void split_power(float p, uint32_t *plus, uint32_t *minus) {
    *plus = (uint32_t)scaled(p > 0 ? p : 0, 1.0f, 0, UINT32_MAX);
    *minus = (uint32_t)scaled(p < 0 ? -p : 0, 1.0f, 0, UINT32_MAX);
}

void meter_instant_update(meter_instant_t *in, const metrology_measures_t *rec) {
    for (unsigned k = 0; k < METROLOGY_PHASES; k++) {
        const metrology_phase_t *ph = &rec->ph[k];
        in->v_dv[k] = u16(ph->v_rms, 10.0f);
        in->i_ca[k] = u16(ph->i_rms, 100.0f);
        split_power(ph->p, &in->p_plus_ph_w[k], &in->p_minus_ph_w[k]);
        in->pf_ph_milli[k] = (int16_t)scaled(ph->pf, 1000.0f, -1000, 1000);
    }
    split_power(rec->p, &in->p_plus_w, &in->p_minus_w);
    in->freq_chz = u16(rec->frequency, 100.0f);
    in->pf_milli = (int16_t)scaled(rec->pf, 1000.0f, -1000, 1000);
    in->i_neutral_ca = u16(rec->i_neutral, 100.0f);
}

void meter_registers_apply(struct meter *m, const metrology_measures_t *rec) {
    meter_energy_add(&m->energy, &rec->energy, m->tariff);
    meter_instant_update(&m->inst, rec);
}

int meter_read_energy(void *app, uint16_t arg, axdr_enc_t *e) {
    const meter_t *m = app;
    if (arg >= METER_E_COUNT)
        return COSEM_ERR_CALLBACK;
    return axdr_put_uint32(e, meter_energy_wh(&m->energy, (enum meter_ereg)arg));
}

/* ---- power quality values ------------------------------------------------------ */

int meter_read_pq(void *app, uint16_t arg, axdr_enc_t *e) {
    const meter_t *m = app;
    const pq_cfg_t *c = &m->pq.cfg;
    if (arg >= METER_PQ_VALUE_COUNT)
        return COSEM_ERR_CALLBACK;
    switch (arg) {
    case METER_PQ_SAG_V:
        return axdr_put_uint16(e, u16(c->sag_v, 1.0f));
    case METER_PQ_SWELL_V:
        return axdr_put_uint16(e, u16(c->swell_v, 1.0f));
    case METER_PQ_SAG_S:
        return axdr_put_uint16(e, (uint16_t)((c->sag_time_ms + 500u) / 1000u));
    case METER_PQ_SWELL_S:
        return axdr_put_uint16(e, (uint16_t)((c->swell_time_ms + 500u) / 1000u));
    default:
        break;
    }
    unsigned k = (arg - METER_PQ_LAST_SAG_V) % METROLOGY_PHASES;
    const pq_phase_t *ph = &m->pq.ph[k];
    if (arg < METER_PQ_LAST_SAG_S)
        return axdr_put_uint16(e, u16(ph->last_sag_v, 10.0f));
    if (arg < METER_PQ_LAST_SWELL_V)
        return axdr_put_uint32(e, (ph->last_sag_ms + 50u) / 100u);
    if (arg < METER_PQ_LAST_SWELL_S)
        return axdr_put_uint16(e, u16(ph->last_swell_v, 10.0f));
    return axdr_put_uint32(e, (ph->last_swell_ms + 50u) / 100u);
}

/* The thresholds keep sag < declared voltage < swell, so "normal" exists;
 * times of more than an hour would make the counters meaningless. */
int meter_write_pq(void *app, uint16_t arg, axdr_dec_t *d) {
    meter_t *m = app;
    pq_cfg_t *c = &m->pq.cfg;
    uint16_t v;
    if (axdr_get_uint16(d, &v) != 0 || !cosem_dec_done(d))
        return DLMS_DAR_TYPE_UNMATCHED;
    switch (arg) {
    case METER_PQ_SAG_V:
        if (v == 0 || !((float)v < c->u_din))
            return DLMS_DAR_OTHER_REASON;
        c->sag_v = (float)v;
        return 0;
    case METER_PQ_SWELL_V:
        if (!((float)v > c->u_din))
            return DLMS_DAR_OTHER_REASON;
        c->swell_v = (float)v;
        return 0;
    case METER_PQ_SAG_S:
    case METER_PQ_SWELL_S:
        if (v == 0 || v > 3600u)
            return DLMS_DAR_OTHER_REASON;
        *(arg == METER_PQ_SAG_S ? &c->sag_time_ms : &c->swell_time_ms) = v * 1000u;
        return 0;
    default:
        return DLMS_DAR_READ_WRITE_DENIED;
    }
}

int meter_read_avg(void *app, uint16_t arg, axdr_enc_t *e) {
    const meter_t *m = app;
    const pq_aggregate_t *a = pq_last_aggregate(&m->pq);
    if (arg >= METER_AVG_COUNT)
        return DLMS_DAR_OBJECT_UNAVAILABLE;
    unsigned k = arg % METROLOGY_PHASES;
    float v;
    switch (arg / METROLOGY_PHASES) {
    case 0:
        v = a->v_rms[k] * 10.0f;
        break;
    case 1:
        v = a->i_rms[k] * 100.0f;
        break;
    case 2:
        v = a->thd_v[k] * 10.0f;
        break;
    default:
        v = a->thd_i[k] * 10.0f;
        break;
    }
    return axdr_put_uint16(e, u16(v, 1.0f));
}
