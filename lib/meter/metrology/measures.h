/*
 * measures.h - what the metrology engine tells the metering application.
 *
 * Two records cross the boundary between metrology (the dsp or the phasor
 * source) and everything that uses its results (registers, profiles, power
 * quality, display):
 *
 *  - metrology_measures_t, once a second (made of the 10-cycle, about
 *    0.2 s, basic intervals of IEC 61000-4-30, as the CompactIQ manual
 *    describes): r.m.s. values, powers, power factors, angles, THD,
 *    frequency, neutral current, sequence, unbalance, and the energy
 *    registered during the second, split per direction and quadrant in
 *    integer micro-units so a consumer only adds integers.
 *
 *  - metrology_half_cycle_t, every half cycle: Urms(1/2) per IEC
 *    61000-4-30 (r.m.s. over one cycle, refreshed every half cycle), the
 *    input of dip/swell/outage detection in lib/meter/pq.
 *
 * Sign and quadrant conventions (IEC 62053-23 figure, metrology-facts
 * §1.3): phi is the angle by which the current lags its voltage; P = U I
 * cos phi is positive for import, Q = U I sin phi is positive when the
 * current lags (inductive). Q1: P >= 0, Q >= 0 (R1, OBIS 1.0.5.8.0); Q2:
 * P < 0, Q >= 0 (R2, 1.0.6.8.0); Q3: P < 0, Q < 0 (R3, 1.0.7.8.0); Q4:
 * P >= 0, Q < 0 (R4, 1.0.8.8.0). P = 0 counts as import.
 *
 * Definitions chosen (docs/metrology.md explains each):
 *  - P is the total active power (fundamental and harmonics), IEC 62053-21.
 *  - Q is the fundamental reactive power, IEC 62053-24.
 *  - S = Urms * Irms per phase (harmonics included); total S is the
 *    arithmetic sum of the phase values; PF = P / S, so it carries the sign
 *    of P; the quadrant tells inductive from capacitive.
 *  - THD is the IEC 61000-4-7 group THD up to order 40, in % of the
 *    fundamental group, 10-cycle windows r.m.s.-aggregated over the second.
 *  - Energy units: µWh (active), µvarh (reactive), µVAh (apparent).
 */
#ifndef EMETER_METROLOGY_MEASURES_H
#define EMETER_METROLOGY_MEASURES_H

#include <stdint.h>

#include "emeter_config.h"

#define METROLOGY_PHASES 3

/* Quadrant of the IEC 62053-23 figure; NONE when the no-load guard holds. */
enum metrology_quadrant {
    METROLOGY_QUADRANT_NONE = 0,
    METROLOGY_QUADRANT_1 = 1,
    METROLOGY_QUADRANT_2 = 2,
    METROLOGY_QUADRANT_3 = 3,
    METROLOGY_QUADRANT_4 = 4,
};

/* Voltage phase sequence. UNKNOWN while a phase is missing (TC-10). */
enum metrology_sequence {
    METROLOGY_SEQ_UNKNOWN = 0,
    METROLOGY_SEQ_ABC = 1, /* L1 -> L2 -> L3, L2 lags L1 by 120 degrees */
    METROLOGY_SEQ_ACB = 2, /* reversed */
};

/* Network connection (seed meter: "1P2W, 3P3W, 3P4W"). In 3P3W the meter
 * has two measuring elements on L1 and L3 with line-to-line voltages U12
 * and U32 (two-wattmeter method); element 2 reads zero. */
enum metrology_connection {
    METROLOGY_CONN_3P4W = 0,
    METROLOGY_CONN_3P3W = 1,
    METROLOGY_CONN_1P2W = 2,
};

/* metrology_measures_t.flags */
#define METROLOGY_FLAG_FREQ_INVALID 0x0001u /* < 2 zero crossings: f is nominal */
#define METROLOGY_FLAG_NO_WINDOW    0x0002u /* no 10-cycle window ended: Q/THD held */
#define METROLOGY_FLAG_OVERLOAD     0x0004u /* some Irms above Imax */
#define METROLOGY_FLAG_NO_LOAD      0x0008u /* no-load guard held every phase */
#define METROLOGY_FLAG_SETTLING     0x0010u /* first seconds: DC filters settling */
#define METROLOGY_FLAG_PHASOR       0x0020u /* produced by the phasor source */

