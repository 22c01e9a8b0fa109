/*
 * clock.c - interface class Clock (class_id 8, version 0; Blue Book
 * "Clock"): the meter's local time over the port's UTC real-time clock,
 * time zone and daylight saving rules, status bits, and the adjustment
 * methods. Signs and the DST pattern reading are described in
 * cosem_classes.h.
 *
 * Every method or write that moves the time records the time before and
 * after the change in the clock state (adjust_old / adjust_new) before the
 * dispatcher's notify hook runs, so the application can log the clock
 * events with both instants.
 */
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

/* Bits of attribute 4 the state keeps; DST active is computed. */
#define KEPT_STATUS                                                                                \
    (COSEM_CLOCK_STATUS_INVALID | COSEM_CLOCK_STATUS_DOUBTFUL |                                    \
     COSEM_CLOCK_STATUS_DIFFERENT_BASE | COSEM_CLOCK_STATUS_INVALID_STATUS)

#define DST_DEVIATION_MAX 120 /* Blue Book range of daylight_savings_deviation */
#define SHIFT_MAX         900 /* shift_time: long (-900..900) seconds */

_Static_assert(EM_DLMS_GET_COOKIE >= 1 + sizeof(int64_t), "clock snapshot needs 9 cookie bytes");

/* ---- DST rules -------------------------------------------------------------------- */

/* Day of month of a DST pattern in a concrete year, 0 if none. */
static uint8_t pattern_day(const cosem_datetime_t *p, uint16_t year) {
    uint8_t day = 0;
    if (p->day == COSEM_DT_DAY_LAST || p->day == COSEM_DT_DAY_2ND_LAST) {
        return cosem_resolve_day(year, p->month, p->day, p->day_of_week, &day) == 0 ? day : 0;
    }
    uint8_t dim = cosem_days_in_month(year, p->month);
    if (p->day < 1 || p->day > dim) {
        return 0;
    }
    if (p->day_of_week == COSEM_DT_NOT_SPECIFIED) {
        return p->day;
    }
    /* Day and weekday: the first such weekday on or after that day. */
    uint8_t w = cosem_day_of_week(year, p->month, p->day);
    unsigned d = p->day + (unsigned)(p->day_of_week + 7 - w) % 7;
    return d <= dim ? (uint8_t)d : 0;
}

static uint8_t or_zero(uint8_t v) {
    return v == COSEM_DT_NOT_SPECIFIED ? 0 : v;
}

/* UTC instant of a DST pattern in `year`, read with `deviation` unless the
 * pattern gives its own. */
static bool pattern_instant(const cosem_datetime_t *p, uint16_t year, int16_t deviation,
                            int64_t *utc) {
    if ((p->year != COSEM_DT_YEAR_NOT_SPECIFIED && p->year != year) || p->month < 1 ||
        p->month > 12) {
        return false;
    }
    uint8_t day = pattern_day(p, year);
    if (day == 0) {
        return false;
    }
    cosem_datetime_t dt;
    cosem_datetime_set_unspecified(&dt);
    dt.year = year;
    dt.month = p->month;
    dt.day = day;
    dt.hour = or_zero(p->hour);
    dt.minute = or_zero(p->minute);
    dt.second = or_zero(p->second);
    dt.deviation = p->deviation != COSEM_DT_DEVIATION_NOT_SPECIFIED ? p->deviation : deviation;
    return cosem_datetime_to_utc(&dt, utc) == 0;
}

bool cosem_clock_dst_instants(const cosem_clock_state_t *st, uint16_t year, int64_t *begin,
                              int64_t *end) {
    int16_t dst_dev = (int16_t)(st->time_zone - st->dst_deviation);
    return pattern_instant(&st->dst_begin, year, st->time_zone, begin) &&
           pattern_instant(&st->dst_end, year, dst_dev, end);
}

bool cosem_clock_dst_active(const cosem_clock_state_t *st, int64_t utc) {
    cosem_datetime_t std;
    int64_t begin, end;
    if (st == NULL || !st->dst_enabled ||
        cosem_datetime_from_utc(utc, st->time_zone, 0, &std) != 0 ||
        !cosem_clock_dst_instants(st, std.year, &begin, &end)) {
        return false;
    }
    if (begin < end) {
        return utc >= begin && utc < end; /* northern hemisphere */
    }
    return utc >= begin || utc < end; /* DST spans the new year */
}

