/*
 * test_diagnostics.c - self-diagnostics (lib/meter/diagnostics): each
 * check raising its error register bit and event once (storage CRC 14,
 * program image digest 12, RAM 13, watchdog 15, RTC abnormal reset 6,
 * measurement plausibility 16) and clearing when the condition is gone,
 * the schedule of the periodic checks, the reference digest taken at init
 * or given, the measurement checks one by one on metrology records, their
 * persistence, and configuration errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "meter/diagnostics.h"

typedef struct fake {
    int storage_rc, digest_rc, ram_rc;
    uint8_t image[EM_DIAG_DIGEST_LEN];
    unsigned storage_calls, digest_calls, ram_calls;
    uint8_t codes[64];
    int64_t utcs[64];
    size_t nev;
} fake_t;

static fake_t F;
static diag_t G;

static int storage_check(void *user) {
    fake_t *f = user;
    f->storage_calls++;
    return f->storage_rc;
}

static int image_digest(void *user, uint8_t digest[EM_DIAG_DIGEST_LEN]) {
    fake_t *f = user;
    f->digest_calls++;
    memcpy(digest, f->image, EM_DIAG_DIGEST_LEN);
    return f->digest_rc;
}

static int ram_check(void *user) {
    fake_t *f = user;
    f->ram_calls++;
    return f->ram_rc;
}

static void on_event(void *user, uint8_t code, int64_t utc) {
    fake_t *f = user;
    assert_true(f->nev < 64);
    f->codes[f->nev] = code;
    f->utcs[f->nev] = utc;
    f->nev++;
}

static const diag_ops_t OPS = {storage_check, image_digest, ram_check, on_event, &F};

static int setup(void **state) {
    (void)state;
    memset(&F, 0, sizeof(F));
    for (unsigned i = 0; i < EM_DIAG_DIGEST_LEN; i++)
        F.image[i] = (uint8_t)(0xA0 + i);
    diag_cfg_t cfg;
    diag_cfg_default(&cfg);
    assert_int_equal(diag_init(&G, &cfg, &OPS, NULL), 0);
    assert_int_equal(F.digest_calls, 1); /* the reference */
    return 0;
}

static void expect_last_event(uint8_t code, int64_t utc) {
    assert_true(F.nev > 0);
    assert_int_equal(F.codes[F.nev - 1], code);
    assert_int_equal(F.utcs[F.nev - 1], utc);
}

/* Storage CRC (event 14, NV memory bit) on its hourly schedule. */
static void test_storage(void **state) {
    (void)state;
    const uint64_t H = 3600u * 1000u;
    assert_int_equal(diag_tick(&G, 1000, 100), 0); /* first tick: every check */
    assert_int_equal(F.storage_calls, 1);
    assert_int_equal(F.ram_calls, 1);
    assert_int_equal(F.digest_calls, 2);
    F.storage_rc = 1;
    assert_int_equal(diag_tick(&G, 1000 + H - 1, 200), 0); /* not due */
    assert_int_equal(F.storage_calls, 1);
    assert_int_equal(diag_tick(&G, 1000 + H, 300), METER_ALARM_NV_MEMORY);
    assert_int_equal(F.nev, 1);
    expect_last_event(DIAG_EV_NV_MEMORY, 300);
    /* still damaged: no second event */
    assert_int_equal(diag_tick(&G, 1000 + 2 * H, 400), METER_ALARM_NV_MEMORY);
    assert_int_equal(F.nev, 1);
    /* repaired: cleared without an event; damaged again: a new event */
    F.storage_rc = 0;
    assert_int_equal(diag_tick(&G, 1000 + 3 * H, 500), 0);
    F.storage_rc = -5; /* could not check: counted as damaged */
    assert_int_equal(diag_check_storage(&G, 600), 1);
    assert_int_equal(F.nev, 2);
    expect_last_event(DIAG_EV_NV_MEMORY, 600);
}

