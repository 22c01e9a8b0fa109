/*
 * test_cosem_schedule.c - Script table (class 9), Single action schedule
 * (class 22) and Register monitor (class 21): script execution with write
 * attribute / execute method actions and native scripts, the re-entrancy
 * guard, refused scripts, next-execution computation with wildcards across
 * month/year ends and DST days, the schedule tick (missed executions, clock
 * set back), and threshold crossings up and down.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_cosem_calendar_table.h"

#define CLASS_SCRIPT  COSEM_CLASS_SCRIPT_TABLE
#define CLASS_SAS     COSEM_CLASS_SINGLE_ACTION_SCHEDULE
#define CLASS_MONITOR COSEM_CLASS_REGISTER_MONITOR

static ct_t T;

static int setup(void **state) {
    (void)state;
    return ct_setup(&T, ct_utc(2024, 1, 15, 11, 0, 0));
}

static void expect_get(uint16_t class_id, const uint8_t ln[6], int8_t attr, const uint8_t *bytes,
                       size_t len) {
    uint8_t out[512];
    size_t n;
    assert_int_equal(ct_get(&T, class_id, ln, attr, out, sizeof(out), &n), 0);
    assert_int_equal(n, len);
    assert_memory_equal(out, bytes, len);
}

/* ---- script table ----------------------------------------------------------------------- */

/* Script 1 of the billing table: write 00 09 into the tariff indicator
 * 0.0.96.14.0.255 (Data attribute 2), then reset 1.0.1.8.0.255 (Register
 * method 1, integer 0). */
static const uint8_t BILLING_SCRIPTS[] = {
    0x01, 0x01,                                                 /* 1 script */
    0x02, 0x02, 0x12, 0x00, 0x01,                               /* id 1 */
    0x01, 0x02,                                                 /* 2 actions */
    0x02, 0x05, 0x16, 0x01, 0x12, 0x00, 0x01,                   /* write, class 1 */
    0x09, 0x06, 0x00, 0x00, 0x60, 0x0E, 0x00, 0xFF, 0x0F, 0x02, /* LN, attribute 2 */
    0x09, 0x02, 0x00, 0x09,                                     /* value 00 09 */
    0x02, 0x05, 0x16, 0x02, 0x12, 0x00, 0x03,                   /* execute, class 3 */
    0x09, 0x06, 0x01, 0x00, 0x01, 0x08, 0x00, 0xFF, 0x0F, 0x01, /* LN, method 1 */
    0x0F, 0x00,                                                 /* integer 0 */
};

static void test_script_execute_actions(void **state) {
    (void)state;
    assert_int_equal(
        ct_set(&T, CLASS_SCRIPT, CT_BILLING, 2, BILLING_SCRIPTS, sizeof(BILLING_SCRIPTS)), 0);
    expect_get(CLASS_SCRIPT, CT_BILLING, 2, BILLING_SCRIPTS, sizeof(BILLING_SCRIPTS));
    T.app.energy_wh = 123456;
    int notifies = T.app.notify_count;
    static const uint8_t id1[] = {0x12, 0x00, 0x01};
    assert_int_equal(ct_action(&T, CLASS_SCRIPT, CT_BILLING, 1, id1, sizeof(id1)), 0);
    assert_memory_equal(T.app.tariff_indicator, "\x00\x09", 2);
    assert_int_equal(T.app.energy_wh, 0);
    assert_int_equal(T.app.billing_calls, 1); /* the native bound to id 1 */
    /* notify: the Data SET, the Register ACTION, then the execute itself. */
    assert_int_equal(T.app.notify_count, notifies + 3);
    assert_ptr_equal(T.app.notify_obj, cosem_find(&T.srv, CT_BILLING));
    assert_int_equal(T.app.notify_kind, COSEM_NOTIFY_ACTION);
    assert_false(T.app.billing.running);
    /* The same through the API the schedules use. */
    T.app.energy_wh = 5;
    assert_int_equal(cosem_script_execute(&T.srv, CT_BILLING, 1), 0);
    assert_int_equal(T.app.energy_wh, 0);
    assert_int_equal(T.app.billing_calls, 2);
}

