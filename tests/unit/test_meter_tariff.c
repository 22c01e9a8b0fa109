/*
 * test_meter_tariff.c - tariffication of the esmr meter by its activity
 * calendar (class 20, 0.0.13.0.0.255) with special days (class 11,
 * 0.0.11.0.0.255) and the tariffication script table (class 9,
 * 0.0.10.0.100.255) whose scripts are native hooks calling
 * meter_set_tariff: the factory calendar over simulated weeks with
 * meter_step (tariff 1 nights and weekends, tariff 2 weekdays 07:00-23:00
 * local, DST included), energy split exactly at switch instants whatever
 * the step, daily values, a holiday, a passive calendar programmed over the
 * COSEM dispatcher and activated at its time (events 19 and 9), an
 * inconsistent passive calendar refused, and the calendars and special
 * days surviving a persist / restore round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>

#include "cosem_test_table.h"
#include "meter/meter.h"
#include "meter/persist.h"
#include "port_posix.h"

#define LN(...)       ((const uint8_t[6]){__VA_ARGS__})
#define LN_CAL        LN(0, 0, 13, 0, 0, 255)
#define LN_SPECIAL    LN(0, 0, 11, 0, 0, 255)
#define LN_SCRIPTS    LN(0, 0, 10, 0, 100, 255)
#define LN_TARIFF_IND LN(0, 0, 96, 14, 0, 255)

/* 2024-01-15 00:00 CET (Monday) = 2024-01-14 23:00 UTC. */
static const int64_t MON_JAN = 1705273200;
/* 2024-03-25 00:00 CET (Monday before the DST change of Sunday 31). */
static const int64_t MON_MAR = 1711321200;

static meter_t m;
static em_port_t port;
static int64_t rtc;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int rtc_set(void *user, int64_t utc) {
    (void)user;
    rtc = utc;
    return 0;
}

static const meter_identity_t ID = {.variant = METER_VARIANT_ESMR,
                                    .logical_device_name = (const uint8_t *)"EMT0000000000001",
                                    .logical_device_name_len = 16,
                                    .serial_number = "E0001",
                                    .equipment_id = "E0001",
                                    .max_pdu = 1024,
                                    .time_zone_min = -60};

/* 230 V, 5 A, cos phi 0.9 per phase: 3105 W. */
static void set_load(void) {
    metrology_phasor_input_t in;
    meter_load_balanced(&in, 230.0, 5.0, acos(0.9) * 180.0 / 3.14159265358979323846, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
}

static int setup(void **state) {
    (void)state;
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    rtc = MON_JAN;
    assert_int_equal(meter_init(&m, &ID, &port), 0);
    set_load();
    return 0;
}

static void step(int64_t utc, uint32_t seconds) {
    rtc = utc;
    assert_int_equal(meter_step(&m, utc, seconds), 0);
}

/* ---- dispatcher (the management client) ------------------------------------------------- */

static dlms_assoc_view_t mgmt_view(void) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.assoc_index = METER_ASSOC_MANAGEMENT;
    v.client_sap = 1;
    v.server_sap = 1;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.ciphered = true;
    return v;
}

static int set(uint16_t cls, const uint8_t ln[6], int8_t attr, const uint8_t *value, size_t n) {
    dlms_assoc_view_t v = mgmt_view();
    return cosem_call_set(&m.cosem, &v, cls, ln, attr, value, n);
}

static int action(uint16_t cls, const uint8_t ln[6], int8_t method, const uint8_t *p, size_t n) {
    dlms_assoc_view_t v = mgmt_view();
    uint8_t ret[16];
    size_t ret_len;
    bool has_ret = false;
    return cosem_call_action(&m.cosem, &v, cls, ln, method, p, n, ret, sizeof(ret), &ret_len,
                             &has_ret);
}

static uint8_t out[4096];
static size_t out_len;

static int get_as(uint8_t assoc, uint16_t cls, const uint8_t ln[6], int8_t attr) {
    dlms_assoc_view_t v = mgmt_view();
    v.assoc_index = assoc;
    v.ciphered = assoc == METER_ASSOC_MANAGEMENT;
    return cosem_call_get(&m.cosem, &v, cls, ln, attr, NULL, out, sizeof(out), &out_len);
}