/* Program image digest against the reference (event 12). */
static void test_image(void **state) {
    (void)state;
    assert_int_equal(diag_check_image(&G, 10), 0);
    F.image[7] ^= 0x01; /* the program memory changed */
    assert_int_equal(diag_check_image(&G, 20), 1);
    expect_last_event(DIAG_EV_PROGRAM_MEMORY, 20);
    assert_int_equal(diag_error_register(&G), METER_ALARM_PROGRAM_MEMORY);
    F.image[7] ^= 0x01;
    assert_int_equal(diag_check_image(&G, 30), 0);
    assert_int_equal(diag_error_register(&G), 0);
    F.digest_rc = -1; /* the digest cannot be computed */
    assert_int_equal(diag_check_image(&G, 40), 1);
    assert_int_equal(F.nev, 2);

    /* a reference given (factory digest) instead of taken at init */
    uint8_t factory[EM_DIAG_DIGEST_LEN];
    memset(factory, 0x55, sizeof(factory));
    diag_cfg_t cfg;
    diag_cfg_default(&cfg);
    F.digest_rc = 0;
    unsigned calls = F.digest_calls;
    assert_int_equal(diag_init(&G, &cfg, &OPS, factory), 0);
    assert_int_equal(F.digest_calls, calls);
    assert_int_equal(diag_check_image(&G, 50), 1); /* running image is not the factory's */
    /* the reference cannot be taken */
    F.digest_rc = -1;
    assert_int_equal(diag_init(&G, &cfg, &OPS, NULL), DIAG_ERR_DIGEST);
    /* no image_digest op: no image check */
    diag_ops_t ops = OPS;
    ops.image_digest = NULL;
    assert_int_equal(diag_init(&G, &cfg, &ops, NULL), 0);
    assert_int_equal(diag_check_image(&G, 60), 0);
}

/* RAM: the reference kept with its complement, and the platform's test. */
static void test_ram(void **state) {
    (void)state;
    assert_int_equal(diag_check_ram(&G, 10), 0);
    G.ref[3] ^= 0x10; /* a bit flipped in RAM */
    assert_int_equal(diag_check_ram(&G, 20), 1);
    expect_last_event(DIAG_EV_RAM, 20);
    /* the image check does not trust a damaged reference */
    assert_int_equal(diag_check_image(&G, 21), 0);
    assert_int_equal(F.nev, 1);
    G.ref[3] ^= 0x10;
    assert_int_equal(diag_check_ram(&G, 30), 0);
    assert_int_equal(diag_error_register(&G), 0);
    F.ram_rc = 1; /* the platform march test fails */
    assert_int_equal(diag_check_ram(&G, 40), 1);
    assert_int_equal(F.nev, 2);
    expect_last_event(DIAG_EV_RAM, 40);
}

/* Watchdog resets: an event each, the bit until cleared. */
static void test_watchdog(void **state) {
    (void)state;
    assert_int_equal(diag_watchdog_reset(&G, 100), 0);
    assert_int_equal(diag_watchdog_reset(&G, 200), 0);
    assert_int_equal(F.nev, 2);
    expect_last_event(DIAG_EV_WATCHDOG, 200);
    assert_int_equal(diag_error_register(&G), METER_ALARM_WATCHDOG);
    diag_tick(&G, 0, 300); /* periodic checks do not clear it */
    assert_int_equal(diag_error_register(&G), METER_ALARM_WATCHDOG);
    diag_clear(&G, METER_ALARM_WATCHDOG);
    assert_int_equal(diag_error_register(&G), 0);
}

typedef struct rtc_case {
    int64_t utc, last;
    bool valid;
    int abnormal;
} rtc_case_t;

/* RTC abnormal reset: invalid, backwards across the restart, out of range. */
static void test_rtc(void **state) {
    (void)state;
    static const rtc_case_t cases[] = {
        {1700000000, 1699990000, true, 0},
        {1700000000, 1700000000, true, 0},
        {1700000000, 0, true, 0},           /* nothing saved */
        {1700000000, 1699990000, false, 1}, /* the RTC says invalid */
        {1699000000, 1699990000, true, 1},  /* time went backwards */
        {946684799, 0, true, 1},            /* before 2000-01-01 */
        {946684800, 0, true, 0},
        {4102444800, 0, true, 1}, /* 2100-01-01 */
        {0, 0, true, 1},          /* RTC reset to its epoch */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(NULL);
        int rc = diag_rtc_check(&G, cases[i].utc, cases[i].last, cases[i].valid);
        if (rc != cases[i].abnormal)
            fail_msg("case %zu: %d, expected %d", i, rc, cases[i].abnormal);
        assert_int_equal(F.nev, (size_t)rc);
        assert_int_equal(diag_error_register(&G), rc ? METER_ALARM_CLOCK_INVALID : 0);
        if (rc)
            expect_last_event(DIAG_EV_CLOCK_INVALID, cases[i].utc);
    }
    /* latched until the clock is set */
    diag_rtc_check(&G, 1700000000, 0, true);
    assert_int_equal(diag_error_register(&G), METER_ALARM_CLOCK_INVALID);
    diag_clear(&G, METER_ALARM_CLOCK_INVALID);
    assert_int_equal(diag_error_register(&G), 0);
}

/* ---- measurement plausibility ----------------------------------------------------------- */

