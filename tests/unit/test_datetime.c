/*
 * test_datetime.c - unit tests of the COSEM date-time helpers
 * (lib/dlms/datetime.c): UTC conversions with deviations (CET/CEST, DST
 * switch instants), leap years, 2038 and later, an exhaustive day-by-day
 * sweep 1970..2100 against an independent calendar walk, "not specified"
 * handling, impossible dates, wire packing, day-of-month patterns and
 * schedule matching.
 *
 * Reference instants were computed independently (Python calendar.timegm).
 * Deviation sign as dlms-facts.md §1.2: minutes from local time to UTC,
 * CET = -60.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dlms/datetime.h"

#define NS COSEM_DT_NOT_SPECIFIED

static cosem_datetime_t mk(uint16_t y, uint8_t mo, uint8_t d, uint8_t dow, uint8_t h, uint8_t mi,
                           uint8_t s, int16_t dev) {
    cosem_datetime_t dt = {y, mo, d, dow, h, mi, s, 0, dev, 0};
    return dt;
}

static void expect_fields(const cosem_datetime_t *dt, uint16_t y, uint8_t mo, uint8_t d,
                          uint8_t dow, uint8_t h, uint8_t mi, uint8_t s) {
    assert_int_equal(dt->year, y);
    assert_int_equal(dt->month, mo);
    assert_int_equal(dt->day, d);
    assert_int_equal(dt->day_of_week, dow);
    assert_int_equal(dt->hour, h);
    assert_int_equal(dt->minute, mi);
    assert_int_equal(dt->second, s);
}

/* Field by field: the structs have padding, so no memcmp. */
static void expect_same(const cosem_datetime_t *a, const cosem_datetime_t *b) {
    expect_fields(b, a->year, a->month, a->day, a->day_of_week, a->hour, a->minute, a->second);
    assert_int_equal(a->hundredths, b->hundredths);
    assert_int_equal(a->deviation, b->deviation);
    assert_int_equal(a->clock_status, b->clock_status);
}

/* ---- conversions ------------------------------------------------------------------ */

static void test_epoch_and_known_instants(void **state) {
    (void)state;
    cosem_datetime_t dt;
    int64_t utc;

    assert_int_equal(cosem_datetime_from_utc(0, 0, 0, &dt), 0);
    expect_fields(&dt, 1970, 1, 1, 4, 0, 0, 0); /* a Thursday */
    assert_int_equal(dt.hundredths, 0);
    assert_int_equal(dt.deviation, 0);

    /* 2022-10-31 11:00:00 UTC is 12:00 CET, a Monday */
    assert_int_equal(cosem_datetime_from_utc(1667214000, -60, 0, &dt), 0);
    expect_fields(&dt, 2022, 10, 31, 1, 12, 0, 0);
    assert_int_equal(dt.deviation, -60);
    uint8_t wire[COSEM_DATETIME_LEN];
    static const uint8_t want[COSEM_DATETIME_LEN] = {0x07, 0xE6, 0x0A, 0x1F, 0x01, 0x0C,
                                                     0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00};
    cosem_datetime_pack(&dt, wire);
    assert_memory_equal(wire, want, sizeof(want));
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    assert_int_equal(utc, 1667214000);

    /* east of Greenwich, positive deviation: UTC-05:30 has deviation 330 */
    assert_int_equal(cosem_datetime_from_utc(1667214000, 330, 0, &dt), 0);
    expect_fields(&dt, 2022, 10, 31, 1, 5, 30, 0);

    /* negative UTC (before 1970) still works */
    assert_int_equal(cosem_datetime_from_utc(-1, 0, 0, &dt), 0);
    expect_fields(&dt, 1969, 12, 31, 3, 23, 59, 59);
    assert_int_equal(cosem_datetime_from_utc(0, 60, 0, &dt), 0); /* local 23:00 the day before */
    expect_fields(&dt, 1969, 12, 31, 3, 23, 0, 0);
}

