/*
 * pq.h - power quality: events, counters, 10-minute aggregation and the
 * EN 50160 weekly evaluation, computed from what metrology reports.
 *
 * Inputs (time comes with them, nothing is read behind the caller):
 *  - pq_half_cycle(): every Urms(1/2) notification (measures.h). Drives
 *    the detectors that need half-cycle timing:
 *      . IEC 61000-4-30 dips, swells and interruptions (polyphase: one
 *        event from the first channel beyond to the last one back, 2 %
 *        hysteresis, residual/maximum and duration), counted into the
 *        EN 50160 dip and swell tables;
 *      . the meter sag/swell of the DLMS objects 1.0.12.31/35/43/44
 *        (thresholds 207/253 V with hysteresis, time thresholds 30 s, at
 *        least 100 ms): under/over voltage when the time threshold is
 *        reached, then at the end a sag/swell record with magnitude and
 *        duration, voltage normal, and the per-phase counters
 *        1.0.32.32.0 / 1.0.32.36.0 (52.x, 72.x for L2, L3);
 *      . phase outage (missing voltage) and voltage returned.
 *  - pq_second(): every measures record with the UTC time at its end.
 *    THD over limit / long over limit / normal, loss of neutral, the
 *    10-minute aggregation aligned to the UTC 10-minute tick (IEC
 *    61000-4-30 r.m.s. aggregation, flagged when an event touched it), the
 *    10-second frequency, and the week of EN 50160 statistics.
 *
 * Outputs: events in a queue (pq_event_pop) with the codes of the DSMR /
 * SMR 5 event logs (dlms-facts §2.6), the latest 10-minute aggregate and
 * the latest completed week. Codes 230-234 are manufacturer specific
 * (range 230-249 of §2.6) for what DSMR has no code for.
 */
#ifndef EMETER_METER_PQ_H
#define EMETER_METER_PQ_H

#include <stdbool.h>
#include <stdint.h>

#include "emeter_config.h"
#include "meter/metrology/measures.h"

/* Errors: -0x0A10..-0x0A1F of the meter application range. */
#define PQ_ERR_BADARG (-0x0A11) /* NULL pointer */
#define PQ_ERR_CONFIG (-0x0A12) /* threshold out of range or inconsistent */

/* Event codes, dlms-facts §2.6 (phase Lx adds x - 1). */
#define PQ_EV_THD_OVER         51u /* THD over limit L1..L3 (PQ THD log) */
#define PQ_EV_THD_NORMAL       54u /* THD normal L1..L3 */
#define PQ_EV_THD_LONG_OVER    57u /* THD long over limit L1..L3 */
#define PQ_EV_UNDER_VOLTAGE    77u /* under voltage L1..L3 */
#define PQ_EV_OVER_VOLTAGE     80u /* over voltage L1..L3 */
#define PQ_EV_VOLTAGE_NORMAL   83u /* voltage L1..L3 normal */
#define PQ_EV_MISSING_VOLTAGE  86u /* phase outage L1..L3 */
#define PQ_EV_VOLTAGE_RETURNED 90u /* voltage returned L1..L3 */
#define PQ_EV_VOLTAGE_SAG      93u /* sag L1..L3, with magnitude and duration */
#define PQ_EV_VOLTAGE_SWELL    96u /* swell L1..L3, with magnitude and duration */
/* Manufacturer specific (230-249). */
#define PQ_EV_NEUTRAL_LOST     230u /* u0 high while line voltages balanced */
#define PQ_EV_NEUTRAL_RESTORED 231u
#define PQ_EV_DIP              232u /* IEC 61000-4-30 dip (polyphase), residual V */
#define PQ_EV_SWELL            233u /* IEC 61000-4-30 swell, maximum V */
#define PQ_EV_INTERRUPTION     234u /* IEC 61000-4-30 interruption */

