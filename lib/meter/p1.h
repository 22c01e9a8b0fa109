/*
 * p1.h - DSMR 5.0.2 P1 consumer-port telegram (encoder) and its CRC.
 *
 * The P1 port sends one telegram a second (dlms-facts §5.2):
 *
 *   /XXX5<id> CR LF
 *   CR LF
 *   A-B:C.D.E(value*unit) CR LF      one line per object
 *   ...
 *   !CRC CR LF
 *
 * CRC is CRC-16/ARC (polynomial 0x8005 processed reflected as 0xA001, init
 * 0, no final xor) over every byte from '/' through '!', written as four
 * upper-case hex digits. The line set and order follow the TELEGRAM_V5
 * example of dsmr_parser; docs/p1.md lists every line with its unit and
 * width.
 *
 * The meter fills a p1_values_t (plain numbers in Wh, W, 0.1 V, mA, dm3 and
 * local date-times) and p1_telegram() formats it with its own fixed-point
 * formatter: no heap, no printf. Values wider than their field saturate at
 * the field's largest value, except the energy and M-Bus volume registers,
 * which roll over like a fixed-width register (docs/p1.md says why).
 */
#ifndef EMETER_METER_P1_H
#define EMETER_METER_P1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"

/* Errors: -0x0A80..-0x0A8F of the meter application range. */
#define P1_ERR_BADARG (-0x0A81) /* NULL pointer or format digits out of range */
#define P1_ERR_BUFFER (-0x0A82) /* output buffer too small for the telegram */
#define P1_ERR_IDENT  (-0x0A83) /* identification empty, too long or bad char */
#define P1_ERR_TIME   (-0x0A84) /* date-time field out of range */
#define P1_ERR_FIELD  (-0x0A85) /* id/text too long, too many log entries */
#define P1_ERR_FORMAT (-0x0A86) /* decoder: no '/', no '!' or bad CRC digits */
#define P1_ERR_CRC    (-0x0A87) /* decoder: CRC does not match */

/* The power failure event log 1-0:99.97.0 holds at most 10 entries
 * (DSMR 5.0.2; dsmr_parser refuses a longer buffer). */
#define P1_MAX_POWER_FAILURES 10u

/* Local date-time as written in the telegram: YYMMDDhhmmssX, X = 'S' when
 * daylight saving time is active, 'W' otherwise. */
typedef struct {
    uint16_t year; /* full year; the telegram shows year % 100 */
    uint8_t month; /* 1..12 */
    uint8_t day;   /* 1..31 */
    uint8_t hour;  /* 0..23 */
    uint8_t minute;
    uint8_t second;
    bool dst; /* summer time ('S') */
} p1_time_t;

/* One entry of the power failure event log 0-0:96.7.19. */
typedef struct {
    p1_time_t end;       /* time the failure ended */
    uint32_t duration_s; /* 10 digits, never saturates */
} p1_power_failure_t;

/* One M-Bus channel 0-n:24.x (n = index + 1). The volume is written in m3
 * with 3 decimals (gas and water; DSMR device type 3 = gas, 7 = water). */
typedef struct {
    bool present;                /* false: no lines for this channel */
    uint8_t device_type;         /* 0-n:24.1.0, EN 13757-3 device type */
    const uint8_t *equipment_id; /* 0-n:96.1.0, written as hex; may be empty */
    size_t equipment_id_len;     /* <= EM_P1_EQUIPMENT_ID_MAX */
    bool has_reading;            /* false: no 0-n:24.2.1 line */
    p1_time_t capture_time;      /* capture time of the last reading */
    uint64_t volume_dm3;         /* last reading in 0.001 m3, rolls over */
} p1_mbus_t;

/* Field widths that differ between meters. Zero everywhere is DSMR 5.0.2
 * (230.1 V, 001 A); { 4, 1, 2 } reproduces the Iskra MT382 of dsmr_parser's
 * TELEGRAM_V5 (0230.0 V, 0.48 A). */