static void test_script_refusals(void **state) {
    (void)state;
    assert_int_equal(
        ct_set(&T, CLASS_SCRIPT, CT_BILLING, 2, BILLING_SCRIPTS, sizeof(BILLING_SCRIPTS)), 0);
    cosem_script_table_state_t before = T.app.billing;
    uint8_t v[sizeof(BILLING_SCRIPTS)];
    struct {
        size_t at;
        uint8_t byte;
        int dar;
    } cases[] = {
        {20, 0x63, DLMS_DAR_OTHER_REASON},   /* 0.0.99.14.0.255: no such object */
        {15, 0x03, DLMS_DAR_OTHER_REASON},   /* class 3 for a Data object */
        {25, 0x03, DLMS_DAR_OTHER_REASON},   /* Data attribute 3 does not exist */
        {25, 0x00, DLMS_DAR_OTHER_REASON},   /* index 0 */
        {12, 0x03, DLMS_DAR_OTHER_REASON},   /* service_id 3 */
        {46, 0x02, DLMS_DAR_OTHER_REASON},   /* Register method 2 does not exist */
        {11, 0x11, DLMS_DAR_TYPE_UNMATCHED}, /* service_id as unsigned */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(v, BILLING_SCRIPTS, sizeof(v));
        v[cases[i].at] = cases[i].byte;
        assert_int_equal(ct_set(&T, CLASS_SCRIPT, CT_BILLING, 2, v, sizeof(v)), cases[i].dar);
        assert_memory_equal(&before, &T.app.billing, sizeof(before));
    }
    /* Writing the register's scaler_unit (read-only attribute 3). */
    memcpy(v, BILLING_SCRIPTS, sizeof(v));
    memcpy(v + 18, CT_ENERGY, 6);
    v[15] = 0x03;
    v[25] = 0x03;
    assert_int_equal(ct_set(&T, CLASS_SCRIPT, CT_BILLING, 2, v, sizeof(v)), DLMS_DAR_OTHER_REASON);
    /* A parameter of 17 bytes (octet-string of 15). */
    uint8_t big[] = {0x01, 0x01, 0x02, 0x02, 0x12, 0x00, 0x01, 0x01, 0x01, 0x02, 0x05,
                     0x16, 0x01, 0x12, 0x00, 0x01, 0x09, 0x06, 0x00, 0x00, 0x60, 0x0E,
                     0x00, 0xFF, 0x0F, 0x02, 0x09, 0x0F, 0,    0,    0,    0,    0,
                     0,    0,    0,    0,    0,    0,    0,    0,    0,    0};
    assert_int_equal(ct_set(&T, CLASS_SCRIPT, CT_BILLING, 2, big, sizeof(big)),
                     DLMS_DAR_OTHER_REASON);
    big[27] = 0x0E; /* 16 bytes fit */
    assert_int_equal(ct_set(&T, CLASS_SCRIPT, CT_BILLING, 2, big, sizeof(big) - 1), 0);
    assert_int_equal(T.app.billing.scripts[0].actions[0].param_len, 16);
    /* Two scripts with the same id. */
    static const uint8_t dup[] = {0x01, 0x02, 0x02, 0x02, 0x12, 0x00, 0x04, 0x01,
                                  0x00, 0x02, 0x02, 0x12, 0x00, 0x04, 0x01, 0x00};
    before = T.app.billing;
    assert_int_equal(ct_set(&T, CLASS_SCRIPT, CT_BILLING, 2, dup, sizeof(dup)),
                     DLMS_DAR_OTHER_REASON);
    assert_memory_equal(&before, &T.app.billing, sizeof(before));
}

