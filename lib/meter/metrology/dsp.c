/*
 * dsp.c - the sample-processing metrology source.
 *
 * Windows (IEC 61000-4-30 and the CompactIQ manual):
 *  - half cycle: between two zero crossings of the reference voltage;
 *    Urms(1/2) is the r.m.s. over the last two (one cycle, 4-30 5.4.2);
 *  - 10-cycle window: 10 periods of the tracked frequency, resampled to
 *    EM_METROLOGY_FFT_N points, analysed by DFT (IEC 61000-4-7);
 *  - second: fs samples. Energy covers exactly the samples of the
 *    half cycles that ended in it; r.m.s. and P are taken over those whole
 *    half cycles, so a non-integer number of cycles per second (49.5 Hz)
 *    adds no ripple (TC-07).
 *
 * Float is used on the per-sample path (Cortex-M4F single-precision FPU);
 * half-cycle sums move to double 100 times a second; positions in samples
 * are double (a year at 8 kHz is 2.5e11 samples, exact in double).
 */
#include "meter/metrology/dsp.h"

#include <math.h>
#include <string.h>

#include "meter/metrology/fft.h"
#include "meter/metrology/metrology.h"
#include "meter/metrology/sequence.h"

#define Q32_ONE  ((int64_t)1 << 32)
#define WIN_N    EM_METROLOGY_FFT_N
#define H_MAX    EM_METROLOGY_HARMONICS
#define SETTLE_S 2u /* seconds flagged while the DC filters settle */

/* ---- configuration ------------------------------------------------------ */

static void set_step(metrology_dsp_t *d) {
    double step = d->period * 10.0 / (double)WIN_N;
    d->rs_step = (int64_t)(step * (double)Q32_ONE + 0.5);
}

/* The DC filter e = x - dc; dc += k e is H(z) = (z - 1) / (z - 1 + k),
 * whose gain at the mains frequency is about 1 + k/2 (1.2e-4 at 0.3 Hz,
 * 8 kHz): enough to eat the 0.05 % r.m.s. budget. The exact inverse at
 * fn is applied once per half cycle and window, not per sample. */
static double hp_gain_correction(float k, float fn, uint32_t fs) {
    double w = 6.283185307179586 * (double)fn / (double)fs;
    double nr = cos(w) - 1.0, ni = sin(w);
    double dr = nr + (double)k;
    return sqrt((dr * dr + ni * ni) / (nr * nr + ni * ni));
}

int metrology_dsp_attach(metrology_t *m, metrology_dsp_t *d) {
    const metrology_cfg_t *c;
    if (m == NULL || d == NULL) {
        return METROLOGY_ERR_BADARG;
    }
    c = &m->cfg;
    memset(d, 0, sizeof(*d));
    d->fs = c->fs_hz;
    d->hp_k = (float)(6.283185307179586 * (double)c->hp_cutoff_hz / (double)c->fs_hz);
    d->hp_g = (float)hp_gain_correction(d->hp_k, c->fn_hz, c->fs_hz);
    d->hp_g2 = d->hp_g * d->hp_g;
    /* 5 % of the nominal peak: far above ADC noise, far below any voltage
     * the meter still calls present. */
    d->zc_arm = 0.05f * 1.41421356f * c->un_v;
    d->half_nom = (double)c->fs_hz / (2.0 * (double)c->fn_hz);
    d->hc_timeout = (uint32_t)(1.2 * d->half_nom);
    d->period_min = (double)c->fs_hz / ((double)c->fn_hz * 1.1);
    d->period_max = (double)c->fs_hz / ((double)c->fn_hz * 0.9);
    d->period = 2.0 * d->half_nom;
    d->ref = 0;
    d->rs_rel = Q32_ONE; /* first point at the first sample */
    set_step(d);
    metrology_fft_twiddles(d->tw, WIN_N);
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        d->vmin[k] = 1e30f;
    }
    m->dsp = d;
    return 0;
}

