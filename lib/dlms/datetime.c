/*
 * datetime.c - COSEM date/time/date-time helpers (IEC 62056-6-2, Blue Book
 * 4.1.6.1 "Date and time formats"): validity, UTC conversion, wire packing
 * and schedule pattern matching.
 *
 * Day numbers use the days-from-civil computation on a March-based year
 * (the leap day is the last day of the year, so the month lengths follow
 * the regular 153-days-per-5-months rhythm and need no table). It is exact
 * for every proleptic Gregorian date and only needs 64-bit integers.
 */
#include "dlms/datetime.h"

#include <stddef.h>

#define SECONDS_PER_DAY 86400
#define DAYS_PER_ERA    146097 /* days in 400 Gregorian years */
#define EPOCH_SHIFT     719468 /* days from 0000-03-01 to 1970-01-01 */
#define YEAR_MAX        0xFFFEu

/* Floor division for a positive divisor (C division truncates toward 0). */
static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Days since 1970-01-01 of a concrete, existing date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= (m <= 2);
    int64_t era = floor_div(y, 400);
    unsigned yoe = (unsigned)(y - era * 400);             /* 0..399 */
    unsigned mp = (m > 2) ? m - 3 : m + 9;                /* March = 0 */
    unsigned doy = (153 * mp + 2) / 5 + d - 1;            /* 0..365 */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */
    return era * DAYS_PER_ERA + (int64_t)doe - EPOCH_SHIFT;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += EPOCH_SHIFT;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    unsigned doe = (unsigned)(z - era * DAYS_PER_ERA);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = (mp < 10) ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* 1970-01-01 was a Thursday (4). */
static uint8_t weekday_from_days(int64_t days) {
    int64_t r = (days + 3) % 7;
    if (r < 0) {
        r += 7;
    }
    return (uint8_t)(r + 1);
}

