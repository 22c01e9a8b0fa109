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

static int64_t now_utc(const meter_t *m);

void meter_alarm_raise(meter_t *m, unsigned reg, uint32_t bits) {
    if (reg >= METER_ALARM_REGS)
        return;
    uint32_t fresh = bits & ~m->alarm[reg];
    m->alarm[reg] |= bits;
    if ((fresh & m->alarm_filter[reg]) == 0)
        return;
    /* The alarm push 0.1.25.9.0.255 (DSMR: the register monitor's
     * internal trigger); without a destination it stays idle. */
    static const uint8_t alarm_push[6] = {0, 1, 25, 9, 0, 255};
    const cosem_object_t *push = cosem_find(&m->cosem, alarm_push);
    if (push != NULL)
        cosem_push_trigger(&m->cosem, push, now_utc(m));
    if (m->on_alarm != NULL)
        m->on_alarm(m->hook_user, m, reg, fresh & m->alarm_filter[reg]);
}

/* The profile slot of each log. */
static const uint8_t log_slot[METER_LOG_COUNT] = {
    METER_PROF_LOG_STD, METER_PROF_LOG_FRAUD, METER_PROF_LOG_PQ,     METER_PROF_LOG_PQ_EXT,
    METER_PROF_LOG_THD, METER_PROF_LOG_COMM,  METER_PROF_LOG_BREAKER};

int meter_event(meter_t *m, enum meter_log log, uint8_t code, int64_t utc) {
    if (m == NULL || (unsigned)log >= METER_LOG_COUNT)
        return METER_ERR_BADARG;
    int rc = 0;
    const cosem_object_t *obj = m->prof_obj[log_slot[log]];
    if (obj != NULL) {
        m->event_code[log] = code;
        rc = cosem_profile_capture(&m->cosem, obj, utc);
    }
    meter_alarm_raise(m, 0, alarm_bits(code));
    return rc;
}

/* Alarm register 2 bits of a power quality event (dlms-facts §2.7). */
static uint32_t alarm2_bits(uint16_t code) {
    if (code >= PQ_EV_VOLTAGE_SAG && code < PQ_EV_VOLTAGE_SAG + 3u)
        return METER_ALARM2_SAG_L1 << (code - PQ_EV_VOLTAGE_SAG);
    if (code >= PQ_EV_VOLTAGE_SWELL && code < PQ_EV_VOLTAGE_SWELL + 3u)
        return METER_ALARM2_SWELL_L1 << (code - PQ_EV_VOLTAGE_SWELL);
    if (code >= PQ_EV_THD_OVER && code < PQ_EV_THD_OVER + 3u)
        return METER_ALARM2_THD_L1 << (code - PQ_EV_THD_OVER);
    if (code >= PQ_EV_THD_LONG_OVER && code < PQ_EV_THD_LONG_OVER + 3u)
        return METER_ALARM2_THD_LONG_L1 << (code - PQ_EV_THD_LONG_OVER);
    return 0;
}

int meter_pq_event(meter_t *m, uint16_t code, uint32_t magnitude, uint32_t duration_ms,
                   int64_t utc) {
    if (m == NULL)
        return METER_ERR_BADARG;
    int rc = 0;
    m->event_magnitude = magnitude;
    m->event_duration_ms = duration_ms;
    if (code >= PQ_EV_THD_OVER && code < PQ_EV_THD_LONG_OVER + 3u) {
        rc = meter_event(m, METER_LOG_THD, (uint8_t)code, utc);
    } else if (code >= PQ_EV_UNDER_VOLTAGE && code <= PQ_EV_VOLTAGE_SWELL + 2u) {
        rc = meter_event(m, METER_LOG_PQ, (uint8_t)code, utc);
        if (code >= PQ_EV_VOLTAGE_SAG) {
            int r2 = meter_event(m, METER_LOG_PQ_EXT, (uint8_t)code, utc);
            rc = rc != 0 ? rc : r2;
        }
    }
    meter_alarm_raise(m, 1, alarm2_bits(code));
    return rc;
}

