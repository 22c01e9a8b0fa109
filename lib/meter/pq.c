/*
 * pq.c - power quality after IEC 61000-4-30 (event detection on Urms(1/2),
 * aggregation), EN 50160 (weekly evaluation of LV supply) and the DSMR /
 * SMR 5 power-quality events (dlms-facts §2.6). See pq.h.
 */
#include "meter/pq.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define MONDAY_1970_01_05 345600 /* UTC of the first Monday after the epoch */
#define WEEK_S            604800
#define BLOCK_S           600
#define MIN_EVENT_MS      100u /* shortest meter sag/swell the meter detects */
#define SHORT_INTR_MS     180000u
/* Dips and swells are events up to 1 min (EN 50160 tables); longer ones
 * are supply voltage variations that the 10-minute statistics must see,
 * so they stop flagging blocks after that. */
#define FLAG_MAX_US 60000000u

/* EN 50160 limits of individual voltage harmonics, % of U1 (dlms-facts is
 * silent; metrology-facts §2.3): odd non-triplen, triplen, even. */
static const float en50160_harm_limit[26] = {
    0.0f, 0.0f, 2.0f, 5.0f, 1.0f, 6.0f, 0.5f, 5.0f, 0.5f, 1.5f, 0.5f, 3.5f, 0.5f,
    3.0f, 0.5f, 0.5f, 0.5f, 2.0f, 0.5f, 1.5f, 0.5f, 0.5f, 0.5f, 1.5f, 0.5f, 1.5f,
};

void pq_cfg_default(pq_cfg_t *cfg, float u_din, float fn_hz, uint8_t phase_mask) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->u_din = u_din;
    cfg->fn_hz = fn_hz;
    cfg->phase_mask = phase_mask;
    cfg->neutral = phase_mask == 0x7u;
    cfg->dip_pct = 90.0f;
    cfg->swell_pct = 110.0f;
    cfg->hyst_pct = 2.0f;
    cfg->interruption_pct = 5.0f;
    cfg->sag_v = 0.9f * u_din;   /* 207 V */
    cfg->swell_v = 1.1f * u_din; /* 253 V */
    cfg->sag_hyst_v = 0.02f * u_din;
    cfg->sag_time_ms = 30000u;
    cfg->swell_time_ms = 30000u;
    cfg->outage_v = 0.5f * u_din;
    cfg->outage_ms = 1000u;
    cfg->thd_limit_pct = 8.0f;
    cfg->thd_hyst_pct = 0.5f;
    cfg->thd_time_s = 60u;
    cfg->thd_long_time_s = 900u;
    cfg->neutral_u0_pct = 10.0f;
    cfg->neutral_u2_max_pct = 2.0f;
    cfg->neutral_ms = 5000u;
    cfg->en_v_dev_pct = 10.0f;
    cfg->en_v_low2_pct = 15.0f;
    cfg->en_thd_pct = 8.0f;
    cfg->en_u2_pct = 2.0f;
    cfg->en_allow_pct = 5.0f;
}

int pq_init(pq_t *pq, const pq_cfg_t *cfg) {
    if (pq == NULL || cfg == NULL) {
        return PQ_ERR_BADARG;
    }
    if (!(cfg->u_din > 1.0f) || !(cfg->fn_hz > 1.0f) || cfg->phase_mask == 0 ||
        cfg->phase_mask > 7u || !(cfg->sag_v < cfg->swell_v) || !(cfg->sag_hyst_v >= 0.0f) ||
        !(cfg->dip_pct < 100.0f && cfg->swell_pct > 100.0f) || !(cfg->hyst_pct >= 0.0f) ||
        !(cfg->interruption_pct < cfg->dip_pct)) {
        return PQ_ERR_CONFIG;
    }
    memset(pq, 0, sizeof(*pq));
    pq->cfg = *cfg;
    if (pq->cfg.sag_time_ms < MIN_EVENT_MS) {
        pq->cfg.sag_time_ms = MIN_EVENT_MS;
    }
    if (pq->cfg.swell_time_ms < MIN_EVENT_MS) {
        pq->cfg.swell_time_ms = MIN_EVENT_MS;
    }
    return 0;
}

