/*
 * diagnostics.c - self-diagnostics of the meter (see diagnostics.h): the
 * error register 0.0.97.97.0.255 and events 6, 12-16 (dlms-facts §2.6,
 * §2.7; seed 000 §3.3.11).
 */
#include "meter/diagnostics.h"

#include <string.h>

const char *diag_strerror(int err) {
    switch (err) {
    case 0:
        return "ok";
    case DIAG_ERR_BADARG:
        return "diagnostics: bad argument";
    case DIAG_ERR_CONFIG:
        return "diagnostics: configuration invalid";
    case DIAG_ERR_DIGEST:
        return "diagnostics: reference image digest could not be computed";
    default:
        return "diagnostics: unknown error";
    }
}

void diag_cfg_default(diag_cfg_t *cfg) {
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->storage_period_s = 3600;
    cfg->image_period_s = 3600;
    cfg->ram_period_s = 600;
    cfg->v_present = 40.0f;
    cfg->v_max = 600.0f;
    cfg->f_min = 40.0f;
    cfg->f_max = 70.0f;
    cfg->pf_tol = 0.02f;
    cfg->s_abs_va = 2.0f;
    cfg->energy_tol_uwh = 1000;
    cfg->energy_tol_ppm = 10000;
    cfg->persist_records = 10;
    cfg->rtc_min_utc = 946684800;  /* 2000-01-01T00:00:00Z */
    cfg->rtc_max_utc = 4102444800; /* 2100-01-01T00:00:00Z */
}

int diag_init(diag_t *g, const diag_cfg_t *cfg, const diag_ops_t *ops, const uint8_t *ref_digest) {
    if (g == NULL || cfg == NULL || ops == NULL || ops->event == NULL)
        return DIAG_ERR_BADARG;
    if (cfg->storage_period_s == 0 || cfg->image_period_s == 0 || cfg->ram_period_s == 0 ||
        !(cfg->v_present > 0.0f) || !(cfg->v_max > cfg->v_present) || !(cfg->f_min > 0.0f) ||
        !(cfg->f_max > cfg->f_min) || !(cfg->pf_tol >= 0.0f && cfg->pf_tol < 1.0f) ||
        !(cfg->s_abs_va >= 0.0f) || cfg->persist_records == 0 || cfg->energy_tol_ppm > 1000000u ||
        cfg->rtc_max_utc <= cfg->rtc_min_utc)
        return DIAG_ERR_CONFIG;
    memset(g, 0, sizeof(*g));
    g->cfg = *cfg;
    g->ops = *ops;
    if (ops->image_digest != NULL) {
        if (ref_digest != NULL)
            memcpy(g->ref, ref_digest, EM_DIAG_DIGEST_LEN);
        else if (ops->image_digest(ops->user, g->ref) != 0)
            return DIAG_ERR_DIGEST;
        for (unsigned i = 0; i < EM_DIAG_DIGEST_LEN; i++)
            g->ref_inv[i] = (uint8_t)~g->ref[i];
        g->has_ref = true;
    }
    return 0;
}

/* Sets (event once, on the raise) or clears one error register bit. */
static int report(diag_t *g, uint32_t bit, uint8_t code, bool failed, int64_t utc) {
    if (failed) {
        if ((g->errors & bit) == 0) {
            g->errors |= bit;
            g->ops.event(g->ops.user, code, utc);
        }
        return 1;
    }
    g->errors &= ~bit;
    return 0;
}

int diag_check_storage(diag_t *g, int64_t utc) {
    if (g == NULL)
        return DIAG_ERR_BADARG;
    if (g->ops.storage_check == NULL)
        return 0;
    int rc = g->ops.storage_check(g->ops.user);
    return report(g, METER_ALARM_NV_MEMORY, DIAG_EV_NV_MEMORY, rc != 0, utc);
}

static bool ref_intact(const diag_t *g) {
    for (unsigned i = 0; i < EM_DIAG_DIGEST_LEN; i++)
        if ((uint8_t)(g->ref[i] ^ g->ref_inv[i]) != 0xFFu)
            return false;
    return true;
}

int diag_check_ram(diag_t *g, int64_t utc) {
    if (g == NULL)
        return DIAG_ERR_BADARG;
    bool bad = g->has_ref && !ref_intact(g);
    if (g->ops.ram_check != NULL && g->ops.ram_check(g->ops.user) != 0)
        bad = true;
    return report(g, METER_ALARM_RAM, DIAG_EV_RAM, bad, utc);
}

int diag_check_image(diag_t *g, int64_t utc) {
    if (g == NULL)
        return DIAG_ERR_BADARG;
    if (!g->has_ref || g->ops.image_digest == NULL || !ref_intact(g))
        return 0; /* nothing to compare with (a damaged reference is a RAM error) */
    uint8_t now[EM_DIAG_DIGEST_LEN];
    bool bad =
        g->ops.image_digest(g->ops.user, now) != 0 || memcmp(now, g->ref, EM_DIAG_DIGEST_LEN) != 0;
    return report(g, METER_ALARM_PROGRAM_MEMORY, DIAG_EV_PROGRAM_MEMORY, bad, utc);
}

int64_t diag_tick(diag_t *g, uint64_t now_ms, int64_t utc) {
    if (g == NULL)
        return DIAG_ERR_BADARG;
    if (!g->started) {
        g->started = true;
        g->next_storage_ms = g->next_image_ms = g->next_ram_ms = now_ms;
    }
    /* RAM first: the image check trusts the reference it keeps. */
    if (now_ms >= g->next_ram_ms) {
        diag_check_ram(g, utc);
        g->next_ram_ms = now_ms + (uint64_t)g->cfg.ram_period_s * 1000u;
    }
    if (now_ms >= g->next_storage_ms) {
        diag_check_storage(g, utc);
        g->next_storage_ms = now_ms + (uint64_t)g->cfg.storage_period_s * 1000u;
    }
    if (now_ms >= g->next_image_ms) {
        diag_check_image(g, utc);
        g->next_image_ms = now_ms + (uint64_t)g->cfg.image_period_s * 1000u;
    }
    return (int64_t)g->errors;
}

