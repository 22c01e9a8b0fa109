/*
 * test_meter_core.c - the metering application core (lib/meter, issue 5
 * first slice, esmr variant): energy registers fed through meter_tick /
 * meter_step by the phasor source (A+ = P t, never decreasing, tariff
 * split with 1.8.1 + 1.8.2 = 1.8.0), instantaneous values with the DSMR
 * scalers, the 15-minute load profile (a row every quarter holding the
 * register at that instant, AMR DST bit, the 25-hour day of the October
 * change) and daily values at local midnight, event logs (codes, wrap at
 * capacity, reset writes 255, clock adjustment 4/5, failed login 46, PQ
 * events), alarm register 1 (set by events, cleared
 * by SET, filter and hook), and every new object read through the COSEM
 * dispatcher with its A-XDR type, as the management client sees it; the
 * omni variant meters without metering objects in its table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "cosem_test_table.h"
#include "meter/meter.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* 2024-01-15 12:00:00 UTC (13:00 CET), a multiple of 900 s. */
static const int64_t T = 1705320000;

static meter_t m;
static em_port_t port;
static int64_t rtc;
static uint32_t alarms_pushed;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int rtc_set(void *user, int64_t utc) {
    (void)user;
    rtc = utc;
    return 0;
}

static void on_alarm(void *user, meter_t *mm, unsigned reg, uint32_t bits) {
    (void)user;
    (void)mm;
    if (reg == 0)
        alarms_pushed |= bits;
}

/* Per phase: 230 V, 5 A, cos phi 0.9 (the runtime's fixed load). */
#define U_RMS     230.0
#define I_RMS     5.0
#define PF        0.9
#define P_TOTAL_W (3.0 * U_RMS * I_RMS * PF)

static void set_load(double u, double i, double pf) {
    metrology_phasor_input_t in;
    meter_load_balanced(&in, u, i, acos(pf) * 180.0 / 3.14159265358979323846, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
}

static int setup(void **state) {
    (void)state;
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    rtc = T;
    alarms_pushed = 0;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = METER_VARIANT_ESMR,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .serial_number = "E0001",
                           .equipment_id = "E0001",
                           .max_pdu = 1024,
                           .time_zone_min = -60};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    /* Tariffs set by hand here; the calendar is test_meter_tariff.c's. */
    cosem_activity_calendar_init(&m.calendar);
    m.on_alarm = on_alarm;
    set_load(U_RMS, I_RMS, PF);
    return 0;
}

/* One tick at utc with the RTC following the simulated time. */
static void tick(int64_t utc) {
    rtc = utc;
    assert_int_equal(meter_tick(&m, utc), 0);
}

static void step(int64_t utc, uint32_t seconds) {
    rtc = utc;
    assert_int_equal(meter_step(&m, utc, seconds), 0);
}

/* ---- dispatcher helpers -------------------------------------------------------------------- */

static uint8_t out[64 * 1024];
static size_t out_len;

static dlms_assoc_view_t view(uint8_t assoc) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.assoc_index = assoc;
    v.client_sap = assoc == METER_ASSOC_MANAGEMENT ? 1 : 16;
    v.server_sap = 1;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.ciphered = assoc == METER_ASSOC_MANAGEMENT;
    return v;
}

static int get_as(uint8_t assoc, uint16_t cls, const uint8_t ln[6], int8_t attr) {
    dlms_assoc_view_t v = view(assoc);
    return cosem_call_get(&m.cosem, &v, cls, ln, attr, NULL, out, sizeof(out), &out_len);
}

static int get(uint16_t cls, const uint8_t ln[6], int8_t attr) {
    return get_as(METER_ASSOC_MANAGEMENT, cls, ln, attr);
}

static int set(uint16_t cls, const uint8_t ln[6], int8_t attr, const uint8_t *value, size_t n) {
    dlms_assoc_view_t v = view(METER_ASSOC_MANAGEMENT);
    return cosem_call_set(&m.cosem, &v, cls, ln, attr, value, n);
}

static int action(uint16_t cls, const uint8_t ln[6], int8_t method, const uint8_t *p, size_t n) {
    dlms_assoc_view_t v = view(METER_ASSOC_MANAGEMENT);
    uint8_t ret[16];
    size_t ret_len;
    bool has_ret = false;
    return cosem_call_action(&m.cosem, &v, cls, ln, method, p, n, ret, sizeof(ret), &ret_len,
                             &has_ret);
}

/* The last read gave exactly these bytes (or starts with them: prefix). */
static void expect_prefix(const uint8_t *p, size_t n) {
    assert_true(out_len >= n);
    assert_memory_equal(out, p, n);
}

static void expect_out(const uint8_t *p, size_t n) {
    assert_int_equal(out_len, n);
    assert_memory_equal(out, p, n);
}

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Value of a double-long-unsigned Register / Data attribute 2. */
static uint32_t get_u32(uint16_t cls, const uint8_t ln[6]) {
    assert_int_equal(get(cls, ln, 2), 0);
    assert_int_equal(out_len, 5);
    assert_int_equal(out[0], AXDR_DOUBLE_LONG_UNSIGNED);
    return be32(out + 1);
}

static uint32_t entries_in_use(const uint8_t ln[6]) {
    assert_int_equal(get(7, ln, 7), 0);
    assert_int_equal(out[0], AXDR_DOUBLE_LONG_UNSIGNED);
    return be32(out + 1);
}

/* Row i (0 = oldest) of a RAM ring. */
static void ring_row(cosem_profile_ram_rows_t *r, uint32_t i, uint8_t *row) {
    assert_true(i < r->count);
    assert_int_equal(r->rows.ops->read(r->rows.user, i, row), 0);
}

#define LN(...)      ((const uint8_t[6]){__VA_ARGS__})
#define LN_A_PLUS    LN(1, 0, 1, 8, 0, 255)
#define LN_A_PLUS_T1 LN(1, 0, 1, 8, 1, 255)
#define LN_A_PLUS_T2 LN(1, 0, 1, 8, 2, 255)
#define LN_LP        LN(1, 0, 99, 1, 0, 255)
#define LN_DAILY     LN(1, 0, 99, 2, 0, 255)
#define LN_STD_LOG   LN(0, 0, 99, 98, 0, 255)
#define LN_FRAUD_LOG LN(0, 0, 99, 98, 1, 255)
#define LN_PQ_LOG    LN(0, 0, 99, 98, 5, 255)
#define LN_ALARM1    LN(0, 0, 97, 98, 0, 255)
#define LN_FILTER1   LN(0, 0, 97, 98, 10, 255)
#define LN_CLOCK     LN(0, 0, 1, 0, 0, 255)

/* ---- energy registers ------------------------------------------------------------------------ */

static void assert_rel(double got, double want, double tol) {
    double err = fabs(got - want) / want;
    if (err > tol)
        fail_msg("%.3f vs %.3f: relative error %.3g > %.3g", got, want, err, tol);
}

