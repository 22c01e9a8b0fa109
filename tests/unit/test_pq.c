/*
 * test_pq.c - power quality on top of the metrology sources: TC-08 (sag
 * 150 V for 200 ms), TC-09 (swell 270 V for 40 s), TC-10 (phase outage),
 * TC-12 (unbalance), TC-13 (loss of neutral) of metrology-facts §5, the
 * 10-minute aggregation (9 min at 220 V + 1 min at 260 V = 224.32 V), the
 * EN 50160 week, THD events, interruptions, and the 100 ms minimum of
 * the meter sag/swell.
 *
 * Short events run through the dsp source (real Urms(1/2) timing); long
 * stretches (the rest of a 10-minute block, a week) through the phasor
 * source. Both feed the same pq_t, as the application will.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "meter/pq.h"
#include "test_metrology_stim.h"

#define UTC0   1699833600LL /* Monday 2023-11-13 00:00:00 UTC, a 10-min tick */
#define MAX_EV 256

static metrology_dsp_t dsp;
static collect_t col;
static metrology_t met;
static stim_t stim;
static pq_t pq;
static pq_event_t ev[MAX_EV];
static unsigned nev;
static unsigned outs;
static int64_t utc_base; /* UTC at t = 0 of the current metrology source */

static void drain(void) {
    pq_event_t e;
    while (pq_event_pop(&pq, &e)) {
        if (nev < MAX_EV) {
            ev[nev] = e;
        }
        nev++;
    }
}

static void on_half(void *user, const metrology_half_cycle_t *hc) {
    (void)user;
    pq_half_cycle(&pq, hc);
}

static void on_rec(void *user, const metrology_measures_t *m) {
    (void)user;
    outs |= pq_second(&pq, m, utc_base + (int64_t)(m->t_ms / 1000u));
    drain();
}

/* A fresh metrology source (dsp or phasor) whose t = 0 is at utc. */
static void source(int64_t utc) {
    metrology_cfg_t cfg;
    metrology_cfg_default(&cfg);
    collect_cfg(&cfg, &col);
    col.on_half = on_half;
    col.on_rec = on_rec;
    assert_int_equal(metrology_init(&met, &cfg), 0);
    assert_int_equal(metrology_dsp_attach(&met, &dsp), 0);
    utc_base = utc;
}

static void start_pq(void) {
    pq_cfg_t c;
    pq_cfg_default(&c, 230.0f, 50.0f, 0x7u);
    assert_int_equal(pq_init(&pq, &c), 0);
    nev = 0;
    outs = 0;
}

static void phasor_run(double u, double i, uint32_t step_ms, uint32_t steps) {
    stim_init(&stim, 8000, u, i, 0.0);
    assert_int_equal(metrology_phasor_set(&met, &stim.ph), 0);
    for (uint32_t s = 0; s < steps; s++) {
        assert_int_equal(metrology_phasor_step(&met, step_ms), 0);
    }
}

static unsigned count(uint16_t code) {
    unsigned n = 0;
    for (unsigned j = 0; j < nev && j < MAX_EV; j++) {
        n += ev[j].code == code;
    }
    return n;
}

static const pq_event_t *find(uint16_t code) {
    for (unsigned j = 0; j < nev && j < MAX_EV; j++) {
        if (ev[j].code == code) {
            return &ev[j];
        }
    }
    return NULL;
}

static void set_u(double u_all) {
    for (int k = 0; k < 3; k++) {
        stim.ph.ph[k].u_rms = u_all;
    }
}

/* TC-08: all phases to 150 V at t = 1.000 s (a zero crossing of L1) for
 * exactly 10 cycles. One dip, residual 150 V, 180-220 ms; no meter sag;
 * 57.433 Wh in 60 s; the 10-minute value 229.98 V, flagged. */