/* ---- event queue ---------------------------------------------------------- */

static void emit(pq_t *pq, uint16_t code, uint8_t phase, uint64_t t_us, uint64_t dur_us,
                 float magnitude) {
    pq_event_t *e;
    if (pq->q_len == EM_PQ_EVENT_QUEUE) {
        pq->lost++;
        return;
    }
    e = &pq->queue[(pq->q_head + pq->q_len) % EM_PQ_EVENT_QUEUE];
    pq->q_len++;
    e->code = code;
    e->phase = phase;
    e->t_us = t_us;
    e->utc = 0;
    if (pq->have_utc) {
        int64_t dt_us = (int64_t)(t_us - pq->utc_ref_us);
        e->utc = pq->utc_ref + dt_us / 1000000;
    }
    e->duration_ms = (uint32_t)(dur_us / 1000u);
    e->magnitude = magnitude;
}

bool pq_event_pop(pq_t *pq, pq_event_t *ev) {
    if (pq == NULL || ev == NULL || pq->q_len == 0) {
        return false;
    }
    *ev = pq->queue[pq->q_head];
    pq->q_head = (pq->q_head + 1) % EM_PQ_EVENT_QUEUE;
    pq->q_len--;
    return true;
}

/* ---- meter sag/swell and outage (per phase) --------------------------------- */

static void meter_sag_swell(pq_t *pq, int k, float v, uint64_t t) {
    const pq_cfg_t *c = &pq->cfg;
    pq_phase_t *p = &pq->ph[k];
    uint8_t ph = (uint8_t)(k + 1);
    uint64_t dur;

    if (p->vstate == 0) {
        if (v < c->sag_v || v > c->swell_v) {
            p->vstate = v < c->sag_v ? -1 : 1;
            p->v_start_us = t;
            p->v_extreme = v;
            p->v_raised = false;
        }
        return;
    }
    dur = t - p->v_start_us;
    if (p->vstate < 0) {
        p->v_extreme = v < p->v_extreme ? v : p->v_extreme;
        if (!p->v_raised && dur >= (uint64_t)c->sag_time_ms * 1000u) {
            p->v_raised = true;
            emit(pq, (uint16_t)(PQ_EV_UNDER_VOLTAGE + k), ph, t, dur, p->v_extreme);
        }
        if (v < c->sag_v + c->sag_hyst_v) {
            return;
        }
        if (p->v_raised) {
            p->sags++;
            p->last_sag_v = p->v_extreme;
            p->last_sag_ms = (uint32_t)(dur / 1000u);
            emit(pq, (uint16_t)(PQ_EV_VOLTAGE_SAG + k), ph, t, dur, p->v_extreme);
            emit(pq, (uint16_t)(PQ_EV_VOLTAGE_NORMAL + k), ph, t, dur, v);
        }
    } else {
        p->v_extreme = v > p->v_extreme ? v : p->v_extreme;
        if (!p->v_raised && dur >= (uint64_t)c->swell_time_ms * 1000u) {
            p->v_raised = true;
            emit(pq, (uint16_t)(PQ_EV_OVER_VOLTAGE + k), ph, t, dur, p->v_extreme);
        }
        if (v > c->swell_v - c->sag_hyst_v) {
            return;
        }
        if (p->v_raised) {
            p->swells++;
            p->last_swell_v = p->v_extreme;
            p->last_swell_ms = (uint32_t)(dur / 1000u);
            emit(pq, (uint16_t)(PQ_EV_VOLTAGE_SWELL + k), ph, t, dur, p->v_extreme);
            emit(pq, (uint16_t)(PQ_EV_VOLTAGE_NORMAL + k), ph, t, dur, v);
        }
    }
    p->vstate = 0;
}

