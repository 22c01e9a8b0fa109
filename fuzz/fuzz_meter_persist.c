/*
 * fuzz_meter_persist.c - libFuzzer target for lib/meter/persist: the
 * decoders of the meter's records (energy, status, power quality, profile
 * configurations) fed with arbitrary values that carry valid CRCs, as a
 * flash written by another firmware, or damaged in a way the CRCs cannot
 * see, would hold.
 *
 * Input: a sequence of {record selector u8, length u8, value bytes}; the
 * selector picks one of the meter's record ids (1, 2, 3, 16..21, and 8 the
 * devices record: display lists, login lock, with a 2-byte length) or of the
 * tariff journal (active calendar, passive calendar, special days; their
 * length is 2 bytes, big-endian). The values are written through the
 * record stores of a freshly formatted meter flash (in RAM), then a new
 * meter is mounted over it.
 *
 * Invariants (trap on violation): the mount succeeds; what it restored is
 * sane (tariff within the variant's, sag < declared voltage < swell, time
 * thresholds 1..3600 s, every profile's configuration attached and within
 * its ring's capacity, the active calendar consistent); a commit succeeds;
 * a second mount over the result restores exactly the same registers,
 * status, thresholds, profile configurations, calendars and special days
 * (the round trip of every record).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "meter/meter.h"
#include "meter/persist.h"

#define SECTOR 4096u
/* Room for the esmr layout (meter_persist_sectors_needed, checked below). */
#define SECTORS 320u

static uint8_t img[SECTOR * SECTORS];
static em_port_t port;
static meter_t m, m2;
static meter_persist_t p, p2;

static int mem_read(void *user, uint32_t addr, void *buf, size_t len) {
    (void)user;
    if ((uint64_t)addr + len > sizeof(img))
        __builtin_trap();
    memcpy(buf, img + addr, len);
    return 0;
}

static int mem_program(void *user, uint32_t addr, const void *buf, size_t len) {
    (void)user;
    const uint8_t *src = buf;
    if ((uint64_t)addr + len > sizeof(img))
        __builtin_trap();
    for (size_t i = 0; i < len; i++)
        img[addr + i] &= src[i];
    return 0;
}

static int mem_erase(void *user, uint32_t sector) {
    (void)user;
    if (sector >= SECTORS)
        __builtin_trap();
    memset(img + sector * SECTOR, 0xFF, SECTOR);
    return 0;
}

static int mem_sync(void *user) {
    (void)user;
    return 0;
}

static int64_t fixed_rtc(void *user) {
    (void)user;
    return 1705320000;
}

static void boot(meter_t *mm, meter_persist_t *pp) {
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {
        .variant = METER_VARIANT_ESMR, .logical_device_name = ldn, .logical_device_name_len = 16};
    if (meter_init(mm, &id, &port) != 0)
        __builtin_trap();
    if (meter_persist_mount(pp, mm, &port, 1705320000) != 0)
        __builtin_trap();
}

static void check_sane(const meter_t *mm, const meter_persist_t *pp) {
    const pq_cfg_t *c = &mm->pq.cfg;
    if (mm->tariff < 1 || mm->tariff > mm->tariffs || mm->tariff_ind[1] != mm->tariff)
        __builtin_trap();
    if (!(c->sag_v > 0.0f && c->sag_v < c->u_din && c->swell_v > c->u_din))
        __builtin_trap();
    if (c->sag_time_ms < 1000u || c->sag_time_ms > 3600000u || c->swell_time_ms < 1000u ||
        c->swell_time_ms > 3600000u)
        __builtin_trap();
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        if ((pp->rows[i].ops == NULL) != (mm->prof_obj[i] == NULL))
            __builtin_trap(); /* every profile of the table has its ring */
        if (mm->prof_obj[i] == NULL)
            continue;
        const cosem_profile_state_t *st = cosem_profile_state(&mm->cosem, mm->prof_obj[i]);
        if (st == NULL || st->rows != &pp->rows[i] || st->capture_count == 0 ||
            st->capture_count > EM_COSEM_PROFILE_MAX_COLUMNS || st->profile_entries == 0 ||
            st->profile_entries > pp->rows[i].ops->capacity(pp->rows[i].user))
            __builtin_trap();
    }
    if (cosem_calendar_check(&mm->calendar.active) != 0 ||
        mm->special_days.count > EM_COSEM_SPECIAL_DAYS)
        __builtin_trap();
    /* devices (w2): lists within their capacity, items valid, the legal
     * readings where they must be. */
    const display_t *d = &mm->devices.display;
    for (uint8_t l = 0; l < DISPLAY_LIST_COUNT; l++) {
        const display_list_t *x = display_list_get(d, l);
        if (x->count > display_list_capacity(l))
            __builtin_trap();
        for (unsigned i = 0; i < x->count; i++)
            if (x->items[i].class_id == 0 || x->items[i].attr < 1 || x->items[i].data_index != 0)
                __builtin_trap();
        if ((d->cfg.legal_lists & (1u << l)) == 0)
            continue;
        for (unsigned k = 0; k < d->cfg.legal_count; k++) {
            bool found = false;
            for (unsigned i = 0; i < x->count && !found; i++)
                found = x->items[i].class_id == d->cfg.legal[k].class_id &&
                        x->items[i].attr == d->cfg.legal[k].attr &&
                        memcmp(x->items[i].obis, d->cfg.legal[k].obis, 6) == 0;
            if (!found)
                __builtin_trap();
        }
    }
}

