/*
 * fuzz_calendar.c - hostile SETs and ACTIONs into the time-driven objects
 * (Activity calendar, Special days table, Script tables, Single action
 * schedules, Register monitors, and the Clock whose DST rules they use) of
 * tests/unit/test_cosem_calendar_table.h, interleaved with ticks at
 * fuzzer-chosen times and direct evaluations of the engine.
 *
 * Input: records, at most MAX_RECORDS:
 *   op % 4 == 0  SET:    op | object | attribute | len (2 bytes) | value
 *   op % 4 == 1  ACTION: op | object | method | len (2 bytes) | params
 *                (len 0: none)
 *   object: index in the table of ct_objects() (modulo its size)
 *   op % 4 == 2  tick:   op | d2 d1 d0: the clock moves by (d - 2^23) x 16 s
 *                (about 4 years either way) and cosem_sched_tick runs
 *   op % 4 == 3  engine: op | d: evaluate the active and passive calendars
 *                and the next execution of both schedules at now + d x 997 s
 *
 * Invariants (trap on violation):
 *   - results are 0, a result code 1..255 or a COSEM/A-XDR error;
 *   - a refused SET changes no byte of the application state;
 *   - a successful SET reads back, writing what was read succeeds and reads
 *     back the same bytes (the stored form is a fixed point);
 *   - the active calendar is always consistent (only a checked passive
 *     calendar becomes active), counts never exceed the configuration;
 *   - the engine's next switch / execution lies after the instant asked,
 *     the point in force lies at or before it;
 *   - every readable attribute of every object still reads as one Data.
 */
#include <stdint.h>
#include <string.h>

#include "../tests/unit/test_cosem_calendar_table.h"

#define MAX_RECORDS 24
#define BASE_UTC    1705320000 /* 2024-01-15 12:00:00 UTC */

static ct_t T;
static int64_t now;

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static void result_ok(int rc) {
    check(rc >= 0 ? rc <= 255 : (rc <= -0x0100 && rc >= -0x09FF));
}

/* One whole Data. */
static void check_data(const uint8_t *p, size_t n) {
    size_t used = 0;
    check(axdr_validate(p, n, &used) == 0 && used == n);
}

static const cosem_object_t *object(uint8_t sel) {
    size_t n;
    const cosem_object_t *objs = ct_objects(&n);
    return &objs[sel % n];
}

static void read_all(void) {
    static uint8_t out[2048];
    size_t n;
    const cosem_object_t *objs = ct_objects(&n);
    for (size_t i = 0; i < n; i++) {
        for (int8_t a = 1; a <= objs[i].cls->attr_count; a++) {
            size_t len = 0;
            int rc = ct_get(&T, objs[i].cls->class_id, objs[i].ln, a, out, sizeof(out), &len);
            check(rc == 0 || (a == 2 && objs[i].cls == &cosem_class_clock)); /* RTC range */
            if (rc == 0) {
                check_data(out, len);
            }
        }
    }
}

static void check_state(void) {
    const ct_app_t *a = &T.app;
    check(cosem_calendar_check(&a->cal.active) == 0);
    check(a->cal.passive.season_count <= EM_COSEM_CAL_SEASONS &&
          a->cal.passive.week_count <= EM_COSEM_CAL_WEEKS &&
          a->cal.passive.day_count <= EM_COSEM_CAL_DAYS);
    for (int i = 0; i < a->cal.passive.day_count; i++) {
        check(a->cal.passive.days[i].count <= EM_COSEM_CAL_DAY_ACTIONS);
    }
    check(a->special.count <= EM_COSEM_SPECIAL_DAYS);
    check(a->tariff.count <= EM_COSEM_SCRIPTS && a->billing.count <= EM_COSEM_SCRIPTS &&
          a->push.count <= EM_COSEM_SCRIPTS);
    check(!a->tariff.running && !a->billing.running && !a->push.running);
    check(a->eob.count <= EM_COSEM_SAS_TIMES && a->push_sched.count <= EM_COSEM_SAS_TIMES);
    check(a->alarm_mon.threshold_count <= EM_COSEM_MONITOR_THRESHOLDS &&
          a->volt_mon.threshold_count <= EM_COSEM_MONITOR_THRESHOLDS);
}