static void test_dst_deviations(void **state) {
    (void)state;
    cosem_datetime_t dt;
    int64_t utc;

    /* EU DST begins 2024-03-31 01:00 UTC: 02:00 CET becomes 03:00 CEST */
    assert_int_equal(cosem_datetime_from_utc(1711846800 - 1, -60, 0, &dt), 0);
    expect_fields(&dt, 2024, 3, 31, 7, 1, 59, 59);
    assert_int_equal(cosem_datetime_from_utc(1711846800, -120, COSEM_CLOCK_STATUS_DST_ACTIVE, &dt),
                     0);
    expect_fields(&dt, 2024, 3, 31, 7, 3, 0, 0);
    assert_int_equal(dt.clock_status, COSEM_CLOCK_STATUS_DST_ACTIVE);
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    assert_int_equal(utc, 1711846800);

    /* EU DST ends 2024-10-27 01:00 UTC: 03:00 CEST becomes 02:00 CET; the
     * local hour 02:xx exists twice and the deviation tells them apart */
    cosem_datetime_t before = mk(2024, 10, 27, 7, 2, 30, 0, -120);
    cosem_datetime_t after = mk(2024, 10, 27, 7, 2, 30, 0, -60);
    int64_t u1, u2;
    assert_int_equal(cosem_datetime_to_utc(&before, &u1), 0);
    assert_int_equal(cosem_datetime_to_utc(&after, &u2), 0);
    assert_int_equal(u1, 1729990800 - 1800);
    assert_int_equal(u2, 1729990800 + 1800);

    /* the DST bit is informational: it does not shift the result again */
    after.clock_status = COSEM_CLOCK_STATUS_DST_ACTIVE;
    assert_int_equal(cosem_datetime_to_utc(&after, &u1), 0);
    assert_int_equal(u1, u2);

    /* round trips over many instants and deviations, including both extremes */
    static const int16_t devs[] = {-720, -120, -60, 0, 60, 330, 720, INT16_MIN};
    for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
        for (int64_t t = 1711846800 - 7200; t <= 1711846800 + 7200; t += 599) {
            assert_int_equal(cosem_datetime_from_utc(t, devs[i], 0, &dt), 0);
            assert_true(cosem_datetime_is_valid(&dt));
            assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
            assert_int_equal(utc, t);
        }
    }
}

static void test_leap_years_and_2038(void **state) {
    (void)state;
    cosem_datetime_t dt;
    int64_t utc;

    assert_int_equal(cosem_datetime_from_utc(1709208000, 0, 0, &dt), 0);
    expect_fields(&dt, 2024, 2, 29, 4, 12, 0, 0);
    dt = mk(2000, 2, 29, NS, 0, 0, 0, 0);
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    assert_int_equal(utc, 951782400);

    /* not leap: 2023, 2100 (century); leap: 2000 (400) */
    dt = mk(2023, 2, 29, NS, 0, 0, 0, 0);
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), COSEM_DT_ERR_INVALID);
    dt = mk(2100, 2, 29, NS, 0, 0, 0, 0);
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), COSEM_DT_ERR_INVALID);
    assert_true(cosem_is_leap_year(2000));
    assert_true(cosem_is_leap_year(2024));
    assert_false(cosem_is_leap_year(2100));
    assert_false(cosem_is_leap_year(2023));

    /* past the 32-bit signed and unsigned limits */
    assert_int_equal(cosem_datetime_from_utc(2147483648LL, 0, 0, &dt), 0);
    expect_fields(&dt, 2038, 1, 19, 2, 3, 14, 8);
    assert_int_equal(cosem_datetime_from_utc(4102444799LL, 0, 0, &dt), 0);
    expect_fields(&dt, 2099, 12, 31, 4, 23, 59, 59);
    assert_int_equal(cosem_datetime_from_utc(4294967296LL, 0, 0, &dt), 0);
    expect_fields(&dt, 2106, 2, 7, 7, 6, 28, 16);
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    assert_int_equal(utc, 4294967296LL);

    /* the ends of the representable range */
    assert_int_equal(cosem_datetime_from_utc(-62167219200LL, 0, 0, &dt), 0);
    expect_fields(&dt, 0, 1, 1, 6, 0, 0, 0);
    assert_int_equal(cosem_datetime_from_utc(-62167219201LL, 0, 0, &dt), COSEM_DT_ERR_RANGE);
    assert_int_equal(dt.year, COSEM_DT_YEAR_NOT_SPECIFIED);
    dt = mk(65534, 12, 31, NS, 23, 59, 59, 0);
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    assert_int_equal(cosem_datetime_from_utc(utc, 0, 0, &dt), 0);
    assert_int_equal(dt.year, 65534);
    assert_int_equal(cosem_datetime_from_utc(utc + 1, 0, 0, &dt), COSEM_DT_ERR_RANGE);
    assert_int_equal(cosem_datetime_from_utc(INT64_MAX, 0, 0, &dt), COSEM_DT_ERR_RANGE);
    assert_int_equal(cosem_datetime_from_utc(INT64_MIN, 0, 0, &dt), COSEM_DT_ERR_RANGE);
}

