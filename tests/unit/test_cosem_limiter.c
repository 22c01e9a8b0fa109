/*
 * test_cosem_limiter.c - Limiter (class 71): over / under durations with
 * 1 s and 60 s ticks, a count restarted by a value crossing back or the
 * clock set back, equality, emergency profile activation and expiry (group
 * list, duration), the path limiter -> Script table -> Disconnect control
 * local disconnect / reconnect, failing scripts and unreadable values, SET
 * type and range checks (nothing changes on a refusal) and byte-exact GETs.
 * Own small object table (test_cosem_breaker_table.h, shared with
 * fuzz/fuzz_breaker.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cosem/calendar_eval.h"
#include "cosem_test_table.h"
#include "test_cosem_breaker_table.h"

#define LN(...)    ((const uint8_t[6]){__VA_ARGS__})
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

#define LN_LIMITER BT_LIMITER

#define CLASS_LIMITER 71

/* 2024-01-15 12:00:00 UTC, 13:00 CET (a Monday). */
static const int64_t T0 = 1705320000;

static bt_t F;
static const cosem_object_t *OBJECTS;
static const cosem_object_t *LIMITER;

static int setup(void **state) {
    (void)state;
    size_t n;
    OBJECTS = bt_objects(&n);
    LIMITER = &OBJECTS[BT_OBJ_LIMITER];
    return bt_setup(&F, T0, 6); /* mode 6: local reconnect allowed */
}

static dlms_assoc_view_t view(void) {
    return bt_view();
}

static int set(int8_t attr, const uint8_t *value, size_t n) {
    dlms_assoc_view_t v = view();
    return cosem_call_set(&F.srv, &v, CLASS_LIMITER, LN_LIMITER, attr, value, n);
}

static void expect_get(int8_t attr, const uint8_t *bytes, size_t n) {
    dlms_assoc_view_t v = view();
    uint8_t out[96];
    size_t len = 0;
    assert_int_equal(
        cosem_call_get(&F.srv, &v, CLASS_LIMITER, LN_LIMITER, attr, NULL, out, sizeof(out), &len),
        0);
    assert_int_equal(len, n);
    assert_memory_equal(out, bytes, n);
}

static int tick(int64_t utc) {
    F.app.rtc = utc;
    return cosem_limiter_tick(&F.srv, LIMITER, utc);
}

static const uint8_t MONITOR_POWER[] = {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x06, 0x01,
                                        0x00, 0x01, 0x07, 0x00, 0xFF, 0x0F, 0x02};
static const uint8_t ACTIONS[] = {0x02, 0x02, 0x02, 0x02, 0x09, 0x06, 0x00, 0x00, 0x0A, 0x00,
                                  0x6A, 0xFF, 0x12, 0x00, 0x01, 0x02, 0x02, 0x09, 0x06, 0x00,
                                  0x00, 0x0A, 0x00, 0x6A, 0xFF, 0x12, 0x00, 0x02};

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void set_seconds(int8_t attr, uint32_t s) {
    uint8_t v[5] = {0x06};
    put_u32(v + 1, s);
    assert_int_equal(set(attr, v, sizeof(v)), 0);
}

static void set_dlong(int8_t attr, int32_t w) {
    uint8_t v[5] = {0x05};
    put_u32(v + 1, (uint32_t)w);
    assert_int_equal(set(attr, v, sizeof(v)), 0);
}

/* Power limiter: over `normal` W for min_over s disconnects (script 1),
 * under it for min_under s reconnects (script 2). */
static void configure(int32_t normal, int32_t emergency, uint32_t min_over, uint32_t min_under) {
    assert_int_equal(set(2, MONITOR_POWER, sizeof(MONITOR_POWER)), 0);
    set_dlong(4, normal);
    set_dlong(5, emergency);
    set_seconds(6, min_over);
    set_seconds(7, min_under);
    assert_int_equal(set(11, ACTIONS, sizeof(ACTIONS)), 0);
}

static uint8_t breaker_state(void) {
    return F.app.breaker.control_state;
}

