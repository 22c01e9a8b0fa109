/*
 * activity_calendar.c - interface class Activity calendar (class_id 20,
 * version 0; Blue Book "Activity calendar"): the active calendar
 * (attributes 2-5, read-only), the passive calendar (6-9), activate_
 * passive_calendar_time (10) and method 1 activate_passive_calendar; and
 * the tick that activates the passive calendar at its time and runs the
 * switching scripts (evaluation in calendar_eval.c).
 *
 * Writes decode the whole attribute into a local copy, check it (own
 * structure and values, then the references into it, see cosem_classes.h)
 * and only then replace the passive attribute.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

static const cosem_activity_calendar_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

static cosem_activity_calendar_state_t *state_of(const cosem_server_t *s,
                                                 const cosem_object_t *obj) {
    return cosem_app_ptr(s, def_of(obj)->state);
}

static uint8_t clamp(uint8_t count, uint8_t cap) {
    return count < cap ? count : cap;
}

/* ---- consistency ------------------------------------------------------------------ */

static bool has_week(const cosem_cal_week_t *weeks, uint8_t n, const cosem_cal_name_t *name) {
    for (uint8_t i = 0; i < n; i++) {
        if (cosem_cal_same_name(&weeks[i].name, name)) {
            return true;
        }
    }
    return false;
}

static bool has_day(const cosem_cal_day_t *days, uint8_t n, uint8_t day_id) {
    for (uint8_t i = 0; i < n; i++) {
        if (days[i].day_id == day_id) {
            return true;
        }
    }
    return false;
}

/* Every season's week_name is one of weeks[0..n). */
static bool seasons_resolve(const cosem_calendar_t *cal, const cosem_cal_week_t *weeks, uint8_t n) {
    for (uint8_t i = 0; i < clamp(cal->season_count, EM_COSEM_CAL_SEASONS); i++) {
        if (!has_week(weeks, n, &cal->seasons[i].week)) {
            return false;
        }
    }
    return true;
}

/* Every week's day_ids are among days[0..n). */
static bool weeks_resolve(const cosem_calendar_t *cal, const cosem_cal_day_t *days, uint8_t n) {
    for (uint8_t i = 0; i < clamp(cal->week_count, EM_COSEM_CAL_WEEKS); i++) {
        for (uint8_t k = 0; k < 7; k++) {
            if (!has_day(days, n, cal->weeks[i].day_id[k])) {
                return false;
            }
        }
    }
    return true;
}