static void outage(pq_t *pq, int k, float v, uint64_t t) {
    const pq_cfg_t *c = &pq->cfg;
    pq_phase_t *p = &pq->ph[k];
    uint8_t ph = (uint8_t)(k + 1);

    if (v < c->outage_v) {
        if (!p->out_below) {
            p->out_below = true;
            p->out_since_us = t;
        }
        if (!p->out_active && t - p->out_since_us >= (uint64_t)c->outage_ms * 1000u) {
            p->out_active = true;
            emit(pq, (uint16_t)(PQ_EV_MISSING_VOLTAGE + k), ph, t, t - p->out_since_us, v);
        }
    } else if (v >= c->outage_v + c->sag_hyst_v) {
        if (p->out_active) {
            emit(pq, (uint16_t)(PQ_EV_VOLTAGE_RETURNED + k), ph, t, t - p->out_since_us, v);
        }
        p->out_below = false;
        p->out_active = false;
    }
}

/* ---- IEC 61000-4-30 dips, swells, interruptions (polyphase) ----------------- */

static int dip_row(float pct) {
    return pct >= 80.0f ? 0 : pct >= 70.0f ? 1 : pct >= 40.0f ? 2 : pct >= 5.0f ? 3 : 4;
}

static int dip_col(uint64_t ms) {
    return ms <= 200 ? 0 : ms <= 500 ? 1 : ms <= 1000 ? 2 : ms <= 5000 ? 3 : ms <= 60000 ? 4 : 5;
}

static int swell_col(uint64_t ms) {
    return ms <= 500 ? 0 : ms <= 5000 ? 1 : ms <= 60000 ? 2 : 3;
}

/* lo/hi: lowest and highest Urms(1/2) of the measured channels; all_*:
 * whether every channel is back inside. */
typedef struct iec_view {
    float lo, hi;
    bool any_dip, all_dip_back, any_swell, all_swell_back, all_intr, any_intr_back;
} iec_view_t;

static void iec_view(const pq_t *pq, const metrology_half_cycle_t *hc, iec_view_t *w) {
    const pq_cfg_t *c = &pq->cfg;
    float u = c->u_din / 100.0f;
    w->lo = 1e30f;
    w->hi = 0.0f;
    w->any_dip = w->any_swell = w->any_intr_back = false;
    w->all_dip_back = w->all_swell_back = w->all_intr = true;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        float v = hc->v_rms[k];
        if (!(c->phase_mask & (1u << k))) {
            continue;
        }
        w->lo = v < w->lo ? v : w->lo;
        w->hi = v > w->hi ? v : w->hi;
        w->any_dip |= v < c->dip_pct * u;
        w->all_dip_back &= v >= (c->dip_pct + c->hyst_pct) * u;
        w->any_swell |= v > c->swell_pct * u;
        w->all_swell_back &= v <= (c->swell_pct - c->hyst_pct) * u;
        w->all_intr &= v < c->interruption_pct * u;
        w->any_intr_back |= v >= (c->interruption_pct + c->hyst_pct) * u;
    }
}

/* IEC 61000-4-30 flagging: data taken during an interruption, or during
 * a dip or swell not older than FLAG_MAX_US, is flagged. */
static bool iec_flag_now(const pq_t *pq, uint64_t t) {
    return pq->intr.active || (pq->dip.active && t - pq->dip.start_us <= FLAG_MAX_US) ||
           (pq->swell.active && t - pq->swell.start_us <= FLAG_MAX_US);
}

