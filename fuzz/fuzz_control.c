/*
 * fuzz_control.c - the operator control API's request decoders
 * (apps/emeter/control_api.c) on hostile bodies: every input goes through
 * the grid, load and time decoders; none may crash, a refusal always names
 * a field ("field: reason"), and an accepted request keeps every range the
 * decoder promises (the values reach the meter's phasor input and clock).
 *
 * FUZZ_EXTRA_SOURCES: apps/emeter/control_api.c
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "control_api.h"

/* "field: reason": the field is a name, a path (sag.phase, voltage[1]),
 * "(body)" or a quoted odd member name; never empty. */
static void check_refusal(const char *err) {
    char c = err[0];
    int field_start = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '(' || c == '"';
    if (!field_start || strstr(err, ": ") == NULL)
        __builtin_trap();
}

/* NAN (simulated) or inside [min, max]. */
static int phase_ok(double x, double min, double max) {
    return isnan(x) || (x >= min && x <= max);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *body = (const char *)data;
    char err[256] = "";
    control_grid_t g;
    if (control_parse_grid(body, size, &g, err, sizeof(err)) != 0) {
        check_refusal(err);
    } else if (g.kind == CONTROL_GRID_OUTAGE) {
        if (g.outage_s < 1 || g.outage_s > CONTROL_OUTAGE_MAX_S)
            __builtin_trap();
    } else if (g.kind == CONTROL_GRID_VOLTAGE) {
        for (int k = 0; k < CONTROL_PHASES; k++)
            if (!phase_ok(g.voltage[k], 0.0, CONTROL_VOLTAGE_MAX_V))
                __builtin_trap();
    } else if (g.kind == CONTROL_GRID_SAG || g.kind == CONTROL_GRID_SWELL) {
        if (g.phase > 3 || !(g.pct >= 1.0 && g.pct <= 100.0) || g.duration_ms < 1 ||
            g.duration_ms > CONTROL_PULSE_MAX_MS)
            __builtin_trap();
    } else {
        __builtin_trap();
    }
    control_load_t l;
    if (control_parse_load(body, size, &l, err, sizeof(err)) != 0) {
        check_refusal(err);
    } else {
        for (int k = 0; k < CONTROL_PHASES; k++)
            if (!phase_ok(l.current_a[k], 0.0, CONTROL_CURRENT_MAX_A) ||
                !phase_ok(l.angle_deg[k], -180.0, 180.0))
                __builtin_trap();
    }
    control_time_t t;
    if (control_parse_time(body, size, &t, err, sizeof(err)) != 0) {
        check_refusal(err);
    } else {
        if (!t.has_speed && !t.has_set)
            __builtin_trap();
        if (t.has_speed && (t.speed < 1 || t.speed > CONTROL_SPEED_MAX))
            __builtin_trap();
        if (t.has_set && (t.set_utc < CONTROL_TIME_MIN_UTC || t.set_utc > CONTROL_TIME_MAX_UTC))
            __builtin_trap();
    }
    return 0;
}
