/*
 * test_loadsim.c - the deterministic load simulator (lib/meter/loadsim):
 * a pure function of (seed, instant) whatever the evaluation order, the
 * annual energy of simulated years against the configuration, the daily,
 * weekly and seasonal shapes, PV (night, summer noon export, June against
 * December), the supply ranges (voltage, Imax, frequency), heat pump,
 * dips, 1P2W, configuration checks, and the phasor input accepted and
 * metered by the metrology engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "meter/loadsim.h"
#include "meter/metrology/metrology.h"

#define Y2025   INT64_C(1735689600) /* 2025-01-01T00:00:00Z, a Wednesday */
#define Q_S     900                 /* 15-minute samples */
#define YEAR_Q  (365 * 96)
#define JUNE1   (Y2025 + 151 * INT64_C(86400))
#define DEC1    (Y2025 + 334 * INT64_C(86400))
#define LOCAL_H (3600 * 1) /* default time zone offset */

static loadsim_t ls;

static void init_cfg(loadsim_cfg_t *c, uint64_t seed) {
    loadsim_cfg_default(c);
    c->seed = seed;
}

static void start(const loadsim_cfg_t *c) {
    assert_int_equal(loadsim_init(&ls, c), 0);
}

/* Total active power of the phasor input (fundamental), W. */
static double phasor_p(const metrology_phasor_input_t *in) {
    double p = 0.0;
    for (int k = 0; k < 3; k++) {
        p += in->ph[k].u_rms * in->ph[k].i_rms * cos(in->ph[k].phi_deg * 0.017453292519943295);
    }
    return p;
}

static double sample_net(int64_t t) {
    loadsim_sample_t s;
    assert_int_equal(loadsim_sample(&ls, t, &s), 0);
    return s.net_w[0] + s.net_w[1] + s.net_w[2];
}

/* Host-side instants in a scrambled order (xorshift64). */
static uint64_t rng_state = 88172645463325252u;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- configuration ------------------------------------------------------ */

static void test_config(void **state) {
    loadsim_cfg_t c;
    metrology_phasor_input_t in;
    (void)state;

    init_cfg(&c, 1);
    assert_int_equal(loadsim_init(NULL, &c), LOADSIM_ERR_BADARG);
    assert_int_equal(loadsim_init(&ls, NULL), LOADSIM_ERR_BADARG);
    start(&c);
    assert_int_equal(loadsim_eval(NULL, Y2025, &in), LOADSIM_ERR_BADARG);
    assert_int_equal(loadsim_eval(&ls, Y2025, NULL), LOADSIM_ERR_BADARG);
    assert_int_equal(loadsim_eval(&ls, LOADSIM_UTC_LIMIT + 1, &in), LOADSIM_ERR_TIME);
    assert_int_equal(loadsim_eval(&ls, -LOADSIM_UTC_LIMIT, &in), 0);

    c.annual_kwh = NAN;
    assert_int_equal(loadsim_init(&ls, &c), LOADSIM_ERR_CONFIG);
    init_cfg(&c, 1);
    c.phases = 0;
    assert_int_equal(loadsim_init(&ls, &c), LOADSIM_ERR_CONFIG);
    init_cfg(&c, 1);
    c.phases = 0x1;
    c.pv_phases = 0x2; /* PV on a phase that is not connected */
    assert_int_equal(loadsim_init(&ls, &c), LOADSIM_ERR_CONFIG);
    init_cfg(&c, 1);
    c.pv_kwp = 4.0;
    c.pv_phases = 0;
    assert_int_equal(loadsim_init(&ls, &c), LOADSIM_ERR_CONFIG);
    init_cfg(&c, 1);
    c.phase_share[0] = c.phase_share[1] = c.phase_share[2] = 0.0;
    assert_int_equal(loadsim_init(&ls, &c), LOADSIM_ERR_CONFIG);
    init_cfg(&c, 1);
    c.tz_offset_s = 15 * 3600;
    assert_int_equal(loadsim_init(&ls, &c), LOADSIM_ERR_CONFIG);
    init_cfg(&c, 1);
    c.voltage_drift_pct = 6.0;
    assert_int_equal(loadsim_init(&ls, &c), LOADSIM_ERR_CONFIG);

    assert_string_equal(loadsim_strerror(LOADSIM_ERR_CONFIG),
                        "load simulator configuration value out of range");
    assert_string_equal(loadsim_strerror(-1), "unknown load simulator error");
}