int meter_power_failure(meter_t *m, int64_t down, int64_t up) {
    if (m == NULL)
        return METER_ERR_BADARG;
    if (up <= down)
        return 0;
    if (m->power_failures < UINT16_MAX)
        m->power_failures++;
    uint64_t duration = (uint64_t)(up - down);
    if (duration <= m->long_pf_threshold_s)
        return 0;
    if (m->long_power_failures < UINT16_MAX)
        m->long_power_failures++;
    m->last_pf_duration_s = duration > UINT32_MAX ? UINT32_MAX : (uint32_t)duration;
    if (m->prof_obj[METER_PROF_LOG_POWER] == NULL)
        return 0;
    return cosem_profile_capture(&m->cosem, m->prof_obj[METER_PROF_LOG_POWER], up);
}

int meter_comm_session(meter_t *m, unsigned assoc, bool read, bool profiles, bool wrote,
                       int64_t utc) {
    if (m == NULL || assoc >= METER_ASSOC_COUNT)
        return METER_ERR_BADARG;
    uint8_t code = wrote      ? METER_EV_COMM_TECHNICAL
                   : profiles ? METER_EV_COMM_INTERVAL
                   : read     ? METER_EV_COMM_READINGS
                              : 0;
    if (code == 0)
        return 0;
    m->comm_sessions++;
    m->comm_sessions_assoc[assoc]++;
    return meter_event(m, METER_LOG_COMM, code, utc);
}

int meter_power_up(meter_t *m, int64_t utc) {
    if (m == NULL)
        return METER_ERR_BADARG;
    /* The intervals running now contain the outage. */
    meter_profiles_mark(m, METER_AMR_POWER_DOWN);
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
    meter_profiles_mark(m, METER_AMR_CLOCK_ADJUSTED);
    meter_event(m, METER_LOG_STANDARD, METER_EV_CLOCK_ADJUSTED_OLD, c->adjust_old);
    meter_event(m, METER_LOG_STANDARD, METER_EV_CLOCK_ADJUSTED_NEW, c->adjust_new);
}

/* A log emptied by its reset method starts with "event log cleared". */
static void log_reset(meter_t *m, const cosem_object_t *obj) {
    for (unsigned i = 0; i < METER_LOG_COUNT; i++)
        if (m->prof_obj[log_slot[i]] == obj)
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
    /* Whatever a head-end changes (keys, policy, secrets, clock settings,
     * calendars, schedules, thresholds, push destinations, profile
     * configurations) must survive a restart. */
    if ((kind == COSEM_NOTIFY_SET || kind == COSEM_NOTIFY_ACTION) && m->on_persist != NULL)
        m->on_persist(m->hook_user, m, obj);
}

int meter_read_alarm(void *app, uint16_t arg, axdr_enc_t *e) {
    const meter_t *m = app;
    if (arg < METER_ALARM_REGS)
        return axdr_put_uint32(e, m->alarm[arg]);
    if (arg >= 10 && arg < 10 + METER_ALARM_REGS)
        return axdr_put_uint32(e, m->alarm_filter[arg - 10]);
    return DLMS_DAR_OBJECT_UNAVAILABLE;
}

/* Event "alarm register n cleared" (11 for register 1, 24 for 2; register
 * 3 has none in SMR 5.5). */
static const uint8_t alarm_cleared_code[METER_ALARM_REGS] = {METER_EV_ALARM_CLEARED, 24u, 0u};

int meter_write_alarm(void *app, uint16_t arg, axdr_dec_t *d) {
    meter_t *m = app;
    uint32_t v;
    if (axdr_get_uint32(d, &v) != 0 || !cosem_dec_done(d))
        return DLMS_DAR_TYPE_UNMATCHED;
    if (arg >= 10 && arg < 10 + METER_ALARM_REGS) {
        m->alarm_filter[arg - 10] = v;
        return 0;
    }
    if (arg >= METER_ALARM_REGS)
        return DLMS_DAR_OBJECT_UNAVAILABLE;
    /* DSMR: the head-end writes back the bits it handled; those clear. */
    m->alarm[arg] &= ~v;
    if (alarm_cleared_code[arg] != 0)
        meter_event(m, METER_LOG_STANDARD, alarm_cleared_code[arg], now_utc(m));
    return 0;
}