/* Calendars and special days, field by field (padding). */
static bool same_name(const cosem_cal_name_t *a, const cosem_cal_name_t *b) {
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static bool same_dt(const cosem_datetime_t *a, const cosem_datetime_t *b) {
    return a->year == b->year && a->month == b->month && a->day == b->day &&
           a->day_of_week == b->day_of_week && a->hour == b->hour && a->minute == b->minute &&
           a->second == b->second && a->hundredths == b->hundredths &&
           a->deviation == b->deviation && a->clock_status == b->clock_status;
}

static bool same_day(const cosem_cal_day_t *a, const cosem_cal_day_t *b) {
    if (a->day_id != b->day_id || a->count != b->count)
        return false;
    for (unsigned k = 0; k < a->count; k++) {
        const cosem_cal_action_t *x = &a->actions[k], *y = &b->actions[k];
        if (x->start.hour != y->start.hour || x->start.minute != y->start.minute ||
            x->start.second != y->start.second || x->start.hundredths != y->start.hundredths ||
            memcmp(x->script.ln, y->script.ln, 6) != 0 || x->script.selector != y->script.selector)
            return false;
    }
    return true;
}

static bool same_calendar(const cosem_calendar_t *a, const cosem_calendar_t *b) {
    if (!same_name(&a->name, &b->name) || a->season_count != b->season_count ||
        a->week_count != b->week_count || a->day_count != b->day_count)
        return false;
    for (unsigned i = 0; i < a->season_count; i++)
        if (!same_name(&a->seasons[i].name, &b->seasons[i].name) ||
            !same_name(&a->seasons[i].week, &b->seasons[i].week) ||
            !same_dt(&a->seasons[i].start, &b->seasons[i].start))
            return false;
    for (unsigned i = 0; i < a->week_count; i++)
        if (!same_name(&a->weeks[i].name, &b->weeks[i].name) ||
            memcmp(a->weeks[i].day_id, b->weeks[i].day_id, 7) != 0)
            return false;
    for (unsigned i = 0; i < a->day_count; i++)
        if (!same_day(&a->days[i], &b->days[i]))
            return false;
    return true;
}

static bool same_tariffs(const meter_t *a, const meter_t *b) {
    if (!same_calendar(&a->calendar.active, &b->calendar.active) ||
        !same_calendar(&a->calendar.passive, &b->calendar.passive) ||
        !same_dt(&a->calendar.activation, &b->calendar.activation) ||
        a->special_days.count != b->special_days.count)
        return false;
    for (unsigned i = 0; i < a->special_days.count; i++) {
        const cosem_special_day_t *x = &a->special_days.entries[i],
                                  *y = &b->special_days.entries[i];
        if (x->index != y->index || x->date.year != y->date.year ||
            x->date.month != y->date.month || x->date.day != y->date.day ||
            x->date.day_of_week != y->date.day_of_week || x->day_id != y->day_id)
            return false;
    }
    return true;
}

/* Field by field: the struct has padding. */
static bool same_columns(const cosem_profile_state_t *x, const cosem_profile_state_t *y) {
    for (unsigned c = 0; c < x->capture_count; c++) {
        const dlms_capture_object_t *u = &x->capture_objects[c], *v = &y->capture_objects[c];
        if (u->class_id != v->class_id || memcmp(u->logical_name, v->logical_name, 6) != 0 ||
            u->attribute_index != v->attribute_index || u->data_index != v->data_index)
            return false;
    }
    return true;
}

static bool same_profiles(const meter_t *a, const meter_t *b) {
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        if ((a->prof_obj[i] == NULL) != (b->prof_obj[i] == NULL))
            return false;
        if (a->prof_obj[i] == NULL)
            continue;
        const cosem_profile_state_t *x = cosem_profile_state(&a->cosem, a->prof_obj[i]);
        const cosem_profile_state_t *y = cosem_profile_state(&b->cosem, b->prof_obj[i]);
        if (x->capture_count != y->capture_count || x->capture_period != y->capture_period ||
            x->profile_entries != y->profile_entries || !same_columns(x, y))
            return false;
    }
    return true;
}

