/*
 * test_p1.c - DSMR 5.0.2 P1 telegram encoder and CRC-16/ARC (lib/meter/p1).
 *
 * The strongest check is TELEGRAM_V5 of dsmr_parser (test/example_telegrams.py,
 * dlms-facts §5.2) rebuilt byte for byte from plain numbers: it proves the
 * line order, every field width and the CRC 6EEE at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "meter/p1.h"

static const char telegram_v5[] = "/ISk5\\2MT382-1000\r\n"
                                  "\r\n"
                                  "1-3:0.2.8(50)\r\n"
                                  "0-0:1.0.0(170102192002W)\r\n"
                                  "0-0:96.1.1(4B384547303034303436333935353037)\r\n"
                                  "1-0:1.8.1(000004.426*kWh)\r\n"
                                  "1-0:1.8.2(000002.399*kWh)\r\n"
                                  "1-0:2.8.1(000002.444*kWh)\r\n"
                                  "1-0:2.8.2(000000.000*kWh)\r\n"
                                  "0-0:96.14.0(0002)\r\n"
                                  "1-0:1.7.0(00.244*kW)\r\n"
                                  "1-0:2.7.0(00.000*kW)\r\n"
                                  "0-0:96.7.21(00013)\r\n"
                                  "0-0:96.7.9(00000)\r\n"
                                  "1-0:99.97.0(0)(0-0:96.7.19)\r\n"
                                  "1-0:32.32.0(00000)\r\n"
                                  "1-0:52.32.0(00000)\r\n"
                                  "1-0:72.32.0(00000)\r\n"
                                  "1-0:32.36.0(00000)\r\n"
                                  "1-0:52.36.0(00000)\r\n"
                                  "1-0:72.36.0(00000)\r\n"
                                  "0-0:96.13.0()\r\n"
                                  "1-0:32.7.0(0230.0*V)\r\n"
                                  "1-0:52.7.0(0230.0*V)\r\n"
                                  "1-0:72.7.0(0229.0*V)\r\n"
                                  "1-0:31.7.0(0.48*A)\r\n"
                                  "1-0:51.7.0(0.44*A)\r\n"
                                  "1-0:71.7.0(0.86*A)\r\n"
                                  "1-0:21.7.0(00.070*kW)\r\n"
                                  "1-0:41.7.0(00.032*kW)\r\n"
                                  "1-0:61.7.0(00.142*kW)\r\n"
                                  "1-0:22.7.0(00.000*kW)\r\n"
                                  "1-0:42.7.0(00.000*kW)\r\n"
                                  "1-0:62.7.0(00.000*kW)\r\n"
                                  "0-1:24.1.0(003)\r\n"
                                  "0-1:96.1.0(3232323241424344313233343536373839)\r\n"
                                  "0-1:24.2.1(170102161005W)(00000.107*m3)\r\n"
                                  "0-2:24.1.0(003)\r\n"
                                  "0-2:96.1.0()\r\n"
                                  "!6EEE\r\n";

static const char telegram_v4_2[] =
    "/KFM5KAIFA-METER\r\n"
    "\r\n"
    "1-3:0.2.8(42)\r\n"
    "0-0:1.0.0(161113205757W)\r\n"
    "0-0:96.1.1(3960221976967177082151037881335713)\r\n"
    "1-0:1.8.1(001581.123*kWh)\r\n"
    "1-0:1.8.2(001435.706*kWh)\r\n"
    "1-0:2.8.1(000000.000*kWh)\r\n"
    "1-0:2.8.2(000000.000*kWh)\r\n"
    "0-0:96.14.0(0002)\r\n"
    "1-0:1.7.0(02.027*kW)\r\n"
    "1-0:2.7.0(00.000*kW)\r\n"
    "0-0:96.7.21(00015)\r\n"
    "0-0:96.7.9(00007)\r\n"
    "1-0:99.97.0(3)(0-0:96.7.19)(000104180320W)(0000237126*s)(000101000001W)"
    "(2147583646*s)(000102000003W)(2317482647*s)\r\n"
    "1-0:32.32.0(00000)\r\n"
    "1-0:52.32.0(00000)\r\n"
    "1-0:72.32.0(00000)\r\n"
    "1-0:32.36.0(00000)\r\n"
    "1-0:52.36.0(00000)\r\n"
    "1-0:72.36.0(00000)\r\n"
    "0-0:96.13.1()\r\n"
    "0-0:96.13.0()\r\n"
    "1-0:31.7.0(000*A)\r\n"
    "1-0:51.7.0(006*A)\r\n"
    "1-0:71.7.0(002*A)\r\n"
    "1-0:21.7.0(00.170*kW)\r\n"
    "1-0:22.7.0(00.000*kW)\r\n"
    "1-0:41.7.0(01.247*kW)\r\n"
    "1-0:42.7.0(00.000*kW)\r\n"
    "1-0:61.7.0(00.209*kW)\r\n"
    "1-0:62.7.0(00.000*kW)\r\n"
    "0-1:24.1.0(003)\r\n"
    "0-1:96.1.0(4819243993373755377509728609491464)\r\n"
    "0-1:24.2.1(161129200000W)(00981.443*m3)\r\n"
    "!6796\r\n";

static const uint8_t v5_id[] = "K8EG004046395507";
static const uint8_t v5_gas_id[] = "2222ABCD123456789";

/* The values behind TELEGRAM_V5 (an Iskra MT382: 0230.0 V, 0.48 A). */
static void v5_values(p1_values_t *v) {
    memset(v, 0, sizeof(*v));
    v->format = (p1_format_t){4, 1, 2};
    v->timestamp = (p1_time_t){2017, 1, 2, 19, 20, 2, false};
    v->equipment_id = v5_id;
    v->equipment_id_len = sizeof(v5_id) - 1u;
    v->import_wh[0] = 4426;
    v->import_wh[1] = 2399;
    v->export_wh[0] = 2444;
    v->tariff = 2;
    v->import_w = 244;
    v->short_failures = 13;
    v->voltage_dv[0] = 2300;
    v->voltage_dv[1] = 2300;
    v->voltage_dv[2] = 2290;
    v->current_ma[0] = 480;
    v->current_ma[1] = 440;
    v->current_ma[2] = 860;
    v->import_w_phase[0] = 70;
    v->import_w_phase[1] = 32;
    v->import_w_phase[2] = 142;
    v->mbus[0] = (p1_mbus_t){
        true, 3, v5_gas_id, sizeof(v5_gas_id) - 1u, true, {2017, 1, 2, 16, 10, 5, false}, 107};
    v->mbus[1].present = true;
    v->mbus[1].device_type = 3;
}

