/*
 * test_lockout.c - failed login counting and association lockout
 * (lib/meter/lockout): timelines of failures and successes against the
 * lock state, the sliding window, the lock length, event 46 once per lock
 * or per failure, attempts during the lock not counted, a success
 * resetting the count, the restore after a restart, a clock set back, and
 * configuration errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "meter/lockout.h"

static int64_t ev_utc[32];
static uint8_t ev_code[32];
static size_t nev;

static void on_event(void *user, uint8_t code, int64_t utc) {
    (void)user;
    assert_true(nev < 32);
    ev_code[nev] = code;
    ev_utc[nev] = utc;
    nev++;
}

static lockout_t L;

static void init(uint8_t n, uint32_t window, uint32_t lock, bool each) {
    lockout_cfg_t cfg = {n, window, lock, each};
    lockout_ops_t ops = {on_event, NULL};
    assert_int_equal(lockout_init(&L, &cfg, &ops), 0);
    nev = 0;
}

enum act { FAIL, OK, CHECK };

typedef struct step {
    int64_t utc;
    uint8_t act;
    int rc;             /* FAIL: 1 when it starts a lock */
    bool allowed;       /* lockout_allowed after the step */
    uint32_t remaining; /* lockout_remaining after the step */
    size_t events;      /* event 46 written so far */
} step_t;

static void run(const step_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int rc = 0;
        if (s[i].act == FAIL)
            rc = lockout_failure(&L, s[i].utc);
        else if (s[i].act == OK)
            rc = lockout_success(&L, s[i].utc);
        if (rc != s[i].rc)
            fail_msg("step %zu (utc %lld): rc %d, expected %d", i, (long long)s[i].utc, rc,
                     s[i].rc);
        bool allowed = lockout_allowed(&L, s[i].utc);
        uint32_t rem = lockout_remaining(&L, s[i].utc);
        if (allowed != s[i].allowed || rem != s[i].remaining || nev != s[i].events)
            fail_msg("step %zu (utc %lld): allowed %d remaining %u events %zu, expected %d %u %zu",
                     i, (long long)s[i].utc, allowed, rem, nev, s[i].allowed, s[i].remaining,
                     s[i].events);
    }
    for (size_t i = 0; i < nev; i++)
        assert_int_equal(ev_code[i], LOCKOUT_EV_FAILED_LOGIN);
}