/* ---- the oracle ------------------------------------------------------------------------------ */

/* The factory calendar's tariff for the second starting at utc, from the
 * clock's local time (DST included); `holiday` a local date (yyyymmdd)
 * with the weekend profile. */
static unsigned expected_tariff(int64_t utc, uint32_t holiday) {
    cosem_datetime_t dt;
    assert_int_equal(cosem_clock_local(&m.clock, utc, &dt), 0);
    uint32_t date = dt.year * 10000u + dt.month * 100u + dt.day;
    bool weekday = dt.day_of_week <= 5 && date != holiday;
    return weekday && dt.hour >= 7 && dt.hour < 23 ? 2u : 1u;
}

#define T1 METER_E_A_PLUS_T1
#define T2 (METER_E_A_PLUS_T1 + 1)

/* Steps of `seconds` for `days` from `start`; each step of one tariff only
 * adds to that tariff register. Returns the number of seconds of T2. */
static uint64_t run(int64_t start, uint32_t seconds, unsigned days, uint32_t holiday) {
    uint64_t t2_seconds = 0;
    const uint64_t *u = m.energy.uwh;
    for (int64_t t = start; t < start + (int64_t)days * 86400; t += seconds) {
        uint64_t t1 = u[T1], t2 = u[T2];
        unsigned first = expected_tariff(t, holiday),
                 last = expected_tariff(t + seconds - 1, holiday);
        step(t + seconds, seconds);
        for (int64_t s = t; s < t + seconds; s += 60)
            t2_seconds += expected_tariff(s, holiday) == 2 ? 60 : 0;
        assert_int_equal(u[T1] + u[T2], u[METER_E_A_PLUS]);
        if (first == last) { /* one tariff in the whole step */
            assert_true((first == 2 ? u[T1] - t1 : u[T2] - t2) == 0);
            assert_true((first == 2 ? u[T2] - t2 : u[T1] - t1) > 0);
        }
        assert_int_equal(m.tariff, expected_tariff(t + seconds, holiday));
    }
    return t2_seconds;
}

static void assert_rel(double got, double want, double tol) {
    double err = fabs(got - want) / want;
    if (err > tol)
        fail_msg("%.6f vs %.6f: relative error %.3g > %.3g", got, want, err, tol);
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_objects_and_rights(void **state) {
    (void)state;
    /* The factory calendar is active, the tariff indicator follows it. */
    assert_memory_equal(m.calendar.active.name.bytes, "DSMR", 4);
    assert_int_equal(cosem_calendar_check(&m.calendar.active), 0);
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 20, LN_CAL, 2), 0);
    static const uint8_t name[] = {0x09, 0x04, 'D', 'S', 'M', 'R'};
    assert_int_equal(out_len, sizeof(name));
    assert_memory_equal(out, name, sizeof(name));
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 9, LN_SCRIPTS, 2), 0);
    assert_int_equal(out[0], AXDR_ARRAY);
    assert_int_equal(out[1], 2); /* scripts 1 and 2 */
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 11, LN_SPECIAL, 2), 0);
    /* Not for the public client; the active calendar is not writable. */
    assert_int_not_equal(get_as(METER_ASSOC_PUBLIC, 20, LN_CAL, 2), 0);
    assert_int_not_equal(set(20, LN_CAL, 2, name, sizeof(name)), 0);
    /* A head-end executing script 2 forces tariff 2. */
    static const uint8_t two[] = {0x12, 0x00, 0x02};
    assert_int_equal(action(9, LN_SCRIPTS, 1, two, sizeof(two)), 0);
    assert_int_equal(m.tariff, 2);
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 1, LN_TARIFF_IND, 2), 0);
    static const uint8_t ind[] = {AXDR_OCTET_STRING, 2, 0, 2};
    assert_memory_equal(out, ind, sizeof(ind));
}