/* One hour of 1-second ticks: A+ = P t to 1e-6, every register only grows. */
static void test_constant_load_ticks(void **state) {
    (void)state;
    meter_energy_t prev = m.energy;
    for (int64_t s = 1; s <= 3600; s++) {
        tick(T + s);
        for (unsigned k = 0; k < METER_E_COUNT; k++)
            assert_true(m.energy.uwh[k] >= prev.uwh[k]);
        prev = m.energy;
    }
    double wh = P_TOTAL_W * 1.0;
    assert_rel((double)m.energy.uwh[METER_E_A_PLUS] / 1e6, wh, 1e-6);
    for (unsigned k = 0; k < 3; k++)
        assert_rel((double)m.energy.uwh[METER_E_A_PLUS_L1 + k] / 1e6, wh / 3, 1e-6);
    assert_int_equal(m.energy.uwh[METER_E_A_MINUS], 0);
    assert_int_equal(m.energy.uwh[METER_E_A_ABS], m.energy.uwh[METER_E_A_PLUS]);
    /* Inductive import: all reactive energy in QI. */
    double varh = 3.0 * U_RMS * I_RMS * sqrt(1.0 - PF * PF);
    assert_rel((double)m.energy.uwh[METER_E_R1] / 1e6, varh, 1e-6);
    assert_int_equal(m.energy.uwh[METER_E_R_PLUS], m.energy.uwh[METER_E_R1]);
    assert_int_equal(m.energy.uwh[METER_E_R_MINUS], 0);
    assert_rel((double)m.energy.uwh[METER_E_S_PLUS] / 1e6, 3.0 * U_RMS * I_RMS, 1e-6);
    /* The client reads floor(Wh). */
    assert_int_equal(get_u32(3, LN_A_PLUS), (uint32_t)(m.energy.uwh[METER_E_A_PLUS] / 1000000u));
    assert_int_equal(get_u32(3, LN_A_PLUS), 3105);
}

/* 48 hours in 15-minute steps: the same law at scale. */
static void test_constant_load_steps(void **state) {
    (void)state;
    uint64_t prev = 0;
    for (int64_t q = 1; q <= 48 * 4; q++) {
        step(T + q * 900, 900);
        assert_true(m.energy.uwh[METER_E_A_PLUS] > prev);
        prev = m.energy.uwh[METER_E_A_PLUS];
    }
    assert_rel((double)prev / 1e6, P_TOTAL_W * 48, 1e-6);
}

