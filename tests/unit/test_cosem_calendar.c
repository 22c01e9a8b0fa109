/*
 * test_cosem_calendar.c - Activity calendar (class 20), Special days table
 * (class 11) and the calendar evaluation engine (calendar_eval.c): SET/GET
 * round trips with exact A-XDR bytes, refusal of inconsistent calendars
 * with nothing changed, season/week/special day/action-in-force/next-switch
 * evaluation, the DST spring-forward and fall-back days, activation of the
 * passive calendar at its time, and switching driven by the tick.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_cosem_calendar_table.h"

#define CLASS_CAL     COSEM_CLASS_ACTIVITY_CALENDAR
#define CLASS_SPECIAL COSEM_CLASS_SPECIAL_DAYS_TABLE

/* ---- building calendars in C ------------------------------------------------------------ */

static void set_name(cosem_cal_name_t *n, const char *s) {
    memset(n, 0, sizeof(*n));
    n->len = (uint8_t)strlen(s);
    memcpy(n->bytes, s, n->len);
}

static void add_season(cosem_calendar_t *c, const char *name, uint8_t month, uint8_t day,
                       const char *week) {
    cosem_cal_season_t *s = &c->seasons[c->season_count++];
    set_name(&s->name, name);
    cosem_datetime_set_unspecified(&s->start);
    s->start.month = month;
    s->start.day = day;
    s->start.hour = 0;
    s->start.minute = 0;
    s->start.second = 0;
    s->start.hundredths = 0;
    set_name(&s->week, week);
}

/* Monday-Friday day id wd, Saturday and Sunday we. */
static void add_week(cosem_calendar_t *c, const char *name, uint8_t wd, uint8_t we) {
    cosem_cal_week_t *w = &c->weeks[c->week_count++];
    set_name(&w->name, name);
    for (int i = 0; i < 7; i++) {
        w->day_id[i] = i < 5 ? wd : we;
    }
}

static int add_day(cosem_calendar_t *c, uint8_t id) {
    c->days[c->day_count].day_id = id;
    return c->day_count++;
}

/* Action at hh:mm running tariffication script `tariff`. */
static void add_action(cosem_calendar_t *c, int day, uint8_t hh, uint8_t mm, uint16_t tariff) {
    cosem_cal_day_t *d = &c->days[day];
    cosem_cal_action_t *a = &d->actions[d->count++];
    a->start = (cosem_time_t){hh, mm, 0, 0};
    memcpy(a->script.ln, CT_TARIFF, 6);
    a->script.selector = tariff;
}

/* Winter (from 1 October) and summer (from 1 April) with weekday and
 * weekend profiles: winter weekdays 07:00 T2 / 21:00 T1, winter weekend
 * 00:00 T1, summer weekdays 06:00 T2 / 22:00 T1, summer weekend 10:00 T3. */
static void two_seasons(cosem_calendar_t *c) {
    memset(c, 0, sizeof(*c));
    set_name(&c->name, "TWO");
    add_season(c, "WIN", 10, 1, "WW");
    add_season(c, "SUM", 4, 1, "SW");
    add_week(c, "WW", 1, 2);
    add_week(c, "SW", 3, 4);
    int d1 = add_day(c, 1), d2 = add_day(c, 2), d3 = add_day(c, 3), d4 = add_day(c, 4);
    add_action(c, d1, 7, 0, 2);
    add_action(c, d1, 21, 0, 1);
    add_action(c, d2, 0, 0, 1);
    add_action(c, d3, 6, 0, 2);
    add_action(c, d3, 22, 0, 1);
    add_action(c, d4, 10, 0, 3);
}

/* One season, every day 00:00 T1, 02:30 T2, 12:00 T3 (the DST days). */
static void dst_calendar(cosem_calendar_t *c) {
    memset(c, 0, sizeof(*c));
    set_name(&c->name, "DST");
    add_season(c, "ALL", 1, 1, "W");
    add_week(c, "W", 1, 1);
    int d = add_day(c, 1);
    add_action(c, d, 0, 0, 1);
    add_action(c, d, 2, 30, 2);
    add_action(c, d, 12, 0, 3);
}

/* Wall seconds of a local date-time. */
static int64_t wall(uint16_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi) {
    cosem_datetime_t dt;
    cosem_datetime_set_unspecified(&dt);
    dt.year = y;
    dt.month = mo;
    dt.day = d;
    dt.hour = h;
    dt.minute = mi;
    dt.second = 0;
    int64_t w = 0;
    assert_int_equal(cosem_wall_from_datetime(&dt, &w), 0);
    return w;
}

static ct_t T;

static int setup(void **state) {
    (void)state;
    return ct_setup(&T, ct_utc(2024, 1, 15, 11, 0, 0));
}

static cosem_cal_eval_t eval_at(const cosem_calendar_t *cal, int64_t utc) {
    cosem_cal_eval_t ev;
    assert_int_equal(cosem_cal_evaluate(cal, &T.app.special, &T.app.clock, utc, &ev), 0);
    return ev;
}

static uint8_t day_id_at(const cosem_calendar_t *cal, int64_t utc) {
    cosem_cal_eval_t ev = eval_at(cal, utc);
    assert_true(ev.day >= 0);
    return cal->days[ev.day].day_id;
}

/* ---- evaluation ----------------------------------------------------------------------------- */

