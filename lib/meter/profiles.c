/*
 * profiles.c - the Profile generic slots of the meter variants: their
 * sizes, the RAM rings a meter starts with, periodic capture with the AMR
 * profile status (see profiles.h).
 */
#include "meter/profiles.h"

#include <string.h>

#include "meter/meter.h"

/* Row sizes (profile_rows.h: 2-byte length, then each column's A-XDR
 * Data). A date-time column is 14 bytes, an unsigned 2, a long-unsigned
 * 3, a double-long-unsigned 5. */
#define ROW_CLOCK 14u
#define ROW_U8    2u
#define ROW_U16   3u
#define ROW_U32   5u
#define ROW(n)    ((uint16_t)(COSEM_PROFILE_ROW_HEADER + (n)))

/* Event log rows: {clock, code} plus the log's extra columns. */
#define ROW_LOG     ROW(ROW_CLOCK + ROW_U8)
#define ROW_LOG_EXT ROW(ROW_CLOCK + ROW_U8 + ROW_U32 + ROW_U32) /* magnitude, duration */
#define ROW_LOG_ONE ROW(ROW_CLOCK + ROW_U8 + ROW_U32)           /* one more value */
#define ROW_POWER   ROW(ROW_CLOCK + ROW_U32)                    /* {clock, duration} */

/* The event logs both variants keep, with the same sizes. */
#define COMMON_LOG_SPECS                                                                           \
    [METER_PROF_LOG_STD] = {{0, 0, 99, 98, 0, 255},                                                \
                            ROW_LOG,                                                               \
                            EM_METER_STD_LOG_ENTRIES,                                              \
                            EM_METER_STD_LOG_ENTRIES},                                             \
    [METER_PROF_LOG_FRAUD] = {{0, 0, 99, 98, 1, 255},                                              \
                              ROW_LOG,                                                             \
                              EM_METER_FRAUD_LOG_ENTRIES,                                          \
                              EM_METER_FRAUD_LOG_ENTRIES},                                         \
    [METER_PROF_LOG_PQ] = {{0, 0, 99, 98, 5, 255},                                                 \
                           ROW_LOG,                                                                \
                           EM_METER_PQ_LOG_ENTRIES,                                                \
                           EM_METER_PQ_LOG_ENTRIES},                                               \
    [METER_PROF_LOG_POWER] = {{1, 0, 99, 97, 0, 255},                                              \
                              ROW_POWER,                                                           \
                              EM_METER_POWER_LOG_ENTRIES,                                          \
                              EM_METER_POWER_LOG_ENTRIES},                                         \
    [METER_PROF_LOG_PQ_EXT] = {                                                                    \
        {0, 0, 99, 98, 7, 255}, ROW_LOG_EXT, EM_METER_PQ_LOG_ENTRIES, EM_METER_PQ_LOG_ENTRIES}

static const meter_prof_spec_t esmr_specs[METER_PROF_COUNT] = {
    [METER_PROF_LP] = {{1, 0, 99, 1, 0, 255},
                       METER_LP_ROW,
                       EM_METER_LP_ENTRIES,
                       EM_METER_LP_ENTRIES},
    [METER_PROF_DAILY] = {{1, 0, 99, 2, 0, 255},
                          METER_DAILY_ROW,
                          EM_METER_DAILY_ENTRIES,
                          EM_METER_DAILY_ENTRIES},
    [METER_PROF_MONTHLY] = {{1, 0, 98, 1, 0, 255},
                            METER_MONTHLY_ROW,
                            EM_METER_MONTHLY_ENTRIES,
                            EM_METER_MONTHLY_ENTRIES},
    COMMON_LOG_SPECS,
    [METER_PROF_LOG_THD] = {{0, 0, 99, 98, 8, 255},
                            ROW_LOG_ONE,
                            EM_METER_PQ_LOG_ENTRIES,
                            EM_METER_PQ_LOG_ENTRIES},
    [METER_PROF_LOG_COMM] = {{0, 0, 99, 98, 4, 255},
                             ROW_LOG_ONE,
                             EM_METER_COMM_LOG_ENTRIES,
                             EM_METER_RAM_DEEP_ENTRIES},
    [METER_PROF_PQ1] = {{1, 0, 99, 1, 1, 255},
                        METER_PQ1_ROW,
                        EM_METER_PQ1_ENTRIES,
                        EM_METER_RAM_DEEP_ENTRIES},
    [METER_PROF_PQ2] = {{1, 0, 99, 1, 2, 255},
                        METER_PQ2_ROW,
                        EM_METER_PQ2_ENTRIES,
                        EM_METER_RAM_DEEP_ENTRIES},
    [METER_PROF_DEFINABLE] = {{0, 1, 94, 31, 6, 255},
                              METER_DEFINABLE_ROW,
                              EM_METER_LP_ENTRIES,
                              EM_METER_RAM_DEEP_ENTRIES / 2},
};