/* ---- determinism ---------------------------------------------------------- */

#define N_ORDER 3000

static void test_order_independent(void **state) {
    static int64_t t[N_ORDER];
    static metrology_phasor_input_t fwd[N_ORDER];
    metrology_phasor_input_t in;
    loadsim_cfg_t c;
    loadsim_t other;
    (void)state;

    init_cfg(&c, 0x1234567890abcdefu);
    c.pv_kwp = 4.0;
    c.heat_pump_kw = 2.0;
    c.dips_per_year = 2000.0;
    start(&c);
    for (int i = 0; i < N_ORDER; i++) {
        t[i] = Y2025 + (int64_t)(rng() % (400u * 86400u)) - 10 * 86400;
        assert_int_equal(loadsim_eval(&ls, t[i], &fwd[i]), 0);
    }
    /* A fresh context ("restarted meter") in reverse order, after other
     * instants were evaluated in between. */
    assert_int_equal(loadsim_init(&other, &c), 0);
    for (int i = N_ORDER - 1; i >= 0; i--) {
        assert_int_equal(loadsim_eval(&other, t[i] + 7, &in), 0);
        assert_int_equal(loadsim_eval(&other, t[i], &in), 0);
        assert_memory_equal(&in, &fwd[i], sizeof(in));
    }
    /* Walking second by second reaches the same values as jumping. */
    for (int64_t s = 0; s < 3600; s++) {
        assert_int_equal(loadsim_eval(&other, t[0] + s, &in), 0);
    }
    assert_int_equal(loadsim_eval(&other, t[0], &in), 0);
    assert_memory_equal(&in, &fwd[0], sizeof(in));
}

static void test_seeds_differ(void **state) {
    loadsim_cfg_t c;
    loadsim_t a, b;
    metrology_phasor_input_t ia, ib;
    int differ = 0;
    (void)state;

    init_cfg(&c, 1);
    assert_int_equal(loadsim_init(&a, &c), 0);
    c.seed = 2;
    assert_int_equal(loadsim_init(&b, &c), 0);
    for (int i = 0; i < 96 * 7; i++) {
        int64_t t = Y2025 + (int64_t)i * Q_S;
        assert_int_equal(loadsim_eval(&a, t, &ia), 0);
        assert_int_equal(loadsim_eval(&b, t, &ib), 0);
        differ += fabs(phasor_p(&ia) - phasor_p(&ib)) > 1.0;
    }
    assert_true(differ > 96 * 7 * 9 / 10);
}

/* ---- energy and shapes ---------------------------------------------------- */

/* Energy of a simulated year in kWh, from the phasor input at 15 minutes. */
static double year_kwh(void) {
    metrology_phasor_input_t in;
    double wh = 0.0;
    for (int i = 0; i < YEAR_Q; i++) {
        assert_int_equal(loadsim_eval(&ls, Y2025 + (int64_t)i * Q_S, &in), 0);
        wh += phasor_p(&in) * 0.25;
    }
    return wh / 1000.0;
}

static void test_annual_energy(void **state) {
    static const struct {
        uint64_t seed;
        double kwh;
        uint8_t phases;
    } cases[] = {{1, 3500.0, 7}, {42, 3500.0, 7}, {7, 1500.0, 1}, {99, 8000.0, 7}};
    loadsim_cfg_t c;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        init_cfg(&c, cases[i].seed);
        c.annual_kwh = cases[i].kwh;
        c.phases = c.pv_phases = cases[i].phases;
        start(&c);
        double e = year_kwh();
        if (fabs(e - cases[i].kwh) > 0.10 * cases[i].kwh) {
            print_error("seed %u: %.0f kWh for %.0f configured\n", (unsigned)cases[i].seed, e,
                        cases[i].kwh);
            fail();
        }
    }
}