static void test_seasons_wrap(void **state) {
    (void)state;
    cosem_calendar_t c;
    two_seasons(&c);
    /* January: the winter that started last October (the search wraps). */
    cosem_cal_eval_t ev = eval_at(&c, ct_utc(2024, 1, 15, 11, 0, 0));
    assert_int_equal(ev.season, 0);
    assert_int_equal(ev.week, 0);
    assert_int_equal(c.days[ev.day].day_id, 1);
    assert_int_equal(ev.local.hour, 12); /* CET */
    assert_int_equal(eval_at(&c, ct_utc(2025, 2, 1, 12, 0, 0)).season, 0);
    assert_int_equal(eval_at(&c, ct_utc(2024, 7, 10, 10, 0, 0)).season, 1);
    /* Boundaries in local time: 1 April 00:00 CEST = 31 March 22:00 UTC. */
    assert_int_equal(eval_at(&c, ct_utc(2024, 3, 31, 21, 59, 59)).season, 0);
    assert_int_equal(eval_at(&c, ct_utc(2024, 3, 31, 22, 0, 0)).season, 1);
    assert_int_equal(eval_at(&c, ct_utc(2024, 9, 30, 21, 59, 59)).season, 1);
    assert_int_equal(eval_at(&c, ct_utc(2024, 9, 30, 22, 0, 0)).season, 0);
    /* Seasons with a year: one start, however long ago; not yet when in
     * the future. */
    cosem_calendar_t y = c;
    y.seasons[0].start.year = 2010;
    y.seasons[0].start.month = 3;
    y.seasons[1].start.year = 2030;
    assert_int_equal(eval_at(&y, ct_utc(2024, 7, 10, 10, 0, 0)).season, 0);
    assert_int_equal(eval_at(&y, ct_utc(2031, 1, 10, 10, 0, 0)).season, 1);
    assert_int_equal(eval_at(&y, ct_utc(2009, 1, 10, 10, 0, 0)).season, -1);
    /* A season whose week is missing: no day profile. */
    set_name(&c.seasons[0].week, "NONE");
    ev = eval_at(&c, ct_utc(2024, 1, 15, 11, 0, 0));
    assert_int_equal(ev.season, 0);
    assert_int_equal(ev.week, -1);
    assert_int_equal(ev.day, -1);
}

static void test_weekday_weekend(void **state) {
    (void)state;
    cosem_calendar_t c;
    two_seasons(&c);
    assert_int_equal(day_id_at(&c, ct_utc(2024, 1, 13, 11, 0, 0)), 2); /* Saturday */
    assert_int_equal(day_id_at(&c, ct_utc(2024, 1, 14, 11, 0, 0)), 2); /* Sunday */
    assert_int_equal(day_id_at(&c, ct_utc(2024, 1, 15, 11, 0, 0)), 1); /* Monday */
    assert_int_equal(day_id_at(&c, ct_utc(2024, 1, 19, 11, 0, 0)), 1); /* Friday */
    /* Friday 23:30 UTC is Saturday 00:30 CET. */
    assert_int_equal(day_id_at(&c, ct_utc(2024, 1, 19, 23, 30, 0)), 2);
    assert_int_equal(day_id_at(&c, ct_utc(2024, 7, 13, 10, 0, 0)), 4); /* summer Saturday */
}

static void test_special_day_overrides(void **state) {
    (void)state;
    cosem_calendar_t c;
    two_seasons(&c);
    cosem_special_days_state_t *sd = &T.app.special;
    sd->entries[0] = (cosem_special_day_t){1, {2024, 1, 15, 0xFF}, 2};
    sd->entries[1] = (cosem_special_day_t){2, {0xFFFF, 12, 25, 0xFF}, 4};
    sd->entries[2] = (cosem_special_day_t){3, {2024, 1, 16, 0xFF}, 9}; /* no day 9: ignored */
    sd->count = 3;
    cosem_cal_eval_t ev = eval_at(&c, ct_utc(2024, 1, 15, 11, 0, 0));
    assert_true(ev.special);
    assert_int_equal(ev.special_entry, 0);
    assert_int_equal(c.days[ev.day].day_id, 2);
    /* The special day's profile decides the action in force: 00:00 T1. */
    assert_int_equal(ev.in_force.wall, wall(2024, 1, 15, 0, 0));
    assert_int_equal(c.days[ev.in_force.day].actions[0].script.selector, 1);
    /* A yearly date: Christmas 2025 is a Thursday. */
    ev = eval_at(&c, ct_utc(2025, 12, 25, 11, 0, 0));
    assert_true(ev.special);
    assert_int_equal(c.days[ev.day].day_id, 4);
    /* An entry naming a day profile the calendar lacks is ignored. */
    ev = eval_at(&c, ct_utc(2024, 1, 16, 11, 0, 0));
    assert_false(ev.special);
    assert_int_equal(c.days[ev.day].day_id, 1);
}

