/*
 * persist.c - the meter's state in lib/store records and rings (see
 * persist.h and docs/metering.md "Persistence").
 *
 * Record values are versioned little-endian byte strings, written and read
 * byte by byte (no struct images: a record must read the same after a
 * compiler or firmware change, and no unaligned access is assumed).
 */
#include "meter/persist.h"

#include <string.h>

#include "meter/meter.h"
#include "store/record_bytes.h"

/* Record ids (store_record_def_t). */
enum {
    REC_ENERGY = 1,   /* version, flags, commit utc, counters */
    REC_STATUS = 2,   /* alarms, tariff, event codes, AMR bits, billing month */
    REC_PQ = 3,       /* sag/swell thresholds, counters, last sag/swell */
    REC_DEMAND = 4,   /* demand periods, maxima, cumulative maxima */
    REC_BILLING = 5,  /* end-of-billing schedule, last end, counter, debit logger 2 */
    REC_PUSH = 6,     /* push setups (scheduled, alarm) and the push schedule */
    REC_IMAGE = 7,    /* upgrade (w1): image transfer state, schedule, active firmware id */
    REC_DEVICES = 8,  /* devices (w2): display lists, login lock, tamper symbol */
    REC_BREAKER = 9,  /* breaker (w3): disconnect control, limiter, supervision trips */
    REC_PREPAY = 10,  /* prepayment (w3): account, credits, charges, token history */
    REC_PROFILE = 16, /* + profile slot (profiles.h): profile configuration */
};
/* modem and module I/O (w4) */
enum {
    REC_COMM = 11,      /* communication setup objects */
    REC_MODULE_IO = 12, /* module I/O settings and counters */
};

#define FORMAT_V1  1u
#define FLAG_CLEAN 0x01u /* REC_ENERGY: written by meter_persist_power_down */
#define ENERGY_HDR 11u   /* version, flags, utc i64, counter count */
#define ENERGY_LEN (ENERGY_HDR + 8u * METER_E_COUNT)
#define STATUS_LEN                                                                                 \
    (1u + 8u * METER_ALARM_REGS + 1u + METER_LOG_COUNT + METER_PROF_COUNT + 2u + 2u + 4u + 4u +    \
     4u * (1u + METER_ASSOC_COUNT))
#define DEMAND_Q_LEN (2u * 8u + (1u + EM_METER_TARIFFS) * (4u + 8u + 4u))
#define DEMAND_LEN   (1u + METER_DQ_COUNT * DEMAND_Q_LEN)
#define SAS_LEN      (8u + 2u + 9u * EM_COSEM_SAS_TIMES + 8u + 4u)
#define BILLING_LEN  (1u + SAS_LEN + 8u + 1u + 1u + 4u)
#define PUSH_LEN     (1u + 2u * (2u + COSEM_PUSH_RECORD_MAX) + SAS_LEN)
#define PQ_PHASE_LEN 24u
#define PQ_LEN       (1u + 16u + PQ_PHASE_LEN * METROLOGY_PHASES)
#define CAPTURE_OBJ  11u /* class u16, logical name 6, attribute i8, data index u16 */
#define PROFILE_HDR  10u /* version, capture_period u32, profile_entries u32, count */
/* Columns kept per slot: the profiles whose capture_objects a head-end
 * may write (the others keep their table's columns). */
#define COLS_LP           10u /* omni channel sets: clock, AMR, 8 energies */
#define COLS_DEFINABLE    17u /* clock + 16 */
#define COLS_ANALYSIS     25u /* clock + 24 channels */
#define PROFILE_LEN(cols) (PROFILE_HDR + CAPTURE_OBJ * (cols))
#define REC_BUF_PROFILE   PROFILE_LEN(EM_COSEM_PROFILE_MAX_COLUMNS)
#define REC_BUF           (PUSH_LEN > REC_BUF_PROFILE ? PUSH_LEN : REC_BUF_PROFILE)

_Static_assert(REC_BUF >= ENERGY_LEN && REC_BUF >= PQ_LEN && REC_BUF >= STATUS_LEN &&
                   REC_BUF >= DEMAND_LEN && REC_BUF >= BILLING_LEN && REC_BUF >= PUSH_LEN,
               "REC_BUF holds every record");
_Static_assert(REC_BUF <= UINT16_MAX, "record lengths are u16");
_Static_assert(COLS_ANALYSIS <= EM_COSEM_PROFILE_MAX_COLUMNS, "analysis logger columns");

#define IMAGE_LEN (METER_UPGRADE_REC_LEN + SAS_LEN) /* upgrade (w1): REC_IMAGE */
/* modem and module I/O (w4): REC_COMM holds what a head-end programs in
 * the communication setup objects (docs/communication.md "Persistence"),
 * REC_MODULE_IO the module I/O configuration and counters. */
#define COMM_WIN_LEN (1u + EM_COSEM_COMM_WINDOWS * 24u)
#define COMM_LEN                                                                                   \
    (1u + 7u + 21u + (3u + EM_COSEM_COMM_PPP_USER_MAX + EM_COSEM_COMM_PPP_PASSWORD_MAX) +          \
     (1u + EM_COSEM_COMM_APN_MAX + 2u + 10u) +                                                     \
     (4u + COMM_WIN_LEN + 1u + EM_COSEM_COMM_DESTINATIONS * (1u + EM_COSEM_COMM_DEST_MAX)) +       \
     (5u + COMM_WIN_LEN + 1u + EM_COSEM_COMM_CALLERS * (2u + EM_COSEM_COMM_CALLER_ID_MAX)))
#define MODULE_IO_LEN (1u + 5u + 8u + 4u + 2u + 16u + 4u)
_Static_assert(MODULE_IO_LEN <= REC_BUF, "REC_MODULE_IO fits REC_BUF");
_Static_assert(COMM_LEN <= UINT16_MAX, "REC_COMM length is u16"); /* own buffer: comm_load/commit */

#define PROF_REC(slot, cols)                                                                       \
    { REC_PROFILE + (slot), PROFILE_LEN(cols) }
static const store_record_def_t record_defs[] = {
    {REC_ENERGY, ENERGY_LEN},
    {REC_STATUS, STATUS_LEN},
    {REC_PQ, PQ_LEN},
    {REC_DEMAND, DEMAND_LEN},
    {REC_BILLING, BILLING_LEN},
    {REC_IMAGE, IMAGE_LEN},
    {REC_MODULE_IO, MODULE_IO_LEN}, /* modem and module I/O (w4) */
    /* breaker and prepayment (w3) */
    {REC_BREAKER, METER_BREAKER_REC_LEN},
    {REC_PREPAY, METER_PREPAY_REC_LEN},
};
_Static_assert(REC_BUF >= METER_BREAKER_REC_LEN && REC_BUF >= METER_PREPAY_REC_LEN, "w3 records");

/* The configuration journal: larger settings, changed when programmed. */
static const store_record_def_t cfg_defs[] = {
    {REC_PUSH, PUSH_LEN},
    {REC_COMM, COMM_LEN},
    {REC_DEVICES, METER_DEVICES_REC_LEN},
};
#define CFG_RECORD_COUNT (sizeof(cfg_defs) / sizeof(cfg_defs[0]))

#define RECORD_COUNT (sizeof(record_defs) / sizeof(record_defs[0]))

/* The tariff journal (its own region: see persist.h). */
enum {
    REC_CAL_ACTIVE = 1,  /* version, calendar */
    REC_CAL_PASSIVE = 2, /* version, calendar, activate_passive_calendar_time */
    REC_SPECIAL = 3,     /* version, count, entries */
};
#define CAL_NAME_LEN (1u + EM_COSEM_CAL_NAME_MAX)
#define CAL_DT_LEN   12u            /* a date-time, field by field */
#define CAL_ACT_LEN  (4u + 6u + 2u) /* start time, script name, selector */
#define CAL_LEN                                                                                    \
    (1u + CAL_NAME_LEN + 3u + EM_COSEM_CAL_SEASONS * (2u * CAL_NAME_LEN + CAL_DT_LEN) +            \
     EM_COSEM_CAL_WEEKS * (CAL_NAME_LEN + 7u) +                                                    \
     EM_COSEM_CAL_DAYS * (2u + EM_COSEM_CAL_DAY_ACTIONS * CAL_ACT_LEN))