/* A January week in quarter-hour steps: 80 h of T2 (5 x 07:00-23:00). */
static void test_week_quarters(void **state) {
    (void)state;
    uint64_t t2s = run(MON_JAN, 900, 7, 0);
    assert_int_equal(t2s, 80u * 3600u);
    const uint64_t *u = m.energy.uwh;
    assert_rel((double)u[T2] / 1e6, 3105.0 * 80, 1e-6);
    assert_rel((double)u[T1] / 1e6, 3105.0 * 88, 1e-6);
    /* Daily values at each local midnight: Tuesday 00:00 holds Monday's
     * 16 h of T2, Sunday 00:00 still only the five weekdays'. */
    cosem_profile_ram_rows_t *d = &m.prof_ram[METER_PROF_DAILY];
    assert_int_equal(d->count, 7);
    uint8_t row[METER_DAILY_ROW];
    uint32_t prev_t2 = 0;
    for (uint32_t i = 0; i < d->count; i++) {
        assert_int_equal(d->rows.ops->read(d->rows.user, i, row), 0);
        assert_int_equal(row[18], AXDR_DOUBLE_LONG_UNSIGNED);
        uint32_t t2 = (uint32_t)row[24] << 24 | (uint32_t)row[25] << 16 | row[26] << 8 | row[27];
        uint32_t want = i < 5 ? (i + 1) * 3105u * 16u : 5u * 3105u * 16u;
        assert_true(t2 == want || t2 + 1 == want);
        assert_true(t2 >= prev_t2);
        prev_t2 = t2;
    }
}

/* Steps that do not end on switching instants (3 h 17 min, and 1 day):
 * the step is split there, so the registers are as exact as with
 * quarter-hour steps. */
static void test_odd_steps_split_exactly(void **state) {
    (void)state;
    uint64_t t2s = run(MON_JAN, 11820, 7, 0); /* 52 steps, into the next Monday */
    assert_int_equal(t2s, 80u * 3600u);
    const uint64_t *u = m.energy.uwh;
    assert_rel((double)u[T2] / (double)u[METER_E_A_PLUS], 80.0 * 3600 / (52.0 * 11820), 1e-9);
}

/* A whole weekday in one step: 16 h of T2, 8 h of T1. */
static void test_day_in_one_step(void **state) {
    (void)state;
    step(MON_JAN + 86400, 86400);
    const uint64_t *u = m.energy.uwh;
    assert_rel((double)u[T2] / 1e6, 3105.0 * 16, 1e-6);
    assert_rel((double)u[T1] / 1e6, 3105.0 * 8, 1e-6);
    assert_int_equal(u[T1] + u[T2], u[METER_E_A_PLUS]);
}

/* Across the spring DST change: weekdays switch at 07:00 and 23:00 local,
 * 06:00 / 22:00 UTC before and 05:00 / 21:00 UTC after Sunday 31 March. */
static void test_week_across_dst(void **state) {
    (void)state;
    rtc = MON_MAR;
    uint64_t t2s = run(MON_MAR, 900, 8, 0); /* Mon 25 Mar .. Mon 1 Apr */
    assert_int_equal(t2s, 6u * 16u * 3600u);
    assert_int_equal(expected_tariff(1711947600 - 1, 0), 1); /* Mon 1 Apr 06:59:59 CEST */
    assert_int_equal(expected_tariff(1711947600, 0), 2);     /* 07:00:00 CEST = 05:00 UTC */
}

/* Holiday Wednesday 17 January (special day with the weekend profile):
 * tariff 1 all day, so 64 h of T2 in the week. */
static void test_special_day(void **state) {
    (void)state;
    static const uint8_t insert[] = {0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x05,
                                     0x07, 0xE8, 0x01, 0x11, 0xFF, 0x11, 0x02};
    assert_int_equal(action(11, LN_SPECIAL, 1, insert, sizeof(insert)), 0);
    assert_int_equal(m.special_days.count, 1);
    uint64_t t2s = run(MON_JAN, 900, 7, 20240117u);
    assert_int_equal(t2s, 64u * 3600u);
}

