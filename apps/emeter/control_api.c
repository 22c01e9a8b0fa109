/*
 * control_api.c - request decoding and answer pieces of the operator
 * control API (see control_api.h, docs/control-api.md).
 */
#include "control_api.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int control_reject(char *err, size_t errlen, const char *field, const char *fmt, ...) {
    char reason[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", field, reason);
    return -1;
}

/* One JSON object of at most CONTROL_BODY_MAX bytes, nothing after it. */
static json_object *parse_object(const char *body, size_t len, char *err, size_t errlen) {
    if (len == 0) {
        control_reject(err, errlen, "(body)", "empty: expected a JSON object");
        return NULL;
    }
    if (len > CONTROL_BODY_MAX) {
        control_reject(err, errlen, "(body)", "larger than %u bytes", CONTROL_BODY_MAX);
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        control_reject(err, errlen, "(body)", "out of memory");
        return NULL;
    }
    json_object *root = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (root == NULL || jerr != json_tokener_success) {
        json_object_put(root);
        control_reject(err, errlen, "(body)", "not JSON: %s at byte %zu",
                       root == NULL && jerr == json_tokener_success ? "incomplete"
                                                                    : json_tokener_error_desc(jerr),
                       end);
        return NULL;
    }
    /* Trailing white space is fine (curl adds none, but a newline is usual). */
    for (size_t i = end; i < len; i++)
        if (body[i] != ' ' && body[i] != '\n' && body[i] != '\r' && body[i] != '\t') {
            json_object_put(root);
            control_reject(err, errlen, "(body)", "trailing characters after the JSON value");
            return NULL;
        }
    if (!json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        control_reject(err, errlen, "(body)", "expected a JSON object");
        return NULL;
    }
    return root;
}

/* A member name as an error shows it: as it is when it is a plain name,
 * else quoted with anything unprintable as '?', so the message always
 * starts with a recognisable field ("\": x\": unknown field"). */
static void show_name(const char *key, char *out, size_t cap) {
    bool plain = key[0] != '\0';
    for (const char *k = key; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
              *k == '_'))
            plain = false;
    if (plain) {
        snprintf(out, cap, "%.60s", key);
        return;
    }
    size_t n = 0;
    out[n++] = '"';
    for (const char *k = key; *k && n + 2 < cap && k - key < 60; k++)
        out[n++] = (*k >= 0x20 && *k < 0x7F && *k != '"' && *k != '\\') ? *k : '?';
    out[n++] = '"';
    out[n] = '\0';
}

/* Refuse members not in allowed (NULL-terminated). */
static int check_members(json_object *obj, const char *prefix, const char *const *allowed,
                         char *err, size_t errlen) {
    json_object_object_foreach(obj, key, val) {
        (void)val;
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = 1;
        if (!ok) {
            char field[96], name[72];
            show_name(key, name, sizeof(name));
            snprintf(field, sizeof(field), "%s%s", prefix, name);
            return control_reject(err, errlen, field, "unknown field");
        }
    }
    return 0;
}

json_object *control_parse_body(const char *body, size_t len, const char *const *allowed, char *err,
                                size_t errlen) {
    json_object *root = parse_object(body, len, err, errlen);
    if (root != NULL && allowed != NULL && check_members(root, "", allowed, err, errlen) != 0) {
        json_object_put(root);
        return NULL;
    }
    return root;
}