#define SPECIAL_LEN (2u + 8u * EM_COSEM_SPECIAL_DAYS)
#define CAL_BUF     (CAL_LEN + CAL_DT_LEN)

_Static_assert(CAL_BUF <= UINT16_MAX && SPECIAL_LEN <= CAL_BUF, "tariff records fit CAL_BUF");

/* The settings journal: what a head-end programs, which changes seldom
 * (the calendars, special days, profile configurations), apart from the
 * records rewritten every commit so their garbage collection stays cheap. */
static const store_record_def_t cal_defs[] = {
    {REC_CAL_ACTIVE, CAL_LEN},
    {REC_CAL_PASSIVE, CAL_BUF},
    {REC_SPECIAL, SPECIAL_LEN},
    PROF_REC(METER_PROF_LP, COLS_LP),
    PROF_REC(METER_PROF_DAILY, 0),
    PROF_REC(METER_PROF_MONTHLY, 0),
    PROF_REC(METER_PROF_LOG_STD, 0),
    PROF_REC(METER_PROF_LOG_FRAUD, 0),
    PROF_REC(METER_PROF_LOG_PQ, 0),
    PROF_REC(METER_PROF_LOG_POWER, 0),
    PROF_REC(METER_PROF_LOG_PQ_EXT, 0),
    PROF_REC(METER_PROF_LOG_THD, 0),
    PROF_REC(METER_PROF_LOG_COMM, 0),
    PROF_REC(METER_PROF_LOG_BREAKER, 0),
    PROF_REC(METER_PROF_PQ1, 0),
    PROF_REC(METER_PROF_PQ2, 0),
    PROF_REC(METER_PROF_DEFINABLE, COLS_DEFINABLE),
    PROF_REC(METER_PROF_ANALYSIS, COLS_ANALYSIS),
    PROF_REC(METER_PROF_DEBIT2, 0),
};
_Static_assert(sizeof(cal_defs) / sizeof(cal_defs[0]) == 3u + METER_PROF_COUNT,
               "a configuration record per profile slot");

/* Columns a slot's configuration record keeps (0: the table's). */
static unsigned slot_cols(unsigned slot) {
    return cal_defs[3 + slot].max_len > PROFILE_HDR
               ? (cal_defs[3 + slot].max_len - PROFILE_HDR) / CAPTURE_OBJ
               : 0u;
}
#define CAL_RECORD_COUNT (sizeof(cal_defs) / sizeof(cal_defs[0]))

/* ---- bytes ------------------------------------------------------------------ */

/* Little-endian fields (lib/store/record_bytes.h, shared with the breaker
 * and prepayment records). */
static void put_le(uint8_t *p, uint64_t v, unsigned n) {
    store_put_le(p, v, n);
}

static uint64_t get_le(const uint8_t *p, unsigned n) {
    store_rd_t r = {p, n, 0, false};
    return store_get_le(&r, n);
}

/* Floats (pq thresholds, last sag/swell) by their IEEE-754 bits. */
static void put_float(uint8_t *p, float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    put_le(p, u, 4);
}

static float get_float(const uint8_t *p) {
    uint32_t u = (uint32_t)get_le(p, 4);
    float f;
    memcpy(&f, &u, sizeof(f));
    return f;
}

/* ---- layout ----------------------------------------------------------------- */

int meter_persist_layout(const em_flash_geometry_t *geo, unsigned variant,
                         meter_persist_layout_t *out) {
    if (geo == NULL || out == NULL)
        return METER_PERSIST_ERR_BADARG;
    memset(out, 0, sizeof(*out));
    out->records_first = 0;
    out->records_sectors = EM_METER_PERSIST_RECORD_SECTORS;
    uint32_t next = out->records_sectors;
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        const meter_prof_spec_t *spec = meter_prof_spec(variant, i);
        if (spec == NULL)
            continue;
        uint32_t n = store_ring_sectors_needed(geo, spec->row_size, spec->entries);
        if (n == 0)
            return STORE_ERR_GEOMETRY;
        out->ring_first[i] = next;
        out->ring_sectors[i] = n;
        next += n;
    }
    /* upgrade (w1): the firmware image region */
    out->image_first = next;
    out->image_sectors =
        (uint32_t)(((uint64_t)EM_METER_PERSIST_IMAGE_BYTES + geo->sector_size - 1u) /
                   (geo->sector_size ? geo->sector_size : 1u));
    next += out->image_sectors;
    out->cal_first = next;
    out->cal_sectors = EM_METER_PERSIST_CAL_SECTORS;
    next += out->cal_sectors;
    out->cfg_first = next;
    out->cfg_sectors = EM_METER_PERSIST_CFG_SECTORS;
    out->sectors = next + out->cfg_sectors;
    return 0;
}

uint32_t meter_persist_sectors_needed(const em_flash_geometry_t *geo, unsigned variant) {
    meter_persist_layout_t l;
    return meter_persist_layout(geo, variant, &l) == 0 ? l.sectors : 0;
}

/* ---- the profiles of the meter -------------------------------------------- */

/* A slot's configuration; the columns only for the slots that keep them
 * (count 0: the table's columns). */
static size_t profile_encode(const cosem_profile_state_t *st, unsigned slot, uint8_t *b) {
    unsigned cols = slot_cols(slot);
    b[0] = FORMAT_V1;
    put_le(b + 1, st->capture_period, 4);
    put_le(b + 5, st->profile_entries, 4);
    b[9] = cols != 0 && st->capture_count <= cols ? st->capture_count : 0;
    uint8_t *p = b + PROFILE_HDR;
    for (unsigned c = 0; c < b[9]; c++, p += CAPTURE_OBJ) {
        const dlms_capture_object_t *co = &st->capture_objects[c];
        put_le(p, co->class_id, 2);
        memcpy(p + 2, co->logical_name, 6);
        p[8] = (uint8_t)co->attribute_index;
        put_le(p + 9, co->data_index, 2);
    }
    return (size_t)(p - b);
}

/* A stored configuration into cfg/cols (defaults from the table's def
 * when it keeps no columns); false when it is not one. */
static bool profile_decode(const uint8_t *b, int len, const cosem_profile_def_t *def,
                           cosem_profile_config_t *cfg, dlms_capture_object_t *cols) {
    if (len < (int)PROFILE_HDR || b[0] != FORMAT_V1 || b[9] > EM_COSEM_PROFILE_MAX_COLUMNS ||
        len != (int)(PROFILE_HDR + CAPTURE_OBJ * b[9]))
        return false;
    cfg->capture_period = (uint32_t)get_le(b + 1, 4);
    cfg->profile_entries = (uint32_t)get_le(b + 5, 4);
    if (b[9] == 0) {
        cfg->capture_count = def->capture_count;
        cfg->capture_objects = def->capture_objects;
        return true;
    }
    cfg->capture_count = b[9];
    cfg->capture_objects = cols;
    memset(cols, 0, b[9] * sizeof(*cols));
    const uint8_t *p = b + PROFILE_HDR;
    for (unsigned c = 0; c < b[9]; c++, p += CAPTURE_OBJ) {
        cols[c].class_id = (uint16_t)get_le(p, 2);
        memcpy(cols[c].logical_name, p + 2, 6);
        cols[c].attribute_index = (int8_t)p[8];
        cols[c].data_index = (uint16_t)get_le(p + 9, 2);
    }
    return true;
}

/* Moves profile slot i to its flash ring, with the configuration last
 * stored when there is one that still fits (else the defaults). */
static int profile_attach(meter_persist_t *p, unsigned i) {
    meter_t *m = p->m;
    const cosem_object_t *obj = m->prof_obj[i];
    const meter_prof_spec_t *spec = meter_prof_spec(m->variant, i);
    if (obj == NULL || spec == NULL)
        return 0;
    int rc = meter_profile_flash_init(&p->pf[i], &p->rows[i], p->port, p->layout.ring_first[i],
                                      p->layout.ring_sectors[i], spec->row_size, spec->entries);
    if (rc != 0)
        return rc;
    uint8_t b[REC_BUF];
    dlms_capture_object_t cols[EM_COSEM_PROFILE_MAX_COLUMNS];
    cosem_profile_config_t cfg;
    int len = store_record_read(&p->cal_rec, (uint16_t)(REC_PROFILE + i), b, sizeof(b));
    if (len > 0 && profile_decode(b, len, obj->def, &cfg, cols) &&
        cosem_profile_init_with(&m->cosem, obj, &p->rows[i], &cfg) == 0)
        return 0;
    return cosem_profile_init(&m->cosem, obj, &p->rows[i]);
}

