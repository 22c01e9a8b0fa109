/*
 * datetime.h - COSEM date, time and date-time (IEC 62056-6-2 "Date and time
 * formats", DLMS UA Blue Book 4.1.6.1), their 12/5/4-byte wire forms and
 * conversions to and from UTC seconds.
 *
 * Wire layout (big-endian, no tag, no length):
 *
 *   date-time (12): year-hi year-lo month day day_of_week hour minute second
 *                   hundredths deviation-hi deviation-lo clock_status
 *   date      (5):  year-hi year-lo month day day_of_week
 *   time      (4):  hour minute second hundredths
 *
 * Any field may be "not specified" (0xFF, year 0xFFFF, deviation 0x8000), which
 * turns a date-time into a pattern for schedules. Month 0xFD/0xFE stand for the
 * months in which daylight saving ends/begins, day 0xFD/0xFE for the 2nd last /
 * last day of the month.
 *
 * Deviation is the number of minutes from local time to UTC (UTC = local +
 * deviation), so Central European Time is -60 and CEST -120. It already
 * contains the daylight-saving shift; the DST bit of clock_status only
 * reports it.
 *
 * Calendar arithmetic is proleptic Gregorian with a days-from-civil
 * computation (no time.h, no mutable tables), exact for years 0..65534.
 *
 * Error codes share the A-XDR range (-0x0100..-0x01FF); axdr_strerror()
 * explains them.
 */
#ifndef EMETER_DLMS_DATETIME_H
#define EMETER_DLMS_DATETIME_H

#include <stdbool.h>
#include <stdint.h>

/* ---- errors (sub-range -0x0180..-0x018F of the A-XDR range) ------------- */
#define COSEM_DT_ERR_INVALID     (-0x0180) /* field out of range or date does not exist */
#define COSEM_DT_ERR_UNSPECIFIED (-0x0181) /* a field the conversion needs is not specified */
#define COSEM_DT_ERR_PATTERN     (-0x0182) /* DST month / last-day pattern, not a date */
#define COSEM_DT_ERR_RANGE       (-0x0183) /* instant outside years 0..65534 */
#define COSEM_DT_ERR_ARG         (-0x0184) /* NULL pointer */

/* ---- wire sizes ---------------------------------------------------------- */
#define COSEM_DATETIME_LEN 12
#define COSEM_DATE_LEN     5
#define COSEM_TIME_LEN     4

/* ---- "not specified" and special values ---------------------------------- */
#define COSEM_DT_YEAR_NOT_SPECIFIED      0xFFFFu
#define COSEM_DT_NOT_SPECIFIED           0xFFu     /* any single-byte field */
#define COSEM_DT_DEVIATION_NOT_SPECIFIED INT16_MIN /* 0x8000 on the wire */
#define COSEM_DT_MONTH_DST_END           0xFDu
#define COSEM_DT_MONTH_DST_BEGIN         0xFEu
#define COSEM_DT_DAY_2ND_LAST            0xFDu
#define COSEM_DT_DAY_LAST                0xFEu

/* Largest |deviation| in minutes: time zones span UTC-12..UTC+14 but the
 * standard bounds deviation to -720..720. */
#define COSEM_DT_DEVIATION_MAX 720

/* ---- clock_status bits (Blue Book, clock class 8 attribute 4) ------------ */
#define COSEM_CLOCK_STATUS_INVALID        0x01u /* invalid value */
#define COSEM_CLOCK_STATUS_DOUBTFUL       0x02u /* doubtful value */
#define COSEM_CLOCK_STATUS_DIFFERENT_BASE 0x04u /* different clock base */
#define COSEM_CLOCK_STATUS_INVALID_STATUS 0x08u /* invalid clock status */
#define COSEM_CLOCK_STATUS_DST_ACTIVE     0x80u /* daylight saving active */
#define COSEM_CLOCK_STATUS_NOT_SPECIFIED  0xFFu

typedef struct cosem_date {
    uint16_t year;       /* 0..0xFFFE, 0xFFFF not specified */
    uint8_t month;       /* 1..12, 0xFD DST end, 0xFE DST begin, 0xFF */
    uint8_t day;         /* 1..31, 0xFD 2nd last, 0xFE last, 0xFF */
    uint8_t day_of_week; /* 1 = Monday .. 7 = Sunday, 0xFF */
} cosem_date_t;

typedef struct cosem_time {
    uint8_t hour;       /* 0..23, 0xFF */
    uint8_t minute;     /* 0..59, 0xFF */
    uint8_t second;     /* 0..59, 0xFF */
    uint8_t hundredths; /* 0..99, 0xFF */
} cosem_time_t;

typedef struct cosem_datetime {
    uint16_t year;
    uint8_t month;
    uint8_t day;
    uint8_t day_of_week;
    uint8_t hour;
    uint8_t minute;
    uint8_t second;
    uint8_t hundredths;
    int16_t deviation;    /* minutes local -> UTC, -720..720, INT16_MIN not specified */
    uint8_t clock_status; /* COSEM_CLOCK_STATUS_* bits, 0xFF not specified */
} cosem_datetime_t;