typedef struct pq_event {
    uint16_t code;
    uint8_t phase;        /* 1..3; 0 for polyphase or three-phase events */
    uint64_t t_us;        /* when it was detected, metrology sample clock */
    int64_t utc;          /* the same in UTC seconds (0 before the first pq_second) */
    uint32_t duration_ms; /* of the condition (end events, or so far) */
    float magnitude;      /* V (residual or maximum), % (THD, u0) */
} pq_event_t;

typedef struct pq_cfg {
    float u_din;        /* declared supply voltage (element voltage), V */
    float fn_hz;        /* nominal frequency */
    uint8_t phase_mask; /* measured elements (metrology_connection_mask()) */
    bool neutral;       /* 3P4W: loss-of-neutral detection applies */
    /* IEC 61000-4-30 event detection, % of u_din */
    float dip_pct, swell_pct, hyst_pct, interruption_pct;
    /* Meter sag/swell: DLMS 1.0.12.31 / 1.0.12.35 (V), 1.0.12.43 / 44 (ms) */
    float sag_v, swell_v, sag_hyst_v;
    uint32_t sag_time_ms, swell_time_ms;
    /* Phase outage: below outage_v for outage_ms */
    float outage_v;
    uint32_t outage_ms;
    /* THD (voltage) events */
    float thd_limit_pct, thd_hyst_pct;
    uint32_t thd_time_s, thd_long_time_s;
    /* Loss of neutral: u0 above, u2 below, for neutral_ms */
    float neutral_u0_pct, neutral_u2_max_pct;
    uint32_t neutral_ms;
    /* EN 50160 limits */
    float en_v_dev_pct;  /* 10: N1 counts 10-min means outside +/- */
    float en_v_low2_pct; /* 15: N2 counts below -15 % (or above +10 %) */
    float en_thd_pct;    /* 8 */
    float en_u2_pct;     /* 2 */
    float en_allow_pct;  /* 5: share of the week allowed outside */
} pq_cfg_t;

/* The 10-minute values (IEC 61000-4-30 aggregation: r.m.s. of the
 * one-second values, themselves r.m.s. over whole cycles). */
typedef struct pq_aggregate {
    int64_t utc_start; /* multiple of 600 */
    uint32_t seconds;  /* measured time it holds */
    bool flagged;      /* a dip, swell or interruption touched it */
    float v_rms[METROLOGY_PHASES], v_min[METROLOGY_PHASES], v_max[METROLOGY_PHASES];
    float i_rms[METROLOGY_PHASES];
    float thd_v[METROLOGY_PHASES], thd_i[METROLOGY_PHASES];
    float harm[METROLOGY_PHASES][EM_PQ_EN50160_HARMONICS + 1]; /* % of U1 */
    float u2, u0;                                              /* % */
    float freq;                                                /* Hz, mean */
} pq_aggregate_t;

/* EN 50160 statistics of one week (Monday 00:00 UTC to Monday). */
typedef struct pq_week {
    int64_t utc_start;
    uint32_t n_total, n_valid, n_flagged, n_incomplete; /* 10-min intervals */
    uint32_t v_n1[METROLOGY_PHASES];                    /* outside Un +/- 10 % */
    uint32_t v_n2[METROLOGY_PHASES];                    /* outside Un +10 % / -15 % */
    uint32_t thd_over[METROLOGY_PHASES];
    uint32_t harm_over[METROLOGY_PHASES]; /* some harmonic above its limit */
    uint32_t u2_over;
    uint32_t f_count, f_out1, f_out2; /* 10-s values; outside +/-1 %; outside +4/-6 % */
    uint32_t dips[5][6]; /* EN 50160 table: residual rows A..X, duration columns, > 60 s */
    uint32_t swells[2][4];
    uint32_t interruptions_short, interruptions_long;   /* <= 3 min, > 3 min */
    bool v_ok, thd_ok, harm_ok, u2_ok, f_ok, compliant; /* set when the week closes */
} pq_week_t;