static bool is_number(json_object *v) {
    return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* A number in [min, max] (finite). */
static int get_number(json_object *v, const char *field, double min, double max, double *out,
                      char *err, size_t errlen) {
    if (!is_number(v))
        return control_reject(err, errlen, field, "expected a number");
    double x = json_object_get_double(v);
    if (!isfinite(x) || x < min || x > max)
        return control_reject(err, errlen, field, "must be between %g and %g", min, max);
    *out = x;
    return 0;
}

/* A whole number in [min, max]. */
static int get_uint(json_object *v, const char *field, uint64_t min, uint64_t max, uint64_t *out,
                    char *err, size_t errlen) {
    if (!json_object_is_type(v, json_type_int))
        return control_reject(err, errlen, field, "expected a whole number");
    int64_t x = json_object_get_int64(v);
    if (x < 0 || (uint64_t)x < min || (uint64_t)x > max)
        return control_reject(err, errlen, field, "must be between %llu and %llu",
                              (unsigned long long)min, (unsigned long long)max);
    *out = (uint64_t)x;
    return 0;
}

/* An array of CONTROL_PHASES numbers or nulls (null: NAN). */
static int get_phases(json_object *v, const char *field, double min, double max,
                      double out[CONTROL_PHASES], char *err, size_t errlen) {
    if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != CONTROL_PHASES)
        return control_reject(err, errlen, field,
                              "expected an array of 3 numbers (null: simulated)");
    for (size_t k = 0; k < CONTROL_PHASES; k++) {
        json_object *it = json_object_array_get_idx(v, k);
        char f[48];
        snprintf(f, sizeof(f), "%s[%zu]", field, k);
        if (it == NULL) {
            out[k] = NAN;
            continue;
        }
        if (get_number(it, f, min, max, &out[k], err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* {"phase": 1..3 (omitted: all), "<pct_name>": 1..100, "duration_ms": N} */
static int get_pulse(json_object *p, const char *name, const char *pct_name, control_grid_t *g,
                     char *err, size_t errlen) {
    const char *const allowed[] = {"phase", pct_name, "duration_ms", NULL};
    char prefix[16], field[48];
    snprintf(prefix, sizeof(prefix), "%s.", name);
    if (!json_object_is_type(p, json_type_object))
        return control_reject(err, errlen, name,
                              "expected an object {\"phase\", \"%s\", \"duration_ms\"}", pct_name);
    if (check_members(p, prefix, allowed, err, errlen) != 0)
        return -1;
    json_object *v;
    uint64_t x;
    g->phase = 0;
    if (json_object_object_get_ex(p, "phase", &v)) {
        snprintf(field, sizeof(field), "%sphase", prefix);
        if (get_uint(v, field, 1, CONTROL_PHASES, &x, err, errlen) != 0)
            return -1;
        g->phase = (uint8_t)x;
    }
    snprintf(field, sizeof(field), "%s%s", prefix, pct_name);
    if (!json_object_object_get_ex(p, pct_name, &v))
        return control_reject(err, errlen, field, "missing");
    if (get_number(v, field, 1.0, 100.0, &g->pct, err, errlen) != 0)
        return -1;
    snprintf(field, sizeof(field), "%sduration_ms", prefix);
    if (!json_object_object_get_ex(p, "duration_ms", &v))
        return control_reject(err, errlen, field, "missing");
    if (get_uint(v, field, 1, CONTROL_PULSE_MAX_MS, &x, err, errlen) != 0)
        return -1;
    g->duration_ms = (uint32_t)x;
    return 0;
}

int control_parse_grid(const char *body, size_t len, control_grid_t *out, char *err,
                       size_t errlen) {
    static const char *const allowed[] = {"outage_s", "voltage", "sag", "swell", NULL};
    memset(out, 0, sizeof(*out));
    json_object *root = parse_object(body, len, err, errlen);
    if (root == NULL)
        return -1;
    int rc = check_members(root, "", allowed, err, errlen);
    if (rc == 0 && json_object_object_length(root) != 1)
        rc = control_reject(err, errlen, "(body)",
                            "give exactly one of outage_s, voltage, sag, swell");
    json_object *v;
    if (rc != 0) {
        /* refused above */
    } else if (json_object_object_get_ex(root, "outage_s", &v)) {
        uint64_t x;
        out->kind = CONTROL_GRID_OUTAGE;
        rc = get_uint(v, "outage_s", 1, CONTROL_OUTAGE_MAX_S, &x, err, errlen);
        out->outage_s = (uint32_t)x;
    } else if (json_object_object_get_ex(root, "voltage", &v)) {
        out->kind = CONTROL_GRID_VOLTAGE;
        if (v == NULL)
            out->voltage[0] = out->voltage[1] = out->voltage[2] = NAN;
        else
            rc = get_phases(v, "voltage", 0.0, CONTROL_VOLTAGE_MAX_V, out->voltage, err, errlen);
    } else if (json_object_object_get_ex(root, "sag", &v)) {
        out->kind = CONTROL_GRID_SAG;
        rc = get_pulse(v, "sag", "depth_pct", out, err, errlen);
    } else if (json_object_object_get_ex(root, "swell", &v)) {
        out->kind = CONTROL_GRID_SWELL;
        rc = get_pulse(v, "swell", "rise_pct", out, err, errlen);
    }
    json_object_put(root);
    return rc;
}

int control_parse_load(const char *body, size_t len, control_load_t *out, char *err,
                       size_t errlen) {
    static const char *const allowed[] = {"auto", "current_a", "angle_deg", NULL};
    memset(out, 0, sizeof(*out));
    for (int k = 0; k < CONTROL_PHASES; k++)
        out->current_a[k] = out->angle_deg[k] = NAN;
    json_object *root = parse_object(body, len, err, errlen);
    if (root == NULL)
        return -1;
    int rc = check_members(root, "", allowed, err, errlen);
    json_object *v;
    if (rc == 0 && json_object_object_length(root) == 0)
        rc = control_reject(err, errlen, "(body)", "give auto, or current_a and/or angle_deg");
    if (rc == 0 && json_object_object_get_ex(root, "auto", &v)) {
        if (!json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))
            rc = control_reject(err, errlen, "auto", "expected true (back to the load simulator)");
        else if (json_object_object_length(root) != 1)
            rc = control_reject(err, errlen, "auto",
                                "cannot be combined with current_a or angle_deg");
        else
            out->auto_all = true;
    }
    if (rc == 0 && json_object_object_get_ex(root, "current_a", &v))
        rc = get_phases(v, "current_a", 0.0, CONTROL_CURRENT_MAX_A, out->current_a, err, errlen);
    if (rc == 0 && json_object_object_get_ex(root, "angle_deg", &v))
        rc = get_phases(v, "angle_deg", -180.0, 180.0, out->angle_deg, err, errlen);
    json_object_put(root);
    return rc;
}

int control_parse_time(const char *body, size_t len, control_time_t *out, char *err,
                       size_t errlen) {
    static const char *const allowed[] = {"speed", "set", NULL};
    memset(out, 0, sizeof(*out));
    json_object *root = parse_object(body, len, err, errlen);
    if (root == NULL)
        return -1;
    int rc = check_members(root, "", allowed, err, errlen);
    if (rc == 0 && json_object_object_length(root) == 0)
        rc = control_reject(err, errlen, "(body)", "give speed and/or set");
    json_object *v;
    if (rc == 0 && json_object_object_get_ex(root, "speed", &v)) {
        uint64_t x;
        rc = get_uint(v, "speed", 1, CONTROL_SPEED_MAX, &x, err, errlen);
        out->has_speed = true;
        out->speed = (uint32_t)x;
    }
    if (rc == 0 && json_object_object_get_ex(root, "set", &v)) {
        if (!json_object_is_type(v, json_type_string) ||
            control_parse_iso(json_object_get_string(v), &out->set_utc) != 0)
            rc = control_reject(err, errlen, "set",
                                "expected \"YYYY-MM-DDTHH:MM:SSZ\" or with an offset \"+HH:MM\"");
        else if (out->set_utc < CONTROL_TIME_MIN_UTC || out->set_utc > CONTROL_TIME_MAX_UTC)
            rc = control_reject(err, errlen, "set", "must be in the years 2000 to 2099");
        out->has_set = true;
    }
    json_object_put(root);
    return rc;
}

/* n decimal digits at s (no sign), or -1. */
static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int control_parse_iso(const char *s, int64_t *utc) {
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s == NULL || strlen(s) < 20)
        return -1;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
        se > 59 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return -1;
    if (d > mdays[mo - 1] + (mo == 2 && leap(y)))
        return -1;
    const char *z = s + 19;
    int off = 0;
    if (strcmp(z, "Z") == 0) {
        off = 0;
    } else if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && z[3] == ':') {
        int oh = digits(z + 1, 2), om = digits(z + 4, 2);
        if (oh < 0 || oh > 14 || om < 0 || om > 59)
            return -1;
        off = (oh * 60 + om) * (z[0] == '-' ? -1 : 1);
    } else {
        return -1;
    }
    *utc = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - (int64_t)off * 60;
    return 0;
}

char *control_format_iso(int64_t utc, int offset_min, bool zulu, char *buf, size_t cap) {
    time_t t = (time_t)(utc + (int64_t)offset_min * 60);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(buf, cap, "?");
        return buf;
    }
    char date[32];
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    if (zulu && offset_min == 0)
        snprintf(buf, cap, "%sZ", date);
    else
        snprintf(buf, cap, "%s%c%02d:%02d", date, offset_min < 0 ? '-' : '+', abs(offset_min) / 60,
                 abs(offset_min) % 60);
    return buf;
}