/* A passive calendar "NEW": weekdays T2 06:00-22:00. */
static const uint8_t NEW_NAME[] = {0x09, 0x03, 'N', 'E', 'W'};
static const uint8_t NEW_SEASONS[] = {0x01, 0x01, 0x02, 0x03, 0x09, 0x01, 'S',  0x09,
                                      0x0C, 0xFF, 0xFF, 0x01, 0x01, 0xFF, 0x00, 0x00,
                                      0x00, 0x00, 0x80, 0x00, 0xFF, 0x09, 0x01, 'W'};
static const uint8_t NEW_WEEKS[] = {0x01, 0x01, 0x02, 0x08, 0x09, 0x01, 'W',
                                    0x11, 0x01, 0x11, 0x01, 0x11, 0x01, 0x11,
                                    0x01, 0x11, 0x01, 0x11, 0x02, 0x11, 0x02};
static const uint8_t BAD_WEEKS[] = {0x01, 0x01, 0x02, 0x08, 0x09, 0x01, 'W',  0x11,
                                    0x01, 0x11, 0x01, 0x11, 0x01, 0x11, 0x01, 0x11,
                                    0x01, 0x11, 0x02, 0x11, 0x03}; /* Sunday: day 3, missing */
static const uint8_t NEW_DAYS[] = {
    0x01, 0x02,                                                       /* 2 day profiles */
    0x02, 0x02, 0x11, 0x01, 0x01, 0x02,                               /* day 1, 2 actions */
    0x02, 0x03, 0x09, 0x04, 0x06, 0x00, 0x00, 0x00,                   /* 06:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x02, /* tariff 2 */
    0x02, 0x03, 0x09, 0x04, 0x16, 0x00, 0x00, 0x00,                   /* 22:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x01, /* tariff 1 */
    0x02, 0x02, 0x11, 0x02, 0x01, 0x01,                               /* day 2, 1 action */
    0x02, 0x03, 0x09, 0x04, 0x00, 0x00, 0x00, 0x00,                   /* 00:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x01, /* tariff 1 */
};
/* activate_passive_calendar_time: Wednesday 2024-01-17 00:00 local. */
static const uint8_t ACTIVATE_AT[] = {0x09, 0x0C, 0x07, 0xE8, 0x01, 0x11, 0xFF,
                                      0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF};
static const int64_t WED_JAN = 1705273200 + 2 * 86400; /* Wed 00:00 CET */

static void program_passive(void) {
    assert_int_equal(set(20, LN_CAL, 6, NEW_NAME, sizeof(NEW_NAME)), 0);
    assert_int_equal(set(20, LN_CAL, 7, NEW_SEASONS, sizeof(NEW_SEASONS)), 0);
    assert_int_equal(set(20, LN_CAL, 8, NEW_WEEKS, sizeof(NEW_WEEKS)), 0);
    assert_int_equal(set(20, LN_CAL, 9, NEW_DAYS, sizeof(NEW_DAYS)), 0);
    assert_int_equal(set(20, LN_CAL, 10, ACTIVATE_AT, sizeof(ACTIVATE_AT)), 0);
}

/* Codes of the standard event log, oldest first, with their UTC. */
static unsigned std_codes(uint8_t *codes, int64_t *when, unsigned cap) {
    cosem_profile_ram_rows_t *r = &m.prof_ram[METER_PROF_LOG_STD + METER_LOG_STANDARD];
    unsigned n = 0;
    for (uint32_t i = 0; i < r->count && n < cap; i++) {
        uint8_t row[METER_LOG_ROW];
        assert_int_equal(r->rows.ops->read(r->rows.user, i, row), 0);
        assert_int_equal(row[16], AXDR_UNSIGNED);
        codes[n] = row[17];
        cosem_datetime_t dt = {0};
        dt.year = (uint16_t)(row[4] << 8 | row[5]);
        dt.month = row[6];
        dt.day = row[7];
        dt.day_of_week = 0xFF;
        dt.hour = row[9];
        dt.minute = row[10];
        dt.second = row[11];
        dt.hundredths = 0;
        dt.deviation = (int16_t)(row[13] << 8 | row[14]);
        dt.clock_status = row[15];
        assert_int_equal(cosem_datetime_to_utc(&dt, &when[n]), 0);
        n++;
    }
    return n;
}

