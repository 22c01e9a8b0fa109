/*
 * meter.c - sets up one meter: identity, associations, security context,
 * clock and the COSEM object server of its variant (see meter.h).
 */
#include "meter/meter.h"

#include <string.h>

#include "cosem/calendar_eval.h"
#include "dlms/acse.h"
#include "dlms/xdlms.h"
#include "meter/objects_common.h"

/* What the server supports, per association. Public and pre-established:
 * reading with blocks and selective access. Management: everything this
 * stack serves (GET/SET/ACTION with blocks, with-list, selective access,
 * general block transfer, general-glo/ded-ciphering). */
#define CONF_READ                                                                                  \
    (DLMS_CONF_GET | DLMS_CONF_BLOCK_TRANSFER_WITH_GET_OR_READ | DLMS_CONF_SELECTIVE_ACCESS |      \
     DLMS_CONF_MULTIPLE_REFERENCES)
#define CONF_FULL                                                                                  \
    (CONF_READ | DLMS_CONF_SET | DLMS_CONF_ACTION | DLMS_CONF_BLOCK_TRANSFER_WITH_SET_OR_WRITE |   \
     DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION | DLMS_CONF_GENERAL_BLOCK_TRANSFER |                     \
     DLMS_CONF_GENERAL_PROTECTION | DLMS_CONF_DATA_NOTIFICATION)

static const char FW_CORE_ID[] = "EMT-CORE-0.1.0";
static const char FW_MODULE_ID[] = "EMT-MOD-0.1.0";

static int copy_ident(uint8_t *dst, uint8_t *len, size_t cap, const void *src, size_t n) {
    if (n > cap)
        return METER_ERR_IDENT;
    if (n > 0)
        memcpy(dst, src, n);
    *len = (uint8_t)n;
    return 0;
}

static void assoc_setup(meter_t *m, enum meter_assoc idx, uint16_t sap, uint8_t context,
                        uint8_t mechanism, uint32_t conformance, uint16_t max_pdu) {
    dlms_assoc_config_t *a = &m->assoc[idx];
    memset(a, 0, sizeof(*a));
    a->client_sap = sap;
    const uint8_t ln[6] = {0, 0, 40, 0, (uint8_t)(idx + 1), 255};
    memcpy(a->logical_name, ln, 6);
    a->app_context = context;
    a->mechanism = mechanism;
    a->conformance = conformance;
    a->max_receive_pdu = max_pdu;
}

/* ---- metering: metrology callbacks, profiles, logs ----------------------- */

/* Every measures record (one per step): registers, instantaneous values,
 * power quality at the step's end instant. */
static void on_measures(void *user, const metrology_measures_t *rec) {
    meter_t *m = user;
    meter_registers_apply(m, rec);
    pq_second(&m->pq, rec, m->now);
    meter_devices_measures(m, rec); /* devices (w2): plausibility, quadrant, LED */
}

static void on_half_cycle(void *user, const metrology_half_cycle_t *hc) {
    meter_t *m = user;
    pq_half_cycle(&m->pq, hc);
}

static void meter_services_wrap(meter_t *m);

static int metering_init(meter_t *m) {
    metrology_cfg_t mc;
    metrology_cfg_default(&mc);
    mc.cb.user = m;
    mc.cb.measures = on_measures;
    mc.cb.half_cycle = on_half_cycle;
    int rc = metrology_init(&m->metro, &mc);
    if (rc != 0)
        return rc;
    metrology_phasor_input_t idle;
    meter_load_balanced(&idle, mc.un_v, 0.0, 0.0, mc.fn_hz);
    rc = metrology_phasor_set(&m->metro, &idle);
    if (rc != 0)
        return rc;
    pq_cfg_t pc;
    pq_cfg_default(&pc, mc.un_v, mc.fn_hz, metrology_connection_mask(mc.connection));
    rc = pq_init(&m->pq, &pc);
    m->tariffs = m->variant == METER_VARIANT_OMNI ? METER_TARIFFS_OMNI : METER_TARIFFS_ESMR;
    m->tariff = 1;
    m->tariff_ind[1] = 1;
    for (unsigned r = 0; r < METER_ALARM_REGS; r++)
        m->alarm_filter[r] = UINT32_MAX;
    m->long_pf_threshold_s = EM_METER_LONG_POWER_FAILURE_S;
    meter_demand_init(m);
    meter_billing_init(m);
    return rc;
}