static void test_execute_unknown_and_null(void **state) {
    (void)state;
    int calls = T.app.billing_calls;
    static const uint8_t id7[] = {0x12, 0x00, 0x07}, id0[] = {0x12, 0x00, 0x00};
    static const uint8_t small1[] = {0x11, 0x01}, str[] = {0x09, 0x00};
    assert_int_equal(ct_action(&T, CLASS_SCRIPT, CT_BILLING, 1, id7, sizeof(id7)),
                     DLMS_ACTION_OTHER_REASON);
    assert_int_equal(ct_action(&T, CLASS_SCRIPT, CT_BILLING, 1, id0, sizeof(id0)), 0);
    assert_int_equal(T.app.billing_calls, calls);
    assert_int_equal(ct_action(&T, CLASS_SCRIPT, CT_BILLING, 1, small1, sizeof(small1)), 0);
    assert_int_equal(T.app.billing_calls, calls + 1);
    assert_int_equal(ct_action(&T, CLASS_SCRIPT, CT_BILLING, 1, str, sizeof(str)),
                     DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(ct_action(&T, CLASS_SCRIPT, CT_BILLING, 1, NULL, 0),
                     DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(cosem_script_execute(&T.srv, CT_BILLING, 7), COSEM_ERR_SCRIPT_UNKNOWN);
    assert_int_equal(cosem_script_execute(&T.srv, CT_CLOCK, 1), COSEM_ERR_SCRIPT_UNKNOWN);
    /* The null reference runs nothing. */
    cosem_script_ref_t none = {{0, 0, 10, 0, 1, 255}, 0};
    assert_int_equal(cosem_script_run_ref(&T.srv, &none), 0);
    assert_int_equal(T.app.billing_calls, calls + 1);
}

static void test_native_tariff(void **state) {
    (void)state;
    assert_int_equal(cosem_script_execute(&T.srv, CT_TARIFF, 3), 0);
    assert_memory_equal(T.app.tariff_indicator, "\x00\x03", 2);
    static const uint8_t id4[] = {0x12, 0x00, 0x04};
    assert_int_equal(ct_action(&T, CLASS_SCRIPT, CT_TARIFF, 1, id4, sizeof(id4)), 0);
    assert_int_equal(T.app.tariff_calls, 2);
    assert_int_equal(T.app.tariff_log[1], 4);
    /* Attribute 2 lists the ids the application gave (no actions). */
    static const uint8_t listed[] = {0x01, 0x04, 0x02, 0x02, 0x12, 0x00, 0x01, 0x01, 0x00, 0x02,
                                     0x02, 0x12, 0x00, 0x02, 0x01, 0x00, 0x02, 0x02, 0x12, 0x00,
                                     0x03, 0x01, 0x00, 0x02, 0x02, 0x12, 0x00, 0x04, 0x01, 0x00};
    expect_get(CLASS_SCRIPT, CT_TARIFF, 2, listed, sizeof(listed));
}

static void test_reentrancy_guard(void **state) {
    (void)state;
    /* Push script 5 executes push script 5 (itself) through method 1. */
    static const uint8_t self[] = {0x01, 0x01, 0x02, 0x02, 0x12, 0x00, 0x05, 0x01, 0x01, 0x02,
                                   0x05, 0x16, 0x02, 0x12, 0x00, 0x09, 0x09, 0x06, 0x00, 0x00,
                                   0x0A, 0x00, 0x6C, 0xFF, 0x0F, 0x01, 0x12, 0x00, 0x05};
    assert_int_equal(ct_set(&T, CLASS_SCRIPT, CT_PUSH, 2, self, sizeof(self)), 0);
    static const uint8_t id5[] = {0x12, 0x00, 0x05};
    /* The inner call is refused (busy), so the action fails; the native of
     * the outer call still runs, once. */
    assert_int_equal(ct_action(&T, CLASS_SCRIPT, CT_PUSH, 1, id5, sizeof(id5)),
                     DLMS_ACTION_OTHER_REASON);
    assert_int_equal(T.app.push_calls, 1);
    assert_int_equal(T.app.last_push, 5);
    assert_false(T.app.push.running);
    /* A native executing its own table is refused the same way. */
    assert_int_equal(cosem_script_execute(&T.srv, CT_PUSH, CT_PUSH_REENTER), 0);
    assert_int_equal(T.app.reenter_rc, COSEM_ERR_SCRIPT_BUSY);
    assert_int_equal(T.app.push_calls, 2);
    /* A chain through another table is allowed: billing script 2 executes
     * push script 2. */
    static const uint8_t chain[] = {0x01, 0x01, 0x02, 0x02, 0x12, 0x00, 0x02, 0x01, 0x01, 0x02,
                                    0x05, 0x16, 0x02, 0x12, 0x00, 0x09, 0x09, 0x06, 0x00, 0x00,
                                    0x0A, 0x00, 0x6C, 0xFF, 0x0F, 0x01, 0x12, 0x00, 0x02};
    assert_int_equal(ct_set(&T, CLASS_SCRIPT, CT_BILLING, 2, chain, sizeof(chain)), 0);
    assert_int_equal(cosem_script_execute(&T.srv, CT_BILLING, 2), 0);
    assert_int_equal(T.app.push_calls, 3);
    assert_int_equal(T.app.last_push, 2);
}

/* ---- single action schedule: next execution ------------------------------------------------- */

static cosem_single_action_state_t one_entry(uint8_t type, cosem_time_t t, cosem_date_t d) {
    cosem_single_action_state_t st;
    cosem_single_action_init(&st, type);
    st.times[0].time = t;
    st.times[0].date = d;
    st.count = 1;
    return st;
}

#define ANY_YEAR 0xFFFFu
#define ANY      0xFFu

static int64_t next_after(const cosem_single_action_state_t *st, int64_t after) {
    int64_t n = 0;
    assert_int_equal(cosem_single_action_next(st, &T.app.clock, after, &n), 0);
    assert_true(n > after);
    return n;
}

static void test_sas_next_daily_and_monthly(void **state) {
    (void)state;
    /* Every day at 00:00 local. */
    cosem_single_action_state_t daily =
        one_entry(1, (cosem_time_t){0, 0, 0, 0}, (cosem_date_t){ANY_YEAR, ANY, ANY, ANY});
    assert_int_equal(next_after(&daily, ct_utc(2024, 1, 31, 12, 0, 0)),
                     ct_utc(2024, 1, 31, 23, 0, 0));
    assert_int_equal(next_after(&daily, ct_utc(2024, 1, 31, 23, 0, 0)),
                     ct_utc(2024, 2, 1, 23, 0, 0));
    assert_int_equal(next_after(&daily, ct_utc(2024, 12, 31, 22, 59, 59)),
                     ct_utc(2024, 12, 31, 23, 0, 0)); /* year end */
    assert_int_equal(next_after(&daily, ct_utc(2024, 6, 10, 12, 0, 0)),
                     ct_utc(2024, 6, 10, 22, 0, 0)); /* CEST */
    /* The first of every month at 00:00. */
    cosem_single_action_state_t monthly =
        one_entry(1, (cosem_time_t){0, 0, 0, ANY}, (cosem_date_t){ANY_YEAR, ANY, 1, ANY});
    assert_int_equal(next_after(&monthly, ct_utc(2024, 12, 15, 0, 0, 0)),
                     ct_utc(2024, 12, 31, 23, 0, 0));
    assert_int_equal(next_after(&monthly, ct_utc(2024, 12, 31, 23, 0, 0)),
                     ct_utc(2025, 1, 31, 23, 0, 0));
    assert_int_equal(next_after(&monthly, ct_utc(2024, 5, 15, 0, 0, 0)),
                     ct_utc(2024, 5, 31, 22, 0, 0));
    assert_int_equal(next_after(&monthly, ct_utc(2024, 2, 1, 0, 0, 0)),
                     ct_utc(2024, 2, 29, 23, 0, 0));
    /* The last day of every month; 29 February once in four years. */
    cosem_single_action_state_t last = one_entry(
        1, (cosem_time_t){0, 0, 0, 0}, (cosem_date_t){ANY_YEAR, ANY, COSEM_DT_DAY_LAST, ANY});
    assert_int_equal(next_after(&last, ct_utc(2024, 2, 10, 0, 0, 0)),
                     ct_utc(2024, 2, 28, 23, 0, 0));
    cosem_single_action_state_t leap =
        one_entry(1, (cosem_time_t){0, 0, 0, 0}, (cosem_date_t){ANY_YEAR, 2, 29, ANY});
    assert_int_equal(next_after(&leap, ct_utc(2024, 3, 1, 0, 0, 0)), ct_utc(2028, 2, 28, 23, 0, 0));
}

static void test_sas_next_patterns(void **state) {
    (void)state;
    /* A specific date (type 4: no wildcards in the date), then never. */
    cosem_single_action_state_t once =
        one_entry(4, (cosem_time_t){12, 0, 0, 0}, (cosem_date_t){2025, 6, 30, ANY});
    assert_int_equal(next_after(&once, ct_utc(2024, 1, 1, 0, 0, 0)), ct_utc(2025, 6, 30, 10, 0, 0));
    int64_t n = 1;
    assert_int_equal(
        cosem_single_action_next(&once, &T.app.clock, ct_utc(2025, 6, 30, 10, 0, 0), &n),
        COSEM_ERR_TIME);
    assert_int_equal(n, 0);
    /* A date years ahead. */
    cosem_single_action_state_t far =
        one_entry(4, (cosem_time_t){0, 0, 0, 0}, (cosem_date_t){2040, 1, 1, ANY});
    assert_int_equal(next_after(&far, ct_utc(2024, 1, 1, 0, 0, 0)), ct_utc(2039, 12, 31, 23, 0, 0));
    /* Every hour at :15. */
    cosem_single_action_state_t hourly =
        one_entry(5, (cosem_time_t){ANY, 15, 0, ANY}, (cosem_date_t){ANY_YEAR, ANY, ANY, ANY});
    assert_int_equal(next_after(&hourly, ct_utc(2024, 1, 15, 10, 20, 0)),
                     ct_utc(2024, 1, 15, 11, 15, 0));
    assert_int_equal(next_after(&hourly, ct_utc(2024, 1, 15, 22, 15, 0)),
                     ct_utc(2024, 1, 15, 23, 15, 0)); /* into the next local day */
    /* Every Monday at 06:00. */
    cosem_single_action_state_t monday =
        one_entry(5, (cosem_time_t){6, 0, 0, 0}, (cosem_date_t){ANY_YEAR, ANY, ANY, 1});
    assert_int_equal(next_after(&monday, ct_utc(2024, 1, 16, 0, 0, 0)),
                     ct_utc(2024, 1, 22, 5, 0, 0));
    /* Several entries: the earliest wins. */
    cosem_single_action_state_t two = hourly;
    two.times[0] = (cosem_sas_time_t){{18, 0, 0, 0}, {ANY_YEAR, ANY, ANY, ANY}};
    two.times[1] = (cosem_sas_time_t){{12, 0, 0, 0}, {ANY_YEAR, ANY, ANY, ANY}};
    two.count = 2;
    assert_int_equal(next_after(&two, ct_utc(2024, 1, 15, 9, 0, 0)), ct_utc(2024, 1, 15, 11, 0, 0));
    assert_int_equal(next_after(&two, ct_utc(2024, 1, 15, 11, 0, 0)),
                     ct_utc(2024, 1, 15, 17, 0, 0));
}

static void test_sas_next_dst(void **state) {
    (void)state;
    cosem_single_action_state_t at0230 =
        one_entry(3, (cosem_time_t){2, 30, 0, 0}, (cosem_date_t){ANY_YEAR, ANY, ANY, ANY});
    /* Spring forward: 02:30 does not exist, it runs at 03:00 CEST. */
    assert_int_equal(next_after(&at0230, ct_utc(2024, 3, 30, 12, 0, 0)),
                     ct_utc(2024, 3, 31, 1, 0, 0));
    assert_int_equal(next_after(&at0230, ct_utc(2024, 3, 31, 1, 0, 0)),
                     ct_utc(2024, 4, 1, 0, 30, 0));
    /* Fall back: 02:30 happens twice, it runs at the first (CEST). */
    assert_int_equal(next_after(&at0230, ct_utc(2024, 10, 26, 12, 0, 0)),
                     ct_utc(2024, 10, 27, 0, 30, 0));
    assert_int_equal(next_after(&at0230, ct_utc(2024, 10, 27, 0, 30, 0)),
                     ct_utc(2024, 10, 28, 1, 30, 0));
    /* Every hour at :00 on the fall-back day: 02:00 CEST, then 03:00 CET
     * (the repeated 02:00 CET is not run again). */
    cosem_single_action_state_t hourly =
        one_entry(5, (cosem_time_t){ANY, 0, 0, 0}, (cosem_date_t){ANY_YEAR, ANY, ANY, ANY});
    assert_int_equal(next_after(&hourly, ct_utc(2024, 10, 26, 23, 30, 0)),
                     ct_utc(2024, 10, 27, 0, 0, 0));
    assert_int_equal(next_after(&hourly, ct_utc(2024, 10, 27, 0, 0, 0)),
                     ct_utc(2024, 10, 27, 2, 0, 0));
}

/* ---- single action schedule: tick and attributes ----------------------------------------------
 */

static int tick(int64_t utc) {
    T.app.rtc = utc;
    return cosem_single_action_tick(&T.srv, cosem_find(&T.srv, CT_EOB), utc);
}

static void test_sas_tick(void **state) {
    (void)state;
    /* End of billing: the 1st of every month at 00:00 (factory). */
    assert_int_equal(tick(ct_utc(2024, 1, 31, 22, 0, 0)), 0); /* computes next */
    assert_int_equal(T.app.eob.next, ct_utc(2024, 1, 31, 23, 0, 0));
    assert_int_equal(tick(ct_utc(2024, 1, 31, 22, 59, 59)), 0);
    assert_int_equal(T.app.billing_calls, 0);
    assert_int_equal(tick(ct_utc(2024, 1, 31, 23, 0, 0)), 1);
    assert_int_equal(T.app.billing_calls, 1);
    assert_int_equal(tick(ct_utc(2024, 1, 31, 23, 0, 30)), 0);
    assert_int_equal(T.app.eob.next, ct_utc(2024, 2, 29, 23, 0, 0));
    /* Clock set back over the instant: recomputed, nothing runs now; the
     * instant passed again runs again. */
    assert_int_equal(tick(ct_utc(2024, 1, 31, 22, 30, 0)), 0);
    assert_int_equal(T.app.eob.next, ct_utc(2024, 1, 31, 23, 0, 0));
    assert_int_equal(T.app.billing_calls, 1);
    /* Clock set forward over the next instant: it runs once. */
    assert_int_equal(tick(ct_utc(2024, 4, 15, 0, 0, 0)), 1);
    assert_int_equal(T.app.billing_calls, 2);
    assert_int_equal(T.app.eob.next, ct_utc(2024, 4, 30, 22, 0, 0));
    /* State restored after a power failure with an instant missed: runs
     * once at the first tick. */
    T.app.eob.last_tick = ct_utc(2024, 4, 30, 20, 0, 0);
    assert_int_equal(tick(ct_utc(2024, 5, 2, 8, 0, 0)), 1);
    assert_int_equal(T.app.billing_calls, 3);
    assert_int_equal(T.app.eob.next, ct_utc(2024, 5, 31, 22, 0, 0));
    /* A write recomputes without running. */
    static const uint8_t noon[] = {0x01, 0x01, 0x02, 0x02, 0x09, 0x04, 0x0C, 0x00, 0x00,
                                   0x00, 0x09, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 4, noon, sizeof(noon)), 0);
    assert_int_equal(T.app.eob.next, 0);
    assert_int_equal(tick(ct_utc(2024, 5, 2, 8, 0, 1)), 0);
    assert_int_equal(T.app.eob.next, ct_utc(2024, 5, 2, 10, 0, 0));
    assert_int_equal(T.app.billing_calls, 3);
    /* A new time zone (UTC+2, with DST +3) recomputes from the new local
     * time, without running. */
    static const uint8_t tz[] = {0x10, 0xFF, 0x88}; /* long -120 */
    assert_int_equal(ct_set(&T, COSEM_CLASS_CLOCK, CT_CLOCK, 3, tz, sizeof(tz)), 0);
    assert_int_equal(tick(ct_utc(2024, 5, 2, 8, 0, 2)), 0);
    assert_int_equal(T.app.eob.next, ct_utc(2024, 5, 2, 9, 0, 0));
    /* No entries: never. */
    static const uint8_t none[] = {0x01, 0x00};
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 4, none, sizeof(none)), 0);
    assert_int_equal(tick(ct_utc(2024, 5, 2, 8, 0, 2)), 0);
    assert_int_equal(T.app.eob.next, INT64_MAX);
}

