/*
 * test_control_api.c - request decoding of the operator control API
 * (apps/emeter/control_api.c, docs/control-api.md): every endpoint's body
 * accepted with its values, and refused with a message that names the
 * field for each kind of bad input (syntax, unknown member, type, range,
 * combinations); ISO time parsing and formatting; the alarm names.
 *
 * CMake links only lib/ and port/ into tests (plus json-c for this one), so
 * the program's source file is included here directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "../../apps/emeter/control_api.c"

static char err[256];

#define GRID(text, out) control_parse_grid(text, strlen(text), out, err, sizeof(err))
#define LOAD(text, out) control_parse_load(text, strlen(text), out, err, sizeof(err))
#define TIME(text, out) control_parse_time(text, strlen(text), out, err, sizeof(err))

/* The refusal starts with the field it names. */
static void refused(int rc, const char *field) {
    assert_int_equal(rc, -1);
    if (strncmp(err, field, strlen(field)) != 0 || err[strlen(field)] != ':') {
        print_error("error \"%s\" does not start with \"%s:\"\n", err, field);
        fail();
    }
}

static void test_grid_accepted(void **state) {
    (void)state;
    control_grid_t g;
    assert_int_equal(GRID("{\"outage_s\": 120}", &g), 0);
    assert_int_equal(g.kind, CONTROL_GRID_OUTAGE);
    assert_int_equal(g.outage_s, 120);
    assert_int_equal(GRID(" {\"voltage\": [230.5, null, 0]}\n", &g), 0);
    assert_int_equal(g.kind, CONTROL_GRID_VOLTAGE);
    assert_true(g.voltage[0] == 230.5 && isnan(g.voltage[1]) && g.voltage[2] == 0.0);
    assert_int_equal(GRID("{\"voltage\": null}", &g), 0);
    assert_true(isnan(g.voltage[0]) && isnan(g.voltage[1]) && isnan(g.voltage[2]));
    assert_int_equal(GRID("{\"sag\": {\"phase\": 1, \"depth_pct\": 30, \"duration_ms\": 500}}", &g),
                     0);
    assert_int_equal(g.kind, CONTROL_GRID_SAG);
    assert_int_equal(g.phase, 1);
    assert_true(g.pct == 30.0);
    assert_int_equal(g.duration_ms, 500);
    assert_int_equal(GRID("{\"swell\": {\"rise_pct\": 12.5, \"duration_ms\": 86400000}}", &g), 0);
    assert_int_equal(g.kind, CONTROL_GRID_SWELL);
    assert_int_equal(g.phase, 0); /* all three */
    assert_true(g.pct == 12.5);
    assert_int_equal(g.duration_ms, CONTROL_PULSE_MAX_MS);
}