/* ---- tariffication: the factory calendar --------------------------------- */

static const uint8_t LN_CALENDAR[6] = {0, 0, 13, 0, 0, 255};
static const uint8_t LN_TARIFF_SCRIPTS[6] = {0, 0, 10, 0, 100, 255};

static void cal_name(cosem_cal_name_t *n, const char *s) {
    memset(n, 0, sizeof(*n));
    n->len = (uint8_t)strlen(s);
    memcpy(n->bytes, s, n->len);
}

/* Day profile `id` from a switch list. */
static int cal_day(cosem_cal_day_t *d, uint8_t id, unsigned tariffs, const meter_switch_t *sw,
                   size_t n) {
    if (n == 0 || n > EM_COSEM_CAL_DAY_ACTIONS)
        return METER_ERR_BADARG;
    d->day_id = id;
    d->count = 0;
    for (size_t i = 0; i < n; i++) {
        if (sw[i].hour > 23 || sw[i].minute > 59 ||
            (i > 0 && sw[i].hour * 60 + sw[i].minute <= sw[i - 1].hour * 60 + sw[i - 1].minute))
            return METER_ERR_BADARG;
        if (sw[i].tariff < 1 || sw[i].tariff > tariffs)
            return METER_ERR_TARIFF;
        cosem_cal_action_t *a = &d->actions[d->count++];
        a->start = (cosem_time_t){sw[i].hour, sw[i].minute, 0, 0};
        memcpy(a->script.ln, LN_TARIFF_SCRIPTS, 6);
        a->script.selector = sw[i].tariff;
    }
    return 0;
}

int meter_calendar_weekly(cosem_calendar_t *cal, unsigned tariffs, const meter_switch_t *weekday,
                          size_t n_weekday, const meter_switch_t *weekend, size_t n_weekend) {
    if (cal == NULL || weekday == NULL || weekend == NULL)
        return METER_ERR_BADARG;
    cosem_calendar_t c;
    memset(&c, 0, sizeof(c));
    cal_name(&c.name, "WEEKLY");
    c.season_count = 1;
    cal_name(&c.seasons[0].name, "YEAR");
    c.seasons[0].start = (cosem_datetime_t){.year = COSEM_DT_YEAR_NOT_SPECIFIED,
                                            .month = 1,
                                            .day = 1,
                                            .day_of_week = COSEM_DT_NOT_SPECIFIED,
                                            .deviation = COSEM_DT_DEVIATION_NOT_SPECIFIED,
                                            .clock_status = COSEM_DT_NOT_SPECIFIED};
    cal_name(&c.seasons[0].week, "WEEK");
    c.week_count = 1;
    cal_name(&c.weeks[0].name, "WEEK");
    static const uint8_t week[7] = {1, 1, 1, 1, 1, 2, 2};
    memcpy(c.weeks[0].day_id, week, 7);
    c.day_count = 2;
    int rc = cal_day(&c.days[0], 1, tariffs, weekday, n_weekday);
    if (rc == 0)
        rc = cal_day(&c.days[1], 2, tariffs, weekend, n_weekend);
    if (rc == 0)
        *cal = c;
    return rc;
}

/* DSMR-like: tariff 2 (normal) Monday to Friday 07:00-23:00, tariff 1
 * (low) at night, all weekend and on holidays. */
void meter_calendar_default(cosem_calendar_t *cal) {
    static const meter_switch_t weekday[] = {{0, 0, 1}, {7, 0, 2}, {23, 0, 1}};
    static const meter_switch_t weekend[] = {{0, 0, 1}};
    meter_calendar_weekly(cal, METER_TARIFFS_ESMR, weekday, 3, weekend, 1);
    cal_name(&cal->name, "DSMR");
}

