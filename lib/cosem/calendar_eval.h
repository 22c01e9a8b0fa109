/*
 * calendar_eval.h - the time engine behind the time-driven COSEM classes:
 * evaluation of an Activity calendar (class 20) with its Special days table
 * (class 11) at a local date-time, the next switching instant, the local
 * "wall clock" arithmetic they share with Single action schedules (class
 * 22), and the one tick the application calls for all of them (DLMS UA
 * Blue Book "Activity calendar", "Special days table", "Single action
 * schedule", "Register monitor"; the state structs are in cosem_classes.h).
 *
 * ---- Wall time ----------------------------------------------------------------
 *
 * Calendars and schedules are written in local time. The engine works in
 * "wall seconds": the local date and time counted like UTC seconds since
 * 1970-01-01 (wall = UTC - deviation x 60, with the Clock's deviation at
 * that instant, DST included). Wall time jumps forward at the start of DST
 * and back at its end; the engine's rules for those two days:
 *
 *   - spring forward (CET: 02:00 -> 03:00): a switching time inside the
 *     skipped hour (e.g. 02:30) takes effect when the wall clock passes it,
 *     i.e. at the end of the gap (03:00 local = the DST begin instant);
 *   - fall back (CEST 03:00 -> CET 02:00): a switching time inside the
 *     repeated hour takes effect at its FIRST occurrence (in DST). The tick
 *     does not go back to a switch it has passed: in the repeated hour the
 *     actions already run that day are not run again. An evaluation from
 *     scratch (start-up) during the repeated hour follows the wall clock.
 *
 * Without a Clock object (clk NULL) wall time is UTC.
 *
 * ---- Evaluation (cosem_cal_evaluate) -------------------------------------------
 *
 *   season   the season whose season_start is the latest one <= now.
 *            season_start is a date-time pattern: year 0xFFFF repeats every
 *            year (so a winter starting in October is in force in January:
 *            the search wraps to the previous year); month 1..12; day 1..31
 *            or 0xFE/0xFD (last / second last day, with a weekday the last /
 *            second last such weekday); day and weekday together mean the
 *            first such weekday on or after that day (the Clock's reading
 *            of DST rules); unspecified hour/minute/second count as 0. Equal
 *            starts: the first season of the list wins. No season in force:
 *            no week, no day profile (a special day still applies).
 *   week     the week profile named by the season's week_name.
 *   day      a special day of the special days table matching today's date
 *            (first matching entry of the table whose day_id exists in the
 *            calendar) overrides the weekday's day_id of the week profile.
 *   action   the day profile's actions with the latest start_time <= now;
 *            before the first action of the day, the last action of the
 *            previous day (searched back up to COSEM_CAL_HORIZON_DAYS).
 *            Several actions with the same start_time form one switching
 *            point and all run, in list order.
 *   next     the next instant at which the wall clock reaches the start of
 *            an action (of the day profile in force then) or a season start
 *            (where the day profile may change mid-day). If none lies within
 *            COSEM_CAL_HORIZON_DAYS, the end of that horizon (a point to
 *            evaluate again, nothing runs there unless something changed).
 */
#ifndef EMETER_COSEM_CALENDAR_EVAL_H
#define EMETER_COSEM_CALENDAR_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

/* How far the engine looks forward for the next switch and backward for
 * the action in force: a year of day profiles and a month of margin, so a
 * calendar that repeats yearly always finds its switches. */
#define COSEM_CAL_HORIZON_DAYS 400

#define COSEM_SECONDS_PER_DAY 86400

/* One switching point: the actions of one day profile that start at the
 * same time on one date. */
typedef struct cosem_cal_point {
    int64_t wall;     /* wall seconds of the start (date and start_time) */
    int8_t day;       /* index in days[] of the day profile, -1: none */
    uint8_t day_id;   /* its day_id */
    uint32_t actions; /* bit i: days[day].actions[i] starts here */
} cosem_cal_point_t;

typedef struct cosem_cal_eval {
    cosem_datetime_t local;     /* the local date-time evaluated */
    int64_t wall;               /* the same in wall seconds */
    int8_t season;              /* index in seasons[] in force, -1: none */
    int8_t week;                /* index in weeks[] named by that season, -1: none */
    int8_t day;                 /* index in days[] of today's day profile, -1: none */
    bool special;               /* today's day profile comes from a special day */
    int8_t special_entry;       /* which entry of the special days table, -1: none */
    cosem_cal_point_t in_force; /* in_force.day -1: no action in force */
    int64_t next_wall;          /* wall seconds of the next switch */
    int64_t next_utc;           /* the UTC instant of it (cosem_cal_evaluate only) */
} cosem_cal_eval_t;

