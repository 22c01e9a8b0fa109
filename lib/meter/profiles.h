/*
 * profiles.h - every Profile generic instance (class 7) of the meter
 * variants, as numbered slots: load profiles, billing loggers, event logs
 * (dlms-facts §2.5, seed 000 §5, seed 004 "Load profile", "Analysis log",
 * "Permanent memory").
 *
 * A slot is one logical name with a fixed row size (the largest row its
 * capture_objects may produce: a head-end SET of capture_objects that
 * needs more is refused) and a depth (profile_entries by default, and the
 * capacity of its flash ring). The object table of a variant says which
 * slots exist; the others stay empty.
 *
 * Rows live in flash rings once meter_persist_mount() ran (lib/meter/
 * persist.h, the full depth). Before that, and in a meter without flash,
 * each profile keeps its newest rows in a RAM ring carved from
 * meter_t.ram_rows: the full depth for the small ones, `ram_entries` for
 * the deep ones (a 10-day load profile fits a microcontroller's RAM; a
 * 180-day four-quadrant profile does not), and profile_entries says so.
 */
#ifndef EMETER_METER_PROFILES_H
#define EMETER_METER_PROFILES_H

#include <stdint.h>

#include "emeter_config.h"

struct meter;

enum meter_prof {
    METER_PROF_LP = 0,           /* 1.0.99.1.0.255 load profile (esmr E 15 min; omni 4Q) */
    METER_PROF_DAILY = 1,        /* 1.0.99.2.0.255 daily values */
    METER_PROF_MONTHLY = 2,      /* 1.0.98.1.0.255 monthly billing / debiting period logger */
    METER_PROF_LOG_STD = 3,      /* 0.0.99.98.0.255 standard event log */
    METER_PROF_LOG_FRAUD = 4,    /* 0.0.99.98.1.255 fraud detection log */
    METER_PROF_LOG_PQ = 5,       /* 0.0.99.98.5.255 power quality log */
    METER_PROF_LOG_POWER = 6,    /* 1.0.99.97.0.255 power failure event log */
    METER_PROF_LOG_PQ_EXT = 7,   /* 0.0.99.98.7.255 PQ extended log (magnitude, duration) */
    METER_PROF_LOG_THD = 8,      /* 0.0.99.98.8.255 PQ THD log */
    METER_PROF_LOG_COMM = 9,     /* 0.0.99.98.4.255 communication session log */
    METER_PROF_LOG_BREAKER = 10, /* 0.0.99.98.2.255 disconnect/connect history (omni) */
    METER_PROF_PQ1 = 11,         /* 1.0.99.1.1.255 power quality profile 1, 15 min */
    METER_PROF_PQ2 = 12,         /* 1.0.99.1.2.255 power quality profile 2, 10 min */
    METER_PROF_DEFINABLE = 13,   /* 0.1.94.31.6.255 definable load profile */
    METER_PROF_ANALYSIS = 14,    /* 1.0.99.128.0.255 analysis logger, 24 channels (omni) */
    METER_PROF_DEBIT2 = 15,      /* 1.0.98.2.0.255 debit logger 2 (omni) */
    METER_PROF_COUNT = 16,
};

/* What a slot is in a variant. */
typedef struct meter_prof_spec {
    uint8_t ln[6];
    uint16_t row_size;    /* bytes per row (profile_rows.h format) */
    uint32_t entries;     /* default profile_entries = flash ring capacity */
    uint32_t ram_entries; /* RAM ring depth before/without flash (<= entries) */
} meter_prof_spec_t;

/* The slot's spec in variant v (enum meter_variant), NULL when the slot
 * is not a profile of that variant. */
const meter_prof_spec_t *meter_prof_spec(unsigned variant, unsigned slot);

/* Attaches a RAM ring from m->ram_rows to every profile of m's table
 * (meter_init). METER_ERR_RAM when they do not fit EM_METER_RAM_ROWS_BYTES. */
int meter_profiles_init(struct meter *m);

/* The periodic profiles at the end of a step (utc - seconds, utc]: each
 * captures once when a period boundary lies in the step, with its AMR
 * status. */
int meter_profiles_tick(struct meter *m, int64_t utc, uint32_t seconds);

/* Before a step that starts at `start`: the periodic profiles whose last
 * tick lies before it (the clock was set forward) capture the boundaries
 * passed meanwhile once, stamped with `start`'s boundary rules. */
int meter_profiles_catch_up(struct meter *m, int64_t start);

/* Capture of an asynchronous profile (billing loggers) now, with its AMR
 * status; 0 when the variant lacks the slot. */
int meter_profile_capture(struct meter *m, unsigned slot, int64_t utc);

/* ORs AMR profile status bits into the running interval of every profile
 * (power down, clock adjusted). */
void meter_profiles_mark(struct meter *m, uint8_t amr_bits);

#endif /* EMETER_METER_PROFILES_H */
