/*
 * test_metrology_stim.h - stimulus generator, 24-bit ADC model and run
 * helpers shared by the metrology and power-quality tests (host only).
 *
 * Signal model of metrology-facts §5: u_x(t) = sqrt(2) U sin(w t + theta_x)
 * + harmonics, i_x(t) = sqrt(2) I sin(w t + theta_x - phi), phi > 0 lagging;
 * harmonic h of element x is sqrt(2) U_h sin(h (w t + theta_x) + u_deg) and
 * sqrt(2) I_h sin(h (w t + theta_x) + u_deg - i_deg), the convention of the
 * phasor source (metrology.h), so the same stimulus drives both sources.
 * Synthesis is in double; the phase accumulates per sample so frequency
 * changes stay continuous.
 */
#ifndef TEST_METROLOGY_STIM_H
#define TEST_METROLOGY_STIM_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "meter/metrology/dsp.h"
#include "meter/metrology/metrology.h"

#define STIM_PI 3.14159265358979323846

/* Deterministic PRNG (splitmix64) and Gaussian (Box-Muller). */
typedef struct stim_rng {
    uint64_t s;
    int have;
    double spare;
} stim_rng_t;

static inline uint64_t stim_rng_u64(stim_rng_t *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline double stim_rng_uniform(stim_rng_t *r) /* (0, 1) */
{
    return ((double)(stim_rng_u64(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static inline double stim_rng_gauss(stim_rng_t *r) {
    double u, v;
    if (r->have) {
        r->have = 0;
        return r->spare;
    }
    u = stim_rng_uniform(r);
    v = stim_rng_uniform(r);
    r->spare = sqrt(-2.0 * log(u)) * sin(2.0 * STIM_PI * v);
    r->have = 1;
    return sqrt(-2.0 * log(u)) * cos(2.0 * STIM_PI * v);
}

/* 24-bit ADC: full scale +/- fs_v and +/- fs_i (peak), rounding to the
 * code, Gaussian noise of noise_lsb codes r.m.s., clipping. */
typedef struct stim_adc {
    int on;
    double fs_v, fs_i;
    double noise_lsb;
} stim_adc_t;

typedef struct stim {
    double fs;    /* sample rate */
    double f;     /* fundamental frequency */
    double phase; /* accumulated w t, rad */
    uint64_t n;
    metrology_phasor_input_t ph; /* the same parameters as the phasor source */
    double i_dc[3];              /* A, DC added to the currents */
    double i_noise[3];           /* A r.m.s. white noise added to the currents */
    stim_adc_t adc;
    stim_rng_t rng;
} stim_t;

/* Balanced ABC set: U, I, phi on every phase; 50 Hz; ideal converter. */
static inline void stim_init(stim_t *s, double fs, double u, double i, double phi_deg) {
    static const double theta[3] = {0.0, -120.0, 120.0};
    memset(s, 0, sizeof(*s));
    s->fs = fs;
    s->f = 50.0;
    s->ph.freq_hz = 50.0;
    s->rng.s = 12345;
    for (int k = 0; k < 3; k++) {
        s->ph.ph[k].u_rms = u;
        s->ph.ph[k].i_rms = i;
        s->ph.ph[k].u_deg = theta[k];
        s->ph.ph[k].phi_deg = phi_deg;
    }
}

static inline void stim_add_harmonic(stim_t *s, int k, int order, double u, double u_deg, double i,
                                     double i_deg) {
    metrology_phasor_phase_t *p = &s->ph.ph[k];
    metrology_phasor_harmonic_t *h = &p->harm[p->n_harm++];
    h->order = (uint8_t)order;
    h->u_rms = (float)u;
    h->u_deg = (float)u_deg;
    h->i_rms = (float)i;
    h->i_deg = (float)i_deg;
}

static inline void stim_set_freq(stim_t *s, double f) {
    s->f = f;
    s->ph.freq_hz = f;
}

static inline double stim_adc(stim_t *s, double x, double full) {
    double code;
    if (!s->adc.on) {
        return x;
    }
    code = x / full * 8388608.0;
    if (s->adc.noise_lsb > 0.0) {
        code += s->adc.noise_lsb * stim_rng_gauss(&s->rng);
    }
    code = floor(code + 0.5);
    if (code > 8388607.0) {
        code = 8388607.0;
    } else if (code < -8388608.0) {
        code = -8388608.0;
    }
    return code * full / 8388608.0;
}

/* nsets sample sets v1 i1 v2 i2 v3 i3 into out. The fundamental of each
 * phase is sin(wt + a) = sin(wt) cos(a) + cos(wt) sin(a) with the phase
 * rotations taken once per call: one sin/cos pair per sample set keeps
 * long runs under the sanitizers fast. Harmonics use sin() directly. */
static inline void stim_generate(stim_t *s, float *out, size_t nsets) {
    const double d2r = STIM_PI / 180.0;
    double rv[3][2], ri[3][2];
    for (int k = 0; k < 3; k++) {
        const metrology_phasor_phase_t *p = &s->ph.ph[k];
        double a = p->u_deg * d2r, b = (p->u_deg - p->phi_deg) * d2r;
        rv[k][0] = sqrt(2.0) * p->u_rms * cos(a);
        rv[k][1] = sqrt(2.0) * p->u_rms * sin(a);
        ri[k][0] = sqrt(2.0) * p->i_rms * cos(b);
        ri[k][1] = sqrt(2.0) * p->i_rms * sin(b);
    }
    for (size_t n = 0; n < nsets; n++) {
        double wt = s->phase, sw = sin(wt), cw = cos(wt);
        for (int k = 0; k < 3; k++) {
            const metrology_phasor_phase_t *p = &s->ph.ph[k];
            double v = sw * rv[k][0] + cw * rv[k][1];
            double i = sw * ri[k][0] + cw * ri[k][1];
            for (int j = 0; j < p->n_harm; j++) {
                const metrology_phasor_harmonic_t *h = &p->harm[j];
                double ah = h->order * (wt + p->u_deg * d2r) + h->u_deg * d2r;
                v += sqrt(2.0) * h->u_rms * sin(ah);
                i += sqrt(2.0) * h->i_rms * sin(ah - h->i_deg * d2r);
            }
            i += s->i_dc[k];
            if (s->i_noise[k] > 0.0) {
                i += s->i_noise[k] * stim_rng_gauss(&s->rng);
            }
            out[6 * n + 2 * k] = (float)stim_adc(s, v, s->adc.fs_v);
            out[6 * n + 2 * k + 1] = (float)stim_adc(s, i, s->adc.fs_i);
        }
        s->phase += 2.0 * STIM_PI * s->f / s->fs;
        if (s->phase > 2.0 * STIM_PI) {
            s->phase -= 2.0 * STIM_PI;
        }
        s->n++;
    }
}

/* ---- collecting what the engine reports ---------------------------------- */

#define COLLECT_MAX_REC 128

typedef struct collect {
    metrology_measures_t last;
    metrology_measures_t rec[COLLECT_MAX_REC]; /* first records, for inspection */
    unsigned nrec;
    int64_t energy[METROLOGY_E_COUNT]; /* sum of the deltas */
    uint64_t pulses[2];
    uint64_t first_pulse_us[2];
    uint64_t half_cycles;
    metrology_half_cycle_t last_hc;
    /* Optional chaining (power quality tests). */
    void (*on_half)(void *user, const metrology_half_cycle_t *hc);
    void (*on_rec)(void *user, const metrology_measures_t *m);
    void *user;
} collect_t;

static inline void collect_measures(void *user, const metrology_measures_t *m) {
    collect_t *c = (collect_t *)user;
    if (c->nrec < COLLECT_MAX_REC) {
        c->rec[c->nrec] = *m;
    }
    c->nrec++;
    c->last = *m;
    for (int k = 0; k < METROLOGY_E_COUNT; k++) {
        c->energy[k] += m->energy.reg[k];
    }
    if (c->on_rec) {
        c->on_rec(c->user, m);
    }
}

static inline void collect_half(void *user, const metrology_half_cycle_t *hc) {
    collect_t *c = (collect_t *)user;
    c->half_cycles++;
    c->last_hc = *hc;
    if (c->on_half) {
        c->on_half(c->user, hc);
    }
}

static inline void collect_pulse(void *user, unsigned ch, uint32_t count, uint64_t t_us) {
    collect_t *c = (collect_t *)user;
    if (ch < 2) {
        if (c->pulses[ch] == 0) {
            c->first_pulse_us[ch] = t_us;
        }
        c->pulses[ch] += count;
    }
}

static inline void collect_reset_energy(collect_t *c) {
    memset(c->energy, 0, sizeof(c->energy));
    c->pulses[0] = c->pulses[1] = 0;
}

static inline void collect_cfg(metrology_cfg_t *cfg, collect_t *c) {
    memset(c, 0, sizeof(*c));
    cfg->cb.user = c;
    cfg->cb.measures = collect_measures;
    cfg->cb.half_cycle = collect_half;
    cfg->cb.pulse = collect_pulse;
}

/* Run the dsp source for a whole number of samples. */
static inline void stim_run(metrology_t *m, stim_t *s, double seconds) {
    float buf[6 * 800];
    uint64_t total = (uint64_t)(seconds * s->fs + 0.5);
    while (total > 0) {
        size_t k = total > 800 ? 800 : (size_t)total;
        stim_generate(s, buf, k);
        if (metrology_dsp_process(m, buf, k) != 0) {
            fprintf(stderr, "dsp_process failed\n");
            return;
        }
        total -= k;
    }
}

static inline double rel_err(double got, double want) {
    return (got - want) / want;
}

#endif /* TEST_METROLOGY_STIM_H */