/* A variant with an activity calendar starts with the factory calendar
 * and a tariffication script table listing scripts 1..tariffs (natives). */
static void tariffication_init(meter_t *m) {
    if (cosem_find(&m->cosem, LN_CALENDAR) == NULL)
        return;
    cosem_activity_calendar_init(&m->calendar);
    meter_calendar_default(&m->calendar.active);
    m->tariff_scripts.count = m->tariffs;
    for (uint8_t i = 0; i < m->tariffs; i++)
        m->tariff_scripts.scripts[i].id = (uint16_t)(i + 1);
}

int meter_init(meter_t *m, const meter_identity_t *id, const em_port_t *port) {
    if (m == NULL || id == NULL || port == NULL)
        return METER_ERR_BADARG;
    memset(m, 0, sizeof(*m));
    m->port = port;
    m->variant = id->variant;

    int rc = 0;
    if (id->logical_device_name_len == 0)
        return METER_ERR_IDENT;
    rc |= copy_ident(m->ldn, &m->ldn_len, sizeof(m->ldn), id->logical_device_name,
                     id->logical_device_name_len);
    if (id->serial_number)
        rc |= copy_ident(m->serial, &m->serial_len, sizeof(m->serial), id->serial_number,
                         strlen(id->serial_number));
    if (id->equipment_id)
        rc |= copy_ident(m->equipment_id, &m->equipment_id_len, sizeof(m->equipment_id),
                         id->equipment_id, strlen(id->equipment_id));
    rc |= copy_ident(m->fw_core_id, &m->fw_core_id_len, sizeof(m->fw_core_id), FW_CORE_ID,
                     sizeof(FW_CORE_ID) - 1);
    rc |= copy_ident(m->fw_module_id, &m->fw_module_id_len, sizeof(m->fw_module_id), FW_MODULE_ID,
                     sizeof(FW_MODULE_ID) - 1);
    if (rc != 0)
        return METER_ERR_IDENT;

    cosem_clock_state_cet(&m->clock);
    m->clock.time_zone = id->time_zone_min;

    memcpy(m->sec_mgmt.server_system_title, id->system_title, 8);
    m->sec_mgmt.security_suite = 0;
    m->sec_mgmt.security_policy = DLMS_SEC_POLICY_AUTH_ENCRYPTED;

    uint16_t pdu = id->max_pdu ? id->max_pdu : 1024;
    assoc_setup(m, METER_ASSOC_PUBLIC, METER_SAP_PUBLIC, DLMS_CONTEXT_LN, DLMS_MECH_NONE, CONF_READ,
                pdu);
    assoc_setup(m, METER_ASSOC_MANAGEMENT, METER_SAP_MANAGEMENT, DLMS_CONTEXT_LN_CIPH,
                DLMS_MECH_GMAC, CONF_FULL, pdu);
    m->assoc[METER_ASSOC_MANAGEMENT].sec = &m->sec_mgmt;
    assoc_setup(m, METER_ASSOC_PRE_ESTABLISHED, METER_SAP_PRE_ESTABLISHED, DLMS_CONTEXT_LN,
                DLMS_MECH_NONE, CONF_READ, pdu);
    m->assoc[METER_ASSOC_PRE_ESTABLISHED].pre_established = true;
    m->assoc_count = 3;
    if (id->lls_password != NULL && id->lls_password_len > 0) {
        if (id->lls_password_len > sizeof(m->assoc[0].lls_secret))
            return METER_ERR_IDENT;
        assoc_setup(m, METER_ASSOC_LLS, METER_SAP_LLS, DLMS_CONTEXT_LN, DLMS_MECH_LLS,
                    CONF_READ | DLMS_CONF_SET, pdu);
        memcpy(m->assoc[METER_ASSOC_LLS].lls_secret, id->lls_password, id->lls_password_len);
        m->assoc[METER_ASSOC_LLS].lls_secret_len = (uint8_t)id->lls_password_len;
        m->assoc_count = 4;
    }
    for (unsigned i = 0; i < m->assoc_count; i++)
        m->assoc_list[i] = &m->assoc[i];

    size_t count;
    const cosem_object_t *objs = meter_objects(m->variant, &count);
    if (objs == NULL)
        return METER_ERR_VARIANT;
    rc = cosem_server_init(&m->cosem, objs, count, m, sizeof(*m), port);
    for (unsigned i = 0; rc == 0 && i < m->assoc_count; i++)
        rc = cosem_server_add_association(&m->cosem, &m->assoc[i]);
    if (rc == 0)
        rc = cosem_server_add_security(&m->cosem, &m->sec_mgmt);
    if (rc != 0)
        return rc;
    m->cosem.notify = meter_on_notify;
    cosem_server_services(&m->cosem, &m->cosem_services);
    meter_services_wrap(m);
    rc = metering_init(m);
    if (rc == 0)
        tariffication_init(m);
    /* ---- push (h7): DSMR/SMR 5 push object lists, ciphered ---- */
    cosem_push_init(&m->push_sched);
    cosem_push_init(&m->push_alarm);
    if (cosem_find(&m->cosem, cosem_push_list_scheduled[1].logical_name) != NULL)
        cosem_push_set_objects(&m->push_sched, cosem_push_list_scheduled, 2);
    if (cosem_find(&m->cosem, cosem_push_list_alarm[1].logical_name) != NULL)
        cosem_push_set_objects(&m->push_alarm, cosem_push_list_alarm, 3);
    cosem_single_action_init(&m->push_schedule, 1); /* no time until a head-end sets one */
    static const uint8_t push_scripts_ln[6] = {0, 0, 10, 0, 108, 255};
    memcpy(m->push_schedule.script.ln, push_scripts_ln, 6);
    m->push_schedule.script.selector = 1;
    m->push_scripts.count = 2;
    m->push_scripts.scripts[0].id = 1;
    m->push_scripts.scripts[1].id = 2;
    /* ---- end push ---- */
    meter_upgrade_init(m); /* upgrade (w1) */
    meter_modem_init(m);     /* modem and module I/O (w4) */
    meter_module_io_init(m); /* modem and module I/O (w4) */
    if (rc == 0)
        rc = meter_devices_init(m); /* devices (w2) */
    /* breaker and prepayment (w3) */
    if (rc == 0) {
        meter_breaker_init(m, id);
        meter_prepay_init(m, id);
    }
    return rc != 0 ? rc : meter_profiles_init(m);
}