static void test_sas_attributes(void **state) {
    (void)state;
    static const uint8_t script[] = {0x02, 0x02, 0x09, 0x06, 0x00, 0x00, 0x0A,
                                     0x00, 0x01, 0xFF, 0x12, 0x00, 0x01};
    static const uint8_t type1[] = {0x16, 0x01};
    static const uint8_t times[] = {0x01, 0x01, 0x02, 0x02, 0x09, 0x04, 0x00, 0x00, 0x00,
                                    0x00, 0x09, 0x05, 0xFF, 0xFF, 0xFF, 0x01, 0xFF};
    expect_get(CLASS_SAS, CT_EOB, 2, script, sizeof(script));
    expect_get(CLASS_SAS, CT_EOB, 3, type1, sizeof(type1));
    expect_get(CLASS_SAS, CT_EOB, 4, times, sizeof(times));
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 2, script, sizeof(script)), 0);
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 4, times, sizeof(times)), 0);
    expect_get(CLASS_SAS, CT_EOB, 4, times, sizeof(times));
    /* Two entries, 00:00 and 12:00 on 2024-06-30 and 2024-12-31. */
    static const uint8_t two[] = {0x01, 0x02, 0x02, 0x02, 0x09, 0x04, 0x00, 0x00, 0x00, 0x00, 0x09,
                                  0x05, 0x07, 0xE8, 0x06, 0x1E, 0xFF, 0x02, 0x02, 0x09, 0x04, 0x0C,
                                  0x00, 0x00, 0x00, 0x09, 0x05, 0x07, 0xE8, 0x0C, 0x1F, 0xFF};
    cosem_single_action_state_t before = T.app.eob;
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 4, two, sizeof(two)), DLMS_DAR_OTHER_REASON);
    static const uint8_t type2[] = {0x16, 0x02}, type4[] = {0x16, 0x04}, type5[] = {0x16, 0x05},
                         type6[] = {0x16, 0x06};
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 3, type4, sizeof(type4)),
                     DLMS_DAR_OTHER_REASON); /* the entry has a wildcard date */
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 3, type6, sizeof(type6)), DLMS_DAR_OTHER_REASON);
    assert_memory_equal(&before, &T.app.eob, sizeof(before));
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 3, type5, sizeof(type5)), 0);
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 4, two, sizeof(two)), 0);
    expect_get(CLASS_SAS, CT_EOB, 4, two, sizeof(two));
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 3, type4, sizeof(type4)), 0);
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 3, type2, sizeof(type2)),
                     DLMS_DAR_OTHER_REASON); /* the times differ */
    /* executed_script: a script table, or none. */
    uint8_t bad[sizeof(script)];
    memcpy(bad, script, sizeof(bad));
    bad[8] = 0x63; /* 0.0.10.0.99.255 */
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 2, bad, sizeof(bad)), DLMS_DAR_OTHER_REASON);
    memcpy(bad + 4, CT_CLOCK, 6);
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 2, bad, sizeof(bad)), DLMS_DAR_OTHER_REASON);
    memset(bad + 4, 0, 6);
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 2, bad, sizeof(bad)), 0);
    static const uint8_t notenum[] = {0x11, 0x01};
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 3, notenum, sizeof(notenum)),
                     DLMS_DAR_TYPE_UNMATCHED);
    /* An entry with a time of 24:00 and one in a DST month. */
    uint8_t t24[sizeof(times)];
    memcpy(t24, times, sizeof(t24));
    t24[6] = 24;
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 4, t24, sizeof(t24)), DLMS_DAR_OTHER_REASON);
    memcpy(t24, times, sizeof(t24));
    t24[14] = 0xFE;
    assert_int_equal(ct_set(&T, CLASS_SAS, CT_EOB, 4, t24, sizeof(t24)), DLMS_DAR_OTHER_REASON);
}

