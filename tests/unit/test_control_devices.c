/*
 * test_control_devices.c - the operator API decoders of the meter's devices
 * (apps/emeter/control_devices.c): POST /api/button, /api/cover, /api/magnet
 * bodies accepted with their values, every kind of bad body refused with
 * the field named; the "lcd" and "led" state members of a real meter.
 *
 * CMake links only lib/ and port/ into tests (plus json-c for this one), so
 * the program's source file is included here directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../../apps/emeter/control_api.c"
#include "../../apps/emeter/control_devices.c"

static char err[256];

#define BODY(s) (s), strlen(s)

static void refused(int rc, const char *field) {
    assert_int_equal(rc, -1);
    assert_true(strncmp(err, field, strlen(field)) == 0);
}

static void test_button(void **state) {
    (void)state;
    control_button_t b;
    assert_int_equal(control_parse_button(BODY("{\"press\": \"short\"}"), &b, err, sizeof(err)), 0);
    assert_false(b.edge);
    assert_int_equal(b.hold_ms, CONTROL_SHORT_PRESS_MS);
    assert_int_equal(control_parse_button(BODY("{\"press\":\"long\"}\n"), &b, err, sizeof(err)), 0);
    assert_int_equal(b.hold_ms, CONTROL_LONG_PRESS_MS);
    assert_int_equal(control_parse_button(BODY("{\"hold_ms\": 2500}"), &b, err, sizeof(err)), 0);
    assert_int_equal(b.hold_ms, 2500);
    assert_int_equal(control_parse_button(BODY("{\"down\": true}"), &b, err, sizeof(err)), 0);
    assert_true(b.edge && b.down);
    assert_int_equal(control_parse_button(BODY("{\"down\": false}"), &b, err, sizeof(err)), 0);
    assert_true(b.edge && !b.down);

    refused(control_parse_button(BODY("{\"press\": \"double\"}"), &b, err, sizeof(err)), "press:");
    refused(control_parse_button(BODY("{\"press\": 1}"), &b, err, sizeof(err)), "press:");
    refused(control_parse_button(BODY("{\"hold_ms\": 60001}"), &b, err, sizeof(err)), "hold_ms:");
    refused(control_parse_button(BODY("{\"hold_ms\": -1}"), &b, err, sizeof(err)), "hold_ms:");
    refused(control_parse_button(BODY("{\"hold_ms\": 1.5}"), &b, err, sizeof(err)), "hold_ms:");
    refused(control_parse_button(BODY("{\"down\": 1}"), &b, err, sizeof(err)), "down:");
    refused(
        control_parse_button(BODY("{\"down\": true, \"press\": \"short\"}"), &b, err, sizeof(err)),
        "(body):");
    refused(control_parse_button(BODY("{}"), &b, err, sizeof(err)), "(body):");
    refused(control_parse_button(BODY("{\"colour\": 1}"), &b, err, sizeof(err)), "colour:");
    refused(control_parse_button(BODY("[1]"), &b, err, sizeof(err)), "(body):");
    refused(control_parse_button(BODY("{\"down\": true} x"), &b, err, sizeof(err)), "(body):");
    refused(control_parse_button("", 0, &b, err, sizeof(err)), "(body):");
}

static void test_cover_magnet(void **state) {
    (void)state;
    control_cover_t c;
    assert_int_equal(control_parse_cover(BODY("{\"cover\": \"terminal\", \"open\": true}"), &c, err,
                                         sizeof(err)),
                     0);
    assert_int_equal(c.which, TAMPER_TERMINAL_COVER);
    assert_true(c.open);
    assert_int_equal(
        control_parse_cover(BODY("{\"open\": false, \"cover\": \"meter\"}"), &c, err, sizeof(err)),
        0);
    assert_int_equal(c.which, TAMPER_METER_COVER);
    assert_false(c.open);
    refused(control_parse_cover(BODY("{\"cover\": \"lid\", \"open\": true}"), &c, err, sizeof(err)),
            "cover:");
    refused(control_parse_cover(BODY("{\"open\": true}"), &c, err, sizeof(err)), "cover:");
    refused(control_parse_cover(BODY("{\"cover\": \"meter\"}"), &c, err, sizeof(err)), "open:");
    refused(control_parse_cover(BODY("{\"cover\": \"meter\", \"open\": \"yes\"}"), &c, err,
                                sizeof(err)),
            "open:");
    refused(control_parse_cover(BODY("{\"cover\": \"meter\", \"open\": true, \"x\": 1}"), &c, err,
                                sizeof(err)),
            "x:");

    uint16_t mt;
    assert_int_equal(control_parse_magnet(BODY("{\"mt\": 80}"), &mt, err, sizeof(err)), 0);
    assert_int_equal(mt, 80);
    assert_int_equal(control_parse_magnet(BODY("{\"mt\": 0}"), &mt, err, sizeof(err)), 0);
    assert_int_equal(mt, 0);
    refused(control_parse_magnet(BODY("{\"mt\": 2001}"), &mt, err, sizeof(err)), "mt:");
    refused(control_parse_magnet(BODY("{\"mt\": -5}"), &mt, err, sizeof(err)), "mt:");
    refused(control_parse_magnet(BODY("{}"), &mt, err, sizeof(err)), "mt:");
    refused(control_parse_magnet(BODY("{\"mt\": \"80\"}"), &mt, err, sizeof(err)), "mt:");
}

/* The state members of a meter without flash: the power-on page, the
 * symbols of a meter with voltage and no load, the LED steady. */
static uint64_t mono_now;
static uint64_t mono(void *user) {
    (void)user;
    return mono_now;
}
static int64_t rtc_now_s = 1705320000;
static int64_t rtc(void *user) {
    (void)user;
    return rtc_now_s;
}

static void test_state_members(void **state) {
    (void)state;
    static meter_t m;
    static em_port_t port;
    memset(&port, 0, sizeof(port));
    port.monotonic_ms = mono;
    port.rtc_get = rtc;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = METER_VARIANT_OMNI,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .serial_number = "E0001"};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    for (int i = 0; i < 3; i++) {
        rtc_now_s++;
        mono_now += 1000;
        assert_int_equal(meter_tick(&m, rtc_now_s), 0);
    }
    json_object *lcd = control_lcd_json(&m);
    const char *s = json_object_to_json_string_ext(lcd, JSON_C_TO_STRING_PLAIN);
    assert_non_null(strstr(s, "\"mode\":\"power_on\""));
    assert_non_null(strstr(s, "EMT-CORE-0.1.0"));
    assert_non_null(strstr(s, "\"L123\""));
    assert_null(strstr(s, "\"import\"")); /* no load: no quadrant */
    json_object_put(lcd);
    json_object *led = control_led_json(&m);
    assert_string_equal(json_object_to_json_string_ext(led, JSON_C_TO_STRING_PLAIN),
                        "{\"state\":\"steady\"}");
    json_object_put(led);
    assert_string_equal(control_press_name(DISPLAY_PRESS_LONG), "long");
    assert_string_equal(control_press_name(DISPLAY_PRESS_NONE), "none");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_button),
        cmocka_unit_test(test_cover_magnet),
        cmocka_unit_test(test_state_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