int16_t cosem_clock_deviation(const cosem_clock_state_t *st, int64_t utc) {
    return (int16_t)(st->time_zone - (cosem_clock_dst_active(st, utc) ? st->dst_deviation : 0));
}

uint8_t cosem_clock_status(const cosem_clock_state_t *st, int64_t utc) {
    return (uint8_t)((st->status & KEPT_STATUS) |
                     (cosem_clock_dst_active(st, utc) ? COSEM_CLOCK_STATUS_DST_ACTIVE : 0));
}

int cosem_clock_local(const cosem_clock_state_t *st, int64_t utc, cosem_datetime_t *out) {
    if (st == NULL || out == NULL) {
        return COSEM_ERR_BADARG;
    }
    int rc = cosem_datetime_from_utc(utc, cosem_clock_deviation(st, utc),
                                     cosem_clock_status(st, utc), out);
    return rc == 0 ? 0 : COSEM_ERR_TIME;
}

static int local_with(const cosem_datetime_t *dt, int16_t deviation, int64_t *utc) {
    cosem_datetime_t c = *dt;
    c.deviation = deviation;
    return cosem_datetime_to_utc(&c, utc) == 0 ? 0 : COSEM_ERR_TIME;
}

int cosem_clock_from_local(const cosem_clock_state_t *st, const cosem_datetime_t *dt,
                           int64_t *utc) {
    if (st == NULL || dt == NULL || utc == NULL) {
        return COSEM_ERR_BADARG;
    }
    int64_t in_dst;
    if (st->dst_enabled &&
        local_with(dt, (int16_t)(st->time_zone - st->dst_deviation), &in_dst) == 0 &&
        cosem_clock_dst_active(st, in_dst)) {
        *utc = in_dst;
        return 0;
    }
    return local_with(dt, st->time_zone, utc);
}

void cosem_clock_state_cet(cosem_clock_state_t *st) {
    memset(st, 0, sizeof(*st));
    st->time_zone = -60;
    st->dst_deviation = 60;
    st->dst_enabled = true;
    st->clock_base = 1; /* internal crystal */
    cosem_datetime_set_unspecified(&st->dst_begin);
    st->dst_begin.month = 3;
    st->dst_begin.day = COSEM_DT_DAY_LAST;
    st->dst_begin.day_of_week = 7;
    st->dst_begin.hour = 2;
    st->dst_begin.minute = 0;
    st->dst_begin.second = 0;
    st->dst_begin.hundredths = 0;
    st->dst_end = st->dst_begin;
    st->dst_end.month = 10;
    st->dst_end.hour = 3;
}

/* ---- class --------------------------------------------------------------------------- */

static const cosem_clock_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

static cosem_clock_state_t *state_of(const cosem_req_t *r) {
    return cosem_app_ptr(r->srv, def_of(r->obj)->state);
}

/* The time of one read, kept in the block cookie so that every block of a
 * long (with-list) reply shows the same instant. */
static int read_time(const cosem_req_t *r, int64_t *utc) {
    static const uint8_t zero[1 + sizeof(int64_t)];
    if (r->cookie != NULL && r->cookie[0] == 0xC1) {
        memcpy(utc, r->cookie + 1, sizeof(*utc));
        return 0;
    }
    int rc = cosem_rtc_now(r->srv, utc);
    if (rc == 0 && r->cookie != NULL && memcmp(r->cookie, zero, sizeof(zero)) == 0) {
        r->cookie[0] = 0xC1;
        memcpy(r->cookie + 1, utc, sizeof(*utc));
    }
    return rc;
}

static int get_time(const cosem_req_t *r, const cosem_clock_state_t *st, axdr_enc_t *e) {
    int64_t utc;
    cosem_datetime_t dt;
    int rc = read_time(r, &utc);
    if (rc == 0) {
        rc = cosem_clock_local(st, utc, &dt);
    }
    return rc != 0 ? (int)DLMS_DAR_HARDWARE_FAULT : axdr_put_date_time_os(e, &dt);
}

