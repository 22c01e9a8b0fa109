/*
 * metrology.h - the metrology engine of one meter: configuration, context
 * and the two sources that produce the measures record (measures.h).
 *
 *  - dsp: real sample processing. The caller hands in interleaved sample
 *    sets (v1, i1, v2, i2, v3, i3 in volts and amperes) at cfg.fs_hz; the
 *    engine removes DC, tracks the mains frequency, produces Urms(1/2)
 *    notifications every half cycle, analyses 10-cycle windows (IEC
 *    61000-4-7 DFT: fundamental phasors, reactive power, harmonics) and a
 *    measures record every fs samples. Its large state (about 30 KB) is a
 *    separate metrology_dsp_t the caller provides, so a fleet of meters
 *    that only uses the phasor source does not pay for it.
 *
 *  - phasor: the same record computed from phasor parameters (magnitudes,
 *    angles, harmonics, frequency) without samples, for the fleet and for
 *    accelerated time: a step may cover any duration.
 *
 * Results leave through callbacks (cfg.cb): one measures record per second
 * (or per phasor step), one Urms(1/2) notification per half cycle, and LED
 * pulses. Time is the sample clock: sample index / fs, from 0 at init;
 * the application maps it to UTC.
 */
#ifndef EMETER_METROLOGY_H
#define EMETER_METROLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"
#include "port.h"
#include "meter/metrology/energy.h"
#include "meter/metrology/measures.h"

/* Errors: -0x0A00..-0x0A0F of the meter application range. */
#define METROLOGY_ERR_BADARG     (-0x0A01) /* NULL pointer or bad length */
#define METROLOGY_ERR_CONFIG     (-0x0A02) /* configuration value out of range */
#define METROLOGY_ERR_NO_DSP     (-0x0A03) /* no dsp workspace attached */
#define METROLOGY_ERR_RANGE      (-0x0A04) /* phasor input not finite or out of range */
#define METROLOGY_ERR_SF_SYNTAX  (-0x0A08) /* sample file: malformed CSV field */
#define METROLOGY_ERR_SF_COLUMNS (-0x0A09) /* sample file: wrong number of columns */
#define METROLOGY_ERR_SF_NUMBER  (-0x0A0A) /* sample file: value not finite or too large */
#define METROLOGY_ERR_SF_TIME    (-0x0A0B) /* sample file: timestamps not uniform */
#define METROLOGY_ERR_SF_LINE    (-0x0A0C) /* sample file: line too long */
#define METROLOGY_ERR_SF_TRUNC   (-0x0A0D) /* sample file: ends inside a record */
#define METROLOGY_ERR_SF_RATE    (-0x0A0E) /* sample file: rate unknown or invalid */

struct metrology_dsp; /* dsp.h */

/* LED channels of the pulse callback. */
#define METROLOGY_LED_ACTIVE   0u
#define METROLOGY_LED_REACTIVE 1u

typedef struct metrology_callbacks {
    void *user;
    void (*measures)(void *user, const metrology_measures_t *m);
    void (*half_cycle)(void *user, const metrology_half_cycle_t *hc);
    /* count LED pulses on channel METROLOGY_LED_* at t_us on the sample
     * clock (end of the integration step, a mains cycle in dsp, that
     * completed them; more than one only in accelerated phasor steps). A
     * port flashes the LED here. */
    void (*pulse)(void *user, unsigned channel, uint32_t count, uint64_t t_us);
} metrology_callbacks_t;

typedef struct metrology_cfg {
    uint32_t fs_hz;           /* dsp sample rate, 1000..64000 */
    uint8_t connection;       /* enum metrology_connection */
    float un_v;               /* nominal element voltage (3P3W: line-to-line) */
    float fn_hz;              /* nominal frequency, 50 or 60 */
    float ib_a;               /* basic current Ib (Iref) */
    float imax_a;             /* maximum current */
    float noload_ib_fraction; /* no-load guard, fraction of Ib (0.002) */
    uint32_t imp_per_kwh;     /* active LED constant, 0 = off */
    uint32_t imp_per_kvarh;   /* reactive LED constant, 0 = off */
    bool net_sum;             /* direction of the three-phase sum (true) or per phase */
    float hp_cutoff_hz;       /* DC-removal high-pass corner */
    metrology_callbacks_t cb;
    /* When set, every LED pulse also goes to port->led_pulse (the meter's
     * LED / S0 output), after cb.pulse. */
    const em_port_t *port;
} metrology_cfg_t;