/* ---- sessions: the object services, noting what each association does ---- */

#define SESSION_READ    0x01u
#define SESSION_PROFILE 0x02u
#define SESSION_WROTE   0x04u

static void session_note(meter_t *m, const dlms_assoc_view_t *v, uint8_t bit) {
    if (v != NULL && v->assoc_index < METER_ASSOC_COUNT)
        m->session_flags[v->assoc_index] |= bit;
}

static int svc_get(void *user, dlms_get_call_t *call, axdr_enc_t *e) {
    meter_t *m = user;
    if (call->first_call)
        session_note(m, call->assoc,
                     call->attr->class_id == COSEM_CLASS_PROFILE_GENERIC ? SESSION_PROFILE
                                                                         : SESSION_READ);
    return m->cosem_services.get(m->cosem_services.user, call, e);
}

static int svc_set(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *attr,
                   const dlms_access_selection_t *selection, axdr_dec_t *value) {
    meter_t *m = user;
    session_note(m, assoc, SESSION_WROTE);
    return m->cosem_services.set(m->cosem_services.user, assoc, attr, selection, value);
}

static int svc_action(void *user, const dlms_assoc_view_t *assoc,
                      const dlms_cosem_descriptor_t *method, axdr_dec_t *params, axdr_enc_t *ret,
                      bool *has_return) {
    meter_t *m = user;
    session_note(m, assoc, SESSION_WROTE);
    return m->cosem_services.action(m->cosem_services.user, assoc, method, params, ret, has_return);
}