/* ---- 10-cycle window analysis ------------------------------------------ */

/* Group energies of one spectrum half: gv[h] for orders 1..H_MAX per IEC
 * 61000-4-7 (half of the bins 5 away, all bins within 4 of 10 h at 50 Hz).
 * Also returns the fundamental bins (10 cycles -> bin 10) of V and I. */
static void spectrum_groups(const float *z, float g, float gv[H_MAX + 1], float gi[H_MAX + 1],
                            metrology_cplx_t *v1, metrology_cplx_t *i1) {
    const int kmax = 10 * H_MAX + 5;
    memset(gv, 0, sizeof(float) * (H_MAX + 1));
    memset(gi, 0, sizeof(float) * (H_MAX + 1));
    for (int k = 5; k <= kmax; k++) {
        /* Z = FFT(v + j i): V[k] = (Z[k] + conj Z[N-k]) / 2,
         * I[k] = (Z[k] - conj Z[N-k]) / 2j. */
        float zr = z[2 * k], zi = z[2 * k + 1];
        float wr = z[2 * (WIN_N - k)], wi = z[2 * (WIN_N - k) + 1];
        float vr = 0.5f * (zr + wr), vi = 0.5f * (zi - wi);
        float ir = 0.5f * (zi + wi), ii = -0.5f * (zr - wr);
        float pv = vr * vr + vi * vi, pi = ir * ir + ii * ii;
        int r = k % 10;
        if (r == 5) { /* shared edge bin: half to each neighbour group */
            int lo = (k - 5) / 10;
            if (lo >= 1) {
                gv[lo] += 0.5f * pv;
                gi[lo] += 0.5f * pi;
            }
            if (lo + 1 <= H_MAX) {
                gv[lo + 1] += 0.5f * pv;
                gi[lo + 1] += 0.5f * pi;
            }
        } else {
            int h = (k + 5) / 10;
            gv[h] += pv;
            gi[h] += pi;
        }
        if (k == 10) {
            /* r.m.s. phasor of a real tone: |X| sqrt(2) / N */
            const float sc = g * 1.41421356f / (float)WIN_N;
            v1->re = vr * sc;
            v1->im = vi * sc;
            i1->re = ir * sc;
            i1->im = ii * sc;
        }
    }
}

static float thd_pct(const float g[H_MAX + 1]) {
    float sum = 0.0f;
    for (int h = 2; h <= H_MAX; h++) {
        sum += g[h];
    }
    return g[1] > 0.0f ? 100.0f * sqrtf(sum / g[1]) : 0.0f;
}

static void window_element(metrology_dsp_t *d, int k, metrology_cplx_t *v1) {
    float gv[H_MAX + 1], gi[H_MAX + 1];
    metrology_cplx_t i1 = {0.0f, 0.0f};
    float p1, q1, tv, ti;

    metrology_fft_bitrev_input(d->win[k], d->tw, WIN_N);
    spectrum_groups(d->win[k], d->hp_g, gv, gi, v1, &i1);
    /* S1 = V1 conj(I1): Re = P1, Im = Q1 (> 0 when I lags). */
    p1 = v1->re * i1.re + v1->im * i1.im;
    q1 = v1->im * i1.re - v1->re * i1.im;
    d->q1[k] = q1;
    d->w_p1[k] += p1;
    d->w_q1[k] += q1;
    d->w_v1[k] += (double)(v1->re * v1->re + v1->im * v1->im);
    d->w_i1[k] += (double)(i1.re * i1.re + i1.im * i1.im);
    tv = thd_pct(gv);
    ti = thd_pct(gi);
    d->w_thdv[k] += (double)(tv * tv);
    d->w_thdi[k] += (double)(ti * ti);
    for (int h = 2; h <= H_MAX; h++) {
        d->w_harm[k][h] += gv[1] > 0.0f ? 1e4f * gv[h] / gv[1] : 0.0f;
    }
}