/* Index of each energy register in metrology_energy_delta_t.reg[]. */
enum metrology_ereg {
    METROLOGY_E_A_PLUS = 0, /* 1.0.1.8.0  active import, µWh */
    METROLOGY_E_A_MINUS,    /* 1.0.2.8.0  active export, µWh */
    METROLOGY_E_R1,         /* 1.0.5.8.0  reactive Q1, µvarh */
    METROLOGY_E_R2,         /* 1.0.6.8.0  reactive Q2 */
    METROLOGY_E_R3,         /* 1.0.7.8.0  reactive Q3 */
    METROLOGY_E_R4,         /* 1.0.8.8.0  reactive Q4 */
    METROLOGY_E_S_PLUS,     /* 1.0.9.8.0  apparent, import side, µVAh */
    METROLOGY_E_S_MINUS,    /* 1.0.10.8.0 apparent, export side */
    METROLOGY_E_A_PLUS_L1,  /* 1.0.21.8.0 (L2: 41.8, L3: 61.8) */
    METROLOGY_E_A_PLUS_L2,
    METROLOGY_E_A_PLUS_L3,
    METROLOGY_E_A_MINUS_L1, /* 1.0.22.8.0 (L2: 42.8, L3: 62.8) */
    METROLOGY_E_A_MINUS_L2,
    METROLOGY_E_A_MINUS_L3,
    METROLOGY_E_COUNT
};

/* Energy registered during one record interval, per register, in µWh,
 * µvarh or µVAh. Always >= 0: direction and quadrant are in the index.
 * +R (1.0.3.8.0) = R1 + R2 and -R (1.0.4.8.0) = R3 + R4. */
typedef struct metrology_energy_delta {
    int64_t reg[METROLOGY_E_COUNT];
} metrology_energy_delta_t;

/* One measuring element (a phase in 3P4W/1P2W). */
typedef struct metrology_phase {
    float v_rms;      /* V, whole cycles of the second */
    float i_rms;      /* A */
    float p;          /* W, total active power, + import */
    float q;          /* var, fundamental reactive power, + inductive */
    float s;          /* VA, v_rms * i_rms */
    float pf;         /* P / S, signed like P; 0 when S is 0 */
    float angle;      /* degrees, current fundamental lagging voltage (-180, 180] */
    float v_angle;    /* degrees, voltage fundamental relative to L1 (-180, 180] */
    float v_fund;     /* V, fundamental (group 1 bin) r.m.s. */
    float i_fund;     /* A */
    float thd_v;      /* %, IEC 61000-4-7 group THD, orders 2..40 */
    float thd_i;      /* %; 0 below the no-load guard current */
    float v_half_min; /* V, lowest Urms(1/2) during the second */
    float v_half_max; /* V, highest Urms(1/2) during the second */
    uint8_t quadrant; /* enum metrology_quadrant of this element */
} metrology_phase_t;

typedef struct metrology_measures {
    uint32_t seq;         /* record number, from 0 */
    uint64_t t_ms;        /* end of the interval, ms on the sample clock */
    uint32_t interval_ms; /* 1000, or the step of an accelerated phasor run */
    uint16_t flags;       /* METROLOGY_FLAG_* */
    uint8_t connection;   /* enum metrology_connection */
    uint8_t sequence;     /* enum metrology_sequence */
    uint16_t half_cycles; /* half cycles that ended in the interval */
    uint16_t windows;     /* 10-cycle windows that ended in the interval */

    float frequency; /* Hz, whole cycles counted in the interval / their time */
    metrology_phase_t ph[METROLOGY_PHASES];
    float p, q, s, pf; /* totals: sums over elements; pf = p / s */
    uint8_t quadrant;  /* of the totals (net sum), enum metrology_quadrant */
    float i_neutral;   /* A, r.m.s. of i1 + i2 + i3 (3P4W only) */
    float u2;          /* %, negative / positive sequence of the fundamentals */
    float u0;          /* %, zero / positive sequence (3P4W only) */
    float v_ll[3];     /* V, fundamental line-to-line U12, U23, U31 */
    /* Voltage harmonic groups (IEC 61000-4-7) in % of the fundamental
     * group, index = order (0 and 1 unused). */
    float v_harm[METROLOGY_PHASES][EM_METROLOGY_HARMONICS + 1];

    metrology_energy_delta_t energy; /* registered during the interval */
    uint32_t pulses_active;          /* LED pulses emitted (imp/kWh) */
    uint32_t pulses_reactive;        /* LED pulses emitted (imp/kvarh) */
} metrology_measures_t;

/* Urms(1/2) notification (IEC 61000-4-30 5.4.2): r.m.s. over one cycle
 * ending at a zero crossing of the reference voltage, every half cycle.
 * The phasor source sends one per step, with duration_us = the step. */
typedef struct metrology_half_cycle {
    uint64_t t_us;                 /* end of the window, µs on the sample clock */
    uint32_t duration_us;          /* since the previous notification */
    float v_rms[METROLOGY_PHASES]; /* V */
    float i_rms[METROLOGY_PHASES]; /* A */
} metrology_half_cycle_t;

#endif /* EMETER_METROLOGY_MEASURES_H */
