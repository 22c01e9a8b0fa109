/*
 * energy.c - four-quadrant energy integration with carried remainders,
 * no-load guard and LED pulses. See energy.h for the arithmetic and why
 * step length does not change the registered total.
 *
 * Double precision is used here (a few dozen operations per mains cycle,
 * not per sample): a step of 23 kW for 1 h is 8.3e16 nJ, beyond float and
 * beyond the 2^53 exact range of double only by its last bits (< 16 nJ).
 */
#include "meter/metrology/energy.h"

#include <string.h>

void metrology_energy_init(metrology_energy_t *e, const metrology_energy_cfg_t *cfg) {
    memset(e, 0, sizeof(*e));
    e->cfg = *cfg;
}

uint8_t metrology_quadrant(double p, double q) {
    if (p >= 0.0) {
        return q >= 0.0 ? METROLOGY_QUADRANT_1 : METROLOGY_QUADRANT_4;
    }
    return q >= 0.0 ? METROLOGY_QUADRANT_2 : METROLOGY_QUADRANT_3;
}

/* Largest step energy taken, nJ: 2.3e18 (2.3 GJ, 640 MWh), far beyond
 * Imax for an hour, and small enough that remainders, deltas and pulse
 * accumulators can never overflow int64 even on absurd input. */
#define STEP_NJ_MAX 2.3e18

/* Joules (>= 0) to nanojoules, rounded to nearest. */
static int64_t to_nj(double joules) {
    double nj = joules * 1e9 + 0.5;
    if (!(nj >= 1.0)) { /* also catches NaN */
        return 0;
    }
    return nj < STEP_NJ_MAX ? (int64_t)nj : (int64_t)STEP_NJ_MAX;
}

/* Add energy to one register and move the whole µ-units into the delta. */
static void credit(metrology_energy_t *e, metrology_energy_delta_t *d, int reg, int64_t nj) {
    int64_t r = e->rem_nj[reg] + nj;
    int64_t whole = r / METROLOGY_NJ_PER_UWH;
    e->rem_nj[reg] = r - whole * METROLOGY_NJ_PER_UWH;
    d->reg[reg] += whole;
}

static uint32_t pulses_out(int64_t *acc, int64_t nj, int64_t per_pulse) {
    uint32_t n = 0;
    if (per_pulse <= 0) {
        return 0;
    }
    *acc += nj;
    if (*acc >= per_pulse) {
        int64_t k = *acc / per_pulse;
        *acc -= k * per_pulse;
        n = (uint32_t)k;
    }
    return n;
}

/* Guarded element powers: zero when the no-load guard holds. */
typedef struct guarded {
    double p[METROLOGY_PHASES], q[METROLOGY_PHASES], s[METROLOGY_PHASES];
    unsigned flags;
} guarded_t;

static void apply_guard(const metrology_energy_cfg_t *c, const metrology_energy_step_t *st,
                        guarded_t *g) {
    memset(g, 0, sizeof(*g));
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        if (!(st->mask & (1u << k)) || st->i_rms[k] < c->i_guard_a) {
            continue;
        }
        bool act = st->p[k] >= c->p_guard_w || -st->p[k] >= c->p_guard_w;
        bool rea = st->q[k] >= c->p_guard_w || -st->q[k] >= c->p_guard_w;
        if (act) {
            g->p[k] = st->p[k];
            g->flags |= METROLOGY_ESTEP_ACTIVE;
        }
        if (rea) {
            g->q[k] = st->q[k];
            g->flags |= METROLOGY_ESTEP_REACTIVE;
        }
        if (act || rea) {
            g->s[k] = st->s[k];
        }
    }
}

/* Active, reactive and apparent energy of one (P, Q, S) by direction and
 * quadrant. Returns |active| and |reactive| energy in nJ for the LEDs. */
static void credit_pqs(metrology_energy_t *e, metrology_energy_delta_t *d, double p, double q,
                       double s, double dt, int64_t led[2]) {
    int64_t a = to_nj(p >= 0.0 ? p * dt : -p * dt);
    int64_t r = to_nj(q >= 0.0 ? q * dt : -q * dt);
    int64_t ap = to_nj(s * dt);
    static const int rq[5] = {0, METROLOGY_E_R1, METROLOGY_E_R2, METROLOGY_E_R3, METROLOGY_E_R4};

    credit(e, d, p >= 0.0 ? METROLOGY_E_A_PLUS : METROLOGY_E_A_MINUS, a);
    credit(e, d, rq[metrology_quadrant(p, q)], r);
    credit(e, d, p >= 0.0 ? METROLOGY_E_S_PLUS : METROLOGY_E_S_MINUS, ap);
    led[0] += a;
    led[1] += r;
}

unsigned metrology_energy_integrate(metrology_energy_t *e, const metrology_energy_step_t *st,
                                    metrology_energy_delta_t *delta, uint32_t pulses[2]) {
    guarded_t g;
    int64_t led[2] = {0, 0};
    double dt = st->dt_s;

    if (!(dt > 0.0)) {
        return 0;
    }
    apply_guard(&e->cfg, st, &g);

    if (e->cfg.net_sum) {
        double p = 0.0, q = 0.0, s = 0.0;
        for (int k = 0; k < METROLOGY_PHASES; k++) {
            p += g.p[k];
            q += g.q[k];
            s += g.s[k];
        }
        credit_pqs(e, delta, p, q, s, dt, led);
    } else {
        for (int k = 0; k < METROLOGY_PHASES; k++) {
            credit_pqs(e, delta, g.p[k], g.q[k], g.s[k], dt, led);
        }
    }
    /* Per-phase registers always follow each element's own direction. */
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        double p = g.p[k];
        credit(e, delta, (p >= 0.0 ? METROLOGY_E_A_PLUS_L1 : METROLOGY_E_A_MINUS_L1) + k,
               to_nj(p >= 0.0 ? p * dt : -p * dt));
    }
    pulses[0] += pulses_out(&e->pulse_nj[0], led[0], e->cfg.pulse_nj_active);
    pulses[1] += pulses_out(&e->pulse_nj[1], led[1], e->cfg.pulse_nj_reactive);
    return g.flags;
}