/* ---- records ---------------------------------------------------------------- */

static size_t energy_encode(const meter_t *m, int64_t utc, bool clean, uint8_t *b) {
    b[0] = FORMAT_V1;
    b[1] = clean ? FLAG_CLEAN : 0u;
    put_le(b + 2, (uint64_t)utc, 8);
    b[10] = METER_E_COUNT;
    for (unsigned i = 0; i < METER_E_COUNT; i++)
        put_le(b + ENERGY_HDR + 8 * i, m->energy.uwh[i], 8);
    return ENERGY_LEN;
}

static void energy_restore(meter_persist_t *p, const uint8_t *b, int len) {
    if (len < (int)ENERGY_HDR || b[0] != FORMAT_V1 || len < (int)(ENERGY_HDR + 8u * b[10]))
        return;
    p->restored = true;
    p->clean_power_down = (b[1] & FLAG_CLEAN) != 0;
    p->last_commit_utc = (int64_t)get_le(b + 2, 8);
    unsigned n = b[10] < METER_E_COUNT ? b[10] : METER_E_COUNT;
    for (unsigned i = 0; i < n; i++)
        p->m->energy.uwh[i] = get_le(b + ENERGY_HDR + 8 * i, 8);
}

/* A writer over a record buffer (sizes are checked by the _LEN macros). */
typedef struct wr {
    uint8_t *b;
    size_t pos;
} wr_t;

static void wr_le(wr_t *w, uint64_t v, unsigned n) {
    put_le(w->b + w->pos, v, n);
    w->pos += n;
}

static void wr_bytes(wr_t *w, const void *src, size_t n) {
    memcpy(w->b + w->pos, src, n);
    w->pos += n;
}

static size_t status_encode(const meter_t *m, uint8_t *b) {
    wr_t w = {b, 0};
    wr_le(&w, FORMAT_V1, 1);
    for (unsigned r = 0; r < METER_ALARM_REGS; r++) {
        wr_le(&w, m->alarm[r], 4);
        wr_le(&w, m->alarm_filter[r], 4);
    }
    wr_le(&w, m->tariff, 1);
    wr_bytes(&w, m->event_code, METER_LOG_COUNT);
    wr_bytes(&w, m->amr_sticky, METER_PROF_COUNT);
    wr_le(&w, m->power_failures, 2);
    wr_le(&w, m->long_power_failures, 2);
    wr_le(&w, m->long_pf_threshold_s, 4);
    wr_le(&w, m->last_pf_duration_s, 4);
    wr_le(&w, m->comm_sessions, 4);
    for (unsigned i = 0; i < METER_ASSOC_COUNT; i++)
        wr_le(&w, m->comm_sessions_assoc[i], 4);
    return w.pos;
}

static size_t pq_encode(const meter_t *m, uint8_t *b) {
    const pq_cfg_t *c = &m->pq.cfg;
    b[0] = FORMAT_V1;
    put_float(b + 1, c->sag_v);
    put_float(b + 5, c->swell_v);
    put_le(b + 9, c->sag_time_ms, 4);
    put_le(b + 13, c->swell_time_ms, 4);
    for (unsigned k = 0; k < METROLOGY_PHASES; k++) {
        const pq_phase_t *ph = &m->pq.ph[k];
        uint8_t *q = b + 17 + PQ_PHASE_LEN * k;
        put_le(q, ph->sags, 4);
        put_le(q + 4, ph->swells, 4);
        put_float(q + 8, ph->last_sag_v);
        put_le(q + 12, ph->last_sag_ms, 4);
        put_float(q + 16, ph->last_swell_v);
        put_le(q + 20, ph->last_swell_ms, 4);
    }
    return PQ_LEN;
}

/* A stored voltage as the meter could have measured it (NaN, negative or
 * absurd values from a foreign image read as 0). */
static float volts(const uint8_t *p) {
    float v = get_float(p);
    return v >= 0.0f && v < 1.0e6f ? v : 0.0f;
}

static void pq_restore(meter_t *m, const uint8_t *b, int len) {
    if (len != (int)PQ_LEN || b[0] != FORMAT_V1)
        return;
    pq_cfg_t *c = &m->pq.cfg;
    float sag = get_float(b + 1), swell = get_float(b + 5);
    /* The rule a DLMS write enforces: sag < declared voltage < swell. */
    if (sag > 0.0f && sag < c->u_din && swell > c->u_din) {
        c->sag_v = sag;
        c->swell_v = swell;
    }
    uint32_t ts = (uint32_t)get_le(b + 9, 4), tw = (uint32_t)get_le(b + 13, 4);
    if (ts >= 1000u && ts <= 3600000u && tw >= 1000u && tw <= 3600000u) {
        c->sag_time_ms = ts;
        c->swell_time_ms = tw;
    }
    for (unsigned k = 0; k < METROLOGY_PHASES; k++) {
        pq_phase_t *ph = &m->pq.ph[k];
        const uint8_t *q = b + 17 + PQ_PHASE_LEN * k;
        ph->sags = (uint32_t)get_le(q, 4);
        ph->swells = (uint32_t)get_le(q + 4, 4);
        ph->last_sag_v = volts(q + 8);
        ph->last_sag_ms = (uint32_t)get_le(q + 12, 4);
        ph->last_swell_v = volts(q + 16);
        ph->last_swell_ms = (uint32_t)get_le(q + 20, 4);
    }
}

/* ---- tariff journal: calendars and special days ------------------------------ */

/* A bounded reader: any read past the end marks it bad and reads 0
 * (store_rd_t of lib/store/record_bytes.h). */
typedef store_rd_t rd_t;

static uint64_t rd_le(rd_t *r, unsigned n) {
    return store_get_le(r, n);
}

static uint8_t rd_u8(rd_t *r) {
    return (uint8_t)rd_le(r, 1);
}

/* A count that must not exceed max (marks the reader bad otherwise). */
static uint8_t rd_count(rd_t *r, unsigned max) {
    uint8_t n = rd_u8(r);
    if (n > max)
        r->bad = true;
    return r->bad ? 0 : n;
}

/* n bytes into dst (zeros when the reader is or goes bad). */
static void rd_bytes(rd_t *r, void *dst, size_t n) {
    if (r->bad || r->len - r->pos < n) {
        r->bad = true;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->b + r->pos, n);
    r->pos += n;
}

/* ---- status, demand, billing -------------------------------------------------- */

static void status_restore(meter_t *m, const uint8_t *b, int len) {
    rd_t r = {b, (size_t)len, 0, len != (int)STATUS_LEN || b[0] != FORMAT_V1};
    rd_u8(&r);
    uint32_t alarm[METER_ALARM_REGS], filter[METER_ALARM_REGS];
    for (unsigned i = 0; i < METER_ALARM_REGS; i++) {
        alarm[i] = (uint32_t)rd_le(&r, 4);
        filter[i] = (uint32_t)rd_le(&r, 4);
    }
    uint8_t tariff = rd_u8(&r);
    uint8_t codes[METER_LOG_COUNT], sticky[METER_PROF_COUNT];
    rd_bytes(&r, codes, sizeof(codes));
    rd_bytes(&r, sticky, sizeof(sticky));
    uint16_t pf = (uint16_t)rd_le(&r, 2), lpf = (uint16_t)rd_le(&r, 2);
    uint32_t threshold = (uint32_t)rd_le(&r, 4), last_pf = (uint32_t)rd_le(&r, 4);
    uint32_t sessions = (uint32_t)rd_le(&r, 4), per[METER_ASSOC_COUNT];
    for (unsigned i = 0; i < METER_ASSOC_COUNT; i++)
        per[i] = (uint32_t)rd_le(&r, 4);
    if (r.bad)
        return; /* a record of another format: the meter's defaults stay */
    memcpy(m->alarm, alarm, sizeof(alarm));
    memcpy(m->alarm_filter, filter, sizeof(filter));
    if (meter_set_tariff(m, tariff) != 0)
        meter_set_tariff(m, 1);
    memcpy(m->event_code, codes, sizeof(codes));
    memcpy(m->amr_sticky, sticky, sizeof(sticky));
    m->power_failures = pf;
    m->long_power_failures = lpf;
    m->long_pf_threshold_s = threshold;
    m->last_pf_duration_s = last_pf;
    m->comm_sessions = sessions;
    memcpy(m->comm_sessions_assoc, per, sizeof(per));
}

