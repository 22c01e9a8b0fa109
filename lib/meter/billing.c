/*
 * billing.c - end of billing periods and the debit loggers (see
 * billing.h).
 */
#include "meter/billing.h"

#include <string.h>

#include "meter/meter.h"

static const uint8_t LN_BILLING_SCRIPTS[6] = {0, 0, 10, 0, 1, 255};

/* One execution time 00:00:00 on day `day` of `month` (0xFF: every
 * month), any year. */
static void sas_time(cosem_sas_time_t *t, uint8_t month, uint8_t day) {
    t->time = (cosem_time_t){0, 0, 0, 0};
    t->date = (cosem_date_t){0xFFFF, month, day, 0xFF};
}

void meter_billing_init(meter_t *m) {
    meter_billing_t *b = &m->billing;
    memset(b, 0, sizeof(*b));
    /* Type 3: n entries, all times equal, wildcards in the date. */
    cosem_single_action_init(&b->schedule, 3);
    memcpy(b->schedule.script.ln, LN_BILLING_SCRIPTS, 6);
    b->schedule.script.selector = 1;
    b->schedule.count = 1;
    sas_time(&b->schedule.times[0], 0xFF, 1);
    b->scripts.count = 1;
    b->scripts.scripts[0].id = 1;
    b->debit2_interval = METER_DEBIT2_DAILY;
}

int meter_set_debiting(meter_t *m, unsigned months, unsigned start_month, unsigned stop_day) {
    if (m == NULL)
        return METER_ERR_BADARG;
    if ((months != 1 && months != 2 && months != 3 && months != 6 && months != 12) ||
        start_month < 1 || start_month > 12 || stop_day < 1 || stop_day > 28)
        return METER_BILLING_ERR_CONFIG;
    cosem_single_action_state_t *s = &m->billing.schedule;
    if (months == 1) {
        s->count = 1;
        sas_time(&s->times[0], 0xFF, (uint8_t)stop_day);
    } else {
        s->count = (uint8_t)(12u / months);
        for (unsigned i = 0; i < s->count; i++)
            sas_time(&s->times[i], (uint8_t)((start_month - 1u + i * months) % 12u + 1u),
                     (uint8_t)stop_day);
    }
    s->type = 3;
    s->next = 0; /* recomputed at the next tick */
    return 0;
}

int meter_billing_close(meter_t *m, int64_t utc) {
    if (m == NULL)
        return METER_ERR_BADARG;
    meter_billing_t *b = &m->billing;
    if (b->last_close_utc != 0 && utc <= b->last_close_utc)
        return 0; /* this period is closed already (a clock set back) */
    b->last_close_utc = utc;
    b->counter = (uint8_t)((b->counter + 1u) % 100u);
    /* The logger shows the maxima of the period that ends, then they reset. */
    int rc = meter_profile_capture(m, METER_PROF_MONTHLY, utc);
    meter_demand_billing_reset(m, utc);
    return rc;
}

int meter_billing_script(void *app, const cosem_object_t *table, uint16_t script_id) {
    (void)table;
    meter_t *m = app;
    if (script_id != 1)
        return DLMS_ACTION_OTHER_REASON;
    /* Run by the schedule (inside cosem_sched_tick) the period ends at the
     * scheduled instant, which the schedule's state still holds: the row
     * is stamped with it, and an instant met again after a clock set back
     * is recognised. Run by a head-end (execute), it ends now. */
    int64_t utc = m->now;
    if (m->in_sched && m->billing.schedule.next != 0 && m->billing.schedule.next <= m->now)
        utc = m->billing.schedule.next;
    else if (!m->in_sched && cosem_rtc_now(&m->cosem, &utc) != 0)
        utc = m->now;
    return meter_billing_close(m, utc) == 0 ? 0 : DLMS_ACTION_OTHER_REASON;
}

/* Days since 1970-01-01 of a local date. */
static uint32_t day_number(const cosem_datetime_t *dt) {
    int64_t utc;
    cosem_datetime_t d = *dt;
    d.hour = d.minute = d.second = d.hundredths = 0;
    d.deviation = 0;
    d.clock_status = 0;
    return cosem_datetime_to_utc(&d, &utc) == 0 ? (uint32_t)(utc / 86400) : 0;
}

int meter_billing_tick(meter_t *m, int64_t utc) {
    meter_billing_t *b = &m->billing;
    if (m->prof_obj[METER_PROF_DEBIT2] == NULL)
        return 0;
    cosem_datetime_t dt;
    if (cosem_clock_local(&m->clock, utc, &dt) != 0)
        return 0;
    uint32_t day = day_number(&dt);
    uint32_t last = b->debit2_day;
    if (day <= last)
        return 0; /* same day, or the clock went back: never twice */
    b->debit2_day = day;
    if (last == 0)
        return 0;
    /* A new local day began: capture at its midnight if the interval ends. */
    bool due = b->debit2_interval == METER_DEBIT2_DAILY ||
               (b->debit2_interval == METER_DEBIT2_WEEKLY && dt.day_of_week == 1) ||
               (b->debit2_interval == METER_DEBIT2_MONTHLY && dt.day == 1) || day > last + 7u;
    if (!due)
        return 0;
    cosem_datetime_t midnight = dt;
    midnight.hour = midnight.minute = midnight.second = midnight.hundredths = 0;
    midnight.day_of_week = 0xFF;
    midnight.deviation = INT16_MIN;
    midnight.clock_status = 0xFF;
    int64_t at;
    if (cosem_clock_from_local(&m->clock, &midnight, &at) != 0 || at > utc)
        at = utc;
    return meter_profile_capture(m, METER_PROF_DEBIT2, at);
}