static void iec_events(pq_t *pq, const metrology_half_cycle_t *hc) {
    iec_view_t w;
    uint64_t t = hc->t_us;
    pq_week_t *wk = &pq->week;
    float u = pq->cfg.u_din / 100.0f;

    iec_view(pq, hc, &w);
    if (!pq->intr.active && w.all_intr) {
        pq->intr.active = true;
        pq->intr.start_us = t;
        pq->dip.had_interruption = true;
    } else if (pq->intr.active && w.any_intr_back) {
        uint64_t ms = (t - pq->intr.start_us) / 1000u;
        pq->intr.active = false;
        *(ms <= SHORT_INTR_MS ? &wk->interruptions_short : &wk->interruptions_long) += 1;
        emit(pq, PQ_EV_INTERRUPTION, 0, t, t - pq->intr.start_us, w.lo);
    }
    if (!pq->dip.active && w.any_dip) {
        pq->dip.active = true;
        pq->dip.start_us = t;
        pq->dip.extreme = w.lo;
        pq->dip.had_interruption = pq->intr.active;
    } else if (pq->dip.active) {
        pq->dip.extreme = w.lo < pq->dip.extreme ? w.lo : pq->dip.extreme;
        if (w.all_dip_back) {
            uint64_t dur = t - pq->dip.start_us;
            pq->dip.active = false;
            pq->sec_flag |= dur <= FLAG_MAX_US;
            if (!pq->dip.had_interruption) { /* an interruption is counted as such */
                wk->dips[dip_row(pq->dip.extreme / u)][dip_col(dur / 1000u)]++;
                emit(pq, PQ_EV_DIP, 0, t, dur, pq->dip.extreme);
            }
        }
    }
    if (!pq->swell.active && w.any_swell) {
        pq->swell.active = true;
        pq->swell.start_us = t;
        pq->swell.extreme = w.hi;
    } else if (pq->swell.active) {
        pq->swell.extreme = w.hi > pq->swell.extreme ? w.hi : pq->swell.extreme;
        if (w.all_swell_back) {
            uint64_t dur = t - pq->swell.start_us;
            pq->swell.active = false;
            pq->sec_flag |= dur <= FLAG_MAX_US;
            wk->swells[pq->swell.extreme / u >= 120.0f ? 0 : 1][swell_col(dur / 1000u)]++;
            emit(pq, PQ_EV_SWELL, 0, t, dur, pq->swell.extreme);
        }
    }
    pq->sec_flag |= iec_flag_now(pq, t);
}

void pq_half_cycle(pq_t *pq, const metrology_half_cycle_t *hc) {
    if (pq == NULL || hc == NULL) {
        return;
    }
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        if (pq->cfg.phase_mask & (1u << k)) {
            meter_sag_swell(pq, k, hc->v_rms[k], hc->t_us);
            outage(pq, k, hc->v_rms[k], hc->t_us);
        }
    }
    iec_events(pq, hc);
}

/* ---- per-second conditions ---------------------------------------------------- */

static void thd_events(pq_t *pq, const metrology_measures_t *m, uint32_t secs, uint64_t t) {
    const pq_cfg_t *c = &pq->cfg;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        pq_phase_t *p = &pq->ph[k];
        float thd = m->ph[k].thd_v;
        uint8_t ph = (uint8_t)(k + 1);
        if (!(c->phase_mask & (1u << k))) {
            continue;
        }
        if (thd > c->thd_limit_pct) {
            p->thd_over_s += secs;
            if (!p->thd_raised && p->thd_over_s >= c->thd_time_s) {
                p->thd_raised = true;
                emit(pq, (uint16_t)(PQ_EV_THD_OVER + k), ph, t, p->thd_over_s * 1000000ull, thd);
            }
            if (!p->thd_long_raised && p->thd_over_s >= c->thd_long_time_s) {
                p->thd_long_raised = true;
                emit(pq, (uint16_t)(PQ_EV_THD_LONG_OVER + k), ph, t, p->thd_over_s * 1000000ull,
                     thd);
            }
        } else if (thd <= c->thd_limit_pct - c->thd_hyst_pct) {
            if (p->thd_raised) {
                emit(pq, (uint16_t)(PQ_EV_THD_NORMAL + k), ph, t, p->thd_over_s * 1000000ull, thd);
            }
            p->thd_over_s = 0;
            p->thd_raised = p->thd_long_raised = false;
        }
    }
}

/* Loss of neutral: the star point floats, so a zero-sequence voltage
 * appears while the line-to-line voltages stay balanced and present
 * (TC-13). A missing phase is unbalanced in the line voltages too
 * (TC-10), which keeps it out. */