/* Demand: what closed periods left (the last average, the maxima and
 * cumulative maxima), so the record changes once a demand period, not
 * every commit. The period running at a power failure is not kept: the
 * meter starts a new one at power up (meter_demand_step). */
static size_t demand_encode(const meter_t *m, uint8_t *b) {
    const meter_demand_t *d = &m->demand;
    wr_t w = {b, 0};
    wr_le(&w, FORMAT_V1, 1);
    for (unsigned q = 0; q < METER_DQ_COUNT; q++) {
        wr_le(&w, (uint64_t)d->avg[q].last_average, 8);
        wr_le(&w, (uint64_t)d->avg[q].capture_time, 8);
        for (unsigned t = 0; t <= EM_METER_TARIFFS; t++) {
            wr_le(&w, d->max[q][t], 4);
            wr_le(&w, (uint64_t)d->max_time[q][t], 8);
            wr_le(&w, d->cum[q][t], 4);
        }
    }
    return w.pos;
}

static void demand_restore(meter_t *m, const uint8_t *b, int len) {
    rd_t r = {b, (size_t)len, 0, len != (int)DEMAND_LEN || b[0] != FORMAT_V1};
    rd_u8(&r);
    meter_demand_t d = m->demand;
    for (unsigned q = 0; q < METER_DQ_COUNT; q++) {
        d.avg[q].last_average = (int64_t)rd_le(&r, 8);
        d.avg[q].capture_time = (int64_t)rd_le(&r, 8);
        for (unsigned t = 0; t <= EM_METER_TARIFFS; t++) {
            d.max[q][t] = (uint32_t)rd_le(&r, 4);
            d.max_time[q][t] = (int64_t)rd_le(&r, 8);
            d.cum[q][t] = (uint32_t)rd_le(&r, 4);
        }
    }
    if (!r.bad)
        m->demand = d;
}

static void wr_sas(wr_t *w, const cosem_single_action_state_t *s) {
    wr_bytes(w, s->script.ln, 6);
    wr_le(w, s->script.selector, 2);
    wr_le(w, s->type, 1);
    wr_le(w, s->count, 1);
    for (unsigned i = 0; i < EM_COSEM_SAS_TIMES; i++) {
        const cosem_sas_time_t *t = &s->times[i];
        uint8_t v[9] = {t->time.hour,
                        t->time.minute,
                        t->time.second,
                        t->time.hundredths,
                        (uint8_t)(t->date.year >> 8),
                        (uint8_t)t->date.year,
                        t->date.month,
                        t->date.day,
                        t->date.day_of_week};
        wr_bytes(w, v, sizeof(v));
    }
    wr_le(w, (uint64_t)s->next, 8);
    wr_le(w, s->rules, 4); /* the local time rules `next` was computed with */
}

static void rd_sas(rd_t *r, cosem_single_action_state_t *s) {
    rd_bytes(r, s->script.ln, 6);
    s->script.selector = (uint16_t)rd_le(r, 2);
    s->type = rd_u8(r);
    s->count = rd_count(r, EM_COSEM_SAS_TIMES);
    for (unsigned i = 0; i < EM_COSEM_SAS_TIMES; i++) {
        uint8_t v[9];
        rd_bytes(r, v, sizeof(v));
        s->times[i].time = (cosem_time_t){v[0], v[1], v[2], v[3]};
        s->times[i].date = (cosem_date_t){(uint16_t)(v[4] << 8 | v[5]), v[6], v[7], v[8]};
    }
    s->next = (int64_t)rd_le(r, 8);
    s->rules = (uint32_t)rd_le(r, 4);
}

static size_t billing_encode(const meter_t *m, uint8_t *b) {
    const meter_billing_t *bl = &m->billing;
    wr_t w = {b, 0};
    wr_le(&w, FORMAT_V1, 1);
    wr_sas(&w, &bl->schedule);
    wr_le(&w, (uint64_t)bl->last_close_utc, 8);
    wr_le(&w, bl->counter, 1);
    wr_le(&w, bl->debit2_interval, 1);
    wr_le(&w, bl->debit2_day, 4);
    return w.pos;
}

static void billing_restore(meter_t *m, const uint8_t *b, int len) {
    rd_t r = {b, (size_t)len, 0, len != (int)BILLING_LEN || b[0] != FORMAT_V1};
    rd_u8(&r);
    meter_billing_t bl = m->billing;
    rd_sas(&r, &bl.schedule);
    bl.last_close_utc = (int64_t)rd_le(&r, 8);
    bl.counter = rd_u8(&r);
    bl.debit2_interval = rd_u8(&r);
    bl.debit2_day = (uint32_t)rd_le(&r, 4);
    if (r.bad || bl.schedule.type < 1 || bl.schedule.type > 5 || bl.counter > 99 ||
        bl.debit2_interval < METER_DEBIT2_DAILY || bl.debit2_interval > METER_DEBIT2_MONTHLY)
        return;
    bl.schedule.last_tick = 0;
    m->billing = bl;
}

/* Push: each push setup as its packed record (length-prefixed), then the
 * push schedule. A pending push survives a restart (cosem_push_resume). */
static size_t push_encode(const meter_t *m, uint8_t *b) {
    wr_t w = {b, 0};
    wr_le(&w, FORMAT_V1, 1);
    const cosem_push_state_t *st[2] = {&m->push_sched, &m->push_alarm};
    for (unsigned i = 0; i < 2; i++) {
        int n = cosem_push_state_pack(st[i], b + w.pos + 2, COSEM_PUSH_RECORD_MAX);
        if (n < 0)
            n = 0;
        wr_le(&w, (uint64_t)n, 2);
        w.pos += (size_t)n;
    }
    wr_sas(&w, &m->push_schedule);
    return w.pos;
}

static void push_restore(meter_t *m, const uint8_t *b, int len) {
    rd_t r = {b, (size_t)len, 0, len < 1 || b[0] != FORMAT_V1};
    rd_u8(&r);
    cosem_push_state_t st[2] = {m->push_sched, m->push_alarm};
    bool ok[2] = {false, false};
    for (unsigned i = 0; i < 2 && !r.bad; i++) {
        size_t n = (size_t)rd_le(&r, 2);
        if (r.bad || n > r.len - r.pos) {
            r.bad = true;
            break;
        }
        ok[i] = n > 0 && cosem_push_state_unpack(r.b + r.pos, n, &st[i]) == 0;
        r.pos += n;
    }
    cosem_single_action_state_t sas = m->push_schedule;
    rd_sas(&r, &sas);
    if (r.bad)
        return;
    if (ok[0]) {
        m->push_sched = st[0];
        cosem_push_resume(&m->push_sched);
    }
    if (ok[1]) {
        m->push_alarm = st[1];
        cosem_push_resume(&m->push_alarm);
    }
    if (sas.type >= 1 && sas.type <= 5) {
        sas.last_tick = 0;
        m->push_schedule = sas;
    }
}

/* ---- upgrade (w1): REC_IMAGE, the image transfer state (upgrade.c) and
 * the image activation schedule; the image bytes are in the image region */
_Static_assert(IMAGE_LEN <= REC_BUF, "REC_IMAGE fits REC_BUF");

static size_t image_encode(const meter_t *m, uint8_t *b) {
    wr_t w = {b, meter_upgrade_encode(m, b)};
    wr_sas(&w, &m->upgrade.schedule);
    return w.pos;
}

static void image_restore(meter_persist_t *p, const uint8_t *b, int len) {
    meter_t *m = p->m;
    uint32_t ss = p->port->flash.sector_size;
    meter_upgrade_attach(m, p, p->layout.image_first * ss, p->layout.image_sectors * ss);
    size_t n = meter_upgrade_restore(m, b, len);
    if (n == 0)
        return;
    rd_t r = {b, (size_t)len, n, false};
    cosem_single_action_state_t sas = m->upgrade.schedule;
    rd_sas(&r, &sas);
    if (!r.bad && r.pos == r.len && sas.type >= 1 && sas.type <= 5) {
        sas.last_tick = 0;
        m->upgrade.schedule = sas;
    }
}
/* ---- end upgrade ---- */

