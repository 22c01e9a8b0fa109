/*
 * single_action_schedule.c - interface class Single action schedule
 * (class_id 22, version 0; Blue Book "Single action schedule"): 2
 * executed_script, 3 type (1..5), 4 execution_time; no methods. The tick
 * runs the script at each execution instant; the next instant is computed
 * from the date/time patterns in local wall time (calendar_eval.h). Types
 * and pattern reading are in cosem_classes.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

_Static_assert(EM_COSEM_SAS_TIMES <= 255, "the entry count is uint8_t");

#define NONE        INT32_MAX
#define NEVER       INT64_MAX /* st->next when no entry gives an instant */
#define AHEAD_YEARS 8         /* a Feb 29 recurs within 8 years */

static cosem_single_action_state_t *state_of(const cosem_req_t *r) {
    const cosem_single_action_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

static uint8_t used(const cosem_single_action_state_t *st) {
    return st->count < EM_COSEM_SAS_TIMES ? st->count : EM_COSEM_SAS_TIMES;
}

void cosem_single_action_init(cosem_single_action_state_t *st, uint8_t type) {
    memset(st, 0, sizeof(*st));
    st->type = type;
}

/* ---- next execution ------------------------------------------------------------------ */

/* The first second of the day after `lo` that time pattern t gives: hour
 * and minute 0xFF are every hour / minute, second 0xFF is 0. */
static int32_t first_time_after(const cosem_time_t *t, int32_t lo) {
    bool any_h = t->hour == COSEM_DT_NOT_SPECIFIED, any_m = t->minute == COSEM_DT_NOT_SPECIFIED;
    int32_t s = t->second == COSEM_DT_NOT_SPECIFIED ? 0 : t->second;
    for (int32_t h = any_h ? 0 : t->hour; h <= (any_h ? 23 : t->hour); h++) {
        for (int32_t m = any_m ? 0 : t->minute; m <= (any_m ? 59 : t->minute); m++) {
            int32_t at = h * 3600 + m * 60 + s;
            if (at > lo) {
                return at;
            }
        }
    }
    return NONE;
}

static bool date_matches(const cosem_date_t *p, uint16_t y, uint8_t m, uint8_t d) {
    cosem_datetime_t pat, val;
    cosem_datetime_set_unspecified(&pat);
    pat.year = p->year;
    pat.month = p->month;
    pat.day = p->day;
    pat.day_of_week = p->day_of_week;
    cosem_datetime_set_unspecified(&val);
    val.year = y;
    val.month = m;
    val.day = d;
    val.hour = 0;
    val.minute = 0;
    val.second = 0;
    val.hundredths = 0;
    return cosem_datetime_matches(&pat, &val);
}

/* Wall instant of date y-m-d at second tod. */
static bool wall_at(uint16_t y, uint8_t m, uint8_t d, int32_t tod, int64_t *wall) {
    cosem_datetime_t dt;
    cosem_datetime_set_unspecified(&dt);
    dt.year = y;
    dt.month = m;
    dt.day = d;
    dt.hour = (uint8_t)(tod / 3600);
    dt.minute = (uint8_t)(tod / 60 % 60);
    dt.second = (uint8_t)(tod % 60);
    return cosem_wall_from_datetime(&dt, wall) == 0;
}

/* Earliest wall instant after `from` (date `now`) in month y-m of entry e. */
static bool month_next(const cosem_sas_time_t *e, const cosem_datetime_t *now, int32_t tod,
                       uint16_t y, uint8_t m, int64_t *wall) {
    bool this_month = y == now->year && m == now->month;
    for (uint8_t d = this_month ? now->day : 1; d <= cosem_days_in_month(y, m); d++) {
        if (!date_matches(&e->date, y, m, d)) {
            continue;
        }
        bool today = this_month && d == now->day;
        int32_t t = first_time_after(&e->time, today ? tod : -1);
        if (t != NONE) {
            return wall_at(y, m, d, t, wall);
        }
    }
    return false;
}

/* Earliest wall instant strictly after `from` that entry e gives. */
static bool entry_next(const cosem_sas_time_t *e, int64_t from, int64_t *wall) {
    cosem_datetime_t now;
    if (cosem_wall_to_datetime(from, &now) != 0) {
        return false;
    }
    int32_t tod = (int32_t)(now.hour * 3600 + now.minute * 60 + now.second);
    bool any_month = e->date.month < 1 || e->date.month > 12;
    uint32_t first = now.year, last = (uint32_t)now.year + AHEAD_YEARS;
    if (e->date.year != COSEM_DT_YEAR_NOT_SPECIFIED) { /* that year only, however far */
        if (e->date.year < now.year) {
            return false;
        }
        first = last = e->date.year;
    }
    for (uint32_t y = first; y <= last && y <= 0xFFFEu; y++) {
        for (uint8_t m = any_month ? 1 : e->date.month; m <= (any_month ? 12 : e->date.month);
             m++) {
            if ((y == now.year && m < now.month) ||
                !month_next(e, &now, tod, (uint16_t)y, m, wall)) {
                continue;
            }
            return true;
        }
    }
    return false;
}

int cosem_single_action_next(const cosem_single_action_state_t *st, const cosem_clock_state_t *clk,
                             int64_t after, int64_t *next) {
    if (st == NULL || next == NULL) {
        return COSEM_ERR_BADARG;
    }
    int64_t from = cosem_wall_of(clk, after), best = INT64_MAX;
    for (uint8_t i = 0; i < used(st); i++) {
        int64_t w;
        if (entry_next(&st->times[i], from, &w) && w < best) {
            best = w;
        }
    }
    if (best == INT64_MAX) {
        *next = 0;
        return COSEM_ERR_TIME;
    }
    *next = cosem_wall_to_utc(clk, best, after);
    return 0;
}

int cosem_single_action_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_single_action_schedule) {
        return COSEM_ERR_BADARG;
    }
    const cosem_single_action_def_t *d = obj->def;
    cosem_single_action_state_t *st = cosem_app_ptr(s, d->state);
    const cosem_clock_state_t *clk = cosem_sched_clock(s);
    uint32_t rules = cosem_sched_rules(clk);
    int rc = 0;
    if (st->next != 0 && (utc < st->last_tick || rules != st->rules)) {
        st->next = 0; /* clock set back or new local time rules: recompute, run nothing */
    }
    if (st->next != 0 && utc >= st->next) {
        int r = cosem_script_run_ref(s, &st->script);
        rc =
            r != 0 ? (r < 0 ? r : COSEM_ERR_SCRIPT_ACTION) : !cosem_script_ref_is_null(&st->script);
        st->next = 0;
    }
    if (st->next == 0) {
        int64_t n;
        st->next = cosem_single_action_next(st, clk, utc, &n) == 0 ? n : NEVER;
        st->rules = rules;
    }
    st->last_tick = utc;
    return rc;
}

