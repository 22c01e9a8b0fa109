/*
 * test_tamper.c - tamper detection (lib/meter/tamper): timelines of raw
 * inputs against the events logged (codes 40-45 with the instants of the
 * raw edges), the duration threshold (pulses shorter than it are not
 * logged, in either direction), the 70 mT magnetic threshold, inputs
 * during an outage queued and delivered at power-up in order with their
 * original instants, a full queue, event 47, a clock set back, the latched
 * tamper symbol and configuration errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "meter/tamper.h"

typedef struct logged {
    uint8_t code;
    int64_t utc;
} logged_t;

static logged_t ev[64];
static size_t nev;

static void on_event(void *user, uint8_t code, int64_t utc) {
    assert_ptr_equal(user, &nev);
    assert_true(nev < sizeof(ev) / sizeof(ev[0]));
    ev[nev].code = code;
    ev[nev].utc = utc;
    nev++;
}

static tamper_t T;

static void init(uint32_t th_terminal, uint32_t th_meter, uint32_t th_magnet) {
    tamper_cfg_t cfg;
    tamper_cfg_default(&cfg);
    cfg.threshold_s[TAMPER_TERMINAL_COVER] = th_terminal;
    cfg.threshold_s[TAMPER_METER_COVER] = th_meter;
    cfg.threshold_s[TAMPER_MAGNET] = th_magnet;
    tamper_ops_t ops = {on_event, &nev};
    assert_int_equal(tamper_init(&T, &cfg, &ops), 0);
    nev = 0;
}

enum act { IN_TERMINAL, IN_METER, MAGNET, TICK, DOWN, UP, CONFIG };

typedef struct step {
    int64_t utc;
    uint8_t act;
    int arg;         /* input: 0/1; MAGNET: mT; UP: events delivered */
    size_t n_events; /* events delivered so far, after the step */
} step_t;

static void run(const step_t *steps, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const step_t *s = &steps[i];
        int rc = 0;
        switch (s->act) {
        case IN_TERMINAL:
            rc = tamper_input(&T, TAMPER_TERMINAL_COVER, s->arg != 0, s->utc);
            break;
        case IN_METER:
            rc = tamper_input(&T, TAMPER_METER_COVER, s->arg != 0, s->utc);
            break;
        case MAGNET:
            rc = tamper_magnet_field(&T, (uint16_t)s->arg, s->utc);
            break;
        case TICK:
            rc = tamper_tick(&T, s->utc);
            break;
        case DOWN:
            rc = tamper_power_down(&T, s->utc);
            break;
        case UP:
            rc = tamper_power_up(&T, s->utc);
            assert_int_equal(rc, s->arg);
            rc = 0;
            break;
        case CONFIG:
            rc = tamper_config_change(&T, s->utc);
            break;
        }
        assert_int_equal(rc, 0);
        if (nev != s->n_events)
            fail_msg("step %zu (utc %lld): %zu events, expected %zu", i, (long long)s->utc, nev,
                     s->n_events);
    }
}

static void expect_events(const logged_t *want, size_t n) {
    assert_int_equal(nev, n);
    for (size_t i = 0; i < n; i++)
        if (ev[i].code != want[i].code || ev[i].utc != want[i].utc)
            fail_msg("event %zu: %u at %lld, expected %u at %lld", i, ev[i].code,
                     (long long)ev[i].utc, want[i].code, (long long)want[i].utc);
}

/* seed 000 §3.3.6: logged once the tamper lasted the threshold, stamped
 * with the raw edge; shorter pulses (both ways) are not logged. */