static void test_tc08_sag_200ms(void **state) {
    const pq_event_t *e;
    const pq_aggregate_t *a;
    (void)state;
    start_pq();
    source(UTC0);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    stim_run(&met, &stim, 1.0);
    set_u(150.0);
    stim_run(&met, &stim, 0.2);
    set_u(230.0);
    stim_run(&met, &stim, 58.8);
    assert_int_equal(nev, 1);
    e = find(PQ_EV_DIP);
    assert_non_null(e);
    assert_true(fabs(e->magnitude - 150.0) <= 0.002 * 230.0);
    assert_true(e->duration_ms >= 180 && e->duration_ms <= 220);
    assert_int_equal(e->utc, UTC0 + 1);
    assert_int_equal(pq.week.dips[2][e->duration_ms <= 200 ? 0 : 1], 1); /* row C */
    assert_true(fabs((double)col.energy[METROLOGY_E_A_PLUS] * 1e-6 - 57.433) <= 1e-3 * 57.433);
    assert_int_equal(pq.ph[0].sags, 0);

    /* The rest of the 10-minute block from the phasor source. */
    source(UTC0 + 60);
    phasor_run(230.0, 5.0, 1000u, 541u); /* ... and one second into the next */
    assert_true(outs & PQ_OUT_AGGREGATE);
    a = pq_last_aggregate(&pq);
    assert_int_equal(a->utc_start, UTC0);
    assert_int_equal(a->seconds, 600);
    assert_true(a->flagged);
    assert_true(fabs(a->v_rms[0] - 229.98) <= 0.01);
    assert_true(fabs(a->v_min[0] - 150.0) <= 0.5);

    /* L1 only: one dip as well. */
    start_pq();
    source(UTC0);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    stim_run(&met, &stim, 1.0);
    stim.ph.ph[0].u_rms = 150.0;
    stim_run(&met, &stim, 0.2);
    stim.ph.ph[0].u_rms = 230.0;
    stim_run(&met, &stim, 2.0);
    assert_int_equal(nev, 1);
    assert_int_equal(count(PQ_EV_DIP), 1);
}

/* TC-09: 270 V for 40 s: over voltage at t0 + 30 s, swell 40.0 s with
 * maximum 270 V, counters +1, 64.167 Wh over 60 s, 10-min 232.88 V. */
static void test_tc09_swell_40s(void **state) {
    const pq_event_t *e;
    const double t0 = 10.0;
    (void)state;
    start_pq();
    source(UTC0);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    stim_run(&met, &stim, t0);
    collect_reset_energy(&col);
    set_u(270.0);
    stim_run(&met, &stim, 40.0);
    set_u(230.0);
    stim_run(&met, &stim, 20.0);
    for (int k = 0; k < 3; k++) {
        e = find((uint16_t)(PQ_EV_OVER_VOLTAGE + k));
        assert_non_null(e);
        assert_true(fabs((double)e->t_us * 1e-6 - (t0 + 30.0)) <= 0.1);
        e = find((uint16_t)(PQ_EV_VOLTAGE_SWELL + k));
        assert_non_null(e);
        assert_true(fabs(e->duration_ms - 40000.0) <= 100.0);
        assert_true(fabs(e->magnitude - 270.0) <= 0.1);
        assert_int_equal(count((uint16_t)(PQ_EV_VOLTAGE_NORMAL + k)), 1);
        assert_int_equal(pq.ph[k].swells, 1);
        assert_int_equal(pq.ph[k].sags, 0);
        assert_true(fabs(pq.ph[k].last_swell_v - 270.0) <= 0.1);
        assert_true(fabs(pq.ph[k].last_swell_ms - 40000.0) <= 100.0);
    }
    e = find(PQ_EV_SWELL); /* IEC view: one polyphase swell, +/- 20 ms */
    assert_non_null(e);
    assert_true(fabs(e->duration_ms - 40000.0) <= 20.0);
    assert_true(fabs(e->magnitude - 270.0) <= 0.1);
    assert_int_equal(pq.week.swells[1][2], 1); /* 110-120 %, 5-60 s */
    assert_true(fabs((double)col.energy[METROLOGY_E_A_PLUS] * 1e-6 - 64.167) <= 1e-3 * 64.167);
    assert_int_equal(nev, 10); /* 3 over, 3 swell, 3 normal, 1 IEC swell */

    source(UTC0 + 70);
    phasor_run(230.0, 5.0, 1000u, 531u);
    assert_true(fabs(pq_last_aggregate(&pq)->v_rms[1] - 232.88) <= 0.01);
    assert_true(pq_last_aggregate(&pq)->flagged);
}

/* TC-10: L2 out for 5 s: missing voltage L2 after 1 s, returned at the
 * end, an IEC dip with residual about 0 V (not an interruption), no
 * neutral-loss alarm. */