static char buf[P1_TELEGRAM_MAX + 64];

/* Builds the telegram into buf (NUL-terminated for strstr) and checks its
 * CRC with the decoder side. */
static int build(const p1_values_t *v) {
    int n = p1_telegram(v, "ISk5\\2MT382-1000", buf, sizeof(buf) - 1u);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_int_equal(p1_crc_check(buf, (size_t)n), 0);
    return n;
}

/* Asserts that the telegram in buf holds exactly this line. */
static void assert_line(const char *line) {
    char want[256];
    snprintf(want, sizeof(want), "\n%s\r\n", line);
    if (strstr(buf, want) == NULL) {
        fail_msg("line %s not in telegram:\n%s", line, buf);
    }
}

static void assert_no_line(const char *prefix) {
    char want[64];
    snprintf(want, sizeof(want), "\n%s", prefix);
    assert_null(strstr(buf, want));
}

static void test_v5_byte_exact(void **state) {
    (void)state;
    p1_values_t v;
    v5_values(&v);
    int n = build(&v);
    assert_int_equal(n, (int)strlen(telegram_v5));
    assert_memory_equal(buf, telegram_v5, strlen(telegram_v5));
    assert_int_equal(p1_telegram(&v, "ISk5\\2MT382-1000", NULL, 0), n);
}

static uint16_t crc_to_bang(const char *t) {
    const char *bang = strchr(t, '!');
    return p1_crc16(0, (const uint8_t *)t, (size_t)(bang - t) + 1u);
}

static void test_crc_reference(void **state) {
    (void)state;
    assert_int_equal(crc_to_bang(telegram_v5), 0x6EEE);
    assert_int_equal(crc_to_bang(telegram_v4_2), 0x6796);
    assert_int_equal(p1_crc_check(telegram_v5, strlen(telegram_v5)), 0);
    assert_int_equal(p1_crc_check(telegram_v4_2, strlen(telegram_v4_2)), 0);
    /* CRC-16/ARC check value over "123456789". */
    assert_int_equal(p1_crc16(0, (const uint8_t *)"123456789", 9), 0xBB3D);
    /* Continuing a CRC equals computing it in one go. */
    uint16_t part = p1_crc16(0, (const uint8_t *)"12345", 5);
    assert_int_equal(p1_crc16(part, (const uint8_t *)"6789", 4), 0xBB3D);
}

