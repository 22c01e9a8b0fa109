/*
 * dsp.h - workspace of the sample-processing source (metrology.h has the
 * functions: metrology_dsp_attach(), metrology_dsp_process()).
 *
 * Processing chain per sample set (the "per-sample path", kept to a few
 * hundred instructions, see docs/metrology.md for the measured count):
 *   1. DC removal: first-order high-pass per channel (0.3 Hz). The same
 *      filter on V and I, so their phase relation is untouched.
 *   2. Zero crossings of the reference voltage (L1, or the next live
 *      phase when it is lost), armed by a dead band so noise on a dead
 *      phase cannot make crossings: they cut the stream into half cycles.
 *   3. Float sums of v^2, i^2, v*i per element and (i1+i2+i3)^2 over the
 *      current half cycle (80 samples at 8 kHz: float keeps 1e-6).
 *   4. A cubic (4-point Lagrange) resampler writes 1024 points per 10
 *      cycles of the tracked frequency into the window buffers.
 * Per half cycle: Urms(1/2) notification, sums moved to double. Per
 * cycle: one energy integration step. Per 10-cycle window: FFT, IEC
 * 61000-4-7 groups, fundamental phasors. Per second: the record.
 */
#ifndef EMETER_METROLOGY_DSP_H
#define EMETER_METROLOGY_DSP_H

#include <stdbool.h>
#include <stdint.h>

#include "emeter_config.h"
#include "meter/metrology/measures.h"

#define METROLOGY_DSP_CH 6 /* v1 i1 v2 i2 v3 i3 */

#if (EM_METROLOGY_FFT_N & (EM_METROLOGY_FFT_N - 1)) != 0 ||                                        \
    EM_METROLOGY_FFT_N / 2 <= 10 * EM_METROLOGY_HARMONICS + 5
#error "EM_METROLOGY_FFT_N must be a power of two above 2 * (10 * EM_METROLOGY_HARMONICS + 5)"
#endif

typedef struct metrology_dsp {
    /* Derived from the configuration at attach. */
    uint32_t fs;
    float hp_k;                    /* high-pass coefficient 2 pi fc / fs */
    float hp_g;                    /* 1 / |H(fn)| of the high-pass: applied to r.m.s. and phasors */
    float hp_g2;                   /* hp_g squared: applied to sums of squares and products */
    float zc_arm;                  /* V, dead band that re-arms a crossing detector */
    double half_nom;               /* nominal half period, samples */
    uint32_t hc_timeout;           /* samples without reference crossing before a forced cut */
    double period_min, period_max; /* tracking range (45..55 Hz at 50 Hz) */

    /* Sample clock. */
    uint64_t n;       /* index of the sample being processed */
    uint32_t n_sec;   /* samples of the current second */
    uint32_t seconds; /* records emitted */

    /* DC removal and zero crossings of the reference phase. */
    float dc[METROLOGY_DSP_CH];
    float prev_v;
    int8_t zc_pol;                  /* +1/-1: armed for a falling/rising crossing */
    uint8_t ref;                    /* reference phase for half cycles and frequency */
    float last_u[METROLOGY_PHASES]; /* latest Urms(1/2), to find a live phase */

    /* Current half cycle (float, per sample) and the previous one. */
    double hc_start;   /* position of its start, samples */
    uint32_t hc_count; /* samples accumulated */
    float hv2[METROLOGY_PHASES], hi2[METROLOGY_PHASES], hp[METROLOGY_PHASES], hin2;
    float pv2[METROLOGY_PHASES], pi2[METROLOGY_PHASES];
    double p_dur;

    /* Energy step being built: one full cycle (two half cycles). */
    double cp[METROLOGY_PHASES];
    uint32_t c_count;

    /* Whole half cycles that ended in the current second. */
    double sv2[METROLOGY_PHASES], si2[METROLOGY_PHASES], sp[METROLOGY_PHASES], sin2, sdur;
    uint16_t shc;
    float vmin[METROLOGY_PHASES], vmax[METROLOGY_PHASES];

    /* Frequency: rising crossings of the reference in the second/window. */
    double sec_rise_first, sec_rise_last;
    uint32_t sec_rises;
    double win_rise_first, win_rise_last;
    uint32_t win_rises;
    double period; /* samples per cycle, drives the resampler */

    /* Resampler and 10-cycle window. */
    float hist[4][METROLOGY_DSP_CH];
    int64_t rs_rel;  /* Q32.32: next output position minus newest sample */
    int64_t rs_step; /* Q32.32: input samples per output point */
    uint32_t rs_k;   /* points in the window so far */
    uint32_t rs_j;   /* where point rs_k goes: bit-reversed rs_k */
    float win[METROLOGY_PHASES][2 * EM_METROLOGY_FFT_N]; /* v + j i per point */
    float tw[EM_METROLOGY_FFT_N];

    /* Results of the latest window (held for the energy steps). */
    float q1[METROLOGY_PHASES];

    /* Windows that ended in the current second. */
    uint16_t wins;
    double w_p1[METROLOGY_PHASES], w_q1[METROLOGY_PHASES];      /* sum of V1 conj(I1) */
    double w_v1[METROLOGY_PHASES], w_i1[METROLOGY_PHASES];      /* sum of |V1|^2, |I1|^2 */
    double w_vre[METROLOGY_PHASES], w_vim[METROLOGY_PHASES];    /* sum of Vk conj(V1)/|V1| */
    double w_thdv[METROLOGY_PHASES], w_thdi[METROLOGY_PHASES];  /* sum of THD^2 */
    float w_harm[METROLOGY_PHASES][EM_METROLOGY_HARMONICS + 1]; /* sum of %^2 */
    double w_u2, w_u0, w_vll[3];
    uint8_t w_seq;

    metrology_measures_t rec; /* window fields hold when no window ends */
} metrology_dsp_t;

#endif /* EMETER_METROLOGY_DSP_H */