/* A successful SET: read back, write that, read back the same. */
static void round_trip(const cosem_object_t *o, int8_t id) {
    static uint8_t first[2048], second[2048];
    size_t n1 = 0, n2 = 0;
    uint16_t cid = o->cls->class_id;
    if (cid == COSEM_CLASS_CLOCK && id == 2) {
        return; /* the time moves on by itself */
    }
    check(ct_get(&T, cid, o->ln, id, first, sizeof(first), &n1) == 0);
    check_data(first, n1);
    check(ct_set(&T, cid, o->ln, id, first, n1) == 0);
    check(ct_get(&T, cid, o->ln, id, second, sizeof(second), &n2) == 0);
    check(n1 == n2 && memcmp(first, second, n1) == 0);
}

static void do_set(const cosem_object_t *o, int8_t id, const uint8_t *v, size_t n) {
    static ct_app_t before;
    before = T.app;
    int rc = ct_set(&T, o->cls->class_id, o->ln, id, v, n);
    result_ok(rc);
    if (rc != 0) {
        check(memcmp(&before, &T.app, sizeof(before)) == 0);
        return;
    }
    round_trip(o, id);
}

static void do_action(const cosem_object_t *o, int8_t id, const uint8_t *p, size_t n) {
    result_ok(ct_action(&T, o->cls->class_id, o->ln, id, n > 0 ? p : NULL, n));
}

static void do_tick(const uint8_t *d) {
    int32_t delta = (int32_t)(((uint32_t)d[0] << 16) | ((uint32_t)d[1] << 8) | d[2]) - 0x800000;
    now += (int64_t)delta * 16;
    T.app.rtc = now;
    result_ok(cosem_sched_tick(&T.srv, now));
    now = T.app.rtc; /* a script may have set the clock */
}

static void check_eval(const cosem_calendar_t *cal, int64_t at) {
    cosem_cal_eval_t ev;
    if (cosem_cal_evaluate(cal, &T.app.special, &T.app.clock, at, &ev) != 0) {
        return; /* instant outside what a date-time shows */
    }
    check(ev.next_utc > at && ev.next_wall > ev.wall);
    if (ev.in_force.day >= 0) {
        check(ev.in_force.day < cal->day_count && ev.in_force.actions != 0 &&
              ev.in_force.wall <= ev.wall);
    }
    check(ev.day < cal->day_count && ev.week < cal->week_count && ev.season < cal->season_count);
}

static void do_engine(uint8_t d) {
    int64_t at = now + (int64_t)d * 997;
    check_eval(&T.app.cal.active, at);
    check_eval(&T.app.cal.passive, at);
    const cosem_single_action_state_t *sas[] = {&T.app.eob, &T.app.push_sched};
    for (int i = 0; i < 2; i++) {
        int64_t next = 0;
        if (cosem_single_action_next(sas[i], &T.app.clock, at, &next) == 0) {
            check(next > at);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (ct_setup(&T, BASE_UTC) != 0) {
        __builtin_trap();
    }
    now = BASE_UTC;
    size_t pos = 0;
    for (int r = 0; r < MAX_RECORDS && pos < size; r++) {
        uint8_t op = data[pos++];
        if (op % 4 == 2 || op % 4 == 3) {
            if (size - pos < (op % 4 == 2 ? 3u : 1u)) {
                break;
            }
            if (op % 4 == 2) {
                do_tick(data + pos);
                pos += 3;
            } else {
                do_engine(data[pos++]);
            }
        } else {
            if (size - pos < 4) {
                break;
            }
            const cosem_object_t *o = object(data[pos]);
            int8_t id = (int8_t)data[pos + 1];
            size_t n = ((size_t)data[pos + 2] << 8) | data[pos + 3];
            pos += 4;
            n = n < size - pos ? n : size - pos;
            if (op % 4 == 0) {
                do_set(o, id, data + pos, n);
            } else {
                do_action(o, id, data + pos, n);
            }
            pos += n;
        }
        check_state();
    }
    read_all();
    return 0;
}
