/*
 * test_metrology_energy.c - energy registers: carried remainders, a year
 * at constant load within 1 ppm, step-length equivalence, LED pulses, the
 * no-load guard (TC-14) and the starting current (TC-15).
 *
 * Long durations go through the phasor source (a year is 8760 one-hour
 * steps); the cases that need real samples (noise, DC, crosstalk) run the
 * dsp source for minutes instead of the hour of §5. The guard decides per
 * integration step on stationary input, so a minute of dsp exercises the
 * same decisions an hour would, 3000 times over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "meter/metrology/energy.h"
#include "port_posix.h"
#include "test_metrology_stim.h"

static metrology_dsp_t dsp;
static collect_t col;
static metrology_t met;
static stim_t stim;

static void start(bool net_sum) {
    metrology_cfg_t cfg;
    metrology_cfg_default(&cfg);
    cfg.net_sum = net_sum;
    collect_cfg(&cfg, &col);
    assert_int_equal(metrology_init(&met, &cfg), 0);
    assert_int_equal(metrology_dsp_attach(&met, &dsp), 0);
}

static void phasor_load(double u, double i, double phi) {
    stim_init(&stim, 8000, u, i, phi);
    assert_int_equal(metrology_phasor_set(&met, &stim.ph), 0);
}

static double wh(int reg) {
    return (double)col.energy[reg] * 1e-6;
}

/* The remainder is carried: 3600 steps of 1 J each make exactly 1 Wh,
 * although 1 J is 277.78 µWh. */
static void test_carry(void **state) {
    metrology_energy_t e;
    metrology_energy_cfg_t c = {0.01f, 2.3f, 1800000000000LL, 1800000000000LL, true};
    metrology_energy_delta_t d;
    metrology_energy_step_t st;
    uint32_t pulses[2] = {0, 0};
    (void)state;
    memset(&d, 0, sizeof(d));
    memset(&st, 0, sizeof(st));
    metrology_energy_init(&e, &c);
    st.dt_s = 1.0;
    st.mask = 1;
    st.p[0] = 3.0; /* 3 W for 1 s: 3 J, over the 2.3 W guard */
    st.i_rms[0] = 0.013f;
    for (int k = 0; k < 1200; k++) {
        metrology_energy_integrate(&e, &st, &d, pulses);
    }
    assert_int_equal(d.reg[METROLOGY_E_A_PLUS], 1000000); /* 3600 J = 1 Wh */
    assert_int_equal(e.rem_nj[METROLOGY_E_A_PLUS], 0);
    assert_int_equal(d.reg[METROLOGY_E_A_PLUS_L1], 1000000);
    assert_int_equal(pulses[0], 2); /* 0.5 Wh each */
    assert_int_equal(metrology_quadrant(0.0, 0.0), METROLOGY_QUADRANT_1);
    assert_int_equal(metrology_quadrant(-1.0, 0.0), METROLOGY_QUADRANT_2);
    assert_int_equal(metrology_quadrant(-1.0, -1.0), METROLOGY_QUADRANT_3);
    assert_int_equal(metrology_quadrant(1.0, -1.0), METROLOGY_QUADRANT_4);
}

/* A year at constant load through the phasor source, in 1 h steps (the
 * same carried-remainder arithmetic as 1 s steps, see energy.h): within
 * 1 ppm of P t in each quadrant. */
static void test_year_within_1ppm(void **state) {
    static const double phi[4] = {30.0, 150.0, 210.0, 330.0};
    static const int areg[4] = {METROLOGY_E_A_PLUS, METROLOGY_E_A_MINUS, METROLOGY_E_A_MINUS,
                                METROLOGY_E_A_PLUS};
    static const int rreg[4] = {METROLOGY_E_R1, METROLOGY_E_R2, METROLOGY_E_R3, METROLOGY_E_R4};
    const double hours = 8760.0;
    (void)state;
    for (int q = 0; q < 4; q++) {
        double c = cos(phi[q] * STIM_PI / 180.0), s = sin(phi[q] * STIM_PI / 180.0);
        double a_want = fabs(3.0 * 230.0 * 5.0 * c) * hours * 1e6; /* µWh */
        double r_want = fabs(3.0 * 230.0 * 5.0 * s) * hours * 1e6;
        start(true);
        phasor_load(230.0, 5.0, phi[q]);
        for (int h = 0; h < (int)hours; h++) {
            assert_int_equal(metrology_phasor_step(&met, 3600000u), 0);
        }
        assert_true(fabs((double)col.energy[areg[q]] - a_want) <= 1e-6 * a_want);
        assert_true(fabs((double)col.energy[rreg[q]] - r_want) <= 1e-6 * r_want);
        assert_true(fabs((double)col.energy[METROLOGY_E_S_PLUS + (q == 1 || q == 2)] -
                         3450.0 * hours * 1e6) <= 1e-6 * 3450.0 * hours * 1e6);
        assert_int_equal(col.nrec, 8760);
        assert_int_equal(col.last.interval_ms, 3600000u);
        assert_int_equal(col.last.t_ms, 8760ull * 3600000ull);
    }
    /* LED: 3450 W for a year at 2000 imp/kWh (TC-01 point, PF 1). */
    start(true);
    phasor_load(230.0, 5.0, 0.0);
    for (int h = 0; h < 8760; h++) {
        metrology_phasor_step(&met, 3600000u);
    }
    assert_int_equal(col.pulses[0], (uint64_t)(3.450 * 8760.0 * 2000.0));
    assert_int_equal(col.energy[METROLOGY_E_A_PLUS], 30222000000000LL); /* exact */
}