/* ---- register monitor ------------------------------------------------------------------------ */

static const uint8_t ALARM_MONITORED[] = {0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x06, 0x00,
                                          0x00, 0x61, 0x62, 0x00, 0xFF, 0x0F, 0x02};
static const uint8_t ALARM_THRESHOLDS[] = {0x01, 0x01, 0x06, 0x00, 0x00, 0x00, 0x00};
/* action_up: push script 1; action_down: none. */
static const uint8_t ALARM_ACTIONS[] = {0x01, 0x01, 0x02, 0x02, 0x02, 0x02, 0x09, 0x06, 0x00, 0x00,
                                        0x0A, 0x00, 0x6C, 0xFF, 0x12, 0x00, 0x01, 0x02, 0x02, 0x09,
                                        0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00};

static int mon_tick(const uint8_t ln[6]) {
    return cosem_register_monitor_tick(&T.srv, cosem_find(&T.srv, ln));
}

static void program_alarm_monitor(void) {
    assert_int_equal(
        ct_set(&T, CLASS_MONITOR, CT_ALARM_MON, 3, ALARM_MONITORED, sizeof(ALARM_MONITORED)), 0);
    assert_int_equal(
        ct_set(&T, CLASS_MONITOR, CT_ALARM_MON, 2, ALARM_THRESHOLDS, sizeof(ALARM_THRESHOLDS)), 0);
    assert_int_equal(
        ct_set(&T, CLASS_MONITOR, CT_ALARM_MON, 4, ALARM_ACTIONS, sizeof(ALARM_ACTIONS)), 0);
}