/* Per-phase state and the counters the DLMS objects read. */
typedef struct pq_phase {
    int8_t vstate; /* 0 normal, -1 sag, +1 swell (meter thresholds) */
    bool v_raised; /* under/over voltage event sent */
    uint64_t v_start_us;
    float v_extreme;
    bool out_below, out_active;
    uint64_t out_since_us;
    uint32_t thd_over_s;
    bool thd_raised, thd_long_raised;
    uint32_t sags, swells;               /* 1.0.32.32.0 / 1.0.32.36.0 */
    float last_sag_v, last_swell_v;      /* 1.0.32.34.0 / 1.0.32.38.0 */
    uint32_t last_sag_ms, last_swell_ms; /* 1.0.32.33.0 / 1.0.32.37.0 */
} pq_phase_t;

typedef struct pq_iec_event {
    bool active, had_interruption;
    uint64_t start_us;
    float extreme;
} pq_iec_event_t;

typedef struct pq {
    pq_cfg_t cfg;
    pq_phase_t ph[METROLOGY_PHASES];
    pq_iec_event_t dip, swell, intr;
    bool sec_flag; /* an IEC event was active since the last pq_second */
    bool have_utc;
    int64_t utc_ref;
    uint64_t utc_ref_us;
    bool nl_active;
    uint32_t nl_on_ms, nl_off_ms;

    /* 10-minute block being built */
    int64_t blk;
    bool blk_open, blk_flag;
    double blk_w, acc_v2[METROLOGY_PHASES], acc_i2[METROLOGY_PHASES];
    double acc_thdv2[METROLOGY_PHASES], acc_thdi2[METROLOGY_PHASES];
    double acc_u2, acc_u0, acc_f;
    float acc_harm2[METROLOGY_PHASES][EM_PQ_EN50160_HARMONICS + 1];
    float vmin[METROLOGY_PHASES], vmax[METROLOGY_PHASES];
    pq_aggregate_t agg; /* latest completed */

    /* 10-second frequency */
    int64_t f10;
    bool f10_open;
    double f10_acc, f10_w;

    /* week */
    int64_t week_idx;
    bool week_open;
    pq_week_t week, week_done;

    pq_event_t queue[EM_PQ_EVENT_QUEUE];
    uint32_t q_head, q_len, lost;
} pq_t;

/* pq_second() result bits */
#define PQ_OUT_AGGREGATE 0x1u /* a 10-minute aggregate completed: pq_last_aggregate() */
#define PQ_OUT_WEEK      0x2u /* a week completed: pq_last_week() */

/* Defaults for a declared voltage (element voltage) and connection mask:
 * EN 50160 LV values, SMR sag/swell 90 %/110 % with 30 s, outage below
 * 50 % for 1 s (Microchip's example threshold), THD 8 % for 60 s and
 * 15 min, neutral loss u0 > 10 % with u2 < 2 % for 5 s. */
void pq_cfg_default(pq_cfg_t *cfg, float u_din, float fn_hz, uint8_t phase_mask);

int pq_init(pq_t *pq, const pq_cfg_t *cfg);

void pq_half_cycle(pq_t *pq, const metrology_half_cycle_t *hc);

/* utc: UTC seconds at the end of the record's interval. */
unsigned pq_second(pq_t *pq, const metrology_measures_t *m, int64_t utc);

/* Oldest queued event; false when there is none. */
bool pq_event_pop(pq_t *pq, pq_event_t *ev);

const pq_aggregate_t *pq_last_aggregate(const pq_t *pq);
const pq_week_t *pq_last_week(const pq_t *pq);

/* Short English name of an event code ("voltage sag L1"), for logs,
 * the display and the replay tool; "unknown" for other codes. */
const char *pq_event_name(uint16_t code);

const char *pq_strerror(int err);

#endif /* EMETER_METER_PQ_H */
