/*
 * test_metrology_phasor.c - the phasor source gives the record the dsp
 * source measures on the same stimulus, within the engine tolerances of
 * metrology-facts §5, over the test cases that differ in kind: reference,
 * quadrants, harmonics, off-nominal frequency, outage, reversed sequence,
 * unbalance, neutral shift, 1P2W and 3P3W. Also: input validation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_metrology_stim.h"

static metrology_dsp_t dsp;
static collect_t col_d, col_p;
static metrology_t met_d, met_p;
static stim_t stim;

static void start(metrology_t *m, collect_t *c, uint8_t conn) {
    metrology_cfg_t cfg;
    metrology_cfg_default(&cfg);
    cfg.connection = conn;
    collect_cfg(&cfg, c);
    assert_int_equal(metrology_init(m, &cfg), 0);
}

static void near(double a, double b, double rel, double abs_tol, const char *what, int k) {
    double tol = fabs(b) * rel > abs_tol ? fabs(b) * rel : abs_tol;
    if (!(fabs(a - b) <= tol)) {
        print_error("%s[%d]: dsp %.6f phasor %.6f (tol %.3g)\n", what, k, a, b, tol);
        fail();
    }
}

/* Run both sources on stim and compare the records field by field. */
static void compare(uint8_t conn) {
    const metrology_measures_t *d = &col_d.last, *p = &col_p.last;
    int64_t e_d[METROLOGY_E_COUNT];
    const double secs = 10.0;

    start(&met_d, &col_d, conn);
    assert_int_equal(metrology_dsp_attach(&met_d, &dsp), 0);
    stim_run(&met_d, &stim, 3.0);
    collect_reset_energy(&col_d);
    stim_run(&met_d, &stim, secs);
    memcpy(e_d, col_d.energy, sizeof(e_d));

    start(&met_p, &col_p, conn);
    assert_int_equal(metrology_phasor_set(&met_p, &stim.ph), 0);
    assert_int_equal(metrology_phasor_step(&met_p, (uint32_t)(secs * 1000.0)), 0);

    near(d->frequency, p->frequency, 0.0, 0.005, "f", 0);
    for (int k = 0; k < 3; k++) {
        const metrology_phase_t *a = &d->ph[k], *b = &p->ph[k];
        near(a->v_rms, b->v_rms, 5e-4, 0.01, "U", k);
        near(a->i_rms, b->i_rms, 5e-4, 0.001, "I", k);
        near(a->p, b->p, 1e-3, 0.05, "P", k);
        near(a->q, b->q, 2e-3, 0.05, "Q", k);
        near(a->s, b->s, 1e-3, 0.05, "S", k);
        near(a->pf, b->pf, 0.0, 1e-3, "PF", k);
        near(a->thd_v, b->thd_v, 0.0, 0.1, "THDu", k);
        near(a->thd_i, b->thd_i, 0.0, 0.1, "THDi", k);
        near(a->v_fund, b->v_fund, 5e-4, 0.01, "U1", k);
        if (b->i_rms > 0.01f && b->v_rms > 10.0f) {
            near(a->angle, b->angle, 0.0, 0.05, "angle", k);
        }
        if (b->v_rms > 10.0f) {
            near(a->v_angle, b->v_angle, 0.0, 0.05, "U angle", k);
        }
        assert_int_equal(a->quadrant, b->quadrant);
        for (int h = 2; h <= EM_METROLOGY_HARMONICS; h++) {
            near(d->v_harm[k][h], p->v_harm[k][h], 0.0, 0.1, "harmonic", h);
        }
    }
    near(d->i_neutral, p->i_neutral, 5e-4, 0.005, "In", 0);
    near(d->u2, p->u2, 0.0, 0.05, "u2", 0);
    near(d->u0, p->u0, 0.0, 0.05, "u0", 0);
    for (int j = 0; j < 3; j++) {
        near(d->v_ll[j], p->v_ll[j], 5e-4, 0.05, "U line", j);
    }
    assert_int_equal(d->sequence, p->sequence);
    assert_int_equal(d->quadrant, p->quadrant);
    /* Energy over the same 10 s (dsp moves energy in whole cycles: one
     * cycle in 10 s is 0.2 %, the comparison allows 0.25 %). */
    for (int r = 0; r < METROLOGY_E_COUNT; r++) {
        near((double)e_d[r], (double)col_p.energy[r], 2.5e-3, 2.0, "energy", r);
    }
}