static void test_passive_calendar_activation(void **state) {
    (void)state;
    program_passive();
    uint8_t codes[16];
    int64_t when[16];
    unsigned n = std_codes(codes, when, 16);
    assert_int_equal(n, 5); /* one "passive tariff updated" per attribute written */
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(codes[i], METER_EV_PASSIVE_UPDATED);
    /* Monday and Tuesday by the factory calendar (07:00-23:00). */
    uint64_t t2s = run(MON_JAN, 900, 2, 0);
    assert_int_equal(t2s, 2u * 16u * 3600u);
    /* The step ending Wednesday 00:00 ticks the calendar there: activated,
     * event 9 at that instant; then T2 06:00-22:00. */
    assert_memory_equal(m.calendar.active.name.bytes, "NEW", 3);
    uint64_t t2 = m.energy.uwh[T2];
    for (int64_t t = WED_JAN; t < WED_JAN + 86400; t += 900)
        step(t + 900, 900);
    assert_int_equal(m.calendar.active.name.len, 3);
    assert_memory_equal(m.calendar.active.name.bytes, "NEW", 3);
    assert_int_equal(m.calendar.activation.year, COSEM_DT_YEAR_NOT_SPECIFIED);
    assert_rel((double)(m.energy.uwh[T2] - t2) / 1e6, 3105.0 * 16, 1e-6);
    n = std_codes(codes, when, 16);
    assert_int_equal(n, 6);
    assert_int_equal(codes[5], METER_EV_TARIFF_ACTIVATED);
    assert_int_equal(when[5], WED_JAN);
    assert_int_equal(m.tariff, 1); /* 00:00 Thursday: after 22:00 */
}

static void test_inconsistent_passive_refused(void **state) {
    (void)state;
    step(MON_JAN + 900, 900);
    assert_int_equal(set(20, LN_CAL, 6, NEW_NAME, sizeof(NEW_NAME)), 0);
    assert_int_equal(set(20, LN_CAL, 7, NEW_SEASONS, sizeof(NEW_SEASONS)), 0);
    assert_int_equal(set(20, LN_CAL, 8, BAD_WEEKS, sizeof(BAD_WEEKS)), 0);
    /* The days do not define Sunday's day 3: refused, nothing changes. */
    cosem_calendar_t before = m.calendar.passive;
    assert_int_equal(set(20, LN_CAL, 9, NEW_DAYS, sizeof(NEW_DAYS)), DLMS_DAR_OTHER_REASON);
    assert_memory_equal(&before, &m.calendar.passive, sizeof(before));
    /* Activating it (method 1, or at a time) is refused too. */
    static const uint8_t zero[] = {0x0F, 0x00};
    assert_int_not_equal(action(20, LN_CAL, 1, zero, sizeof(zero)), 0);
    assert_int_not_equal(set(20, LN_CAL, 10, ACTIVATE_AT, sizeof(ACTIVATE_AT)), 0);
    assert_memory_equal(m.calendar.active.name.bytes, "DSMR", 4);
    uint8_t codes[16];
    int64_t when[16];
    unsigned n = std_codes(codes, when, 16);
    assert_int_equal(n, 3); /* the three accepted writes only, no event 9 */
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(codes[i], METER_EV_PASSIVE_UPDATED);
}

/* ---- persistence ----------------------------------------------------------------------------- */

static char path[64];
static em_port_posix_t pst;
static meter_persist_t p;
static em_flash_geometry_t geo = {.sector_size = 4096, .sector_count = 0, .program_unit = 4};

static void boot(int64_t utc, bool first) {
    if (!first)
        em_port_posix_deinit(&pst);
    assert_int_equal(em_port_posix_init(&port, &pst, path, &geo), 0);
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    rtc = utc;
    assert_int_equal(meter_init(&m, &ID, &port), 0);
    set_load();
    assert_int_equal(meter_persist_mount(&p, &m, &port, utc), 0);
}

