/*
 * loadsim.h - deterministic household load simulator: the stimulus of the
 * metrology phasor source (metrology.h) for virtual meters and fleets.
 *
 * A household is described by a loadsim_cfg_t (seed, annual consumption,
 * PV peak power, phases, nominal voltage, time zone offset). The load at
 * an instant is a pure function of (configuration, UTC second): every
 * random choice comes from a counter-based hash (splitmix64 finaliser) of
 * the seed and a time bucket (the day for appliance starts and clouds, the
 * quarter hour for load noise, the minute for frequency), never from a
 * sequential generator. So the same seed and instant give the same load
 * whatever the evaluation order or step: accelerated time (--speed) and
 * real time agree, a restarted meter continues the same curve, and a
 * fleet of thousands of meters needs only this small const context each.
 *
 * Model (docs/loadsim.md): continuous household load with daily, weekly
 * and seasonal shapes and quarter-hour noise, appliance events drawn per
 * day (kettle, washing machine, oven, ...), a fridge compressor cycle, an
 * optional heat pump, PV generation by day of year with clear and cloudy
 * days, voltage drift and load-dependent drop, optional short dips, small
 * 3rd/5th/7th harmonics and a frequency drift around nominal. Output is
 * per-phase active and reactive power (loadsim_sample) or the phasor input
 * of the metrology engine (loadsim_eval), 3P4W (or 1P2W on phase L1).
 */
#ifndef EMETER_METER_LOADSIM_H
#define EMETER_METER_LOADSIM_H

#include <stdint.h>

#include "emeter_config.h"
#include "meter/metrology/metrology.h"

/* Errors: -0x0A90..-0x0A9F of the meter application range. */
#define LOADSIM_ERR_BADARG (-0x0A91) /* NULL pointer */
#define LOADSIM_ERR_CONFIG (-0x0A92) /* configuration value out of range */
#define LOADSIM_ERR_TIME   (-0x0A93) /* UTC instant outside +-LOADSIM_UTC_LIMIT */

/* Instants accepted by the evaluators: about +-3000 years around 1970,
 * far inside the exact integer range of a double. */
#define LOADSIM_UTC_LIMIT INT64_C(100000000000)

/* Summer time rule of the household's local time (its habits follow the
 * clock on the wall; the sun does not: PV and seasons use standard time). */
enum loadsim_dst {
    LOADSIM_DST_NONE = 0,
    LOADSIM_DST_EU = 1, /* last Sunday of March to last Sunday of October, 01:00 UTC */
};

typedef struct loadsim_cfg {
    uint64_t seed;            /* household identity: same seed, same curve */
    double annual_kwh;        /* household consumption per year (heat pump excluded) */
    double pv_kwp;            /* PV peak power, 0 = no PV */
    double heat_pump_kw;      /* heat pump electrical input, 0 = none (adds to annual_kwh) */
    uint8_t phases;           /* connected phases, bit k = L(k+1): 0x7 3P4W, 0x1 1P2W */
    uint8_t pv_phases;        /* phases the PV inverter feeds (subset of phases) */
    double phase_share[3];    /* split of the continuous load over L1..L3 (normalised) */
    double un_v;              /* nominal phase voltage */
    double fn_hz;             /* nominal frequency */
    double imax_a;            /* currents are limited to this (meter Imax) */
    int32_t tz_offset_s;      /* standard local time = UTC + this */
    uint8_t dst;              /* enum loadsim_dst: summer time rule of local time */
    double voltage_drift_pct; /* amplitude of the slow supply voltage drift, 0..5 % */
    double grid_ohm;          /* source resistance per phase for the load-dependent drop */
    double dips_per_year;     /* expected voltage dips per year, 0 = none */
} loadsim_cfg_t;

/* The context: the configuration plus what init derives from it. Never
 * written by the evaluators (const), so one context may serve readers. */
typedef struct loadsim {
    loadsim_cfg_t cfg;
    uint64_t key;            /* mixed seed */
    double cont_w;           /* mean power of the continuous load */
    double share[3];         /* normalised continuous-load split */
    double app_prob_scale;   /* appliance use probability scale (annual / reference) */
    double app_mean_w;       /* expected appliance and fridge power (for docs and tests) */
    double fridge_w;         /* fridge compressor power, scaled down for small households */
    int32_t fridge_offset_s; /* phase of the compressor cycle */
    uint8_t fridge_phase;
    double shape_norm[2]; /* 1 / mean of the weekday and weekend daily tables */
    uint8_t n_phases;     /* connected phases */
    uint8_t n_pv_phases;
} loadsim_t;

/* Per-phase powers at one instant (import positive, W and var). */
typedef struct loadsim_sample {
    double load_w[3]; /* household consumption */
    double load_var[3];
    double pv_w[3];  /* PV generation (>= 0) */
    double net_w[3]; /* load - PV: negative = export */
    double u_v[3];   /* fundamental phase voltage */
    double freq_hz;
} loadsim_sample_t;

/* Defaults: seed 1, EM_LOADSIM_ANNUAL_KWH, no PV, no heat pump, 3P4W with
 * an uneven 40/35/25 % split, the meter's nominal ratings from
 * emeter_config.h, UTC+1 with EU summer time, EM_LOADSIM_DRIFT_PCT, EM_LOADSIM_GRID_MOHM, no
 * dips. */
void loadsim_cfg_default(loadsim_cfg_t *cfg);

/* Validate cfg and derive the model constants. ls is untouched on error. */
int loadsim_init(loadsim_t *ls, const loadsim_cfg_t *cfg);

/* Powers, voltages and frequency at UTC second utc. */
int loadsim_sample(const loadsim_t *ls, int64_t utc, loadsim_sample_t *out);

/* The metrology phasor input at UTC second utc: voltages (ABC, L1 at 0
 * degrees), fundamental currents from the net P and Q (phi = atan2(Q, P),
 * so export is an angle beyond 90 degrees), 3rd/5th/7th harmonics and the
 * frequency. Unconnected phases carry voltage and no current. */
int loadsim_eval(const loadsim_t *ls, int64_t utc, metrology_phasor_input_t *out);

const char *loadsim_strerror(int err);

#endif /* EMETER_METER_LOADSIM_H */