static int clock_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_clock_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return get_time(r, st, e);
    case 3:
        return axdr_put_int16(e, st->time_zone);
    case 4: {
        int64_t utc;
        int rc = read_time(r, &utc);
        return rc != 0 ? (int)DLMS_DAR_HARDWARE_FAULT
                       : axdr_put_uint8(e, cosem_clock_status(st, utc));
    }
    case 5:
        return axdr_put_date_time_os(e, &st->dst_begin);
    case 6:
        return axdr_put_date_time_os(e, &st->dst_end);
    case 7:
        return axdr_put_int8(e, st->dst_deviation);
    case 8:
        return axdr_put_boolean(e, st->dst_enabled);
    default:
        return axdr_put_enum(e, st->clock_base);
    }
}

/* Moves the RTC to `to`, remembering both instants; a set time is valid. */
static int move_time(const cosem_req_t *r, cosem_clock_state_t *st, int64_t from, int64_t to) {
    int rc = cosem_rtc_set(r->srv, to);
    if (rc != 0) {
        return DLMS_DAR_HARDWARE_FAULT;
    }
    st->adjust_old = from;
    st->adjust_new = to;
    st->status &= (uint8_t) ~(COSEM_CLOCK_STATUS_INVALID | COSEM_CLOCK_STATUS_DOUBTFUL);
    return 0;
}

/* A client's date-time that names one instant: date and time specified. */
static int concrete_instant(const cosem_clock_state_t *st, const cosem_datetime_t *dt,
                            int64_t *utc) {
    if (!cosem_datetime_is_valid(dt)) {
        return DLMS_DAR_OTHER_REASON;
    }
    int rc = dt->deviation != COSEM_DT_DEVIATION_NOT_SPECIFIED
                 ? cosem_datetime_to_utc(dt, utc)
                 : cosem_clock_from_local(st, dt, utc);
    return rc == 0 ? 0 : DLMS_DAR_OTHER_REASON;
}

