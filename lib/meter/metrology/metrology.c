/*
 * metrology.c - configuration, context and the parts of the measures
 * record both sources share: energy steps with LED pulses, element
 * quadrants, totals and the hand-over of the record.
 */
#include "meter/metrology/metrology.h"

#include <math.h>
#include <string.h>

/* nJ in one kWh (or kvarh): 3.6e6 J. */
#define NJ_PER_KWH 3600000000000000LL

void metrology_cfg_default(metrology_cfg_t *cfg) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->fs_hz = EM_METROLOGY_FS_HZ;
    cfg->connection = METROLOGY_CONN_3P4W;
    cfg->un_v = EM_METER_UN_V;
    cfg->fn_hz = EM_METER_FN_HZ;
    cfg->ib_a = EM_METER_IB_A;
    cfg->imax_a = EM_METER_IMAX_A;
    cfg->noload_ib_fraction = (float)EM_METER_NOLOAD_PERMILLE_IB / 1000.0f;
    cfg->imp_per_kwh = EM_METER_IMP_PER_KWH;
    cfg->imp_per_kvarh = EM_METER_IMP_PER_KVARH;
    cfg->net_sum = true;
    /* 0.3 Hz: as NXP's metering library (AN4265). Gain error at 50 Hz is
     * 2e-5 and the 0.34 degree phase lead is the same on V and I. */
    cfg->hp_cutoff_hz = 0.3f;
}

uint8_t metrology_connection_mask(uint8_t connection) {
    switch (connection) {
    case METROLOGY_CONN_3P3W:
        return 0x5u; /* elements on L1 and L3 */
    case METROLOGY_CONN_1P2W:
        return 0x1u;
    default:
        return 0x7u;
    }
}

static int check_cfg(const metrology_cfg_t *c) {
    if (c->fs_hz < 1000u || c->fs_hz > 64000u || c->connection > METROLOGY_CONN_1P2W) {
        return METROLOGY_ERR_CONFIG;
    }
    /* Written as negations so NaN fails too. */
    if (!(c->fn_hz >= 40.0f && c->fn_hz <= 70.0f) || !(c->un_v > 1.0f && c->un_v < 1e5f) ||
        !(c->ib_a > 0.0f) || !(c->imax_a >= c->ib_a) ||
        !(c->noload_ib_fraction >= 0.0f && c->noload_ib_fraction <= 0.1f) ||
        !(c->hp_cutoff_hz > 0.0f && c->hp_cutoff_hz <= 5.0f)) {
        return METROLOGY_ERR_CONFIG;
    }
    /* At least 20 samples per cycle: the linear zero-crossing
     * interpolation and the cubic resampler assume a smooth waveform. */
    if ((float)c->fs_hz < 20.0f * c->fn_hz) {
        return METROLOGY_ERR_CONFIG;
    }
    return 0;
}

int metrology_init(metrology_t *m, const metrology_cfg_t *cfg) {
    metrology_energy_cfg_t ec;
    int rc;
    if (m == NULL || cfg == NULL) {
        return METROLOGY_ERR_BADARG;
    }
    rc = check_cfg(cfg);
    if (rc != 0) {
        return rc;
    }
    memset(m, 0, sizeof(*m));
    m->cfg = *cfg;
    m->mask = metrology_connection_mask(cfg->connection);
    memset(&ec, 0, sizeof(ec));
    ec.i_guard_a = cfg->noload_ib_fraction * cfg->ib_a;
    ec.p_guard_w = ec.i_guard_a * cfg->un_v;
    ec.pulse_nj_active = cfg->imp_per_kwh ? NJ_PER_KWH / (int64_t)cfg->imp_per_kwh : 0;
    ec.pulse_nj_reactive = cfg->imp_per_kvarh ? NJ_PER_KWH / (int64_t)cfg->imp_per_kvarh : 0;
    ec.net_sum = cfg->net_sum;
    metrology_energy_init(&m->energy, &ec);
    return 0;
}