static void window_end(metrology_t *m, metrology_dsp_t *d) {
    metrology_cplx_t v[METROLOGY_PHASES] = {{0, 0}, {0, 0}, {0, 0}};
    metrology_unbalance_t ub;
    float ref_abs;
    int ref = -1;

    for (int k = 0; k < METROLOGY_PHASES; k++) {
        if (m->mask & (1u << k)) {
            window_element(d, k, &v[k]);
        }
    }
    /* Voltage angles relative to the first measured element. */
    for (int k = 0; k < METROLOGY_PHASES && ref < 0; k++) {
        if (m->mask & (1u << k)) {
            ref = k;
        }
    }
    ref_abs = sqrtf(v[ref].re * v[ref].re + v[ref].im * v[ref].im);
    if (ref_abs > 0.0f) {
        for (int k = 0; k < METROLOGY_PHASES; k++) {
            d->w_vre[k] += (v[k].re * v[ref].re + v[k].im * v[ref].im) / ref_abs;
            d->w_vim[k] += (v[k].im * v[ref].re - v[k].re * v[ref].im) / ref_abs;
        }
    }
    metrology_unbalance(v, m->cfg.connection, 0.5f * m->cfg.un_v, &ub);
    d->w_u2 += ub.u2;
    d->w_u0 += ub.u0;
    for (int j = 0; j < 3; j++) {
        d->w_vll[j] += ub.v_ll[j];
    }
    d->w_seq = ub.sequence;
    d->wins++;

    /* Track the frequency for the next window (IEC 61000-4-7 wants the
     * window within 0.03 % of 10 periods; one window of lag is enough). */
    if (d->win_rises >= 2) {
        double per = (d->win_rise_last - d->win_rise_first) / (double)(d->win_rises - 1);
        if (per >= d->period_min && per <= d->period_max) {
            d->period = per;
        }
    }
    d->win_rises = 0;
    d->rs_k = 0;
    d->rs_j = 0;
    set_step(d);
}

/* One resampled point between x[n-2] and x[n-1] (4-point Lagrange over
 * x[n-3..n]): about 0.99 of the amplitude at 1 kHz, 0.9997 at 550 Hz. */
static void resample_point(metrology_t *m, metrology_dsp_t *d) {
    float t = (float)(uint32_t)(d->rs_rel + 2 * Q32_ONE) * (1.0f / 4294967296.0f);
    float tm1 = t - 1.0f, tm2 = t - 2.0f, tp1 = t + 1.0f;
    float c0 = -t * tm1 * tm2 * (1.0f / 6.0f);
    float c1 = tp1 * tm1 * tm2 * 0.5f;
    float c2 = -tp1 * t * tm2 * 0.5f;
    float c3 = tp1 * t * tm1 * (1.0f / 6.0f);
    const float *a = d->hist[(d->n - 3) & 3], *b = d->hist[(d->n - 2) & 3];
    const float *c = d->hist[(d->n - 1) & 3], *e = d->hist[d->n & 3];
    uint32_t j = 2 * d->rs_j;

    for (int k = 0; k < METROLOGY_PHASES; k++) {
        int v = 2 * k, i = 2 * k + 1;
        d->win[k][j] = c0 * a[v] + c1 * b[v] + c2 * c[v] + c3 * e[v];
        d->win[k][j + 1] = c0 * a[i] + c1 * b[i] + c2 * c[i] + c3 * e[i];
    }
    d->rs_rel += d->rs_step;
    d->rs_j = metrology_bitrev_next(d->rs_j, WIN_N);
    if (++d->rs_k == WIN_N) {
        window_end(m, d);
    }
}

/* ---- half cycles ---------------------------------------------------------- */