/* Mean total power per local hour over a year, weekdays and weekends
 * apart, and per month. */
typedef struct stats {
    double hour[2][24];
    int n[2][24];
    double month[12];
} stats_t;

static void year_stats(stats_t *st) {
    memset(st, 0, sizeof(*st));
    for (int i = 0; i < YEAR_Q; i++) {
        int64_t t = Y2025 + (int64_t)i * Q_S, local = t + LOCAL_H;
        int64_t day = local / 86400;
        int we = (day + 3) % 7 >= 5, h = (int)(local % 86400 / 3600);
        double p = sample_net(t);
        st->hour[we][h] += p;
        st->n[we][h]++;
        st->month[(i / 96) * 12 / 365] += p;
    }
    for (int we = 0; we < 2; we++) {
        for (int h = 0; h < 24; h++) {
            st->hour[we][h] /= st->n[we][h];
        }
    }
}

static void test_shapes(void **state) {
    loadsim_cfg_t c;
    stats_t st;
    (void)state;

    init_cfg(&c, 5);
    c.dst = LOADSIM_DST_NONE; /* year_stats() buckets by standard time */
    start(&c);
    year_stats(&st);
    for (int we = 0; we < 2; we++) {
        double night = (st.hour[we][2] + st.hour[we][3] + st.hour[we][4]) / 3.0;
        double evening = (st.hour[we][18] + st.hour[we][19] + st.hour[we][20]) / 3.0;
        assert_true(evening > 2.0 * night);
        assert_true(night > 50.0); /* standby and fridge never go away */
    }
    /* Weekend late mornings are busier, weekday breakfasts earlier. */
    double we_morning = st.hour[1][10] + st.hour[1][11];
    double wd_morning = st.hour[0][10] + st.hour[0][11];
    assert_true(we_morning > 1.2 * wd_morning);
    assert_true(st.hour[0][7] > st.hour[1][7]);
    /* Winter above summer. */
    assert_true(st.month[0] > 1.2 * st.month[6]);
}

/* ---- PV ------------------------------------------------------------------- */

static void test_pv(void **state) {
    loadsim_cfg_t c;
    loadsim_sample_t s;
    metrology_phasor_input_t in;
    double june = 0.0, dec = 0.0;
    int noon = 0, export = 0;
    (void)state;

    init_cfg(&c, 77);
    c.pv_kwp = 4.0;
    start(&c);
    for (int i = 0; i < YEAR_Q; i++) {
        int64_t t = Y2025 + (int64_t)i * Q_S;
        int h = (int)((t + LOCAL_H) % 86400 / 3600);
        assert_int_equal(loadsim_sample(&ls, t, &s), 0);
        double pv = s.pv_w[0] + s.pv_w[1] + s.pv_w[2];
        assert_true(pv >= 0.0);
        if (h < 3 || h >= 22) {
            assert_true(pv == 0.0); /* no generation at night, even in June */
        }
        if (t >= JUNE1 && t < JUNE1 + 30 * 86400) {
            june += pv * 0.25;
            if (h >= 11 && h < 13) {
                noon++;
                export += s.net_w[0] + s.net_w[1] + s.net_w[2] < 0.0;
            }
        } else if (t >= DEC1 && t < DEC1 + 31 * 86400) {
            dec += pv * 0.25;
        }
        /* An exporting phase has its current beyond 90 degrees. */
        if (s.net_w[0] < -50.0) {
            assert_int_equal(loadsim_eval(&ls, t, &in), 0);
            assert_true(fabs(in.ph[0].phi_deg) > 90.0);
        }
    }
    assert_true(june > 3.0 * dec);
    assert_true(june > 300e3 && june < 900e3); /* 4 kWp: 10..30 kWh a day in June */
    assert_true(export > noon * 7 / 10);
}

