/*
 * registers.h - energy registers and instantaneous values of the metering
 * application (IEC 62056-6-1 OBIS C.D.E: C = quantity, D = 8 time
 * integral / 7 instantaneous; DSMR/SMR 5 scalers, dlms-facts §2.3-§2.4).
 *
 * Energy is kept in 64-bit micro-units (µWh, µvarh, µVAh), exactly the
 * integers the metrology measures record carries (measures.h), so adding
 * a record never loses a fraction however short the interval: a counter
 * grows by integers only and never decreases (negative deltas are not
 * added). A client reads the Register (class 3) value floor(µWh / 10^6)
 * with scaler_unit {0, Wh} as double-long-unsigned (DSMR), which rolls
 * over after 2^32 Wh (4294 MWh), as a 10-digit display would.
 *
 * Tariff registers (1.0.1.8.t, 1.0.2.8.t, t = 1..EM_METER_TARIFFS) add the
 * energy of the record to the tariff in force when the record is applied,
 * so a tariff's register and the total agree in µWh at every instant:
 * sum over t of 1.0.1.8.t == 1.0.1.8.0 (in Wh the floors may differ by
 * the number of tariffs - 1).
 */
#ifndef EMETER_METER_REGISTERS_H
#define EMETER_METER_REGISTERS_H

#include <stdint.h>

#include "dlms/axdr.h"
#include "emeter_config.h"
#include "meter/metrology/measures.h"

struct meter;

/* Index of each energy counter in meter_energy_t.uwh[]. Tariff t (1..n)
 * of A+ is METER_E_A_PLUS_T1 + t - 1. */
enum meter_ereg {
    METER_E_A_PLUS = 0,                                     /* 1.0.1.8.0 */
    METER_E_A_PLUS_T1 = 1,                                  /* 1.0.1.8.1 .. */
    METER_E_A_MINUS = METER_E_A_PLUS_T1 + EM_METER_TARIFFS, /* 1.0.2.8.0 */
    METER_E_A_MINUS_T1,                                     /* 1.0.2.8.1 .. */
    METER_E_R_PLUS = METER_E_A_MINUS_T1 + EM_METER_TARIFFS, /* 1.0.3.8.0 = R1 + R2 */
    METER_E_R_MINUS,                                        /* 1.0.4.8.0 = R3 + R4 */
    METER_E_R1,                                             /* 1.0.5.8.0 */
    METER_E_R2,                                             /* 1.0.6.8.0 */
    METER_E_R3,                                             /* 1.0.7.8.0 */
    METER_E_R4,                                             /* 1.0.8.8.0 */
    METER_E_S_PLUS,                                         /* 1.0.9.8.0 */
    METER_E_S_MINUS,                                        /* 1.0.10.8.0 */
    METER_E_A_PLUS_L1,                                      /* 1.0.21.8.0 (41, 61) */
    METER_E_A_PLUS_L2,
    METER_E_A_PLUS_L3,
    METER_E_A_MINUS_L1, /* 1.0.22.8.0 (42, 62) */
    METER_E_A_MINUS_L2,
    METER_E_A_MINUS_L3,
    METER_E_A_ABS,     /* 1.0.15.8.0 = |A+| + |A-| */
    METER_E_R_PLUS_T1, /* 1.0.3.8.1 .. (omni: R+ per tariff) */
    METER_E_COUNT = METER_E_R_PLUS_T1 + EM_METER_TARIFFS
};

typedef struct meter_energy {
    uint64_t uwh[METER_E_COUNT]; /* µWh / µvarh / µVAh */
} meter_energy_t;

/* Instantaneous values of the last measures record, already in the units
 * of their scalers (dlms-facts §2.4; SMR 5 for voltages and currents). */
typedef struct meter_instant {
    uint16_t v_dv[METROLOGY_PHASES];         /* 1.0.32/52/72.7.0, 0.1 V */
    uint16_t i_ca[METROLOGY_PHASES];         /* 1.0.31/51/71.7.0, 0.01 A */
    uint32_t p_plus_w;                       /* 1.0.1.7.0, W */
    uint32_t p_minus_w;                      /* 1.0.2.7.0, W */
    uint32_t p_plus_ph_w[METROLOGY_PHASES];  /* 1.0.21/41/61.7.0 */
    uint32_t p_minus_ph_w[METROLOGY_PHASES]; /* 1.0.22/42/62.7.0 */
    uint16_t freq_chz;                       /* 1.0.14.7.0, 0.01 Hz */
    int16_t pf_milli;                        /* 1.0.13.7.0, 0.001 */
    int16_t pf_ph_milli[METROLOGY_PHASES];   /* 1.0.33/53/73.7.0 */
    uint16_t i_neutral_ca;                   /* 1.0.91.7.0, 0.01 A */
} meter_instant_t;

