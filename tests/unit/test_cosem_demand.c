/*
 * test_cosem_demand.c - Demand register (class 5): block and sliding
 * demand arithmetic of cosem_demand_update(), gaps and clock steps, the
 * attributes with exact bytes, writes of period and number_of_periods, and
 * the reset / next_period methods.
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

static const uint8_t *LN_DEMAND = LN(1, 0, 1, 4, 0, 255);
static const int64_t T = COSEM_TEST_RTC_START; /* a multiple of 900 */

static int setup(void **state) {
    static cosem_test_t t;
    assert_int_equal(cosem_test_setup(&t), 0);
    *state = &t;
    return 0;
}

static void check_get(cosem_test_t *t, int8_t attr, const uint8_t *exp, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    uint8_t out[64];
    size_t len = 0;
    assert_int_equal(cosem_test_get(t, &v, 5, LN_DEMAND, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, exp, n);
}

/* ---- arithmetic ------------------------------------------------------------------- */

static void test_block_demand(void **state) {
    (void)state;
    cosem_demand_state_t st;
    assert_int_equal(cosem_demand_init(&st, 900, 1), 0);
    /* The first update only starts the period (at the boundary before it):
     * a value covers the time since the previous update. */
    assert_int_equal(cosem_demand_update(&st, 1000, T + 5), 0);
    assert_int_equal(st.start_time_current, T);
    assert_int_equal(st.current_average, 0);
    assert_int_equal(cosem_demand_update(&st, 1000, T + 455), 0);
    assert_int_equal(st.current_average, 500); /* 450 s x 1000 / 900 s */
    assert_int_equal(cosem_demand_update(&st, 2000, T + 905), 0);
    assert_int_equal(st.last_average, 1488); /* (450000 + 445 x 2000) / 900 */
    assert_int_equal(st.capture_time, T + 900);
    assert_int_equal(st.start_time_current, T + 900);
    assert_int_equal(st.current_average, 2000 * 5 / 900);
    assert_int_equal(cosem_demand_update(&st, 3000, T + 1000), 0);
    assert_int_equal(st.current_average, (10000 + 95 * 3000) / 900);
    /* a value that spans a boundary is split at it */
    assert_int_equal(cosem_demand_update(&st, 900, T + 1900), 0);
    assert_int_equal(st.last_average, (10000 + 285000 + 800 * 900) / 900);
    assert_int_equal(st.capture_time, T + 1800);
    assert_int_equal(st.current_average, 100 * 900 / 900);
    /* a long gap: whole periods at the value reported after it */
    assert_int_equal(cosem_demand_update(&st, 100, T + 900 * 9 + 10), 0);
    assert_int_equal(st.capture_time, T + 900 * 9);
    assert_int_equal(st.last_average, 100);
    assert_int_equal(st.start_time_current, T + 900 * 9);
    assert_int_equal(st.current_average, 1); /* 1000 / 900 */
    /* negative values (export) average too */
    assert_int_equal(cosem_demand_update(&st, -1800, T + 900 * 10), 0);
    assert_int_equal(st.last_average, (1000 - 1800 * 890) / 900);
}

static void test_sliding_demand(void **state) {
    (void)state;
    cosem_demand_state_t st;
    assert_int_equal(cosem_demand_init(&st, 60, 3), 0);
    assert_int_equal(cosem_demand_update(&st, 0, T), 0);
    assert_int_equal(cosem_demand_update(&st, 600, T + 60), 0); /* sub-period 1: 36000 */
    assert_int_equal(st.last_average, 36000 / 180);
    assert_int_equal(cosem_demand_update(&st, 1200, T + 120), 0); /* 72000 */
    assert_int_equal(st.last_average, (36000 + 72000) / 180);
    assert_int_equal(cosem_demand_update(&st, 1800, T + 180), 0); /* 108000 */
    assert_int_equal(st.last_average, (36000 + 72000 + 108000) / 180);
    assert_int_equal(cosem_demand_update(&st, 0, T + 240), 0); /* 0: the first drops out */
    assert_int_equal(st.last_average, (72000 + 108000 + 0) / 180);
    assert_int_equal(st.capture_time, T + 240);
    /* running: the last two completed plus the current part */
    assert_int_equal(cosem_demand_update(&st, 3600, T + 270), 0);
    assert_int_equal(st.current_average, (108000 + 0 + 3600 * 30) / 180);
}

static void test_clock_steps(void **state) {
    (void)state;
    cosem_demand_state_t st;
    assert_int_equal(cosem_demand_init(&st, 900, 1), 0);
    assert_int_equal(cosem_demand_update(&st, 1000, T + 100), 0);
    assert_int_equal(cosem_demand_update(&st, 1000, T + 400), 0);
    assert_int_equal(st.current_average, 333);
    /* the clock went back: the running period restarts, nothing closes */
    assert_int_equal(cosem_demand_update(&st, 1000, T - 50), 0);
    assert_int_equal(st.start_time_current, T - 900);
    assert_int_equal(st.current_average, 0);
    assert_int_equal(st.last_average, 0);
    assert_int_equal(st.capture_time, 0);
    /* huge values saturate instead of wrapping */
    assert_int_equal(cosem_demand_update(&st, INT64_MAX, T + 100), 0);
    assert_true(st.current_average > 0);
    /* next_period closes now, reset clears */
    assert_int_equal(cosem_demand_next_period(&st, T + 200), 0);
    assert_int_equal(st.capture_time, T + 200);
    assert_int_equal(st.start_time_current, T + 200);
    cosem_demand_reset(&st, T + 300);
    assert_int_equal(st.current_average, 0);
    assert_int_equal(st.last_average, 0);
    assert_int_equal(st.capture_time, T + 300);
    /* refused states */
    assert_int_equal(cosem_demand_init(&st, 0, 1), COSEM_ERR_STATE);
    assert_int_equal(cosem_demand_init(&st, 60, 0), COSEM_ERR_STATE);
    assert_int_equal(cosem_demand_init(&st, 60, EM_COSEM_DEMAND_MAX_PERIODS + 1), COSEM_ERR_STATE);
    memset(&st, 0, sizeof(st));
    assert_int_equal(cosem_demand_update(&st, 1, T), COSEM_ERR_STATE);
    assert_int_equal(cosem_demand_next_period(&st, T), COSEM_ERR_STATE);
    assert_int_equal(cosem_demand_update(NULL, 1, T), COSEM_ERR_BADARG);
}

/* ---- class ---------------------------------------------------------------------------- */

static void test_attributes(void **state) {
    cosem_test_t *t = *state;
    cosem_demand_state_t *st = &t->app.demand;
    assert_int_equal(cosem_demand_update(st, 1000, T), 0);
    assert_int_equal(cosem_demand_update(st, 2000, T + 900), 0);
    assert_int_equal(cosem_demand_update(st, 3000, T + 1000), 0);
    check_get(t, 2, BYTES(0x05, 0x00, 0x00, 0x01, 0x4D)); /* 333 */
    check_get(t, 3, BYTES(0x05, 0x00, 0x00, 0x07, 0xD0)); /* 2000 */
    check_get(t, 4, BYTES(0x02, 0x02, 0x0F, 0x00, 0x16, 0x1B));
    check_get(t, 5, BYTES(0x11, 0x00));
    /* 12:15 UTC = 13:15 CET */
    check_get(
        t, 6,
        BYTES(0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01, 0x0D, 0x0F, 0x00, 0x00, 0xFF, 0xC4, 0x00));
    check_get(
        t, 7,
        BYTES(0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01, 0x0D, 0x0F, 0x00, 0x00, 0xFF, 0xC4, 0x00));
    check_get(t, 8, BYTES(0x06, 0x00, 0x00, 0x03, 0x84));
    check_get(t, 9, BYTES(0x12, 0x00, 0x01));
    /* a negative demand */
    st->current_average = -2;
    check_get(t, 2, BYTES(0x05, 0xFF, 0xFF, 0xFF, 0xFE));
}

static void test_writes_and_methods(void **state) {
    cosem_test_t *t = *state;
    cosem_demand_state_t *st = &t->app.demand;
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    assert_int_equal(cosem_demand_update(st, 1000, T), 0);
    assert_int_equal(cosem_demand_update(st, 1000, T + 900), 0);
    assert_int_equal(st->last_average, 1000);
    t->app.rtc = T + 1000;
    /* period: double-long-unsigned > 0; restarts from now */
    assert_int_equal(cosem_test_set(t, &v, 5, LN_DEMAND, 8, BYTES(0x06, 0, 0, 0, 0x3C)), 0);
    assert_int_equal(st->period, 60);
    assert_int_equal(st->last_average, 0);
    assert_int_equal(st->start_time_current, T + 1000);
    assert_int_equal(cosem_test_set(t, &v, 5, LN_DEMAND, 8, BYTES(0x06, 0, 0, 0, 0)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(cosem_test_set(t, &v, 5, LN_DEMAND, 8, BYTES(0x12, 0, 0x3C)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(cosem_test_set(t, &v, 5, LN_DEMAND, 9, BYTES(0x12, 0x00, 0x03)), 0);
    assert_int_equal(st->number_of_periods, 3);
    assert_int_equal(st->period, 60);
    assert_int_equal(
        cosem_test_set(t, &v, 5, LN_DEMAND, 9, BYTES(0x12, 0x00, EM_COSEM_DEMAND_MAX_PERIODS + 1)),
        DLMS_DAR_OTHER_REASON);
    assert_int_equal(cosem_test_set(t, &v, 5, LN_DEMAND, 9, BYTES(0x12, 0x00, 0x00)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(st->number_of_periods, 3);
    assert_int_equal(cosem_test_set(t, &v, 5, LN_DEMAND, 2, BYTES(0x05, 0, 0, 0, 1)),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(cosem_test_set(t, &v, 5, LN_DEMAND, 5, BYTES(0x11, 1)),
                     DLMS_DAR_READ_WRITE_DENIED);

    uint8_t ret[8];
    size_t len;
    bool has;
    assert_int_equal(cosem_demand_update(st, 600, T + 1060), 0);
    assert_int_equal(cosem_demand_update(st, 600, T + 1090), 0);
    t->app.rtc = T + 1090;
    assert_int_equal(
        cosem_test_action(t, &v, 5, LN_DEMAND, 2, BYTES(0x0F, 0x00), ret, sizeof(ret), &len, &has),
        0); /* next_period */
    assert_int_equal(st->capture_time, T + 1090);
    assert_int_equal(st->last_average, (600 * 60 + 600 * 30) / 180);
    assert_int_equal(
        cosem_test_action(t, &v, 5, LN_DEMAND, 1, BYTES(0x0F, 0x00), ret, sizeof(ret), &len, &has),
        0); /* reset */
    assert_int_equal(st->last_average, 0);
    assert_int_equal(st->current_average, 0);
    assert_int_equal(st->capture_time, T + 1090);
    assert_int_equal(
        cosem_test_action(t, &v, 5, LN_DEMAND, 1, BYTES(0x03, 0x00), ret, sizeof(ret), &len, &has),
        DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(
        cosem_test_action(t, &v, 5, LN_DEMAND, 3, NULL, 0, ret, sizeof(ret), &len, &has),
        DLMS_ACTION_OBJECT_UNDEFINED);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_demand),
        cmocka_unit_test(test_sliding_demand),
        cmocka_unit_test(test_clock_steps),
        cmocka_unit_test_setup(test_attributes, setup),
        cmocka_unit_test_setup(test_writes_and_methods, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