static uint8_t *put_name(uint8_t *p, const cosem_cal_name_t *n) {
    uint8_t len = n->len <= EM_COSEM_CAL_NAME_MAX ? n->len : EM_COSEM_CAL_NAME_MAX;
    p[0] = len;
    memcpy(p + 1, n->bytes, len);
    return p + 1 + len;
}

static void get_name(rd_t *r, cosem_cal_name_t *n) {
    memset(n, 0, sizeof(*n));
    n->len = rd_count(r, EM_COSEM_CAL_NAME_MAX);
    for (uint8_t i = 0; i < n->len; i++)
        n->bytes[i] = rd_u8(r);
}

static uint8_t *put_dt(uint8_t *p, const cosem_datetime_t *dt) {
    put_le(p, dt->year, 2);
    p[2] = dt->month;
    p[3] = dt->day;
    p[4] = dt->day_of_week;
    p[5] = dt->hour;
    p[6] = dt->minute;
    p[7] = dt->second;
    p[8] = dt->hundredths;
    put_le(p + 9, (uint16_t)dt->deviation, 2);
    p[11] = dt->clock_status;
    return p + CAL_DT_LEN;
}

static void get_dt(rd_t *r, cosem_datetime_t *dt) {
    dt->year = (uint16_t)rd_le(r, 2);
    dt->month = rd_u8(r);
    dt->day = rd_u8(r);
    dt->day_of_week = rd_u8(r);
    dt->hour = rd_u8(r);
    dt->minute = rd_u8(r);
    dt->second = rd_u8(r);
    dt->hundredths = rd_u8(r);
    dt->deviation = (int16_t)(uint16_t)rd_le(r, 2);
    dt->clock_status = rd_u8(r);
}

static uint8_t *put_action(uint8_t *p, const cosem_cal_action_t *a) {
    p[0] = a->start.hour;
    p[1] = a->start.minute;
    p[2] = a->start.second;
    p[3] = a->start.hundredths;
    memcpy(p + 4, a->script.ln, 6);
    put_le(p + 10, a->script.selector, 2);
    return p + CAL_ACT_LEN;
}

static void get_action(rd_t *r, cosem_cal_action_t *a) {
    a->start.hour = rd_u8(r);
    a->start.minute = rd_u8(r);
    a->start.second = rd_u8(r);
    a->start.hundredths = rd_u8(r);
    for (unsigned i = 0; i < 6; i++)
        a->script.ln[i] = rd_u8(r);
    a->script.selector = (uint16_t)rd_le(r, 2);
}

/* Only the entries in use are written: a calendar record is as long as
 * the calendar. */
static size_t cal_encode(const cosem_calendar_t *c, uint8_t *b) {
    uint8_t *p = b;
    *p++ = FORMAT_V1;
    p = put_name(p, &c->name);
    uint8_t ns = c->season_count <= EM_COSEM_CAL_SEASONS ? c->season_count : 0;
    uint8_t nw = c->week_count <= EM_COSEM_CAL_WEEKS ? c->week_count : 0;
    uint8_t nd = c->day_count <= EM_COSEM_CAL_DAYS ? c->day_count : 0;
    *p++ = ns;
    for (unsigned i = 0; i < ns; i++) {
        p = put_name(p, &c->seasons[i].name);
        p = put_dt(p, &c->seasons[i].start);
        p = put_name(p, &c->seasons[i].week);
    }
    *p++ = nw;
    for (unsigned i = 0; i < nw; i++) {
        p = put_name(p, &c->weeks[i].name);
        memcpy(p, c->weeks[i].day_id, 7);
        p += 7;
    }
    *p++ = nd;
    for (unsigned i = 0; i < nd; i++) {
        const cosem_cal_day_t *d = &c->days[i];
        uint8_t na = d->count <= EM_COSEM_CAL_DAY_ACTIONS ? d->count : 0;
        *p++ = d->day_id;
        *p++ = na;
        for (unsigned k = 0; k < na; k++)
            p = put_action(p, &d->actions[k]);
    }
    return (size_t)(p - b);
}

static void cal_decode(rd_t *r, cosem_calendar_t *c) {
    memset(c, 0, sizeof(*c));
    if (rd_u8(r) != FORMAT_V1)
        r->bad = true;
    get_name(r, &c->name);
    c->season_count = rd_count(r, EM_COSEM_CAL_SEASONS);
    for (unsigned i = 0; i < c->season_count; i++) {
        get_name(r, &c->seasons[i].name);
        get_dt(r, &c->seasons[i].start);
        get_name(r, &c->seasons[i].week);
    }
    c->week_count = rd_count(r, EM_COSEM_CAL_WEEKS);
    for (unsigned i = 0; i < c->week_count; i++) {
        get_name(r, &c->weeks[i].name);
        for (unsigned k = 0; k < 7; k++)
            c->weeks[i].day_id[k] = rd_u8(r);
    }
    c->day_count = rd_count(r, EM_COSEM_CAL_DAYS);
    for (unsigned i = 0; i < c->day_count; i++) {
        c->days[i].day_id = rd_u8(r);
        c->days[i].count = rd_count(r, EM_COSEM_CAL_DAY_ACTIONS);
        for (unsigned k = 0; k < c->days[i].count; k++)
            get_action(r, &c->days[i].actions[k]);
    }
}

static size_t special_encode(const cosem_special_days_state_t *sd, uint8_t *b) {
    uint8_t n = sd->count <= EM_COSEM_SPECIAL_DAYS ? sd->count : 0;
    b[0] = FORMAT_V1;
    b[1] = n;
    uint8_t *p = b + 2;
    for (unsigned i = 0; i < n; i++, p += 8) {
        const cosem_special_day_t *e = &sd->entries[i];
        put_le(p, e->index, 2);
        put_le(p + 2, e->date.year, 2);
        p[4] = e->date.month;
        p[5] = e->date.day;
        p[6] = e->date.day_of_week;
        p[7] = e->day_id;
    }
    return (size_t)(p - b);
}

static void special_decode(rd_t *r, cosem_special_days_state_t *sd) {
    memset(sd, 0, sizeof(*sd));
    if (rd_u8(r) != FORMAT_V1)
        r->bad = true;
    sd->count = rd_count(r, EM_COSEM_SPECIAL_DAYS);
    for (unsigned i = 0; i < sd->count; i++) {
        cosem_special_day_t *e = &sd->entries[i];
        e->index = (uint16_t)rd_le(r, 2);
        e->date.year = (uint16_t)rd_le(r, 2);
        e->date.month = rd_u8(r);
        e->date.day = rd_u8(r);
        e->date.day_of_week = rd_u8(r);
        e->day_id = rd_u8(r);
    }
}

/* The stored calendars and special days replace meter_init's when each
 * decodes whole (and the active calendar is consistent: it drives the
 * tariffs). The tick starts again from the point in force. */
static void tariffs_restore(meter_persist_t *p) {
    meter_t *m = p->m;
    uint8_t b[CAL_BUF];
    cosem_calendar_t cal;
    int len = store_record_read(&p->cal_rec, REC_CAL_ACTIVE, b, sizeof(b));
    rd_t r = {b, len > 0 ? (size_t)len : 0, 0, len <= 0};
    cal_decode(&r, &cal);
    if (!r.bad && r.pos == r.len && cosem_calendar_check(&cal) == 0)
        m->calendar.active = cal;
    len = store_record_read(&p->cal_rec, REC_CAL_PASSIVE, b, sizeof(b));
    r = (rd_t){b, len > 0 ? (size_t)len : 0, 0, len <= 0};
    cal_decode(&r, &cal);
    cosem_datetime_t at;
    get_dt(&r, &at);
    if (!r.bad && r.pos == r.len) {
        m->calendar.passive = cal;
        m->calendar.activation = at;
    }
    cosem_special_days_state_t sd;
    len = store_record_read(&p->cal_rec, REC_SPECIAL, b, sizeof(b));
    r = (rd_t){b, len > 0 ? (size_t)len : 0, 0, len <= 0};
    special_decode(&r, &sd);
    if (!r.bad && r.pos == r.len)
        m->special_days = sd;
    memset(&m->calendar.run, 0, sizeof(m->calendar.run));
}