/* ---- supply ranges ---------------------------------------------------------- */

static void check_ranges(const metrology_phasor_input_t *in, double imax) {
    assert_true(in->freq_hz >= 49.9 && in->freq_hz <= 50.1);
    for (int k = 0; k < 3; k++) {
        const metrology_phasor_phase_t *ph = &in->ph[k];
        double ih2 = 0.0;
        assert_true(ph->u_rms >= 207.0 && ph->u_rms <= 253.0);
        for (int j = 0; j < ph->n_harm; j++) {
            ih2 += (double)ph->harm[j].i_rms * ph->harm[j].i_rms;
        }
        assert_true(sqrt(ph->i_rms * ph->i_rms + ih2) <= imax * (1.0 + 1e-9));
    }
}

static void test_ranges(void **state) {
    loadsim_cfg_t c;
    metrology_phasor_input_t in;
    double umin = 1e9, umax = 0.0;
    (void)state;

    /* A big household with PV and heat pump, the widest voltage swing. */
    init_cfg(&c, 3);
    c.annual_kwh = 9000.0;
    c.pv_kwp = 10.0;
    c.heat_pump_kw = 3.0;
    c.phases = c.pv_phases = 0x7;
    start(&c);
    for (int i = 0; i < YEAR_Q; i++) {
        assert_int_equal(loadsim_eval(&ls, Y2025 + (int64_t)i * Q_S, &in), 0);
        check_ranges(&in, c.imax_a);
        umin = fmin(umin, in.ph[0].u_rms);
        umax = fmax(umax, in.ph[0].u_rms);
    }
    assert_true(umax - umin > 8.0); /* the voltage does move */
    /* Current limited at Imax: a small meter rating. */
    c.imax_a = 5.0;
    start(&c);
    for (int i = 0; i < 96 * 14; i++) {
        assert_int_equal(loadsim_eval(&ls, Y2025 + (int64_t)i * Q_S, &in), 0);
        check_ranges(&in, 5.0);
    }
}

static void test_frequency_seconds(void **state) {
    loadsim_cfg_t c;
    metrology_phasor_input_t in, prev;
    (void)state;

    init_cfg(&c, 11);
    start(&c);
    assert_int_equal(loadsim_eval(&ls, Y2025, &prev), 0);
    for (int64_t s = 1; s < 6 * 3600; s++) {
        assert_int_equal(loadsim_eval(&ls, Y2025 + s, &in), 0);
        check_ranges(&in, c.imax_a);
        /* Smooth: no step above 5 mHz/s, voltage drift below 0.5 V/s. */
        assert_true(fabs(in.freq_hz - prev.freq_hz) < 0.005);
        prev = in;
    }
}

/* Without PV the current harmonics are a few % of the fundamental (3rd
 * 5 %, 5th 3 %, 7th 1.5 %), the voltage carries a small background
 * distortion, and the voltages are a balanced ABC set. */
static void test_harmonics(void **state) {
    static const double i_pct[3] = {5.0, 3.0, 1.5};
    static const uint8_t order[3] = {3, 5, 7};
    loadsim_cfg_t c;
    metrology_phasor_input_t in;
    (void)state;

    init_cfg(&c, 12);
    start(&c);
    for (int i = 0; i < 96 * 3; i++) {
        assert_int_equal(loadsim_eval(&ls, Y2025 + (int64_t)i * Q_S, &in), 0);
        assert_true(in.ph[0].u_deg == 0.0 && in.ph[1].u_deg == -120.0 && in.ph[2].u_deg == 120.0);
        for (int k = 0; k < 3; k++) {
            const metrology_phasor_phase_t *ph = &in.ph[k];
            assert_int_equal(ph->n_harm, 3);
            assert_true(ph->phi_deg > 0.0 && ph->phi_deg < 45.0); /* inductive import */
            for (int j = 0; j < 3; j++) {
                assert_int_equal(ph->harm[j].order, order[j]);
                assert_true(fabs(ph->harm[j].i_rms / ph->i_rms - i_pct[j] / 100.0) < 1e-5);
                assert_true(ph->harm[j].u_rms > 0.0f && ph->harm[j].u_rms < 0.02 * ph->u_rms);
            }
        }
    }
}