static void test_action_in_force_before_first_switch(void **state) {
    (void)state;
    cosem_calendar_t c;
    two_seasons(&c);
    /* Tuesday 05:00 CET: before 07:00, Monday's 21:00 action is in force. */
    cosem_cal_eval_t ev = eval_at(&c, ct_utc(2024, 1, 16, 4, 0, 0));
    assert_int_equal(ev.in_force.wall, wall(2024, 1, 15, 21, 0));
    assert_int_equal(ev.in_force.day_id, 1);
    assert_int_equal(ev.in_force.actions, 0x2u);
    assert_int_equal(ev.next_utc, ct_utc(2024, 1, 16, 6, 0, 0)); /* 07:00 CET */
    /* Monday 05:00 CET: Sunday's (weekend profile) 00:00 action. */
    ev = eval_at(&c, ct_utc(2024, 1, 22, 4, 0, 0));
    assert_int_equal(ev.in_force.wall, wall(2024, 1, 21, 0, 0));
    assert_int_equal(c.days[ev.in_force.day].actions[0].script.selector, 1);
    /* No action anywhere: nothing in force, a re-evaluation point ahead. */
    cosem_calendar_t empty;
    memset(&empty, 0, sizeof(empty));
    ev = eval_at(&empty, ct_utc(2024, 1, 16, 4, 0, 0));
    assert_int_equal(ev.in_force.day, -1);
    assert_true(ev.next_utc > ct_utc(2024, 12, 31, 0, 0, 0));
}

static void test_next_switch_instants(void **state) {
    (void)state;
    cosem_calendar_t c;
    two_seasons(&c);
    /* Exactly at 07:00 CET the 07:00 action is in force; next is 21:00. */
    cosem_cal_eval_t ev = eval_at(&c, ct_utc(2024, 1, 16, 6, 0, 0));
    assert_int_equal(ev.in_force.wall, wall(2024, 1, 16, 7, 0));
    assert_int_equal(ev.in_force.actions, 0x1u);
    assert_int_equal(ev.next_utc, ct_utc(2024, 1, 16, 20, 0, 0));
    assert_int_equal(ev.next_wall, wall(2024, 1, 16, 21, 0));
    /* Friday 21:30: the weekend profile's 00:00 on Saturday. */
    ev = eval_at(&c, ct_utc(2024, 1, 19, 20, 30, 0));
    assert_int_equal(ev.next_utc, ct_utc(2024, 1, 19, 23, 0, 0));
    /* Sunday 31 March (winter weekend, 00:00 done): the next point is the
     * start of summer on Monday 00:00 CEST (a season start, where the day
     * profile changes), then summer's 06:00. */
    ev = eval_at(&c, ct_utc(2024, 3, 31, 10, 0, 0));
    assert_int_equal(ev.next_utc, ct_utc(2024, 3, 31, 22, 0, 0));
    cosem_cal_eval_t at = eval_at(&c, ev.next_utc);
    assert_int_equal(at.season, 1);
    assert_int_equal(at.in_force.wall, wall(2024, 3, 31, 0, 0)); /* unchanged point */
    assert_int_equal(at.next_utc, ct_utc(2024, 4, 1, 4, 0, 0));  /* 06:00 CEST */
}

static void test_dst_spring_forward(void **state) {
    (void)state;
    cosem_calendar_t c;
    dst_calendar(&c);
    /* 31 March 2024: 02:00 CET jumps to 03:00 CEST at 01:00 UTC. The 02:30
     * switch lies in the skipped hour: it takes effect at the end of the
     * gap, 03:00 CEST. */
    cosem_cal_eval_t ev = eval_at(&c, ct_utc(2024, 3, 31, 0, 30, 0));
    assert_int_equal(ev.in_force.actions, 0x1u);
    assert_int_equal(ev.next_utc, ct_utc(2024, 3, 31, 1, 0, 0));
    assert_int_equal(eval_at(&c, ct_utc(2024, 3, 31, 0, 59, 59)).in_force.actions, 0x1u);
    ev = eval_at(&c, ct_utc(2024, 3, 31, 1, 0, 0));
    assert_int_equal(ev.local.hour, 3);
    assert_int_equal(ev.in_force.actions, 0x2u);
    assert_int_equal(ev.in_force.wall, wall(2024, 3, 31, 2, 30));
    assert_int_equal(ev.next_utc, ct_utc(2024, 3, 31, 10, 0, 0)); /* 12:00 CEST */
    /* The wall clock conversion itself. */
    assert_int_equal(
        cosem_wall_to_utc(&T.app.clock, wall(2024, 3, 31, 2, 30), ct_utc(2024, 3, 31, 0, 0, 0)),
        ct_utc(2024, 3, 31, 1, 0, 0));
}

static void test_dst_fall_back(void **state) {
    (void)state;
    cosem_calendar_t c;
    dst_calendar(&c);
    /* 27 October 2024: 03:00 CEST goes back to 02:00 CET at 01:00 UTC;
     * 02:30 happens twice. The switch runs at the first 02:30 (CEST). */
    cosem_cal_eval_t ev = eval_at(&c, ct_utc(2024, 10, 26, 22, 30, 0));
    assert_int_equal(ev.in_force.actions, 0x1u);
    assert_int_equal(ev.next_utc, ct_utc(2024, 10, 27, 0, 30, 0));
    ev = eval_at(&c, ct_utc(2024, 10, 27, 0, 30, 0));
    assert_int_equal(ev.in_force.actions, 0x2u);
    /* From there the next switch is 12:00 CET, not the second 02:30. */
    assert_int_equal(ev.next_utc, ct_utc(2024, 10, 27, 11, 0, 0));
    /* Evaluated from scratch in the repeated hour (02:15 CET), the wall
     * clock decides: 00:00's action, next the second 02:30 (01:30 UTC). */
    ev = eval_at(&c, ct_utc(2024, 10, 27, 1, 15, 0));
    assert_int_equal(ev.in_force.actions, 0x1u);
    assert_int_equal(ev.next_utc, ct_utc(2024, 10, 27, 1, 30, 0));
}