static void neutral_loss(pq_t *pq, const metrology_measures_t *m, uint32_t ms, uint64_t t) {
    const pq_cfg_t *c = &pq->cfg;
    float ll_min = 0.5f * 1.7320508f * c->u_din;
    bool cond;
    if (!c->neutral) {
        return;
    }
    cond = m->u0 > c->neutral_u0_pct && m->u2 < c->neutral_u2_max_pct && m->v_ll[0] > ll_min &&
           m->v_ll[1] > ll_min && m->v_ll[2] > ll_min;
    if (cond) {
        pq->nl_off_ms = 0;
        pq->nl_on_ms += ms;
        if (!pq->nl_active && pq->nl_on_ms >= c->neutral_ms) {
            pq->nl_active = true;
            emit(pq, PQ_EV_NEUTRAL_LOST, 0, t, (uint64_t)pq->nl_on_ms * 1000u, m->u0);
        }
    } else {
        pq->nl_on_ms = 0;
        pq->nl_off_ms += ms;
        if (pq->nl_active && pq->nl_off_ms >= c->neutral_ms) {
            pq->nl_active = false;
            emit(pq, PQ_EV_NEUTRAL_RESTORED, 0, t, (uint64_t)pq->nl_off_ms * 1000u, m->u0);
        }
    }
}

/* ---- EN 50160 week -------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool share_ok(uint32_t n, uint32_t of, float pct) {
    return (double)n <= (double)of * (double)pct / 100.0;
}

static void week_close(pq_t *pq) {
    pq_week_t *w = &pq->week;
    const pq_cfg_t *c = &pq->cfg;
    w->v_ok = w->thd_ok = w->harm_ok = true;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        w->v_ok &= w->v_n2[k] == 0 && share_ok(w->v_n1[k], w->n_valid, c->en_allow_pct);
        w->thd_ok &= share_ok(w->thd_over[k], w->n_valid, c->en_allow_pct);
        w->harm_ok &= share_ok(w->harm_over[k], w->n_valid, c->en_allow_pct);
    }
    w->u2_ok = share_ok(w->u2_over, w->n_valid, c->en_allow_pct);
    w->f_ok = w->f_out2 == 0 && share_ok(w->f_out1, w->f_count, 0.5f);
    w->compliant = w->v_ok && w->thd_ok && w->harm_ok && w->u2_ok && w->f_ok;
    pq->week_done = *w;
}

/* Make sure the week that holds utc is the open one; returns true when a
 * week was closed on the way. */
static bool week_at(pq_t *pq, int64_t utc) {
    int64_t idx = floor_div(utc - MONDAY_1970_01_05, WEEK_S);
    bool closed = false;
    if (pq->week_open && idx == pq->week_idx) {
        return false;
    }
    if (pq->week_open) {
        week_close(pq);
        closed = true;
    }
    memset(&pq->week, 0, sizeof(pq->week));
    pq->week.utc_start = MONDAY_1970_01_05 + idx * WEEK_S;
    pq->week_idx = idx;
    pq->week_open = true;
    return closed;
}

static void week_block(pq_t *pq, const pq_aggregate_t *a) {
    const pq_cfg_t *c = &pq->cfg;
    pq_week_t *w = &pq->week;
    w->n_total++;
    if (a->seconds < 9u * BLOCK_S / 10u) {
        w->n_incomplete++;
        return;
    }
    if (a->flagged) { /* IEC 61000-4-30 flagging: kept out of the statistics */
        w->n_flagged++;
        return;
    }
    w->n_valid++;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        float dev;
        if (!(c->phase_mask & (1u << k))) {
            continue;
        }
        dev = 100.0f * (a->v_rms[k] / c->u_din - 1.0f);
        w->v_n1[k] += dev > c->en_v_dev_pct || dev < -c->en_v_dev_pct;
        w->v_n2[k] += dev > c->en_v_dev_pct || dev < -c->en_v_low2_pct;
        w->thd_over[k] += a->thd_v[k] > c->en_thd_pct;
        for (int h = 2; h <= EM_PQ_EN50160_HARMONICS && h < 26; h++) {
            if (a->harm[k][h] > en50160_harm_limit[h]) {
                w->harm_over[k]++;
                break;
            }
        }
    }
    w->u2_over += a->u2 > c->en_u2_pct;
}