/* ---- durations ----------------------------------------------------------------------- */

static void test_one_second_steps(void **state) {
    (void)state;
    configure(1000, 500, 10, 5);
    F.app.p_w = 1500;
    for (int64_t t = 0; t < 10; t++) {
        assert_int_equal(tick(T0 + t), 0);
    }
    assert_int_equal(breaker_state(), COSEM_DISC_CONNECTED);
    assert_int_equal(tick(T0 + 10), COSEM_LIMITER_RAN_OVER); /* exactly 10 s over */
    assert_int_equal(breaker_state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_false(F.app.breaker.output_state);
    assert_int_equal(F.app.letters[0], 'g');
    for (int64_t t = 11; t < 20; t++) {
        assert_int_equal(tick(T0 + t), 0); /* over stays over: runs once */
    }
    F.app.p_w = 500;
    for (int64_t t = 20; t < 25; t++) {
        assert_int_equal(tick(T0 + t), 0);
    }
    assert_int_equal(tick(T0 + 25), COSEM_LIMITER_RAN_UNDER);
    assert_int_equal(breaker_state(), COSEM_DISC_CONNECTED);
    assert_int_equal(F.app.letters[1], 'h');
    assert_int_equal(F.app.native_calls, 2);
    /* A value that crosses back restarts the count. */
    F.app.p_w = 1001;
    for (int64_t t = 30; t < 35; t++) {
        assert_int_equal(tick(T0 + t), 0);
    }
    F.app.p_w = 1000; /* equal is not over */
    assert_int_equal(tick(T0 + 35), 0);
    F.app.p_w = 1200;
    for (int64_t t = 36; t < 46; t++) {
        assert_int_equal(tick(T0 + t), 0);
    }
    assert_int_equal(tick(T0 + 46), COSEM_LIMITER_RAN_OVER);
    assert_int_equal(F.app.transitions, 3);
}

static void test_sixty_second_steps(void **state) {
    (void)state;
    configure(1000, 500, 90, 120);
    F.app.p_w = 2000;
    assert_int_equal(tick(T0), 0);
    assert_int_equal(tick(T0 + 60), 0);                       /* 60 s < 90 s */
    assert_int_equal(tick(T0 + 120), COSEM_LIMITER_RAN_OVER); /* first tick >= 90 s */
    assert_int_equal(breaker_state(), COSEM_DISC_READY_FOR_RECONNECTION);
    F.app.p_w = 10;
    assert_int_equal(tick(T0 + 180), 0);
    assert_int_equal(tick(T0 + 240), 0);                       /* 60 s < 120 s */
    assert_int_equal(tick(T0 + 300), COSEM_LIMITER_RAN_UNDER); /* exactly 120 s */
    assert_int_equal(breaker_state(), COSEM_DISC_CONNECTED);
    /* Durations that are multiples of the step act on that tick. */
    set_seconds(6, 60);
    F.app.p_w = 2000;
    assert_int_equal(tick(T0 + 360), 0);
    assert_int_equal(tick(T0 + 420), COSEM_LIMITER_RAN_OVER);
    /* Durations 0 act on the first tick on the other side. */
    set_seconds(7, 0);
    F.app.p_w = 0;
    assert_int_equal(tick(T0 + 480), COSEM_LIMITER_RAN_UNDER);
}

static void test_clock_set_back(void **state) {
    (void)state;
    configure(1000, 500, 10, 10);
    F.app.p_w = 1500;
    assert_int_equal(tick(T0), 0);
    assert_int_equal(tick(T0 + 9), 0);
    assert_int_equal(tick(T0 - 100), 0); /* back: the count restarts here */
    assert_int_equal(tick(T0 - 91), 0);
    assert_int_equal(tick(T0 - 90), COSEM_LIMITER_RAN_OVER);
    /* Writing monitored_value restarts the count, not the state. */
    F.app.p_w = 0;
    assert_int_equal(tick(T0), 0);
    assert_int_equal(set(2, MONITOR_POWER, sizeof(MONITOR_POWER)), 0);
    assert_int_equal(tick(T0 + 9), 0);
    assert_int_equal(tick(T0 + 18), 0);
    assert_int_equal(tick(T0 + 19), COSEM_LIMITER_RAN_UNDER);
    /* Reset of the runtime part: "under", nothing counted. */
    F.app.p_w = 1500;
    assert_int_equal(tick(T0 + 20), 0);
    cosem_limiter_reset_runtime(&F.app.limiter);
    assert_int_equal(tick(T0 + 29), 0);
    assert_int_equal(tick(T0 + 39), COSEM_LIMITER_RAN_OVER);
}

/* ---- emergency profile ----------------------------------------------------------------- */

/* structure{id 7, 2024-01-15 14:00:00 local (no deviation), 1800 s} */
static const uint8_t EMERGENCY[] = {0x02, 0x03, 0x12, 0x00, 0x07, 0x09, 0x0C, 0x07,
                                    0xE8, 0x01, 0x0F, 0x01, 0x0E, 0x00, 0x00, 0x00,
                                    0x80, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x07, 0x08};

static void test_emergency_profile(void **state) {
    (void)state;
    configure(5000, 2000, 60, 60);
    assert_int_equal(set(8, EMERGENCY, sizeof(EMERGENCY)), 0);
    expect_get(8, EMERGENCY, sizeof(EMERGENCY));
    assert_int_equal(set(9, BYTES(0x01, 0x02, 0x12, 0x00, 0x05, 0x12, 0x00, 0x07)), 0);
    expect_get(9, BYTES(0x01, 0x02, 0x12, 0x00, 0x05, 0x12, 0x00, 0x07));
    F.app.p_w = 3000;
    int64_t on = T0 + 3600; /* 14:00 CET */
    for (int64_t t = T0; t < on; t += 60) {
        assert_int_equal(tick(t), 0);
    }
    expect_get(3, BYTES(0x05, 0x00, 0x00, 0x13, 0x88)); /* normal 5000 */
    expect_get(10, BYTES(0x03, 0x00));
    assert_int_equal(tick(on), COSEM_LIMITER_THRESHOLD_SWITCHED);
    expect_get(3, BYTES(0x05, 0x00, 0x00, 0x07, 0xD0)); /* emergency 2000 */
    expect_get(10, BYTES(0x03, 0x01));
    assert_int_equal(tick(on + 60), COSEM_LIMITER_RAN_OVER);
    assert_int_equal(breaker_state(), COSEM_DISC_READY_FOR_RECONNECTION);
    for (int64_t t = on + 120; t < on + 1800; t += 60) {
        assert_int_equal(tick(t), 0);
    }
    assert_true(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on + 1799));
    assert_false(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on + 1800));
    assert_false(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on - 1));
    /* expiry: back to normal; 3000 is under it */
    assert_int_equal(tick(on + 1800), COSEM_LIMITER_THRESHOLD_SWITCHED);
    expect_get(10, BYTES(0x03, 0x00));
    assert_int_equal(tick(on + 1860), COSEM_LIMITER_RAN_UNDER);
    assert_int_equal(breaker_state(), COSEM_DISC_CONNECTED);
    /* A profile id outside the group list never activates. */
    assert_int_equal(set(9, BYTES(0x01, 0x01, 0x12, 0x00, 0x05)), 0);
    assert_false(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on + 10));
    assert_int_equal(set(9, BYTES(0x01, 0x00)), 0);
    assert_false(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on + 10));
    /* Duration 0 never activates. */
    assert_int_equal(set(9, BYTES(0x01, 0x01, 0x12, 0x00, 0x07)), 0);
    assert_true(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on + 10));
    uint8_t v[sizeof(EMERGENCY)];
    memcpy(v, EMERGENCY, sizeof(v));
    memset(v + 20, 0, 4);
    assert_int_equal(set(8, v, sizeof(v)), 0);
    assert_false(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on + 10));
    /* With a deviation: 14:00 at UTC+0 (deviation 0) is 15:00 CET. */
    memcpy(v, EMERGENCY, sizeof(v));
    v[16] = 0x00;
    v[17] = 0x00;
    assert_int_equal(set(8, v, sizeof(v)), 0);
    assert_false(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on + 3599));
    assert_true(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on + 3600));
    /* All "not specified": no emergency. */
    static const uint8_t none[] = {0x02, 0x03, 0x12, 0x00, 0x07, 0x09, 0x0C, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0x80, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x07, 0x08};
    assert_int_equal(set(8, none, sizeof(none)), 0);
    assert_false(cosem_limiter_emergency_at(&F.srv, &F.app.limiter, on + 3600));
}

