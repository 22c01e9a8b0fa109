/*
 * test_meter_module_io.c - the OMNIPOWER module I/O of the omni meter
 * (lib/meter/module_io.c; seed 004 Z3, Z8, Z12, Z13, Z14; issue 8): the
 * Z3 port functions, pulse inputs counted into the register of the Z12
 * unit, tariff inputs (4-tariff, 2-tariff inverted) switching the tariff
 * only under module port control, the alarm input gated by Z8, the
 * debiting stop pulse closing the debiting period, the A+ pulse output
 * following the energy, a load control output following its plan, the
 * hour and power threshold counters, and the objects read and written by
 * the management client with their types and ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "cosem_test_table.h"
#include "meter/meter.h"

#define LN(...)   ((const uint8_t[6]){__VA_ARGS__})
#define LN_IN     LN(0, 0, 96, 3, 1, 255)
#define LN_OUT    LN(0, 0, 96, 3, 2, 255)
#define LN_Z3     LN(0, 0, 96, 3, 128, 255)
#define LN_Z12    LN(0, 0, 96, 3, 130, 255)
#define LN_PLAN   LN(0, 0, 96, 3, 132, 255)
#define LN_PULSE2 LN(0, 1, 24, 2, 2, 255)
#define LN_PULSE1 LN(0, 1, 24, 2, 1, 255)
#define LN_HOURS  LN(0, 0, 96, 8, 0, 255)
#define LN_THR    LN(1, 0, 1, 35, 0, 255)
#define LN_THR_N  LN(0, 0, 96, 15, 2, 255)
#define LN_STOPS  LN(0, 0, 96, 15, 1, 255)
#define T0        1705273200 /* 2024-01-15 00:00 CET */

static meter_t m;
static em_port_t port;
static int64_t rtc;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static const meter_identity_t ID = {.variant = METER_VARIANT_OMNI,
                                    .logical_device_name = (const uint8_t *)"OMN0000000000001",
                                    .logical_device_name_len = 16,
                                    .serial_number = "O0001",
                                    .max_pdu = 1024,
                                    .time_zone_min = -60};

static int setup(void **state) {
    (void)state;
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    rtc = T0;
    assert_int_equal(meter_init(&m, &ID, &port), 0);
    return 0;
}

static void step(uint32_t s) {
    rtc += s;
    assert_int_equal(meter_step(&m, rtc, s), 0);
}

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

static uint8_t out[256];
static size_t out_len;

static int get(uint16_t cls, const uint8_t ln[6], int8_t attr) {
    dlms_assoc_view_t v = view(METER_ASSOC_MANAGEMENT);
    return cosem_call_get(&m.cosem, &v, cls, ln, attr, NULL, out, sizeof(out), &out_len);
}

static int set(uint16_t cls, const uint8_t ln[6], int8_t attr, const uint8_t *val, size_t n) {
    dlms_assoc_view_t v = view(METER_ASSOC_MANAGEMENT);
    return cosem_call_set(&m.cosem, &v, cls, ln, attr, val, n);
}

/* Attribute 2 of a register as double-long-unsigned. */
static uint32_t reg_value(const uint8_t ln[6]) {
    assert_int_equal(get(3, ln, 2), 0);
    assert_int_equal(out_len, 5);
    assert_int_equal(out[0], 0x06);
    return (uint32_t)out[1] << 24 | (uint32_t)out[2] << 16 | (uint32_t)out[3] << 8 | out[4];
}

static void test_pulse_input_counted(void **state) {
    (void)state;
    /* no function configured: the port is no input */
    assert_int_equal(meter_io_input(&m, 1, 1, rtc), METER_IO_ERR_DIR);
    /* Z3 03 (pulse input / alarm input), Z12 2 (m3) over COSEM */
    static const uint8_t z3[] = {0x11, 3}, z12[] = {0x11, 2};
    assert_int_equal(set(1, LN_Z3, 2, z3, sizeof(z3)), 0);
    assert_int_equal(set(1, LN_Z12, 2, z12, sizeof(z12)), 0);
    for (unsigned i = 0; i < 25; i++) {
        assert_int_equal(meter_io_input(&m, 1, 1, rtc), 0);
        assert_int_equal(meter_io_input(&m, 1, 1, rtc), 0); /* level held: no edge */
        assert_int_equal(meter_io_input(&m, 1, 0, rtc), 0);
    }
    assert_int_equal(reg_value(LN_PULSE2), 25);
    assert_int_equal(reg_value(LN_PULSE1), 0); /* not the selected unit */
    assert_int_equal(get(3, LN_PULSE2, 3), 0);
    static const uint8_t su_m3[] = {0x02, 0x02, 0x0F, 0xFD, 0x16, 13};
    assert_int_equal(out_len, sizeof(su_m3));
    assert_memory_equal(out, su_m3, sizeof(su_m3));
    /* the alarm input is disabled by Z8 1 */
    assert_int_equal(meter_io_input(&m, 2, 1, rtc), METER_IO_ERR_DIR);
    assert_int_equal(meter_io_configure(&m, 3, 2, 2, 0), 0);
    assert_int_equal(meter_io_input(&m, 2, 1, rtc), 0);
    assert_int_equal(m.io.alarms, 1);
    assert_true(m.io.alarm_active);
    /* inputs state 0.0.96.3.1.255: port 2 high */
    assert_int_equal(get(1, LN_IN, 2), 0);
    assert_int_equal(out[1], 2);
}