/* 3 failures within 600 s lock for 900 s; one event per lock. */
static void test_window_and_lock(void **state) {
    (void)state;
    init(3, 600, 900, false);
    static const step_t steps[] = {
        {1000, FAIL, 0, true, 0, 0},
        {1200, FAIL, 0, true, 0, 0},
        {1700, FAIL, 0, true, 0, 0}, /* the first is 700 s old: 2 in the window */
        {1701, FAIL, 1, false, 900, 1},
        {1702, FAIL, 0, false, 899, 1}, /* refused attempt: not counted, no extension */
        {2000, CHECK, 0, false, 601, 1},
        {2600, CHECK, 0, false, 1, 1},
        {2601, CHECK, 0, true, 0, 1}, /* 1701 + 900 */
        {2601, FAIL, 0, true, 0, 1},  /* counting starts again from zero */
        {2602, FAIL, 0, true, 0, 1},
        {2603, OK, 0, true, 0, 1}, /* a success forgets them */
        {2604, FAIL, 0, true, 0, 1},
        {2605, FAIL, 0, true, 0, 1},
        {2606, FAIL, 1, false, 900, 2},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
    assert_int_equal(ev_utc[0], 1701);
    assert_int_equal(ev_utc[1], 2606);
    assert_int_equal(L.locks, 2);
}

/* Every failure logged; a single failure may lock (max 1). */
static void test_each_failure_logged(void **state) {
    (void)state;
    init(2, 60, 30, true);
    static const step_t steps[] = {
        {10, FAIL, 0, true, 0, 1},
        {69, FAIL, 1, false, 30, 2},
        {70, FAIL, 0, false, 29, 2}, /* refused: not logged */
        {99, CHECK, 0, true, 0, 2},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
    init(1, 60, 30, false);
    static const step_t one[] = {
        {10, FAIL, 1, false, 30, 1},
        {40, CHECK, 0, true, 0, 1},
    };
    run(one, sizeof(one) / sizeof(one[0]));
}

/* More failures than the ring holds, spaced so only the last N count. */
static void test_ring(void **state) {
    (void)state;
    init(EM_LOCKOUT_MAX_FAILURES, 100, 50, false);
    int64_t t = 0;
    for (unsigned i = 0; i < 3 * EM_LOCKOUT_MAX_FAILURES; i++) {
        t += 10; /* 10 failures per window: never N = 16 */
        assert_int_equal(lockout_failure(&L, t), 0);
        assert_true(lockout_failures(&L, t) <= 10);
    }
    assert_true(lockout_allowed(&L, t));
    /* 10 in the window: the 6th more at the same instant makes 16 */
    for (unsigned i = 1; i <= 6; i++)
        assert_int_equal(lockout_failure(&L, t), i == 6 ? 1 : 0);
    assert_false(lockout_allowed(&L, t));
    assert_int_equal(L.locks, 1);
}

/* A restart keeps the lock; a clock set back does not lengthen it. */
static void test_restore_and_clock(void **state) {
    (void)state;
    init(1, 60, 300, false);
    assert_int_equal(lockout_failure(&L, 1000), 1);
    int64_t until = lockout_until(&L);
    assert_int_equal(until, 1300);
    init(1, 60, 300, false); /* the restart */
    assert_true(lockout_allowed(&L, 1100));
    assert_int_equal(lockout_until(&L), 0);
    assert_int_equal(lockout_restore(&L, until, 1100), 0);
    assert_false(lockout_allowed(&L, 1100));
    assert_int_equal(lockout_remaining(&L, 1100), 200);
    /* clock set back by an hour: still at most 300 s from now */
    assert_int_equal(lockout_remaining(&L, 1100 - 3600), 300);
    assert_true(lockout_allowed(&L, 1100 - 3600 + 300));
    /* an expired stored lock is none; a stored end far ahead is capped */
    assert_int_equal(lockout_restore(&L, 900, 1000), 0);
    assert_true(lockout_allowed(&L, 1000));
    assert_int_equal(lockout_restore(&L, 1000000, 1000), 0);
    assert_int_equal(lockout_remaining(&L, 1000), 300);
    /* instants at the ends of the range: saturated, no overflow */
    init(1, 60, 300, false);
    assert_int_equal(lockout_failure(&L, INT64_MAX - 10), 1);
    assert_int_equal(lockout_until(&L), INT64_MAX);
    assert_int_equal(lockout_remaining(&L, INT64_MAX - 10), 10);
    assert_int_equal(lockout_remaining(&L, INT64_MIN), 300);
    init(2, 60, 300, false);
    lockout_failure(&L, INT64_MIN);
    assert_int_equal(lockout_failures(&L, INT64_MAX), 0);
    /* failures stamped in the future count as recent */
    init(2, 60, 300, false);
    lockout_failure(&L, 5000);
    assert_int_equal(lockout_failures(&L, 4000), 1);
    assert_int_equal(lockout_failure(&L, 4000), 1);
}

static void test_config_errors(void **state) {
    (void)state;
    lockout_cfg_t cfg;
    lockout_cfg_default(&cfg);
    assert_int_equal(cfg.max_failures, 3);
    lockout_ops_t ops = {on_event, NULL}, none = {NULL, NULL};
    assert_int_equal(lockout_init(&L, &cfg, &ops), 0);
    assert_int_equal(lockout_init(&L, &cfg, &none), LOCKOUT_ERR_BADARG);
    lockout_cfg_t bad = cfg;
    bad.max_failures = 0;
    assert_int_equal(lockout_init(&L, &bad, &ops), LOCKOUT_ERR_CONFIG);
    bad.max_failures = EM_LOCKOUT_MAX_FAILURES + 1;
    assert_int_equal(lockout_init(&L, &bad, &ops), LOCKOUT_ERR_CONFIG);
    bad = cfg;
    bad.window_s = 0;
    assert_int_equal(lockout_init(&L, &bad, &ops), LOCKOUT_ERR_CONFIG);
    bad = cfg;
    bad.lockout_s = 7u * 86400u + 1u;
    assert_int_equal(lockout_init(&L, &bad, &ops), LOCKOUT_ERR_CONFIG);
    assert_int_equal(lockout_failure(NULL, 0), LOCKOUT_ERR_BADARG);
    assert_false(lockout_allowed(NULL, 0));
    assert_string_equal(lockout_strerror(LOCKOUT_ERR_CONFIG), "lockout: configuration invalid");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_and_lock),
        cmocka_unit_test(test_each_failure_logged),
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_restore_and_clock),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