/* ---- 10-minute and 10-second aggregation ------------------------------------------ */

static void block_close(pq_t *pq) {
    pq_aggregate_t *a = &pq->agg;
    double w = pq->blk_w;
    memset(a, 0, sizeof(*a));
    a->utc_start = pq->blk * BLOCK_S;
    a->seconds = (uint32_t)(w + 0.5);
    a->flagged = pq->blk_flag;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        a->v_rms[k] = (float)sqrt(pq->acc_v2[k] / w);
        a->i_rms[k] = (float)sqrt(pq->acc_i2[k] / w);
        a->thd_v[k] = (float)sqrt(pq->acc_thdv2[k] / w);
        a->thd_i[k] = (float)sqrt(pq->acc_thdi2[k] / w);
        a->v_min[k] = pq->vmin[k];
        a->v_max[k] = pq->vmax[k];
        for (int h = 2; h <= EM_PQ_EN50160_HARMONICS; h++) {
            a->harm[k][h] = sqrtf(pq->acc_harm2[k][h] / (float)w);
        }
    }
    a->u2 = (float)sqrt(pq->acc_u2 / w);
    a->u0 = (float)sqrt(pq->acc_u0 / w);
    a->freq = (float)(pq->acc_f / w);
}

static void block_open(pq_t *pq, int64_t blk) {
    pq->blk = blk;
    pq->blk_open = true;
    pq->blk_flag = false;
    pq->blk_w = pq->acc_u2 = pq->acc_u0 = pq->acc_f = 0.0;
    memset(pq->acc_v2, 0, sizeof(pq->acc_v2));
    memset(pq->acc_i2, 0, sizeof(pq->acc_i2));
    memset(pq->acc_thdv2, 0, sizeof(pq->acc_thdv2));
    memset(pq->acc_thdi2, 0, sizeof(pq->acc_thdi2));
    memset(pq->acc_harm2, 0, sizeof(pq->acc_harm2));
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        pq->vmin[k] = 1e30f;
        pq->vmax[k] = 0.0f;
    }
}

static void block_add(pq_t *pq, const metrology_measures_t *m, double w) {
    pq->blk_w += w;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        const metrology_phase_t *p = &m->ph[k];
        pq->acc_v2[k] += (double)p->v_rms * p->v_rms * w;
        pq->acc_i2[k] += (double)p->i_rms * p->i_rms * w;
        pq->acc_thdv2[k] += (double)p->thd_v * p->thd_v * w;
        pq->acc_thdi2[k] += (double)p->thd_i * p->thd_i * w;
        for (int h = 2; h <= EM_PQ_EN50160_HARMONICS && h <= EM_METROLOGY_HARMONICS; h++) {
            pq->acc_harm2[k][h] += m->v_harm[k][h] * m->v_harm[k][h] * (float)w;
        }
        pq->vmin[k] = p->v_half_min < pq->vmin[k] ? p->v_half_min : pq->vmin[k];
        pq->vmax[k] = p->v_half_max > pq->vmax[k] ? p->v_half_max : pq->vmax[k];
    }
    pq->acc_u2 += (double)m->u2 * m->u2 * w;
    pq->acc_u0 += (double)m->u0 * m->u0 * w;
    pq->acc_f += (double)m->frequency * w;
}