/* Phasor source input: one harmonic of one element. The harmonic of order
 * h of element x is sqrt(2) U_h sin(h (w t + theta_x) + u_deg) for the
 * voltage and sqrt(2) I_h sin(h (w t + theta_x) + u_deg - i_deg) for the
 * current: i_deg is the lag of the current harmonic behind the voltage
 * harmonic of the same order (metrology-facts §5 convention), and a
 * balanced set with equal u_deg has the natural sequence of its order. */
typedef struct metrology_phasor_harmonic {
    uint8_t order; /* 2..EM_METROLOGY_HARMONICS */
    float u_rms;   /* V */
    float u_deg;
    float i_rms; /* A */
    float i_deg;
} metrology_phasor_harmonic_t;

typedef struct metrology_phasor_phase {
    double u_rms;   /* V, fundamental */
    double i_rms;   /* A, fundamental */
    double u_deg;   /* voltage angle theta_x (L1 0, L2 -120, L3 +120 for ABC) */
    double phi_deg; /* current lag behind voltage, + inductive */
    uint8_t n_harm;
    metrology_phasor_harmonic_t harm[EM_METROLOGY_PHASOR_HARMONICS];
} metrology_phasor_phase_t;

typedef struct metrology_phasor_input {
    double freq_hz;
    metrology_phasor_phase_t ph[METROLOGY_PHASES];
} metrology_phasor_input_t;

typedef struct metrology {
    metrology_cfg_t cfg;
    metrology_energy_t energy;
    struct metrology_dsp *dsp; /* attached workspace or NULL */
    metrology_phasor_input_t phasor;
    uint64_t phasor_t_us; /* phasor source clock */
    uint8_t mask;         /* measured elements of the connection */
    /* Being built for the next record. */
    metrology_energy_delta_t delta;
    uint32_t pulses[2];
    unsigned estep_flags;
    uint32_t seq;
} metrology_t;

/* Defaults from emeter_config.h (seed meter: 3P4W 230 V 50 Hz, Ib 5 A,
 * Imax 100 A, 2000 imp/kWh and imp/kvarh, guard 0.2 % Ib, net sum,
 * 8 kHz, DC high-pass at 0.3 Hz), no callbacks. */
void metrology_cfg_default(metrology_cfg_t *cfg);

int metrology_init(metrology_t *m, const metrology_cfg_t *cfg);

/* Give the engine a dsp workspace (owned by the caller, lives as long as
 * m). Resets the sample clock and the dsp state. */
int metrology_dsp_attach(metrology_t *m, struct metrology_dsp *dsp);

/* Process nsets sample sets of 6 floats: v1, i1, v2, i2, v3, i3. Calls the
 * callbacks as half cycles, windows and seconds complete. */
int metrology_dsp_process(metrology_t *m, const float *samples, size_t nsets);

/* Set the phasor stimulus (copied). */
int metrology_phasor_set(metrology_t *m, const metrology_phasor_input_t *in);

/* Advance the phasor source by dt_ms (1..24 h): one half-cycle
 * notification and one measures record covering the step (interval_ms =
 * dt_ms). Steps above 1 h are integrated in 1 h slices. */
int metrology_phasor_step(metrology_t *m, uint32_t dt_ms);

/* The measured-element mask of a connection (bit k = element k+1). */
uint8_t metrology_connection_mask(uint8_t connection);

const char *metrology_strerror(int err);

/* ---- shared by the two sources (dsp.c, phasor.c), not for applications */

/* Integrate one energy step ending at t_us; LED pulses go to cb.pulse. */
void metrology_step_energy(metrology_t *m, const metrology_energy_step_t *st, uint64_t t_us);

/* Quadrant of an element for the record: NONE below the no-load guard. */
uint8_t metrology_element_quadrant(const metrology_t *m, float p, float q, float i_rms);

/* Complete rec (energy, pulses, seq, totals, quadrant) and hand it to
 * cb.measures; clears the energy being built. */
void metrology_emit(metrology_t *m, metrology_measures_t *rec);

#endif /* EMETER_METROLOGY_H */