void metrology_step_energy(metrology_t *m, const metrology_energy_step_t *st, uint64_t t_us) {
    uint32_t pulses[2] = {0, 0};
    m->estep_flags |= metrology_energy_integrate(&m->energy, st, &m->delta, pulses);
    for (unsigned ch = 0; ch < 2; ch++) {
        m->pulses[ch] += pulses[ch];
        if (pulses[ch] == 0) {
            continue;
        }
        if (m->cfg.cb.pulse) {
            m->cfg.cb.pulse(m->cfg.cb.user, ch, pulses[ch], t_us);
        }
        if (m->cfg.port && m->cfg.port->led_pulse) {
            m->cfg.port->led_pulse(m->cfg.port->user, ch, pulses[ch]);
        }
    }
}

uint8_t metrology_element_quadrant(const metrology_t *m, float p, float q, float i_rms) {
    const metrology_energy_cfg_t *c = &m->energy.cfg;
    if (i_rms < c->i_guard_a || (fabsf(p) < c->p_guard_w && fabsf(q) < c->p_guard_w)) {
        return METROLOGY_QUADRANT_NONE;
    }
    /* Below the guard a component counts as zero, exactly as in the
     * energy registers: PF 1 stays in Q1 instead of flickering Q1/Q4. */
    if (fabsf(q) < c->p_guard_w) {
        q = 0.0f;
    }
    if (fabsf(p) < c->p_guard_w) {
        p = 0.0f;
    }
    return metrology_quadrant(p, q);
}

void metrology_emit(metrology_t *m, metrology_measures_t *rec) {
    float p = 0.0f, q = 0.0f, s = 0.0f;

    rec->seq = m->seq++;
    rec->connection = m->cfg.connection;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        metrology_phase_t *ph = &rec->ph[k];
        if (!(m->mask & (1u << k))) {
            memset(ph, 0, sizeof(*ph));
            memset(rec->v_harm[k], 0, sizeof(rec->v_harm[k]));
            continue;
        }
        ph->s = ph->v_rms * ph->i_rms;
        ph->pf = ph->s > 0.0f ? ph->p / ph->s : 0.0f;
        if (ph->i_rms < m->energy.cfg.i_guard_a) {
            ph->thd_i = 0.0f; /* meaningless on noise */
        }
        ph->quadrant = metrology_element_quadrant(m, ph->p, ph->q, ph->i_rms);
        if (ph->i_rms > m->cfg.imax_a) {
            rec->flags |= METROLOGY_FLAG_OVERLOAD;
        }
        p += ph->p;
        q += ph->q;
        s += ph->s;
    }
    rec->p = p;
    rec->q = q;
    rec->s = s;
    rec->pf = s > 0.0f ? p / s : 0.0f;
    if (m->estep_flags != 0) {
        float pg = m->energy.cfg.p_guard_w;
        rec->quadrant = metrology_quadrant(fabsf(p) < pg ? 0.0f : p, fabsf(q) < pg ? 0.0f : q);
    } else {
        rec->quadrant = METROLOGY_QUADRANT_NONE;
        rec->flags |= METROLOGY_FLAG_NO_LOAD;
    }
    rec->energy = m->delta;
    rec->pulses_active = m->pulses[0];
    rec->pulses_reactive = m->pulses[1];
    memset(&m->delta, 0, sizeof(m->delta));
    m->pulses[0] = m->pulses[1] = 0;
    m->estep_flags = 0;
    if (m->cfg.cb.measures) {
        m->cfg.cb.measures(m->cfg.cb.user, rec);
    }
}

const char *metrology_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case METROLOGY_ERR_BADARG:
        return "invalid argument";
    case METROLOGY_ERR_CONFIG:
        return "metrology configuration value out of range";
    case METROLOGY_ERR_NO_DSP:
        return "no dsp workspace attached";
    case METROLOGY_ERR_RANGE:
        return "phasor input not finite or out of range";
    case METROLOGY_ERR_SF_SYNTAX:
        return "malformed number or field";
    case METROLOGY_ERR_SF_COLUMNS:
        return "wrong number of columns (expected t,v1,i1,v2,i2,v3,i3 or t,v,i)";
    case METROLOGY_ERR_SF_NUMBER:
        return "value not finite or beyond 1e9";
    case METROLOGY_ERR_SF_TIME:
        return "timestamp not increasing by one sample period";
    case METROLOGY_ERR_SF_LINE:
        return "line too long";
    case METROLOGY_ERR_SF_TRUNC:
        return "file ends inside a sample set";
    case METROLOGY_ERR_SF_RATE:
        return "sample rate unknown or out of range";
    default:
        return "unknown metrology error";
    }
}