/* ---- failures ---------------------------------------------------------------------------- */

static void test_failing_script_and_value(void **state) {
    (void)state;
    configure(1000, 500, 0, 0);
    /* Over action: script 9 of the table, which does not exist. */
    uint8_t actions[sizeof(ACTIONS)];
    memcpy(actions, ACTIONS, sizeof(actions));
    actions[14] = 9;
    assert_int_equal(set(11, actions, sizeof(actions)), 0);
    F.app.p_w = 5000;
    assert_int_equal(tick(T0), COSEM_ERR_SCRIPT_UNKNOWN);
    assert_true(F.app.limiter.over); /* not retried */
    assert_int_equal(tick(T0 + 1), 0);
    /* In control mode 0 the native runs but the breaker does not move. */
    F.app.breaker.control_mode = 0;
    F.app.p_w = 0;
    assert_int_equal(tick(T0 + 2), COSEM_LIMITER_RAN_UNDER);
    assert_int_equal(set(11, ACTIONS, sizeof(ACTIONS)), 0);
    F.app.p_w = 5000;
    assert_int_equal(tick(T0 + 3), COSEM_LIMITER_RAN_OVER);
    assert_int_equal(breaker_state(), COSEM_DISC_CONNECTED);
    assert_int_equal(F.app.transitions, 0);
    /* A monitored object that disappeared: nothing changes. */
    memcpy(F.app.limiter.ln, LN(1, 0, 99, 7, 0, 255), 6);
    cosem_limiter_state_t before = F.app.limiter;
    assert_int_equal(tick(T0 + 4), COSEM_ERR_LIMITER_VALUE);
    assert_memory_equal(&before, &F.app.limiter, sizeof(before));
    /* Not a limiter / no server. */
    assert_int_equal(cosem_limiter_tick(&F.srv, &OBJECTS[2], T0), COSEM_ERR_BADARG);
    assert_int_equal(cosem_limiter_tick(NULL, LIMITER, T0), COSEM_ERR_BADARG);
    assert_null(cosem_limiter_state(&F.srv, &OBJECTS[0]));
    assert_string_equal(cosem_limiter_strerror(COSEM_ERR_LIMITER_VALUE),
                        "limiter: monitored attribute unreadable or not a number");
    assert_string_equal(cosem_limiter_strerror(COSEM_ERR_SCRIPT_UNKNOWN),
                        cosem_sched_strerror(COSEM_ERR_SCRIPT_UNKNOWN));
}