static void test_debounce(void **state) {
    (void)state;
    init(5, 2, 0);
    static const step_t steps[] = {
        {100, IN_TERMINAL, 1, 0}, {103, TICK, 0, 0},        {104, IN_TERMINAL, 0, 0}, /* 4 s */
        {109, TICK, 0, 0},        {110, IN_TERMINAL, 1, 0}, {114, TICK, 0, 0},
        {115, TICK, 0, 1},                                  /* 40 */
        {120, IN_TERMINAL, 0, 1}, {122, IN_TERMINAL, 1, 1}, /* closed 2 s only */
        {129, TICK, 0, 1},        {130, IN_TERMINAL, 0, 1}, {134, TICK, 0, 1},
        {135, TICK, 0, 2},                              /* 41 */
        {200, MAGNET, 69, 2},     {201, MAGNET, 70, 3}, /* threshold 0: at once */
        {202, MAGNET, 500, 3},    {205, MAGNET, 10, 4},     {300, IN_METER, 1, 4},
        {301, TICK, 0, 4},        {302, TICK, 0, 5},        {310, IN_METER, 0, 5},
        {311, IN_METER, 0, 5}, /* same state again */
        {312, TICK, 0, 6},        {400, CONFIG, 0, 7},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
    static const logged_t want[] = {{40, 110}, {41, 130}, {42, 201}, {43, 205},
                                    {44, 300}, {45, 310}, {47, 400}};
    expect_events(want, sizeof(want) / sizeof(want[0]));
    assert_false(tamper_active(&T, TAMPER_TERMINAL_COVER));
    assert_false(tamper_raw(&T, TAMPER_MAGNET));
}

/* The debounced and raw states, and the symbol latched once a tamper was
 * logged (seed 004: "either temporarily or permanently"). */
static void test_state_and_symbol(void **state) {
    (void)state;
    init(5, 5, 5);
    assert_false(tamper_symbol(&T));
    tamper_input(&T, TAMPER_TERMINAL_COVER, true, 10);
    assert_true(tamper_raw(&T, TAMPER_TERMINAL_COVER));
    assert_false(tamper_active(&T, TAMPER_TERMINAL_COVER));
    assert_false(tamper_symbol(&T)); /* not logged yet */
    tamper_tick(&T, 15);
    assert_true(tamper_active(&T, TAMPER_TERMINAL_COVER));
    assert_true(tamper_symbol(&T));
    tamper_clear_symbol(&T); /* still open: stays */
    assert_true(tamper_symbol(&T));
    tamper_input(&T, TAMPER_TERMINAL_COVER, false, 20);
    tamper_tick(&T, 25);
    assert_false(tamper_active(&T, TAMPER_TERMINAL_COVER));
    assert_true(tamper_symbol(&T)); /* latched */
    tamper_clear_symbol(&T);
    assert_false(tamper_symbol(&T));
    /* out of range sources */
    assert_false(tamper_active(&T, TAMPER_SOURCE_COUNT));
    assert_false(tamper_raw(&T, TAMPER_SOURCE_COUNT));
    assert_int_equal(tamper_input(&T, TAMPER_SOURCE_COUNT, true, 30), TAMPER_ERR_BADARG);
}

/* seed 000 §3.3.6: detection during an outage, with its instants, logged
 * at power-up. */
static void test_outage_queue(void **state) {
    (void)state;
    init(5, 5, 5);
    static const step_t steps[] = {
        {990, IN_METER, 1, 0},
        {1000, DOWN, 0, 1},        /* confirmed while going down: logged at once */
        {1010, IN_TERMINAL, 1, 1}, /* wakes the sleeping meter, stamped by the RTC */
        {1100, IN_TERMINAL, 0, 1}, /* confirms the opening (queued) */
        {1200, MAGNET, 80, 1},     /* confirms the closing (queued) */
        {1201, CONFIG, 0, 1},      /* queued too */
        {1300, UP, 4, 5},          /* magnet confirmed at power-up, then the queue */
        {1400, MAGNET, 0, 5},
        {1405, TICK, 0, 6},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
    /* in the order they were confirmed, with the instants of the raw edges */
    static const logged_t want[] = {{44, 990},  {40, 1010}, {41, 1100},
                                    {47, 1201}, {42, 1200}, {43, 1400}};
    expect_events(want, sizeof(want) / sizeof(want[0]));
}

/* A full queue keeps the first events and counts the others. */
static void test_queue_full(void **state) {
    (void)state;
    init(0, 0, 0);
    tamper_power_down(&T, 0);
    for (int i = 0; i < 10; i++)
        tamper_input(&T, TAMPER_TERMINAL_COVER, (i % 2) == 0, 10 + i);
    assert_int_equal(nev, 0);
    assert_int_equal(tamper_lost(&T), 10 - EM_TAMPER_QUEUE);
    assert_int_equal(tamper_power_up(&T, 100), EM_TAMPER_QUEUE);
    assert_int_equal(nev, EM_TAMPER_QUEUE);
    for (size_t i = 0; i < EM_TAMPER_QUEUE; i++) {
        assert_int_equal(ev[i].code, (i % 2) == 0 ? 40 : 41);
        assert_int_equal(ev[i].utc, 10 + (int64_t)i);
    }
    /* up again: events go straight out */
    tamper_config_change(&T, 101);
    assert_int_equal(nev, EM_TAMPER_QUEUE + 1);
    assert_int_equal(tamper_power_up(&T, 102), 0);
}

/* A clock set back counts as no time elapsed. */
static void test_clock_back(void **state) {
    (void)state;
    init(5, 5, 5);
    tamper_input(&T, TAMPER_TERMINAL_COVER, true, 500);
    tamper_tick(&T, 490);
    tamper_tick(&T, 504);
    assert_int_equal(nev, 0);
    tamper_tick(&T, 505);
    assert_int_equal(nev, 1);
    assert_int_equal(ev[0].utc, 500);
    /* instants at the ends of the range */
    tamper_input(&T, TAMPER_METER_COVER, true, INT64_MIN);
    tamper_tick(&T, INT64_MAX);
    assert_int_equal(nev, 2);
    assert_int_equal(ev[1].code, 44);
    assert_int_equal(ev[1].utc, INT64_MIN);
}

static void test_config_errors(void **state) {
    (void)state;
    tamper_cfg_t cfg;
    tamper_cfg_default(&cfg);
    assert_int_equal(cfg.magnet_mt, 70);
    tamper_ops_t ops = {on_event, &nev}, none = {NULL, NULL};
    assert_int_equal(tamper_init(&T, &cfg, &none), TAMPER_ERR_BADARG);
    assert_int_equal(tamper_init(NULL, &cfg, &ops), TAMPER_ERR_BADARG);
    cfg.threshold_s[TAMPER_MAGNET] = 86401;
    assert_int_equal(tamper_init(&T, &cfg, &ops), TAMPER_ERR_CONFIG);
    tamper_cfg_default(&cfg);
    cfg.magnet_mt = 0;
    assert_int_equal(tamper_init(&T, &cfg, &ops), TAMPER_ERR_CONFIG);
    assert_int_equal(tamper_tick(NULL, 0), TAMPER_ERR_BADARG);
    assert_int_equal(tamper_power_up(NULL, 0), TAMPER_ERR_BADARG);
    assert_string_equal(tamper_strerror(TAMPER_ERR_CONFIG), "tamper: configuration invalid");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debounce),     cmocka_unit_test(test_state_and_symbol),
        cmocka_unit_test(test_outage_queue), cmocka_unit_test(test_queue_full),
        cmocka_unit_test(test_clock_back),   cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
