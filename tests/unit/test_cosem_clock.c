/*
 * test_cosem_clock.c - Clock (class 8): every attribute with exact bytes,
 * CET/CEST around the DST switch instants, pattern readings (last Sunday,
 * "on or after", southern hemisphere), writes with right and wrong types,
 * and the six methods.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cosem_test_table.h"

#define LN(...)    ((const uint8_t[6]){__VA_ARGS__})
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static const uint8_t *LN_CLOCK = LN(0, 0, 1, 0, 0, 255);

#define DST_BEGIN_2024 1711846800 /* 2024-03-31 01:00:00 UTC */
#define DST_END_2024   1729990800 /* 2024-10-27 01:00:00 UTC */
#define DST_BEGIN_2025 1743296400 /* 2025-03-30 01:00:00 UTC */
#define DST_END_2025   1761440400 /* 2025-10-26 01:00:00 UTC */

static int setup(void **state) {
    static cosem_test_t t;
    assert_int_equal(cosem_test_setup(&t), 0);
    *state = &t;
    return 0;
}

static void check_get(cosem_test_t *t, int which, int8_t attr, const uint8_t *exp, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(which);
    uint8_t out[64];
    size_t len = 0;
    assert_int_equal(cosem_test_get(t, &v, 8, LN_CLOCK, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, exp, n);
}

static int set_rc(cosem_test_t *t, int8_t attr, const uint8_t *val, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    return cosem_test_set(t, &v, 8, LN_CLOCK, attr, val, n);
}

static int action_rc(cosem_test_t *t, int8_t m, const uint8_t *par, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    uint8_t ret[16];
    size_t len;
    bool has = true;
    int rc = cosem_test_action(t, &v, 8, LN_CLOCK, m, par, n, ret, sizeof(ret), &len, &has);
    assert_false(has);
    return rc;
}

/* ---- attributes ---------------------------------------------------------------- */

static void test_attributes(void **state) {
    cosem_test_t *t = *state;
    /* 2024-01-15 Monday 13:00:00 CET, deviation -60, status 0 */
    check_get(
        t, CT_PUB, 2,
        BYTES(0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01, 0x0D, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00));
    check_get(t, CT_MGMT, 3, BYTES(0x10, 0xFF, 0xC4));
    check_get(t, CT_MGMT, 4, BYTES(0x11, 0x00));
    check_get(
        t, CT_MGMT, 5,
        BYTES(0x09, 0x0C, 0xFF, 0xFF, 0x03, 0xFE, 0x07, 0x02, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF));
    check_get(
        t, CT_MGMT, 6,
        BYTES(0x09, 0x0C, 0xFF, 0xFF, 0x0A, 0xFE, 0x07, 0x03, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF));
    check_get(t, CT_MGMT, 7, BYTES(0x0F, 0x3C));
    check_get(t, CT_MGMT, 8, BYTES(0x03, 0x01));
    check_get(t, CT_MGMT, 9, BYTES(0x16, 0x01));
    /* kept status bits show; summer time adds bit 7 */
    t->app.clock.status = COSEM_CLOCK_STATUS_DOUBTFUL;
    t->app.rtc = 1717228800; /* 2024-06-01 08:00:00 UTC = 10:00 CEST, Saturday */
    check_get(t, CT_MGMT, 4, BYTES(0x11, 0x82));
    check_get(
        t, CT_MGMT, 2,
        BYTES(0x09, 0x0C, 0x07, 0xE8, 0x06, 0x01, 0x06, 0x0A, 0x00, 0x00, 0x00, 0xFF, 0x88, 0x82));
}

static void test_no_rtc(void **state) {
    cosem_test_t *t = *state;
    t->port.rtc_get = NULL;
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    uint8_t out[32];
    size_t len;
    assert_int_equal(cosem_test_get(t, &v, 8, LN_CLOCK, 2, out, sizeof(out), &len),
                     DLMS_DAR_HARDWARE_FAULT);
    assert_int_equal(action_rc(t, 3, BYTES(0x0F, 0x00)), DLMS_ACTION_HARDWARE_FAULT);
}

/* Every block of one read shows the instant of the first. */
static void test_cookie_snapshot(void **state) {
    cosem_test_t *t = *state;
    dlms_assoc_view_t v = cosem_test_view(CT_PUB);
    dlms_cosem_descriptor_t d = {.class_id = 8, .instance_id = {0, 0, 1, 0, 0, 255}, .id = 2};
    dlms_access_selection_t none = {0};
    dlms_get_call_t call = {.assoc = &v, .attr = &d, .selection = &none, .first_call = true};
    uint8_t a[14], b[14];
    axdr_enc_t e;
    axdr_enc_init(&e, a, sizeof(a));
    assert_int_equal(cosem_get(&t->srv, &call, &e), 0);
    t->app.rtc += 7;
    call.first_call = false;
    axdr_enc_init(&e, b, sizeof(b));
    assert_int_equal(cosem_get(&t->srv, &call, &e), 0);
    assert_memory_equal(a, b, sizeof(a));
    memset(call.block_cookie, 0, sizeof(call.block_cookie)); /* a new read */
    axdr_enc_init(&e, b, sizeof(b));
    assert_int_equal(cosem_get(&t->srv, &call, &e), 0);
    assert_int_equal(b[9], 0x07); /* seconds moved on */
}

/* ---- DST --------------------------------------------------------------------------- */

static void expect_local(const cosem_clock_state_t *st, int64_t utc, uint16_t y, uint8_t mo,
                         uint8_t d, uint8_t h, uint8_t mi, uint8_t s, int16_t dev, uint8_t status) {
    cosem_datetime_t dt;
    assert_int_equal(cosem_clock_local(st, utc, &dt), 0);
    assert_int_equal(dt.year, y);
    assert_int_equal(dt.month, mo);
    assert_int_equal(dt.day, d);
    assert_int_equal(dt.hour, h);
    assert_int_equal(dt.minute, mi);
    assert_int_equal(dt.second, s);
    assert_int_equal(dt.deviation, dev);
    assert_int_equal(dt.clock_status, status);
}

static void test_cet_switch_instants(void **state) {
    (void)state;
    cosem_clock_state_t st;
    cosem_clock_state_cet(&st);
    int64_t b, e;
    assert_true(cosem_clock_dst_instants(&st, 2024, &b, &e));
    assert_int_equal(b, DST_BEGIN_2024);
    assert_int_equal(e, DST_END_2024);
    assert_true(cosem_clock_dst_instants(&st, 2025, &b, &e));
    assert_int_equal(b, DST_BEGIN_2025);
    assert_int_equal(e, DST_END_2025);

    assert_false(cosem_clock_dst_active(&st, DST_BEGIN_2024 - 1));
    assert_true(cosem_clock_dst_active(&st, DST_BEGIN_2024));
    assert_true(cosem_clock_dst_active(&st, DST_END_2024 - 1));
    assert_false(cosem_clock_dst_active(&st, DST_END_2024));
    assert_int_equal(cosem_clock_deviation(&st, DST_BEGIN_2024), -120);
    assert_int_equal(cosem_clock_deviation(&st, DST_END_2024), -60);

    /* spring: 01:59:59 CET is followed by 03:00:00 CEST */
    expect_local(&st, DST_BEGIN_2024 - 1, 2024, 3, 31, 1, 59, 59, -60, 0x00);
    expect_local(&st, DST_BEGIN_2024, 2024, 3, 31, 3, 0, 0, -120, 0x80);
    /* autumn: 02:59:59 CEST is followed by 02:00:00 CET */
    expect_local(&st, DST_END_2024 - 1, 2024, 10, 27, 2, 59, 59, -120, 0x80);
    expect_local(&st, DST_END_2024, 2024, 10, 27, 2, 0, 0, -60, 0x00);
    expect_local(&st, DST_BEGIN_2025 + 3600, 2025, 3, 30, 4, 0, 0, -120, 0x80);

    /* Local readings without deviation: the ambiguous autumn hour is read
     * as summer time, the missing spring hour as winter time. */
    cosem_datetime_t dt;
    int64_t utc;
    cosem_datetime_set_unspecified(&dt);
    dt.year = 2024;
    dt.month = 10;
    dt.day = 27;
    dt.hour = 2;
    dt.minute = 30;
    dt.second = 0;
    assert_int_equal(cosem_clock_from_local(&st, &dt, &utc), 0);
    assert_int_equal(utc, 1729989000); /* 00:30 UTC */
    dt.month = 3;
    dt.day = 31;
    assert_int_equal(cosem_clock_from_local(&st, &dt, &utc), 0);
    assert_int_equal(utc, DST_BEGIN_2024 + 1800); /* 02:30 CET = 01:30 UTC */
    dt.month = 7;
    dt.day = 1;
    dt.hour = 2;
    dt.minute = 0;
    assert_int_equal(cosem_clock_from_local(&st, &dt, &utc), 0);
    assert_int_equal(utc, 1719792000); /* 2024-07-01 00:00 UTC */
    dt.hour = COSEM_DT_NOT_SPECIFIED;
    assert_int_equal(cosem_clock_from_local(&st, &dt, &utc), COSEM_ERR_TIME);

    /* disabled: never */
    st.dst_enabled = false;
    assert_false(cosem_clock_dst_active(&st, 1719792000));
    expect_local(&st, 1719792000, 2024, 7, 1, 1, 0, 0, -60, 0x00);
}

static void test_dst_patterns(void **state) {
    (void)state;
    cosem_clock_state_t st;
    cosem_clock_state_cet(&st);
    int64_t b, e;
    /* "Sunday on or after the 25th" is the last Sunday of March/October */
    st.dst_begin.day = 25;
    st.dst_end.day = 25;
    assert_true(cosem_clock_dst_instants(&st, 2024, &b, &e));
    assert_int_equal(b, DST_BEGIN_2024);
    assert_int_equal(e, DST_END_2024);
    assert_true(cosem_clock_dst_instants(&st, 2025, &b, &e));
    assert_int_equal(b, DST_BEGIN_2025);
    /* a pattern's own deviation wins: 01:00 at deviation 0 */
    cosem_clock_state_cet(&st);
    st.dst_begin.hour = 1;
    st.dst_begin.deviation = 0;
    assert_true(cosem_clock_dst_instants(&st, 2024, &b, &e));
    assert_int_equal(b, DST_BEGIN_2024);
    /* a specified year only applies to that year */
    cosem_clock_state_cet(&st);
    st.dst_begin.year = 2025;
    assert_false(cosem_clock_dst_instants(&st, 2024, &b, &e));
    assert_false(cosem_clock_dst_active(&st, 1719792000));
    assert_true(cosem_clock_dst_instants(&st, 2025, &b, &e));
    /* a day that does not exist in the month: no rule that year */
    cosem_clock_state_cet(&st);
    st.dst_begin.month = 2;
    st.dst_begin.day = 30;
    st.dst_begin.day_of_week = COSEM_DT_NOT_SPECIFIED;
    assert_false(cosem_clock_dst_instants(&st, 2024, &b, &e));

    /* Southern hemisphere (AEST +10:00, AEDT +11:00): DST from the first
     * Sunday of October 02:00 standard to the first Sunday of April 03:00
     * daylight time spans the new year. */
    cosem_clock_state_cet(&st);
    st.time_zone = -600;
    st.dst_begin.month = 10;
    st.dst_begin.day = 1;
    st.dst_end.month = 4;
    st.dst_end.day = 1;
    assert_true(cosem_clock_dst_instants(&st, 2024, &b, &e));
    assert_int_equal(b, 1728172800 - 36000 + 7200);        /* 2024-10-06 02:00 +10 */
    assert_int_equal(e, 1712448000 - 39600 + 10800);       /* 2024-04-07 03:00 +11 */
    assert_true(cosem_clock_dst_active(&st, 1705320000));  /* January */
    assert_false(cosem_clock_dst_active(&st, 1719792000)); /* July */
    assert_int_equal(cosem_clock_deviation(&st, 1705320000), -660);
}

/* ---- writes ---------------------------------------------------------------------------- */

static void test_set_time(void **state) {
    cosem_test_t *t = *state;
    t->app.clock.status = COSEM_CLOCK_STATUS_INVALID | COSEM_CLOCK_STATUS_DIFFERENT_BASE;
    /* 2024-06-01 10:00:00 deviation -120 = 08:00 UTC */
    assert_int_equal(set_rc(t, 2,
                            BYTES(0x09, 0x0C, 0x07, 0xE8, 0x06, 0x01, 0xFF, 0x0A, 0x00, 0x00, 0xFF,
                                  0xFF, 0x88, 0xFF)),
                     0);
    assert_int_equal(t->app.rtc, 1717228800);
    assert_int_equal(t->app.rtc_set_calls, 1);
    assert_int_equal(t->app.clock.adjust_old, COSEM_TEST_RTC_START);
    assert_int_equal(t->app.clock.adjust_new, 1717228800);
    assert_int_equal(t->app.clock.status, COSEM_CLOCK_STATUS_DIFFERENT_BASE);
    assert_int_equal(t->app.notify_kind, COSEM_NOTIFY_SET);
    assert_int_equal(t->app.notify_id, 2);
    check_get(t, CT_MGMT, 4, BYTES(0x11, 0x84));
    /* the date-time tag is accepted too; no deviation: local summer time */
    assert_int_equal(
        set_rc(t, 2,
               BYTES(0x19, 0x07, 0xE8, 0x06, 0x01, 0x06, 0x0B, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00)),
        0);
    assert_int_equal(t->app.rtc, 1717228800 + 3600);
    /* refused: wrong type, wrong length, unspecified hour, wrong weekday */
    assert_int_equal(set_rc(t, 2, BYTES(0x06, 0, 0, 0, 0)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set_rc(t, 2, BYTES(0x09, 0x05, 0x07, 0xE8, 0x06, 0x01, 0xFF)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set_rc(t, 2,
                            BYTES(0x09, 0x0C, 0x07, 0xE8, 0x06, 0x01, 0xFF, 0xFF, 0x00, 0x00, 0xFF,
                                  0x80, 0x00, 0xFF)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(set_rc(t, 2,
                            BYTES(0x09, 0x0C, 0x07, 0xE8, 0x06, 0x01, 0x01, 0x0A, 0x00, 0x00, 0xFF,
                                  0x80, 0x00, 0xFF)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(t->app.rtc_set_calls, 2);
    /* the port refusing the time is a hardware fault */
    t->port.rtc_set = NULL;
    assert_int_equal(set_rc(t, 2,
                            BYTES(0x09, 0x0C, 0x07, 0xE8, 0x06, 0x01, 0xFF, 0x0A, 0x00, 0x00, 0xFF,
                                  0xFF, 0x88, 0xFF)),
                     DLMS_DAR_HARDWARE_FAULT);
}

static void test_set_settings(void **state) {
    cosem_test_t *t = *state;
    /* time zone: long, -720..720, and with DST still inside */
    assert_int_equal(set_rc(t, 3, BYTES(0x10, 0xFF, 0x88)), 0);
    assert_int_equal(t->app.clock.time_zone, -120);
    check_get(t, CT_MGMT, 3, BYTES(0x10, 0xFF, 0x88));
    assert_int_equal(set_rc(t, 3, BYTES(0x10, 0x02, 0xD1)), DLMS_DAR_OTHER_REASON); /* 721 */
    assert_int_equal(set_rc(t, 3, BYTES(0x10, 0xFD, 0x30)), DLMS_DAR_OTHER_REASON); /* -720-60 */
    assert_int_equal(set_rc(t, 3, BYTES(0x0F, 0xC4)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(t->app.clock.time_zone, -120);
    /* DST deviation: integer -120..120 */
    assert_int_equal(set_rc(t, 7, BYTES(0x0F, 0x78)), 0);
    assert_int_equal(t->app.clock.dst_deviation, 120);
    assert_int_equal(set_rc(t, 7, BYTES(0x0F, 0x79)), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set_rc(t, 7, BYTES(0x10, 0x00, 0x3C)), DLMS_DAR_TYPE_UNMATCHED);
    /* DST rules */
    const uint8_t begin[] = {0x09, 0x0C, 0xFF, 0xFF, 0x03, 0x19, 0x07,
                             0x02, 0x00, 0x00, 0xFF, 0x80, 0x00, 0xFF};
    assert_int_equal(set_rc(t, 5, begin, sizeof(begin)), 0);
    check_get(t, CT_MGMT, 5, begin, sizeof(begin));
    assert_int_equal(set_rc(t, 6,
                            BYTES(0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFE, 0x07, 0x03, 0x00, 0x00, 0xFF,
                                  0x80, 0x00, 0xFF)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(set_rc(t, 6,
                            BYTES(0x09, 0x0C, 0xFF, 0xFF, 0x0A, 0xFF, 0x07, 0x03, 0x00, 0x00, 0xFF,
                                  0x80, 0x00, 0xFF)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(set_rc(t, 6, BYTES(0x03, 0x01)), DLMS_DAR_TYPE_UNMATCHED);
    check_get(
        t, CT_MGMT, 6,
        BYTES(0x09, 0x0C, 0xFF, 0xFF, 0x0A, 0xFE, 0x07, 0x03, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF));
    /* enabled */
    assert_int_equal(set_rc(t, 8, BYTES(0x03, 0x00)), 0);
    assert_false(t->app.clock.dst_enabled);
    assert_int_equal(set_rc(t, 8, BYTES(0x11, 0x01)), DLMS_DAR_TYPE_UNMATCHED);
    assert_false(t->app.clock.dst_enabled);
    /* status and clock_base are read-only */
    assert_int_equal(set_rc(t, 4, BYTES(0x11, 0x00)), DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(set_rc(t, 9, BYTES(0x16, 0x02)), DLMS_DAR_READ_WRITE_DENIED);
}

/* ---- methods ------------------------------------------------------------------------------- */

static void test_adjust_methods(void **state) {
    cosem_test_t *t = *state;
    const int64_t T = COSEM_TEST_RTC_START; /* 13:00:00 CET */
    t->app.rtc = T + 29;
    assert_int_equal(action_rc(t, 3, BYTES(0x0F, 0x00)), 0); /* adjust_to_minute */
    assert_int_equal(t->app.rtc, T);
    assert_int_equal(t->app.clock.adjust_old, T + 29);
    assert_int_equal(t->app.clock.adjust_new, T);
    assert_int_equal(t->app.notify_kind, COSEM_NOTIFY_ACTION);
    assert_int_equal(t->app.notify_id, 3);
    t->app.rtc = T + 30;
    assert_int_equal(action_rc(t, 3, NULL, 0), 0);
    assert_int_equal(t->app.rtc, T + 60);
    t->app.rtc = T + 7 * 60 + 29;
    assert_int_equal(action_rc(t, 1, BYTES(0x0F, 0x00)), 0); /* adjust_to_quarter */
    assert_int_equal(t->app.rtc, T);
    t->app.rtc = T + 7 * 60 + 30;
    assert_int_equal(action_rc(t, 1, BYTES(0x0F, 0x00)), 0);
    assert_int_equal(t->app.rtc, T + 900);
    t->app.rtc = T - 451;
    assert_int_equal(action_rc(t, 2, BYTES(0x0F, 0x00)), 0); /* measuring period 900 */
    assert_int_equal(t->app.rtc, T - 900);
    assert_int_equal(action_rc(t, 1, BYTES(0x09, 0x00)), DLMS_ACTION_TYPE_UNMATCHED);

    /* Rounding happens in local time: with a (hypothetical) offset of
     * 5:50 the quarters of local time fall at 10, 25, 40, 55 min UTC. */
    t->app.clock.time_zone = -350;
    t->app.clock.dst_enabled = false;
    t->app.rtc = T + 7 * 60; /* 12:07 UTC = 17:57 local: to 18:00 */
    assert_int_equal(action_rc(t, 1, BYTES(0x0F, 0x00)), 0);
    assert_int_equal(t->app.rtc, T + 10 * 60);
    t->app.rtc = T + 2 * 60; /* 17:52 local: to 17:45 = 11:55 UTC */
    assert_int_equal(action_rc(t, 1, BYTES(0x0F, 0x00)), 0);
    assert_int_equal(t->app.rtc, T - 5 * 60);
}

static void test_shift_time(void **state) {
    cosem_test_t *t = *state;
    const int64_t T = COSEM_TEST_RTC_START;
    assert_int_equal(action_rc(t, 6, BYTES(0x10, 0x00, 0x0A)), 0);
    assert_int_equal(t->app.rtc, T + 10);
    assert_int_equal(action_rc(t, 6, BYTES(0x10, 0xFC, 0x7C)), 0); /* -900 */
    assert_int_equal(t->app.rtc, T + 10 - 900);
    assert_int_equal(action_rc(t, 6, BYTES(0x10, 0x03, 0x85)), DLMS_ACTION_OTHER_REASON); /* 901 */
    assert_int_equal(action_rc(t, 6, BYTES(0x0F, 0x0A)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action_rc(t, 6, NULL, 0), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(t->app.rtc, T + 10 - 900);
    assert_int_equal(t->app.rtc_set_calls, 2);
}

static void test_preset_time(void **state) {
    cosem_test_t *t = *state;
    const int64_t T = COSEM_TEST_RTC_START;
    /* nothing preset yet */
    assert_int_equal(action_rc(t, 4, BYTES(0x0F, 0x00)), DLMS_ACTION_OTHER_REASON);
    /* preset 13:30:00 CET, valid 12:55..13:05 CET */
    /* clang-format off */
    const uint8_t preset[] = {
        0x02, 0x03,
        0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0xFF, 0x0D, 0x1E, 0x00, 0x00, 0xFF, 0xC4, 0x00,
        0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0xFF, 0x0C, 0x37, 0x00, 0x00, 0xFF, 0xC4, 0x00,
        0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0xFF, 0x0D, 0x05, 0x00, 0x00, 0xFF, 0xC4, 0x00};
    /* clang-format on */
    assert_int_equal(action_rc(t, 5, preset, sizeof(preset)), 0);
    assert_int_equal(t->app.clock.preset_time, T + 1800);
    assert_int_equal(t->app.clock.preset_from, T - 300);
    assert_int_equal(t->app.clock.preset_to, T + 300);
    assert_int_equal(t->app.rtc_set_calls, 0);
    /* outside the validity interval: refused, preset kept */
    t->app.rtc = T + 301;
    assert_int_equal(action_rc(t, 4, BYTES(0x0F, 0x00)), DLMS_ACTION_OTHER_REASON);
    t->app.rtc = T + 299;
    assert_int_equal(action_rc(t, 4, BYTES(0x0F, 0x00)), 0);
    assert_int_equal(t->app.rtc, T + 1800);
    assert_int_equal(t->app.clock.adjust_old, T + 299);
    /* used once */
    t->app.rtc = T;
    assert_int_equal(action_rc(t, 4, BYTES(0x0F, 0x00)), DLMS_ACTION_OTHER_REASON);
    /* malformed presets */
    assert_int_equal(action_rc(t, 5, preset, 2 + 14 * 2), DLMS_ACTION_TYPE_UNMATCHED);
    uint8_t swapped[sizeof(preset)];
    memcpy(swapped, preset, sizeof(preset));
    memcpy(swapped + 16, preset + 30, 14); /* start after end */
    memcpy(swapped + 30, preset + 16, 14);
    assert_int_equal(action_rc(t, 5, swapped, sizeof(swapped)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(action_rc(t, 5, BYTES(0x02, 0x02, 0x00, 0x00)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action_rc(t, 5, NULL, 0), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(t->app.clock.preset_time, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_attributes, setup),
        cmocka_unit_test_setup(test_no_rtc, setup),
        cmocka_unit_test_setup(test_cookie_snapshot, setup),
        cmocka_unit_test(test_cet_switch_instants),
        cmocka_unit_test(test_dst_patterns),
        cmocka_unit_test_setup(test_set_time, setup),
        cmocka_unit_test_setup(test_set_settings, setup),
        cmocka_unit_test_setup(test_adjust_methods, setup),
        cmocka_unit_test_setup(test_shift_time, setup),
        cmocka_unit_test_setup(test_preset_time, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