/* devices (w2): display lists, lock, tamper symbol. */
static bool same_devices(const meter_t *a, const meter_t *b) {
    if (lockout_until(&a->devices.lockout) != lockout_until(&b->devices.lockout) ||
        tamper_symbol(&a->devices.tamper) != tamper_symbol(&b->devices.tamper))
        return false;
    for (uint8_t l = 0; l < DISPLAY_LIST_COUNT; l++) {
        const display_list_t *x = display_list_get(&a->devices.display, l);
        const display_list_t *y = display_list_get(&b->devices.display, l);
        if (x->count != y->count)
            return false;
        for (unsigned i = 0; i < x->count; i++)
            if (x->items[i].class_id != y->items[i].class_id ||
                x->items[i].attr != y->items[i].attr || x->items[i].format != y->items[i].format ||
                memcmp(x->items[i].obis, y->items[i].obis, 6) != 0)
                return false;
    }
    return true;
}

static bool same_state(const meter_t *a, const meter_t *b) {
    const pq_cfg_t *ca = &a->pq.cfg, *cb = &b->pq.cfg;
    if (memcmp(&a->energy, &b->energy, sizeof(a->energy)) != 0 || a->alarm[0] != b->alarm[0] ||
        a->alarm_filter[0] != b->alarm_filter[0] || a->tariff != b->tariff ||
        memcmp(a->event_code, b->event_code, sizeof(a->event_code)) != 0 ||
        a->billing.last_close_utc != b->billing.last_close_utc ||
        a->billing.counter != b->billing.counter ||
        memcmp(a->amr_sticky, b->amr_sticky, sizeof(a->amr_sticky)) != 0 ||
        memcmp(a->demand.max, b->demand.max, sizeof(a->demand.max)) != 0 ||
        memcmp(&ca->sag_v, &cb->sag_v, sizeof(float)) != 0 ||
        memcmp(&ca->swell_v, &cb->swell_v, sizeof(float)) != 0 ||
        ca->sag_time_ms != cb->sag_time_ms || ca->swell_time_ms != cb->swell_time_ms)
        return false;
    for (unsigned k = 0; k < METROLOGY_PHASES; k++)
        if (a->pq.ph[k].sags != b->pq.ph[k].sags || a->pq.ph[k].swells != b->pq.ph[k].swells ||
            a->pq.ph[k].last_sag_ms != b->pq.ph[k].last_sag_ms ||
            memcmp(&a->pq.ph[k].last_swell_v, &b->pq.ph[k].last_swell_v, sizeof(float)) != 0)
            return false;
    return same_profiles(a, b) && same_tariffs(a, b) && same_devices(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* n: record n of the hot journal (energy, status, pq, demand, billing,
     * image, breaker, prepayment, module I/O); 0x100 + n: of the settings
     * journal (calendars, special days, profile configurations 16+slot);
     * 0x200 + n: of the configuration journal (push, devices, comm). */
    static const uint16_t ids[] = {1,     2,     3,     4,     5,     7,     9,
                                   10,    12,    0x101, 0x102, 0x103, 0x110, 0x111,
                                   0x112, 0x11D, 0x11E, 0x206, 0x208, 0x20B};
    memset(img, 0xFF, sizeof(img));
    memset(&port, 0, sizeof(port));
    port.flash = (em_flash_geometry_t){SECTOR, SECTORS, 4};
    port.flash.sector_count = meter_persist_sectors_needed(&port.flash, METER_VARIANT_ESMR);
    if (port.flash.sector_count == 0 || port.flash.sector_count > SECTORS)
        __builtin_trap();
    port.flash_read = mem_read;
    port.flash_program = mem_program;
    port.flash_erase = mem_erase;
    port.flash_sync = mem_sync;
    port.rtc_get = fixed_rtc;

    boot(&m, &p);
    size_t pos = 0;
    for (unsigned n = 0; pos + 2 <= size && n < 32; n++) {
        uint16_t id = ids[data[pos] % (sizeof(ids) / sizeof(ids[0]))];
        size_t len = data[pos + 1];
        pos += 2;
        if (pos < size)
            len = len << 8 | data[pos++];
        if (len > size - pos)
            len = size - pos;
        store_records_t *r = id >= 0x200 ? &p.cfg_rec : id >= 0x100 ? &p.cal_rec : &p.rec;
        if (len > 0)
            store_record_write(r, id & 0xFFu, data + pos, len); /* TOOBIG is fine */
        pos += len;
    }

    boot(&m, &p);
    check_sane(&m, &p);
    if (meter_persist_commit(&p, 1705320001) != 0)
        __builtin_trap();
    boot(&m2, &p2);
    check_sane(&m2, &p2);
    if (!same_state(&m, &m2))
        __builtin_trap();
    return 0;
}