/* Every day 1970-01-01 .. 2100-12-31 against a plain calendar walk. */
static void test_sweep_against_calendar_walk(void **state) {
    (void)state;
    static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y = 1970, m = 1, d = 1, dow = 4;
    for (int64_t day = 0; y <= 2100; day++) {
        cosem_datetime_t dt;
        int64_t t = day * 86400 + (day % 86400); /* vary the time of day too */
        int64_t back;
        assert_int_equal(cosem_datetime_from_utc(t, 0, 0, &dt), 0);
        assert_int_equal(dt.year, y);
        assert_int_equal(dt.month, m);
        assert_int_equal(dt.day, d);
        assert_int_equal(dt.day_of_week, dow);
        assert_int_equal(cosem_day_of_week((uint16_t)y, (uint8_t)m, (uint8_t)d), dow);
        assert_int_equal(dt.hour * 3600 + dt.minute * 60 + dt.second, day % 86400);
        assert_int_equal(cosem_datetime_to_utc(&dt, &back), 0);
        assert_int_equal(back, t);

        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        unsigned dim = mdays[m - 1] + (m == 2 && leap);
        assert_int_equal(cosem_days_in_month((uint16_t)y, (uint8_t)m), dim);
        dow = dow % 7 + 1;
        if (++d > dim) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
}

static void test_not_specified_and_invalid(void **state) {
    (void)state;
    cosem_datetime_t dt;
    int64_t utc = 5;

    /* unspecified deviation: local time is taken as UTC */
    dt = mk(2022, 10, 31, 1, 11, 0, 0, COSEM_DT_DEVIATION_NOT_SPECIFIED);
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    assert_int_equal(utc, 1667214000);
    assert_int_equal(
        cosem_datetime_from_utc(1667214000, COSEM_DT_DEVIATION_NOT_SPECIFIED, 0xFF, &dt), 0);
    expect_fields(&dt, 2022, 10, 31, 1, 11, 0, 0);
    assert_int_equal(dt.deviation, INT16_MIN);
    assert_int_equal(dt.clock_status, 0xFF);

    /* hundredths and day_of_week may be unspecified; hundredths are dropped */
    dt = mk(2022, 10, 31, NS, 11, 0, 0, 0);
    dt.hundredths = NS;
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    dt.hundredths = 99;
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    assert_int_equal(utc, 1667214000);

    /* a needed field not specified */
    const cosem_datetime_t good = mk(2022, 10, 31, 1, 11, 0, 0, 0);
    uint8_t *fields[] = {&dt.month, &dt.day, &dt.hour, &dt.minute, &dt.second};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        dt = good;
        *fields[i] = NS;
        utc = 5;
        assert_int_equal(cosem_datetime_to_utc(&dt, &utc), COSEM_DT_ERR_UNSPECIFIED);
        assert_int_equal(utc, 0);
    }
    dt = good;
    dt.year = COSEM_DT_YEAR_NOT_SPECIFIED;
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), COSEM_DT_ERR_UNSPECIFIED);

    /* patterns are not instants */
    dt = good;
    dt.month = COSEM_DT_MONTH_DST_BEGIN;
    dt.day_of_week = NS;
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), COSEM_DT_ERR_PATTERN);
    dt = good;
    dt.day = COSEM_DT_DAY_LAST;
    dt.day_of_week = NS;
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), COSEM_DT_ERR_PATTERN);

    /* impossible values */
    struct {
        cosem_datetime_t dt;
    } bad[] = {
        {mk(2024, 2, 30, NS, 0, 0, 0, 0)},   {mk(2024, 4, 31, NS, 0, 0, 0, 0)},
        {mk(2024, 13, 1, NS, 0, 0, 0, 0)},   {mk(2024, 0, 1, NS, 0, 0, 0, 0)},
        {mk(2024, 1, 0, NS, 0, 0, 0, 0)},    {mk(2024, 1, 32, NS, 0, 0, 0, 0)},
        {mk(2024, 1, 1, 8, 0, 0, 0, 0)},     {mk(2024, 1, 1, 0, 0, 0, 0, 0)},
        {mk(2024, 1, 1, 2, 0, 0, 0, 0)}, /* 2024-01-01 was a Monday */
        {mk(2024, 1, 1, NS, 24, 0, 0, 0)},   {mk(2024, 1, 1, NS, 0, 60, 0, 0)},
        {mk(2024, 1, 1, NS, 0, 0, 60, 0)},   {mk(2024, 1, 1, NS, 0, 0, 0, 721)},
        {mk(2024, 1, 1, NS, 0, 0, 0, -721)}, {mk(2024, 0xE0, 1, NS, 0, 0, 0, 0)},
        {mk(2024, 1, 0xFC, NS, 0, 0, 0, 0)},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(cosem_datetime_is_valid(&bad[i].dt));
        assert_int_equal(cosem_datetime_to_utc(&bad[i].dt, &utc), COSEM_DT_ERR_INVALID);
    }
    dt = mk(2024, 1, 1, NS, 0, 0, 0, 0);
    dt.hundredths = 100;
    assert_false(cosem_datetime_is_valid(&dt));
    assert_true(cosem_datetime_is_valid(&good));

    /* from_utc refuses a deviation out of range and leaves "not specified" */
    assert_int_equal(cosem_datetime_from_utc(0, 800, 0, &dt), COSEM_DT_ERR_INVALID);
    assert_int_equal(dt.year, COSEM_DT_YEAR_NOT_SPECIFIED);
    assert_int_equal(dt.hour, NS);
    assert_int_equal(dt.deviation, INT16_MIN);

    assert_int_equal(cosem_datetime_from_utc(0, 0, 0, NULL), COSEM_DT_ERR_ARG);
    assert_int_equal(cosem_datetime_to_utc(NULL, &utc), COSEM_DT_ERR_ARG);
    assert_int_equal(cosem_datetime_to_utc(&good, NULL), COSEM_DT_ERR_ARG);
    assert_false(cosem_datetime_is_valid(NULL));
}