int cosem_calendar_check(const cosem_calendar_t *cal) {
    if (cal == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (cal->season_count > EM_COSEM_CAL_SEASONS || cal->week_count > EM_COSEM_CAL_WEEKS ||
        cal->day_count > EM_COSEM_CAL_DAYS || !seasons_resolve(cal, cal->weeks, cal->week_count) ||
        !weeks_resolve(cal, cal->days, cal->day_count)) {
        return COSEM_ERR_CAL_INCONSISTENT;
    }
    return 0;
}

void cosem_activity_calendar_init(cosem_activity_calendar_state_t *st) {
    memset(st, 0, sizeof(*st));
    cosem_datetime_set_unspecified(&st->activation);
}

int cosem_activity_calendar_activate(cosem_activity_calendar_state_t *st) {
    if (st == NULL) {
        return COSEM_ERR_BADARG;
    }
    int rc = cosem_calendar_check(&st->passive);
    if (rc != 0) {
        return rc;
    }
    st->active = st->passive;
    st->run.started = false; /* the next tick runs the new point in force */
    return 0;
}

/* ---- encoding ------------------------------------------------------------------------ */

static int put_name(axdr_enc_t *e, const cosem_cal_name_t *n) {
    return axdr_put_octet_string(e, n->bytes, clamp(n->len, EM_COSEM_CAL_NAME_MAX));
}

static int put_seasons(axdr_enc_t *e, const cosem_calendar_t *cal) {
    axdr_put_array(e, clamp(cal->season_count, EM_COSEM_CAL_SEASONS));
    for (uint8_t i = 0; i < clamp(cal->season_count, EM_COSEM_CAL_SEASONS); i++) {
        const cosem_cal_season_t *s = &cal->seasons[i];
        axdr_put_structure(e, 3);
        put_name(e, &s->name);
        axdr_put_date_time_os(e, &s->start);
        put_name(e, &s->week);
    }
    return e->err;
}

static int put_weeks(axdr_enc_t *e, const cosem_calendar_t *cal) {
    axdr_put_array(e, clamp(cal->week_count, EM_COSEM_CAL_WEEKS));
    for (uint8_t i = 0; i < clamp(cal->week_count, EM_COSEM_CAL_WEEKS); i++) {
        axdr_put_structure(e, 8);
        put_name(e, &cal->weeks[i].name);
        for (uint8_t k = 0; k < 7; k++) {
            axdr_put_uint8(e, cal->weeks[i].day_id[k]);
        }
    }
    return e->err;
}

static int put_day(axdr_enc_t *e, const cosem_cal_day_t *d) {
    uint8_t n = clamp(d->count, EM_COSEM_CAL_DAY_ACTIONS);
    axdr_put_structure(e, 2);
    axdr_put_uint8(e, d->day_id);
    axdr_put_array(e, n);
    for (uint8_t i = 0; i < n; i++) {
        axdr_put_structure(e, 3);
        axdr_put_time_os(e, &d->actions[i].start);
        axdr_put_octet_string(e, d->actions[i].script.ln, COSEM_LN_LEN);
        axdr_put_uint16(e, d->actions[i].script.selector);
    }
    return e->err;
}

static int put_days(axdr_enc_t *e, const cosem_calendar_t *cal) {
    axdr_put_array(e, clamp(cal->day_count, EM_COSEM_CAL_DAYS));
    for (uint8_t i = 0; i < clamp(cal->day_count, EM_COSEM_CAL_DAYS); i++) {
        put_day(e, &cal->days[i]);
    }
    return e->err;
}

static int calendar_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_activity_calendar_state_t *st = state_of(r->srv, r->obj);
    if (r->id == 10) {
        return axdr_put_date_time_os(e, &st->activation);
    }
    const cosem_calendar_t *cal = r->id <= 5 ? &st->active : &st->passive;
    switch ((r->id - 2) % 4) {
    case 0:
        return put_name(e, &cal->name);
    case 1:
        return put_seasons(e, cal);
    case 2:
        return put_weeks(e, cal);
    default:
        return put_days(e, cal);
    }
}

/* ---- decoding ------------------------------------------------------------------------ */

static int get_struct(axdr_dec_t *d, uint32_t n) {
    uint32_t got;
    return axdr_get_structure(d, &got) == 0 && got == n ? 0 : (int)DLMS_DAR_TYPE_UNMATCHED;
}

/* Array header with at most `max` elements. */
static int get_array(axdr_dec_t *d, uint32_t max, uint8_t *count) {
    uint32_t n;
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > max) {
        return DLMS_DAR_OTHER_REASON;
    }
    *count = (uint8_t)n;
    return 0;
}