/* Unconfigured: the tick does nothing, but follows the emergency profile. */
static void test_unconfigured(void **state) {
    (void)state;
    F.app.p_w = 100000;
    assert_int_equal(tick(T0), 0);
    assert_int_equal(set(2, MONITOR_POWER, sizeof(MONITOR_POWER)), 0);
    assert_int_equal(tick(T0 + 1), 0); /* no threshold yet */
    set_dlong(5, 10);                  /* emergency only */
    assert_int_equal(tick(T0 + 2), 0);
    assert_int_equal(set(8, EMERGENCY, sizeof(EMERGENCY)), 0);
    assert_int_equal(set(9, BYTES(0x01, 0x01, 0x12, 0x00, 0x07)), 0);
    assert_int_equal(tick(T0 + 3600), COSEM_LIMITER_THRESHOLD_SWITCHED | COSEM_LIMITER_RAN_OVER);
    assert_int_equal(breaker_state(), COSEM_DISC_CONNECTED); /* no actions configured */
}

/* ---- attributes ---------------------------------------------------------------------------- */

static void test_get_defaults(void **state) {
    (void)state;
    expect_get(1, BYTES(0x09, 0x06, 0x00, 0x00, 0x11, 0x00, 0x00, 0xFF));
    expect_get(2, BYTES(0x02, 0x03, 0x12, 0x00, 0x00, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x0F, 0x00));
    expect_get(3, BYTES(0x00));
    expect_get(4, BYTES(0x00));
    expect_get(5, BYTES(0x00));
    expect_get(6, BYTES(0x06, 0x00, 0x00, 0x00, 0x00));
    expect_get(7, BYTES(0x06, 0x00, 0x00, 0x00, 0x00));
    expect_get(8, BYTES(0x02, 0x03, 0x12, 0x00, 0x00, 0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                        0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x00, 0x00));
    expect_get(9, BYTES(0x01, 0x00));
    expect_get(10, BYTES(0x03, 0x00));
    expect_get(11, BYTES(0x02, 0x02, 0x02, 0x02, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x12, 0x00, 0x00,
                         0x02, 0x02, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x12, 0x00, 0x00));
}

