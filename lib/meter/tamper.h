/*
 * tamper.h - tamper detection of the meter: terminal cover, meter cover and
 * strong magnetic field, with a duration threshold before an event is
 * logged, detection during an outage, and the configuration change event.
 *
 * Behaviour (seed 000 §3.3.6 "Tamper Detection"; seed 004 "Tamper-proof"):
 *  - "The anti-tamper proceeding detects per second ... While the duration
 *    of tamper exceeds the detection threshold, meter will record this event
 *    in the fraud detection log": a raw input that stays active for
 *    threshold_s[source] is logged; a shorter pulse is not. The return to
 *    normal is debounced the same way. Both events carry the instant of the
 *    RAW edge (when the cover was really opened), not the instant the
 *    threshold ran out.
 *  - "Tamper detection ... is always active on all equipment (even during
 *    outages) ... any tamper can arouse the meter ... record ... its date
 *    and time": between tamper_power_down and tamper_power_up the inputs
 *    keep being processed with the instants the sleeping RTC gives them,
 *    and the events go to a queue of EM_TAMPER_QUEUE entries instead of
 *    ops.event. tamper_power_up delivers them in order with their original
 *    instants. A full queue drops further events and counts them (lost).
 *  - magnetic field: active at or above magnet_mt (70 mT, seed 000 table 5
 *    "Alarm Threshold (mT) 70").
 *
 * Event codes (dlms-facts §2.6, fraud detection log 0.0.99.98.1.255):
 *   40 / 41 terminal cover removed / closed
 *   42 / 43 strong DC field detected / no strong DC field anymore
 *   44 / 45 meter cover removed / closed
 *   47      configuration change (tamper_config_change)
 * Event 46 (failed login) is lockout.h's. The meter's event table raises
 * the fraud attempt alarm (METER_ALARM_FRAUD_ATTEMPT) for 40, 42, 44 and
 * the configuration changed alarm for 47 (events.c, seed 000 table 4).
 *
 * Time: UTC seconds (int64_t) as the RTC gives them, also while the meter
 * is down; an instant earlier than the previous one (clock set back)
 * counts as no time elapsed.
 *
 * State for the display: tamper_active (debounced, logged state),
 * tamper_raw (the input now: the terminal cover switch drives the display
 * service mode), tamper_symbol (seed 004: "magnetic influence or opening
 * of terminal cover, either temporarily or permanently": latched once
 * logged, until tamper_clear_symbol).
 */
#ifndef EMETER_METER_TAMPER_H
#define EMETER_METER_TAMPER_H

#include <stdbool.h>
#include <stdint.h>

#include "emeter_config.h"

/* Errors: -0x0AC0..-0x0AC7 of the meter application range. */
#define TAMPER_ERR_BADARG (-0x0AC1) /* NULL pointer or unknown source */
#define TAMPER_ERR_CONFIG (-0x0AC2) /* threshold above a day, magnet threshold 0 */

enum tamper_source {
    TAMPER_TERMINAL_COVER = 0,
    TAMPER_METER_COVER = 1,
    TAMPER_MAGNET = 2,
    TAMPER_SOURCE_COUNT = 3,
};

#define TAMPER_EV_TERMINAL_COVER_OPEN   40u
#define TAMPER_EV_TERMINAL_COVER_CLOSED 41u
#define TAMPER_EV_MAGNET_DETECTED       42u
#define TAMPER_EV_MAGNET_GONE           43u
#define TAMPER_EV_METER_COVER_OPEN      44u
#define TAMPER_EV_METER_COVER_CLOSED    45u
#define TAMPER_EV_CONFIG_CHANGE         47u

typedef struct tamper_ops {
    void (*event)(void *user, uint8_t code, int64_t utc);
    void *user;
} tamper_ops_t;

typedef struct tamper_cfg {
    uint32_t threshold_s[TAMPER_SOURCE_COUNT]; /* 0: logged at once; <= 86400 */
    uint16_t magnet_mt;                        /* field that counts as tamper: 70 */
} tamper_cfg_t;

typedef struct tamper_input {
    bool raw;         /* input now */
    bool active;      /* debounced state (last logged) */
    bool pending;     /* raw != active since edge_utc */
    int64_t edge_utc; /* instant of the last raw edge */
} tamper_input_t;

typedef struct tamper_queued {
    uint8_t code;
    int64_t utc;
} tamper_queued_t;

typedef struct tamper {
    tamper_cfg_t cfg;
    tamper_ops_t ops;
    tamper_input_t in[TAMPER_SOURCE_COUNT];
    bool down;   /* between power_down and power_up */
    bool symbol; /* latched tamper symbol */
    tamper_queued_t queue[EM_TAMPER_QUEUE];
    uint8_t queued;
    uint32_t lost; /* events dropped from a full queue */
} tamper_t;

/* Defaults: thresholds 5 s for the covers and the magnet (chosen: longer
 * than a knock or a bounce, far shorter than any real manipulation), 70 mT. */
void tamper_cfg_default(tamper_cfg_t *cfg);

/* All inputs inactive (covers closed, no field); meter up. */
int tamper_init(tamper_t *t, const tamper_cfg_t *cfg, const tamper_ops_t *ops);

/* A raw input (cover switch: true = open/removed) at UTC utc. */
int tamper_input(tamper_t *t, uint8_t source, bool active, int64_t utc);
/* The magnetic field sensor reading in mT. */
int tamper_magnet_field(tamper_t *t, uint16_t mt, int64_t utc);

/* Confirms inputs whose threshold ran out. Call every second while up;
 * inputs also call it. */
int tamper_tick(tamper_t *t, int64_t utc);

/* Outage: events from now on are queued; at power-up the pending inputs
 * are evaluated at utc and the queue is delivered through ops.event.
 * Returns the number of events delivered. */
int tamper_power_down(tamper_t *t, int64_t utc);
int tamper_power_up(tamper_t *t, int64_t utc);

/* Configuration change (event 47), e.g. from the COSEM notify hook. */
int tamper_config_change(tamper_t *t, int64_t utc);

bool tamper_active(const tamper_t *t, uint8_t source);
bool tamper_raw(const tamper_t *t, uint8_t source);
bool tamper_symbol(const tamper_t *t);
void tamper_clear_symbol(tamper_t *t);
/* Events lost to a full outage queue since init. */
uint32_t tamper_lost(const tamper_t *t);

const char *tamper_strerror(int err);

#endif /* EMETER_METER_TAMPER_H */