/* ---- the tick ------------------------------------------------------------------------------ */

/* Ticks every `step` seconds over [from, to]. */
static void run_ticks(int64_t from, int64_t to, int64_t step) {
    for (int64_t t = from; t <= to; t += step) {
        T.app.rtc = t;
        int rc = cosem_sched_tick(&T.srv, t);
        assert_true(rc >= 0);
    }
}

static void expect_log(const uint16_t *tariffs, const int64_t *times, int n) {
    assert_int_equal(T.app.tariff_calls, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(T.app.tariff_log[i], tariffs[i]);
        assert_int_equal(T.app.tariff_time[i], times[i]);
    }
}

static void test_tick_switches_through_days(void **state) {
    (void)state;
    two_seasons(&T.app.cal.active);
    run_ticks(ct_utc(2024, 1, 15, 0, 30, 0), ct_utc(2024, 1, 17, 0, 30, 0), 60);
    /* Start-up: Sunday's 00:00 T1 in force; then 07:00 and 21:00 CET. */
    const uint16_t tariffs[] = {1, 2, 1, 2, 1};
    const int64_t times[] = {ct_utc(2024, 1, 15, 0, 30, 0), ct_utc(2024, 1, 15, 6, 0, 0),
                             ct_utc(2024, 1, 15, 20, 0, 0), ct_utc(2024, 1, 16, 6, 0, 0),
                             ct_utc(2024, 1, 16, 20, 0, 0)};
    expect_log(tariffs, times, 5);
    assert_memory_equal(T.app.tariff_indicator, "\x00\x01", 2);
    /* The clock set back before 07:00 runs the point then in force again;
     * forward again runs 07:00's; repeating a tick runs nothing. */
    int64_t back = ct_utc(2024, 1, 16, 5, 0, 0);
    T.app.rtc = back;
    assert_int_equal(cosem_sched_tick(&T.srv, back), 1);
    assert_int_equal(T.app.tariff_log[5], 1);
    assert_int_equal(cosem_sched_tick(&T.srv, back), 0);
    assert_int_equal(cosem_sched_tick(&T.srv, ct_utc(2024, 1, 16, 6, 0, 1)), 1);
    assert_int_equal(T.app.tariff_log[6], 2);
}

static void test_tick_dst_days(void **state) {
    (void)state;
    dst_calendar(&T.app.cal.active);
    run_ticks(ct_utc(2024, 3, 30, 23, 0, 0), ct_utc(2024, 3, 31, 12, 0, 0), 60);
    const uint16_t spring[] = {1, 2, 3};
    const int64_t spring_t[] = {ct_utc(2024, 3, 30, 23, 0, 0), ct_utc(2024, 3, 31, 1, 0, 0),
                                ct_utc(2024, 3, 31, 10, 0, 0)};
    expect_log(spring, spring_t, 3);

    assert_int_equal(ct_setup(&T, 0), 0);
    dst_calendar(&T.app.cal.active);
    run_ticks(ct_utc(2024, 10, 26, 21, 0, 0), ct_utc(2024, 10, 27, 12, 0, 0), 60);
    /* 23:00 CEST start-up (12:00's T3), 00:00 CEST, the first 02:30 only,
     * 12:00 CET. */
    const uint16_t fall[] = {3, 1, 2, 3};
    const int64_t fall_t[] = {ct_utc(2024, 10, 26, 21, 0, 0), ct_utc(2024, 10, 26, 22, 0, 0),
                              ct_utc(2024, 10, 27, 0, 30, 0), ct_utc(2024, 10, 27, 11, 0, 0)};
    expect_log(fall, fall_t, 4);
}

static void test_tick_time_zone_change(void **state) {
    (void)state;
    two_seasons(&T.app.cal.active);
    /* Tuesday 06:30 CET: Monday's 21:00 T1 in force, next at 07:00 CET. */
    T.app.rtc = ct_utc(2024, 1, 16, 5, 30, 0);
    assert_int_equal(cosem_sched_tick(&T.srv, T.app.rtc), 1);
    assert_int_equal(T.app.tariff_log[0], 1);
    assert_int_equal(T.app.cal.run.next_switch, ct_utc(2024, 1, 16, 6, 0, 0));
    /* A client moves the time zone to UTC+2: it is 07:30 local now, so the
     * 07:00 point is in force at once, not at the old instant. */
    static const uint8_t tz[] = {0x10, 0xFF, 0x88}; /* long -120 */
    assert_int_equal(ct_set(&T, COSEM_CLASS_CLOCK, CT_CLOCK, 3, tz, sizeof(tz)), 0);
    T.app.rtc += 1;
    assert_int_equal(cosem_sched_tick(&T.srv, T.app.rtc), 1);
    assert_int_equal(T.app.tariff_log[1], 2);
    assert_int_equal(T.app.cal.run.next_switch, ct_utc(2024, 1, 16, 19, 0, 0));
    T.app.rtc += 1;
    assert_int_equal(cosem_sched_tick(&T.srv, T.app.rtc), 0);
}

static const uint8_t UNSPECIFIED_DT[] = {0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                         0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF};

