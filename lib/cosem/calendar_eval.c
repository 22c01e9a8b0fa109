/*
 * calendar_eval.c - the time engine of the time-driven COSEM classes (DLMS
 * UA Blue Book "Activity calendar" and "Special days table" semantics):
 * wall-clock arithmetic over the Clock's DST rules, evaluation of a
 * calendar at an instant (season, week, day profile, action in force, next
 * switch) and the tick that drives calendars, schedules and monitors. The
 * rules are documented in calendar_eval.h.
 *
 * Everything is computed from the calendar each time (no caches to keep
 * in step with writes); an evaluation walks at most COSEM_CAL_HORIZON_DAYS
 * days, and the tick evaluates only at switching instants.
 */
#include "cosem/calendar_eval.h"

#include <string.h>

_Static_assert(EM_COSEM_CAL_DAY_ACTIONS <= 32, "day actions are tracked in a 32-bit mask");
_Static_assert(EM_COSEM_CAL_SEASONS <= 127 && EM_COSEM_CAL_WEEKS <= 127 && EM_COSEM_CAL_DAYS <= 127,
               "calendar indexes are int8_t");

#define SPD        ((int64_t)COSEM_SECONDS_PER_DAY)
#define NONE       INT32_MAX /* "no time of day" */
#define BACK_YEARS 8         /* a Feb 29 season start recurs within 8 years */

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b) < 0 ? q - 1 : q;
}

static uint32_t or_zero(uint8_t v) {
    return v == COSEM_DT_NOT_SPECIFIED ? 0u : v;
}

/* ---- wall clock ----------------------------------------------------------------- */

int64_t cosem_wall_of(const cosem_clock_state_t *clk, int64_t utc) {
    if (clk == NULL) {
        return utc;
    }
    return utc - (int64_t)cosem_clock_deviation(clk, utc) * 60;
}

/* First t in (lo, hi] whose wall time reaches `wall`. The interval spans a
 * DST gap, where wall time only grows, so bisection finds the jump. */
static int64_t gap_end(const cosem_clock_state_t *clk, int64_t wall, int64_t lo, int64_t hi) {
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (cosem_wall_of(clk, mid) >= wall) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    return hi;
}

int64_t cosem_wall_to_utc(const cosem_clock_state_t *clk, int64_t wall, int64_t after) {
    if (clk == NULL) {
        return wall > after ? wall : after + 1;
    }
    /* A wall time is one of at most two instants: read in standard time or
     * in DST. It is "real" when the clock shows that deviation there. */
    int16_t devs[2] = {clk->time_zone, (int16_t)(clk->time_zone - clk->dst_deviation)};
    int n = (clk->dst_enabled && clk->dst_deviation != 0) ? 2 : 1;
    int64_t best = INT64_MAX, last_real = INT64_MIN, lo = INT64_MAX, hi = INT64_MIN;
    for (int i = 0; i < n; i++) {
        int64_t t = wall + (int64_t)devs[i] * 60;
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
        if (cosem_clock_deviation(clk, t) != devs[i]) {
            continue;
        }
        last_real = t > last_real ? t : last_real;
        if (t > after && t < best) {
            best = t; /* the first occurrence still ahead */
        }
    }
    int64_t t = best != INT64_MAX        ? best
                : last_real != INT64_MIN ? last_real /* only past occurrences */
                                         : gap_end(clk, wall, lo, hi);
    /* Never at or before `after`: with odd DST rules (transitions hours
     * apart) the wall time may not come again; the caller then looks again
     * a second later instead of at an instant already past. */
    return t > after ? t : after + 1;
}

int cosem_wall_from_datetime(const cosem_datetime_t *local, int64_t *wall) {
    if (local == NULL || wall == NULL) {
        return COSEM_ERR_BADARG;
    }
    cosem_datetime_t c = *local;
    c.deviation = COSEM_DT_DEVIATION_NOT_SPECIFIED; /* read as UTC: wall seconds */
    return cosem_datetime_to_utc(&c, wall) == 0 ? 0 : COSEM_ERR_TIME;
}