static void test_tc10_outage(void **state) {
    const pq_event_t *e;
    (void)state;
    start_pq();
    source(UTC0);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    stim_run(&met, &stim, 3.0);
    stim.ph.ph[1].u_rms = 0.0;
    stim.ph.ph[1].i_rms = 0.0;
    stim_run(&met, &stim, 5.0);
    stim.ph.ph[1].u_rms = 230.0;
    stim.ph.ph[1].i_rms = 5.0;
    stim_run(&met, &stim, 2.0);
    e = find(PQ_EV_MISSING_VOLTAGE + 1);
    assert_non_null(e);
    assert_true(fabs((double)e->t_us * 1e-6 - 4.0) <= 0.05);
    assert_non_null(find(PQ_EV_VOLTAGE_RETURNED + 1));
    assert_null(find(PQ_EV_MISSING_VOLTAGE));
    assert_null(find(PQ_EV_MISSING_VOLTAGE + 2));
    e = find(PQ_EV_DIP);
    assert_non_null(e);
    assert_true(e->magnitude < 2.0f);
    assert_true(fabs(e->duration_ms - 5000.0) <= 40.0);
    assert_int_equal(count(PQ_EV_INTERRUPTION), 0);
    assert_int_equal(count(PQ_EV_NEUTRAL_LOST), 0);
    /* residual < 5 %; 5.01 s from window end to window end sits on the
     * 5 s column boundary of the EN 50160 table */
    assert_int_equal(pq.week.dips[4][3] + pq.week.dips[4][4], 1);
}

/* TC-13: floating star point (phasor, 60 s): neutral lost after 5 s,
 * dip on L1, swells on L2 and L3, restored 5 s after the fault ends. */
static void test_tc13_loss_of_neutral(void **state) {
    const pq_event_t *e;
    (void)state;
    start_pq();
    source(UTC0);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    stim.ph.ph[0].u_rms = 150.0;
    stim.ph.ph[1].u_rms = 278.75;
    stim.ph.ph[1].u_deg = -134.39;
    stim.ph.ph[2].u_rms = 278.75;
    stim.ph.ph[2].u_deg = 134.39;
    metrology_phasor_set(&met, &stim.ph);
    for (int s = 0; s < 60; s++) {
        metrology_phasor_step(&met, 1000u);
    }
    e = find(PQ_EV_NEUTRAL_LOST);
    assert_non_null(e);
    assert_true(fabs(e->magnitude - 34.8) <= 0.1);
    assert_int_equal(e->t_us, 5000000u);
    assert_non_null(find(PQ_EV_UNDER_VOLTAGE));    /* L1, after 30 s */
    assert_non_null(find(PQ_EV_OVER_VOLTAGE + 1)); /* L2 */
    assert_non_null(find(PQ_EV_OVER_VOLTAGE + 2)); /* L3 */
    phasor_run(230.0, 5.0, 1000u, 10u);
    assert_int_equal(count(PQ_EV_NEUTRAL_RESTORED), 1);
    assert_int_equal(count(PQ_EV_DIP), 1);
    assert_int_equal(count(PQ_EV_SWELL), 1);
    assert_int_equal(pq.ph[0].sags, 1);
    assert_int_equal(pq.ph[1].swells, 1);
}

/* 9 min at 220 V and 1 min at 260 V: 224.32 V (r.m.s. aggregation, not
 * the arithmetic 224.0), aligned to the UTC tick; a block that starts
 * late is incomplete. */
static void test_ten_minute_aggregation(void **state) {
    const pq_aggregate_t *a;
    (void)state;
    start_pq();
    source(UTC0 + 300); /* half a block before the tick */
    phasor_run(230.0, 5.0, 1000u, 300u);
    phasor_run(220.0, 4.0, 1000u, 540u);
    assert_true(outs & PQ_OUT_AGGREGATE);
    assert_int_equal(pq_last_aggregate(&pq)->seconds, 300);
    outs = 0;
    phasor_run(260.0, 6.0, 1000u, 60u);
    phasor_run(230.0, 5.0, 1000u, 1u);
    assert_true(outs & PQ_OUT_AGGREGATE);
    a = pq_last_aggregate(&pq);
    assert_int_equal(a->utc_start, UTC0 + 600);
    assert_int_equal(a->seconds, 600);
    assert_true(fabs(a->v_rms[2] - 224.32) <= 0.01);
    assert_true(fabs(a->i_rms[0] - sqrt((9.0 * 16.0 + 36.0) / 10.0)) <= 1e-3);
    assert_true(fabs(a->freq - 50.0) <= 1e-3);
    assert_true(a->flagged); /* 260 V is a swell (> 110 %) */
    assert_int_equal(pq.week.n_incomplete, 1);
    assert_int_equal(pq.week.n_flagged, 1);
}

/* Two weeks of 10-s phasor steps: the first with 8 h at 200 V
 * (4.7 % of the week, allowed), 2 h of u2 = 2.5 % and 30 min at 49.4 Hz
 * (0.3 %); the second with 11 h at 200 V (6.5 %: not compliant) and one
 * 10-min block at 190 V (below -15 %: N2). 200 V is below the 90 % dip
 * threshold, so the block where it starts is flagged (the first minute
 * of a dip), the following ones count as supply voltage variation. */