static void test_monitor_alarm_push(void **state) {
    (void)state;
    program_alarm_monitor();
    expect_get(CLASS_MONITOR, CT_ALARM_MON, 2, ALARM_THRESHOLDS, sizeof(ALARM_THRESHOLDS));
    expect_get(CLASS_MONITOR, CT_ALARM_MON, 3, ALARM_MONITORED, sizeof(ALARM_MONITORED));
    expect_get(CLASS_MONITOR, CT_ALARM_MON, 4, ALARM_ACTIONS, sizeof(ALARM_ACTIONS));
    assert_int_equal(mon_tick(CT_ALARM_MON), 0);
    assert_int_equal(T.app.push_calls, 0);
    T.app.alarm_register = 4; /* power up */
    assert_int_equal(mon_tick(CT_ALARM_MON), 1);
    assert_int_equal(T.app.push_calls, 1);
    assert_int_equal(T.app.last_push, 1);
    assert_int_equal(mon_tick(CT_ALARM_MON), 0); /* still above: nothing */
    T.app.alarm_register = 0;                    /* cleared: action_down is "none" */
    assert_int_equal(mon_tick(CT_ALARM_MON), 0);
    T.app.alarm_register = 0x10;
    assert_int_equal(mon_tick(CT_ALARM_MON), 1);
    assert_int_equal(T.app.push_calls, 2);
    /* A value already above at start-up (state reset by a write) fires. */
    assert_int_equal(
        ct_set(&T, CLASS_MONITOR, CT_ALARM_MON, 2, ALARM_THRESHOLDS, sizeof(ALARM_THRESHOLDS)), 0);
    assert_int_equal(cosem_sched_tick(&T.srv, T.app.rtc), 1);
    assert_int_equal(T.app.push_calls, 3);
}

