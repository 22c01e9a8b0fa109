/*
 * control_api.h - the operator control API's request decoding and the
 * pieces of its answers that need no meter: pure functions over JSON text
 * (json-c), so they are unit-tested (tests/unit/test_control_api.c) and
 * fuzzed (fuzz/fuzz_control.c) without a server. apps/emeter/control.c
 * serves them over HTTP (libmicrohttpd). docs/control-api.md.
 *
 * Every decoder treats the body as hostile: at most CONTROL_BODY_MAX
 * bytes, one JSON object, unknown members refused, every value checked
 * against its range. A refusal writes "field: reason" into err (the
 * HTTP answer is 400 {"error": err}).
 */
#ifndef EMETER_APP_CONTROL_API_H
#define EMETER_APP_CONTROL_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Largest request body: the biggest valid request is ~200 bytes. */
#define CONTROL_BODY_MAX 4096u

#define CONTROL_PHASES 3

/* Ranges (docs/control-api.md says why). */
#define CONTROL_OUTAGE_MAX_S  (7u * 86400u) /* a week without supply */
#define CONTROL_VOLTAGE_MAX_V 480.0         /* twice the nominal 230 V, with margin */
#define CONTROL_PULSE_MAX_MS  86400000u     /* a day: above the 3600 s sag time limit */
#define CONTROL_CURRENT_MAX_A 100.0         /* Imax of the meter (metrology defaults) */
#define CONTROL_SPEED_MAX     100000u       /* EMETER_SPEED_MAX */
#define CONTROL_TIME_MIN_UTC  946684800LL   /* 2000-01-01T00:00:00Z */
#define CONTROL_TIME_MAX_UTC  4102444799LL  /* 2099-12-31T23:59:59Z */

/* POST /api/grid: exactly one of the four. */
enum control_grid_kind {
    CONTROL_GRID_OUTAGE = 1, /* {"outage_s": N} */
    CONTROL_GRID_VOLTAGE,    /* {"voltage": [v1, v2, v3]} or {"voltage": null} */
    CONTROL_GRID_SAG,        /* {"sag": {"phase": 1, "depth_pct": 30, "duration_ms": 500}} */
    CONTROL_GRID_SWELL,      /* {"swell": {"phase": 1, "rise_pct": 15, "duration_ms": 500}} */
};

typedef struct control_grid {
    enum control_grid_kind kind;
    uint32_t outage_s;              /* OUTAGE: 1..CONTROL_OUTAGE_MAX_S */
    double voltage[CONTROL_PHASES]; /* VOLTAGE: V, NAN = back to the simulated voltage */
    uint8_t phase;                  /* SAG/SWELL: 1..3, 0 = all three */
    double pct;                     /* SAG: depth 1..100 %, SWELL: rise 1..100 % */
    uint32_t duration_ms;           /* SAG/SWELL: 1..CONTROL_PULSE_MAX_MS */
} control_grid_t;

/* POST /api/load: per-phase override (NAN = the load simulator's value),
 * or auto = every phase back to the simulator. */
typedef struct control_load {
    bool auto_all;
    double current_a[CONTROL_PHASES]; /* 0..CONTROL_CURRENT_MAX_A */
    double angle_deg[CONTROL_PHASES]; /* current lag behind voltage, -180..180 */
} control_load_t;

/* POST /api/time: speed and/or a new meter time. */
typedef struct control_time {
    bool has_speed;
    uint32_t speed; /* 1..CONTROL_SPEED_MAX */
    bool has_set;
    int64_t set_utc; /* CONTROL_TIME_MIN_UTC..CONTROL_TIME_MAX_UTC */
} control_time_t;

/* Shared by the request decoders (also control_devices.c): writes
 * "field: reason" (printf-style reason) into err and returns -1. */
int control_reject(char *err, size_t errlen, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The body as one JSON object of at most CONTROL_BODY_MAX bytes (trailing
 * white space only) whose members are all in allowed (NULL-terminated; NULL:
 * any); NULL with "(body): ..." or "name: unknown field" in err. The caller
 * puts the object. */
json_object *control_parse_body(const char *body, size_t len, const char *const *allowed, char *err,
                                size_t errlen);

/* Decoders: 0, or -1 with "field: reason" in err. */
int control_parse_grid(const char *body, size_t len, control_grid_t *out, char *err, size_t errlen);
int control_parse_load(const char *body, size_t len, control_load_t *out, char *err, size_t errlen);
int control_parse_time(const char *body, size_t len, control_time_t *out, char *err, size_t errlen);

/* "YYYY-MM-DDTHH:MM:SS" followed by "Z" or "+HH:MM" / "-HH:MM" (an
 * instant: a zone is required). 0 and the UTC seconds, or -1. */
int control_parse_iso(const char *s, int64_t *utc);

/* utc shown at offset_min minutes east of UTC: "2026-11-21T10:00:00Z" for
 * offset 0 with zulu, else "2026-11-21T11:00:00+01:00". Returns buf. */
char *control_format_iso(int64_t utc, int offset_min, bool zulu, char *buf, size_t cap);

/* Name of alarm register 1 bit (dlms-facts 2.7), or NULL for a bit
 * without a meaning there. */
const char *control_alarm_name(unsigned bit);

/* {"register": reg, "set": ["power up", ...]} (unnamed bits as "bit N"). */
json_object *control_alarms_json(uint32_t reg);

/* {"error": msg} as text, for the 4xx answers; the caller frees it. */
char *control_error_body(const char *msg);

#endif /* EMETER_APP_CONTROL_API_H */