static void test_persist_round_trip(void **state) {
    (void)state;
    geo.sector_count = meter_persist_sectors_needed(&geo, METER_VARIANT_ESMR);
    snprintf(path, sizeof(path), "/tmp/test_meter_tariff_%d.img", (int)getpid());
    unlink(path);
    boot(MON_JAN, true);
    /* Nothing stored: the factory calendar. */
    cosem_calendar_t factory;
    meter_calendar_default(&factory);
    assert_memory_equal(&m.calendar.active, &factory, sizeof(factory));
    step(MON_JAN + 900, 900);
    program_passive();
    static const uint8_t insert[] = {0x02, 0x03, 0x12, 0x00, 0x07, 0x09, 0x05, 0xFF,
                                     0xFF, 0x0C, 0x19, 0xFF, 0x11, 0x02}; /* every 25 December */
    assert_int_equal(action(11, LN_SPECIAL, 1, insert, sizeof(insert)), 0);
    assert_int_equal(meter_persist_commit(&p, MON_JAN + 900), 0);
    cosem_activity_calendar_state_t cal = m.calendar;
    cosem_special_days_state_t sd = m.special_days;
    /* Restart: the passive calendar, its activation time and the special
     * days are back; the activation still happens at its time. */
    boot(MON_JAN + 1800, false);
    assert_memory_equal(&m.calendar.active, &cal.active, sizeof(cal.active));
    assert_memory_equal(&m.calendar.passive, &cal.passive, sizeof(cal.passive));
    const cosem_datetime_t *a = &m.calendar.activation, *b = &cal.activation;
    assert_int_equal(a->year, 2024);
    assert_true(a->year == b->year && a->month == b->month && a->day == b->day &&
                a->day_of_week == b->day_of_week && a->hour == b->hour && a->minute == b->minute &&
                a->second == b->second && a->hundredths == b->hundredths &&
                a->deviation == b->deviation && a->clock_status == b->clock_status);
    assert_int_equal(m.special_days.count, 1);
    const cosem_special_day_t *e = &m.special_days.entries[0];
    assert_int_equal(e->index, sd.entries[0].index);
    assert_int_equal(e->index, 7);
    assert_int_equal(e->date.year, COSEM_DT_YEAR_NOT_SPECIFIED);
    assert_int_equal(e->date.month, 12);
    assert_int_equal(e->date.day, 25);
    assert_int_equal(e->date.day_of_week, 0xFF);
    assert_int_equal(e->day_id, 2);
    for (int64_t t = MON_JAN + 1800; t < WED_JAN + 900; t += 900) {
        step(t + 900, 900);
        assert_int_equal(meter_persist_tick(&p, t + 900), 0);
    }
    assert_memory_equal(m.calendar.active.name.bytes, "NEW", 3);
    /* Restart again: the new active calendar is the one in force. */
    boot(WED_JAN + 6 * 3600, false);
    assert_int_equal(m.calendar.active.name.len, 3);
    assert_memory_equal(&m.calendar.active, &cal.passive, sizeof(cal.passive));
    assert_int_equal(m.calendar.activation.year, COSEM_DT_YEAR_NOT_SPECIFIED);
    step(WED_JAN + 6 * 3600 + 900, 900); /* 06:00-06:15 Wednesday: T2 by "NEW" */
    assert_int_equal(m.tariff, 2);
    em_port_posix_deinit(&pst);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_objects_and_rights, setup),
        cmocka_unit_test_setup(test_week_quarters, setup),
        cmocka_unit_test_setup(test_odd_steps_split_exactly, setup),
        cmocka_unit_test_setup(test_day_in_one_step, setup),
        cmocka_unit_test_setup(test_week_across_dst, setup),
        cmocka_unit_test_setup(test_special_day, setup),
        cmocka_unit_test_setup(test_passive_calendar_activation, setup),
        cmocka_unit_test_setup(test_inconsistent_passive_refused, setup),
        cmocka_unit_test(test_persist_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