static int tariffs_commit(meter_persist_t *p) {
    const meter_t *m = p->m;
    uint8_t b[CAL_BUF];
    int rc = store_record_write(&p->cal_rec, REC_CAL_ACTIVE, b, cal_encode(&m->calendar.active, b));
    size_t n = cal_encode(&m->calendar.passive, b);
    put_dt(b + n, &m->calendar.activation);
    int r2 = store_record_write(&p->cal_rec, REC_CAL_PASSIVE, b, n + CAL_DT_LEN);
    rc = rc != 0 ? rc : r2;
    r2 = store_record_write(&p->cal_rec, REC_SPECIAL, b, special_encode(&m->special_days, b));
    rc = rc != 0 ? rc : r2;
    if (rc != 0)
        p->stats.last_errors++;
    return rc;
}

/* ---- devices (w2): display lists, login lock, tamper symbol (devices.h) ---------- */

/* Also hands the store to the diagnostics' storage check. The record is
 * rewritten by every commit but only reaches the flash when it changed
 * (a list programmed, a lock): store_record_write skips equal values. */
static void devices_restore(meter_persist_t *p) {
    uint8_t b[METER_DEVICES_REC_LEN];
    p->m->devices.persist = p;
    int len = store_record_read(&p->cfg_rec, REC_DEVICES, b, sizeof(b));
    int64_t utc;
    if (cosem_rtc_now(&p->m->cosem, &utc) != 0)
        utc = p->last_commit_utc;
    if (len > 0)
        meter_devices_restore(p->m, b, len, utc);
}

static int devices_commit(meter_persist_t *p) {
    uint8_t b[METER_DEVICES_REC_LEN];
    int rc = store_record_write(&p->cfg_rec, REC_DEVICES, b, meter_devices_encode(p->m, b));
    if (rc != 0)
        p->stats.last_errors++;
    return rc;
}

/* ---- health ------------------------------------------------------------------- */

/* Any damage a store found since the last look: NV-memory error event 14
 * (alarm bit 10), once per finding. */
static int nv_check(meter_persist_t *p, int64_t utc) {
    bool bad = store_stats_corrupted(store_record_stats(&p->rec)) ||
               store_stats_corrupted(store_record_stats(&p->cal_rec)) ||
               store_stats_corrupted(store_record_stats(&p->cfg_rec));
    store_stats_reset(&p->cfg_rec.stats);
    store_stats_reset(&p->rec.stats);
    store_stats_reset(&p->cal_rec.stats);
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        if (p->rows[i].ops == NULL)
            continue;
        bad = bad || store_stats_corrupted(store_ring_stats(&p->pf[i].ring));
        store_stats_reset(&p->pf[i].ring.stats);
    }
    if (!bad)
        return 0;
    p->stats.nv_errors++;
    return meter_event(p->m, METER_LOG_STANDARD, METER_EV_NV_MEMORY_ERROR, utc);
}

/* ---- modem and module I/O (w4) --------------------------------------------------
 * REC_COMM: the settings of the communication setup objects a head-end
 * writes (TCP-UDP setup, the static IPv4 configuration, PAP credentials,
 * APN / PIN / QoS, Auto connect, Auto answer). Not kept: IPv4 multicast
 * addresses and IP options, PPP LCP/IPCP options (docs/communication.md).
 * Every value is checked again when restored; a record that does not
 * decode leaves meter_init's values. */
static void wr_windows(wr_t *w, const cosem_comm_window_t *win, uint8_t n) {
    wr_le(w, n, 1);
    for (uint8_t i = 0; i < n; i++) {
        put_dt(w->b + w->pos, &win[i].start);
        put_dt(w->b + w->pos + CAL_DT_LEN, &win[i].end);
        w->pos += 2u * CAL_DT_LEN;
    }
}

static uint8_t rd_windows(rd_t *r, cosem_comm_window_t *win) {
    uint8_t n = rd_count(r, EM_COSEM_COMM_WINDOWS);
    for (uint8_t i = 0; i < n; i++) {
        get_dt(r, &win[i].start);
        get_dt(r, &win[i].end);
        if (!cosem_comm_pattern_valid(&win[i].start) || !cosem_comm_pattern_valid(&win[i].end))
            r->bad = true;
    }
    return n;
}

static void wr_qos(wr_t *w, const cosem_gprs_qos_t *q) {
    const uint8_t b[5] = {q->precedence, q->delay, q->reliability, q->peak_throughput,
                          q->mean_throughput};
    wr_bytes(w, b, 5);
}

static void rd_qos(rd_t *r, cosem_gprs_qos_t *q) {
    q->precedence = rd_u8(r);
    q->delay = rd_u8(r);
    q->reliability = rd_u8(r);
    q->peak_throughput = rd_u8(r);
    q->mean_throughput = rd_u8(r);
    if (!cosem_gprs_qos_ok(q))
        r->bad = true;
}

static size_t comm_encode(const meter_t *m, uint8_t *b) {
    const meter_modem_t *md = &m->modem;
    wr_t w = {b, 0};
    wr_le(&w, FORMAT_V1, 1);
    wr_le(&w, md->tcp.port, 2);
    wr_le(&w, md->tcp.mss, 2);
    wr_le(&w, md->tcp.nb_of_sim_conn, 1);
    wr_le(&w, md->tcp.inactivity_time_out, 2);
    wr_le(&w, md->ipv4.use_dhcp, 1);
    /* a lease is not configuration: the static values only */
    bool st = !md->ipv4.use_dhcp;
    wr_le(&w, st ? md->ipv4.ip_address : 0, 4);
    wr_le(&w, st ? md->ipv4.subnet_mask : 0, 4);
    wr_le(&w, st ? md->ipv4.gateway : 0, 4);
    wr_le(&w, st ? md->ipv4.primary_dns : 0, 4);
    wr_le(&w, st ? md->ipv4.secondary_dns : 0, 4);
    wr_le(&w, md->ppp.auth, 1);
    wr_le(&w, md->ppp.user_len, 1);
    wr_bytes(&w, md->ppp.user, md->ppp.user_len);
    wr_le(&w, md->ppp.password_len, 1);
    wr_bytes(&w, md->ppp.password, md->ppp.password_len);
    wr_le(&w, md->gprs.apn_len, 1);
    wr_bytes(&w, md->gprs.apn, md->gprs.apn_len);
    wr_le(&w, md->gprs.pin_code, 2);
    wr_qos(&w, &md->gprs.default_qos);
    wr_qos(&w, &md->gprs.requested_qos);
    wr_le(&w, md->ac.mode, 1);
    wr_le(&w, md->ac.repetitions, 1);
    wr_le(&w, md->ac.repetition_delay, 2);
    wr_windows(&w, md->ac.windows, md->ac.window_count);
    wr_le(&w, md->ac.dest_count, 1);
    for (uint8_t i = 0; i < md->ac.dest_count; i++) {
        wr_le(&w, md->ac.dest_len[i], 1);
        wr_bytes(&w, md->ac.dest[i], md->ac.dest_len[i]);
    }
    const uint8_t aa[5] = {md->aa.mode, md->aa.status, md->aa.number_of_calls, md->aa.rings_in,
                           md->aa.rings_out};
    wr_bytes(&w, aa, 5);
    wr_windows(&w, md->aa.windows, md->aa.window_count);
    wr_le(&w, md->aa.caller_count, 1);
    for (uint8_t i = 0; i < md->aa.caller_count; i++) {
        wr_le(&w, md->aa.callers[i].len, 1);
        wr_bytes(&w, md->aa.callers[i].id, md->aa.callers[i].len);
        wr_le(&w, md->aa.callers[i].call_type, 1);
    }
    return w.pos;
}