/* ---- attributes ------------------------------------------------------------------------ */

static int sas_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_single_action_state_t *st = state_of(r);
    if (r->id == 2) {
        axdr_put_structure(e, 2);
        axdr_put_octet_string(e, st->script.ln, COSEM_LN_LEN);
        return axdr_put_uint16(e, st->script.selector);
    }
    if (r->id == 3) {
        return axdr_put_enum(e, st->type);
    }
    axdr_put_array(e, used(st));
    for (uint8_t i = 0; i < used(st); i++) {
        axdr_put_structure(e, 2);
        axdr_put_time_os(e, &st->times[i].time);
        axdr_put_date_os(e, &st->times[i].date);
    }
    return e->err;
}

static bool concrete_date(const cosem_date_t *d) {
    return d->year != COSEM_DT_YEAR_NOT_SPECIFIED && d->month >= 1 && d->month <= 12 &&
           d->day >= 1 && d->day <= 31;
}

static bool entry_ok(const cosem_sas_time_t *t, bool wildcards) {
    const cosem_date_t *d = &t->date;
    return cosem_time_is_valid(&t->time) && cosem_date_is_valid(d) &&
           d->month != COSEM_DT_MONTH_DST_BEGIN && d->month != COSEM_DT_MONTH_DST_END &&
           (wildcards || concrete_date(d));
}

static bool same_time(const cosem_time_t *a, const cosem_time_t *b) {
    return a->hour == b->hour && a->minute == b->minute && a->second == b->second &&
           a->hundredths == b->hundredths;
}

/* Whether execution_time t[0..n) is allowed for `type` (Blue Book table). */
static bool times_fit(uint8_t type, const cosem_sas_time_t *t, uint8_t n) {
    if (type < 1 || type > 5 || (type == 1 && n > 1)) {
        return false;
    }
    bool wildcards = type == 1 || type == 3 || type == 5;
    bool equal_times = type == 2 || type == 3;
    for (uint8_t i = 0; i < n; i++) {
        if (!entry_ok(&t[i], wildcards) || (equal_times && !same_time(&t[0].time, &t[i].time))) {
            return false;
        }
    }
    return true;
}

static int set_script(const cosem_req_t *r, cosem_single_action_state_t *st, axdr_dec_t *v) {
    uint32_t n;
    const uint8_t *ln;
    size_t len;
    cosem_script_ref_t ref;
    if (axdr_get_structure(v, &n) != 0 || n != 2 || axdr_get_octet_string(v, &ln, &len) != 0 ||
        axdr_get_uint16(v, &ref.selector) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (len != COSEM_LN_LEN) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(ref.ln, ln, COSEM_LN_LEN);
    if (!cosem_script_ref_is_null(&ref) && !cosem_script_table_exists(r->srv, ref.ln)) {
        return DLMS_DAR_OTHER_REASON;
    }
    st->script = ref;
    return 0;
}

static int set_times(cosem_single_action_state_t *st, axdr_dec_t *v) {
    cosem_sas_time_t tmp[EM_COSEM_SAS_TIMES];
    uint32_t n, k;
    if (axdr_get_array(v, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_SAS_TIMES) {
        return DLMS_DAR_OTHER_REASON;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (axdr_get_structure(v, &k) != 0 || k != 2 || axdr_get_time(v, &tmp[i].time) != 0 ||
            axdr_get_date(v, &tmp[i].date) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
    }
    if (!times_fit(st->type, tmp, (uint8_t)n)) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(st->times, tmp, n * sizeof(tmp[0]));
    st->count = (uint8_t)n;
    return 0;
}

static int sas_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_single_action_state_t *st = state_of(r);
    int rc;
    if (r->id == 2) {
        rc = set_script(r, st, value);
    } else if (r->id == 3) {
        uint8_t type;
        if (axdr_get_enum(value, &type) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        rc = times_fit(type, st->times, used(st)) ? 0 : (int)DLMS_DAR_OTHER_REASON;
        st->type = rc == 0 ? type : st->type;
    } else {
        rc = set_times(st, value);
    }
    if (rc == 0) {
        st->next = 0; /* recompute at the next tick */
    }
    return rc;
}

static int sas_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_single_action_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_single_action_state_t));
}

const cosem_class_t cosem_class_single_action_schedule = {
    .class_id = COSEM_CLASS_SINGLE_ACTION_SCHEDULE,
    .version = 0,
    .attr_count = 4,
    .method_count = 0,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4),
    .get = sas_get,
    .set = sas_set,
    .check = sas_check,
};