static void meter_services_wrap(meter_t *m) {
    m->services = (dlms_cosem_services_t){m, svc_get, svc_set, svc_action};
}

int meter_session_end(meter_t *m, unsigned assoc, int64_t utc) {
    if (m == NULL || assoc >= METER_ASSOC_COUNT)
        return METER_ERR_BADARG;
    uint8_t f = m->session_flags[assoc];
    m->session_flags[assoc] = 0;
    return meter_comm_session(m, assoc, (f & SESSION_READ) != 0, (f & SESSION_PROFILE) != 0,
                              (f & SESSION_WROTE) != 0, utc);
}

int meter_set_tariff(meter_t *m, unsigned tariff) {
    if (m == NULL)
        return METER_ERR_BADARG;
    if (tariff < 1 || tariff > m->tariffs)
        return METER_ERR_TARIFF;
    m->tariff = (uint8_t)tariff;
    m->tariff_ind[0] = 0;
    m->tariff_ind[1] = (uint8_t)tariff;
    return 0;
}

int meter_set_load(meter_t *m, const metrology_phasor_input_t *load) {
    if (m == NULL || load == NULL)
        return METER_ERR_BADARG;
    return meter_breaker_set_load(m, load); /* breaker (w3): no current while open */
}

void meter_load_balanced(metrology_phasor_input_t *load, double u_rms, double i_rms, double phi_deg,
                         double freq_hz) {
    static const double theta[METROLOGY_PHASES] = {0.0, -120.0, 120.0};
    memset(load, 0, sizeof(*load));
    load->freq_hz = freq_hz;
    for (unsigned k = 0; k < METROLOGY_PHASES; k++) {
        load->ph[k].u_rms = u_rms;
        load->ph[k].i_rms = i_rms;
        load->ph[k].u_deg = theta[k];
        load->ph[k].phi_deg = phi_deg;
    }
}

/* Power quality events of the step to the logs (events.h): magnitudes in
 * 0.1 V (0.1 % for THD), durations in ms. The IEC 61000-4-30 and neutral
 * events (codes 230-234) have no DSMR log. */
static void pq_drain(meter_t *m) {
    pq_event_t ev;
    while (pq_event_pop(&m->pq, &ev)) {
        float mag = ev.magnitude * 10.0f;
        uint32_t mag_u = mag <= 0.0f ? 0u : mag >= 4.0e9f ? UINT32_MAX : (uint32_t)(mag + 0.5f);
        meter_pq_event(m, ev.code, mag_u, ev.duration_ms, ev.utc != 0 ? ev.utc : m->now);
    }
}

/* The next tariff switching instant after `from` the calendar knows, or
 * INT64_MAX (no calendar, or none computed). */
static int64_t next_switch(const meter_t *m, int64_t from) {
    const cosem_cal_run_t *run = &m->calendar.run;
    return run->started && run->next_switch > from ? run->next_switch : INT64_MAX;
}

/* The time-driven objects at `utc`; an activation they make is logged
 * at that instant (meter_on_notify), not at the RTC's end of the step. */
static void sched_tick(meter_t *m, int64_t utc, int *sched_rc) {
    m->now = utc;
    m->in_sched = true;
    int rc = cosem_sched_tick(&m->cosem, utc);
    m->in_sched = false;
    if (rc < 0 && *sched_rc == 0)
        *sched_rc = rc;
}

/* Energy of (utc - seconds, utc] in records that never straddle a tariff
 * switch: the calendar runs at the start of each piece, so the tariff in
 * force for a piece is the one the calendar gives for its first second. A
 * script error does not stop the metering (energy must not be lost): the
 * first one is returned after the step. */
static int meter_pieces(meter_t *m, int64_t utc, uint32_t seconds, int *sched_rc) {
    int64_t t = utc - (int64_t)seconds;
    while (t < utc) {
        sched_tick(m, t, sched_rc);
        int64_t end = next_switch(m, t);
        if (end > utc)
            end = utc;
        m->now = end;
        int rc = metrology_phasor_step(&m->metro, (uint32_t)(end - t) * 1000u);
        if (rc != 0)
            return rc;
        pq_drain(m);
        t = end;
    }
    sched_tick(m, utc, sched_rc); /* what a client reads at utc */
    return 0;
}