static void test_get_configured(void **state) {
    (void)state;
    configure(-250, 70000, 90, 3600);
    expect_get(2, MONITOR_POWER, sizeof(MONITOR_POWER));
    expect_get(3, BYTES(0x05, 0xFF, 0xFF, 0xFF, 0x06));
    expect_get(4, BYTES(0x05, 0xFF, 0xFF, 0xFF, 0x06));
    expect_get(5, BYTES(0x05, 0x00, 0x01, 0x11, 0x70));
    expect_get(6, BYTES(0x06, 0x00, 0x00, 0x00, 0x5A));
    expect_get(7, BYTES(0x06, 0x00, 0x00, 0x0E, 0x10));
    expect_get(11, ACTIONS, sizeof(ACTIONS));
    /* A negative threshold compares as a signed number. */
    F.app.p_w = -100;
    F.app.limiter.min_over = 0;
    assert_int_equal(tick(T0), COSEM_LIMITER_RAN_OVER);
}

static void test_set_checks(void **state) {
    (void)state;
    configure(1000, 500, 10, 10);
    cosem_limiter_state_t before = F.app.limiter;
    const struct {
        int8_t attr;
        uint8_t bytes[32];
        size_t n;
        int dar;
    } cases[] = {
        /* monitored_value */
        {2,
         {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 99, 7, 0, 255, 0x0F, 0x02},
         15,
         DLMS_DAR_OTHER_REASON}, /* no such object */
        {2,
         {0x02, 0x03, 0x12, 0x00, 0x04, 0x09, 0x06, 1, 0, 1, 7, 0, 255, 0x0F, 0x02},
         15,
         DLMS_DAR_OTHER_REASON}, /* class 4 for a Register */
        {2,
         {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 1, 7, 0, 255, 0x0F, 0x04},
         15,
         DLMS_DAR_OTHER_REASON}, /* attribute 4 of a Register */
        {2,
         {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 1, 7, 0, 255, 0x0F, 0x03},
         15,
         DLMS_DAR_OTHER_REASON}, /* scaler_unit: not a number */
        {2,
         {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 1, 7, 0, 255, 0x0F, 0x01},
         15,
         DLMS_DAR_OTHER_REASON}, /* logical_name */
        {2,
         {0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x06, 0, 0, 96, 128, 1, 255, 0x0F, 0x02},
         15,
         DLMS_DAR_OTHER_REASON}, /* an octet-string Data */
        {2,
         {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x05, 1, 0, 1, 7, 0, 0x0F, 0x02},
         14,
         DLMS_DAR_OTHER_REASON}, /* 5-byte name */
        {2,
         {0x02, 0x02, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 1, 7, 0, 255},
         13,
         DLMS_DAR_TYPE_UNMATCHED},
        {2,
         {0x02, 0x03, 0x11, 0x03, 0x09, 0x06, 1, 0, 1, 7, 0, 255, 0x0F, 0x02},
         14,
         DLMS_DAR_TYPE_UNMATCHED},
        /* thresholds follow the monitored value's type (double-long) */
        {4, {0x06, 0x00, 0x00, 0x03, 0xE8}, 5, DLMS_DAR_TYPE_UNMATCHED},
        {4, {0x12, 0x03, 0xE8}, 3, DLMS_DAR_TYPE_UNMATCHED},
        {5, {0x17, 0x44, 0x7A, 0x00, 0x00}, 5, DLMS_DAR_TYPE_UNMATCHED},
        {4, {0x09, 0x01, 0x00}, 3, DLMS_DAR_TYPE_UNMATCHED},
        {4, {0x01, 0x00}, 2, DLMS_DAR_TYPE_UNMATCHED},
        {4, {0x00}, 1, DLMS_DAR_TYPE_UNMATCHED},
        /* durations */
        {6, {0x12, 0x00, 0x0A}, 3, DLMS_DAR_TYPE_UNMATCHED},
        {7, {0x05, 0x00, 0x00, 0x00, 0x0A}, 5, DLMS_DAR_TYPE_UNMATCHED},
        /* group list */
        {9,
         {0x01, 0x09, 0x12, 0, 1, 0x12, 0, 2, 0x12, 0, 3, 0x12, 0, 4, 0x12,
          0,    5,    0x12, 0, 6, 0x12, 0, 7, 0x12, 0, 8, 0x12, 0, 9},
         29,
         DLMS_DAR_OTHER_REASON},
        {9, {0x01, 0x01, 0x11, 0x05}, 4, DLMS_DAR_TYPE_UNMATCHED},
        {9, {0x02, 0x01, 0x12, 0x00, 0x05}, 5, DLMS_DAR_TYPE_UNMATCHED},
        /* actions: not a script table, wrong shapes */
        {11,
         {0x02, 0x02, 0x02, 0x02, 0x09, 0x06, 1, 0, 1, 7, 0, 255,  0x12, 0x00,
          0x01, 0x02, 0x02, 0x09, 0x06, 0,    0, 0, 0, 0, 0, 0x12, 0x00, 0x00},
         28,
         DLMS_DAR_OTHER_REASON},
        {11,
         {0x02, 0x01, 0x02, 0x02, 0x09, 0x06, 0, 0, 10, 0, 106, 255, 0x12, 0x00, 0x01},
         15,
         DLMS_DAR_TYPE_UNMATCHED},
        {11,
         {0x02, 0x02, 0x02, 0x02, 0x09, 0x06, 0, 0, 10, 0, 106,  255,  0x11, 0x01,
          0x02, 0x02, 0x09, 0x06, 0,    0,    0, 0, 0,  0, 0x12, 0x00, 0x00},
         27,
         DLMS_DAR_TYPE_UNMATCHED},
        {11,
         {0x02, 0x02, 0x02, 0x02, 0x09, 0x05, 0, 0, 10, 0, 106,  0x12, 0x00, 0x01,
          0x02, 0x02, 0x09, 0x06, 0,    0,    0, 0, 0,  0, 0x12, 0x00, 0x00},
         27,
         DLMS_DAR_OTHER_REASON},
        /* read-only */
        {3, {0x05, 0x00, 0x00, 0x00, 0x01}, 5, DLMS_DAR_READ_WRITE_DENIED},
        {10, {0x03, 0x01}, 2, DLMS_DAR_READ_WRITE_DENIED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(set(cases[i].attr, cases[i].bytes, cases[i].n), cases[i].dar);
        assert_memory_equal(&before, &F.app.limiter, sizeof(before));
    }
    /* emergency_profile: a date that does not exist, a pattern, a bad type */
    uint8_t v[sizeof(EMERGENCY)];
    const struct {
        size_t at;
        uint8_t byte;
        int dar;
    } em[] = {
        {9, 0x0D, DLMS_DAR_OTHER_REASON},    /* month 13 */
        {10, 0x1E, DLMS_DAR_OTHER_REASON},   /* Jan 30 but weekday Monday */
        {12, 0xFF, DLMS_DAR_OTHER_REASON},   /* hour not specified */
        {13, 0x3C, DLMS_DAR_OTHER_REASON},   /* minute 60 */
        {6, 0x0B, DLMS_DAR_TYPE_UNMATCHED},  /* octet-string of 11 */
        {2, 0x11, DLMS_DAR_TYPE_UNMATCHED},  /* id as unsigned */
        {19, 0x12, DLMS_DAR_TYPE_UNMATCHED}, /* duration as long-unsigned */
    };
    for (size_t i = 0; i < sizeof(em) / sizeof(em[0]); i++) {
        memcpy(v, EMERGENCY, sizeof(v));
        v[em[i].at] = em[i].byte;
        assert_int_equal(set(8, v, sizeof(v)), em[i].dar);
        assert_memory_equal(&before, &F.app.limiter, sizeof(before));
    }
    /* The same shapes are accepted when right. */
    assert_int_equal(set(9, BYTES(0x01, 0x08, 0x12, 0, 1, 0x12, 0, 2, 0x12, 0, 3, 0x12, 0, 4, 0x12,
                                  0, 5, 0x12, 0, 6, 0x12, 0, 7, 0x12, 0, 8)),
                     0);
    assert_int_equal(F.app.limiter.group_count, 8);
    /* "no action" for both */
    assert_int_equal(
        set(11, BYTES(0x02, 0x02, 0x02, 0x02, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x12, 0x00, 0x00, 0x02,
                      0x02, 0x09, 0x06, 0, 0, 10, 0, 106, 255, 0x12, 0x00, 0x00)),
        0);
}

/* The threshold type follows a float monitored value; NaN is refused. */
static void test_float_monitored(void **state) {
    (void)state;
    static const uint8_t freq[] = {0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x06, 0x00,
                                   0x00, 0x60, 0x80, 0x00, 0xFF, 0x0F, 0x02};
    assert_int_equal(set(2, freq, sizeof(freq)), 0);
    assert_int_equal(set(4, BYTES(0x05, 0x00, 0x00, 0x00, 0x33)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set(4, BYTES(0x17, 0x7F, 0xC0, 0x00, 0x00)), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set(4, BYTES(0x17, 0x42, 0x4A, 0x00, 0x00)), 0); /* 50.5 */
    expect_get(4, BYTES(0x17, 0x42, 0x4A, 0x00, 0x00));
    set_seconds(6, 2);
    F.app.freq = 50.4f;
    assert_int_equal(tick(T0), 0);
    assert_int_equal(tick(T0 + 2), 0);
    F.app.freq = 50.6f;
    assert_int_equal(tick(T0 + 3), 0);
    assert_int_equal(tick(T0 + 5), COSEM_LIMITER_RAN_OVER);
    /* A long-unsigned current: long-unsigned thresholds. */
    static const uint8_t cur[] = {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x06, 0x01,
                                  0x00, 0x1F, 0x07, 0x00, 0xFF, 0x0F, 0x02};
    assert_int_equal(set(2, cur, sizeof(cur)), 0);
    assert_int_equal(set(5, BYTES(0x17, 0x42, 0x4A, 0x00, 0x00)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set(5, BYTES(0x12, 0x0F, 0xA0)), 0);
    expect_get(5, BYTES(0x12, 0x0F, 0xA0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_one_second_steps, setup),
        cmocka_unit_test_setup(test_sixty_second_steps, setup),
        cmocka_unit_test_setup(test_clock_set_back, setup),
        cmocka_unit_test_setup(test_emergency_profile, setup),
        cmocka_unit_test_setup(test_failing_script_and_value, setup),
        cmocka_unit_test_setup(test_unconfigured, setup),
        cmocka_unit_test_setup(test_get_defaults, setup),
        cmocka_unit_test_setup(test_get_configured, setup),
        cmocka_unit_test_setup(test_set_checks, setup),
        cmocka_unit_test_setup(test_float_monitored, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