static int set_time(const cosem_req_t *r, cosem_clock_state_t *st, axdr_dec_t *value) {
    cosem_datetime_t dt;
    int64_t to, from;
    if (axdr_get_date_time(value, &dt) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    int rc = concrete_instant(st, &dt, &to);
    if (rc != 0) {
        return rc;
    }
    if (cosem_rtc_now(r->srv, &from) != 0) {
        return DLMS_DAR_HARDWARE_FAULT;
    }
    return move_time(r, st, from, to);
}

/* A DST rule: a month, a day (or last/second last), valid fields. */
static int get_dst_pattern(axdr_dec_t *value, cosem_datetime_t *out) {
    if (axdr_get_date_time(value, out) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (!cosem_datetime_is_valid(out) || out->month < 1 || out->month > 12 ||
        out->day == COSEM_DT_NOT_SPECIFIED) {
        return DLMS_DAR_OTHER_REASON;
    }
    return 0;
}

static bool zone_ok(int16_t time_zone, int8_t dst_deviation) {
    int dst = time_zone - dst_deviation;
    return time_zone >= -COSEM_DT_DEVIATION_MAX && time_zone <= COSEM_DT_DEVIATION_MAX &&
           dst_deviation >= -DST_DEVIATION_MAX && dst_deviation <= DST_DEVIATION_MAX &&
           dst >= -COSEM_DT_DEVIATION_MAX && dst <= COSEM_DT_DEVIATION_MAX;
}

static int set_zone(cosem_clock_state_t *st, int8_t id, axdr_dec_t *value) {
    int16_t tz = st->time_zone;
    int8_t dd = st->dst_deviation;
    if (id == 3 ? axdr_get_int16(value, &tz) != 0 : axdr_get_int8(value, &dd) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (!zone_ok(tz, dd)) {
        return DLMS_DAR_OTHER_REASON;
    }
    st->time_zone = tz;
    st->dst_deviation = dd;
    return 0;
}

static int clock_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_clock_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return set_time(r, st, value);
    case 3:
    case 7:
        return set_zone(st, r->id, value);
    case 5:
    case 6: {
        cosem_datetime_t p;
        int rc = get_dst_pattern(value, &p);
        if (rc == 0) {
            *(r->id == 5 ? &st->dst_begin : &st->dst_end) = p;
        }
        return rc;
    }
    case 8: {
        bool on;
        if (axdr_get_boolean(value, &on) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        st->dst_enabled = on;
        return 0;
    }
    default:
        return DLMS_DAR_READ_WRITE_DENIED;
    }
}

/* ---- methods ----------------------------------------------------------------------- */

/* Nearest multiple of `step` seconds of local time (a half step rounds up). */
static int adjust_to(const cosem_req_t *r, cosem_clock_state_t *st, uint32_t step) {
    int64_t now;
    if (step == 0) {
        return DLMS_ACTION_OTHER_REASON;
    }
    if (cosem_rtc_now(r->srv, &now) != 0) {
        return DLMS_ACTION_HARDWARE_FAULT;
    }
    int64_t dev = (int64_t)cosem_clock_deviation(st, now) * 60;
    int64_t local = now - dev + (int64_t)step / 2;
    int64_t q = local / (int64_t)step - (local % (int64_t)step < 0 ? 1 : 0);
    return move_time(r, st, now, q * (int64_t)step + dev);
}

static int adjust_to_preset(const cosem_req_t *r, cosem_clock_state_t *st) {
    int64_t now;
    if (cosem_rtc_now(r->srv, &now) != 0) {
        return DLMS_ACTION_HARDWARE_FAULT;
    }
    if (st->preset_time == 0 || now < st->preset_from || now > st->preset_to) {
        return DLMS_ACTION_OTHER_REASON;
    }
    int64_t to = st->preset_time;
    st->preset_time = 0; /* one preset, one adjustment */
    return move_time(r, st, now, to);
}

/* preset_adjusting_time: structure{preset_time, validity_interval_start,
 * validity_interval_end}, each a date-time. */
static int preset(cosem_clock_state_t *st, axdr_dec_t *params) {
    uint32_t n;
    int64_t t[3];
    if (params == NULL || axdr_get_structure(params, &n) != 0 || n != 3) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    for (unsigned i = 0; i < 3; i++) {
        cosem_datetime_t dt;
        if (axdr_get_date_time(params, &dt) != 0) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        int rc = concrete_instant(st, &dt, &t[i]);
        if (rc != 0) {
            return rc;
        }
    }
    if (t[1] > t[2] || t[0] == 0) {
        return DLMS_ACTION_OTHER_REASON;
    }
    st->preset_time = t[0];
    st->preset_from = t[1];
    st->preset_to = t[2];
    return 0;
}

static int shift(const cosem_req_t *r, cosem_clock_state_t *st, axdr_dec_t *params) {
    int16_t n;
    int64_t now;
    if (params == NULL || axdr_get_int16(params, &n) != 0) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    if (n < -SHIFT_MAX || n > SHIFT_MAX) {
        return DLMS_ACTION_OTHER_REASON;
    }
    if (cosem_rtc_now(r->srv, &now) != 0) {
        return DLMS_ACTION_HARDWARE_FAULT;
    }
    return move_time(r, st, now, now + n);
}

static int clock_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    cosem_clock_state_t *st = state_of(r);
    (void)ret;
    *has_ret = false;
    if (r->id <= 4 && !cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    switch (r->id) {
    case 1:
        return adjust_to(r, st, 15u * 60u);
    case 2:
        return adjust_to(r, st, def_of(r->obj)->measuring_period);
    case 3:
        return adjust_to(r, st, 60u);
    case 4:
        return adjust_to_preset(r, st);
    case 5:
        return preset(st, params);
    default:
        return shift(r, st, params);
    }
}

static int clock_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_clock_def_t *d = def_of(obj);
    if (d->state > s->app_size || sizeof(cosem_clock_state_t) > s->app_size - d->state) {
        return COSEM_ERR_BINDING;
    }
    return 0;
}

const cosem_class_t cosem_class_clock = {
    .class_id = COSEM_CLASS_CLOCK,
    .version = 0,
    .attr_count = 9,
    .method_count = 6,
    .write_mask =
        COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7) | COSEM_BIT(8),
    .method_mask = 0x7Eu, /* methods 1..6 */
    .get = clock_get,
    .set = clock_set,
    .action = clock_action,
    .check = clock_check,
};