static void test_activation_at_time(void **state) {
    (void)state;
    cosem_activity_calendar_state_t *st = &T.app.cal;
    dst_calendar(&st->active);
    two_seasons(&st->passive);
    T.app.rtc = ct_utc(2024, 1, 19, 12, 0, 0);
    assert_int_equal(cosem_sched_tick(&T.srv, T.app.rtc), 1); /* start-up: DST calendar's 12:00 */
    assert_int_equal(T.app.tariff_log[0], 3);
    /* activate_passive_calendar_time = 2024-01-20 00:00:00 local. */
    static const uint8_t at[] = {0x09, 0x0C, 0x07, 0xE8, 0x01, 0x14, 0xFF,
                                 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF};
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 10, at, sizeof(at)), 0);
    assert_int_equal(T.app.notify_kind, COSEM_NOTIFY_SET);
    assert_int_equal(T.app.notify_id, 10);
    uint8_t out[64];
    size_t n;
    assert_int_equal(ct_get(&T, CLASS_CAL, CT_CAL, 10, out, sizeof(out), &n), 0);
    assert_int_equal(n, sizeof(at));
    assert_memory_equal(out, at, sizeof(at));
    /* 23:59 CET: not yet. */
    T.app.rtc = ct_utc(2024, 1, 19, 22, 59, 0);
    assert_int_equal(cosem_sched_tick(&T.srv, T.app.rtc), 0);
    assert_memory_equal(st->active.name.bytes, "DST", 3);
    /* 00:00 CET: the passive calendar becomes active, the notify hook sees
     * method 1 (event 9), the new calendar's point in force runs (winter
     * Saturday 00:00 T1) and the activation time is cleared. */
    int before = T.app.notify_count;
    T.app.rtc = ct_utc(2024, 1, 19, 23, 0, 0);
    assert_int_equal(cosem_sched_tick(&T.srv, T.app.rtc), 1);
    assert_memory_equal(&st->active, &st->passive, sizeof(st->active));
    assert_int_equal(T.app.notify_count, before + 1);
    assert_int_equal(T.app.notify_kind, COSEM_NOTIFY_ACTION);
    assert_int_equal(T.app.notify_id, 1);
    assert_ptr_equal(T.app.notify_obj, cosem_find(&T.srv, CT_CAL));
    assert_int_equal(T.app.tariff_calls, 2);
    assert_int_equal(T.app.tariff_log[1], 1);
    assert_int_equal(ct_get(&T, CLASS_CAL, CT_CAL, 10, out, sizeof(out), &n), 0);
    assert_memory_equal(out, UNSPECIFIED_DT, sizeof(UNSPECIFIED_DT));
    /* Once only. */
    T.app.rtc += 60;
    assert_int_equal(cosem_sched_tick(&T.srv, T.app.rtc), 0);
    assert_int_equal(T.app.notify_count, before + 1);
}

/* ---- SET/GET round trip --------------------------------------------------------------------- */

static const uint8_t NAME[] = {0x09, 0x04, 'C', 'A', 'L', '1'};
static const uint8_t SEASONS[] = {0x01, 0x01, 0x02, 0x03, 0x09, 0x01, 'S',  0x09,
                                  0x0C, 0xFF, 0xFF, 0x01, 0x01, 0xFF, 0x00, 0x00,
                                  0x00, 0x00, 0x80, 0x00, 0xFF, 0x09, 0x01, 'W'};
static const uint8_t WEEKS[] = {0x01, 0x01, 0x02, 0x08, 0x09, 0x01, 'W',  0x11, 0x01, 0x11, 0x01,
                                0x11, 0x01, 0x11, 0x01, 0x11, 0x01, 0x11, 0x02, 0x11, 0x02};
static const uint8_t DAYS[] = {
    0x01, 0x02,                                                       /* 2 day profiles */
    0x02, 0x02, 0x11, 0x01, 0x01, 0x02,                               /* day 1, 2 actions */
    0x02, 0x03, 0x09, 0x04, 0x07, 0x00, 0x00, 0x00,                   /* 07:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x02, /* tariff 2 */
    0x02, 0x03, 0x09, 0x04, 0x15, 0x00, 0x00, 0x00,                   /* 21:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x01, /* tariff 1 */
    0x02, 0x02, 0x11, 0x02, 0x01, 0x01,                               /* day 2, 1 action */
    0x02, 0x03, 0x09, 0x04, 0x00, 0x00, 0x00, 0x00,                   /* 00:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x01, /* tariff 1 */
};

static void expect_get(int8_t attr, const uint8_t *bytes, size_t len) {
    uint8_t out[512];
    size_t n;
    assert_int_equal(ct_get(&T, CLASS_CAL, CT_CAL, attr, out, sizeof(out), &n), 0);
    assert_int_equal(n, len);
    assert_memory_equal(out, bytes, len);
}

static void program_passive(void) {
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 6, NAME, sizeof(NAME)), 0);
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 7, SEASONS, sizeof(SEASONS)), 0);
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 8, WEEKS, sizeof(WEEKS)), 0);
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 9, DAYS, sizeof(DAYS)), 0);
}

