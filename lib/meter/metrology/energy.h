/*
 * energy.h - four-quadrant energy integration with carried remainders,
 * no-load guard and LED pulse outputs.
 *
 * Both metrology sources call metrology_energy_integrate() once per
 * integration step (a mains cycle in dsp, a phasor step of any length) with
 * the mean powers of each measuring element over the step. The step
 * energy is converted to integer nanojoules and added to a per-register
 * remainder; whole µWh (µvarh, µVAh) leave as the delta and the rest stays
 * for the next step. Because the remainder is carried, the registered
 * total after any sequence of steps is floor(sum of step energies / 1 µWh)
 * whatever the step lengths are: one 1-hour step registers exactly what
 * 3600 one-second steps do (to the 0.5 nJ rounding of each step). This is
 * what lets a year of constant load run in 8760 steps and land within 1 ppm
 * of P * t.
 *
 * No-load guard (creep, IEC 62053-21 / CompactIQ "0.2 % of Ib"): an
 * element registers active energy only when its current is at least
 * i_guard_a AND |P| is at least p_guard_w (= Un * i_guard, 2.3 W for the
 * seed meter); reactive likewise with |Q|. The current test stops the
 * 264.5 V / 9 mA case of TC-14 that the power test alone would pass; the
 * power test stops noise and crosstalk currents with little in-phase
 * power. Starting current 0.4 % Ib (20 mA, 4.6 W) is above both.
 *
 * LED pulses: 2000 imp/kWh is 0.5 Wh = 1800 J = 1.8e12 nJ per pulse. The active LED
 * counts |registered active energy| (import and export), the reactive LED
 * |registered reactive energy|.
 */
#ifndef EMETER_METROLOGY_ENERGY_H
#define EMETER_METROLOGY_ENERGY_H

#include <stdbool.h>
#include <stdint.h>

#include "meter/metrology/measures.h"

/* nJ in one µWh: the unit of the registers. */
#define METROLOGY_NJ_PER_UWH 3600000LL

typedef struct metrology_energy_cfg {
    float i_guard_a;           /* no-load guard current per element */
    float p_guard_w;           /* no-load guard |P| per element (also |Q| in var) */
    int64_t pulse_nj_active;   /* energy per active LED pulse, nJ */
    int64_t pulse_nj_reactive; /* energy per reactive LED pulse, nJ */
    bool net_sum;              /* true: direction and quadrant of the vector sum of the
                                * elements (MID practice); false: per element */
} metrology_energy_cfg_t;

typedef struct metrology_energy {
    metrology_energy_cfg_t cfg;
    int64_t rem_nj[METROLOGY_E_COUNT]; /* carried remainder, 0 <= r < 1 µWh */
    int64_t pulse_nj[2];               /* LED accumulators: active, reactive */
} metrology_energy_t;

/* Mean values of one integration step. Elements whose bit is clear in
 * mask are ignored (3P3W element 2, 1P2W elements 2 and 3). */
typedef struct metrology_energy_step {
    double dt_s;                   /* step length, s (0 < dt <= 3600) */
    double p[METROLOGY_PHASES];    /* W */
    double q[METROLOGY_PHASES];    /* var (fundamental) */
    double s[METROLOGY_PHASES];    /* VA */
    float i_rms[METROLOGY_PHASES]; /* A, for the no-load guard */
    uint8_t mask;                  /* bit k: element k is measured */
} metrology_energy_step_t;

/* Result flags of one step. */
#define METROLOGY_ESTEP_ACTIVE   0x01u /* some element passed the active guard */
#define METROLOGY_ESTEP_REACTIVE 0x02u /* some element passed the reactive guard */

void metrology_energy_init(metrology_energy_t *e, const metrology_energy_cfg_t *cfg);

/* Integrate one step: adds whole units to delta->reg[] and LED pulses to
 * pulses[0] (active) and pulses[1] (reactive). Returns METROLOGY_ESTEP_*. */
unsigned metrology_energy_integrate(metrology_energy_t *e, const metrology_energy_step_t *st,
                                    metrology_energy_delta_t *delta, uint32_t pulses[2]);

/* Quadrant of (P, Q) per the IEC 62053-23 figure; P = 0 counts as import. */
uint8_t metrology_quadrant(double p, double q);

#endif /* EMETER_METROLOGY_ENERGY_H */