/* Power quality values served from lib/meter/pq (arg of meter_read_pq /
 * meter_write_pq): the meter's sag/swell thresholds (class 3,
 * long-unsigned {0, V} and {0, s}, writable) and the magnitude ({-1, V}
 * long-unsigned) and duration ({-1, s} double-long-unsigned) of the last
 * sag and swell per phase (SMR 5.2). */
enum meter_pq_value {
    METER_PQ_SAG_V = 0,  /* 1.0.12.31.0.255 */
    METER_PQ_SWELL_V,    /* 1.0.12.35.0.255 */
    METER_PQ_SAG_S,      /* 1.0.12.43.0.255 */
    METER_PQ_SWELL_S,    /* 1.0.12.44.0.255 */
    METER_PQ_LAST_SAG_V, /* 1.0.32.34.0 (L2 52.34, L3 72.34): + phase index */
    METER_PQ_LAST_SAG_S = METER_PQ_LAST_SAG_V + METROLOGY_PHASES,     /* 1.0.x2.33.0 */
    METER_PQ_LAST_SWELL_V = METER_PQ_LAST_SAG_S + METROLOGY_PHASES,   /* 1.0.x2.38.0 */
    METER_PQ_LAST_SWELL_S = METER_PQ_LAST_SWELL_V + METROLOGY_PHASES, /* 1.0.x2.37.0 */
    METER_PQ_VALUE_COUNT = METER_PQ_LAST_SWELL_S + METROLOGY_PHASES
};

/* 10-minute average values (the last completed IEC 61000-4-30
 * aggregation of lib/meter/pq, OBIS D = 24; THD E = 124), arg of
 * meter_read_avg: + phase index. Voltages 0.1 V and currents 0.01 A as
 * long-unsigned (the instantaneous scalers), THD 0.1 % long-unsigned. */
enum meter_avg_value {
    METER_AVG_V = 0,                                      /* 1.0.32/52/72.24.0 */
    METER_AVG_I = METER_AVG_V + METROLOGY_PHASES,         /* 1.0.31/51/71.24.0 */
    METER_AVG_THD_V = METER_AVG_I + METROLOGY_PHASES,     /* 1.0.32/52/72.24.124 */
    METER_AVG_THD_I = METER_AVG_THD_V + METROLOGY_PHASES, /* 1.0.31/51/71.24.124 */
    METER_AVG_COUNT = METER_AVG_THD_I + METROLOGY_PHASES
};
int meter_read_avg(void *app, uint16_t arg, axdr_enc_t *e);

/* Adds one record's energy to every counter, the tariff registers of
 * `tariff` (1..EM_METER_TARIFFS; others add to no tariff register). */
void meter_energy_add(meter_energy_t *en, const metrology_energy_delta_t *d, unsigned tariff);

/* Register value in Wh as a client reads it: floor(µWh / 10^6), modulo
 * 2^32 (double-long-unsigned). */
uint32_t meter_energy_wh(const meter_energy_t *en, enum meter_ereg idx);

/* Instantaneous values from a record (rounded, clamped to the type). */
void meter_instant_update(meter_instant_t *in, const metrology_measures_t *rec);

/* Applies a record to the meter's registers with its current tariff and
 * refreshes the instantaneous values. */
void meter_registers_apply(struct meter *m, const metrology_measures_t *rec);

/* COSEM_CALL read of an energy register: arg = enum meter_ereg. */
int meter_read_energy(void *app, uint16_t arg, axdr_enc_t *e);

/* COSEM_CALL read / write of a power quality value: arg = enum
 * meter_pq_value. A threshold write must keep sag < declared voltage <
 * swell, and a time threshold 1..3600 s (other-reason otherwise); it
 * applies from the next second on, events in progress continue. */
int meter_read_pq(void *app, uint16_t arg, axdr_enc_t *e);
int meter_write_pq(void *app, uint16_t arg, axdr_dec_t *d);

#endif /* EMETER_METER_REGISTERS_H */