static const meter_prof_spec_t omni_specs[METER_PROF_COUNT] = {
    [METER_PROF_LP] = {{1, 0, 99, 1, 0, 255},
                       METER_OMNI_LP_ROW,
                       EM_METER_OMNI_LP_ENTRIES,
                       EM_METER_RAM_DEEP_ENTRIES},
    [METER_PROF_MONTHLY] = {{1, 0, 98, 1, 0, 255},
                            METER_DEBIT_ROW,
                            EM_METER_DEBIT_ENTRIES,
                            EM_METER_DEBIT_ENTRIES},
    COMMON_LOG_SPECS,
    [METER_PROF_LOG_BREAKER] = {{0, 0, 99, 98, 2, 255},
                                ROW_LOG,
                                EM_METER_BREAKER_LOG_ENTRIES,
                                EM_METER_BREAKER_LOG_ENTRIES},
    [METER_PROF_ANALYSIS] = {{1, 0, 99, 128, 0, 255},
                             METER_ANALYSIS_ROW,
                             EM_METER_ANALYSIS_ENTRIES,
                             EM_METER_RAM_DEEP_ENTRIES / 4},
    [METER_PROF_DEBIT2] = {{1, 0, 98, 2, 0, 255},
                           METER_DEBIT2_ROW,
                           EM_METER_DEBIT2_ENTRIES,
                           EM_METER_RAM_DEEP_ENTRIES / 2},
};

const meter_prof_spec_t *meter_prof_spec(unsigned variant, unsigned slot) {
    if (slot >= METER_PROF_COUNT)
        return NULL;
    const meter_prof_spec_t *s =
        variant == METER_VARIANT_OMNI ? &omni_specs[slot] : &esmr_specs[slot];
    return s->row_size != 0 ? s : NULL;
}

int meter_profiles_init(meter_t *m) {
    size_t used = 0;
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        const meter_prof_spec_t *spec = meter_prof_spec(m->variant, i);
        m->prof_obj[i] = spec != NULL ? cosem_find(&m->cosem, spec->ln) : NULL;
        if (m->prof_obj[i] == NULL)
            continue;
        size_t len = (size_t)spec->ram_entries * spec->row_size;
        if (len > sizeof(m->ram_rows) - used)
            return METER_ERR_RAM;
        int rc =
            cosem_profile_ram_rows_init(&m->prof_ram[i], m->ram_rows + used, len, spec->row_size);
        used += len;
        if (rc != 0)
            return rc;
        /* The table's defaults, at the depth the RAM ring has. */
        const cosem_profile_def_t *d = m->prof_obj[i]->def;
        cosem_profile_config_t cfg = {d->capture_objects, d->capture_count, d->capture_period,
                                      d->profile_entries};
        if (cfg.profile_entries > spec->ram_entries)
            cfg.profile_entries = spec->ram_entries;
        rc = cosem_profile_init_with(&m->cosem, m->prof_obj[i], &m->prof_ram[i].rows, &cfg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* AMR profile status of a capture at utc: the interval's events plus the
 * clock's state. */
static uint8_t amr_status(const meter_t *m, uint8_t sticky, int64_t utc) {
    uint8_t st = sticky;
    if ((m->clock.status & COSEM_CLOCK_STATUS_INVALID) != 0)
        st |= METER_AMR_CLOCK_INVALID;
    if (cosem_clock_dst_active(&m->clock, utc))
        st |= METER_AMR_DST;
    return st;
}

/* One periodic profile's tick at utc with its AMR status. */
static int tick_one(meter_t *m, unsigned i, int64_t utc) {
    m->amr[i] = amr_status(m, m->amr_sticky[i], utc);
    int rc = cosem_profile_tick(&m->cosem, m->prof_obj[i], utc);
    if (rc == 1)
        m->amr_sticky[i] = 0; /* the interval is closed: its events are in the row */
    return rc < 0 ? rc : 0;
}

int meter_profiles_catch_up(meter_t *m, int64_t start) {
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        if (m->prof_obj[i] == NULL || m->prof[i].capture_period == 0)
            continue;
        /* The clock moved forward (a set, or an outage) since the last
         * tick: a boundary passed meanwhile is captured with the values
         * of the instant the meter runs again, as a 1 s tick right after
         * the set would, before the step meters on. */
        int64_t last = m->prof[i].last_tick;
        if (last != 0 && last < start) {
            int rc = tick_one(m, i, start);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int meter_profiles_tick(meter_t *m, int64_t utc, uint32_t seconds) {
    int64_t start = utc - (int64_t)seconds;
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        if (m->prof_obj[i] == NULL || m->prof[i].capture_period == 0)
            continue;
        /* The step runs from its start: a boundary inside it is captured.
         * The first step of a meter, and a step after the clock was set
         * back, start before the last tick the class saw (which would
         * otherwise skip every boundary up to that tick). */
        if (m->prof[i].last_tick == 0 || m->prof[i].last_tick > start)
            m->prof[i].last_tick = start;
        int rc = tick_one(m, i, utc);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int meter_profile_capture(meter_t *m, unsigned slot, int64_t utc) {
    if (slot >= METER_PROF_COUNT || m->prof_obj[slot] == NULL)
        return 0;
    m->amr[slot] = amr_status(m, m->amr_sticky[slot], utc);
    int rc = cosem_profile_capture(&m->cosem, m->prof_obj[slot], utc);
    if (rc == 0)
        m->amr_sticky[slot] = 0;
    return rc;
}

void meter_profiles_mark(meter_t *m, uint8_t amr_bits) {
    for (unsigned i = 0; i < METER_PROF_COUNT; i++)
        m->amr_sticky[i] |= amr_bits;
}