/* Every single-bit error before the CR LF that ends the telegram is caught
 * (CRC-16 detects all of them; a hit on '/', '!' or a CRC digit may also
 * read as a format error). */
static void test_crc_flipped_byte(void **state) {
    (void)state;
    char t[sizeof(telegram_v5)];
    size_t len = strlen(telegram_v5);
    for (size_t i = 0; i + 2u < len; i++) {
        for (unsigned bit = 0; bit < 8u; bit++) {
            memcpy(t, telegram_v5, sizeof(t));
            t[i] = (char)(t[i] ^ (1u << bit));
            int rc = p1_crc_check(t, len);
            assert_true(rc == P1_ERR_CRC || rc == P1_ERR_FORMAT);
        }
    }
    memcpy(t, telegram_v5, sizeof(t));
    t[30] = 'X';
    assert_int_equal(p1_crc_check(t, len), P1_ERR_CRC);
}

static void test_crc_check_format(void **state) {
    (void)state;
    size_t len = strlen(telegram_v5);
    assert_int_equal(p1_crc_check(NULL, 5), P1_ERR_FORMAT);
    assert_int_equal(p1_crc_check(telegram_v5, 0), P1_ERR_FORMAT);
    assert_int_equal(p1_crc_check(telegram_v5 + 1, len - 1u), P1_ERR_FORMAT);
    /* Cut before the '!' and inside the CRC digits. */
    const char *bang = strchr(telegram_v5, '!');
    size_t at = (size_t)(bang - telegram_v5);
    assert_int_equal(p1_crc_check(telegram_v5, at), P1_ERR_FORMAT);
    for (size_t cut = at + 1u; cut < at + 5u; cut++) {
        assert_int_equal(p1_crc_check(telegram_v5, cut), P1_ERR_FORMAT);
    }
    assert_int_equal(p1_crc_check(telegram_v5, at + 5u), 0);
    /* DSMR writes the CRC in upper case; lower case is refused. */
    char t[sizeof(telegram_v5)];
    memcpy(t, telegram_v5, sizeof(t));
    t[at + 2u] = 'e';
    assert_int_equal(p1_crc_check(t, len), P1_ERR_FORMAT);
}

/* Energy in Wh becomes kWh with 3 decimals exactly; it rolls over at
 * 10^6 kWh. Power in W becomes kW exactly and saturates at 99.999 kW. */
static void test_energy_and_power_digits(void **state) {
    (void)state;
    p1_values_t v;
    v5_values(&v);
    v.import_wh[0] = 1;
    v.import_wh[1] = 999999999ull;
    v.export_wh[0] = 1000000000ull;
    v.export_wh[1] = 1000004426ull;
    v.import_w = 1;
    v.export_w = 100000;
    v.import_w_phase[0] = 99999;
    v.import_w_phase[1] = 0;
    v.import_w_phase[2] = -5;
    v.export_w_phase[0] = 1234;
    v.export_w_phase[1] = INT32_MAX;
    v.export_w_phase[2] = INT32_MIN;
    build(&v);
    assert_line("1-0:1.8.1(000000.001*kWh)");
    assert_line("1-0:1.8.2(999999.999*kWh)");
    assert_line("1-0:2.8.1(000000.000*kWh)");
    assert_line("1-0:2.8.2(000004.426*kWh)");
    assert_line("1-0:1.7.0(00.001*kW)");
    assert_line("1-0:2.7.0(99.999*kW)");
    assert_line("1-0:21.7.0(99.999*kW)");
    assert_line("1-0:41.7.0(00.000*kW)");
    assert_line("1-0:61.7.0(00.000*kW)");
    assert_line("1-0:22.7.0(01.234*kW)");
    assert_line("1-0:42.7.0(99.999*kW)");
    assert_line("1-0:62.7.0(00.000*kW)");
    v.import_wh[0] = UINT64_MAX; /* 18446744073709551615 Wh */
    build(&v);
    assert_line("1-0:1.8.1(709551.615*kWh)");
}