static void test_pattern_validity(void **state) {
    (void)state;
    /* last Sunday of March, 02:00, any year: the usual DST begin pattern */
    cosem_datetime_t p = mk(COSEM_DT_YEAR_NOT_SPECIFIED, 3, COSEM_DT_DAY_LAST, 7, 2, 0, 0,
                            COSEM_DT_DEVIATION_NOT_SPECIFIED);
    p.clock_status = 0xFF;
    assert_true(cosem_datetime_is_valid(&p));
    cosem_datetime_t all;
    cosem_datetime_set_unspecified(&all);
    assert_true(cosem_datetime_is_valid(&all));

    cosem_date_t d = {COSEM_DT_YEAR_NOT_SPECIFIED, 2, 29, NS};
    assert_true(cosem_date_is_valid(&d)); /* Feb 29 exists in some years */
    d.day = 30;
    assert_false(cosem_date_is_valid(&d));
    d = (cosem_date_t){COSEM_DT_YEAR_NOT_SPECIFIED, 4, 31, NS};
    assert_false(cosem_date_is_valid(&d));
    d = (cosem_date_t){2024, COSEM_DT_MONTH_DST_END, 31, NS};
    assert_true(cosem_date_is_valid(&d));
    d = (cosem_date_t){2024, NS, COSEM_DT_DAY_2ND_LAST, 5};
    assert_true(cosem_date_is_valid(&d));

    cosem_time_t t = {NS, 30, NS, NS};
    assert_true(cosem_time_is_valid(&t));
    t.minute = 60;
    assert_false(cosem_time_is_valid(&t));
}

/* ---- wire form -------------------------------------------------------------------- */