static void test_monitor_hysteresis_band(void **state) {
    (void)state;
    /* 1.0.32.7.0.255 (double-long, 0.1 V): 253.0 V up = "high" (push 2),
     * 248.0 V down = "normal" (push 3). */
    static const uint8_t monitored[] = {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x06, 0x01,
                                        0x00, 0x20, 0x07, 0x00, 0xFF, 0x0F, 0x02};
    static const uint8_t thresholds[] = {0x01, 0x02, 0x05, 0x00, 0x00, 0x09,
                                         0xE2, 0x05, 0x00, 0x00, 0x09, 0xB0};
    static const uint8_t actions[] = {
        0x01, 0x02, 0x02, 0x02, 0x02, 0x02, 0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x6C, 0xFF, 0x12,
        0x00, 0x02, 0x02, 0x02, 0x09, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00,
        0x02, 0x02, 0x02, 0x02, 0x09, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00,
        0x02, 0x02, 0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x6C, 0xFF, 0x12, 0x00, 0x03};
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 3, monitored, sizeof(monitored)), 0);
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 2, thresholds, sizeof(thresholds)), 0);
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 4, actions, sizeof(actions)), 0);
    expect_get(CLASS_MONITOR, CT_VOLT_MON, 2, thresholds, sizeof(thresholds));
    expect_get(CLASS_MONITOR, CT_VOLT_MON, 4, actions, sizeof(actions));
    struct {
        int32_t dv;
        int runs;
        uint16_t push;  /* last push after the tick, 0: none yet */
        uint32_t above; /* bit i: above threshold i */
    } steps[] = {
        {2500, 0, 0, 2}, /* above 248 (no action up there) */
        {2540, 1, 2, 3}, /* up through 253: high */
        {2500, 0, 2, 2}, /* down through 253: nothing */
        {2520, 0, 2, 2}, /* inside the band: nothing */
        {2470, 1, 3, 0}, /* down through 248: normal */
        {2480, 0, 3, 0}, /* equal is not above */
        {2481, 0, 3, 2}, /* up through 248: nothing */
        {2531, 1, 2, 3}, /* high again */
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        T.app.voltage_dv = steps[i].dv;
        assert_int_equal(mon_tick(CT_VOLT_MON), steps[i].runs);
        assert_int_equal(T.app.last_push, steps[i].push);
        assert_int_equal(T.app.volt_mon.above, steps[i].above);
    }
}