/* Three phases at 230 V, 5 A, 1100 W, 1150 VA for one second. */
static void good_record(metrology_measures_t *m) {
    memset(m, 0, sizeof(*m));
    m->interval_ms = 1000;
    m->frequency = 50.0f;
    for (unsigned k = 0; k < 3; k++) {
        m->ph[k].v_rms = 230.0f;
        m->ph[k].i_rms = 5.0f;
        m->ph[k].p = 1100.0f;
        m->ph[k].q = 335.0f;
        m->ph[k].s = 1150.0f;
        m->ph[k].pf = 1100.0f / 1150.0f;
        m->energy.reg[METROLOGY_E_A_PLUS_L1 + k] = 305555;
    }
    m->p = 3300.0f;
    m->s = 3450.0f;
    m->pf = 3300.0f / 3450.0f;
    m->energy.reg[METROLOGY_E_A_PLUS] = 916666; /* 1 µWh of carry apart */
}

typedef struct meas_case {
    const char *name;
    void (*change)(metrology_measures_t *m);
    uint8_t reasons;
} meas_case_t;

static void c_none(metrology_measures_t *m) {
    (void)m;
}
static void c_freq_high(metrology_measures_t *m) {
    m->frequency = 80.0f;
}
static void c_freq_low(metrology_measures_t *m) {
    m->frequency = 39.9f;
}
static void c_freq_invalid(metrology_measures_t *m) {
    m->flags |= METROLOGY_FLAG_FREQ_INVALID;
}
static void c_dead_freq(metrology_measures_t *m) {
    memset(m, 0, sizeof(*m)); /* no voltage: frequency means nothing */
    m->frequency = 0.0f;
    m->flags = METROLOGY_FLAG_FREQ_INVALID;
}
static void c_one_phase(metrology_measures_t *m) {
    m->ph[1].v_rms = m->ph[2].v_rms = 0.0f; /* one phase enough for f */
    m->frequency = 71.0f;
}
static void c_pf_phase(metrology_measures_t *m) {
    m->ph[1].pf = 1.1f;
}
static void c_p_above_s(metrology_measures_t *m) {
    m->ph[2].p = 1300.0f;
}
static void c_pf_total(metrology_measures_t *m) {
    m->pf = -1.5f;
}
static void c_v_nan(metrology_measures_t *m) {
    m->ph[0].v_rms = __builtin_nanf("");
}
static void c_v_negative(metrology_measures_t *m) {
    m->ph[0].v_rms = -1.0f;
}
static void c_v_high(metrology_measures_t *m) {
    m->ph[0].v_rms = 700.0f;
}
static void c_i_inf(metrology_measures_t *m) {
    m->ph[2].i_rms = __builtin_inff();
}
static void c_f_nan(metrology_measures_t *m) {
    m->frequency = __builtin_nanf("");
}
static void c_energy_sum(metrology_measures_t *m) {
    m->energy.reg[METROLOGY_E_A_PLUS] = 2 * 916666;
}
static void c_energy_within(metrology_measures_t *m) {
    m->energy.reg[METROLOGY_E_A_PLUS] += 900; /* 901 µWh apart: within 1000 + 1 % */
}
static void c_energy_negative(metrology_measures_t *m) {
    m->energy.reg[METROLOGY_E_R1] = -1;
}
static void c_mixed_direction(metrology_measures_t *m) {
    /* L1 imports 1000 µWh, L2 exports 400: the net total is 600 import */
    memset(m->energy.reg, 0, sizeof(m->energy.reg));
    m->energy.reg[METROLOGY_E_A_PLUS_L1] = 1000000;
    m->energy.reg[METROLOGY_E_A_MINUS_L2] = 400000;
    m->energy.reg[METROLOGY_E_A_PLUS] = 600000;
}
static void c_mixed_per_element(metrology_measures_t *m) {
    /* not net-summed: totals = sums per direction; nets agree */
    c_mixed_direction(m);
    m->energy.reg[METROLOGY_E_A_PLUS] = 1000000;
    m->energy.reg[METROLOGY_E_A_MINUS] = 400000;
}