static void run_hours(double hours, double u, double u3, double f) {
    stim_init(&stim, 8000, u, 5.0, 0.0);
    stim.ph.ph[2].u_rms = u3;
    stim_set_freq(&stim, f);
    metrology_phasor_set(&met, &stim.ph);
    for (int s = 0; s < (int)(hours * 360.0 + 0.5); s++) {
        metrology_phasor_step(&met, 10000u);
    }
}

static void test_en50160_week(void **state) {
    const pq_week_t *w;
    (void)state;
    start_pq();
    source(UTC0);
    run_hours(8.0, 200.0, 200.0, 50.0);
    run_hours(2.0, 230.0, 247.69, 50.0); /* TC-12 variant: u2 2.5 % */
    run_hours(0.5, 230.0, 230.0, 49.4);
    run_hours(168.0 - 10.5, 230.0, 230.0, 50.0);
    run_hours(11.0, 200.0, 200.0, 50.0); /* second week */
    run_hours(1.0 / 6.0, 190.0, 190.0, 50.0);
    run_hours(168.0 - 11.0 - 1.0 / 6.0, 230.0, 230.0, 50.0);
    run_hours(0.1, 230.0, 230.0, 50.0); /* into the third week */
    assert_true(outs & PQ_OUT_WEEK);
    w = pq_last_week(&pq);
    assert_int_equal(w->utc_start, UTC0 + 604800);
    assert_int_equal(w->n_total, 1008);
    assert_int_equal(w->n_flagged, 1);
    assert_int_equal(w->v_n1[2], 66);
    assert_int_equal(w->v_n2[2], 1);
    assert_false(w->v_ok);
    assert_false(w->compliant);
    assert_true(w->f_ok && w->u2_ok && w->thd_ok && w->harm_ok);
    assert_int_equal(w->f_count, 60480);
    assert_int_equal(w->dips[0][5], 1); /* 87 %, longer than a minute */
    /* The first week, seen when it closed: */
    source(UTC0);
    start_pq();
    run_hours(8.0, 200.0, 200.0, 50.0);
    run_hours(2.0, 230.0, 247.69, 50.0);
    run_hours(0.5, 230.0, 230.0, 49.4);
    run_hours(168.0 - 10.5 + 0.1, 230.0, 230.0, 50.0);
    w = pq_last_week(&pq);
    assert_int_equal(w->utc_start, UTC0);
    assert_int_equal(w->n_valid, 1007);
    assert_int_equal(w->v_n1[0], 47);
    assert_int_equal(w->v_n2[0], 0);
    assert_int_equal(w->u2_over, 12);
    assert_int_equal(w->f_out1, 180);
    assert_int_equal(w->f_out2, 0);
    assert_true(w->v_ok && w->u2_ok && w->f_ok && w->compliant);
}

/* THD (TC-06 variant with h5 at 7 %: 8.83 %) for 20 min, then clean. */
static void test_thd_events(void **state) {
    const pq_event_t *e;
    (void)state;
    start_pq();
    source(UTC0);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    for (int k = 0; k < 3; k++) {
        stim_add_harmonic(&stim, k, 3, 6.9, 0.0, 0.0, 0.0);
        stim_add_harmonic(&stim, k, 5, 16.1, 0.0, 0.0, 0.0);
        stim_add_harmonic(&stim, k, 7, 9.2, 0.0, 0.0, 0.0);
        stim_add_harmonic(&stim, k, 11, 4.6, 0.0, 0.0, 0.0);
    }
    metrology_phasor_set(&met, &stim.ph);
    for (int s = 0; s < 1200; s++) {
        metrology_phasor_step(&met, 1000u);
    }
    e = find(PQ_EV_THD_OVER);
    assert_non_null(e);
    assert_int_equal(e->t_us, 60000000u);
    assert_true(fabs(e->magnitude - 8.83) <= 0.01);
    e = find(PQ_EV_THD_LONG_OVER + 2);
    assert_non_null(e);
    assert_int_equal(e->t_us, 900000000u);
    phasor_run(230.0, 5.0, 1000u, 2u);
    assert_int_equal(count(PQ_EV_THD_NORMAL + 1), 1);
    assert_int_equal(pq.week.thd_over[0], 2);  /* the blocks [0, 600) and [600, 1200) */
    assert_int_equal(pq.week.harm_over[0], 2); /* h5 7 % > 6 % */
}