/* ---- heat pump, dips, 1P2W ---------------------------------------------------- */

static double month_kwh(int64_t from) {
    double wh = 0.0;
    for (int i = 0; i < 30 * 96; i++) {
        wh += sample_net(from + (int64_t)i * Q_S) * 0.25;
    }
    return wh / 1000.0;
}

static void test_heat_pump(void **state) {
    loadsim_cfg_t c;
    (void)state;

    init_cfg(&c, 8);
    start(&c);
    double jan0 = month_kwh(Y2025), jul0 = month_kwh(JUNE1 + 30 * 86400);
    c.heat_pump_kw = 2.0;
    start(&c);
    double jan = month_kwh(Y2025), jul = month_kwh(JUNE1 + 30 * 86400);
    assert_true(jan - jan0 > 400.0); /* heating in January */
    assert_true(jul - jul0 > 20.0);  /* hot water only in July */
    assert_true(jul - jul0 < 80.0);
}

static void test_dips(void **state) {
    loadsim_cfg_t c;
    loadsim_sample_t s;
    int low = 0, starts = 0, in_dip = 0;
    (void)state;

    init_cfg(&c, 21);
    c.dips_per_year = 24.0 * 365.2425; /* one every hour */
    start(&c);
    for (int64_t t = Y2025; t < Y2025 + 86400; t++) {
        assert_int_equal(loadsim_sample(&ls, t, &s), 0);
        int now = fmin(fmin(s.u_v[0], s.u_v[1]), s.u_v[2]) < 0.9 * 230.0;
        low += now;
        starts += now && !in_dip;
        in_dip = now;
    }
    assert_in_range(starts, 22, 25);
    assert_in_range(low, starts, 3 * starts);
    /* None without the option. */
    c.dips_per_year = 0.0;
    start(&c);
    for (int64_t t = Y2025; t < Y2025 + 86400; t += 7) {
        assert_int_equal(loadsim_sample(&ls, t, &s), 0);
        assert_true(s.u_v[0] >= 0.9 * 230.0 && s.u_v[1] >= 0.9 * 230.0);
    }
}

static void test_single_phase(void **state) {
    loadsim_cfg_t c;
    metrology_phasor_input_t in;
    (void)state;

    init_cfg(&c, 4);
    c.phases = c.pv_phases = 0x1;
    c.pv_kwp = 3.0;
    start(&c);
    for (int i = 0; i < 96 * 30; i++) {
        assert_int_equal(loadsim_eval(&ls, JUNE1 + (int64_t)i * Q_S, &in), 0);
        assert_true(in.ph[1].i_rms == 0.0 && in.ph[2].i_rms == 0.0);
        assert_true(in.ph[1].u_rms > 200.0 && in.ph[2].u_rms > 200.0);
        assert_true(in.ph[0].i_rms > 0.0);
    }
}

/* EU summer time moves the household's habits by an hour between 01:00
 * UTC on the last Sundays of March and October: with summer time it
 * lives like a UTC+2 household inside that span and like UTC+1 outside
 * (no PV here, which stays on standard time). */