/* One energy integration step per full cycle of the reference (or per
 * forced cut when there is no voltage). Over a whole cycle the v * i_dc
 * and double-frequency terms of an element not aligned with the
 * reference cancel; over a half cycle they do not, and at PF 0 they
 * would cross the 2.3 W no-load guard and flip the direction. */
static void energy_step(metrology_t *m, metrology_dsp_t *d, const metrology_half_cycle_t *hc) {
    metrology_energy_step_t st;
    memset(&st, 0, sizeof(st));
    st.dt_s = (double)d->c_count / (double)d->fs;
    st.mask = m->mask;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        st.p[k] = d->c_count ? d->cp[k] * (double)d->hp_g2 / (double)d->c_count : 0.0;
        st.q[k] = d->q1[k];
        st.s[k] = (double)hc->v_rms[k] * (double)hc->i_rms[k];
        st.i_rms[k] = hc->i_rms[k];
        d->cp[k] = 0.0;
    }
    d->c_count = 0;
    metrology_step_energy(m, &st, hc->t_us);
}

/* Rising crossings of the reference, counted per second and per window
 * for the frequency (whole cycles / their duration). */
static void track_rise(metrology_dsp_t *d, double pos) {
    if (d->sec_rises++ == 0) {
        d->sec_rise_first = pos;
    }
    d->sec_rise_last = pos;
    if (d->win_rises++ == 0) {
        d->win_rise_first = pos;
    }
    d->win_rise_last = pos;
}

/* A half cycle ended at pos (samples): Urms(1/2) over it and the one
 * before, sums into the second, and an energy step when a cycle is
 * complete (rising crossing) or the cut was forced. */
static void half_cycle_end(metrology_t *m, metrology_dsp_t *d, double pos, bool rising,
                           bool forced) {
    double dur = pos - d->hc_start;
    float cyc;
    metrology_half_cycle_t hc;

    if (dur < 0.3 * d->half_nom) {
        return; /* a crossing right after a forced cut: keep accumulating */
    }
    cyc = (float)(d->p_dur + dur) / d->hp_g2;
    hc.t_us = (uint64_t)(pos * 1e6 / (double)d->fs);
    hc.duration_us = (uint32_t)(dur * 1e6 / (double)d->fs);
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        float u = sqrtf((d->pv2[k] + d->hv2[k]) / cyc);
        hc.v_rms[k] = u;
        hc.i_rms[k] = sqrtf((d->pi2[k] + d->hi2[k]) / cyc);
        d->last_u[k] = u;
        d->vmin[k] = u < d->vmin[k] ? u : d->vmin[k];
        d->vmax[k] = u > d->vmax[k] ? u : d->vmax[k];
        d->sv2[k] += d->hv2[k];
        d->si2[k] += d->hi2[k];
        d->sp[k] += d->hp[k];
        d->cp[k] += d->hp[k];
        d->pv2[k] = d->hv2[k];
        d->pi2[k] = d->hi2[k];
        d->hv2[k] = d->hi2[k] = d->hp[k] = 0.0f;
    }
    d->sin2 += d->hin2;
    d->hin2 = 0.0f;
    d->sdur += dur;
    d->shc++;
    d->p_dur = dur;
    d->hc_start = pos;
    d->c_count += d->hc_count;
    d->hc_count = 0;
    if (rising) {
        track_rise(d, pos);
    }
    if (m->cfg.cb.half_cycle) {
        m->cfg.cb.half_cycle(m->cfg.cb.user, &hc);
    }
    if (rising || forced) {
        energy_step(m, d, &hc);
    }
}

/* No crossing of the reference for 1.2 half periods: the reference is
 * gone (outage) or all voltages are (interruption). Move the reference to
 * a live phase if there is one, and cut the half cycle here so Urms(1/2)
 * keeps coming at about the nominal rate. */