/* One 1-hour step registers what 3600 one-second steps do. */
static void test_step_equivalence(void **state) {
    int64_t big[METROLOGY_E_COUNT], small[METROLOGY_E_COUNT];
    (void)state;
    start(true);
    phasor_load(231.7, 4.321, 37.3);
    metrology_phasor_step(&met, 3600000u);
    memcpy(big, col.energy, sizeof(big));
    start(true);
    phasor_load(231.7, 4.321, 37.3);
    for (int k = 0; k < 3600; k++) {
        metrology_phasor_step(&met, 1000u);
    }
    memcpy(small, col.energy, sizeof(small));
    for (int r = 0; r < METROLOGY_E_COUNT; r++) {
        /* each step rounds to 0.5 nJ: at most 1.8 µJ apart over 3600 */
        assert_true(llabs(big[r] - small[r]) <= 1);
    }
    assert_true(big[METROLOGY_E_A_PLUS] > 0 && big[METROLOGY_E_R1] > 0);
    /* A 24 h step is integrated in 1 h slices, 24 half-cycle notices. */
    start(true);
    phasor_load(230.0, 100.0, 0.0);
    assert_int_equal(metrology_phasor_step(&met, 86400000u), 0);
    assert_int_equal(col.half_cycles, 24);
    assert_int_equal(col.energy[METROLOGY_E_A_PLUS], 69000LL * 24LL * 1000000LL);
    assert_int_equal(metrology_phasor_step(&met, 86400001u), METROLOGY_ERR_RANGE);
    assert_int_equal(metrology_phasor_step(&met, 0u), METROLOGY_ERR_RANGE);
}

static void assert_no_registration(const char *what) {
    for (int r = 0; r < METROLOGY_E_COUNT; r++) {
        if (col.energy[r] != 0) {
            print_error("%s: register %d = %lld\n", what, r, (long long)col.energy[r]);
            fail();
        }
    }
    assert_int_equal(col.pulses[0] + col.pulses[1], 0);
}

static void assert_quadrant_none(unsigned from) {
    for (unsigned r = from; r < col.nrec && r < COLLECT_MAX_REC; r++) {
        assert_int_equal(col.rec[r].quadrant, METROLOGY_QUADRANT_NONE);
        assert_true(col.rec[r].flags & METROLOGY_FLAG_NO_LOAD);
        for (int k = 0; k < 3; k++) {
            assert_int_equal(col.rec[r].ph[k].quadrant, METROLOGY_QUADRANT_NONE);
        }
    }
}

/* TC-14 no load at 115 % Un: (a) no current, (b) 1 mA DC + 3 mA noise,
 * (c) 3 mA in phase, (d) 9 mA PF 1 just under the 10 mA guard. */
static void test_tc14_no_load(void **state) {
    static const double amps[3] = {0.0, 0.003, 0.009};
    (void)state;
    /* The hour of §5 through the phasor source for a, c, d. */
    for (int j = 0; j < 3; j++) {
        start(true);
        phasor_load(264.5, amps[j], 0.0);
        for (int s = 0; s < 3600; s++) {
            metrology_phasor_step(&met, 1000u);
        }
        assert_no_registration("phasor no load");
        assert_quadrant_none(0);
    }
    /* Real samples for a, c, d (1 min each) and b (3 min). */
    for (int j = 0; j < 4; j++) {
        start(true);
        stim_init(&stim, 8000, 264.5, j < 3 ? amps[j] : 0.0, 0.0);
        if (j == 3) {
            for (int k = 0; k < 3; k++) {
                stim.i_dc[k] = 0.001;
                stim.i_noise[k] = 0.003;
            }
        }
        stim_run(&met, &stim, j < 3 ? 60.0 : 180.0);
        assert_no_registration("dsp no load");
        assert_quadrant_none(3);
    }
}

/* TC-15 starting current 20 mA (0.4 % Ib), import and export; 11 mA
 * registers and 9 mA does not. */
