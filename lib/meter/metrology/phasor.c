/*
 * phasor.c - the synthetic metrology source: the measures record computed
 * in closed form from phasor parameters, for fleets of virtual meters and
 * accelerated time. It applies the definitions of measures.h exactly as
 * the dsp source approximates them:
 *
 *   Urms^2 = U1^2 + sum Uh^2          Irms^2 likewise
 *   P  = U1 I1 cos phi + sum Uh Ih cos phi_h   (total active power)
 *   Q  = U1 I1 sin phi                 (fundamental, IEC 62053-24)
 *   S  = Urms Irms, PF = P / S
 *   THD = sqrt(sum_{h=2..40} Uh^2) / U1
 *   In = r.m.s. of the phasor sum of the three currents, order by order
 *
 * A step of any length integrates energy through the same carried-
 * remainder arithmetic as dsp (energy.h), in slices of at most one hour so
 * one slice never exceeds the int64 nJ range (23 kW * 1 h = 8.3e16 nJ).
 * Double precision: this source runs on hosts, and P * t over a year must
 * stay within 1 ppm.
 */
#include <math.h>
#include <string.h>

#include "meter/metrology/metrology.h"
#include "meter/metrology/sequence.h"

#define DEG2RAD  0.017453292519943295
#define H_MAX    EM_METROLOGY_HARMONICS
#define SLICE_MS 3600000u
#define MAX_STEP 86400000u

static bool finite_nonneg(double x) {
    return x >= 0.0 && x < 1e7; /* false for NaN and infinities */
}

static bool finite_angle(double x) {
    return x > -1e5 && x < 1e5;
}

int metrology_phasor_set(metrology_t *m, const metrology_phasor_input_t *in) {
    if (m == NULL || in == NULL) {
        return METROLOGY_ERR_BADARG;
    }
    if (!(in->freq_hz > 1.0 && in->freq_hz < 1000.0)) {
        return METROLOGY_ERR_RANGE;
    }
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        const metrology_phasor_phase_t *ph = &in->ph[k];
        if (!finite_nonneg(ph->u_rms) || !finite_nonneg(ph->i_rms) || !finite_angle(ph->u_deg) ||
            !finite_angle(ph->phi_deg) || ph->n_harm > EM_METROLOGY_PHASOR_HARMONICS) {
            return METROLOGY_ERR_RANGE;
        }
        for (int j = 0; j < ph->n_harm; j++) {
            const metrology_phasor_harmonic_t *h = &ph->harm[j];
            if (h->order < 2 || h->order > H_MAX || !finite_nonneg(h->u_rms) ||
                !finite_nonneg(h->i_rms) || !finite_angle(h->u_deg) || !finite_angle(h->i_deg)) {
                return METROLOGY_ERR_RANGE;
            }
        }
    }
    m->phasor = *in;
    return 0;
}

static double norm_deg(double a) {
    a = fmod(a, 360.0);
    if (a > 180.0) {
        a -= 360.0;
    } else if (a <= -180.0) {
        a += 360.0;
    }
    return a;
}

/* Sums over the harmonics of one element. */
typedef struct harm_sums {
    double u2, i2, p, u2_thd, i2_thd;
} harm_sums_t;

static void element_harmonics(const metrology_phasor_phase_t *ph, float v_harm[H_MAX + 1],
                              double n_re[H_MAX + 1], double n_im[H_MAX + 1], harm_sums_t *hs) {
    memset(hs, 0, sizeof(*hs));
    for (int j = 0; j < ph->n_harm; j++) {
        const metrology_phasor_harmonic_t *h = &ph->harm[j];
        double u = h->u_rms, i = h->i_rms;
        double ia = (h->order * ph->u_deg + h->u_deg - h->i_deg) * DEG2RAD;
        hs->u2 += u * u;
        hs->i2 += i * i;
        hs->p += u * i * cos(h->i_deg * DEG2RAD);
        v_harm[h->order] += (float)(u * u); /* squared for now */
        n_re[h->order] += i * cos(ia);
        n_im[h->order] += i * sin(ia);
    }
    hs->u2_thd = hs->u2; /* every accepted order is <= 40 */
    hs->i2_thd = hs->i2;
}

/* One element; returns P, Q and S in double for the energy integration (the
 * float copies in the record carry 6e-8 resolution, the year test wants
 * the whole chain within 1e-6). */