static void test_pack_unpack(void **state) {
    (void)state;
    static const int16_t devs[] = {0, -60, -120, 60, 720, -720, INT16_MIN, 1, -1};
    for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
        cosem_datetime_t a = mk(2031, 12, 24, 3, 18, 5, 9, devs[i]), b;
        a.hundredths = 42;
        a.clock_status = 0x81;
        uint8_t w[COSEM_DATETIME_LEN];
        cosem_datetime_pack(&a, w);
        assert_int_equal(w[0], 0x07);
        assert_int_equal(w[1], 0xEF);
        assert_int_equal(w[9], (uint8_t)((uint16_t)devs[i] >> 8));
        assert_int_equal(w[10], (uint8_t)devs[i]);
        cosem_datetime_unpack(w, &b);
        expect_same(&a, &b);
    }
    uint8_t w[COSEM_DATETIME_LEN];
    cosem_datetime_t u;
    cosem_datetime_set_unspecified(&u);
    cosem_datetime_pack(&u, w);
    static const uint8_t all_ns[COSEM_DATETIME_LEN] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                       0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF};
    assert_memory_equal(w, all_ns, sizeof(all_ns));

    cosem_date_t d = {2024, 2, 29, 4}, d2;
    uint8_t dw[COSEM_DATE_LEN];
    static const uint8_t dwant[COSEM_DATE_LEN] = {0x07, 0xE8, 0x02, 0x1D, 0x04};
    cosem_date_pack(&d, dw);
    assert_memory_equal(dw, dwant, sizeof(dwant));
    cosem_date_unpack(dw, &d2);
    assert_int_equal(d2.year, 2024);
    assert_int_equal(d2.month, 2);
    assert_int_equal(d2.day, 29);
    assert_int_equal(d2.day_of_week, 4);

    cosem_time_t t = {23, 59, 59, NS}, t2;
    uint8_t tw[COSEM_TIME_LEN];
    static const uint8_t twant[COSEM_TIME_LEN] = {0x17, 0x3B, 0x3B, 0xFF};
    cosem_time_pack(&t, tw);
    assert_memory_equal(tw, twant, sizeof(twant));
    cosem_time_unpack(tw, &t2);
    assert_int_equal(t2.hour, 23);
    assert_int_equal(t2.minute, 59);
    assert_int_equal(t2.second, 59);
    assert_int_equal(t2.hundredths, NS);
}

/* ---- calendar patterns and schedules ----------------------------------------------- */

static void test_resolve_day(void **state) {
    (void)state;
    uint8_t day;
    assert_int_equal(cosem_resolve_day(2024, 3, COSEM_DT_DAY_LAST, 7, &day), 0);
    assert_int_equal(day, 31); /* last Sunday of March 2024 */
    assert_int_equal(cosem_resolve_day(2025, 3, COSEM_DT_DAY_LAST, 7, &day), 0);
    assert_int_equal(day, 30);
    assert_int_equal(cosem_resolve_day(2024, 10, COSEM_DT_DAY_LAST, 7, &day), 0);
    assert_int_equal(day, 27);
    assert_int_equal(cosem_resolve_day(2024, 3, COSEM_DT_DAY_2ND_LAST, 7, &day), 0);
    assert_int_equal(day, 24);
    assert_int_equal(cosem_resolve_day(2024, 2, COSEM_DT_DAY_LAST, NS, &day), 0);
    assert_int_equal(day, 29);
    assert_int_equal(cosem_resolve_day(2023, 2, COSEM_DT_DAY_2ND_LAST, NS, &day), 0);
    assert_int_equal(day, 27);
    assert_int_equal(cosem_resolve_day(2024, 2, 15, 4, &day), 0);
    assert_int_equal(day, 15);

    assert_int_equal(cosem_resolve_day(2024, 2, 15, 5, &day), COSEM_DT_ERR_INVALID);
    assert_int_equal(day, 0);
    assert_int_equal(cosem_resolve_day(2024, 2, 30, NS, &day), COSEM_DT_ERR_INVALID);
    assert_int_equal(cosem_resolve_day(2024, 13, 1, NS, &day), COSEM_DT_ERR_INVALID);
    assert_int_equal(cosem_resolve_day(2024, 3, COSEM_DT_DAY_LAST, 9, &day), COSEM_DT_ERR_INVALID);
    assert_int_equal(cosem_resolve_day(2024, 3, NS, 7, &day), COSEM_DT_ERR_UNSPECIFIED);
    assert_int_equal(cosem_resolve_day(0xFFFF, 3, 1, NS, &day), COSEM_DT_ERR_UNSPECIFIED);
    assert_int_equal(cosem_resolve_day(2024, COSEM_DT_MONTH_DST_BEGIN, 1, NS, &day),
                     COSEM_DT_ERR_PATTERN);
    assert_int_equal(cosem_resolve_day(2024, 3, 1, NS, NULL), COSEM_DT_ERR_ARG);
    assert_int_equal(cosem_day_of_week(2024, 2, 30), 0);
    assert_int_equal(cosem_days_in_month(2024, 0), 0);
}