int diag_rtc_check(diag_t *g, int64_t utc, int64_t last_utc, bool rtc_valid) {
    if (g == NULL)
        return DIAG_ERR_BADARG;
    bool bad = !rtc_valid || utc < g->cfg.rtc_min_utc || utc >= g->cfg.rtc_max_utc ||
               (last_utc != 0 && utc < last_utc);
    if (!bad)
        return 0; /* an incident bit: only diag_clear takes it away */
    return report(g, METER_ALARM_CLOCK_INVALID, DIAG_EV_CLOCK_INVALID, true, utc);
}

int diag_watchdog_reset(diag_t *g, int64_t utc) {
    if (g == NULL)
        return DIAG_ERR_BADARG;
    /* Every watchdog reset is an event, even with the bit still set. */
    g->errors &= ~METER_ALARM_WATCHDOG;
    report(g, METER_ALARM_WATCHDOG, DIAG_EV_WATCHDOG, true, utc);
    return 0;
}

static float absf(float x) {
    return x < 0.0f ? -x : x;
}

/* Finite and within [lo, hi] (NaN fails every comparison). */
static bool within(float x, float lo, float hi) {
    return x >= lo && x <= hi;
}

static uint8_t check_record(const diag_cfg_t *c, const metrology_measures_t *m) {
    uint8_t r = 0;
    const float big = 1e9f;
    bool v_present = false;
    float tol = 1.0f + c->pf_tol;
    for (unsigned k = 0; k < METROLOGY_PHASES; k++) {
        const metrology_phase_t *ph = &m->ph[k];
        if (!within(ph->v_rms, 0.0f, c->v_max) || !within(ph->i_rms, 0.0f, big) ||
            !within(ph->s, 0.0f, big) || !within(ph->p, -big, big) || !within(ph->q, -big, big) ||
            !within(ph->pf, -big, big))
            r |= DIAG_MEAS_RANGE;
        if (ph->v_rms >= c->v_present)
            v_present = true;
        if (ph->s > c->s_abs_va &&
            (!(absf(ph->pf) <= tol) || !(absf(ph->p) <= ph->s * tol + c->s_abs_va)))
            r |= DIAG_MEAS_POWER;
    }
    if (!within(m->pf, -big, big) || !within(m->frequency, -big, big))
        r |= DIAG_MEAS_RANGE;
    else if (m->s > c->s_abs_va && !(absf(m->pf) <= tol))
        r |= DIAG_MEAS_POWER;
    if (v_present && ((m->flags & METROLOGY_FLAG_FREQ_INVALID) != 0 ||
                      !within(m->frequency, c->f_min, c->f_max)))
        r |= DIAG_MEAS_FREQUENCY;

    const int64_t *e = m->energy.reg;
    for (unsigned k = 0; k < METROLOGY_E_COUNT; k++)
        if (e[k] < 0 || e[k] > (INT64_C(1) << 50)) /* 2^50 µWh in a record: not a meter */
            return (uint8_t)(r | DIAG_MEAS_ENERGY);
    int64_t total = e[METROLOGY_E_A_PLUS] - e[METROLOGY_E_A_MINUS];
    int64_t phases = 0, moved = e[METROLOGY_E_A_PLUS] + e[METROLOGY_E_A_MINUS];
    for (unsigned k = 0; k < METROLOGY_PHASES; k++) {
        phases += e[METROLOGY_E_A_PLUS_L1 + k] - e[METROLOGY_E_A_MINUS_L1 + k];
        moved += e[METROLOGY_E_A_PLUS_L1 + k] + e[METROLOGY_E_A_MINUS_L1 + k];
    }
    int64_t diff = total > phases ? total - phases : phases - total;
    int64_t allowed = (int64_t)c->energy_tol_uwh + moved / 1000000 * (int64_t)c->energy_tol_ppm +
                      moved % 1000000 * (int64_t)c->energy_tol_ppm / 1000000;
    if (diff > allowed)
        r |= DIAG_MEAS_ENERGY;
    return r;
}

int diag_measures(diag_t *g, const metrology_measures_t *m, int64_t utc) {
    if (g == NULL || m == NULL)
        return DIAG_ERR_BADARG;
    if ((m->flags & METROLOGY_FLAG_SETTLING) != 0)
        return 0;
    g->meas_reasons = check_record(&g->cfg, m);
    if (g->meas_reasons != 0) {
        g->good_run = 0;
        if (g->bad_run < g->cfg.persist_records)
            g->bad_run++;
        if (g->bad_run >= g->cfg.persist_records)
            report(g, METER_ALARM_MEASUREMENT, DIAG_EV_MEASUREMENT, true, utc);
        return 1;
    }
    g->bad_run = 0;
    if (g->good_run < g->cfg.persist_records)
        g->good_run++;
    if (g->good_run >= g->cfg.persist_records)
        report(g, METER_ALARM_MEASUREMENT, DIAG_EV_MEASUREMENT, false, utc);
    return 0;
}

uint8_t diag_measurement_reasons(const diag_t *g) {
    return g == NULL ? 0 : g->meas_reasons;
}

uint32_t diag_error_register(const diag_t *g) {
    return g == NULL ? 0 : g->errors;
}

void diag_clear(diag_t *g, uint32_t bits) {
    if (g != NULL)
        g->errors &= ~bits;
}