/* DSMR 5.0.2 widths (zero format): 230.1 V and 001 A, rounded half up. */
static void test_voltage_current_dsmr502(void **state) {
    (void)state;
    p1_values_t v;
    v5_values(&v);
    v.format = (p1_format_t){0, 0, 0};
    v.voltage_dv[0] = 2301;
    v.voltage_dv[1] = 10000;
    v.voltage_dv[2] = -1;
    v.current_ma[0] = 499;
    v.current_ma[1] = 500;
    v.current_ma[2] = 1000000;
    build(&v);
    assert_line("1-0:32.7.0(230.1*V)");
    assert_line("1-0:52.7.0(999.9*V)");
    assert_line("1-0:72.7.0(000.0*V)");
    assert_line("1-0:31.7.0(000*A)");
    assert_line("1-0:51.7.0(001*A)");
    assert_line("1-0:71.7.0(999*A)");
    v.current_ma[0] = 1499;
    v.current_ma[1] = -3000;
    v.current_ma[2] = INT32_MAX;
    build(&v);
    assert_line("1-0:31.7.0(001*A)");
    assert_line("1-0:51.7.0(000*A)");
    assert_line("1-0:71.7.0(999*A)");
}

static void test_current_decimals(void **state) {
    (void)state;
    p1_values_t v;
    v5_values(&v);
    v.current_ma[0] = 4;
    v.current_ma[1] = 5;
    v.current_ma[2] = 9995;
    build(&v);
    assert_line("1-0:31.7.0(0.00*A)");
    assert_line("1-0:51.7.0(0.01*A)");
    assert_line("1-0:71.7.0(9.99*A)"); /* 10.00 A does not fit 1.2 */
    v.format = (p1_format_t){3, 2, 1};
    v.current_ma[2] = 12345;
    v.voltage_dv[0] = 99999;
    build(&v);
    assert_line("1-0:71.7.0(12.3*A)");
    assert_line("1-0:32.7.0(999.9*V)");
}

static void test_counters_saturate(void **state) {
    (void)state;
    p1_values_t v;
    v5_values(&v);
    v.tariff = 12345;
    v.short_failures = 100000;
    v.long_failures = 99999;
    v.sags[0] = 1;
    v.sags[2] = UINT32_MAX;
    v.swells[1] = 42;
    v.mbus[0].device_type = 255;
    v.mbus[0].volume_dm3 = 100000000ull + 12785123ull;
    build(&v);
    assert_line("0-0:96.14.0(9999)");
    assert_line("0-0:96.7.21(99999)");
    assert_line("0-0:96.7.9(99999)");
    assert_line("1-0:32.32.0(00001)");
    assert_line("1-0:52.32.0(00000)");
    assert_line("1-0:72.32.0(99999)");
    assert_line("1-0:52.36.0(00042)");
    assert_line("0-1:24.1.0(255)");
    assert_line("0-1:24.2.1(170102161005W)(12785.123*m3)");
}

static void test_summer_winter(void **state) {
    (void)state;
    p1_values_t v;
    v5_values(&v);
    v.timestamp = (p1_time_t){2026, 7, 31, 23, 59, 59, true};
    v.mbus[0].capture_time = (p1_time_t){2099, 12, 1, 0, 0, 0, true};
    build(&v);
    assert_line("0-0:1.0.0(260731235959S)");
    assert_line("0-1:24.2.1(991201000000S)(00000.107*m3)");
    v.timestamp.dst = false;
    build(&v);
    assert_line("0-0:1.0.0(260731235959W)");
}

/* The three entries of dsmr_parser's TELEGRAM_V4_2 log, end time first. */
static void test_power_failure_log(void **state) {
    (void)state;
    p1_values_t v;
    v5_values(&v);
    build(&v);
    assert_line("1-0:99.97.0(0)(0-0:96.7.19)");
    v.n_power_failures = 3;
    v.power_failures[0] = (p1_power_failure_t){{2000, 1, 4, 18, 3, 20, false}, 237126};
    v.power_failures[1] = (p1_power_failure_t){{2000, 1, 1, 0, 0, 1, false}, 2147583646u};
    v.power_failures[2] = (p1_power_failure_t){{2000, 1, 2, 0, 0, 3, false}, 2317482647u};
    build(&v);
    assert_line("1-0:99.97.0(3)(0-0:96.7.19)(000104180320W)(0000237126*s)(000101000001W)"
                "(2147583646*s)(000102000003W)(2317482647*s)");
    v.n_power_failures = P1_MAX_POWER_FAILURES;
    for (unsigned i = 0; i < P1_MAX_POWER_FAILURES; i++) {
        v.power_failures[i] = (p1_power_failure_t){{2020, 8, 4, 15, 39, (uint8_t)i, true}, i};
    }
    v.power_failures[9].duration_s = UINT32_MAX;
    build(&v);
    assert_non_null(strstr(buf, "\n1-0:99.97.0(10)(0-0:96.7.19)(200804153900S)(0000000000*s)"));
    assert_non_null(strstr(buf, "(200804153909S)(4294967295*s)\r\n"));
    v.n_power_failures = P1_MAX_POWER_FAILURES + 1u;
    assert_int_equal(p1_telegram(&v, "ISk5\\2MT382-1000", buf, sizeof(buf)), P1_ERR_FIELD);
    v.n_power_failures = 1;
    v.power_failures[0].end.month = 0;
    assert_int_equal(p1_telegram(&v, "ISk5\\2MT382-1000", buf, sizeof(buf)), P1_ERR_TIME);
}