static void test_monitor_numbers_and_refusals(void **state) {
    (void)state;
    static const uint8_t monitored[] = {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x06, 0x01,
                                        0x00, 0x20, 0x07, 0x00, 0xFF, 0x0F, 0x02};
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 3, monitored, sizeof(monitored)), 0);
    /* A long threshold of -5 against a double-long value. */
    static const uint8_t minus5[] = {0x01, 0x01, 0x10, 0xFF, 0xFB};
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 2, minus5, sizeof(minus5)), 0);
    T.app.voltage_dv = -6;
    assert_int_equal(mon_tick(CT_VOLT_MON), 0);
    assert_int_equal(T.app.volt_mon.above, 0);
    T.app.voltage_dv = -3;
    assert_int_equal(mon_tick(CT_VOLT_MON), 0); /* crossed, but no actions written */
    assert_int_equal(T.app.volt_mon.above, 1);
    /* An unsigned threshold against a negative value. */
    static const uint8_t u10[] = {0x01, 0x01, 0x11, 0x0A};
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 2, u10, sizeof(u10)), 0);
    T.app.voltage_dv = -300;
    assert_int_equal(mon_tick(CT_VOLT_MON), 0);
    assert_int_equal(T.app.volt_mon.above, 0);
    T.app.voltage_dv = 11;
    assert_int_equal(mon_tick(CT_VOLT_MON), 0);
    assert_int_equal(T.app.volt_mon.above, 1);
    /* A float threshold. */
    static const uint8_t f[] = {0x01, 0x01, 0x17, 0x41, 0x20, 0x00, 0x00}; /* 10.0 */
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 2, f, sizeof(f)), 0);
    expect_get(CLASS_MONITOR, CT_VOLT_MON, 2, f, sizeof(f));
    assert_int_equal(mon_tick(CT_VOLT_MON), 0);
    assert_int_equal(T.app.volt_mon.above, 1);
    /* Refusals leave the monitor as it was. */
    cosem_register_monitor_state_t before = T.app.volt_mon;
    static const uint8_t mixed[] = {0x01, 0x02, 0x11, 0x01, 0x12, 0x00, 0x02};
    static const uint8_t text[] = {0x01, 0x01, 0x09, 0x00};
    static const uint8_t nan[] = {0x01, 0x01, 0x17, 0x7F, 0xC0, 0x00, 0x00};
    static const uint8_t five[] = {0x01, 0x05, 0x11, 1, 0x11, 2, 0x11, 3, 0x11, 4, 0x11, 5};
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 2, mixed, sizeof(mixed)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 2, text, sizeof(text)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 2, nan, sizeof(nan)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 2, five, sizeof(five)),
                     DLMS_DAR_OTHER_REASON);
    uint8_t m[sizeof(monitored)];
    memcpy(m, monitored, sizeof(m));
    m[4] = 0x01; /* a Data with the Register's name */
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 3, m, sizeof(m)),
                     DLMS_DAR_OTHER_REASON);
    memcpy(m, monitored, sizeof(m));
    m[14] = 0x01; /* attribute 1 (logical_name) */
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 3, m, sizeof(m)),
                     DLMS_DAR_OTHER_REASON);
    memcpy(m, monitored, sizeof(m));
    m[9] = 0x21; /* 1.0.33.7.0.255: not in the table */
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 3, m, sizeof(m)),
                     DLMS_DAR_OTHER_REASON);
    uint8_t acts[sizeof(ALARM_ACTIONS)];
    memcpy(acts, ALARM_ACTIONS, sizeof(acts));
    memcpy(acts + 8, CT_CLOCK, 6); /* action_up names the clock */
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 4, acts, sizeof(acts)),
                     DLMS_DAR_OTHER_REASON);
    assert_memory_equal(&before, &T.app.volt_mon, sizeof(before));
    /* Monitoring a value that is not a number fails the tick, changes
     * nothing. */
    static const uint8_t text_value[] = {0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x06, 0x00,
                                         0x00, 0x60, 0x0E, 0x00, 0xFF, 0x0F, 0x02};
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 3, text_value, sizeof(text_value)), 0);
    assert_int_equal(ct_set(&T, CLASS_MONITOR, CT_VOLT_MON, 2, u10, sizeof(u10)), 0);
    assert_int_equal(mon_tick(CT_VOLT_MON), COSEM_ERR_MONITOR_VALUE);
    assert_int_equal(T.app.volt_mon.above, 0);
}

/* ---- everything from one tick ------------------------------------------------------------------
 */

static void test_sched_tick_drives_all(void **state) {
    (void)state;
    program_alarm_monitor();
    /* A calendar switching tariffs at 07:00/21:00 local every day. */
    cosem_calendar_t *c = &T.app.cal.active;
    c->season_count = 1;
    cosem_datetime_set_unspecified(&c->seasons[0].start);
    c->seasons[0].start.month = 1;
    c->seasons[0].start.day = 1;
    c->week_count = 1;
    c->day_count = 1;
    c->days[0].day_id = 1;
    c->days[0].count = 2;
    c->days[0].actions[0] = (cosem_cal_action_t){{7, 0, 0, 0}, {{0, 0, 10, 0, 100, 255}, 2}};
    c->days[0].actions[1] = (cosem_cal_action_t){{21, 0, 0, 0}, {{0, 0, 10, 0, 100, 255}, 1}};
    for (int i = 0; i < 7; i++) {
        c->weeks[0].day_id[i] = 1;
    }
    int started = 0;
    for (int64_t t = ct_utc(2024, 1, 31, 12, 0, 0); t <= ct_utc(2024, 2, 1, 12, 0, 0); t += 60) {
        T.app.rtc = t;
        if (t == ct_utc(2024, 2, 1, 3, 0, 0)) {
            T.app.alarm_register = 1;
        }
        int rc = cosem_sched_tick(&T.srv, t);
        assert_true(rc >= 0);
        started += rc;
    }
    /* Tariff at start-up, 21:00, 07:00; billing at 00:00; one alarm push. */
    assert_int_equal(T.app.tariff_calls, 3);
    assert_int_equal(T.app.billing_calls, 1);
    assert_int_equal(T.app.push_calls, 1);
    assert_int_equal(started, 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_script_execute_actions, setup),
        cmocka_unit_test_setup(test_script_refusals, setup),
        cmocka_unit_test_setup(test_execute_unknown_and_null, setup),
        cmocka_unit_test_setup(test_native_tariff, setup),
        cmocka_unit_test_setup(test_reentrancy_guard, setup),
        cmocka_unit_test_setup(test_sas_next_daily_and_monthly, setup),
        cmocka_unit_test_setup(test_sas_next_patterns, setup),
        cmocka_unit_test_setup(test_sas_next_dst, setup),
        cmocka_unit_test_setup(test_sas_tick, setup),
        cmocka_unit_test_setup(test_sas_attributes, setup),
        cmocka_unit_test_setup(test_monitor_alarm_push, setup),
        cmocka_unit_test_setup(test_monitor_hysteresis_band, setup),
        cmocka_unit_test_setup(test_monitor_numbers_and_refusals, setup),
        cmocka_unit_test_setup(test_sched_tick_drives_all, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