static void phasor_element(const metrology_phasor_phase_t *ph, metrology_phase_t *out,
                           float v_harm[H_MAX + 1], double n_re[H_MAX + 1], double n_im[H_MAX + 1],
                           double *p, double *q, double *s) {
    harm_sums_t hs;
    double u1 = ph->u_rms, i1 = ph->i_rms, phi = ph->phi_deg * DEG2RAD;
    double ia = (ph->u_deg - ph->phi_deg) * DEG2RAD;

    element_harmonics(ph, v_harm, n_re, n_im, &hs);
    *s = sqrt(u1 * u1 + hs.u2) * sqrt(i1 * i1 + hs.i2);
    out->v_rms = (float)sqrt(u1 * u1 + hs.u2);
    out->i_rms = (float)sqrt(i1 * i1 + hs.i2);
    *p = u1 * i1 * cos(phi) + hs.p;
    *q = u1 * i1 * sin(phi);
    out->p = (float)*p;
    out->q = (float)*q;
    out->angle = (i1 > 0.0 && u1 > 0.0) ? (float)norm_deg(ph->phi_deg) : 0.0f;
    out->v_fund = (float)u1;
    out->i_fund = (float)i1;
    out->thd_v = u1 > 0.0 ? (float)(100.0 * sqrt(hs.u2_thd) / u1) : 0.0f;
    out->thd_i = i1 > 0.0 ? (float)(100.0 * sqrt(hs.i2_thd) / i1) : 0.0f;
    out->v_half_min = out->v_half_max = out->v_rms;
    for (int h = 2; h <= H_MAX; h++) {
        v_harm[h] = u1 > 0.0 ? (float)(100.0 * sqrt((double)v_harm[h]) / u1) : 0.0f;
    }
    n_re[1] += i1 * cos(ia);
    n_im[1] += i1 * sin(ia);
}

static void phasor_record(metrology_t *m, metrology_measures_t *r, double p[3], double q[3],
                          double s[3]) {
    const metrology_phasor_input_t *in = &m->phasor;
    double n_re[H_MAX + 1], n_im[H_MAX + 1], in2 = 0.0;
    metrology_cplx_t v[METROLOGY_PHASES];
    metrology_unbalance_t ub;
    int ref = -1;

    memset(n_re, 0, sizeof(n_re));
    memset(n_im, 0, sizeof(n_im));
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        const metrology_phasor_phase_t *ph = &in->ph[k];
        bool on = (m->mask & (1u << k)) != 0;
        v[k].re = on ? (float)(ph->u_rms * cos(ph->u_deg * DEG2RAD)) : 0.0f;
        v[k].im = on ? (float)(ph->u_rms * sin(ph->u_deg * DEG2RAD)) : 0.0f;
        p[k] = q[k] = s[k] = 0.0;
        if (!on) {
            continue;
        }
        if (ref < 0) {
            ref = k;
        }
        phasor_element(ph, &r->ph[k], r->v_harm[k], n_re, n_im, &p[k], &q[k], &s[k]);
        r->ph[k].v_angle = ph->u_rms > 0.0 ? (float)norm_deg(ph->u_deg - in->ph[ref].u_deg) : 0.0f;
    }
    for (int h = 1; h <= H_MAX; h++) {
        in2 += n_re[h] * n_re[h] + n_im[h] * n_im[h];
    }
    r->i_neutral = m->cfg.connection == METROLOGY_CONN_3P4W ? (float)sqrt(in2) : 0.0f;
    metrology_unbalance(v, m->cfg.connection, 0.5f * m->cfg.un_v, &ub);
    r->u2 = ub.u2;
    r->u0 = ub.u0;
    memcpy(r->v_ll, ub.v_ll, sizeof(r->v_ll));
    r->sequence = ub.sequence;
    r->frequency = (float)in->freq_hz;
}

static uint16_t sat16(double x) {
    return x >= 65535.0 ? 65535u : (uint16_t)x;
}

int metrology_phasor_step(metrology_t *m, uint32_t dt_ms) {
    metrology_measures_t r;
    double p[3], q[3], s[3];
    uint32_t left = dt_ms;

    if (m == NULL) {
        return METROLOGY_ERR_BADARG;
    }
    if (dt_ms == 0 || dt_ms > MAX_STEP) {
        return METROLOGY_ERR_RANGE;
    }
    memset(&r, 0, sizeof(r));
    phasor_record(m, &r, p, q, s);
    while (left > 0) {
        uint32_t slice = left > SLICE_MS ? SLICE_MS : left;
        metrology_energy_step_t st;
        metrology_half_cycle_t hc;
        memset(&st, 0, sizeof(st));
        st.dt_s = (double)slice / 1000.0;
        st.mask = m->mask;
        for (int k = 0; k < METROLOGY_PHASES; k++) {
            st.p[k] = p[k];
            st.q[k] = q[k];
            st.s[k] = s[k];
            st.i_rms[k] = r.ph[k].i_rms;
            hc.v_rms[k] = r.ph[k].v_rms;
            hc.i_rms[k] = r.ph[k].i_rms;
        }
        m->phasor_t_us += (uint64_t)slice * 1000u;
        hc.t_us = m->phasor_t_us;
        hc.duration_us = slice * 1000u;
        if (m->cfg.cb.half_cycle) {
            m->cfg.cb.half_cycle(m->cfg.cb.user, &hc);
        }
        metrology_step_energy(m, &st, m->phasor_t_us);
        left -= slice;
    }
    r.t_ms = m->phasor_t_us / 1000u;
    r.interval_ms = dt_ms;
    r.flags = METROLOGY_FLAG_PHASOR;
    r.half_cycles = sat16(2.0 * m->phasor.freq_hz * dt_ms / 1000.0);
    r.windows = sat16(m->phasor.freq_hz * dt_ms / 10000.0);
    metrology_emit(m, &r);
    return 0;
}