static void test_grid_refused(void **state) {
    (void)state;
    control_grid_t g;
    refused(GRID("", &g), "(body)");
    refused(GRID("{\"outage_s\": ", &g), "(body)");
    refused(GRID("{\"outage_s\": 1} x", &g), "(body)");
    refused(GRID("[1]", &g), "(body)");
    refused(GRID("{}", &g), "(body)");
    refused(GRID("{\"outage\": 1}", &g), "outage");
    refused(GRID("{\"\": 1}", &g), "\"\"");                 /* found by fuzz_control */
    refused(GRID("{\": tage_s\": 1}", &g), "\": tage_s\""); /* found by fuzz_control */
    refused(GRID("{\"sag\": {\"a\\nb\": 1}}", &g), "sag.\"a?b\"");
    refused(GRID("{\"outage_s\": 1, \"voltage\": null}", &g), "(body)");
    refused(GRID("{\"outage_s\": 0}", &g), "outage_s");
    refused(GRID("{\"outage_s\": 604801}", &g), "outage_s");
    refused(GRID("{\"outage_s\": -1}", &g), "outage_s");
    refused(GRID("{\"outage_s\": 1.5}", &g), "outage_s");
    refused(GRID("{\"outage_s\": \"10\"}", &g), "outage_s");
    refused(GRID("{\"voltage\": [230, 230]}", &g), "voltage");
    refused(GRID("{\"voltage\": [230, 481, 230]}", &g), "voltage[1]");
    refused(GRID("{\"voltage\": [230, 230, -1]}", &g), "voltage[2]");
    refused(GRID("{\"voltage\": [230, \"x\", 230]}", &g), "voltage[1]");
    refused(GRID("{\"voltage\": 230}", &g), "voltage");
    refused(GRID("{\"sag\": 30}", &g), "sag");
    refused(GRID("{\"sag\": {\"phase\": 4, \"depth_pct\": 30, \"duration_ms\": 1}}", &g),
            "sag.phase");
    refused(GRID("{\"sag\": {\"phase\": 0, \"depth_pct\": 30, \"duration_ms\": 1}}", &g),
            "sag.phase");
    refused(GRID("{\"sag\": {\"duration_ms\": 1}}", &g), "sag.depth_pct");
    refused(GRID("{\"sag\": {\"depth_pct\": 0.5, \"duration_ms\": 1}}", &g), "sag.depth_pct");
    refused(GRID("{\"sag\": {\"depth_pct\": 101, \"duration_ms\": 1}}", &g), "sag.depth_pct");
    refused(GRID("{\"sag\": {\"depth_pct\": 30}}", &g), "sag.duration_ms");
    refused(GRID("{\"sag\": {\"depth_pct\": 30, \"duration_ms\": 0}}", &g), "sag.duration_ms");
    refused(GRID("{\"sag\": {\"depth_pct\": 30, \"duration_ms\": 86400001}}", &g),
            "sag.duration_ms");
    refused(GRID("{\"sag\": {\"rise_pct\": 30, \"duration_ms\": 5}}", &g), "sag.rise_pct");
    refused(GRID("{\"swell\": {\"depth_pct\": 30, \"duration_ms\": 5}}", &g), "swell.depth_pct");
    /* Not finite numbers never pass, whatever json-c makes of them. */
    assert_int_equal(GRID("{\"voltage\": [NaN, 230, 230]}", &g), -1);
    assert_int_equal(GRID("{\"voltage\": [1e999, 230, 230]}", &g), -1);
    /* Too big a body is refused before it is parsed. */
    static char big[CONTROL_BODY_MAX + 2];
    memset(big, ' ', sizeof(big) - 1);
    big[0] = '{';
    big[sizeof(big) - 2] = '}';
    refused(control_parse_grid(big, strlen(big), &g, err, sizeof(err)), "(body)");
    assert_non_null(strstr(err, "larger than"));
}

static void test_load(void **state) {
    (void)state;
    control_load_t l;
    assert_int_equal(LOAD("{\"auto\": true}", &l), 0);
    assert_true(l.auto_all);
    assert_int_equal(LOAD("{\"current_a\": [10, null, 0.5], \"angle_deg\": [null, -180, 180]}", &l),
                     0);
    assert_false(l.auto_all);
    assert_true(l.current_a[0] == 10.0 && isnan(l.current_a[1]) && l.current_a[2] == 0.5);
    assert_true(isnan(l.angle_deg[0]) && l.angle_deg[1] == -180.0 && l.angle_deg[2] == 180.0);
    assert_int_equal(LOAD("{\"angle_deg\": [30, 30, 30]}", &l), 0);
    assert_true(isnan(l.current_a[0]) && l.angle_deg[2] == 30.0);
    refused(LOAD("{}", &l), "(body)");
    refused(LOAD("{\"auto\": false}", &l), "auto");
    refused(LOAD("{\"auto\": 1}", &l), "auto");
    refused(LOAD("{\"auto\": true, \"current_a\": [1, 1, 1]}", &l), "auto");
    refused(LOAD("{\"current_a\": [1, 101, 1]}", &l), "current_a[1]");
    refused(LOAD("{\"angle_deg\": [1, 1, 180.5]}", &l), "angle_deg[2]");
    refused(LOAD("{\"current\": [1, 1, 1]}", &l), "current");
}