static void test_tariff_split(void **state) {
    (void)state;
    assert_int_equal(meter_set_tariff(&m, 3), METER_ERR_TARIFF); /* esmr has 2 */
    assert_int_equal(meter_set_tariff(&m, 0), METER_ERR_TARIFF);
    assert_int_equal(m.tariff, 1);
    int64_t t = T;
    for (int q = 0; q < 4; q++)
        step(t += 900, 900);
    assert_int_equal(meter_set_tariff(&m, 2), 0);
    assert_int_equal(get(1, LN(0, 0, 96, 14, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_OCTET_STRING, 2, 0, 2));
    for (int q = 0; q < 8; q++)
        step(t += 900, 900);
    const uint64_t *u = m.energy.uwh;
    assert_int_equal(u[METER_E_A_PLUS_T1] + u[METER_E_A_PLUS_T1 + 1], u[METER_E_A_PLUS]);
    assert_rel((double)u[METER_E_A_PLUS_T1] / 1e6, P_TOTAL_W * 1, 1e-6);
    assert_rel((double)u[METER_E_A_PLUS_T1 + 1] / 1e6, P_TOTAL_W * 2, 1e-6);
    assert_int_equal(u[METER_E_A_MINUS_T1] + u[METER_E_A_MINUS_T1 + 1], u[METER_E_A_MINUS]);
    /* In Wh the floors may lose one unit per extra tariff. */
    uint32_t t1 = get_u32(3, LN_A_PLUS_T1), t2 = get_u32(3, LN_A_PLUS_T2);
    uint32_t tot = get_u32(3, LN_A_PLUS);
    assert_true(t1 + t2 == tot || t1 + t2 + 1 == tot);
    assert_int_equal(tot, 9315);
}

/* Export: a current in phase opposition registers A- and leaves A+. */
static void test_export(void **state) {
    (void)state;
    metrology_phasor_input_t in;
    meter_load_balanced(&in, U_RMS, I_RMS, 180.0, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
    step(T + 3600, 3600);
    assert_int_equal(m.energy.uwh[METER_E_A_PLUS], 0);
    assert_rel((double)m.energy.uwh[METER_E_A_MINUS] / 1e6, 3 * U_RMS * I_RMS, 1e-6);
    assert_int_equal(m.energy.uwh[METER_E_A_MINUS_T1], m.energy.uwh[METER_E_A_MINUS]);
    assert_int_equal(m.energy.uwh[METER_E_A_ABS], m.energy.uwh[METER_E_A_MINUS]);
    assert_int_equal(m.inst.p_plus_w, 0);
    assert_int_equal(m.inst.p_minus_w, 3450);
}

/* ---- instantaneous values -------------------------------------------------------------------- */

static void test_instantaneous(void **state) {
    (void)state;
    tick(T + 1);
    /* voltage L1: long-unsigned 2300 x 10^-1 V */
    assert_int_equal(get(3, LN(1, 0, 32, 7, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0x08, 0xFC));
    assert_int_equal(get(3, LN(1, 0, 72, 7, 0, 255), 3), 0);
    expect_out(BYTES(AXDR_STRUCTURE, 2, AXDR_INTEGER, 0xFF, AXDR_ENUM, 35));
    /* current L2: 500 x 10^-2 A */
    assert_int_equal(get(3, LN(1, 0, 51, 7, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0x01, 0xF4));
    assert_int_equal(get(3, LN(1, 0, 51, 7, 0, 255), 3), 0);
    expect_out(BYTES(AXDR_STRUCTURE, 2, AXDR_INTEGER, 0xFE, AXDR_ENUM, 33));
    /* +P total 3105 W, per phase 1035 W, -P 0 */
    assert_int_equal(get_u32(3, LN(1, 0, 1, 7, 0, 255)), 3105);
    assert_int_equal(get_u32(3, LN(1, 0, 41, 7, 0, 255)), 1035);
    assert_int_equal(get_u32(3, LN(1, 0, 2, 7, 0, 255)), 0);
    /* frequency 5000 x 10^-2 Hz, PF 900 x 10^-3, neutral ~0 A */
    assert_int_equal(get(3, LN(1, 0, 14, 7, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0x13, 0x88));
    assert_int_equal(get(3, LN(1, 0, 13, 7, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG, 0x03, 0x84));
    assert_int_equal(get(3, LN(1, 0, 73, 7, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG, 0x03, 0x84));
    assert_int_equal(get(3, LN(1, 0, 91, 7, 0, 255), 2), 0);
    assert_int_equal(out[0], AXDR_LONG_UNSIGNED);
    assert_true(out[1] == 0 && out[2] <= 1);
    /* energy register scaler_unit {0, Wh} */
    assert_int_equal(get(3, LN_A_PLUS, 3), 0);
    expect_out(BYTES(AXDR_STRUCTURE, 2, AXDR_INTEGER, 0, AXDR_ENUM, 30));
    assert_int_equal(get(3, LN(1, 0, 3, 8, 0, 255), 3), 0);
    expect_out(BYTES(AXDR_STRUCTURE, 2, AXDR_INTEGER, 0, AXDR_ENUM, 32));
    assert_int_equal(get(3, LN(1, 0, 9, 8, 0, 255), 3), 0);
    expect_out(BYTES(AXDR_STRUCTURE, 2, AXDR_INTEGER, 0, AXDR_ENUM, 31));
}

/* Every metering object of the esmr table: readable by the management
 * client with the expected type, invisible to the public client. */
static void test_dispatch_types(void **state) {
    (void)state;
    size_t n;
    const cosem_object_t *objs = meter_objects(METER_VARIANT_ESMR, &n);
    unsigned checked = 0;
    for (size_t i = 0; i < n; i++) {
        const cosem_object_t *o = &objs[i];
        uint16_t cls = o->cls->class_id;
        bool metering = o->ln[0] == 1 && o->ln[1] == 0 && o->ln[2] != 0;
        bool status = o->ln[0] == 0 &&
                      (o->ln[2] == 96 && (o->ln[3] == 10 || o->ln[3] == 11 || o->ln[3] == 14));
        bool logs = o->ln[2] == 99 || (o->ln[2] == 97 && o->ln[3] == 98);
        if (!metering && !status && !logs)
            continue;
        checked++;
        assert_int_equal(get(cls, o->ln, 2), 0);
        uint8_t tag = out[0];
        if (cls == 3 && o->ln[3] == 8)
            assert_int_equal(tag, AXDR_DOUBLE_LONG_UNSIGNED);
        else if (cls == 7)
            assert_int_equal(tag, AXDR_ARRAY);
        else if (o->ln[2] == 96 && o->ln[3] == 14)
            assert_int_equal(tag, AXDR_OCTET_STRING);
        else if (o->ln[2] == 96 && o->ln[3] == 11 && o->ln[4] >= 20)
            assert_int_equal(tag, AXDR_DOUBLE_LONG_UNSIGNED); /* magnitude, duration */
        else if (o->ln[2] == 96)
            assert_int_equal(tag, AXDR_UNSIGNED);
        else if (o->ln[2] == 97)
            assert_int_equal(tag, AXDR_DOUBLE_LONG_UNSIGNED);
        else
            assert_true(tag == AXDR_LONG_UNSIGNED || tag == AXDR_DOUBLE_LONG_UNSIGNED ||
                        tag == AXDR_LONG);
        if (cls == 3) {
            assert_int_equal(get(cls, o->ln, 3), 0);
            assert_int_equal(out[0], AXDR_STRUCTURE);
        }
        /* The public client does not see metering objects. */
        assert_int_equal(get_as(METER_ASSOC_PUBLIC, cls, o->ln, 2), DLMS_DAR_OBJECT_UNDEFINED);
    }
    /* 21 energy, 32 instantaneous and average, 22 power quality, 11 status
     * and AMR, 21 logs and last event codes, 6 alarm registers and filters. */
    assert_int_equal(checked, 113);
}

/* ---- load profile and daily values ------------------------------------------------------------
 */

/* Date-time bytes of a row's clock column: hour and minute (local). */
static void row_time(const uint8_t *row, unsigned *hour, unsigned *minute) {
    assert_int_equal(row[2], AXDR_OCTET_STRING);
    assert_int_equal(row[3], 12);
    *hour = row[4 + 5];
    *minute = row[4 + 6];
}

static void test_load_profile(void **state) {
    (void)state;
    /* The register at each quarter boundary, as the tick after it sees it
     * (the boundary second is the last one of the interval). */
    uint32_t at_boundary[8];
    unsigned nb = 0;
    for (int64_t s = 1; s <= 7200 + 5; s++) {
        tick(T + s);
        if ((T + s) % 900 == 0 && nb < 8)
            at_boundary[nb++] = meter_energy_wh(&m.energy, METER_E_A_PLUS);
    }
    assert_int_equal(nb, 8);
    assert_int_equal(entries_in_use(LN_LP), 8);
    assert_int_equal(m.prof_ram[METER_PROF_LP].count, 8);
    uint8_t row[METER_LP_ROW];
    uint32_t prev = 0;
    for (unsigned i = 0; i < 8; i++) {
        ring_row(&m.prof_ram[METER_PROF_LP], i, row);
        unsigned h, mi;
        row_time(row, &h, &mi);
        /* 13:15 CET, 13:30 ... 15:00 */
        unsigned local = 13 * 60 + 15 * (i + 1);
        assert_int_equal(h * 60 + mi, local);
        assert_int_equal(row[16], AXDR_UNSIGNED);
        assert_int_equal(row[17], 0); /* AMR status: nothing to report in January */
        assert_int_equal(row[18], AXDR_DOUBLE_LONG_UNSIGNED);
        uint32_t a = be32(row + 19);
        assert_int_equal(a, at_boundary[i]);
        /* register deltas equal profile deltas: P x 15 min each */
        if (i > 0)
            assert_true(a - prev == 776 || a - prev == 777);
        prev = a;
        assert_int_equal(row[23], AXDR_DOUBLE_LONG_UNSIGNED);
        assert_int_equal(be32(row + 24), 0);
    }
    /* The buffer through the dispatcher: array of 8 structures of 4. */
    assert_int_equal(get(7, LN_LP, 2), 0);
    expect_prefix(BYTES(AXDR_ARRAY, 8, AXDR_STRUCTURE, 4, AXDR_OCTET_STRING, 12));
}

static void test_daily_values(void **state) {
    (void)state;
    /* 3 days in quarters: local midnights at 23:00 UTC. */
    int64_t t = T;
    uint32_t t1_at_midnight[3];
    unsigned nm = 0;
    assert_int_equal(meter_set_tariff(&m, 2), 0);
    for (int q = 0; q < 3 * 96; q++) {
        t += 900;
        if (q == 40)
            assert_int_equal(meter_set_tariff(&m, 1), 0);
        step(t, 900);
        if ((t + 3600) % 86400 == 0)
            t1_at_midnight[nm++] = meter_energy_wh(&m.energy, METER_E_A_PLUS_T1);
    }
    assert_int_equal(nm, 3);
    assert_int_equal(m.prof_ram[METER_PROF_DAILY].count, 3);
    assert_int_equal(m.prof_ram[METER_PROF_LP].count, 3 * 96);
    uint8_t row[METER_DAILY_ROW];
    for (unsigned i = 0; i < 3; i++) {
        ring_row(&m.prof_ram[METER_PROF_DAILY], i, row);
        unsigned h, mi;
        row_time(row, &h, &mi);
        assert_int_equal(h, 0);
        assert_int_equal(mi, 0);
        assert_int_equal(row[4 + 3], 16 + i); /* day of month */
        /* columns: amr, A+ T1, A+ T2, A- T1, A- T2 */
        assert_int_equal(row[18], AXDR_DOUBLE_LONG_UNSIGNED);
        assert_int_equal(be32(row + 19), t1_at_midnight[i]);
    }
    ring_row(&m.prof_ram[METER_PROF_DAILY], 0, row);
    assert_true(be32(row + 24) > 0); /* T2 ran before the switch */
}

/* Summer: the AMR status of every row has the DST bit; the row's clock
 * shows CEST (deviation -120, status 0x80). Over the October change the
 * 25-hour local day gets 100 quarters. */
static void test_load_profile_dst(void **state) {
    (void)state;
    const int64_t oct26 = 1729980000; /* 2024-10-26 22:00 UTC, 00:00 CEST Oct 27 */
    int64_t t = oct26;
    rtc = t;
    for (int q = 0; q < 100; q++)
        step(t += 900, 900);
    assert_int_equal(m.prof_ram[METER_PROF_LP].count, 100);
    uint8_t row[METER_LP_ROW];
    ring_row(&m.prof_ram[METER_PROF_LP], 0, row); /* 00:15 CEST */
    assert_int_equal(row[17], METER_AMR_DST);
    assert_int_equal(row[4 + 9], 0xFF); /* deviation -120 */
    assert_int_equal(row[4 + 10], 0x88);
    assert_int_equal(row[4 + 11], 0x80);
    ring_row(&m.prof_ram[METER_PROF_LP], 99, row); /* local midnight of Oct 28, CET */
    assert_int_equal(row[17], 0);
    assert_int_equal(row[4 + 3], 28);
    assert_int_equal(row[4 + 5], 0);
    assert_int_equal(row[4 + 6], 0);
    /* the daily value at local midnight after 25 hours */
    assert_int_equal(m.prof_ram[METER_PROF_DAILY].count, 1);
    assert_rel((double)m.energy.uwh[METER_E_A_PLUS] / 1e6, P_TOTAL_W * 25, 1e-6);
}

/* Monthly billing values: one row at each local month start, holding the
 * tariff registers of that instant; a clock set back captures nothing. */
static void test_monthly_billing(void **state) {
    (void)state;
    const int64_t jan30 = 1706616000; /* 2024-01-30 12:00 UTC */
    int64_t t = jan30;
    rtc = t;
    uint32_t t1_at[2];
    unsigned n = 0;
    for (int h = 0; h < 32 * 24; h++) {
        step(t += 3600, 3600);
        if (t == 1706742000 || t == 1709247600) /* Feb 1, Mar 1 00:00 CET */
            t1_at[n++] = meter_energy_wh(&m.energy, METER_E_A_PLUS_T1);
    }
    assert_int_equal(n, 2);
    assert_int_equal(m.prof_ram[METER_PROF_MONTHLY].count, 2);
    assert_int_equal(entries_in_use(LN(1, 0, 98, 1, 0, 255)), 2);
    uint8_t row[METER_MONTHLY_ROW];
    for (unsigned i = 0; i < 2; i++) {
        ring_row(&m.prof_ram[METER_PROF_MONTHLY], i, row);
        assert_int_equal(row[4 + 2], 2 + i); /* month */
        assert_int_equal(row[4 + 3], 1);     /* day */
        assert_int_equal(row[4 + 5], 0);
        assert_int_equal(row[4 + 6], 0);
        assert_int_equal(row[16], AXDR_UNSIGNED);
        assert_int_equal(row[18], AXDR_DOUBLE_LONG_UNSIGNED);
        assert_int_equal(be32(row + 19), t1_at[i]);
    }
    /* Set back into February and forward again: March is not closed twice. */
    step(1708000000, 3600); /* 2024-02-15 */
    step(1709300000, 3600); /* 2024-03-01 again */
    assert_int_equal(m.prof_ram[METER_PROF_MONTHLY].count, 2);
    step(1711929600, 3600); /* 2024-04-01 00:00 UTC = 02:00 CEST: April closes */
    assert_int_equal(m.prof_ram[METER_PROF_MONTHLY].count, 3);
    ring_row(&m.prof_ram[METER_PROF_MONTHLY], 2, row);
    assert_int_equal(row[4 + 2], 4);
    assert_int_equal(row[4 + 5], 0); /* stamped 00:00 CEST */
    assert_int_equal(row[4 + 11], 0x80);
    /* The close can also be triggered (future end-of-billing schedule). */
    assert_int_equal(meter_billing_close(&m, 1711929600), 0);
    assert_int_equal(m.prof_ram[METER_PROF_MONTHLY].count, 4);
}

/* ---- event logs and alarms ------------------------------------------------------------------- */

static uint8_t log_code(cosem_profile_ram_rows_t *r, uint32_t i) {
    uint8_t row[METER_LOG_ROW];
    ring_row(r, i, row);
    assert_int_equal(row[16], AXDR_UNSIGNED);
    return row[17];
}

static void test_event_log_wrap(void **state) {
    (void)state;
    cosem_profile_ram_rows_t *std = &m.prof_ram[METER_PROF_LOG_STD + METER_LOG_STANDARD];
    for (unsigned i = 0; i < 105; i++)
        assert_int_equal(meter_event(&m, METER_LOG_STANDARD, (uint8_t)(100 + i), T + i), 0);
    assert_int_equal(entries_in_use(LN_STD_LOG), 100);
    assert_int_equal(log_code(std, 0), 105); /* the 5 oldest are gone */
    assert_int_equal(log_code(std, 99), 204);
    assert_int_equal(get(1, LN(0, 0, 96, 11, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_UNSIGNED, 204));
    /* profile_entries as SMR 5 says */
    assert_int_equal(get(7, LN_STD_LOG, 8), 0);
    assert_int_equal(be32(out + 1), 100);
    assert_int_equal(get(7, LN_FRAUD_LOG, 8), 0);
    assert_int_equal(be32(out + 1), 30);
    for (unsigned i = 0; i < 31; i++)
        assert_int_equal(meter_auth_failure(&m, T + i), 0);
    assert_int_equal(entries_in_use(LN_FRAUD_LOG), 30);
    assert_int_equal(log_code(&m.prof_ram[METER_PROF_LOG_STD + METER_LOG_FRAUD], 29),
                     METER_EV_FAILED_LOGIN);
    assert_int_equal(meter_event(&m, METER_LOG_COUNT, 1, T), METER_ERR_BADARG);
}

static void test_event_log_reset_writes_255(void **state) {
    (void)state;
    for (unsigned i = 0; i < 10; i++)
        meter_event(&m, METER_LOG_STANDARD, METER_EV_POWER_UP, T + i);
    rtc = T + 100;
    assert_int_equal(action(7, LN_STD_LOG, 1, BYTES(AXDR_INTEGER, 0)), 0);
    assert_int_equal(entries_in_use(LN_STD_LOG), 1);
    assert_int_equal(log_code(&m.prof_ram[METER_PROF_LOG_STD + METER_LOG_STANDARD], 0),
                     METER_EV_LOG_CLEARED);
    assert_int_equal(m.event_code[METER_LOG_STANDARD], 255);
    /* Other profiles' reset logs nothing. */
    assert_int_equal(action(7, LN_PQ_LOG, 1, BYTES(AXDR_INTEGER, 0)), 0);
    assert_int_equal(entries_in_use(LN_PQ_LOG), 1);
    assert_int_equal(action(7, LN_LP, 1, BYTES(AXDR_INTEGER, 0)), 0);
    assert_int_equal(entries_in_use(LN_LP), 0);
}

static void test_clock_adjust_events(void **state) {
    (void)state;
    for (int64_t s = 1; s <= 10; s++)
        tick(T + s);
    /* shift_time +60 s */
    assert_int_equal(action(8, LN_CLOCK, 6, BYTES(AXDR_LONG, 0x00, 0x3C)), 0);
    assert_int_equal(rtc, T + 70);
    cosem_profile_ram_rows_t *std = &m.prof_ram[METER_PROF_LOG_STD + METER_LOG_STANDARD];
    assert_int_equal(std->count, 2);
    assert_int_equal(log_code(std, 0), METER_EV_CLOCK_ADJUSTED_OLD);
    assert_int_equal(log_code(std, 1), METER_EV_CLOCK_ADJUSTED_NEW);
    uint8_t row[METER_LOG_ROW];
    ring_row(std, 0, row);
    assert_int_equal(row[4 + 6], 0); /* 13:00:10 */
    assert_int_equal(row[4 + 7], 10);
    ring_row(std, 1, row);
    assert_int_equal(row[4 + 6], 1); /* 13:01:10 */
    assert_int_equal(row[4 + 7], 10);
    /* The quarter that holds the adjustment is flagged. */
    for (int64_t t = T + 71; t <= T + 901; t++)
        tick(t);
    uint8_t lp[METER_LP_ROW];
    ring_row(&m.prof_ram[METER_PROF_LP], m.prof_ram[METER_PROF_LP].count - 1, lp);
    assert_int_equal(lp[17], METER_AMR_CLOCK_ADJUSTED);
    for (int64_t t = T + 902; t <= T + 1801; t++)
        tick(t);
    ring_row(&m.prof_ram[METER_PROF_LP], m.prof_ram[METER_PROF_LP].count - 1, lp);
    assert_int_equal(lp[17], 0);
    /* A time-zone write is no adjustment. */
    assert_int_equal(set(8, LN_CLOCK, 3, BYTES(AXDR_LONG, 0xFF, 0xC4)), 0);
    assert_int_equal(std->count, 2);
}

static void test_alarm_register(void **state) {
    (void)state;
    m.clock.status |= COSEM_CLOCK_STATUS_INVALID;
    assert_int_equal(meter_power_up(&m, T), 0);
    assert_int_equal(log_code(&m.prof_ram[METER_PROF_LOG_STD + METER_LOG_STANDARD], 0),
                     METER_EV_POWER_UP);
    assert_int_equal(log_code(&m.prof_ram[METER_PROF_LOG_STD + METER_LOG_STANDARD], 1),
                     METER_EV_CLOCK_INVALID);
    assert_int_equal(meter_auth_failure(&m, T + 1), 0);
    uint32_t want = METER_ALARM_POWER_UP | METER_ALARM_CLOCK_INVALID | METER_ALARM_FRAUD_ATTEMPT;
    assert_int_equal(get_u32(1, LN_ALARM1), want);
    assert_int_equal(alarms_pushed, want);
    /* Writing a mask clears those bits only, and logs event 11. */
    assert_int_equal(set(1, LN_ALARM1, 2, BYTES(AXDR_DOUBLE_LONG_UNSIGNED, 0, 0, 0, 0x05)), 0);
    assert_int_equal(get_u32(1, LN_ALARM1), METER_ALARM_FRAUD_ATTEMPT);
    cosem_profile_ram_rows_t *std = &m.prof_ram[METER_PROF_LOG_STD + METER_LOG_STANDARD];
    assert_int_equal(log_code(std, std->count - 1), METER_EV_ALARM_CLEARED);
    assert_int_equal(set(1, LN_ALARM1, 2, BYTES(AXDR_LONG_UNSIGNED, 0, 1)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(get_u32(1, LN_ALARM1), METER_ALARM_FRAUD_ATTEMPT);
    /* The filter selects what is pushed, not what is registered. */
    assert_int_equal(get_u32(1, LN_FILTER1), UINT32_MAX);
    assert_int_equal(set(1, LN_FILTER1, 2, BYTES(AXDR_DOUBLE_LONG_UNSIGNED, 0, 0, 0, 0x04)), 0);
    assert_int_equal(get_u32(1, LN_FILTER1), 4);
    alarms_pushed = 0;
    meter_alarm_raise(&m, 0, METER_ALARM_NV_MEMORY);
    assert_int_equal(alarms_pushed, 0);
    assert_int_equal(set(1, LN_ALARM1, 2, BYTES(AXDR_DOUBLE_LONG_UNSIGNED, 0xFF, 0xFF, 0xFF, 0xFF)),
                     0);
    meter_event(&m, METER_LOG_STANDARD, METER_EV_POWER_UP, T + 5);
    assert_int_equal(alarms_pushed, METER_ALARM_POWER_UP);
    assert_int_equal(get_u32(1, LN_ALARM1), METER_ALARM_POWER_UP);
    /* Power down flag in the running load profile interval. */
    m.clock.status = 0;
    for (int64_t t = T + 1; t <= T + 901; t++)
        tick(t);
    uint8_t lp[METER_LP_ROW];
    ring_row(&m.prof_ram[METER_PROF_LP], m.prof_ram[METER_PROF_LP].count - 1, lp);
    assert_int_equal(lp[17], METER_AMR_POWER_DOWN);
}

/* A 60-s voltage sag on every phase: counters, PQ log entries. */
static void test_pq_events(void **state) {
    (void)state;
    int64_t t = T;
    for (int i = 0; i < 5; i++)
        tick(++t);
    set_load(180.0, I_RMS, PF);
    for (int i = 0; i < 60; i++)
        tick(++t);
    set_load(U_RMS, I_RMS, PF);
    for (int i = 0; i < 60; i++)
        tick(++t);
    assert_int_equal(get(1, LN(1, 0, 52, 32, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0, 1));
    assert_int_equal(get(1, LN(1, 0, 72, 36, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0, 0));
    cosem_profile_ram_rows_t *pq = &m.prof_ram[METER_PROF_LOG_STD + METER_LOG_PQ];
    assert_true(pq->count >= 3);
    bool sag[3] = {false, false, false};
    for (uint32_t i = 0; i < pq->count; i++) {
        uint8_t c = log_code(pq, i);
        assert_true(c >= 77 && c <= 98);
        if (c >= 93 && c <= 95)
            sag[c - 93] = true;
    }
    assert_true(sag[0] && sag[1] && sag[2]);
    assert_int_equal(m.event_code[METER_LOG_PQ], log_code(pq, pq->count - 1));
    /* last sag L3: 180.0 V for about 60 s ({-1, V}, {-1, s}) */
    assert_int_equal(get(3, LN(1, 0, 72, 34, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0x07, 0x08));
    assert_int_equal(get(3, LN(1, 0, 72, 33, 0, 255), 3), 0);
    expect_out(BYTES(AXDR_STRUCTURE, 2, AXDR_INTEGER, 0xFF, AXDR_ENUM, 7));
    uint32_t ds = get_u32(3, LN(1, 0, 72, 33, 0, 255));
    assert_true(ds >= 590 && ds <= 610);
    assert_int_equal(get_u32(3, LN(1, 0, 32, 37, 0, 255)), 0); /* no swell */
}

/* Sag/swell thresholds: read the pq defaults, write with checks. */
static void test_pq_thresholds(void **state) {
    (void)state;
    const uint8_t *sag_v = LN(1, 0, 12, 31, 0, 255), *sag_s = LN(1, 0, 12, 43, 0, 255);
    assert_int_equal(get(3, sag_v, 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0, 207)); /* 90 % of 230 V */
    assert_int_equal(get(3, LN(1, 0, 12, 35, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0, 253)); /* 110 % */
    assert_int_equal(get(3, sag_s, 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0, 30));
    assert_int_equal(set(3, sag_v, 2, BYTES(AXDR_LONG_UNSIGNED, 0, 200)), 0);
    assert_true(m.pq.cfg.sag_v == 200.0f);
    assert_int_equal(set(3, sag_v, 2, BYTES(AXDR_LONG_UNSIGNED, 0, 240)), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set(3, sag_v, 2, BYTES(AXDR_DOUBLE_LONG_UNSIGNED, 0, 0, 0, 200)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set(3, sag_s, 2, BYTES(AXDR_LONG_UNSIGNED, 0, 0)), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set(3, sag_s, 2, BYTES(AXDR_LONG_UNSIGNED, 0, 5)), 0);
    assert_int_equal(m.pq.cfg.sag_time_ms, 5000);
    /* A 10-s dip to 205 V is no sag any more (threshold 200 V). */
    int64_t t = T;
    set_load(205.0, I_RMS, PF);
    for (int i = 0; i < 10; i++)
        tick(++t);
    set_load(U_RMS, I_RMS, PF);
    for (int i = 0; i < 10; i++)
        tick(++t);
    assert_int_equal(m.pq.ph[0].sags, 0);
    /* A 10-s dip to 190 V is one now (time threshold 5 s, was 30 s). */
    set_load(190.0, I_RMS, PF);
    for (int i = 0; i < 10; i++)
        tick(++t);
    set_load(U_RMS, I_RMS, PF);
    for (int i = 0; i < 10; i++)
        tick(++t);
    assert_int_equal(m.pq.ph[0].sags, 1);
    /* The last sag objects are read-only. */
    assert_int_equal(set(3, LN(1, 0, 32, 34, 0, 255), 2, BYTES(AXDR_LONG_UNSIGNED, 0, 1)),
                     DLMS_DAR_READ_WRITE_DENIED);
}

static void test_bad_args(void **state) {
    (void)state;
    assert_int_equal(meter_step(&m, T + 1, 0), METER_ERR_STEP);
    assert_int_equal(meter_step(&m, T + 1, 86401), METER_ERR_STEP);
    assert_int_equal(meter_set_load(&m, NULL), METER_ERR_BADARG);
    metrology_phasor_input_t in;
    meter_load_balanced(&in, U_RMS, I_RMS, 0, 0.0);
    assert_true(meter_set_load(&m, &in) < 0);
    assert_string_equal(meter_strerror(METER_ERR_TARIFF),
                        "meter: tariff outside the variant's tariffs");
    assert_string_equal(meter_strerror(METROLOGY_ERR_RANGE),
                        metrology_strerror(METROLOGY_ERR_RANGE));
    assert_string_equal(meter_strerror(PQ_ERR_CONFIG), pq_strerror(PQ_ERR_CONFIG));
    assert_string_equal(meter_strerror(COSEM_ERR_PROFILE_FULL),
                        cosem_profile_strerror(COSEM_ERR_PROFILE_FULL));
}

/* The omni table has no metering objects yet: the meter still meters,
 * takes its 4 tariffs, and events raise alarm bits without a log. */
static void test_omni_core(void **state) {
    (void)state;
    static const uint8_t ldn[] = "OMN0000000000001";
    meter_identity_t id = {.variant = METER_VARIANT_OMNI,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .time_zone_min = -60};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    /* omni: the four-quadrant load profile, the analysis logger, debit
     * logger 2, no daily values (esmr's). */
    assert_non_null(m.prof_obj[METER_PROF_LP]);
    assert_non_null(m.prof_obj[METER_PROF_ANALYSIS]);
    assert_non_null(m.prof_obj[METER_PROF_DEBIT2]);
    assert_null(m.prof_obj[METER_PROF_DAILY]);
    assert_non_null(m.prof_obj[METER_PROF_LOG_STD + METER_LOG_STANDARD]);
    assert_int_equal(meter_set_tariff(&m, 4), 0);
    assert_int_equal(meter_set_tariff(&m, 5), METER_ERR_TARIFF);
    set_load(U_RMS, I_RMS, PF);
    step(T + 3600, 3600);
    uint64_t sum = 0, rsum = 0;
    for (unsigned t = 0; t < 4; t++) {
        sum += m.energy.uwh[METER_E_A_PLUS_T1 + t];
        rsum += m.energy.uwh[METER_E_R_PLUS_T1 + t];
    }
    assert_int_equal(sum, m.energy.uwh[METER_E_A_PLUS]);
    assert_int_equal(rsum, m.energy.uwh[METER_E_R_PLUS]);
    assert_int_equal(meter_power_up(&m, T + 3600), 0);
    assert_int_equal(m.alarm[0], METER_ALARM_POWER_UP);
}


/* ---- demand, maximum demand, billing (issue 5) ----------------------------------------------- */

#define LN_DEMAND_P LN(1, 0, 1, 4, 0, 255)
#define LN_MAX_P    LN(1, 0, 1, 6, 0, 255)
#define LN_MAX_P_T1 LN(1, 0, 1, 6, 1, 255)
#define LN_CUM_P    LN(1, 0, 1, 2, 0, 255)
#define LN_MONTHLY  LN(1, 0, 98, 1, 0, 255)
#define LN_BILLING  LN(0, 0, 15, 0, 0, 255)

/* Blocks of 15 minutes: the last average is the period's energy / 900 s;
 * the maximum (total and tariff in force) keeps the highest with the
 * period's end; end of billing adds it to the cumulative maximum. */
static void test_demand_and_billing(void **state) {
    (void)state;
    int64_t t = T;
    for (int i = 0; i < 2; i++)
        step(t += 900, 900);
    assert_int_equal(get(5, LN_DEMAND_P, 3), 0);
    assert_int_equal(out[0], AXDR_DOUBLE_LONG_UNSIGNED);
    assert_true(abs((int)be32(out + 1) - (int)lround(P_TOTAL_W)) <= 1);
    assert_true(abs((int)get_u32(4, LN_MAX_P) - (int)lround(P_TOTAL_W)) <= 1);
    assert_int_equal(get_u32(4, LN_MAX_P_T1), get_u32(4, LN_MAX_P));
    assert_int_equal(get_u32(4, LN(1, 0, 1, 6, 2, 255)), 0); /* tariff 2 never in force */
    /* capture_time (attr 5): the end of the period, 13:30 CET */
    assert_int_equal(get(4, LN_MAX_P, 5), 0);
    expect_prefix(BYTES(AXDR_OCTET_STRING, 12, 0x07, 0xE8, 1, 15, 1, 13, 30, 0));
    /* a higher period raises it, a lower one does not */
    set_load(U_RMS, 2 * I_RMS, PF);
    step(t += 900, 900);
    set_load(U_RMS, I_RMS / 2, PF);
    step(t += 900, 900);
    uint32_t max = get_u32(4, LN_MAX_P);
    assert_true(abs((int)max - (int)lround(2 * P_TOTAL_W)) <= 1);
    /* end of billing: captured with the maximum, then reset and accumulated */
    assert_int_equal(meter_billing_close(&m, t), 0);
    assert_int_equal(entries_in_use(LN_MONTHLY), 1);
    assert_int_equal(get_u32(3, LN_CUM_P), max);
    assert_int_equal(get_u32(4, LN_MAX_P), 0);
    assert_int_equal(get(1, LN(0, 0, 0, 1, 0, 255), 2), 0);
    expect_out(BYTES(AXDR_UNSIGNED, 1)); /* billing period counter */
    assert_int_equal(get(1, LN(0, 0, 0, 1, 2, 255), 2), 0);
    assert_int_equal(out[0], AXDR_OCTET_STRING);
    /* the same period is never closed twice (a clock set back) */
    assert_int_equal(meter_billing_close(&m, t - 900), 0);
    assert_int_equal(entries_in_use(LN_MONTHLY), 1);
    /* reset method of the demand register */
    assert_int_equal(action(5, LN_DEMAND_P, 1, BYTES(AXDR_INTEGER, 0)), 0);
    assert_int_equal(get(5, LN_DEMAND_P, 3), 0);
    expect_out(BYTES(AXDR_DOUBLE_LONG_UNSIGNED, 0, 0, 0, 0));
}

/* The end-of-billing schedule written over DLMS: the 15th at 00:00. */
static void test_billing_schedule(void **state) {
    (void)state;
    assert_int_equal(get(22, LN_BILLING, 4), 0); /* factory: every 1st */
    expect_out(BYTES(AXDR_ARRAY, 1, AXDR_STRUCTURE, 2, AXDR_OCTET_STRING, 4, 0, 0, 0, 0,
                     AXDR_OCTET_STRING, 5, 0xFF, 0xFF, 0xFF, 1, 0xFF));
    assert_int_equal(set(22, LN_BILLING, 4,
                         BYTES(AXDR_ARRAY, 1, AXDR_STRUCTURE, 2, AXDR_OCTET_STRING, 4, 0, 0, 0, 0,
                               AXDR_OCTET_STRING, 5, 0xFF, 0xFF, 0xFF, 15, 0xFF)),
                     0);
    int64_t t = 1707868800; /* 2024-02-14 00:00 UTC */
    for (int h = 0; h < 48; h++)
        step(t += 3600, 3600);
    assert_int_equal(entries_in_use(LN_MONTHLY), 1);
    uint8_t row[METER_MONTHLY_ROW];
    ring_row(&m.prof_ram[METER_PROF_MONTHLY], 0, row);
    assert_int_equal(row[4 + 2], 2);  /* February */
    assert_int_equal(row[4 + 3], 15); /* the 15th, 00:00 local */
    assert_int_equal(row[4 + 5], 0);
    /* script 1 of 0.0.10.0.1.255 executed by a head-end closes now */
    rtc = t;
    assert_int_equal(action(9, LN(0, 0, 10, 0, 1, 255), 1, BYTES(AXDR_LONG_UNSIGNED, 0, 1)), 0);
    assert_int_equal(entries_in_use(LN_MONTHLY), 2);
}

/* Power failures: counted, long ones logged with their duration. */
static void test_power_failures(void **state) {
    (void)state;
    const uint8_t *log = LN(1, 0, 99, 97, 0, 255);
    assert_int_equal(meter_power_failure(&m, T, T + 100), 0);
    assert_int_equal(get(1, LN(0, 0, 96, 7, 21, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0, 1));
    assert_int_equal(entries_in_use(log), 0);
    assert_int_equal(meter_power_failure(&m, T + 1000, T + 1400), 0);
    assert_int_equal(get(1, LN(0, 0, 96, 7, 9, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0, 1));
    assert_int_equal(get_u32(3, LN(0, 0, 96, 7, 19, 255)), 400);
    assert_int_equal(entries_in_use(log), 1);
    uint8_t row[32];
    ring_row(&m.prof_ram[METER_PROF_LOG_POWER], 0, row);
    assert_int_equal(row[16], AXDR_DOUBLE_LONG_UNSIGNED);
    assert_int_equal(be32(row + 17), 400);
    /* the threshold is the head-end's */
    assert_int_equal(set(3, LN(0, 0, 96, 7, 20, 255), 2,
                         BYTES(AXDR_DOUBLE_LONG_UNSIGNED, 0, 0, 0x01, 0xF4)),
                     0);
    assert_int_equal(meter_power_failure(&m, T + 2000, T + 2400), 0);
    assert_int_equal(entries_in_use(log), 1);
    assert_int_equal(get(1, LN(0, 0, 96, 7, 21, 255), 2), 0);
    expect_out(BYTES(AXDR_LONG_UNSIGNED, 0, 3));
}

/* PQ extended and THD logs, alarm register 2 and its clearing. */
static void test_pq_logs_alarm2(void **state) {
    (void)state;
    assert_int_equal(meter_pq_event(&m, PQ_EV_VOLTAGE_SAG + 1, 1985, 2500, T), 0);
    assert_int_equal(entries_in_use(LN_PQ_LOG), 1);
    assert_int_equal(entries_in_use(LN(0, 0, 99, 98, 7, 255)), 1);
    uint8_t row[32];
    ring_row(&m.prof_ram[METER_PROF_LOG_PQ_EXT], 0, row);
    assert_int_equal(row[17], PQ_EV_VOLTAGE_SAG + 1);
    assert_int_equal(be32(row + 19), 1985); /* 198.5 V */
    assert_int_equal(be32(row + 24), 2500); /* ms */
    assert_int_equal(get_u32(1, LN(0, 0, 96, 11, 20, 255)), 1985);
    assert_int_equal(get_u32(1, LN(0, 0, 96, 11, 21, 255)), 2500);
    assert_int_equal(meter_pq_event(&m, PQ_EV_THD_OVER + 2, 95, 0, T + 1), 0);
    assert_int_equal(entries_in_use(LN(0, 0, 99, 98, 8, 255)), 1);
    assert_int_equal(entries_in_use(LN(0, 0, 99, 98, 7, 255)), 1); /* THD not in PQ ext */
    uint32_t a2 = get_u32(1, LN(0, 0, 97, 98, 1, 255));
    assert_int_equal(a2, METER_ALARM2_SAG_L1 << 1 | METER_ALARM2_THD_L1 << 2);
    assert_int_equal(set(1, LN(0, 0, 97, 98, 1, 255), 2,
                         BYTES(AXDR_DOUBLE_LONG_UNSIGNED, 0, 0, 0, 0x02)),
                     0);
    assert_int_equal(get_u32(1, LN(0, 0, 97, 98, 1, 255)), METER_ALARM2_THD_L1 << 2);
    cosem_profile_ram_rows_t *std = &m.prof_ram[METER_PROF_LOG_STD];
    assert_int_equal(log_code(std, std->count - 1), 24); /* alarm register 2 cleared */
    /* alarm register 3 and the filters exist */
    assert_int_equal(get_u32(1, LN(0, 0, 97, 98, 2, 255)), 0);
    assert_int_equal(get_u32(1, LN(0, 0, 97, 98, 12, 255)), UINT32_MAX);
}

/* 10-minute averages from the power quality aggregation. */
static void test_averages(void **state) {
    (void)state;
    for (int64_t t = T + 1; t <= T + 660; t++)
        tick(t);
    assert_int_equal(get(3, LN(1, 0, 32, 24, 0, 255), 2), 0);
    assert_int_equal(out[0], AXDR_LONG_UNSIGNED);
    assert_true(abs((int)((out[1] << 8) | out[2]) - 2300) <= 2); /* 230.0 V */
    assert_int_equal(get(3, LN(1, 0, 71, 24, 0, 255), 2), 0);
    assert_true(abs((int)((out[1] << 8) | out[2]) - 500) <= 2); /* 5.00 A */
    assert_int_equal(get(3, LN(1, 0, 32, 24, 0, 255), 3), 0);
    expect_out(BYTES(AXDR_STRUCTURE, 2, AXDR_INTEGER, 0xFF, AXDR_ENUM, COSEM_UNIT_V));
}

/* Communication sessions: one entry per session that did something. */
static void test_comm_sessions(void **state) {
    (void)state;
    const uint8_t *log = LN(0, 0, 99, 98, 4, 255);
    assert_int_equal(meter_comm_session(&m, METER_ASSOC_MANAGEMENT, false, false, false, T), 0);
    assert_int_equal(entries_in_use(log), 0);
    assert_int_equal(meter_comm_session(&m, METER_ASSOC_MANAGEMENT, true, false, false, T), 0);
    assert_int_equal(meter_comm_session(&m, METER_ASSOC_MANAGEMENT, true, true, false, T + 1), 0);
    assert_int_equal(meter_comm_session(&m, METER_ASSOC_PUBLIC, true, true, true, T + 2), 0);
    assert_int_equal(entries_in_use(log), 3);
    uint8_t row[32];
    const uint8_t codes[3] = {METER_EV_COMM_READINGS, METER_EV_COMM_INTERVAL,
                              METER_EV_COMM_TECHNICAL};
    for (uint32_t i = 0; i < 3; i++) {
        ring_row(&m.prof_ram[METER_PROF_LOG_COMM], i, row);
        assert_int_equal(row[17], codes[i]);
        assert_int_equal(be32(row + 19), i + 1); /* the session counter */
    }
    assert_int_equal(get_u32(1, LN(0, 0, 96, 15, 4, 255)), 3);
    assert_int_equal(m.comm_sessions_assoc[METER_ASSOC_MANAGEMENT], 2);
    assert_int_equal(meter_comm_session(&m, METER_ASSOC_COUNT, true, false, false, T),
                     METER_ERR_BADARG);
}

/* omni: debiting every 2 months from January on the 5th; debit logger 2. */
static void test_omni_debiting(void **state) {
    (void)state;
    static const uint8_t ldn[] = "OMN0000000000001";
    meter_identity_t id = {.variant = METER_VARIANT_OMNI,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .time_zone_min = -60};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    assert_int_equal(meter_set_debiting(&m, 5, 1, 5), METER_BILLING_ERR_CONFIG);
    assert_int_equal(meter_set_debiting(&m, 2, 13, 5), METER_BILLING_ERR_CONFIG);
    assert_int_equal(meter_set_debiting(&m, 2, 1, 29), METER_BILLING_ERR_CONFIG);
    assert_int_equal(meter_set_debiting(&m, 2, 1, 5), 0);
    assert_int_equal(get(22, LN_BILLING, 4), 0);
    assert_int_equal(out[1], 6); /* Jan, Mar, May, Jul, Sep, Nov */
    set_load(U_RMS, I_RMS, PF);
    int64_t t = 1706745600; /* 2024-02-01 00:00 UTC */
    for (int h = 0; h < 40 * 24; h++)
        step(t += 3600, 3600);
    /* 5 February is not a debiting day, 5 March is */
    assert_int_equal(entries_in_use(LN_MONTHLY), 1);
    uint8_t row[METER_DEBIT_ROW];
    ring_row(&m.prof_ram[METER_PROF_MONTHLY], 0, row);
    assert_int_equal(row[4 + 2], 3);
    assert_int_equal(row[4 + 3], 5);
    assert_int_equal(row[4 + 5], 0);
    assert_int_equal(row[16], AXDR_UNSIGNED); /* the billing period counter */
    assert_int_equal(row[17], 1);
    /* debit logger 2 (daily): one row per local midnight passed */
    assert_int_equal(entries_in_use(LN(1, 0, 98, 2, 0, 255)), 40);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_constant_load_ticks, setup),
        cmocka_unit_test_setup(test_constant_load_steps, setup),
        cmocka_unit_test_setup(test_tariff_split, setup),
        cmocka_unit_test_setup(test_export, setup),
        cmocka_unit_test_setup(test_instantaneous, setup),
        cmocka_unit_test_setup(test_dispatch_types, setup),
        cmocka_unit_test_setup(test_load_profile, setup),
        cmocka_unit_test_setup(test_daily_values, setup),
        cmocka_unit_test_setup(test_load_profile_dst, setup),
        cmocka_unit_test_setup(test_monthly_billing, setup),
        cmocka_unit_test_setup(test_event_log_wrap, setup),
        cmocka_unit_test_setup(test_event_log_reset_writes_255, setup),
        cmocka_unit_test_setup(test_clock_adjust_events, setup),
        cmocka_unit_test_setup(test_alarm_register, setup),
        cmocka_unit_test_setup(test_pq_events, setup),
        cmocka_unit_test_setup(test_pq_thresholds, setup),
        cmocka_unit_test_setup(test_bad_args, setup),
        cmocka_unit_test_setup(test_omni_core, setup),
        cmocka_unit_test_setup(test_demand_and_billing, setup),
        cmocka_unit_test_setup(test_billing_schedule, setup),
        cmocka_unit_test_setup(test_power_failures, setup),
        cmocka_unit_test_setup(test_pq_logs_alarm2, setup),
        cmocka_unit_test_setup(test_averages, setup),
        cmocka_unit_test_setup(test_comm_sessions, setup),
        cmocka_unit_test_setup(test_omni_debiting, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
