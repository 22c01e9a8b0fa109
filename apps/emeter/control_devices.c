/*
 * control_devices.c - the operator API of the meter's devices (see
 * control_devices.h).
 */
#include "control_devices.h"

#include "control_api.h"

#include <stdio.h>
#include <string.h>

static int get_count(json_object *v, const char *field, uint64_t max, uint64_t *out, char *err,
                     size_t errlen) {
    if (!json_object_is_type(v, json_type_int))
        return control_reject(err, errlen, field, "expected an integer");
    int64_t x = json_object_get_int64(v);
    if (x < 0 || (uint64_t)x > max)
        return control_reject(err, errlen, field, "must be between 0 and %llu",
                              (unsigned long long)max);
    *out = (uint64_t)x;
    return 0;
}

int control_parse_button(const char *body, size_t len, control_button_t *out, char *err,
                         size_t errlen) {
    static const char *const allowed[] = {"press", "hold_ms", "down", NULL};
    memset(out, 0, sizeof(*out));
    json_object *root = control_parse_body(body, len, allowed, err, errlen);
    if (root == NULL)
        return -1;
    int rc = 0;
    json_object *v;
    if (json_object_object_length(root) != 1) {
        rc = control_reject(err, errlen, "(body)", "give exactly one of press, hold_ms, down");
    } else if (json_object_object_get_ex(root, "press", &v)) {
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        if (strcmp(s, "short") == 0)
            out->hold_ms = CONTROL_SHORT_PRESS_MS;
        else if (strcmp(s, "long") == 0)
            out->hold_ms = CONTROL_LONG_PRESS_MS;
        else
            rc = control_reject(err, errlen, "press", "expected \"short\" or \"long\"");
    } else if (json_object_object_get_ex(root, "hold_ms", &v)) {
        uint64_t x = 0;
        rc = get_count(v, "hold_ms", CONTROL_HOLD_MAX_MS, &x, err, errlen);
        out->hold_ms = (uint32_t)x;
    } else if (json_object_object_get_ex(root, "down", &v)) {
        if (!json_object_is_type(v, json_type_boolean))
            rc = control_reject(err, errlen, "down", "expected true or false");
        out->edge = true;
        out->down = json_object_get_boolean(v);
    }
    json_object_put(root);
    return rc;
}

int control_parse_cover(const char *body, size_t len, control_cover_t *out, char *err,
                        size_t errlen) {
    static const char *const allowed[] = {"cover", "open", NULL};
    memset(out, 0, sizeof(*out));
    json_object *root = control_parse_body(body, len, allowed, err, errlen);
    if (root == NULL)
        return -1;
    int rc = 0;
    json_object *v;
    if (!json_object_object_get_ex(root, "cover", &v)) {
        rc = control_reject(err, errlen, "cover", "missing: \"terminal\" or \"meter\"");
    } else {
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        if (strcmp(s, "terminal") == 0)
            out->which = TAMPER_TERMINAL_COVER;
        else if (strcmp(s, "meter") == 0)
            out->which = TAMPER_METER_COVER;
        else
            rc = control_reject(err, errlen, "cover", "expected \"terminal\" or \"meter\"");
    }
    if (rc == 0 && !json_object_object_get_ex(root, "open", &v))
        rc = control_reject(err, errlen, "open", "missing: true or false");
    else if (rc == 0 && !json_object_is_type(v, json_type_boolean))
        rc = control_reject(err, errlen, "open", "expected true or false");
    else if (rc == 0)
        out->open = json_object_get_boolean(v);
    json_object_put(root);
    return rc;
}

int control_parse_magnet(const char *body, size_t len, uint16_t *mt, char *err, size_t errlen) {
    static const char *const allowed[] = {"mt", NULL};
    *mt = 0;
    json_object *root = control_parse_body(body, len, allowed, err, errlen);
    if (root == NULL)
        return -1;
    json_object *v;
    uint64_t x = 0;
    int rc = json_object_object_get_ex(root, "mt", &v)
                 ? get_count(v, "mt", CONTROL_MAGNET_MAX_MT, &x, err, errlen)
                 : control_reject(err, errlen, "mt", "missing: the field in mT");
    *mt = (uint16_t)x;
    json_object_put(root);
    return rc;
}

const char *control_press_name(int press) {
    return press == DISPLAY_PRESS_SHORT ? "short" : press == DISPLAY_PRESS_LONG ? "long" : "none";
}

json_object *control_lcd_json(void *meter) {
    static const char *const modes[] = {"off", "power_on", "auto", "manual", "service", "battery"};
    static const struct {
        uint32_t bit;
        const char *name;
    } syms[] = {{DISPLAY_SYM_T1, "T1"},
                {DISPLAY_SYM_T1 << 1, "T2"},
                {DISPLAY_SYM_T1 << 2, "T3"},
                {DISPLAY_SYM_T1 << 3, "T4"},
                {DISPLAY_SYM_Q1, "Q1"},
                {DISPLAY_SYM_Q1 << 1, "Q2"},
                {DISPLAY_SYM_Q1 << 2, "Q3"},
                {DISPLAY_SYM_Q1 << 3, "Q4"},
                {DISPLAY_SYM_IMPORT, "import"},
                {DISPLAY_SYM_EXPORT, "export"},
                {DISPLAY_SYM_TAMPER, "tamper"},
                {DISPLAY_SYM_BREAKER_OPEN, "breaker_open"},
                {DISPLAY_SYM_BREAKER_CLOSED, "breaker_closed"},
                {DISPLAY_SYM_ERROR, "error"},
                {DISPLAY_SYM_BATTERY, "battery"},
                {DISPLAY_SYM_ANTENNA, "antenna"},
                {DISPLAY_SYM_SIGNAL1, "signal1"},
                {DISPLAY_SYM_SIGNAL1 << 1, "signal2"},
                {DISPLAY_SYM_SIGNAL1 << 2, "signal3"},
                {DISPLAY_SYM_SIGNAL1 << 3, "signal4"},
                {DISPLAY_SYM_L1, "L1"},
                {DISPLAY_SYM_L1 << 1, "L2"},
                {DISPLAY_SYM_L1 << 2, "L3"},
                {DISPLAY_SYM_SEQ_123, "L123"},
                {DISPLAY_SYM_SEQ_132, "L132"},
                {DISPLAY_SYM_PREPAYMENT, "prepayment"},
                {DISPLAY_SYM_SERVICE, "service"},
                {DISPLAY_SYM_MANUAL, "manual"}};
    meter_t *m = meter;
    char lines[DISPLAY_LINES][DISPLAY_COLS + 1];
    meter_display_lines(m, lines); /* "Err" in the value line when unreadable */
    json_object *o = json_object_new_object();
    uint8_t mode = display_mode(&m->devices.display);
    json_object_object_add(
        o, "mode",
        json_object_new_string(mode < sizeof(modes) / sizeof(modes[0]) ? modes[mode] : "?"));
    json_object *a = json_object_new_array();
    for (unsigned i = 0; i < DISPLAY_LINES; i++)
        json_object_array_add(a, json_object_new_string(lines[i]));
    json_object_object_add(o, "lines", a);
    uint32_t bits = meter_display_symbols(m);
    json_object *s = json_object_new_array();
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
        if ((bits & syms[i].bit) != 0)
            json_object_array_add(s, json_object_new_string(syms[i].name));
    json_object_object_add(o, "symbols", s);
    return o;
}

json_object *control_led_json(void *meter) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "state",
                           json_object_new_string(meter_led_no_load(meter) ? "steady" : "pulsing"));
    return o;
}