static int get_name(axdr_dec_t *d, cosem_cal_name_t *out) {
    const uint8_t *p;
    size_t n;
    if (axdr_get_octet_string(d, &p, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_CAL_NAME_MAX) {
        return DLMS_DAR_OTHER_REASON;
    }
    memset(out, 0, sizeof(*out));
    memcpy(out->bytes, p, n);
    out->len = (uint8_t)n;
    return 0;
}

/* A season_start the engine can place in a year (calendar_eval.h). */
static bool season_start_ok(const cosem_datetime_t *p) {
    bool day_ok = (p->day >= 1 && p->day <= 31) || p->day == COSEM_DT_DAY_LAST ||
                  p->day == COSEM_DT_DAY_2ND_LAST;
    return cosem_datetime_is_valid(p) && p->month >= 1 && p->month <= 12 && day_ok;
}

static int get_season(axdr_dec_t *d, cosem_cal_season_t *out) {
    int rc = get_struct(d, 3);
    if (rc == 0) {
        rc = get_name(d, &out->name);
    }
    if (rc == 0 && axdr_get_date_time(d, &out->start) != 0) {
        rc = DLMS_DAR_TYPE_UNMATCHED;
    }
    if (rc == 0) {
        rc = get_name(d, &out->week);
    }
    if (rc == 0 && !season_start_ok(&out->start)) {
        rc = DLMS_DAR_OTHER_REASON;
    }
    return rc;
}

static int get_week(axdr_dec_t *d, cosem_cal_week_t *out) {
    int rc = get_struct(d, 8);
    if (rc == 0) {
        rc = get_name(d, &out->name);
    }
    for (uint8_t k = 0; rc == 0 && k < 7; k++) {
        if (axdr_get_uint8(d, &out->day_id[k]) != 0) {
            rc = DLMS_DAR_TYPE_UNMATCHED;
        }
    }
    return rc;
}

/* start_time: a time of day with an hour (unspecified minute/second: 0). */
static bool start_time_ok(const cosem_time_t *t) {
    return cosem_time_is_valid(t) && t->hour != COSEM_DT_NOT_SPECIFIED;
}

static int get_action(const cosem_server_t *s, axdr_dec_t *d, cosem_cal_action_t *out) {
    const uint8_t *ln;
    size_t n;
    if (get_struct(d, 3) != 0 || axdr_get_time(d, &out->start) != 0 ||
        axdr_get_octet_string(d, &ln, &n) != 0 || axdr_get_uint16(d, &out->script.selector) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (!start_time_ok(&out->start) || n != COSEM_LN_LEN) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(out->script.ln, ln, COSEM_LN_LEN);
    return cosem_script_table_exists(s, out->script.ln) ? 0 : (int)DLMS_DAR_OTHER_REASON;
}

static int get_day(const cosem_server_t *s, axdr_dec_t *d, cosem_cal_day_t *out) {
    int rc = get_struct(d, 2);
    if (rc == 0 && axdr_get_uint8(d, &out->day_id) != 0) {
        rc = DLMS_DAR_TYPE_UNMATCHED;
    }
    if (rc == 0) {
        rc = get_array(d, EM_COSEM_CAL_DAY_ACTIONS, &out->count);
    }
    for (uint8_t i = 0; rc == 0 && i < out->count; i++) {
        rc = get_action(s, d, &out->actions[i]);
    }
    return rc;
}

/* ---- writes ------------------------------------------------------------------------------ */

static int set_seasons(cosem_calendar_t *cal, axdr_dec_t *d) {
    cosem_cal_season_t tmp[EM_COSEM_CAL_SEASONS];
    uint8_t n = 0;
    memset(tmp, 0, sizeof(tmp));
    int rc = get_array(d, EM_COSEM_CAL_SEASONS, &n);
    for (uint8_t i = 0; rc == 0 && i < n; i++) {
        rc = get_season(d, &tmp[i]);
        for (uint8_t j = 0; rc == 0 && j < i; j++) {
            rc = cosem_cal_same_name(&tmp[j].name, &tmp[i].name) ? (int)DLMS_DAR_OTHER_REASON : 0;
        }
    }
    if (rc != 0) {
        return rc;
    }
    memcpy(cal->seasons, tmp, sizeof(tmp));
    cal->season_count = n;
    return 0;
}

static int set_weeks(cosem_calendar_t *cal, axdr_dec_t *d) {
    cosem_cal_week_t tmp[EM_COSEM_CAL_WEEKS];
    uint8_t n = 0;
    memset(tmp, 0, sizeof(tmp));
    int rc = get_array(d, EM_COSEM_CAL_WEEKS, &n);
    for (uint8_t i = 0; rc == 0 && i < n; i++) {
        rc = get_week(d, &tmp[i]);
        for (uint8_t j = 0; rc == 0 && j < i; j++) {
            rc = cosem_cal_same_name(&tmp[j].name, &tmp[i].name) ? (int)DLMS_DAR_OTHER_REASON : 0;
        }
    }
    if (rc == 0 && !seasons_resolve(cal, tmp, n)) {
        rc = DLMS_DAR_OTHER_REASON; /* a season would name a missing week */
    }
    if (rc != 0) {
        return rc;
    }
    memcpy(cal->weeks, tmp, sizeof(tmp));
    cal->week_count = n;
    return 0;
}

static int set_days(const cosem_server_t *s, cosem_calendar_t *cal, axdr_dec_t *d) {
    cosem_cal_day_t tmp[EM_COSEM_CAL_DAYS];
    uint8_t n = 0;
    memset(tmp, 0, sizeof(tmp));
    int rc = get_array(d, EM_COSEM_CAL_DAYS, &n);
    for (uint8_t i = 0; rc == 0 && i < n; i++) {
        rc = get_day(s, d, &tmp[i]);
        rc = rc == 0 && has_day(tmp, i, tmp[i].day_id) ? (int)DLMS_DAR_OTHER_REASON : rc;
    }
    if (rc == 0 && !weeks_resolve(cal, tmp, n)) {
        rc = DLMS_DAR_OTHER_REASON; /* a week would name a missing day profile */
    }
    if (rc != 0) {
        return rc;
    }
    memcpy(cal->days, tmp, sizeof(tmp));
    cal->day_count = n;
    return 0;
}

static bool all_unspecified(const cosem_datetime_t *dt) {
    return dt->year == COSEM_DT_YEAR_NOT_SPECIFIED && dt->month == COSEM_DT_NOT_SPECIFIED &&
           dt->day == COSEM_DT_NOT_SPECIFIED && dt->hour == COSEM_DT_NOT_SPECIFIED &&
           dt->minute == COSEM_DT_NOT_SPECIFIED && dt->second == COSEM_DT_NOT_SPECIFIED;
}

/* attribute 10: "not specified" (off) or one concrete instant. */
static int set_activation(const cosem_server_t *s, cosem_activity_calendar_state_t *st,
                          axdr_dec_t *d) {
    cosem_datetime_t dt;
    int64_t at;
    if (axdr_get_date_time(d, &dt) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (!all_unspecified(&dt)) {
        if (!cosem_datetime_is_valid(&dt) || cosem_datetime_to_instant(s, &dt, &at) != 0 ||
            cosem_calendar_check(&st->passive) != 0) {
            return DLMS_DAR_OTHER_REASON;
        }
    }
    st->activation = dt;
    return 0;
}

static int calendar_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_activity_calendar_state_t *st = state_of(r->srv, r->obj);
    int rc;
    switch (r->id) {
    case 6: {
        cosem_cal_name_t n;
        rc = get_name(value, &n);
        if (rc == 0) {
            st->passive.name = n;
        }
        break;
    }
    case 7:
        rc = set_seasons(&st->passive, value);
        break;
    case 8:
        rc = set_weeks(&st->passive, value);
        break;
    case 9:
        rc = set_days(r->srv, &st->passive, value);
        break;
    case 10:
        rc = set_activation(r->srv, st, value);
        break;
    default:
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    return rc; /* the dispatcher hands exactly one Data, read whole on success */
}

/* ---- method 1 --------------------------------------------------------------------------- */

static int calendar_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret,
                           bool *has_ret) {
    (void)ret;
    *has_ret = false;
    if (!cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    int rc = cosem_activity_calendar_activate(state_of(r->srv, r->obj));
    return rc == 0 ? 0 : (int)DLMS_ACTION_OTHER_REASON;
}

static int calendar_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_activity_calendar_def_t *d = def_of(obj);
    int rc = cosem_sched_check_state(s, d->state, sizeof(cosem_activity_calendar_state_t));
    if (rc == 0 && d->special_days != COSEM_NO_OFFSET) {
        rc = cosem_sched_check_state(s, d->special_days, sizeof(cosem_special_days_state_t));
    }
    return rc;
}

const cosem_class_t cosem_class_activity_calendar = {
    .class_id = COSEM_CLASS_ACTIVITY_CALENDAR,
    .version = 0,
    .attr_count = 10,
    .method_count = 1,
    .write_mask = COSEM_BIT(6) | COSEM_BIT(7) | COSEM_BIT(8) | COSEM_BIT(9) | COSEM_BIT(10),
    .method_mask = COSEM_BIT(1),
    .get = calendar_get,
    .set = calendar_set,
    .action = calendar_action,
    .check = calendar_check,
};

/* ---- the tick -------------------------------------------------------------------------- */

/* Activation at activate_passive_calendar_time: 1 done, 0 not due. */
static int tick_activation(cosem_server_t *s, const cosem_object_t *obj,
                           cosem_activity_calendar_state_t *st, int64_t utc) {
    int64_t at;
    if (all_unspecified(&st->activation)) {
        return 0;
    }
    if (cosem_datetime_to_instant(s, &st->activation, &at) != 0) {
        cosem_datetime_set_unspecified(&st->activation); /* cannot happen after set_activation */
        return COSEM_ERR_TIME;
    }
    if (utc < at) {
        return 0;
    }
    cosem_datetime_set_unspecified(&st->activation); /* one activation per programming */
    int rc = cosem_activity_calendar_activate(st);
    if (rc != 0) {
        return rc;
    }
    cosem_sched_notify(s, obj, COSEM_NOTIFY_ACTION, 1);
    return 1;
}

/* Runs the scripts of a switching point: the count, or the first error. */
static int run_point(cosem_server_t *s, const cosem_calendar_t *cal, const cosem_cal_point_t *p) {
    const cosem_cal_day_t *day = &cal->days[p->day];
    int count = 0, first = 0;
    for (uint8_t i = 0; i < clamp(day->count, EM_COSEM_CAL_DAY_ACTIONS); i++) {
        if (!(p->actions & (1u << i))) {
            continue;
        }
        int rc = cosem_script_run_ref(s, &day->actions[i].script);
        if (rc != 0 && first == 0) {
            first = rc < 0 ? rc : COSEM_ERR_SCRIPT_ACTION;
        }
        count += !cosem_script_ref_is_null(&day->actions[i].script);
    }
    return first != 0 ? first : count;
}

static bool same_point(const cosem_cal_run_t *run, const cosem_cal_point_t *p) {
    return run->last_wall == p->wall && run->last_day == p->day && run->last_mask == p->actions;
}

/* Switching: evaluate at start-up, at the switching instant, when the
 * clock went back and when the local time rules changed; run the point in
 * force if it was not run yet. */
static int tick_switch(cosem_server_t *s, const cosem_object_t *obj,
                       cosem_activity_calendar_state_t *st, int64_t utc) {
    cosem_cal_run_t *run = &st->run;
    const cosem_clock_state_t *clk = cosem_sched_clock(s);
    uint32_t rules = cosem_sched_rules(clk);
    if (run->started && utc >= run->last_tick && utc < run->next_switch && rules == run->rules) {
        return 0;
    }
    const cosem_activity_calendar_def_t *d = def_of(obj);
    const cosem_special_days_state_t *sd =
        d->special_days != COSEM_NO_OFFSET ? cosem_app_ptr(s, d->special_days) : NULL;
    cosem_cal_eval_t ev;
    int rc = cosem_cal_evaluate(&st->active, sd, clk, utc, &ev);
    if (rc != 0) {
        return rc;
    }
    run->next_switch = ev.next_utc;
    run->rules = rules;
    int n = 0;
    if (ev.in_force.day >= 0 && (!run->started || !same_point(run, &ev.in_force))) {
        n = run_point(s, &st->active, &ev.in_force);
    }
    run->started = true;
    run->last_wall = ev.in_force.wall;
    run->last_day = ev.in_force.day;
    run->last_mask = ev.in_force.actions;
    return n;
}

int cosem_activity_calendar_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_activity_calendar) {
        return COSEM_ERR_BADARG;
    }
    cosem_activity_calendar_state_t *st = state_of(s, obj);
    int act = tick_activation(s, obj, st, utc);
    int n = tick_switch(s, obj, st, utc);
    st->run.last_tick = utc;
    if (act < 0) {
        return act;
    }
    return n;
}