static void test_time(void **state) {
    (void)state;
    control_time_t t;
    assert_int_equal(TIME("{\"speed\": 3600}", &t), 0);
    assert_true(t.has_speed && !t.has_set);
    assert_int_equal(t.speed, 3600);
    assert_int_equal(TIME("{\"set\": \"2026-11-21T10:00:00Z\", \"speed\": 1}", &t), 0);
    assert_true(t.has_speed && t.has_set);
    assert_int_equal(t.set_utc, 1795255200);
    assert_int_equal(TIME("{\"set\": \"2026-11-21T11:00:00+01:00\"}", &t), 0);
    assert_int_equal(t.set_utc, 1795255200);
    refused(TIME("{}", &t), "(body)");
    refused(TIME("{\"speed\": 0}", &t), "speed");
    refused(TIME("{\"speed\": 100001}", &t), "speed");
    refused(TIME("{\"set\": \"2026-11-21T10:00:00\"}", &t), "set"); /* no zone */
    refused(TIME("{\"set\": \"1999-12-31T23:59:59Z\"}", &t), "set");
    refused(TIME("{\"set\": 1795255200}", &t), "set");
    refused(TIME("{\"rate\": 2}", &t), "rate");
}

static void test_iso(void **state) {
    (void)state;
    int64_t u;
    assert_int_equal(control_parse_iso("2028-02-29T23:59:59Z", &u), 0);
    assert_int_equal(u, 1835481599);
    assert_int_equal(control_parse_iso("2030-06-15T05:30:00-04:30", &u), 0);
    assert_int_equal(u, 1907748000);
    assert_int_equal(control_parse_iso("2030-06-15 10:00:00Z", &u), 0);
    assert_int_equal(u, 1907748000);
    assert_int_equal(control_parse_iso("2027-02-29T00:00:00Z", &u), -1);
    assert_int_equal(control_parse_iso("2026-04-31T00:00:00Z", &u), -1);
    assert_int_equal(control_parse_iso("2026-13-01T00:00:00Z", &u), -1);
    assert_int_equal(control_parse_iso("2026-11-21T24:00:00Z", &u), -1);
    assert_int_equal(control_parse_iso("2026-11-21T10:00:00+1:00", &u), -1);
    assert_int_equal(control_parse_iso("2026-11-21T10:00:00+15:00", &u), -1);
    assert_int_equal(control_parse_iso("2026-11-21T10:00:00Zx", &u), -1);
    assert_int_equal(control_parse_iso("2026-1x-21T10:00:00Z", &u), -1);
    assert_int_equal(control_parse_iso("", &u), -1);
    char buf[40];
    assert_string_equal(control_format_iso(1795255200, 0, true, buf, sizeof(buf)),
                        "2026-11-21T10:00:00Z");
    assert_string_equal(control_format_iso(1795255200, 60, false, buf, sizeof(buf)),
                        "2026-11-21T11:00:00+01:00");
    assert_string_equal(control_format_iso(1795255200, -270, false, buf, sizeof(buf)),
                        "2026-11-21T05:30:00-04:30");
    /* What it formats, it parses back. */
    assert_int_equal(control_parse_iso(buf, &u), 0);
    assert_int_equal(u, 1795255200);
}

static void test_alarms_and_errors(void **state) {
    (void)state;
    json_object *a = control_alarms_json((1u << 2) | (1u << 5) | (1u << 28));
    assert_string_equal(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN),
                        "{\"register\":268435492,\"set\":[\"power up\",\"bit 5\","
                        "\"phase outage L1\"]}");
    json_object_put(a);
    assert_string_equal(control_alarm_name(13), "fraud attempt");
    assert_null(control_alarm_name(14));
    assert_null(control_alarm_name(32));
    char *e = control_error_body("no endpoint /api/x \"q\"");
    assert_string_equal(e, "{\"error\":\"no endpoint /api/x \\\"q\\\"\"}");
    free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_accepted), cmocka_unit_test(test_grid_refused),
        cmocka_unit_test(test_load),          cmocka_unit_test(test_time),
        cmocka_unit_test(test_iso),           cmocka_unit_test(test_alarms_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