static void test_tariff_inputs(void **state) {
    (void)state;
    /* 4-tariff inputs, but tariffs not from the module (Z13 0) */
    assert_int_equal(meter_io_configure(&m, 1, 1, 0, 0), 0);
    assert_int_equal(meter_io_input(&m, 1, 1, rtc), 0);
    assert_int_equal(m.tariff, 1);
    /* module port control: bit0 + 2 x bit1 */
    assert_int_equal(meter_io_configure(&m, 1, 1, 0, 1), 0);
    assert_int_equal(m.tariff, 2);
    assert_int_equal(meter_io_input(&m, 2, 1, rtc), 0);
    assert_int_equal(m.tariff, 4);
    assert_int_equal(meter_io_input(&m, 1, 0, rtc), 0);
    assert_int_equal(m.tariff, 3);
    /* the first step runs the factory calendar (tariff 1 at 00:00); the
     * inputs win again at the end of the step (docs/module-io.md) */
    step(1);
    assert_int_equal(m.tariff, 3);
    assert_int_equal(m.tariff_ind[1], 3);
    /* the energy goes to the input's tariff */
    metrology_phasor_input_t in;
    meter_load_balanced(&in, 230.0, 10.0, 0.0, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
    step(3600);
    assert_int_equal(m.tariff, 3);
    assert_true(meter_energy_wh(&m.energy, METER_E_A_PLUS_T1 + 2) > 6000);
    assert_int_equal(meter_energy_wh(&m.energy, METER_E_A_PLUS_T1 + 3), 0);
    /* a day with the factory calendar's switches (07:00, 23:00): under
     * module port control they switch nothing, every µWh is tariff 3 */
    for (int q = 0; q < 96; q++)
        step(900);
    assert_int_equal(m.tariff, 3);
    assert_int_equal(m.energy.uwh[METER_E_A_PLUS_T1 + 2], m.energy.uwh[METER_E_A_PLUS]);
    /* 2-tariff inverted (Z3 08): level 0 reads as 1 -> tariff 2 */
    assert_int_equal(meter_io_configure(&m, 8, 1, 0, 1), 0);
    assert_int_equal(meter_io_input(&m, 1, 0, rtc), 0);
    assert_int_equal(m.tariff, 2);
    assert_int_equal(meter_io_input(&m, 1, 1, rtc), 0);
    assert_int_equal(m.tariff, 1);
}

static void test_load_control_plan(void **state) {
    (void)state;
    assert_int_equal(meter_io_configure(&m, 26, 1, 0, 0), 0);
    /* plan: enabled, output 1 06:00-08:00, output 2 22:00-02:00 (local) */
    static const uint8_t plan[] = {0x02, 0x05, 0x03, 0x01, 0x12, 0x01, 0x68, 0x12,
                                   0x01, 0xE0, 0x12, 0x05, 0x28, 0x12, 0x00, 0x78};
    assert_int_equal(set(1, LN_PLAN, 2, plan, sizeof(plan)), 0);
    assert_int_equal(get(1, LN_PLAN, 2), 0);
    assert_int_equal(out_len, sizeof(plan));
    assert_memory_equal(out, plan, sizeof(plan));
    static const uint8_t bad[] = {0x02, 0x05, 0x03, 0x01, 0x12, 0x05, 0xA0, 0x12,
                                  0x01, 0xE0, 0x12, 0x05, 0x28, 0x12, 0x00, 0x78};
    assert_int_equal(set(1, LN_PLAN, 2, bad, sizeof(bad)), DLMS_DAR_OTHER_REASON);
    /* minute by minute over a local day: the outputs follow the plan */
    unsigned on1 = 0, on2 = 0;
    for (unsigned min = 0; min < 1440; min++) {
        step(60);
        uint32_t local = (min + 1) % 1440; /* the step ends at T0 + (min+1) minutes */
        bool want1 = local >= 360 && local < 480;
        bool want2 = local >= 1320 || local < 120;
        uint8_t o = meter_io_outputs(&m);
        assert_int_equal((o & 1u) != 0, want1);
        assert_int_equal((o & 2u) != 0, want2);
        on1 += (o & 1u) != 0;
        on2 += (o & 2u) != 0;
    }
    assert_int_equal(on1, 120);
    assert_int_equal(on2, 240);
    /* 0.0.96.3.2.255 shows the outputs */
    assert_int_equal(get(1, LN_OUT, 2), 0);
    assert_int_equal(out[0], 0x11);
    /* an input on an output port is refused */
    assert_int_equal(meter_io_input(&m, 1, 1, rtc), METER_IO_ERR_DIR);
}

static void test_counters_and_outputs(void **state) {
    (void)state;
    /* Z3 05: pulse input / A+ output; threshold 5 kW */
    assert_int_equal(meter_io_configure(&m, 5, 3, 1, 0), 0);
    static const uint8_t thr[] = {0x06, 0x00, 0x00, 0x13, 0x88};
    assert_int_equal(set(3, LN_THR, 2, thr, sizeof(thr)), 0);
    metrology_phasor_input_t hi, lo;
    meter_load_balanced(&hi, 230.0, 10.0, 0.0, 50.0); /* 6.9 kW */
    meter_load_balanced(&lo, 230.0, 2.0, 0.0, 50.0);  /* 1.4 kW */
    for (unsigned k = 0; k < 3; k++) {
        assert_int_equal(meter_set_load(&m, &hi), 0);
        step(600);
        assert_int_equal(meter_set_load(&m, &lo), 0);
        step(600);
    }
    assert_int_equal(reg_value(LN_THR_N), 3);
    assert_int_equal(reg_value(LN_HOURS), 1);
    /* A+ output: one pulse per Wh after the first step */
    uint32_t wh = meter_energy_wh(&m.energy, METER_E_A_PLUS);
    assert_true(m.io.out_pulses[1] > 0);
    assert_true(m.io.out_pulses[1] <= wh);
    assert_true(m.io.out_pulses[1] + 1200 >= wh); /* the first 600 s step is not pulsed */
    /* debiting stop pulse closes the debiting period */
    assert_int_equal(meter_io_configure(&m, 15, 1, 0, 0), 0);
    uint8_t before = m.billing.counter;
    assert_int_equal(meter_io_input(&m, 1, 1, rtc), 0);
    assert_int_equal(meter_io_input(&m, 1, 0, rtc), 0);
    assert_int_equal(reg_value(LN_STOPS), 1);
    assert_int_equal((uint8_t)(m.billing.counter - before), 1);
}

static void test_config_objects_validated(void **state) {
    (void)state;
    static const uint8_t z3_bad[] = {0x11, 24}, z3_ok[] = {0x11, 28}, wrong[] = {0x12, 0x00, 3};
    assert_int_equal(set(1, LN_Z3, 2, z3_bad, sizeof(z3_bad)), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set(1, LN_Z3, 2, wrong, sizeof(wrong)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set(1, LN_Z3, 2, z3_ok, sizeof(z3_ok)), 0);
    assert_int_equal(get(1, LN_Z3, 2), 0);
    assert_int_equal(out[1], 28);
    static const uint8_t z12_bad[] = {0x11, 4};
    assert_int_equal(set(1, LN_Z12, 2, z12_bad, sizeof(z12_bad)), DLMS_DAR_OTHER_REASON);
    /* read-only ones */
    static const uint8_t u8[] = {0x11, 1};
    assert_int_not_equal(set(1, LN_IN, 2, u8, sizeof(u8)), 0);
    assert_int_not_equal(set(3, LN_HOURS, 2, (const uint8_t[]){0x06, 0, 0, 0, 1}, 5), 0);
    /* the public client sees none of them */
    dlms_assoc_view_t v = view(METER_ASSOC_PUBLIC);
    assert_int_not_equal(
        cosem_call_get(&m.cosem, &v, 1, LN_Z3, 2, NULL, out, sizeof(out), &out_len), 0);
    /* every row readable with its type */
    static const struct {
        uint16_t cls;
        uint8_t ln[6];
        uint8_t tag;
    } rows[] = {
        {1, {0, 0, 96, 3, 1, 255}, 0x11},   {1, {0, 0, 96, 3, 2, 255}, 0x11},
        {1, {0, 0, 96, 3, 128, 255}, 0x11}, {1, {0, 0, 96, 3, 129, 255}, 0x11},
        {1, {0, 0, 96, 3, 130, 255}, 0x11}, {1, {0, 0, 96, 3, 131, 255}, 0x11},
        {1, {0, 0, 96, 3, 132, 255}, 0x02}, {3, {0, 1, 24, 2, 0, 255}, 0x06},
        {3, {0, 1, 24, 2, 3, 255}, 0x06},   {3, {0, 0, 96, 8, 0, 255}, 0x06},
        {3, {0, 0, 96, 15, 1, 255}, 0x06},  {3, {0, 0, 96, 15, 2, 255}, 0x06},
        {3, {0, 0, 96, 15, 3, 255}, 0x06},  {3, {1, 0, 1, 35, 0, 255}, 0x06},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_int_equal(get(rows[i].cls, rows[i].ln, 2), 0);
        assert_int_equal(out[0], rows[i].tag);
        if (rows[i].cls == 3)
            assert_int_equal(get(3, rows[i].ln, 3), 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pulse_input_counted, setup),
        cmocka_unit_test_setup(test_tariff_inputs, setup),
        cmocka_unit_test_setup(test_load_control_plan, setup),
        cmocka_unit_test_setup(test_counters_and_outputs, setup),
        cmocka_unit_test_setup(test_config_objects_validated, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