const char *control_alarm_name(unsigned bit) {
    static const char *const names[32] = {
        [0] = "clock invalid",
        [1] = "replace battery",
        [2] = "power up",
        [3] = "auxiliary event",
        [4] = "configuration changed",
        [8] = "program memory error",
        [9] = "RAM error",
        [10] = "NV memory error",
        [11] = "measurement system error",
        [12] = "watchdog error",
        [13] = "fraud attempt",
        [16] = "M-Bus communication error ch1",
        [17] = "M-Bus communication error ch2",
        [18] = "M-Bus communication error ch3",
        [19] = "M-Bus communication error ch4",
        [20] = "M-Bus fraud attempt ch1",
        [21] = "M-Bus fraud attempt ch2",
        [22] = "M-Bus fraud attempt ch3",
        [23] = "M-Bus fraud attempt ch4",
        [24] = "new M-Bus device ch1",
        [25] = "new M-Bus device ch2",
        [26] = "new M-Bus device ch3",
        [27] = "new M-Bus device ch4",
        [28] = "phase outage L1",
        [29] = "phase outage L2",
        [30] = "phase outage L3",
        [31] = "phase outage test indication",
    };
    return bit < 32 ? names[bit] : NULL;
}

json_object *control_alarms_json(uint32_t reg) {
    json_object *o = json_object_new_object();
    json_object *set = json_object_new_array();
    json_object_object_add(o, "register", json_object_new_int64(reg));
    for (unsigned b = 0; b < 32; b++) {
        if ((reg & (1u << b)) == 0)
            continue;
        const char *n = control_alarm_name(b);
        char buf[16];
        if (n == NULL) {
            snprintf(buf, sizeof(buf), "bit %u", b);
            n = buf;
        }
        json_object_array_add(set, json_object_new_string(n));
    }
    json_object_object_add(o, "set", set);
    return o;
}

char *control_error_body(const char *msg) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", json_object_new_string(msg));
    char *s = strdup(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}