static void test_summer_time(void **state) {
    static const struct {
        int year;
        int64_t on, off;
    } eu[] = {
        {1999, INT64_C(922582800), INT64_C(941331600)},
        {2000, INT64_C(954032400), INT64_C(972781200)},
        {2024, INT64_C(1711846800), INT64_C(1729990800)},
        {2025, INT64_C(1743296400), INT64_C(1761440400)},
        {2026, INT64_C(1774746000), INT64_C(1792890000)},
        {2100, INT64_C(4109878800), INT64_C(4128627600)},
    };
    static const int64_t probe[] = {-86400 * 60, -3600, -1, 0, 1, 3600, 86400 * 60};
    loadsim_cfg_t c;
    loadsim_t dst, winter, summer;
    loadsim_sample_t a, b;
    (void)state;

    init_cfg(&c, 9);
    c.dst = LOADSIM_DST_EU;
    assert_int_equal(loadsim_init(&dst, &c), 0);
    c.dst = LOADSIM_DST_NONE;
    assert_int_equal(loadsim_init(&winter, &c), 0);
    c.tz_offset_s = 7200;
    assert_int_equal(loadsim_init(&summer, &c), 0);
    c.dst = 2;
    assert_int_equal(loadsim_init(&ls, &c), LOADSIM_ERR_CONFIG);
    for (size_t i = 0; i < sizeof(eu) / sizeof(eu[0]); i++) {
        for (size_t j = 0; j < sizeof(probe) / sizeof(probe[0]); j++) {
            for (int edge = 0; edge < 2; edge++) {
                int64_t t = (edge ? eu[i].off : eu[i].on) + probe[j];
                int in_summer = t >= eu[i].on && t < eu[i].off;
                assert_int_equal(loadsim_sample(&dst, t, &a), 0);
                assert_int_equal(loadsim_sample(in_summer ? &summer : &winter, t, &b), 0);
                if (memcmp(&a, &b, sizeof(a)) != 0) {
                    print_error("%d: t %lld summer %d\n", eu[i].year, (long long)t, in_summer);
                    fail();
                }
            }
        }
    }
}

/* ---- into the metrology engine ---------------------------------------------- */

typedef struct meter_sink {
    int64_t a_plus, a_minus;
} meter_sink_t;

static void on_measures(void *user, const metrology_measures_t *m) {
    meter_sink_t *k = user;
    k->a_plus += m->energy.reg[METROLOGY_E_A_PLUS];
    k->a_minus += m->energy.reg[METROLOGY_E_A_MINUS];
}

/* The phasor input passes metrology_phasor_set on every 15 minutes of a
 * week of a PV household, and the metered import and export energy match
 * the simulated net power (the harmonic power is below 0.1 %). */
static void test_metrology_chain(void **state) {
    loadsim_cfg_t c;
    metrology_cfg_t mc;
    metrology_t m;
    metrology_phasor_input_t in;
    meter_sink_t sink = {0, 0};
    double imp = 0.0, exp_wh = 0.0;
    (void)state;

    init_cfg(&c, 31);
    c.pv_kwp = 5.0;
    start(&c);
    metrology_cfg_default(&mc);
    mc.cb.user = &sink;
    mc.cb.measures = on_measures;
    assert_int_equal(metrology_init(&m, &mc), 0);
    for (int i = 0; i < 96 * 7; i++) {
        assert_int_equal(loadsim_eval(&ls, JUNE1 + (int64_t)i * Q_S, &in), 0);
        assert_int_equal(metrology_phasor_set(&m, &in), 0);
        assert_int_equal(metrology_phasor_step(&m, Q_S * 1000u), 0);
        double p = phasor_p(&in);
        imp += p > 0.0 ? p * 0.25 : 0.0;
        exp_wh += p < 0.0 ? -p * 0.25 : 0.0;
    }
    assert_true(exp_wh > 10e3);
    assert_true(fabs((double)sink.a_plus / 1e6 - imp) < 0.002 * imp + 1.0);
    assert_true(fabs((double)sink.a_minus / 1e6 - exp_wh) < 0.002 * exp_wh + 1.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),       cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_seeds_differ), cmocka_unit_test(test_annual_energy),
        cmocka_unit_test(test_shapes),       cmocka_unit_test(test_pv),
        cmocka_unit_test(test_ranges),       cmocka_unit_test(test_frequency_seconds),
        cmocka_unit_test(test_harmonics),    cmocka_unit_test(test_heat_pump),
        cmocka_unit_test(test_dips),         cmocka_unit_test(test_single_phase),
        cmocka_unit_test(test_summer_time),  cmocka_unit_test(test_metrology_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