int cosem_wall_to_datetime(int64_t wall, cosem_datetime_t *out) {
    if (out == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (cosem_datetime_from_utc(wall, 0, COSEM_CLOCK_STATUS_NOT_SPECIFIED, out) != 0) {
        return COSEM_ERR_TIME;
    }
    out->deviation = COSEM_DT_DEVIATION_NOT_SPECIFIED;
    return 0;
}

/* Date of day number `day` (days since 1970-01-01) with its weekday. */
static bool date_of_day(int64_t day, cosem_datetime_t *dt) {
    return cosem_wall_to_datetime(day * SPD, dt) == 0;
}

/* Day number of a concrete date. */
static bool day_number(uint16_t year, uint8_t month, uint8_t day, int64_t *out) {
    cosem_datetime_t dt;
    cosem_datetime_set_unspecified(&dt);
    dt.year = year;
    dt.month = month;
    dt.day = day;
    dt.hour = 0;
    dt.minute = 0;
    dt.second = 0;
    int64_t wall;
    if (cosem_wall_from_datetime(&dt, &wall) != 0) {
        return false;
    }
    *out = floor_div(wall, SPD);
    return true;
}

uint8_t cosem_pattern_day(uint16_t year, uint8_t month, uint8_t day, uint8_t day_of_week) {
    if (month < 1 || month > 12) {
        return 0;
    }
    if (day == COSEM_DT_DAY_LAST || day == COSEM_DT_DAY_2ND_LAST) {
        uint8_t d = 0;
        return cosem_resolve_day(year, month, day, day_of_week, &d) == 0 ? d : 0;
    }
    uint8_t dim = cosem_days_in_month(year, month);
    if (day < 1 || day > dim) {
        return 0;
    }
    if (day_of_week == COSEM_DT_NOT_SPECIFIED) {
        return day;
    }
    if (day_of_week < 1 || day_of_week > 7) {
        return 0;
    }
    /* Day and weekday: the first such weekday on or after that day. */
    uint8_t w = cosem_day_of_week(year, month, day);
    unsigned d = day + (unsigned)(day_of_week + 7 - w) % 7;
    return d <= dim ? (uint8_t)d : 0;
}

/* ---- calendar lookups --------------------------------------------------------------- */

static uint8_t clamp(uint8_t count, uint8_t cap) {
    return count < cap ? count : cap;
}

/* Wall instant of season_start pattern p in `year`, if it gives one. */
static bool season_start(const cosem_datetime_t *p, int year, int64_t *wall) {
    if (year < 0 || year > 0xFFFE ||
        (p->year != COSEM_DT_YEAR_NOT_SPECIFIED && p->year != (uint16_t)year)) {
        return false;
    }
    uint8_t d = cosem_pattern_day((uint16_t)year, p->month, p->day, p->day_of_week);
    int64_t day;
    if (d == 0 || !day_number((uint16_t)year, p->month, d, &day)) {
        return false;
    }
    *wall = day * SPD + or_zero(p->hour) * 3600 + or_zero(p->minute) * 60 + or_zero(p->second);
    return true;
}

/* The latest start of pattern p at or before `wall` (year = wall's year). */
static bool latest_start(const cosem_datetime_t *p, int year, int64_t wall, int64_t *out) {
    if (p->year != COSEM_DT_YEAR_NOT_SPECIFIED) { /* one start, however long ago */
        return p->year <= year && season_start(p, p->year, out) && *out <= wall;
    }
    for (int k = 0; k <= BACK_YEARS; k++) {
        if (season_start(p, year - k, out) && *out <= wall) {
            return true;
        }
    }
    return false;
}

static int8_t season_at(const cosem_calendar_t *cal, int64_t wall) {
    cosem_datetime_t today;
    if (!date_of_day(floor_div(wall, SPD), &today)) {
        return -1;
    }
    int8_t best = -1;
    int64_t best_start = INT64_MIN;
    for (uint8_t i = 0; i < clamp(cal->season_count, EM_COSEM_CAL_SEASONS); i++) {
        int64_t s;
        if (latest_start(&cal->seasons[i].start, today.year, wall, &s) && s > best_start) {
            best = (int8_t)i;
            best_start = s;
        }
    }
    return best;
}

bool cosem_cal_same_name(const cosem_cal_name_t *a, const cosem_cal_name_t *b) {
    return a->len == b->len && a->len <= EM_COSEM_CAL_NAME_MAX &&
           memcmp(a->bytes, b->bytes, a->len) == 0;
}

static int8_t week_named(const cosem_calendar_t *cal, const cosem_cal_name_t *name) {
    for (uint8_t i = 0; i < clamp(cal->week_count, EM_COSEM_CAL_WEEKS); i++) {
        if (cosem_cal_same_name(&cal->weeks[i].name, name)) {
            return (int8_t)i;
        }
    }
    return -1;
}

static int8_t day_with_id(const cosem_calendar_t *cal, uint8_t day_id) {
    for (uint8_t i = 0; i < clamp(cal->day_count, EM_COSEM_CAL_DAYS); i++) {
        if (cal->days[i].day_id == day_id) {
            return (int8_t)i;
        }
    }
    return -1;
}

/* The special days entry for `date` whose day profile the calendar has. */
static int8_t special_day(const cosem_calendar_t *cal, const cosem_special_days_state_t *sd,
                          const cosem_datetime_t *date) {
    cosem_datetime_t value = *date;
    value.hour = 0;
    value.minute = 0;
    value.second = 0;
    value.hundredths = 0;
    for (uint8_t i = 0; sd != NULL && i < clamp(sd->count, EM_COSEM_SPECIAL_DAYS); i++) {
        const cosem_special_day_t *e = &sd->entries[i];
        cosem_datetime_t p;
        cosem_datetime_set_unspecified(&p);
        p.year = e->date.year;
        p.month = e->date.month;
        p.day = e->date.day;
        p.day_of_week = e->date.day_of_week;
        if (cosem_datetime_matches(&p, &value) && day_with_id(cal, e->day_id) >= 0) {
            return (int8_t)i;
        }
    }
    return -1;
}

typedef struct profile {
    int8_t season;
    int8_t week;
    int8_t day;
    int8_t special; /* special days entry, -1 none */
} profile_t;

/* The day profile in force at wall instant `wall`. */
static profile_t profile_at(const cosem_calendar_t *cal, const cosem_special_days_state_t *sd,
                            int64_t wall) {
    profile_t p = {-1, -1, -1, -1};
    cosem_datetime_t date;
    if (!date_of_day(floor_div(wall, SPD), &date)) {
        return p;
    }
    p.season = season_at(cal, wall);
    if (p.season >= 0) {
        p.week = week_named(cal, &cal->seasons[p.season].week);
    }
    p.special = special_day(cal, sd, &date);
    if (p.special >= 0) {
        p.day = day_with_id(cal, sd->entries[p.special].day_id);
    } else if (p.week >= 0 && date.day_of_week >= 1 && date.day_of_week <= 7) {
        p.day = day_with_id(cal, cal->weeks[p.week].day_id[date.day_of_week - 1]);
    }
    return p;
}

int32_t cosem_cal_action_second(const cosem_cal_day_t *day, uint8_t i) {
    const cosem_time_t *t = &day->actions[i].start;
    return (int32_t)(or_zero(t->hour) * 3600 + or_zero(t->minute) * 60 + or_zero(t->second));
}

/* Actions with the latest start <= upto (mask), and that start. */
static uint32_t latest_actions(const cosem_cal_day_t *d, int32_t upto, int32_t *start) {
    int32_t best = -1;
    uint32_t mask = 0;
    for (uint8_t i = 0; i < clamp(d->count, EM_COSEM_CAL_DAY_ACTIONS); i++) {
        int32_t s = cosem_cal_action_second(d, i);
        if (s > upto) {
            continue;
        }
        if (s > best) {
            best = s;
            mask = 0;
        }
        if (s == best) {
            mask |= 1u << i;
        }
    }
    *start = best;
    return mask;
}

/* Earliest action start in (lo, hi). */
static int32_t first_action_between(const cosem_cal_day_t *d, int32_t lo, int32_t hi) {
    int32_t best = NONE;
    for (uint8_t i = 0; i < clamp(d->count, EM_COSEM_CAL_DAY_ACTIONS); i++) {
        int32_t s = cosem_cal_action_second(d, i);
        if (s > lo && s < hi && s < best) {
            best = s;
        }
    }
    return best;
}

/* Earliest season start on day `day` later than second `lo` of that day. */
static int32_t season_boundary(const cosem_calendar_t *cal, int64_t day, int32_t lo) {
    cosem_datetime_t date;
    int32_t best = NONE;
    if (!date_of_day(day, &date)) {
        return NONE;
    }
    for (uint8_t i = 0; i < clamp(cal->season_count, EM_COSEM_CAL_SEASONS); i++) {
        int64_t w;
        if (season_start(&cal->seasons[i].start, date.year, &w) && floor_div(w, SPD) == day) {
            int32_t tod = (int32_t)(w - day * SPD);
            if (tod > lo && tod < best) {
                best = tod;
            }
        }
    }
    return best;
}

static bool any_action(const cosem_calendar_t *cal) {
    for (uint8_t i = 0; i < clamp(cal->day_count, EM_COSEM_CAL_DAYS); i++) {
        if (cal->days[i].count > 0) {
            return true;
        }
    }
    return false;
}

/* The switching point in force at `wall`: today's latest action, else the
 * last action of the closest earlier day that has one. */
static void in_force(const cosem_calendar_t *cal, const cosem_special_days_state_t *sd,
                     int64_t wall, cosem_cal_point_t *out) {
    int64_t day = floor_div(wall, SPD);
    memset(out, 0, sizeof(*out));
    out->day = -1;
    for (int k = 0; any_action(cal) && k <= COSEM_CAL_HORIZON_DAYS; k++) {
        int64_t d = day - k;
        int32_t upto = k == 0 ? (int32_t)(wall - day * SPD) : (int32_t)(SPD - 1);
        profile_t p = profile_at(cal, sd, d * SPD + upto);
        int32_t start;
        uint32_t mask = p.day >= 0 ? latest_actions(&cal->days[p.day], upto, &start) : 0;
        if (mask != 0) {
            out->wall = d * SPD + start;
            out->day = p.day;
            out->day_id = cal->days[p.day].day_id;
            out->actions = mask;
            return;
        }
    }
}

/* Wall instant of the next switch strictly after `wall`: an action start
 * of the profile in force then, or a season start. */
static int64_t next_switch(const cosem_calendar_t *cal, const cosem_special_days_state_t *sd,
                           int64_t wall) {
    int64_t day = floor_div(wall, SPD);
    if (!any_action(cal) && cal->season_count == 0) {
        return (day + COSEM_CAL_HORIZON_DAYS) * SPD;
    }
    for (int k = 0; k <= COSEM_CAL_HORIZON_DAYS; k++) {
        int64_t d = day + k;
        int32_t lo = k == 0 ? (int32_t)(wall - day * SPD) : -1;
        int32_t sb = season_boundary(cal, d, lo);
        profile_t p = profile_at(cal, sd, d * SPD + (lo < 0 ? 0 : lo));
        int32_t a = p.day >= 0 ? first_action_between(&cal->days[p.day], lo, sb) : NONE;
        if (a != NONE) {
            return d * SPD + a;
        }
        if (sb != NONE) {
            return d * SPD + sb; /* the day profile may change here */
        }
    }
    return (day + COSEM_CAL_HORIZON_DAYS + 1) * SPD;
}

/* ---- evaluation ---------------------------------------------------------------------- */

int cosem_cal_evaluate_wall(const cosem_calendar_t *cal, const cosem_special_days_state_t *sd,
                            int64_t wall, cosem_cal_eval_t *out) {
    if (cal == NULL || out == NULL) {
        return COSEM_ERR_BADARG;
    }
    memset(out, 0, sizeof(*out));
    if (cosem_wall_to_datetime(wall, &out->local) != 0) {
        return COSEM_ERR_TIME;
    }
    out->wall = wall;
    profile_t p = profile_at(cal, sd, wall);
    out->season = p.season;
    out->week = p.week;
    out->day = p.day;
    out->special = p.special >= 0;
    out->special_entry = p.special;
    in_force(cal, sd, wall, &out->in_force);
    out->next_wall = next_switch(cal, sd, wall);
    return 0;
}

int cosem_cal_evaluate(const cosem_calendar_t *cal, const cosem_special_days_state_t *sd,
                       const cosem_clock_state_t *clk, int64_t utc, cosem_cal_eval_t *out) {
    int rc = cosem_cal_evaluate_wall(cal, sd, cosem_wall_of(clk, utc), out);
    if (rc != 0) {
        return rc;
    }
    if (clk != NULL && cosem_clock_local(clk, utc, &out->local) != 0) {
        return COSEM_ERR_TIME;
    }
    out->next_utc = cosem_wall_to_utc(clk, out->next_wall, utc);
    return 0;
}

/* ---- the tick ------------------------------------------------------------------------ */

const cosem_clock_state_t *cosem_sched_clock(const cosem_server_t *s) {
    if (s == NULL || s->clock == NULL) {
        return NULL;
    }
    const cosem_clock_def_t *def = s->clock->def;
    return cosem_app_ptr(s, def->state);
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

uint32_t cosem_sched_rules(const cosem_clock_state_t *clk) {
    if (clk == NULL) {
        return 0;
    }
    uint8_t b[4 + 2 * COSEM_DATETIME_LEN];
    b[0] = (uint8_t)((uint16_t)clk->time_zone >> 8);
    b[1] = (uint8_t)clk->time_zone;
    b[2] = (uint8_t)clk->dst_deviation;
    b[3] = clk->dst_enabled ? 1u : 0u;
    cosem_datetime_pack(&clk->dst_begin, b + 4);
    cosem_datetime_pack(&clk->dst_end, b + 4 + COSEM_DATETIME_LEN);
    return fnv1a(2166136261u, b, sizeof(b));
}

int cosem_sched_tick(cosem_server_t *s, int64_t utc) {
    if (s == NULL) {
        return COSEM_ERR_BADARG;
    }
    int started = 0, first_err = 0;
    for (size_t i = 0; i < s->count; i++) {
        const cosem_object_t *o = &s->objects[i];
        int rc;
        if (o->cls == &cosem_class_activity_calendar) {
            rc = cosem_activity_calendar_tick(s, o, utc);
        } else if (o->cls == &cosem_class_single_action_schedule) {
            rc = cosem_single_action_tick(s, o, utc);
        } else if (o->cls == &cosem_class_register_monitor) {
            rc = cosem_register_monitor_tick(s, o);
        } else {
            continue;
        }
        if (rc < 0 && first_err == 0) {
            first_err = rc;
        } else if (rc > 0) {
            started += rc;
        }
    }
    return first_err != 0 ? first_err : started;
}

const dlms_assoc_view_t cosem_sched_meter_view = {
    .assoc_index = 0xFF,
    .status = DLMS_ASSOC_ASSOCIATED,
    .ciphered = true,
    .dlms_version = 6,
};

void cosem_sched_notify(cosem_server_t *s, const cosem_object_t *obj, uint8_t kind, int8_t id) {
    if (s->notify != NULL) {
        s->notify(s->app, obj, kind, id);
    }
}

int cosem_sched_check_state(const cosem_server_t *s, uint32_t offset, size_t size) {
    if (offset > s->app_size || size > s->app_size - offset) {
        return COSEM_ERR_BINDING;
    }
    return 0;
}

const char *cosem_sched_strerror(int err) {
    switch (err) {
    case COSEM_ERR_CAL_INCONSISTENT:
        return "passive calendar inconsistent (a season names a missing week or a week a missing "
               "day profile)";
    case COSEM_ERR_SCRIPT_UNKNOWN:
        return "no such script table or script";
    case COSEM_ERR_SCRIPT_BUSY:
        return "script table already executing (re-entrant call refused)";
    case COSEM_ERR_SCRIPT_ACTION:
        return "a script action failed or names a missing object, attribute or method";
    case COSEM_ERR_MONITOR_VALUE:
        return "monitored attribute unreadable or not a number";
    default:
        return cosem_strerror(err);
    }
}