int meter_step(meter_t *m, int64_t utc, uint32_t seconds) {
    if (m == NULL)
        return METER_ERR_BADARG;
    if (seconds == 0 || seconds > 86400u)
        return METER_ERR_STEP;
    int sched_rc = 0;
    int rc = meter_profiles_catch_up(m, utc - (int64_t)seconds);
    if (rc != 0)
        return rc;
    rc = meter_pieces(m, utc, seconds, &sched_rc);
    if (rc != 0)
        return rc;
    meter_demand_step(m, utc);
    rc = meter_profiles_tick(m, utc, seconds);
    if (rc == 0 && m->billing.debit2_day == 0)
        meter_billing_tick(m, utc - (int64_t)seconds); /* the first step starts the day */
    if (rc == 0)
        rc = meter_billing_tick(m, utc);
    meter_upgrade_step(m); /* upgrade (w1) */
    meter_modem_step(m, utc);              /* modem and module I/O (w4) */
    meter_module_io_step(m, utc, seconds);  /* modem and module I/O (w4) */
    if (rc == 0)
        rc = meter_devices_step(m, utc); /* devices (w2) */
    /* breaker and prepayment (w3) */
    if (rc == 0) {
        rc = meter_breaker_step(m, utc);
        int r2 = meter_prepay_step(m, utc);
        rc = rc != 0 ? rc : r2;
    }
    return rc != 0 ? rc : sched_rc;
}

int meter_tick(meter_t *m, int64_t utc) {
    return meter_step(m, utc, 1);
}

const cosem_object_t *meter_objects(enum meter_variant v, size_t *count) {
    switch (v) {
    case METER_VARIANT_ESMR:
        return meter_objects_esmr(count);
    case METER_VARIANT_OMNI:
        return meter_objects_omni(count);
    }
    *count = 0;
    return NULL;
}

const char *meter_variant_name(enum meter_variant v) {
    return v == METER_VARIANT_OMNI ? "omni" : "esmr";
}

int meter_variant_from_name(const char *name, enum meter_variant *out) {
    if (strcmp(name, "esmr") == 0)
        *out = METER_VARIANT_ESMR;
    else if (strcmp(name, "omni") == 0)
        *out = METER_VARIANT_OMNI;
    else
        return METER_ERR_VARIANT;
    return 0;
}

int meter_read_ic(void *app, uint16_t arg, axdr_enc_t *e) {
    (void)arg;
    const meter_t *m = app;
    return axdr_put_uint32(e, cosem_ic_for_clients(&m->sec_mgmt));
}

const char *meter_strerror(int err) {
    switch (err) {
    case METER_ERR_BADARG:
        return "meter: invalid argument";
    case METER_ERR_VARIANT:
        return "meter: unknown variant (esmr or omni)";
    case METER_ERR_IDENT:
        return "meter: identity field empty or too long";
    case METER_ERR_TARIFF:
        return "meter: tariff outside the variant's tariffs";
    case METER_ERR_STEP:
        return "meter: step must be 1 s to 1 day";
    case METER_ERR_RAM:
        return "meter: the profiles' RAM rings exceed EM_METER_RAM_ROWS_BYTES";
    case METER_BILLING_ERR_CONFIG:
        return "meter: debiting period must be 1, 2, 3, 6 or 12 months, start month 1-12, "
               "stop day 1-28";
    default:
        break;
    }
    /* What meter functions pass on from the layers below. */
    if (err <= -0x0A01 && err >= -0x0A0F)
        return metrology_strerror(err);
    if (err <= -0x0A10 && err >= -0x0A1F)
        return pq_strerror(err);
    if (err <= -0x0920 && err >= -0x093F)
        return cosem_profile_strerror(err);
    if (err <= -0x0940 && err >= -0x095F)
        return cosem_sched_strerror(err);
    return cosem_strerror(err);
}