bool cosem_is_leap_year(uint16_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

uint8_t cosem_days_in_month(uint16_t year, uint8_t month) {
    if (month < 1 || month > 12) {
        return 0;
    }
    if (month == 2) {
        return cosem_is_leap_year(year) ? 29 : 28;
    }
    /* 30 days hath September, April, June and November. */
    return (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
}

uint8_t cosem_day_of_week(uint16_t year, uint8_t month, uint8_t day) {
    if (day < 1 || day > cosem_days_in_month(year, month)) {
        return 0;
    }
    return weekday_from_days(days_from_civil(year, month, day));
}

static bool dow_ok(uint8_t dow) {
    return (dow >= 1 && dow <= 7) || dow == COSEM_DT_NOT_SPECIFIED;
}

/* The last (nth_from_end 0) or second last (1) day of the month, optionally
 * restricted to one weekday. */
static uint8_t day_from_end(uint16_t year, uint8_t month, uint8_t dow, unsigned nth_from_end) {
    uint8_t dim = cosem_days_in_month(year, month);
    if (dow == COSEM_DT_NOT_SPECIFIED) {
        return (uint8_t)(dim - nth_from_end);
    }
    uint8_t last_dow = cosem_day_of_week(year, month, dim);
    unsigned back = (unsigned)(last_dow + 7 - dow) % 7; /* days back to that weekday */
    return (uint8_t)(dim - back - 7 * nth_from_end);
}

int cosem_resolve_day(uint16_t year, uint8_t month, uint8_t day, uint8_t day_of_week,
                      uint8_t *day_out) {
    if (day_out == NULL) {
        return COSEM_DT_ERR_ARG;
    }
    *day_out = 0;
    if (year == COSEM_DT_YEAR_NOT_SPECIFIED || month == COSEM_DT_NOT_SPECIFIED ||
        day == COSEM_DT_NOT_SPECIFIED) {
        return COSEM_DT_ERR_UNSPECIFIED;
    }
    if (month == COSEM_DT_MONTH_DST_END || month == COSEM_DT_MONTH_DST_BEGIN) {
        return COSEM_DT_ERR_PATTERN;
    }
    if (cosem_days_in_month(year, month) == 0 || !dow_ok(day_of_week)) {
        return COSEM_DT_ERR_INVALID;
    }
    if (day == COSEM_DT_DAY_LAST || day == COSEM_DT_DAY_2ND_LAST) {
        *day_out = day_from_end(year, month, day_of_week, day == COSEM_DT_DAY_LAST ? 0 : 1);
        return 0;
    }
    uint8_t dow = cosem_day_of_week(year, month, day);
    if (dow == 0 || (day_of_week != COSEM_DT_NOT_SPECIFIED && day_of_week != dow)) {
        return COSEM_DT_ERR_INVALID;
    }
    *day_out = day;
    return 0;
}

/* ---- validity ------------------------------------------------------------- */

static bool field_ok(uint8_t v, uint8_t max) {
    return v <= max || v == COSEM_DT_NOT_SPECIFIED;
}

static bool month_ok(uint8_t m) {
    return (m >= 1 && m <= 12) || m == COSEM_DT_MONTH_DST_END || m == COSEM_DT_MONTH_DST_BEGIN ||
           m == COSEM_DT_NOT_SPECIFIED;
}

static bool day_ok(uint8_t d) {
    return (d >= 1 && d <= 31) || d == COSEM_DT_DAY_2ND_LAST || d == COSEM_DT_DAY_LAST ||
           d == COSEM_DT_NOT_SPECIFIED;
}

/* A concrete day must exist in its month: in the given year when the year is
 * known, in a leap year (the most generous) when it is not, in a 31-day month
 * when the month is a pattern. */
static bool day_exists(uint16_t year, uint8_t month, uint8_t day) {
    if (day < 1 || day > 31 || month < 1 || month > 12) {
        return true;
    }
    uint16_t y = (year == COSEM_DT_YEAR_NOT_SPECIFIED) ? 2000 : year;
    return day <= cosem_days_in_month(y, month);
}

bool cosem_date_is_valid(const cosem_date_t *d) {
    if (d == NULL || !month_ok(d->month) || !day_ok(d->day) || !dow_ok(d->day_of_week) ||
        !day_exists(d->year, d->month, d->day)) {
        return false;
    }
    bool concrete = d->year != COSEM_DT_YEAR_NOT_SPECIFIED && d->month >= 1 && d->month <= 12 &&
                    d->day >= 1 && d->day <= 31;
    if (concrete && d->day_of_week != COSEM_DT_NOT_SPECIFIED) {
        return d->day_of_week == cosem_day_of_week(d->year, d->month, d->day);
    }
    return true;
}

bool cosem_time_is_valid(const cosem_time_t *t) {
    return t != NULL && field_ok(t->hour, 23) && field_ok(t->minute, 59) &&
           field_ok(t->second, 59) && field_ok(t->hundredths, 99);
}

static bool deviation_ok(int16_t dev) {
    return dev == COSEM_DT_DEVIATION_NOT_SPECIFIED ||
           (dev >= -COSEM_DT_DEVIATION_MAX && dev <= COSEM_DT_DEVIATION_MAX);
}

static void split(const cosem_datetime_t *dt, cosem_date_t *d, cosem_time_t *t) {
    d->year = dt->year;
    d->month = dt->month;
    d->day = dt->day;
    d->day_of_week = dt->day_of_week;
    t->hour = dt->hour;
    t->minute = dt->minute;
    t->second = dt->second;
    t->hundredths = dt->hundredths;
}

bool cosem_datetime_is_valid(const cosem_datetime_t *dt) {
    if (dt == NULL) {
        return false;
    }
    cosem_date_t d;
    cosem_time_t t;
    split(dt, &d, &t);
    return cosem_date_is_valid(&d) && cosem_time_is_valid(&t) && deviation_ok(dt->deviation);
}

/* ---- conversions ------------------------------------------------------------ */

void cosem_datetime_set_unspecified(cosem_datetime_t *dt) {
    dt->year = COSEM_DT_YEAR_NOT_SPECIFIED;
    dt->month = COSEM_DT_NOT_SPECIFIED;
    dt->day = COSEM_DT_NOT_SPECIFIED;
    dt->day_of_week = COSEM_DT_NOT_SPECIFIED;
    dt->hour = COSEM_DT_NOT_SPECIFIED;
    dt->minute = COSEM_DT_NOT_SPECIFIED;
    dt->second = COSEM_DT_NOT_SPECIFIED;
    dt->hundredths = COSEM_DT_NOT_SPECIFIED;
    dt->deviation = COSEM_DT_DEVIATION_NOT_SPECIFIED;
    dt->clock_status = COSEM_CLOCK_STATUS_NOT_SPECIFIED;
}

/* |utc| beyond this cannot be a year 0..65534 instant; checking it first keeps
 * the arithmetic below far from int64 overflow. */
#define UTC_LIMIT ((int64_t)1 << 42)

int cosem_datetime_from_utc(int64_t utc, int16_t deviation_minutes, uint8_t status,
                            cosem_datetime_t *out) {
    if (out == NULL) {
        return COSEM_DT_ERR_ARG;
    }
    cosem_datetime_set_unspecified(out);
    if (!deviation_ok(deviation_minutes)) {
        return COSEM_DT_ERR_INVALID;
    }
    if (utc <= -UTC_LIMIT || utc >= UTC_LIMIT) {
        return COSEM_DT_ERR_RANGE;
    }
    int64_t local = utc;
    if (deviation_minutes != COSEM_DT_DEVIATION_NOT_SPECIFIED) {
        local -= (int64_t)deviation_minutes * 60;
    }
    int64_t days = floor_div(local, SECONDS_PER_DAY);
    int64_t sod = local - days * SECONDS_PER_DAY; /* 0..86399 */
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > (int64_t)YEAR_MAX) {
        return COSEM_DT_ERR_RANGE;
    }
    out->year = (uint16_t)y;
    out->month = (uint8_t)m;
    out->day = (uint8_t)d;
    out->day_of_week = weekday_from_days(days);
    out->hour = (uint8_t)(sod / 3600);
    out->minute = (uint8_t)(sod / 60 % 60);
    out->second = (uint8_t)(sod % 60);
    out->hundredths = 0;
    out->deviation = deviation_minutes;
    out->clock_status = status;
    return 0;
}

int cosem_datetime_to_utc(const cosem_datetime_t *dt, int64_t *utc) {
    if (dt == NULL || utc == NULL) {
        return COSEM_DT_ERR_ARG;
    }
    *utc = 0;
    if (!cosem_datetime_is_valid(dt)) {
        return COSEM_DT_ERR_INVALID;
    }
    if (dt->year == COSEM_DT_YEAR_NOT_SPECIFIED || dt->month == COSEM_DT_NOT_SPECIFIED ||
        dt->day == COSEM_DT_NOT_SPECIFIED || dt->hour == COSEM_DT_NOT_SPECIFIED ||
        dt->minute == COSEM_DT_NOT_SPECIFIED || dt->second == COSEM_DT_NOT_SPECIFIED) {
        return COSEM_DT_ERR_UNSPECIFIED;
    }
    if (dt->month > 12 || dt->day > 31) {
        return COSEM_DT_ERR_PATTERN;
    }
    int64_t local = days_from_civil(dt->year, dt->month, dt->day) * SECONDS_PER_DAY +
                    (int64_t)dt->hour * 3600 + (int64_t)dt->minute * 60 + dt->second;
    if (dt->deviation != COSEM_DT_DEVIATION_NOT_SPECIFIED) {
        local += (int64_t)dt->deviation * 60;
    }
    *utc = local;
    return 0;
}

/* ---- wire form --------------------------------------------------------------- */

void cosem_date_pack(const cosem_date_t *d, uint8_t out[COSEM_DATE_LEN]) {
    out[0] = (uint8_t)(d->year >> 8);
    out[1] = (uint8_t)d->year;
    out[2] = d->month;
    out[3] = d->day;
    out[4] = d->day_of_week;
}

void cosem_date_unpack(const uint8_t in[COSEM_DATE_LEN], cosem_date_t *d) {
    d->year = (uint16_t)((in[0] << 8) | in[1]);
    d->month = in[2];
    d->day = in[3];
    d->day_of_week = in[4];
}

void cosem_time_pack(const cosem_time_t *t, uint8_t out[COSEM_TIME_LEN]) {
    out[0] = t->hour;
    out[1] = t->minute;
    out[2] = t->second;
    out[3] = t->hundredths;
}

void cosem_time_unpack(const uint8_t in[COSEM_TIME_LEN], cosem_time_t *t) {
    t->hour = in[0];
    t->minute = in[1];
    t->second = in[2];
    t->hundredths = in[3];
}

void cosem_datetime_pack(const cosem_datetime_t *dt, uint8_t out[COSEM_DATETIME_LEN]) {
    cosem_date_t d;
    cosem_time_t t;
    split(dt, &d, &t);
    cosem_date_pack(&d, out);
    cosem_time_pack(&t, out + COSEM_DATE_LEN);
    uint16_t dev = (uint16_t)dt->deviation; /* two's complement on the wire */
    out[9] = (uint8_t)(dev >> 8);
    out[10] = (uint8_t)dev;
    out[11] = dt->clock_status;
}

void cosem_datetime_unpack(const uint8_t in[COSEM_DATETIME_LEN], cosem_datetime_t *dt) {
    cosem_date_t d;
    cosem_time_t t;
    cosem_date_unpack(in, &d);
    cosem_time_unpack(in + COSEM_DATE_LEN, &t);
    dt->year = d.year;
    dt->month = d.month;
    dt->day = d.day;
    dt->day_of_week = d.day_of_week;
    dt->hour = t.hour;
    dt->minute = t.minute;
    dt->second = t.second;
    dt->hundredths = t.hundredths;
    uint16_t dev = (uint16_t)((in[9] << 8) | in[10]);
    /* Portable two's complement to int16_t without implementation-defined
     * conversion of out-of-range values. */
    dt->deviation = (dev & 0x8000u) ? (int16_t)(-(int32_t)(0x10000u - dev)) : (int16_t)dev;
    dt->clock_status = in[11];
}

/* ---- schedules --------------------------------------------------------------- */

static bool byte_matches(uint8_t pattern, uint8_t value) {
    return pattern == COSEM_DT_NOT_SPECIFIED || pattern == value;
}

/* Weekday of the value: from its date when the date is concrete, otherwise
 * its own day_of_week field. */
static uint8_t value_weekday(const cosem_datetime_t *v) {
    uint8_t dow = cosem_day_of_week(v->year, v->month, v->day);
    return dow != 0 && v->year != COSEM_DT_YEAR_NOT_SPECIFIED ? dow : v->day_of_week;
}

static bool day_matches(const cosem_datetime_t *p, const cosem_datetime_t *v) {
    if (p->day == COSEM_DT_DAY_LAST || p->day == COSEM_DT_DAY_2ND_LAST) {
        uint8_t day;
        return cosem_resolve_day(v->year, v->month, p->day, p->day_of_week, &day) == 0 &&
               day == v->day;
    }
    if (!byte_matches(p->day, v->day)) {
        return false;
    }
    if (p->day_of_week == COSEM_DT_NOT_SPECIFIED) {
        return true;
    }
    return p->day_of_week == value_weekday(v);
}

bool cosem_datetime_matches(const cosem_datetime_t *pattern, const cosem_datetime_t *value) {
    if (pattern == NULL || value == NULL) {
        return false;
    }
    if (pattern->month == COSEM_DT_MONTH_DST_END || pattern->month == COSEM_DT_MONTH_DST_BEGIN) {
        return false;
    }
    return (pattern->year == COSEM_DT_YEAR_NOT_SPECIFIED || pattern->year == value->year) &&
           byte_matches(pattern->month, value->month) && day_matches(pattern, value) &&
           byte_matches(pattern->hour, value->hour) &&
           byte_matches(pattern->minute, value->minute) &&
           byte_matches(pattern->second, value->second) &&
           byte_matches(pattern->hundredths, value->hundredths);
}