/* All phases to 0 V for 2 s: one interruption, not a dip. */
static void test_interruption(void **state) {
    const pq_event_t *e;
    (void)state;
    start_pq();
    source(UTC0);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    stim_run(&met, &stim, 2.0);
    set_u(0.0);
    stim_run(&met, &stim, 2.0);
    set_u(230.0);
    stim_run(&met, &stim, 1.0);
    e = find(PQ_EV_INTERRUPTION);
    assert_non_null(e);
    assert_true(fabs(e->duration_ms - 2000.0) <= 40.0);
    assert_int_equal(count(PQ_EV_DIP), 0);
    assert_int_equal(pq.week.interruptions_short, 1);
    assert_int_equal(count(PQ_EV_MISSING_VOLTAGE) + count(PQ_EV_MISSING_VOLTAGE + 1) +
                         count(PQ_EV_MISSING_VOLTAGE + 2),
                     3);
}

/* Time threshold set to its 100 ms minimum: a 200 ms sag is logged with
 * magnitude and duration; a 60 ms one is below the detectable minimum. */
static void test_meter_sag_short_threshold(void **state) {
    pq_cfg_t c;
    const pq_event_t *e;
    (void)state;
    pq_cfg_default(&c, 230.0f, 50.0f, 0x7u);
    c.sag_time_ms = 10u; /* clamped to 100 ms */
    assert_int_equal(pq_init(&pq, &c), 0);
    nev = 0;
    source(UTC0);
    stim_init(&stim, 8000, 230.0, 5.0, 0.0);
    stim_run(&met, &stim, 1.0);
    stim.ph.ph[0].u_rms = 150.0;
    stim_run(&met, &stim, 0.2);
    stim.ph.ph[0].u_rms = 230.0;
    stim_run(&met, &stim, 0.5);
    stim.ph.ph[0].u_rms = 150.0;
    stim_run(&met, &stim, 0.06);
    stim.ph.ph[0].u_rms = 230.0;
    stim_run(&met, &stim, 0.5);
    assert_int_equal(count(PQ_EV_UNDER_VOLTAGE), 1);
    e = find(PQ_EV_VOLTAGE_SAG);
    assert_non_null(e);
    assert_true(fabs(e->magnitude - 150.0) <= 0.5);
    assert_true(e->duration_ms >= 180 && e->duration_ms <= 220);
    assert_int_equal(pq.ph[0].sags, 1);
    assert_int_equal(count(PQ_EV_DIP), 2); /* the IEC view sees both */
}

static void test_queue_and_config(void **state) {
    pq_cfg_t c;
    metrology_half_cycle_t hc;
    pq_event_t e;
    (void)state;
    pq_cfg_default(&c, 230.0f, 50.0f, 0x7u);
    c.swell_v = 200.0f;
    assert_int_equal(pq_init(&pq, &c), PQ_ERR_CONFIG);
    pq_cfg_default(&c, 230.0f, 50.0f, 0u);
    assert_int_equal(pq_init(&pq, &c), PQ_ERR_CONFIG);
    assert_int_equal(pq_init(NULL, &c), PQ_ERR_BADARG);
    assert_string_equal(pq_strerror(PQ_ERR_CONFIG),
                        "power-quality threshold out of range or inconsistent");
    /* Alternate dips without draining: the queue keeps the first ones and
     * counts the rest as lost. */
    pq_cfg_default(&c, 230.0f, 50.0f, 0x7u);
    assert_int_equal(pq_init(&pq, &c), 0);
    memset(&hc, 0, sizeof(hc));
    for (int j = 0; j < 2 * EM_PQ_EVENT_QUEUE + 10; j++) {
        hc.t_us += 10000u;
        for (int k = 0; k < 3; k++) {
            hc.v_rms[k] = (j & 1) ? 230.0f : 150.0f;
        }
        pq_half_cycle(&pq, &hc);
    }
    assert_int_equal(pq.q_len, EM_PQ_EVENT_QUEUE);
    assert_true(pq.lost > 0);
    assert_true(pq_event_pop(&pq, &e));
    assert_int_equal(e.code, PQ_EV_DIP);
    assert_int_equal(e.duration_ms, 10);
    assert_false(pq_event_pop(NULL, &e));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tc08_sag_200ms),
        cmocka_unit_test(test_tc09_swell_40s),
        cmocka_unit_test(test_tc10_outage),
        cmocka_unit_test(test_tc13_loss_of_neutral),
        cmocka_unit_test(test_ten_minute_aggregation),
        cmocka_unit_test(test_en50160_week),
        cmocka_unit_test(test_thd_events),
        cmocka_unit_test(test_interruption),
        cmocka_unit_test(test_meter_sag_short_threshold),
        cmocka_unit_test(test_queue_and_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