/* Every capacity below the length is refused without writing past it;
 * the exact length succeeds. */
static void test_buffer_every_size(void **state) {
    (void)state;
    p1_values_t v;
    v5_values(&v);
    int need = p1_telegram(&v, "ISk5\\2MT382-1000", NULL, 0);
    assert_int_equal(need, (int)strlen(telegram_v5));
    static char out[sizeof(telegram_v5) + 16];
    for (int cap = 0; cap < need; cap++) {
        memset(out, 0x5A, sizeof(out));
        assert_int_equal(p1_telegram(&v, "ISk5\\2MT382-1000", out, (size_t)cap), P1_ERR_BUFFER);
        for (size_t i = (size_t)cap; i < sizeof(out); i++) {
            assert_int_equal((unsigned char)out[i], 0x5A);
        }
    }
    memset(out, 0x5A, sizeof(out));
    assert_int_equal(p1_telegram(&v, "ISk5\\2MT382-1000", out, (size_t)need), need);
    assert_memory_equal(out, telegram_v5, (size_t)need);
    assert_int_equal((unsigned char)out[need], 0x5A);
}

static void test_single_phase_and_text(void **state) {
    (void)state;
    static const uint8_t text[] = "Hi!";
    p1_values_t v;
    v5_values(&v);
    v.single_phase = true;
    v.text = text;
    v.text_len = 3;
    v.mbus[0].present = false;
    v.mbus[1].present = false;
    v.mbus[3] = (p1_mbus_t){true, 7, v5_gas_id, 2, false, {0, 0, 0, 0, 0, 0, false}, 0};
    build(&v);
    assert_line("0-0:96.13.0(486921)");
    assert_line("1-0:32.7.0(0230.0*V)");
    assert_no_line("1-0:52.");
    assert_no_line("1-0:72.");
    assert_no_line("1-0:41.7.0");
    assert_no_line("1-0:62.7.0");
    assert_no_line("0-1:");
    assert_line("0-4:24.1.0(007)");
    assert_line("0-4:96.1.0(3232)");
    assert_no_line("0-4:24.2.1");
    assert_non_null(
        strstr(buf, "1-0:22.7.0(00.000*kW)\r\n0-4:24.1.0(007)\r\n0-4:96.1.0(3232)\r\n!"));
}