/* ---- wall clock ------------------------------------------------------------------ */

/* Wall seconds at UTC instant utc (clk NULL: utc). */
int64_t cosem_wall_of(const cosem_clock_state_t *clk, int64_t utc);
/* The first UTC instant after `after` at which the wall clock shows `wall`
 * or has passed it (the end of the gap for a time skipped by DST, the
 * first occurrence of a repeated one), never earlier than after + 1. The
 * caller asks for a wall time later than cosem_wall_of(after). */
int64_t cosem_wall_to_utc(const cosem_clock_state_t *clk, int64_t wall, int64_t after);
/* Wall seconds of a concrete local date-time (date and time specified,
 * deviation ignored); COSEM_ERR_TIME otherwise. */
int cosem_wall_from_datetime(const cosem_datetime_t *local, int64_t *wall);
/* Local date (and weekday) of a wall instant, time fields of that instant. */
int cosem_wall_to_datetime(int64_t wall, cosem_datetime_t *out);
/* Day of month a date pattern gives in a concrete year and month (day
 * 1..31, 0xFE/0xFD, with or without a weekday, as described above); 0 if
 * none. */
uint8_t cosem_pattern_day(uint16_t year, uint8_t month, uint8_t day, uint8_t day_of_week);

/* ---- evaluation ---------------------------------------------------------------- */

/* Evaluates calendar `cal` with special days `sd` (may be NULL) at wall
 * instant `wall` (out->next_utc is left 0). */
int cosem_cal_evaluate_wall(const cosem_calendar_t *cal, const cosem_special_days_state_t *sd,
                            int64_t wall, cosem_cal_eval_t *out);
/* Evaluates at UTC instant utc in the local time of clock `clk` (NULL:
 * UTC), with the next switch as a UTC instant. */
int cosem_cal_evaluate(const cosem_calendar_t *cal, const cosem_special_days_state_t *sd,
                       const cosem_clock_state_t *clk, int64_t utc, cosem_cal_eval_t *out);
/* True when two calendar names are equal. */
bool cosem_cal_same_name(const cosem_cal_name_t *a, const cosem_cal_name_t *b);
/* Start of action i of day profile `day` in seconds after midnight. */
int32_t cosem_cal_action_second(const cosem_cal_day_t *day, uint8_t i);

/* ---- the tick ------------------------------------------------------------------- */

/* The clock state of the server's first Clock object, or NULL. */
const cosem_clock_state_t *cosem_sched_clock(const cosem_server_t *s);
/* A fingerprint of the Clock's local time rules (time_zone, daylight
 * savings begin/end/deviation/enabled); 0 for no clock. Calendars and
 * schedules keep the one their next instant was computed with: when a
 * client changes the rules, the next tick recomputes that instant (nothing
 * runs for the change itself). */
uint32_t cosem_sched_rules(const cosem_clock_state_t *clk);

/* Runs every time-driven object of the table at UTC instant utc, in table
 * order: Activity calendars (activation at activate_passive_calendar_time,
 * switching), Single action schedules and Register monitors. Call it once a
 * second (or at least at every instant the previous call may have missed).
 * Returns the number of scripts started, or the first negative error (the
 * other objects still run). */
int cosem_sched_tick(cosem_server_t *s, int64_t utc);

/* ---- helpers for the class files ------------------------------------------------ */

/* The association view scripts and monitors act with: the meter itself.
 * No configured association has its index (0xFF), so classes describing
 * the caller's association (Association LN) find none. */
extern const dlms_assoc_view_t cosem_sched_meter_view;
/* Runs the server's notify hook, as the dispatcher does after a request
 * (for changes a tick or a script makes). */
void cosem_sched_notify(cosem_server_t *s, const cosem_object_t *obj, uint8_t kind, int8_t id);
/* 0 when `size` bytes at `offset` lie inside the app struct, else
 * COSEM_ERR_BINDING (class check() at cosem_server_init). */
int cosem_sched_check_state(const cosem_server_t *s, uint32_t offset, size_t size);

/* Short English reason for the codes of -0x0940..-0x095F (other codes:
 * cosem_strerror()). */
const char *cosem_sched_strerror(int err);

#endif /* EMETER_COSEM_CALENDAR_EVAL_H */