typedef struct {
    uint8_t voltage_int_digits; /* 0 = 3; at most 4 */
    uint8_t current_int_digits; /* 0 = 3; at most 3 */
    uint8_t current_decimals;   /* 0..2 */
} p1_format_t;

/* Everything one telegram shows. Pointers are read during p1_telegram()
 * only. Negative power, voltage and current read as 0 (the fields have no
 * sign; export has its own OBIS codes). */
typedef struct {
    p1_format_t format;
    p1_time_t timestamp;         /* 0-0:1.0.0 */
    const uint8_t *equipment_id; /* 0-0:96.1.1, written as hex */
    size_t equipment_id_len;     /* <= EM_P1_EQUIPMENT_ID_MAX */
    uint64_t import_wh[2];       /* 1-0:1.8.1 / 1.8.2, A+ tariff 1 / 2 */
    uint64_t export_wh[2];       /* 1-0:2.8.1 / 2.8.2, A- tariff 1 / 2 */
    uint16_t tariff;             /* 0-0:96.14.0 tariff indicator */
    int32_t import_w;            /* 1-0:1.7.0, +P total */
    int32_t export_w;            /* 1-0:2.7.0, -P total */
    uint32_t short_failures;     /* 0-0:96.7.21, power failures in any phase */
    uint32_t long_failures;      /* 0-0:96.7.9, long power failures */
    uint8_t n_power_failures;    /* entries of 1-0:99.97.0, <= 10 */
    p1_power_failure_t power_failures[P1_MAX_POWER_FAILURES];
    bool single_phase;         /* true: only the L1 lines */
    uint32_t sags[3];          /* 1-0:32.32.0 / 52.32.0 / 72.32.0 */
    uint32_t swells[3];        /* 1-0:32.36.0 / 52.36.0 / 72.36.0 */
    const uint8_t *text;       /* 0-0:96.13.0, written as hex; may be empty */
    size_t text_len;           /* <= EM_P1_TEXT_MAX */
    int32_t voltage_dv[3];     /* 1-0:32.7.0 / 52.7.0 / 72.7.0 in 0.1 V */
    int32_t current_ma[3];     /* 1-0:31.7.0 / 51.7.0 / 71.7.0 in mA */
    int32_t import_w_phase[3]; /* 1-0:21.7.0 / 41.7.0 / 61.7.0, +P Li */
    int32_t export_w_phase[3]; /* 1-0:22.7.0 / 42.7.0 / 62.7.0, -P Li */
    p1_mbus_t mbus[EM_P1_MAX_MBUS];
} p1_values_t;

/* Longest identification after '/' (e.g. "ISk5\2MT382-1000"). */
#define P1_IDENT_MAX 32u

/* Largest telegram p1_telegram() can produce with the configured sizes:
 * a buffer of this size never gives P1_ERR_BUFFER. */
#define P1_TELEGRAM_MAX                                                                            \
    (712u + P1_IDENT_MAX + 2u * EM_P1_EQUIPMENT_ID_MAX + 2u * EM_P1_TEXT_MAX +                     \
     P1_MAX_POWER_FAILURES * 29u + EM_P1_MAX_MBUS * (72u + 2u * EM_P1_EQUIPMENT_ID_MAX))

/* Formats the telegram of v into out[0..cap) and returns its length (no
 * NUL is written). ident is the identification without the leading '/'
 * (1..P1_IDENT_MAX printable characters, none of '/', '!', '(', ')').
 * With out == NULL and cap == 0 it only returns the length needed. */
int p1_telegram(const p1_values_t *v, const char *ident, char *out, size_t cap);

/* CRC-16/ARC of data, continued from crc (start with 0). */
uint16_t p1_crc16(uint16_t crc, const uint8_t *data, size_t len);

/* Decoder side: checks that telegram[0..len) starts with '/', has a '!'
 * followed by four upper-case hex digits, and that they match the CRC of
 * '/' through '!'. Returns 0, P1_ERR_FORMAT or P1_ERR_CRC. */
int p1_crc_check(const char *telegram, size_t len);

/* Short English reason for a P1_ERR_* code. */
const char *p1_strerror(int err);

#endif /* EMETER_METER_P1_H */