static void test_bad_arguments(void **state) {
    (void)state;
    p1_values_t v;
    v5_values(&v);
    const char *id = "ISk5\\2MT382-1000";
    assert_int_equal(p1_telegram(NULL, id, buf, sizeof(buf)), P1_ERR_BADARG);
    assert_int_equal(p1_telegram(&v, NULL, buf, sizeof(buf)), P1_ERR_BADARG);
    assert_int_equal(p1_telegram(&v, id, NULL, 10), P1_ERR_BADARG);
    assert_int_equal(p1_telegram(&v, "", buf, sizeof(buf)), P1_ERR_IDENT);
    assert_int_equal(p1_telegram(&v, "ISK5!", buf, sizeof(buf)), P1_ERR_IDENT);
    assert_int_equal(p1_telegram(&v, "ISK5/x", buf, sizeof(buf)), P1_ERR_IDENT);
    assert_int_equal(p1_telegram(&v, "ISK5 x", buf, sizeof(buf)), P1_ERR_IDENT);
    assert_int_equal(p1_telegram(&v, "ISK5\r", buf, sizeof(buf)), P1_ERR_IDENT);
    char longid[P1_IDENT_MAX + 2u];
    memset(longid, 'A', sizeof(longid));
    longid[P1_IDENT_MAX] = '\0';
    assert_true(p1_telegram(&v, longid, buf, sizeof(buf)) > 0);
    longid[P1_IDENT_MAX] = 'A';
    longid[P1_IDENT_MAX + 1u] = '\0';
    assert_int_equal(p1_telegram(&v, longid, buf, sizeof(buf)), P1_ERR_IDENT);

    v.format.voltage_int_digits = 5;
    assert_int_equal(p1_telegram(&v, id, buf, sizeof(buf)), P1_ERR_BADARG);
    v5_values(&v);
    v.format.current_decimals = 3;
    assert_int_equal(p1_telegram(&v, id, buf, sizeof(buf)), P1_ERR_BADARG);
    v5_values(&v);
    v.timestamp.hour = 24;
    assert_int_equal(p1_telegram(&v, id, buf, sizeof(buf)), P1_ERR_TIME);
    v5_values(&v);
    v.mbus[0].capture_time.day = 32;
    assert_int_equal(p1_telegram(&v, id, buf, sizeof(buf)), P1_ERR_TIME);
    v.mbus[0].has_reading = false; /* an unused capture time is not checked */
    assert_true(p1_telegram(&v, id, buf, sizeof(buf)) > 0);
    v5_values(&v);
    v.equipment_id_len = EM_P1_EQUIPMENT_ID_MAX + 1u;
    assert_int_equal(p1_telegram(&v, id, buf, sizeof(buf)), P1_ERR_FIELD);
    v5_values(&v);
    v.text_len = 1; /* with text == NULL */
    assert_int_equal(p1_telegram(&v, id, buf, sizeof(buf)), P1_ERR_FIELD);
    v.text_len = EM_P1_TEXT_MAX + 1u;
    assert_int_equal(p1_telegram(&v, id, buf, sizeof(buf)), P1_ERR_FIELD);
    v5_values(&v);
    v.mbus[1].equipment_id_len = 1; /* with a NULL id */
    assert_int_equal(p1_telegram(&v, id, buf, sizeof(buf)), P1_ERR_FIELD);

    const int codes[] = {P1_ERR_BADARG, P1_ERR_BUFFER, P1_ERR_IDENT, P1_ERR_TIME,
                         P1_ERR_FIELD,  P1_ERR_FORMAT, P1_ERR_CRC};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        assert_true(codes[i] <= -0x0A80 && codes[i] >= -0x0A8F);
        assert_string_not_equal(p1_strerror(codes[i]), p1_strerror(-1));
    }
}

/* Every field at its widest: the telegram is exactly P1_TELEGRAM_MAX. */
static void test_largest_telegram(void **state) {
    (void)state;
    static uint8_t id[EM_P1_EQUIPMENT_ID_MAX];
    static uint8_t text[EM_P1_TEXT_MAX];
    char ident[P1_IDENT_MAX + 1u];
    memset(id, 0xAB, sizeof(id));
    memset(text, 0x7E, sizeof(text));
    memset(ident, 'Z', P1_IDENT_MAX);
    ident[P1_IDENT_MAX] = '\0';
    p1_values_t v;
    v5_values(&v);
    v.format = (p1_format_t){4, 3, 2};
    v.equipment_id = id;
    v.equipment_id_len = sizeof(id);
    v.text = text;
    v.text_len = sizeof(text);
    v.n_power_failures = P1_MAX_POWER_FAILURES;
    for (unsigned i = 0; i < P1_MAX_POWER_FAILURES; i++) {
        v.power_failures[i].end = v.timestamp;
    }
    for (unsigned i = 0; i < EM_P1_MAX_MBUS; i++) {
        v.mbus[i] = (p1_mbus_t){true, 3, id, sizeof(id), true, v.timestamp, 1};
    }
    int n = p1_telegram(&v, ident, buf, sizeof(buf));
    assert_int_equal(n, (int)P1_TELEGRAM_MAX);
    assert_int_equal(p1_crc_check(buf, (size_t)n), 0);
    assert_int_equal(p1_telegram(&v, ident, buf, P1_TELEGRAM_MAX - 1u), P1_ERR_BUFFER);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v5_byte_exact),
        cmocka_unit_test(test_crc_reference),
        cmocka_unit_test(test_crc_flipped_byte),
        cmocka_unit_test(test_crc_check_format),
        cmocka_unit_test(test_energy_and_power_digits),
        cmocka_unit_test(test_voltage_current_dsmr502),
        cmocka_unit_test(test_current_decimals),
        cmocka_unit_test(test_counters_saturate),
        cmocka_unit_test(test_summer_winter),
        cmocka_unit_test(test_power_failure_log),
        cmocka_unit_test(test_buffer_every_size),
        cmocka_unit_test(test_single_phase_and_text),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_largest_telegram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
