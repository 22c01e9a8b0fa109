/*
 * events.c - event logs, alarm register 1 and the DLMS notify hook of the
 * meter (see events.h; codes and bits: dlms-facts §2.6, §2.7).
 */
#include "meter/events.h"

#include "meter/meter.h"

/* Alarm register 1 bits an event raises (dlms-facts §2.6 code -> §2.7 bit). */
static uint32_t alarm_bits(uint8_t code) {
    switch (code) {
    case 2:
        return METER_ALARM_POWER_UP;
    case 6:
        return METER_ALARM_CLOCK_INVALID;
    case 7:
    case 8:
        return METER_ALARM_REPLACE_BATTERY;
    case 12:
        return METER_ALARM_PROGRAM_MEMORY;
    case 13:
        return METER_ALARM_RAM;
    case 14:
        return METER_ALARM_NV_MEMORY;
    case 15:
        return METER_ALARM_WATCHDOG;
    case 16:
        return METER_ALARM_MEASUREMENT;
    case 40: /* terminal cover removed */
    case 42: /* strong DC field */
    case 44: /* meter cover removed */
    case 46: /* failed login */
    case 48: /* module cover opened */
        return METER_ALARM_FRAUD_ATTEMPT;
    case 47:
        return METER_ALARM_CONFIG_CHANGED;
    case 86:
    case 87:
    case 88: /* missing voltage L1..L3 */
        return METER_ALARM_PHASE_OUTAGE_L1 << (code - 86);
    case 89: /* phase outage test */
        return 1u << 31;
    default:
        return 0;
    }
}

void meter_alarm_raise(meter_t *m, uint32_t bits) {
    uint32_t fresh = bits & ~m->alarm1;
    m->alarm1 |= bits;
    if ((fresh & m->alarm_filter1) != 0 && m->on_alarm != NULL)
        m->on_alarm(m->hook_user, m, fresh & m->alarm_filter1);
}

int meter_event(meter_t *m, enum meter_log log, uint8_t code, int64_t utc) {
    if (m == NULL || (unsigned)log >= METER_LOG_COUNT)
        return METER_ERR_BADARG;
    int rc = 0;
    if (m->log_obj[log] != NULL) {
        m->event_code[log] = code;
        rc = cosem_profile_capture(&m->cosem, m->log_obj[log], utc);
    }
    meter_alarm_raise(m, alarm_bits(code));
    return rc;
}

int meter_power_up(meter_t *m, int64_t utc) {
    if (m == NULL)
        return METER_ERR_BADARG;
    /* The intervals running now contain the outage. */
    m->amr_lp_sticky |= METER_AMR_POWER_DOWN;
    m->amr_daily_sticky |= METER_AMR_POWER_DOWN;
    m->amr_monthly_sticky |= METER_AMR_POWER_DOWN;
    int rc = meter_event(m, METER_LOG_STANDARD, METER_EV_POWER_UP, utc);
    if (rc == 0 && (m->clock.status & COSEM_CLOCK_STATUS_INVALID) != 0)
        rc = meter_event(m, METER_LOG_STANDARD, METER_EV_CLOCK_INVALID, utc);
    return rc;
}

int meter_auth_failure(meter_t *m, int64_t utc) {
    if (m == NULL)
        return METER_ERR_BADARG;
    return meter_event(m, METER_LOG_FRAUD, METER_EV_FAILED_LOGIN, utc);
}

/* The RTC, or the time of the last step when there is none. */
static int64_t now_utc(const meter_t *m) {
    int64_t utc;
    return cosem_rtc_now(&m->cosem, &utc) == 0 ? utc : m->now;
}

/* The clock keeps the instants before and after its last move: a pair not
 * logged yet is a new adjustment (SET of time, adjust_to_*, shift_time). */
static void clock_changed(meter_t *m) {
    const cosem_clock_state_t *c = &m->clock;
    if (c->adjust_new == 0 ||
        (c->adjust_old == m->clock_adjust_seen[0] && c->adjust_new == m->clock_adjust_seen[1]))
        return;
    m->clock_adjust_seen[0] = c->adjust_old;
    m->clock_adjust_seen[1] = c->adjust_new;
    m->amr_lp_sticky |= METER_AMR_CLOCK_ADJUSTED;
    m->amr_daily_sticky |= METER_AMR_CLOCK_ADJUSTED;
    m->amr_monthly_sticky |= METER_AMR_CLOCK_ADJUSTED;
    meter_event(m, METER_LOG_STANDARD, METER_EV_CLOCK_ADJUSTED_OLD, c->adjust_old);
    meter_event(m, METER_LOG_STANDARD, METER_EV_CLOCK_ADJUSTED_NEW, c->adjust_new);
}

/* A log emptied by its reset method starts with "event log cleared". */
static void log_reset(meter_t *m, const cosem_object_t *obj) {
    for (unsigned i = 0; i < METER_LOG_COUNT; i++)
        if (m->log_obj[i] == obj)
            meter_event(m, (enum meter_log)i, METER_EV_LOG_CLEARED, now_utc(m));
}

void meter_on_notify(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id) {
    meter_t *m = app;
    uint16_t cls = obj->cls->class_id;
    if (cls == COSEM_CLASS_CLOCK)
        clock_changed(m);
    else if (cls == COSEM_CLASS_PROFILE_GENERIC && kind == COSEM_NOTIFY_ACTION && id == 1)
        log_reset(m, obj);
    else if (cls == COSEM_CLASS_ACTIVITY_CALENDAR)
        meter_event(m, METER_LOG_STANDARD,
                    kind == COSEM_NOTIFY_ACTION ? METER_EV_TARIFF_ACTIVATED
                                                : METER_EV_PASSIVE_UPDATED,
                    m->in_sched ? m->now : now_utc(m));
    else if ((cls == COSEM_CLASS_SECURITY_SETUP && kind == COSEM_NOTIFY_ACTION) ||
             (cls == COSEM_CLASS_ASSOCIATION_LN && kind == COSEM_NOTIFY_SET))
        meter_event(m, METER_LOG_FRAUD, METER_EV_CONFIG_CHANGE, now_utc(m));
    /* Keys, policy, secrets, clock settings and calendars must survive a
     * restart. */
    if ((cls == COSEM_CLASS_SECURITY_SETUP || cls == COSEM_CLASS_ASSOCIATION_LN ||
         cls == COSEM_CLASS_CLOCK || cls == COSEM_CLASS_ACTIVITY_CALENDAR ||
         cls == COSEM_CLASS_SPECIAL_DAYS_TABLE) &&
        m->on_persist != NULL)
        m->on_persist(m->hook_user, m, obj);
}

int meter_read_alarm(void *app, uint16_t arg, axdr_enc_t *e) {
    const meter_t *m = app;
    return axdr_put_uint32(e, arg == 0 ? m->alarm1 : m->alarm_filter1);
}

int meter_write_alarm(void *app, uint16_t arg, axdr_dec_t *d) {
    meter_t *m = app;
    uint32_t v;
    if (axdr_get_uint32(d, &v) != 0 || !cosem_dec_done(d))
        return DLMS_DAR_TYPE_UNMATCHED;
    if (arg != 0) {
        m->alarm_filter1 = v;
        return 0;
    }
    /* DSMR: the head-end writes back the bits it handled; those clear. */
    m->alarm1 &= ~v;
    meter_event(m, METER_LOG_STANDARD, METER_EV_ALARM_CLEARED, now_utc(m));
    return 0;
}