static void test_reference_and_quadrants(void **state) {
    static const double phi[5] = {0.0, 30.0, 150.0, 210.0, 330.0};
    (void)state;
    for (int j = 0; j < 5; j++) {
        stim_init(&stim, 8000, 230.0, 5.0, phi[j]);
        compare(METROLOGY_CONN_3P4W);
    }
}

static void test_harmonics(void **state) {
    (void)state;
    stim_init(&stim, 8000, 230.0, 5.0, 0.0); /* TC-05 */
    for (int k = 0; k < 3; k++) {
        stim_add_harmonic(&stim, k, 5, 23.0, 0.0, 2.0, 0.0);
    }
    compare(METROLOGY_CONN_3P4W);
    stim_init(&stim, 8000, 230.0, 5.0, 20.0); /* TC-06 plus a lagging fundamental */
    for (int k = 0; k < 3; k++) {
        stim_add_harmonic(&stim, k, 3, 6.9, 0.0, 2.0, 0.0);
        stim_add_harmonic(&stim, k, 5, 11.5, 0.0, 1.0, 0.0);
        stim_add_harmonic(&stim, k, 7, 9.2, 0.0, 0.5, 90.0);
        stim_add_harmonic(&stim, k, 11, 4.6, 0.0, 0.0, 0.0);
    }
    compare(METROLOGY_CONN_3P4W); /* the 3rd harmonic adds up in the neutral */
}

static void test_frequency_outage_sequence(void **state) {
    (void)state;
    stim_init(&stim, 8000, 230.0, 5.0, 60.0); /* TC-07 */
    stim_set_freq(&stim, 49.5);
    compare(METROLOGY_CONN_3P4W);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0); /* TC-10 */
    stim.ph.ph[1].u_rms = 0.0;
    stim.ph.ph[1].i_rms = 0.0;
    compare(METROLOGY_CONN_3P4W);
    stim_init(&stim, 8000, 230.0, 0.5, 0.0); /* TC-11 at 0.1 Ib */
    stim.ph.ph[1].u_deg = 120.0;
    stim.ph.ph[2].u_deg = -120.0;
    compare(METROLOGY_CONN_3P4W);
}

static void test_unbalance_and_connections(void **state) {
    (void)state;
    stim_init(&stim, 8000, 230.0, 5.0, 10.0); /* TC-12 */
    stim.ph.ph[2].u_rms = 247.69;
    compare(METROLOGY_CONN_3P4W);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0); /* TC-13 */
    stim.ph.ph[0].u_rms = 150.0;
    stim.ph.ph[1].u_rms = 278.75;
    stim.ph.ph[1].u_deg = -134.39;
    stim.ph.ph[2].u_rms = 278.75;
    stim.ph.ph[2].u_deg = 134.39;
    compare(METROLOGY_CONN_3P4W);
    stim_init(&stim, 8000, 230.0, 7.0, -20.0);
    compare(METROLOGY_CONN_1P2W);
    stim_init(&stim, 8000, 398.37, 5.0, 0.0);
    stim.ph.ph[0].u_deg = 30.0;
    stim.ph.ph[0].phi_deg = 55.0;
    stim.ph.ph[2].u_deg = 90.0;
    stim.ph.ph[2].phi_deg = -5.0;
    compare(METROLOGY_CONN_3P3W);
}

static void test_phasor_input_checks(void **state) {
    metrology_phasor_input_t in;
    (void)state;
    start(&met_p, &col_p, METROLOGY_CONN_3P4W);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    in = stim.ph;
    in.freq_hz = NAN;
    assert_int_equal(metrology_phasor_set(&met_p, &in), METROLOGY_ERR_RANGE);
    in = stim.ph;
    in.ph[2].i_rms = -1.0;
    assert_int_equal(metrology_phasor_set(&met_p, &in), METROLOGY_ERR_RANGE);
    in = stim.ph;
    in.ph[0].n_harm = 1;
    in.ph[0].harm[0].order = 41;
    assert_int_equal(metrology_phasor_set(&met_p, &in), METROLOGY_ERR_RANGE);
    in.ph[0].n_harm = EM_METROLOGY_PHASOR_HARMONICS + 1;
    assert_int_equal(metrology_phasor_set(&met_p, &in), METROLOGY_ERR_RANGE);
    assert_int_equal(metrology_phasor_set(NULL, &in), METROLOGY_ERR_BADARG);
    assert_int_equal(metrology_phasor_step(NULL, 1000), METROLOGY_ERR_BADARG);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_and_quadrants),
        cmocka_unit_test(test_harmonics),
        cmocka_unit_test(test_frequency_outage_sequence),
        cmocka_unit_test(test_unbalance_and_connections),
        cmocka_unit_test(test_phasor_input_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
