/*
 * test_meter_readout.c - the meter's IEC 62056-21 readout lines
 * (lib/meter/readout): addresses in the reduced OBIS form, energy in kWh
 * with three decimals from the Wh a DLMS client reads, local time and date
 * of the Clock (CET in winter), identity strings, lines refused for codes
 * the port does not serve or tariffs the variant lacks, buffer limits, and
 * the readout list parser. Every line is checked with the iec21 data line
 * validator the optical port's server uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dlms/iec62056_21.h"
#include "meter/meter.h"
#include "meter/readout.h"

/* 2024-01-15 12:00:00 UTC = 13:00:00 CET. */
static const int64_t T = 1705320000;
static meter_t m;
static em_port_t port;

static int64_t rtc_get(void *user) {
    (void)user;
    return T;
}

static int setup(void **state) {
    (void)state;
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    static const uint8_t ldn[] = "MMM00000042";
    meter_identity_t id = {.variant = METER_VARIANT_ESMR,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 11,
                           .serial_number = "00000042",
                           .equipment_id = "E0042",
                           .max_pdu = 1024,
                           .time_zone_min = -60};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    return 0;
}

/* Line `index` of list, NUL-terminated, checked as an IEC 62056-21 data line. */
static const char *line(const meter_readout_item_t *list, size_t count, unsigned index) {
    static char buf[IEC21_VALUE_MAX_C + 32];
    int n = meter_readout_line(&m, list, count, T, index, buf, sizeof(buf) - 1);
    assert_true(n > 0);
    buf[n] = 0;
    assert_int_equal(iec21_data_line_check(buf, (size_t)n, IEC21_VALUE_MAX_C), 1);
    return buf;
}

static void test_default_list(void **state) {
    (void)state;
    m.energy.uwh[METER_E_A_PLUS] = 1234567891000ull; /* 1 234 567.891 Wh */
    m.energy.uwh[METER_E_A_PLUS_T1] = 999999ull;     /* below 1 Wh: 0 */
    m.energy.uwh[METER_E_A_PLUS_T1 + 1] = 1000000ull * 1500u;
    m.energy.uwh[METER_E_A_MINUS] = 4294967295000000ull; /* 4 294 967 295 Wh, the maximum */
    m.energy.uwh[METER_E_A_MINUS_T1] = 0;
    m.energy.uwh[METER_E_A_MINUS_T1 + 1] = 1000000ull * 12u;
    static const char *const want[] = {
        "0-0:96.1.0(00000042)",  "1.8.0(001234.567*kWh)",  "1.8.1(000000.000*kWh)",
        "1.8.2(000001.500*kWh)", "2.8.0(4294967.295*kWh)", "2.8.1(000000.000*kWh)",
        "2.8.2(000000.012*kWh)", "0.9.1(130000)",          "0.9.2(240115)",
    };
    assert_int_equal(meter_readout_default_count, sizeof(want) / sizeof(want[0]));
    for (unsigned i = 0; i < meter_readout_default_count; i++)
        assert_string_equal(line(meter_readout_default, meter_readout_default_count, i), want[i]);
    char buf[64];
    assert_int_equal(meter_readout_line(&m, meter_readout_default, meter_readout_default_count, T,
                                        (unsigned)meter_readout_default_count, buf, sizeof(buf)),
                     0);
}

static void test_identity_and_summer_time(void **state) {
    (void)state;
    const meter_readout_item_t list[] = {
        {{0, 0, 42, 0, 0}}, {{0, 0, 96, 1, 1}}, {{1, 0, 0, 9, 1}}, {{1, 0, 0, 9, 2}}};
    assert_string_equal(line(list, 4, 0), "0-0:42.0.0(MMM00000042)");
    assert_string_equal(line(list, 4, 1), "0-0:96.1.1(E0042)");
    /* 2024-07-01 22:30:05 UTC = 2024-07-02 00:30:05 CEST: the local date. */
    char buf[64];
    int n = meter_readout_line(&m, list, 4, 1719873005, 3, buf, sizeof(buf));
    assert_int_equal(n, 13);
    assert_memory_equal(buf, "0.9.2(240702)", 13);
    n = meter_readout_line(&m, list, 4, 1719873005, 2, buf, sizeof(buf));
    assert_memory_equal(buf, "0.9.1(003005)", 13);
}

static void test_refused(void **state) {
    (void)state;
    const meter_readout_item_t list[] = {
        {{1, 0, 1, 8, 3}},  /* esmr has two tariffs */
        {{1, 0, 32, 7, 0}}, /* not on the optical port */
        {{1, 0, 1, 8, 0}},
    };
    char buf[64];
    assert_int_equal(meter_readout_line(&m, list, 3, T, 0, buf, sizeof(buf)),
                     METER_READOUT_ERR_OBIS);
    assert_int_equal(meter_readout_line(&m, list, 3, T, 1, buf, sizeof(buf)),
                     METER_READOUT_ERR_OBIS);
    /* "1.8.0(000000.000*kWh)" is 21 characters: 20 do not fit. */
    m.energy.uwh[METER_E_A_PLUS] = 0;
    assert_int_equal(meter_readout_line(&m, list, 3, T, 2, buf, 20), METER_READOUT_ERR_SPACE);
    assert_int_equal(meter_readout_line(&m, list, 3, T, 2, buf, 21), 21);
    assert_int_equal(meter_readout_line(NULL, list, 3, T, 2, buf, 21), METER_READOUT_ERR_BADARG);
    assert_string_equal(meter_readout_strerror(METER_READOUT_ERR_OBIS),
                        "readout: OBIS code not available on the optical port");
}

static void parse_ok(const char *s, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e) {
    meter_readout_item_t it;
    assert_int_equal(meter_readout_parse(s, strlen(s), &it), 0);
    const uint8_t want[5] = {a, b, c, d, e};
    assert_memory_equal(it.obis, want, 5);
}

static void test_parse(void **state) {
    (void)state;
    parse_ok("1.8.0", 1, 0, 1, 8, 0);
    parse_ok("1.8.0*255", 1, 0, 1, 8, 0);
    parse_ok("0-0:96.1.0", 0, 0, 96, 1, 0);
    parse_ok("0.0.96.1.0.255", 0, 0, 96, 1, 0);
    parse_ok("1-0:2.8.2", 1, 0, 2, 8, 2);
    meter_readout_item_t it;
    static const char *const bad[] = {"",        "1.8",   "1.8.0.",        "1.8.0*101",
                                      "256.8.0", "1.8.x", "1.2.3.4.5.6.7", "1.0.1.8.0.0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(meter_readout_parse(bad[i], strlen(bad[i]), &it), METER_READOUT_ERR_OBIS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_default_list, setup),
        cmocka_unit_test_setup(test_identity_and_summer_time, setup),
        cmocka_unit_test_setup(test_refused, setup),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