static void comm_restore(meter_t *m, const uint8_t *b, int len) {
    rd_t r = {b, (size_t)len, 0, len < 1 || b[0] != FORMAT_V1};
    rd_u8(&r);
    meter_modem_t md = m->modem;
    md.tcp.port = (uint16_t)rd_le(&r, 2);
    md.tcp.mss = (uint16_t)rd_le(&r, 2);
    md.tcp.nb_of_sim_conn = rd_u8(&r);
    md.tcp.inactivity_time_out = (uint16_t)rd_le(&r, 2);
    md.ipv4.use_dhcp = rd_u8(&r) != 0;
    md.ipv4.ip_address = (uint32_t)rd_le(&r, 4);
    md.ipv4.subnet_mask = (uint32_t)rd_le(&r, 4);
    md.ipv4.gateway = (uint32_t)rd_le(&r, 4);
    md.ipv4.primary_dns = (uint32_t)rd_le(&r, 4);
    md.ipv4.secondary_dns = (uint32_t)rd_le(&r, 4);
    md.ppp.auth = rd_u8(&r);
    md.ppp.user_len = rd_count(&r, EM_COSEM_COMM_PPP_USER_MAX);
    rd_bytes(&r, md.ppp.user, md.ppp.user_len);
    md.ppp.password_len = rd_count(&r, EM_COSEM_COMM_PPP_PASSWORD_MAX);
    rd_bytes(&r, md.ppp.password, md.ppp.password_len);
    md.gprs.apn_len = rd_count(&r, EM_COSEM_COMM_APN_MAX);
    rd_bytes(&r, md.gprs.apn, md.gprs.apn_len);
    md.gprs.pin_code = (uint16_t)rd_le(&r, 2);
    rd_qos(&r, &md.gprs.default_qos);
    rd_qos(&r, &md.gprs.requested_qos);
    md.ac.mode = rd_u8(&r);
    md.ac.repetitions = rd_u8(&r);
    md.ac.repetition_delay = (uint16_t)rd_le(&r, 2);
    md.ac.window_count = rd_windows(&r, md.ac.windows);
    md.ac.dest_count = rd_count(&r, EM_COSEM_COMM_DESTINATIONS);
    for (uint8_t i = 0; i < md.ac.dest_count; i++) {
        md.ac.dest_len[i] = rd_count(&r, EM_COSEM_COMM_DEST_MAX);
        rd_bytes(&r, md.ac.dest[i], md.ac.dest_len[i]);
        cosem_comm_dest_t d;
        if (!r.bad && cosem_comm_parse_destination(md.ac.dest[i], md.ac.dest_len[i], &d) != 0)
            r.bad = true;
    }
    md.aa.mode = rd_u8(&r);
    md.aa.status = rd_u8(&r);
    md.aa.number_of_calls = rd_u8(&r);
    md.aa.rings_in = rd_u8(&r);
    md.aa.rings_out = rd_u8(&r);
    md.aa.window_count = rd_windows(&r, md.aa.windows);
    md.aa.caller_count = rd_count(&r, EM_COSEM_COMM_CALLERS);
    for (uint8_t i = 0; i < md.aa.caller_count; i++) {
        md.aa.callers[i].len = rd_count(&r, EM_COSEM_COMM_CALLER_ID_MAX);
        rd_bytes(&r, md.aa.callers[i].id, md.aa.callers[i].len);
        md.aa.callers[i].call_type = rd_u8(&r);
        if (md.aa.callers[i].call_type > COSEM_AA_CALL_WAKE_UP)
            r.bad = true;
    }
    if (r.bad || r.pos != r.len || md.tcp.port == 0 || md.tcp.mss < COSEM_TCP_UDP_MSS_MIN ||
        md.tcp.nb_of_sim_conn == 0 || md.ppp.auth > COSEM_PPP_AUTH_PAP ||
        !cosem_gprs_apn_ok(md.gprs.apn, md.gprs.apn_len) ||
        !cosem_auto_connect_mode_ok(md.ac.mode) || md.aa.mode > 4 ||
        md.aa.status > COSEM_AA_STATUS_LOCKED || !cosem_ipv4_mask_ok(md.ipv4.subnet_mask))
        return;
    m->modem = md;
}

/* REC_COMM is larger than REC_BUF: its own buffer (~0.85 KB of stack,
 * only while loading or committing). */
static int write_rec(meter_persist_t *p, uint16_t id, const uint8_t *b, size_t len);

static void comm_load(meter_persist_t *p) {
    uint8_t b[COMM_LEN];
    int len = store_record_read(&p->cfg_rec, REC_COMM, b, sizeof(b));
    if (len > 0)
        comm_restore(p->m, b, len);
}

static int write_cfg(meter_persist_t *p, uint16_t id, const uint8_t *b, size_t len);

static int comm_commit(meter_persist_t *p) {
    uint8_t b[COMM_LEN];
    return write_cfg(p, REC_COMM, b, comm_encode(p->m, b));
}

/* REC_MODULE_IO: module I/O configuration, input levels and counters
 * (the hour counter in minutes: less than a minute is lost at a
 * restart; the pulse output counts are not kept). */
static size_t module_io_encode(const meter_t *m, uint8_t *b) {
    const meter_module_io_t *io = &m->io;
    wr_t w = {b, 0};
    wr_le(&w, FORMAT_V1, 1);
    const uint8_t cfg[5] = {io->z3, io->z8, io->z12, io->z13, io->lc_enabled};
    wr_bytes(&w, cfg, 5);
    for (unsigned i = 0; i < 2; i++) {
        wr_le(&w, io->lc_on[i], 2);
        wr_le(&w, io->lc_off[i], 2);
    }
    wr_le(&w, io->threshold_w, 4);
    wr_bytes(&w, io->level, 2);
    wr_le(&w, io->pulses, 4);
    wr_le(&w, io->alarms, 4);
    wr_le(&w, io->debit_stops, 4);
    wr_le(&w, io->threshold_count, 4);
    /* whole minutes: the record changes once a minute, not every commit */
    wr_le(&w, io->supply_s / 60u, 4);
    return w.pos;
}

static void module_io_restore(meter_t *m, const uint8_t *b, int len) {
    rd_t r = {b, (size_t)len, 0, len != (int)MODULE_IO_LEN || b[0] != FORMAT_V1};
    rd_u8(&r);
    meter_module_io_t io = m->io;
    uint8_t z3 = rd_u8(&r), z8 = rd_u8(&r), z12 = rd_u8(&r), z13 = rd_u8(&r);
    io.lc_enabled = rd_u8(&r) != 0;
    for (unsigned i = 0; i < 2; i++) {
        io.lc_on[i] = (uint16_t)rd_le(&r, 2);
        io.lc_off[i] = (uint16_t)rd_le(&r, 2);
        if (io.lc_on[i] >= 1440 || io.lc_off[i] >= 1440)
            r.bad = true;
    }
    io.threshold_w = (uint32_t)rd_le(&r, 4);
    rd_bytes(&r, io.level, 2);
    io.pulses = (uint32_t)rd_le(&r, 4);
    io.alarms = (uint32_t)rd_le(&r, 4);
    io.debit_stops = (uint32_t)rd_le(&r, 4);
    io.threshold_count = (uint32_t)rd_le(&r, 4);
    io.supply_s = rd_le(&r, 4) * 60u;
    if (r.bad || io.level[0] > 1 || io.level[1] > 1)
        return;
    m->io = io;
    if (meter_io_configure(m, z3, z8, z12, z13) != 0)
        m->io.z3 = 0; /* an unknown code: no function */
}

/* ---- mount, commit ------------------------------------------------------------ */

static void restore_records(meter_persist_t *p) {
    uint8_t b[REC_BUF];
    int len = store_record_read(&p->rec, REC_ENERGY, b, sizeof(b));
    if (len > 0)
        energy_restore(p, b, len);
    len = store_record_read(&p->rec, REC_STATUS, b, sizeof(b));
    if (len > 0)
        status_restore(p->m, b, len);
    len = store_record_read(&p->rec, REC_PQ, b, sizeof(b));
    if (len > 0)
        pq_restore(p->m, b, len);
    len = store_record_read(&p->rec, REC_DEMAND, b, sizeof(b));
    if (len > 0)
        demand_restore(p->m, b, len);
    len = store_record_read(&p->rec, REC_BILLING, b, sizeof(b));
    if (len > 0)
        billing_restore(p->m, b, len);
    len = store_record_read(&p->cfg_rec, REC_PUSH, b, sizeof(b));
    if (len > 0)
        push_restore(p->m, b, len);
    image_restore(p, b, store_record_read(&p->rec, REC_IMAGE, b, sizeof(b))); /* upgrade (w1) */
    comm_load(p); /* modem and module I/O (w4) */
    len = store_record_read(&p->rec, REC_MODULE_IO, b, sizeof(b));
    if (len > 0)
        module_io_restore(p->m, b, len);
    devices_restore(p);                                          /* devices (w2) */
    len = store_record_read(&p->rec, REC_BREAKER, b, sizeof(b)); /* w3 */
    if (len > 0)
        meter_breaker_decode(p->m, b, (size_t)len);
    len = store_record_read(&p->rec, REC_PREPAY, b, sizeof(b)); /* w3 */
    if (len > 0)
        meter_prepay_decode(p->m, b, (size_t)len);
}