static void test_round_trip_bytes(void **state) {
    (void)state;
    static const uint8_t empty_name[] = {0x09, 0x00}, empty[] = {0x01, 0x00};
    program_passive();
    assert_int_equal(T.app.notify_kind, COSEM_NOTIFY_SET);
    assert_int_equal(T.app.notify_id, 9);
    expect_get(6, NAME, sizeof(NAME));
    expect_get(7, SEASONS, sizeof(SEASONS));
    expect_get(8, WEEKS, sizeof(WEEKS));
    expect_get(9, DAYS, sizeof(DAYS));
    expect_get(2, empty_name, sizeof(empty_name));
    expect_get(3, empty, sizeof(empty));
    expect_get(10, UNSPECIFIED_DT, sizeof(UNSPECIFIED_DT));
    /* activate_passive_calendar (data integer 0): active = passive. */
    static const uint8_t zero[] = {0x0F, 0x00};
    assert_int_equal(ct_action(&T, CLASS_CAL, CT_CAL, 1, zero, sizeof(zero)), 0);
    assert_int_equal(T.app.notify_kind, COSEM_NOTIFY_ACTION);
    expect_get(2, NAME, sizeof(NAME));
    expect_get(3, SEASONS, sizeof(SEASONS));
    expect_get(4, WEEKS, sizeof(WEEKS));
    expect_get(5, DAYS, sizeof(DAYS));
    /* The decoded content, not only the bytes. */
    const cosem_calendar_t *a = &T.app.cal.active;
    assert_int_equal(a->day_count, 2);
    assert_int_equal(a->days[0].actions[1].start.hour, 21);
    assert_int_equal(a->days[0].actions[1].script.selector, 1);
    assert_int_equal(a->weeks[0].day_id[5], 2);
    assert_int_equal(a->seasons[0].start.month, 1);
    /* A season_start sent as a date-time (tag 25) reads back as the
     * octet-string the Blue Book types it. */
    uint8_t tagged[sizeof(SEASONS) - 1];
    memcpy(tagged, SEASONS, 7);
    tagged[7] = 0x19;
    memcpy(tagged + 8, SEASONS + 9, sizeof(SEASONS) - 9);
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 7, tagged, sizeof(tagged)), 0);
    expect_get(7, SEASONS, sizeof(SEASONS));
}

/* ---- refusals -------------------------------------------------------------------------------- */

/* A SET refused with `dar` leaves the whole calendar state as it was. */
static void expect_refused(int8_t attr, const uint8_t *v, size_t n, int dar) {
    cosem_activity_calendar_state_t before = T.app.cal;
    int notifies = T.app.notify_count;
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, attr, v, n), dar);
    assert_memory_equal(&before, &T.app.cal, sizeof(before));
    assert_int_equal(T.app.notify_count, notifies);
}

static void test_inconsistent_refused(void **state) {
    (void)state;
    program_passive();
    /* Weeks without "W", which the season names. */
    uint8_t weeks[sizeof(WEEKS)];
    memcpy(weeks, WEEKS, sizeof(weeks));
    weeks[6] = 'X';
    expect_refused(8, weeks, sizeof(weeks), DLMS_DAR_OTHER_REASON);
    /* Days without day 2, which the week names for Saturday and Sunday. */
    uint8_t days[sizeof(DAYS)];
    memcpy(days, DAYS, sizeof(days));
    days[1] = 0x01;
    expect_refused(9, days, 46, DLMS_DAR_OTHER_REASON);
    /* A script table that is not in the object table, and an object that
     * is not a script table. */
    memcpy(days, DAYS, sizeof(days));
    days[22] = 99; /* 0.0.10.0.99.255 */
    expect_refused(9, days, sizeof(days), DLMS_DAR_OTHER_REASON);
    memcpy(days, DAYS, sizeof(days));
    memcpy(days + 18, CT_CLOCK, 6);
    expect_refused(9, days, sizeof(days), DLMS_DAR_OTHER_REASON);
    /* Seasons naming a missing week are taken (weeks come after them in
     * the usual order) but activation and an activation time are refused,
     * and the active calendar is untouched. */
    uint8_t seasons[sizeof(SEASONS)];
    memcpy(seasons, SEASONS, sizeof(seasons));
    seasons[23] = 'Q';
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 7, seasons, sizeof(seasons)), 0);
    cosem_calendar_t active = T.app.cal.active;
    static const uint8_t zero[] = {0x0F, 0x00};
    assert_int_equal(ct_action(&T, CLASS_CAL, CT_CAL, 1, zero, sizeof(zero)),
                     DLMS_ACTION_OTHER_REASON);
    assert_memory_equal(&active, &T.app.cal.active, sizeof(active));
    static const uint8_t at[] = {0x09, 0x0C, 0x07, 0xE8, 0x01, 0x14, 0xFF,
                                 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF};
    expect_refused(10, at, sizeof(at), DLMS_DAR_OTHER_REASON);
    assert_int_equal(cosem_calendar_check(&T.app.cal.passive), COSEM_ERR_CAL_INCONSISTENT);
}