/* EN 50160 frequency: 10-s means within +/-1 % (99.5 %) and +4/-6 %. */
static void freq_10s(pq_t *pq, const metrology_measures_t *m, int64_t start, double w) {
    int64_t idx = floor_div(start, 10);
    if (pq->f10_open && idx != pq->f10 && pq->f10_w > 0.0) {
        double f = pq->f10_acc / pq->f10_w, fn = pq->cfg.fn_hz;
        pq->week.f_count++;
        pq->week.f_out1 += f < 0.99 * fn || f > 1.01 * fn;
        pq->week.f_out2 += f < 0.94 * fn || f > 1.04 * fn;
        pq->f10_acc = pq->f10_w = 0.0;
    }
    pq->f10 = idx;
    pq->f10_open = true;
    if (!(m->flags & METROLOGY_FLAG_FREQ_INVALID)) {
        pq->f10_acc += (double)m->frequency * w;
        pq->f10_w += w;
    }
}

unsigned pq_second(pq_t *pq, const metrology_measures_t *m, int64_t utc) {
    unsigned out = 0;
    uint32_t ms;
    int64_t start, blk;
    uint64_t t_us;

    if (pq == NULL || m == NULL) {
        return 0;
    }
    ms = m->interval_ms ? m->interval_ms : 1000u;
    t_us = m->t_ms * 1000u;
    pq->have_utc = true;
    pq->utc_ref = utc;
    pq->utc_ref_us = t_us;
    start = utc - (int64_t)(ms / 1000u);

    thd_events(pq, m, ms / 1000u, t_us);
    neutral_loss(pq, m, ms, t_us);
    /* Blocks that end here count in the week they belong to, so they
     * close before the week may roll over. */
    freq_10s(pq, m, start, ms / 1000.0);
    blk = floor_div(start, BLOCK_S);
    if (pq->blk_open && blk != pq->blk) {
        block_close(pq);
        week_block(pq, &pq->agg);
        out |= PQ_OUT_AGGREGATE;
    }
    if (week_at(pq, start)) {
        out |= PQ_OUT_WEEK;
    }
    if (!pq->blk_open || blk != pq->blk) {
        block_open(pq, blk);
    }
    block_add(pq, m, ms / 1000.0);
    pq->blk_flag |= pq->sec_flag;
    pq->sec_flag = iec_flag_now(pq, t_us);
    return out;
}

const pq_aggregate_t *pq_last_aggregate(const pq_t *pq) {
    return &pq->agg;
}

const pq_week_t *pq_last_week(const pq_t *pq) {
    return &pq->week_done;
}

const char *pq_event_name(uint16_t code) {
    static const struct {
        uint16_t code;
        const char *name;
    } names[] = {
        {51, "THD over limit L1"},
        {52, "THD over limit L2"},
        {53, "THD over limit L3"},
        {54, "THD normal L1"},
        {55, "THD normal L2"},
        {56, "THD normal L3"},
        {57, "THD long over limit L1"},
        {58, "THD long over limit L2"},
        {59, "THD long over limit L3"},
        {77, "under voltage L1"},
        {78, "under voltage L2"},
        {79, "under voltage L3"},
        {80, "over voltage L1"},
        {81, "over voltage L2"},
        {82, "over voltage L3"},
        {83, "voltage L1 normal"},
        {84, "voltage L2 normal"},
        {85, "voltage L3 normal"},
        {86, "missing voltage L1"},
        {87, "missing voltage L2"},
        {88, "missing voltage L3"},
        {90, "voltage returned L1"},
        {91, "voltage returned L2"},
        {92, "voltage returned L3"},
        {93, "voltage sag L1"},
        {94, "voltage sag L2"},
        {95, "voltage sag L3"},
        {96, "voltage swell L1"},
        {97, "voltage swell L2"},
        {98, "voltage swell L3"},
        {230, "neutral lost"},
        {231, "neutral restored"},
        {232, "dip (IEC 61000-4-30)"},
        {233, "swell (IEC 61000-4-30)"},
        {234, "interruption (IEC 61000-4-30)"},
    };
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        if (names[k].code == code) {
            return names[k].name;
        }
    }
    return "unknown";
}

const char *pq_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case PQ_ERR_BADARG:
        return "invalid argument";
    case PQ_ERR_CONFIG:
        return "power-quality threshold out of range or inconsistent";
    default:
        return "unknown power-quality error";
    }
}