static void half_cycle_timeout(metrology_t *m, metrology_dsp_t *d) {
    for (uint8_t k = 0; k < METROLOGY_PHASES; k++) {
        if (k != d->ref && (m->mask & (1u << k)) && d->last_u[k] > 2.0f * d->zc_arm) {
            d->ref = k;
            d->zc_pol = 0;    /* re-arm on the new phase before a crossing counts */
            d->sec_rises = 0; /* do not mix crossings of two phases */
            d->win_rises = 0;
            break;
        }
    }
    half_cycle_end(m, d, (double)d->n, false, true);
}

/* Zero-crossing detector of the reference voltage with a dead band: a
 * crossing counts only after the voltage has been beyond +/- zc_arm since
 * the previous one, so noise on a dead phase makes none. The crossing
 * instant is interpolated linearly between the two samples. */
static void zero_cross(metrology_t *m, metrology_dsp_t *d, const float *y) {
    float v = y[2 * d->ref], pv = d->prev_v;
    int8_t pol = d->zc_pol;
    d->prev_v = v;
    if ((pol > 0 && v <= 0.0f) || (pol < 0 && v >= 0.0f)) {
        double pos = (double)(d->n - 1) + (double)(pv / (pv - v));
        d->zc_pol = 0;
        half_cycle_end(m, d, pos, pol < 0, false);
    } else if (pol == 0) {
        if (v > d->zc_arm) {
            d->zc_pol = 1;
        } else if (v < -d->zc_arm) {
            d->zc_pol = -1;
        }
    }
    if (d->hc_count > d->hc_timeout) {
        half_cycle_timeout(m, d);
    }
}

/* ---- second ----------------------------------------------------------------- */

static void second_windows(metrology_t *m, metrology_dsp_t *d, metrology_measures_t *r) {
    double w = (double)d->wins;
    r->windows = d->wins;
    if (d->wins == 0) {
        r->flags |= METROLOGY_FLAG_NO_WINDOW;
        return;
    }
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        metrology_phase_t *ph = &r->ph[k];
        if (!(m->mask & (1u << k))) {
            continue;
        }
        ph->q = (float)(d->w_q1[k] / w);
        ph->angle = metrology_angle_deg((float)d->w_p1[k], (float)d->w_q1[k]);
        ph->v_angle = metrology_angle_deg((float)d->w_vre[k], (float)d->w_vim[k]);
        ph->v_fund = (float)sqrt(d->w_v1[k] / w);
        ph->i_fund = (float)sqrt(d->w_i1[k] / w);
        ph->thd_v = (float)sqrt(d->w_thdv[k] / w);
        ph->thd_i = (float)sqrt(d->w_thdi[k] / w);
        for (int h = 2; h <= H_MAX; h++) {
            r->v_harm[k][h] = sqrtf(d->w_harm[k][h] / (float)w);
        }
    }
    r->u2 = (float)(d->w_u2 / w);
    r->u0 = (float)(d->w_u0 / w);
    for (int j = 0; j < 3; j++) {
        r->v_ll[j] = (float)(d->w_vll[j] / w);
    }
    r->sequence = d->w_seq;
}

static void second_rms(metrology_t *m, metrology_dsp_t *d, metrology_measures_t *r) {
    r->half_cycles = d->shc;
    if (d->sdur <= 0.0) {
        return; /* nothing ended: hold */
    }
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        metrology_phase_t *ph = &r->ph[k];
        if (!(m->mask & (1u << k))) {
            continue;
        }
        ph->v_rms = (float)sqrt(d->sv2[k] * d->hp_g2 / d->sdur);
        ph->i_rms = (float)sqrt(d->si2[k] * d->hp_g2 / d->sdur);
        ph->p = (float)(d->sp[k] * d->hp_g2 / d->sdur);
        ph->v_half_min = d->vmin[k] < 1e29f ? d->vmin[k] : ph->v_rms;
        ph->v_half_max = d->vmax[k];
    }
    if (m->cfg.connection == METROLOGY_CONN_3P4W) {
        r->i_neutral = (float)sqrt(d->sin2 * d->hp_g2 / d->sdur);
    }
}