static void test_matches(void **state) {
    (void)state;
    cosem_datetime_t any;
    cosem_datetime_set_unspecified(&any);
    const cosem_datetime_t mon = mk(2022, 10, 31, 1, 0, 0, 0, -60); /* a Monday */
    const cosem_datetime_t tue = mk(2022, 11, 1, 2, 0, 0, 0, -60);
    assert_true(cosem_datetime_matches(&any, &mon));

    /* every day at 02:00:00 */
    cosem_datetime_t p = any;
    p.hour = 2;
    p.minute = 0;
    p.second = 0;
    cosem_datetime_t v = mon;
    v.hour = 2;
    assert_true(cosem_datetime_matches(&p, &v));
    v.minute = 1;
    assert_false(cosem_datetime_matches(&p, &v));

    /* every Monday at midnight; deviation and status are not compared */
    p = any;
    p.day_of_week = 1;
    p.hour = 0;
    p.minute = 0;
    assert_true(cosem_datetime_matches(&p, &mon));
    assert_false(cosem_datetime_matches(&p, &tue));
    v = mon;
    v.day_of_week = NS; /* weekday comes from the date */
    v.deviation = 120;
    v.clock_status = 0x0F;
    assert_true(cosem_datetime_matches(&p, &v));

    /* last Sunday of March at 02:00 */
    p = mk(COSEM_DT_YEAR_NOT_SPECIFIED, 3, COSEM_DT_DAY_LAST, 7, 2, 0, 0, 0);
    p.hundredths = NS;
    v = mk(2024, 3, 31, 7, 2, 0, 0, -60);
    assert_true(cosem_datetime_matches(&p, &v));
    v = mk(2024, 3, 24, 7, 2, 0, 0, -60);
    assert_false(cosem_datetime_matches(&p, &v));
    v = mk(2025, 3, 30, 7, 2, 0, 0, -60);
    assert_true(cosem_datetime_matches(&p, &v));

    /* last day of every month, at any time */
    p = any;
    p.day = COSEM_DT_DAY_LAST;
    v = mk(2024, 2, 29, 4, 13, 14, 15, 0);
    assert_true(cosem_datetime_matches(&p, &v));
    v = mk(2024, 2, 28, 3, 13, 14, 15, 0);
    assert_false(cosem_datetime_matches(&p, &v));

    /* a DST month pattern is the caller's to resolve */
    p = any;
    p.month = COSEM_DT_MONTH_DST_BEGIN;
    assert_false(cosem_datetime_matches(&p, &mon));

    /* a specified field never matches an unspecified one */
    p = any;
    p.year = 2022;
    v = mon;
    v.year = COSEM_DT_YEAR_NOT_SPECIFIED;
    assert_false(cosem_datetime_matches(&p, &v));
    p = any;
    p.hundredths = 0;
    v = mon;
    v.hundredths = NS;
    assert_false(cosem_datetime_matches(&p, &v));

    assert_false(cosem_datetime_matches(NULL, &mon));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch_and_known_instants),
        cmocka_unit_test(test_dst_deviations),
        cmocka_unit_test(test_leap_years_and_2038),
        cmocka_unit_test(test_sweep_against_calendar_walk),
        cmocka_unit_test(test_not_specified_and_invalid),
        cmocka_unit_test(test_pattern_validity),
        cmocka_unit_test(test_pack_unpack),
        cmocka_unit_test(test_resolve_day),
        cmocka_unit_test(test_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