static void test_tc15_starting(void **state) {
    static const double phi[2] = {0.0, 180.0};
    static const int reg[2] = {METROLOGY_E_A_PLUS, METROLOGY_E_A_MINUS};
    (void)state;
    for (int j = 0; j < 2; j++) {
        /* One hour (phasor): 13.80 Wh. */
        start(true);
        phasor_load(230.0, 0.020, phi[j]);
        for (int s = 0; s < 3600; s++) {
            metrology_phasor_step(&met, 1000u);
        }
        assert_true(fabs(wh(reg[j]) - 13.80) <= 0.02 * 13.80);
        assert_int_equal(col.pulses[0], 27); /* 13.8 Wh / 0.5 Wh */
        /* Real samples: first pulse within 1.5 x 130.4 s, then it goes on. */
        start(true);
        stim_init(&stim, 8000, 230.0, 0.020, phi[j]);
        stim_run(&met, &stim, 200.0);
        assert_true(col.pulses[0] >= 1);
        assert_true(col.first_pulse_us[0] <= 196000000u);
        assert_true(fabs(wh(reg[j]) - 13.8 * 200.0 / 3600.0) <= 0.02 * 13.8 * 200.0 / 3600.0);
        assert_int_equal(col.energy[reg[1 - j]], 0);
    }
    start(true);
    stim_init(&stim, 8000, 230.0, 0.011, 0.0);
    stim_run(&met, &stim, 60.0);
    assert_true(fabs(wh(METROLOGY_E_A_PLUS) - 3.0 * 230.0 * 0.011 * 60.0 / 3600.0) <=
                0.02 * 3.0 * 230.0 * 0.011 * 60.0 / 3600.0);
    start(true);
    stim_init(&stim, 8000, 230.0, 0.009, 0.0);
    stim_run(&met, &stim, 60.0);
    assert_no_registration("9 mA");
}

/* Reactive LED at 2000 imp/kvarh and per-phase mode in the phasor path. */
static void test_pulses_and_modes(void **state) {
    (void)state;
    start(true);
    phasor_load(230.0, 10.0, 90.0); /* 6900 var for 1 h: 13800 pulses */
    metrology_phasor_step(&met, 3600000u);
    assert_int_equal(col.pulses[1], 13800);
    assert_int_equal(col.pulses[0], 0);
    assert_int_equal(col.energy[METROLOGY_E_R1], 6900LL * 1000000LL);

    /* Per-phase mode: L1 exports, L2 and L3 import (TC-04 mixed case). */
    start(false);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    stim.ph.ph[0].phi_deg = 180.0;
    metrology_phasor_set(&met, &stim.ph);
    metrology_phasor_step(&met, 60000u);
    assert_int_equal(col.energy[METROLOGY_E_A_PLUS], 38333333);
    assert_int_equal(col.energy[METROLOGY_E_A_MINUS], 19166666);
    assert_int_equal(col.energy[METROLOGY_E_A_MINUS_L1], 19166666);
}

/* LED pulses leave through the port: 3450 W (3 x 230 V x 5 A, PF 1) for
 * 10 h at 2000 imp/kWh is 69000 active pulses, and 1.5 kvar of inductive
 * load for the same time 30000 reactive ones, counted by the POSIX LED. */
static void test_led_pulses_through_port(void **state) {
    (void)state;
    em_port_t port;
    em_port_posix_t pst;
    assert_int_equal(em_port_posix_init(&port, &pst, NULL, NULL), 0);
    metrology_cfg_t cfg;
    metrology_cfg_default(&cfg);
    collect_cfg(&cfg, &col);
    cfg.port = &port;
    assert_int_equal(metrology_init(&met, &cfg), 0);
    phasor_load(230.0, 5.0, 0.0);
    for (int h = 0; h < 10; h++) {
        assert_int_equal(metrology_phasor_step(&met, 3600000u), 0);
    }
    assert_int_equal(pst.led_pulses[0], 69000u);
    assert_int_equal(pst.led_pulses[1], 0u);
    /* The callback and the port see the same pulses. */
    assert_int_equal(col.pulses[0], pst.led_pulses[0]);
    /* Q = 3 x 230 x 5 x sin(phi) = 1500 var: phi = asin(1500 / 3450). */
    phasor_load(230.0, 5.0, asin(1500.0 / 3450.0) * 180.0 / STIM_PI);
    uint64_t before = pst.led_pulses[1];
    for (int h = 0; h < 10; h++) {
        assert_int_equal(metrology_phasor_step(&met, 3600000u), 0);
    }
    uint64_t got = pst.led_pulses[1] - before;
    assert_true(got >= 29999u && got <= 30001u);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_carry),
        cmocka_unit_test(test_year_within_1ppm),
        cmocka_unit_test(test_step_equivalence),
        cmocka_unit_test(test_tc14_no_load),
        cmocka_unit_test(test_tc15_starting),
        cmocka_unit_test(test_pulses_and_modes),
        cmocka_unit_test(test_led_pulses_through_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