/* Periodic profiles continue from the last commit: a boundary crossed
 * while the meter was off is captured once by the first tick. */
static void resume_ticks(meter_persist_t *p) {
    for (unsigned i = 0; i < METER_PROF_COUNT; i++)
        if (p->m->prof_obj[i] != NULL && p->m->prof[i].capture_period != 0)
            p->m->prof[i].last_tick = p->last_commit_utc;
}

int meter_persist_mount(meter_persist_t *p, meter_t *m, const em_port_t *port, int64_t utc) {
    if (p == NULL || m == NULL || port == NULL)
        return METER_PERSIST_ERR_BADARG;
    memset(p, 0, sizeof(*p));
    p->m = m;
    p->port = port;
    p->commit_period_s = EM_METER_PERSIST_COMMIT_PERIOD_S;
    int rc = meter_persist_layout(&port->flash, m->variant, &p->layout);
    if (rc != 0)
        return rc;
    if (p->layout.sectors > port->flash.sector_count)
        return METER_PERSIST_ERR_GEOMETRY;
    rc = store_record_init(&p->rec, port, p->layout.records_first, p->layout.records_sectors,
                           record_defs, RECORD_COUNT);
    if (rc == 0)
        rc = store_record_init(&p->cal_rec, port, p->layout.cal_first, p->layout.cal_sectors,
                               cal_defs, CAL_RECORD_COUNT);
    if (rc == 0)
        rc = store_record_init(&p->cfg_rec, port, p->layout.cfg_first, p->layout.cfg_sectors,
                               cfg_defs, CFG_RECORD_COUNT);
    if (rc != 0)
        return rc;
    restore_records(p);
    tariffs_restore(p);
    for (unsigned i = 0; rc == 0 && i < METER_PROF_COUNT; i++)
        rc = profile_attach(p, i);
    if (rc != 0)
        return rc;
    if (p->restored && p->last_commit_utc != 0)
        resume_ticks(p);
    return nv_check(p, utc);
}

static int write_rec(meter_persist_t *p, uint16_t id, const uint8_t *b, size_t len) {
    int rc = store_record_write(&p->rec, id, b, len);
    if (rc != 0)
        p->stats.last_errors++;
    return rc;
}

static int write_cfg(meter_persist_t *p, uint16_t id, const uint8_t *b, size_t len) {
    int rc = store_record_write(&p->cfg_rec, id, b, len);
    if (rc != 0)
        p->stats.last_errors++;
    return rc;
}

static int commit(meter_persist_t *p, int64_t utc, bool clean) {
    if (p == NULL || p->m == NULL)
        return METER_PERSIST_ERR_BADARG;
    const meter_t *m = p->m;
    uint8_t b[REC_BUF];
    p->stats.last_errors = 0;
    /* Settings first, the energy record (with the commit time) last: after
     * a cut the time found at mount is never later than what it covers. */
    int rc = write_rec(p, REC_STATUS, b, status_encode(m, b));
    int r2 = write_rec(p, REC_PQ, b, pq_encode(m, b));
    rc = rc != 0 ? rc : r2;
    r2 = write_rec(p, REC_DEMAND, b, demand_encode(m, b));
    rc = rc != 0 ? rc : r2;
    r2 = write_rec(p, REC_BILLING, b, billing_encode(m, b));
    rc = rc != 0 ? rc : r2;
    r2 = write_cfg(p, REC_PUSH, b, push_encode(m, b));
    rc = rc != 0 ? rc : r2;
    r2 = write_rec(p, REC_IMAGE, b, image_encode(m, b)); /* upgrade (w1) */
    rc = rc != 0 ? rc : r2;
    r2 = comm_commit(p); /* modem and module I/O (w4) */
    rc = rc != 0 ? rc : r2;
    r2 = write_rec(p, REC_MODULE_IO, b, module_io_encode(m, b));
    rc = rc != 0 ? rc : r2;
    r2 = devices_commit(p); /* devices (w2) */
    rc = rc != 0 ? rc : r2;
    r2 = write_rec(p, REC_BREAKER, b, meter_breaker_encode(m, b)); /* w3 */
    rc = rc != 0 ? rc : r2;
    r2 = write_rec(p, REC_PREPAY, b, meter_prepay_encode(m, b)); /* w3 */
    rc = rc != 0 ? rc : r2;
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        if (m->prof_obj[i] == NULL || p->rows[i].ops == NULL)
            continue;
        r2 = store_record_write(&p->cal_rec, (uint16_t)(REC_PROFILE + i), b,
                                profile_encode(&m->prof[i], i, b));
        if (r2 != 0)
            p->stats.last_errors++;
        rc = rc != 0 ? rc : r2;
    }
    r2 = tariffs_commit(p);
    rc = rc != 0 ? rc : r2;
    r2 = write_rec(p, REC_ENERGY, b, energy_encode(m, utc, clean, b));
    rc = rc != 0 ? rc : r2;
    r2 = nv_check(p, utc);
    if (rc == 0) {
        p->stats.commits++;
        p->last_commit_utc = utc;
    }
    return rc != 0 ? rc : r2;
}

int meter_persist_commit(meter_persist_t *p, int64_t utc) {
    return commit(p, utc, false);
}

int meter_persist_tick(meter_persist_t *p, int64_t utc) {
    if (p == NULL || p->m == NULL)
        return METER_PERSIST_ERR_BADARG;
    /* A period of 1 s commits every tick, also two in the same RTC second:
     * nothing a client reads is left uncommitted. */
    int64_t since = utc - p->last_commit_utc;
    if (p->commit_period_s > 1 && since >= 0 && since < (int64_t)p->commit_period_s)
        return 0;
    return commit(p, utc, false);
}

int meter_persist_power_up(meter_persist_t *p, int64_t utc) {
    if (p == NULL || p->m == NULL)
        return METER_PERSIST_ERR_BADARG;
    int rc = 0;
    int64_t down = p->last_commit_utc != 0 ? p->last_commit_utc : utc;
    if (p->restored && !p->clean_power_down) {
        /* No hold-up save: the outage began after the last commit. */
        rc = meter_event(p->m, METER_LOG_STANDARD, METER_EV_POWER_DOWN, down);
    }
    if (p->restored) {
        int r1 = meter_power_failure(p->m, down, utc);
        rc = rc != 0 ? rc : r1;
        /* The RTC ran on its backup meanwhile: past it, the time is lost. */
        if (utc - down > EM_METER_RTC_BACKUP_S)
            p->m->clock.status |= COSEM_CLOCK_STATUS_INVALID;
    }
    int r2 = meter_power_up(p->m, utc);
    meter_devices_power_up(p->m, utc, down); /* devices (w2): event 6 once, tamper queue */
    p->clean_power_down = false;
    int r3 = commit(p, utc, false);
    return rc != 0 ? rc : r2 != 0 ? r2 : r3;
}

int meter_persist_power_down(meter_persist_t *p, int64_t utc) {
    if (p == NULL || p->m == NULL)
        return METER_PERSIST_ERR_BADARG;
    int rc = meter_event(p->m, METER_LOG_STANDARD, METER_EV_POWER_DOWN, utc);
    meter_devices_power_down(p->m, utc); /* devices (w2): tamper outage queue, display off */
    int r2 = commit(p, utc, true);
    return r2 != 0 ? r2 : rc;
}

const char *meter_persist_strerror(int err) {
    switch (err) {
    case METER_PERSIST_ERR_BADARG:
        return "meter persist: invalid argument";
    case METER_PERSIST_ERR_GEOMETRY:
        return "meter persist: flash smaller than the meter's layout";
    default:
        break;
    }
    if (err <= -0x0800 && err >= -0x08FF)
        return store_strerror(err);
    return meter_strerror(err);
}