/* ---- calendar helpers ----------------------------------------------------- */

bool cosem_is_leap_year(uint16_t year);

/* Days in month 1..12 of year; 0 for any other month. */
uint8_t cosem_days_in_month(uint16_t year, uint8_t month);

/* Day of week (1 = Monday .. 7 = Sunday) of a concrete date; 0 if the date
 * does not exist. */
uint8_t cosem_day_of_week(uint16_t year, uint8_t month, uint8_t day);

/* Resolve a day-of-month pattern for a concrete year and month, as the Blue
 * Book reads day_of_month and day_of_week together:
 *   day 1..31              that day (day_of_week must match if specified);
 *   day 0xFE, dow 0xFF     last day of the month;
 *   day 0xFD, dow 0xFF     second last day of the month;
 *   day 0xFE, dow 1..7     last occurrence of that weekday (e.g. last Sunday);
 *   day 0xFD, dow 1..7     second last occurrence of that weekday;
 *   day 0xFF, dow 1..7     no single day: COSEM_DT_ERR_UNSPECIFIED.
 * Writes the day of month to *day_out and returns 0, or a COSEM_DT_ERR_*. */
int cosem_resolve_day(uint16_t year, uint8_t month, uint8_t day, uint8_t day_of_week,
                      uint8_t *day_out);

/* ---- validity ------------------------------------------------------------ */

/* True when every field is in range, not specified, or an allowed special
 * value; a fully specified date must exist (no Feb 30, Feb 29 only in leap
 * years) and a specified day_of_week must agree with it. clock_status is not
 * checked (every bit pattern is representable). */
bool cosem_date_is_valid(const cosem_date_t *d);
bool cosem_time_is_valid(const cosem_time_t *t);
bool cosem_datetime_is_valid(const cosem_datetime_t *dt);

/* ---- conversions ----------------------------------------------------------- */

/* Local date-time for UTC seconds since 1970-01-01: local = UTC - deviation.
 * deviation_minutes may be COSEM_DT_DEVIATION_NOT_SPECIFIED (local = UTC).
 * Fills day_of_week, sets hundredths to 0 and clock_status to status. On error
 * *out is set to all "not specified". */
int cosem_datetime_from_utc(int64_t utc, int16_t deviation_minutes, uint8_t status,
                            cosem_datetime_t *out);

/* UTC seconds of a fully specified date-time: UTC = local + deviation.
 * Year, month, day, hour, minute and second must be specified
 * (COSEM_DT_ERR_UNSPECIFIED) and concrete (COSEM_DT_ERR_PATTERN for DST
 * months and last-day days); the value must be valid (COSEM_DT_ERR_INVALID).
 * Hundredths are dropped, a not-specified day_of_week is accepted, and
 * clock_status is ignored (the deviation already includes DST).
 * An unspecified deviation (0x8000) is treated as local time = UTC.
 * On error *utc is 0. */
int cosem_datetime_to_utc(const cosem_datetime_t *dt, int64_t *utc);

/* ---- wire form ------------------------------------------------------------ */

/* Pack/unpack never fail: every field value has a wire form. Checking the
 * content is cosem_*_is_valid()'s job. */
void cosem_datetime_pack(const cosem_datetime_t *dt, uint8_t out[COSEM_DATETIME_LEN]);
void cosem_datetime_unpack(const uint8_t in[COSEM_DATETIME_LEN], cosem_datetime_t *dt);
void cosem_date_pack(const cosem_date_t *d, uint8_t out[COSEM_DATE_LEN]);
void cosem_date_unpack(const uint8_t in[COSEM_DATE_LEN], cosem_date_t *d);
void cosem_time_pack(const cosem_time_t *t, uint8_t out[COSEM_TIME_LEN]);
void cosem_time_unpack(const uint8_t in[COSEM_TIME_LEN], cosem_time_t *t);

/* A date-time with every field not specified (the "no value" pattern). */
void cosem_datetime_set_unspecified(cosem_datetime_t *dt);

/* ---- schedules ----------------------------------------------------------- */

/* True when value (a local date-time, normally concrete) matches pattern, as
 * single action schedules and activity calendars compare them:
 *  - a not-specified pattern field matches anything;
 *  - day 0xFE/0xFD (with or without day_of_week) matches through
 *    cosem_resolve_day() in the value's year and month;
 *  - a specified pattern day_of_week matches the weekday of the value's date
 *    (computed from the date when the value's own field is not specified);
 *  - month 0xFD/0xFE (DST end/begin) never matches here: which month that is
 *    lives in the clock object, so the caller substitutes it first;
 *  - deviation and clock_status are not compared (schedules run in local
 *    time).
 * A specified pattern field never matches a not-specified value field. */
bool cosem_datetime_matches(const cosem_datetime_t *pattern, const cosem_datetime_t *value);

#endif /* EMETER_DLMS_DATETIME_H */