static void test_structure_and_value_errors(void **state) {
    (void)state;
    program_passive();
    static const uint8_t ints[] = {0x01, 0x01, 0x11, 0x05};
    expect_refused(7, ints, sizeof(ints), DLMS_DAR_TYPE_UNMATCHED);
    uint8_t v[sizeof(SEASONS)];
    memcpy(v, SEASONS, sizeof(v));
    v[3] = 0x02; /* a season of 2 elements */
    expect_refused(7, v, sizeof(v), DLMS_DAR_TYPE_UNMATCHED);
    memcpy(v, SEASONS, sizeof(v));
    v[11] = 13; /* month 13 */
    expect_refused(7, v, sizeof(v), DLMS_DAR_OTHER_REASON);
    memcpy(v, SEASONS, sizeof(v));
    v[12] = 0xFF; /* no day */
    expect_refused(7, v, sizeof(v), DLMS_DAR_OTHER_REASON);
    /* Five seasons (named S, T, U, V, W): more than configured. */
    uint8_t five[2 + 5 * 22];
    five[0] = 0x01;
    five[1] = 0x05;
    for (int i = 0; i < 5; i++) {
        memcpy(five + 2 + 22 * i, SEASONS + 2, 22);
        five[2 + 22 * i + 4] = (uint8_t)('S' + i);
    }
    expect_refused(7, five, sizeof(five), DLMS_DAR_OTHER_REASON);
    five[1] = 0x04; /* four fit */
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 7, five, 2 + 4 * 22), 0);
    assert_int_equal(T.app.cal.passive.season_count, 4);
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 7, SEASONS, sizeof(SEASONS)), 0);
    /* Two seasons with the same name. */
    uint8_t two[2 + 2 * 22];
    two[0] = 0x01;
    two[1] = 0x02;
    memcpy(two + 2, SEASONS + 2, 22);
    memcpy(two + 24, SEASONS + 2, 22);
    expect_refused(7, two, sizeof(two), DLMS_DAR_OTHER_REASON);
    /* A 17-byte calendar name. */
    uint8_t longname[19] = {0x09, 17};
    expect_refused(6, longname, sizeof(longname), DLMS_DAR_OTHER_REASON);
    /* A start_time of 25:00, a start_time without an hour. */
    uint8_t days[sizeof(DAYS)];
    memcpy(days, DAYS, sizeof(days));
    days[12] = 25;
    expect_refused(9, days, sizeof(days), DLMS_DAR_OTHER_REASON);
    days[12] = 0xFF;
    expect_refused(9, days, sizeof(days), DLMS_DAR_OTHER_REASON);
    /* Duplicate day_ids. */
    memcpy(days, DAYS, sizeof(days));
    days[49] = 0x01;
    expect_refused(9, days, sizeof(days), DLMS_DAR_OTHER_REASON);
    /* A selector that is not long-unsigned. */
    memcpy(days, DAYS, sizeof(days));
    days[24] = 0x11;
    expect_refused(9, days, sizeof(days), DLMS_DAR_TYPE_UNMATCHED);
    /* Partial wildcards in the activation time; an impossible date. */
    static const uint8_t partial[] = {0x09, 0x0C, 0xFF, 0xFF, 0x01, 0x14, 0xFF,
                                      0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF};
    expect_refused(10, partial, sizeof(partial), DLMS_DAR_OTHER_REASON);
    static const uint8_t feb30[] = {0x09, 0x0C, 0x07, 0xE8, 0x02, 0x1E, 0xFF,
                                    0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF};
    expect_refused(10, feb30, sizeof(feb30), DLMS_DAR_OTHER_REASON);
    /* The active calendar is read-only. */
    expect_refused(3, SEASONS, sizeof(SEASONS), DLMS_DAR_READ_WRITE_DENIED);
    /* activate_passive_calendar takes integer 0 (or nothing / null-data). */
    static const uint8_t bad[] = {0x12, 0x00, 0x01};
    assert_int_equal(ct_action(&T, CLASS_CAL, CT_CAL, 1, bad, sizeof(bad)),
                     DLMS_ACTION_TYPE_UNMATCHED);
}

/* OSGP writes 6, 7, 8, 9 with new names in the seasons first. */
static void test_reprogramming_in_attribute_order(void **state) {
    (void)state;
    program_passive();
    uint8_t seasons[sizeof(SEASONS)], weeks[sizeof(WEEKS)], days[sizeof(DAYS)];
    memcpy(seasons, SEASONS, sizeof(seasons));
    seasons[23] = 'V'; /* week "V" */
    memcpy(weeks, WEEKS, sizeof(weeks));
    weeks[6] = 'V';
    weeks[18] = 5; /* Saturday and Sunday: day 5 */
    weeks[20] = 5;
    memcpy(days, DAYS, sizeof(days));
    days[49] = 5;
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 7, seasons, sizeof(seasons)), 0);
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 8, weeks, sizeof(weeks)), 0);
    assert_int_equal(ct_set(&T, CLASS_CAL, CT_CAL, 9, days, sizeof(days)), 0);
    assert_int_equal(cosem_calendar_check(&T.app.cal.passive), 0);
}

/* ---- special days table -----------------------------------------------------------------------
 */

static void expect_special(const uint8_t *bytes, size_t len) {
    uint8_t out[512];
    size_t n;
    assert_int_equal(ct_get(&T, CLASS_SPECIAL, CT_SPECIAL, 2, out, sizeof(out), &n), 0);
    assert_int_equal(n, len);
    assert_memory_equal(out, bytes, len);
}