static void test_measures_table(void **state) {
    (void)state;
    static const meas_case_t cases[] = {
        {"plausible", c_none, 0},
        {"f 80 Hz", c_freq_high, DIAG_MEAS_FREQUENCY},
        {"f 39.9 Hz", c_freq_low, DIAG_MEAS_FREQUENCY},
        {"f invalid with voltage", c_freq_invalid, DIAG_MEAS_FREQUENCY},
        {"no voltage", c_dead_freq, 0},
        {"one phase, 71 Hz", c_one_phase, DIAG_MEAS_FREQUENCY},
        {"phase |pf| > 1", c_pf_phase, DIAG_MEAS_POWER},
        {"phase P > S", c_p_above_s, DIAG_MEAS_POWER},
        {"total |pf| > 1", c_pf_total, DIAG_MEAS_POWER},
        {"V NaN", c_v_nan, DIAG_MEAS_RANGE},
        {"V < 0", c_v_negative, DIAG_MEAS_RANGE},
        {"V 700", c_v_high, DIAG_MEAS_RANGE},
        {"I infinite", c_i_inf, DIAG_MEAS_RANGE},
        {"f NaN", c_f_nan, DIAG_MEAS_RANGE | DIAG_MEAS_FREQUENCY},
        {"phases != total", c_energy_sum, DIAG_MEAS_ENERGY},
        {"phases ~ total", c_energy_within, 0},
        {"negative delta", c_energy_negative, DIAG_MEAS_ENERGY},
        {"mixed directions, net sum", c_mixed_direction, 0},
        {"mixed directions, per element", c_mixed_per_element, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        metrology_measures_t m;
        good_record(&m);
        cases[i].change(&m);
        int rc = diag_measures(&G, &m, 1000);
        uint8_t got = diag_measurement_reasons(&G);
        if (got != cases[i].reasons || rc != (cases[i].reasons != 0))
            fail_msg("%s: reasons 0x%02x rc %d, expected 0x%02x", cases[i].name, got, rc,
                     cases[i].reasons);
    }
}

/* persist_records bad records raise event 16 once; as many good ones clear. */
static void test_measures_persistence(void **state) {
    (void)state;
    metrology_measures_t good, bad;
    good_record(&good);
    good_record(&bad);
    bad.frequency = 90.0f;
    for (int i = 0; i < 9; i++)
        assert_int_equal(diag_measures(&G, &bad, 100 + i), 1);
    assert_int_equal(diag_error_register(&G), 0);
    assert_int_equal(diag_measures(&G, &good, 109), 0); /* the run is broken */
    for (int i = 0; i < 10; i++)
        diag_measures(&G, &bad, 110 + i);
    assert_int_equal(diag_error_register(&G), METER_ALARM_MEASUREMENT);
    assert_int_equal(F.nev, 1);
    expect_last_event(DIAG_EV_MEASUREMENT, 119);
    for (int i = 0; i < 20; i++)
        diag_measures(&G, &bad, 120 + i);
    assert_int_equal(F.nev, 1);
    /* settling records are skipped, neither good nor bad */
    metrology_measures_t settling = bad;
    settling.flags |= METROLOGY_FLAG_SETTLING;
    assert_int_equal(diag_measures(&G, &settling, 140), 0);
    for (int i = 0; i < 9; i++)
        diag_measures(&G, &good, 150 + i);
    assert_int_equal(diag_error_register(&G), METER_ALARM_MEASUREMENT);
    diag_measures(&G, &good, 159);
    assert_int_equal(diag_error_register(&G), 0);
    assert_int_equal(F.nev, 1);
}

static void test_config_errors(void **state) {
    (void)state;
    diag_cfg_t cfg;
    diag_cfg_default(&cfg);
    diag_ops_t none = {NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(diag_init(&G, &cfg, &none, NULL), DIAG_ERR_BADARG);
    diag_cfg_t bad = cfg;
    bad.storage_period_s = 0;
    assert_int_equal(diag_init(&G, &bad, &OPS, NULL), DIAG_ERR_CONFIG);
    bad = cfg;
    bad.f_max = bad.f_min;
    assert_int_equal(diag_init(&G, &bad, &OPS, NULL), DIAG_ERR_CONFIG);
    bad = cfg;
    bad.pf_tol = __builtin_nanf("");
    assert_int_equal(diag_init(&G, &bad, &OPS, NULL), DIAG_ERR_CONFIG);
    bad = cfg;
    bad.energy_tol_ppm = 1000001;
    assert_int_equal(diag_init(&G, &bad, &OPS, NULL), DIAG_ERR_CONFIG);
    bad = cfg;
    bad.rtc_max_utc = bad.rtc_min_utc;
    assert_int_equal(diag_init(&G, &bad, &OPS, NULL), DIAG_ERR_CONFIG);
    assert_int_equal(diag_tick(NULL, 0, 0), DIAG_ERR_BADARG);
    assert_int_equal(diag_measures(&G, NULL, 0), DIAG_ERR_BADARG);
    assert_string_equal(diag_strerror(DIAG_ERR_DIGEST),
                        "diagnostics: reference image digest could not be computed");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_storage, setup),
        cmocka_unit_test_setup(test_image, setup),
        cmocka_unit_test_setup(test_ram, setup),
        cmocka_unit_test_setup(test_watchdog, setup),
        cmocka_unit_test_setup(test_rtc, setup),
        cmocka_unit_test_setup(test_measures_table, setup),
        cmocka_unit_test_setup(test_measures_persistence, setup),
        cmocka_unit_test_setup(test_config_errors, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