static void second_end(metrology_t *m, metrology_dsp_t *d) {
    metrology_measures_t *r = &d->rec;

    d->seconds++;
    r->t_ms = (uint64_t)d->seconds * 1000u;
    r->interval_ms = 1000;
    r->flags = d->seconds <= SETTLE_S ? METROLOGY_FLAG_SETTLING : 0;
    second_rms(m, d, r);
    second_windows(m, d, r);
    if (d->sec_rises >= 2 && d->sec_rise_last > d->sec_rise_first) {
        r->frequency = (float)((double)d->fs * (double)(d->sec_rises - 1) /
                               (d->sec_rise_last - d->sec_rise_first));
    } else {
        r->frequency = m->cfg.fn_hz;
        r->flags |= METROLOGY_FLAG_FREQ_INVALID;
    }
    metrology_emit(m, r);

    /* Restart the second's aggregates. */
    memset(d->sv2, 0, sizeof(d->sv2));
    memset(d->si2, 0, sizeof(d->si2));
    memset(d->sp, 0, sizeof(d->sp));
    d->sin2 = d->sdur = 0.0;
    d->shc = 0;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        d->vmin[k] = 1e30f;
        d->vmax[k] = 0.0f;
    }
    d->sec_rises = 0;
    d->wins = 0;
    memset(d->w_p1, 0, sizeof(d->w_p1));
    memset(d->w_q1, 0, sizeof(d->w_q1));
    memset(d->w_v1, 0, sizeof(d->w_v1));
    memset(d->w_i1, 0, sizeof(d->w_i1));
    memset(d->w_vre, 0, sizeof(d->w_vre));
    memset(d->w_vim, 0, sizeof(d->w_vim));
    memset(d->w_thdv, 0, sizeof(d->w_thdv));
    memset(d->w_thdi, 0, sizeof(d->w_thdi));
    memset(d->w_harm, 0, sizeof(d->w_harm));
    d->w_u2 = d->w_u0 = 0.0;
    memset(d->w_vll, 0, sizeof(d->w_vll));
    d->n_sec = 0;
}

/* ---- per sample ------------------------------------------------------------- */

int metrology_dsp_process(metrology_t *m, const float *x, size_t nsets) {
    metrology_dsp_t *d;
    if (m == NULL || (x == NULL && nsets > 0)) {
        return METROLOGY_ERR_BADARG;
    }
    d = m->dsp;
    if (d == NULL) {
        return METROLOGY_ERR_NO_DSP;
    }
    for (size_t s = 0; s < nsets; s++, x += METROLOGY_DSP_CH) {
        float *y = d->hist[d->n & 3];
        for (int c = 0; c < METROLOGY_DSP_CH; c++) {
            float v = x[c] - d->dc[c];
            d->dc[c] += d->hp_k * v;
            y[c] = v;
        }
        if (m->mask != 7u) { /* unmeasured elements read zero */
            for (int k = 0; k < METROLOGY_PHASES; k++) {
                if (!(m->mask & (1u << k))) {
                    y[2 * k] = y[2 * k + 1] = 0.0f;
                }
            }
        }
        zero_cross(m, d, y);
        for (int k = 0; k < METROLOGY_PHASES; k++) {
            float v = y[2 * k], i = y[2 * k + 1];
            d->hv2[k] += v * v;
            d->hi2[k] += i * i;
            d->hp[k] += v * i;
        }
        {
            float in = y[1] + y[3] + y[5];
            d->hin2 += in * in;
        }
        d->hc_count++;
        d->rs_rel -= Q32_ONE;
        while (d->rs_rel < -Q32_ONE) {
            resample_point(m, d);
        }
        d->n++;
        if (++d->n_sec == d->fs) {
            second_end(m, d);
        }
    }
    return 0;
}