static void test_special_days_class(void **state) {
    (void)state;
    /* Two entries: index 1 on 2024-12-25 (day 2), index 2 every 1 January. */
    static const uint8_t two[] = {0x01, 0x02, 0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x05, 0x07,
                                  0xE8, 0x0C, 0x19, 0xFF, 0x11, 0x02, 0x02, 0x03, 0x12, 0x00,
                                  0x02, 0x09, 0x05, 0xFF, 0xFF, 0x01, 0x01, 0xFF, 0x11, 0x02};
    assert_int_equal(ct_set(&T, CLASS_SPECIAL, CT_SPECIAL, 2, two, sizeof(two)), 0);
    expect_special(two, sizeof(two));
    /* insert with index 1 replaces that entry in place. */
    static const uint8_t ins[] = {0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x05,
                                  0x07, 0xE8, 0x0C, 0x1A, 0xFF, 0x11, 0x04};
    assert_int_equal(ct_action(&T, CLASS_SPECIAL, CT_SPECIAL, 1, ins, sizeof(ins)), 0);
    assert_int_equal(T.app.special.count, 2);
    assert_int_equal(T.app.special.entries[0].date.day, 26);
    assert_int_equal(T.app.special.entries[0].day_id, 4);
    /* insert with a new index but the date of entry 2 replaces entry 2. */
    static const uint8_t same_date[] = {0x02, 0x03, 0x12, 0x00, 0x07, 0x09, 0x05,
                                        0xFF, 0xFF, 0x01, 0x01, 0xFF, 0x11, 0x01};
    assert_int_equal(ct_action(&T, CLASS_SPECIAL, CT_SPECIAL, 1, same_date, sizeof(same_date)), 0);
    assert_int_equal(T.app.special.count, 2);
    assert_int_equal(T.app.special.entries[1].index, 7);
    /* A new entry is appended; delete removes by index, keeps the order. */
    uint8_t add[sizeof(ins)];
    memcpy(add, ins, sizeof(add));
    add[4] = 3;
    add[10] = 0x1F;
    assert_int_equal(ct_action(&T, CLASS_SPECIAL, CT_SPECIAL, 1, add, sizeof(add)), 0);
    assert_int_equal(T.app.special.count, 3);
    static const uint8_t del7[] = {0x12, 0x00, 0x07};
    assert_int_equal(ct_action(&T, CLASS_SPECIAL, CT_SPECIAL, 2, del7, sizeof(del7)), 0);
    assert_int_equal(T.app.special.count, 2);
    assert_int_equal(T.app.special.entries[1].index, 3);
    assert_int_equal(ct_action(&T, CLASS_SPECIAL, CT_SPECIAL, 2, del7, sizeof(del7)), 0);
    assert_int_equal(T.app.special.count, 2);
    /* Refusals leave the table: duplicate index, DST month, wrong types. */
    cosem_special_days_state_t before = T.app.special;
    uint8_t dup[sizeof(two)];
    memcpy(dup, two, sizeof(dup));
    dup[20] = 0x01;
    assert_int_equal(ct_set(&T, CLASS_SPECIAL, CT_SPECIAL, 2, dup, sizeof(dup)),
                     DLMS_DAR_OTHER_REASON);
    uint8_t dst[sizeof(two)];
    memcpy(dst, two, sizeof(dst));
    dst[25] = 0xFE;
    assert_int_equal(ct_set(&T, CLASS_SPECIAL, CT_SPECIAL, 2, dst, sizeof(dst)),
                     DLMS_DAR_OTHER_REASON);
    static const uint8_t notarray[] = {0x12, 0x00, 0x01};
    assert_int_equal(ct_set(&T, CLASS_SPECIAL, CT_SPECIAL, 2, notarray, sizeof(notarray)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(ct_action(&T, CLASS_SPECIAL, CT_SPECIAL, 2, ins, sizeof(ins)),
                     DLMS_ACTION_TYPE_UNMATCHED);
    assert_memory_equal(&before, &T.app.special, sizeof(before));
    /* Full table: a 31st entry is refused. */
    memset(&T.app.special, 0, sizeof(T.app.special));
    for (uint8_t i = 0; i < EM_COSEM_SPECIAL_DAYS; i++) {
        T.app.special.entries[i] =
            (cosem_special_day_t){(uint16_t)(100 + i), {2030, 1, 1, 0xFF}, 1};
        T.app.special.entries[i].date.day = (uint8_t)(i + 1);
    }
    T.app.special.count = EM_COSEM_SPECIAL_DAYS;
    assert_int_equal(ct_action(&T, CLASS_SPECIAL, CT_SPECIAL, 1, add, sizeof(add)),
                     DLMS_ACTION_OTHER_REASON);
}

static void test_strerror(void **state) {
    (void)state;
    assert_string_equal(cosem_sched_strerror(COSEM_ERR_SCRIPT_BUSY),
                        "script table already executing (re-entrant call refused)");
    assert_string_equal(cosem_sched_strerror(COSEM_ERR_BADARG), cosem_strerror(COSEM_ERR_BADARG));
    assert_true(strstr(cosem_sched_strerror(COSEM_ERR_CAL_INCONSISTENT), "inconsistent") != NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_seasons_wrap, setup),
        cmocka_unit_test_setup(test_weekday_weekend, setup),
        cmocka_unit_test_setup(test_special_day_overrides, setup),
        cmocka_unit_test_setup(test_action_in_force_before_first_switch, setup),
        cmocka_unit_test_setup(test_next_switch_instants, setup),
        cmocka_unit_test_setup(test_dst_spring_forward, setup),
        cmocka_unit_test_setup(test_dst_fall_back, setup),
        cmocka_unit_test_setup(test_tick_switches_through_days, setup),
        cmocka_unit_test_setup(test_tick_dst_days, setup),
        cmocka_unit_test_setup(test_tick_time_zone_change, setup),
        cmocka_unit_test_setup(test_activation_at_time, setup),
        cmocka_unit_test_setup(test_round_trip_bytes, setup),
        cmocka_unit_test_setup(test_inconsistent_refused, setup),
        cmocka_unit_test_setup(test_structure_and_value_errors, setup),
        cmocka_unit_test_setup(test_reprogramming_in_attribute_order, setup),
        cmocka_unit_test_setup(test_special_days_class, setup),
        cmocka_unit_test_setup(test_strerror, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
