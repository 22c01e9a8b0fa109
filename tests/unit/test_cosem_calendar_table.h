/*
 * test_cosem_calendar_table.h - a small meter for the tests of the
 * time-driven classes (test_cosem_calendar.c, test_cosem_schedule.c) and
 * for fuzz/fuzz_calendar.c: Clock, Activity calendar with its Special days
 * table, three Script tables (tariffication, end of billing, push) with
 * native scripts that record what ran, two Single action schedules, two
 * Register monitors and the Data/Register objects scripts act on. One
 * association (management, everything allowed, plain).
 *
 * Header-only (static inline) so each test program and the fuzz target
 * carry their own copy; tests/support is shared by every test.
 */
#ifndef EMETER_TEST_COSEM_CALENDAR_TABLE_H
#define EMETER_TEST_COSEM_CALENDAR_TABLE_H

#include <stdint.h>
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

#define CT_LOG_MAX 256

typedef struct ct_app {
    cosem_clock_state_t clock;                /* 0.0.1.0.0.255 */
    cosem_activity_calendar_state_t cal;      /* 0.0.13.0.0.255 */
    cosem_special_days_state_t special;       /* 0.0.11.0.0.255 */
    cosem_script_table_state_t tariff;        /* 0.0.10.0.100.255 */
    cosem_script_table_state_t billing;       /* 0.0.10.0.1.255 */
    cosem_script_table_state_t push;          /* 0.0.10.0.108.255 */
    cosem_single_action_state_t eob;          /* 0.0.15.0.0.255 end of billing */
    cosem_single_action_state_t push_sched;   /* 0.0.15.0.4.255 */
    cosem_register_monitor_state_t alarm_mon; /* 0.0.16.1.0.255 */
    cosem_register_monitor_state_t volt_mon;  /* 0.0.16.0.0.255 */
    uint8_t tariff_indicator[2];              /* 0.0.96.14.0.255 */
    uint32_t alarm_register;                  /* 0.0.97.98.0.255 */
    uint64_t energy_wh;                       /* 1.0.1.8.0.255 */
    int32_t voltage_dv;                       /* 1.0.32.7.0.255, 0.1 V */
    dlms_assoc_config_t assoc;
    /* simulated platform and what the natives and notify saw */
    int64_t rtc;
    cosem_server_t *srv;
    int tariff_calls;
    uint16_t tariff_log[CT_LOG_MAX];
    int64_t tariff_time[CT_LOG_MAX];
    int billing_calls;
    int push_calls;
    uint16_t last_push;
    int reenter_rc;
    int notify_count;
    const cosem_object_t *notify_obj;
    uint8_t notify_kind;
    int8_t notify_id;
} ct_app_t;

typedef struct ct {
    ct_app_t app;
    em_port_t port;
    cosem_server_t srv;
} ct_t;

/* Logical names. */
#define CT_CLOCK      ((const uint8_t[6]){0, 0, 1, 0, 0, 255})
#define CT_CAL        ((const uint8_t[6]){0, 0, 13, 0, 0, 255})
#define CT_SPECIAL    ((const uint8_t[6]){0, 0, 11, 0, 0, 255})
#define CT_TARIFF     ((const uint8_t[6]){0, 0, 10, 0, 100, 255})
#define CT_BILLING    ((const uint8_t[6]){0, 0, 10, 0, 1, 255})
#define CT_PUSH       ((const uint8_t[6]){0, 0, 10, 0, 108, 255})
#define CT_EOB        ((const uint8_t[6]){0, 0, 15, 0, 0, 255})
#define CT_PUSH_SCHED ((const uint8_t[6]){0, 0, 15, 0, 4, 255})
#define CT_ALARM_MON  ((const uint8_t[6]){0, 0, 16, 1, 0, 255})
#define CT_VOLT_MON   ((const uint8_t[6]){0, 0, 16, 0, 0, 255})
#define CT_TARIFF_IND ((const uint8_t[6]){0, 0, 96, 14, 0, 255})
#define CT_ALARM_REG  ((const uint8_t[6]){0, 0, 97, 98, 0, 255})
#define CT_ENERGY     ((const uint8_t[6]){1, 0, 1, 8, 0, 255})
#define CT_VOLTAGE    ((const uint8_t[6]){1, 0, 32, 7, 0, 255})

/* Push script that executes itself natively (re-entrancy test). */
#define CT_PUSH_REENTER 9u

/* ---- natives ------------------------------------------------------------------------ */

static inline int ct_native_tariff(void *app, const cosem_object_t *table, uint16_t id) {
    ct_app_t *a = app;
    (void)table;
    if (a->tariff_calls < CT_LOG_MAX) {
        a->tariff_log[a->tariff_calls] = id;
        a->tariff_time[a->tariff_calls] = a->rtc;
    }
    a->tariff_calls++;
    a->tariff_indicator[0] = 0;
    a->tariff_indicator[1] = (uint8_t)id;
    return 0;
}

static inline int ct_native_billing(void *app, const cosem_object_t *table, uint16_t id) {
    (void)table;
    (void)id;
    ((ct_app_t *)app)->billing_calls++;
    return 0;
}

static inline int ct_native_push(void *app, const cosem_object_t *table, uint16_t id) {
    ct_app_t *a = app;
    a->push_calls++;
    a->last_push = id;
    if (id == CT_PUSH_REENTER) {
        a->reenter_rc = cosem_script_execute(a->srv, table->ln, id);
    }
    return 0;
}

/* ---- table ----------------------------------------------------------------------------- */

#define CT_APP ct_app_t

static inline const cosem_object_t *ct_objects(size_t *count) {
    static const cosem_access_t all = {.read = COSEM_ALL, .write = COSEM_ALL, .method = 0xFFFEu};
    static const cosem_clock_def_t clock_def = {
        .state = COSEM_STATE(cosem_clock_state_t, CT_APP, clock), .measuring_period = 900};
    static const cosem_activity_calendar_def_t cal_def = {
        .state = COSEM_STATE(cosem_activity_calendar_state_t, CT_APP, cal),
        .special_days = COSEM_STATE(cosem_special_days_state_t, CT_APP, special)};
    static const cosem_special_days_def_t special_def = {
        .state = COSEM_STATE(cosem_special_days_state_t, CT_APP, special)};
    static const cosem_script_native_t tariff_natives[] = {{COSEM_SCRIPT_ANY, ct_native_tariff}};
    static const cosem_script_native_t billing_natives[] = {{1, ct_native_billing}};
    static const cosem_script_native_t push_natives[] = {{COSEM_SCRIPT_ANY, ct_native_push}};
    static const cosem_script_table_def_t tariff_def = {
        COSEM_STATE(cosem_script_table_state_t, CT_APP, tariff), tariff_natives, 1};
    static const cosem_script_table_def_t billing_def = {
        COSEM_STATE(cosem_script_table_state_t, CT_APP, billing), billing_natives, 1};
    static const cosem_script_table_def_t push_def = {
        COSEM_STATE(cosem_script_table_state_t, CT_APP, push), push_natives, 1};
    static const cosem_single_action_def_t eob_def = {
        COSEM_STATE(cosem_single_action_state_t, CT_APP, eob)};
    static const cosem_single_action_def_t push_sched_def = {
        COSEM_STATE(cosem_single_action_state_t, CT_APP, push_sched)};
    static const cosem_register_monitor_def_t alarm_mon_def = {
        COSEM_STATE(cosem_register_monitor_state_t, CT_APP, alarm_mon)};
    static const cosem_register_monitor_def_t volt_mon_def = {
        COSEM_STATE(cosem_register_monitor_state_t, CT_APP, volt_mon)};
    static const cosem_data_def_t tariff_ind_def = {
        COSEM_FIELD(AXDR_OCTET_STRING, CT_APP, tariff_indicator)};
    static const cosem_data_def_t alarm_def = {
        COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, CT_APP, alarm_register)};
    static const cosem_register_def_t energy_def = {
        COSEM_FIELD(AXDR_LONG64_UNSIGNED, CT_APP, energy_wh), 0, COSEM_UNIT_WH};
    static const cosem_register_def_t volt_def = {COSEM_FIELD(AXDR_DOUBLE_LONG, CT_APP, voltage_dv),
                                                  -1, COSEM_UNIT_V};
    static const cosem_object_t objects[] = {
        {&cosem_class_clock, COSEM_OBIS(0, 0, 1, 0, 0, 255), &clock_def, {&all}},
        {&cosem_class_activity_calendar, COSEM_OBIS(0, 0, 13, 0, 0, 255), &cal_def, {&all}},
        {&cosem_class_special_days_table, COSEM_OBIS(0, 0, 11, 0, 0, 255), &special_def, {&all}},
        {&cosem_class_script_table, COSEM_OBIS(0, 0, 10, 0, 100, 255), &tariff_def, {&all}},
        {&cosem_class_script_table, COSEM_OBIS(0, 0, 10, 0, 1, 255), &billing_def, {&all}},
        {&cosem_class_script_table, COSEM_OBIS(0, 0, 10, 0, 108, 255), &push_def, {&all}},
        {&cosem_class_single_action_schedule, COSEM_OBIS(0, 0, 15, 0, 0, 255), &eob_def, {&all}},
        {&cosem_class_single_action_schedule,
         COSEM_OBIS(0, 0, 15, 0, 4, 255),
         &push_sched_def,
         {&all}},
        {&cosem_class_register_monitor, COSEM_OBIS(0, 0, 16, 1, 0, 255), &alarm_mon_def, {&all}},
        {&cosem_class_register_monitor, COSEM_OBIS(0, 0, 16, 0, 0, 255), &volt_mon_def, {&all}},
        {&cosem_class_data, COSEM_OBIS(0, 0, 96, 14, 0, 255), &tariff_ind_def, {&all}},
        {&cosem_class_data, COSEM_OBIS(0, 0, 97, 98, 0, 255), &alarm_def, {&all}},
        {&cosem_class_register, COSEM_OBIS(1, 0, 1, 8, 0, 255), &energy_def, {&all}},
        {&cosem_class_register, COSEM_OBIS(1, 0, 32, 7, 0, 255), &volt_def, {&all}},
    };
    *count = COSEM_COUNT(objects);
    return objects;
}

/* ---- platform ------------------------------------------------------------------------------ */

static inline int64_t ct_rtc_get(void *user) {
    return ((ct_app_t *)user)->rtc;
}

static inline int ct_rtc_set(void *user, int64_t utc) {
    ((ct_app_t *)user)->rtc = utc;
    return 0;
}

static inline void ct_on_notify(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id) {
    ct_app_t *a = app;
    a->notify_count++;
    a->notify_obj = obj;
    a->notify_kind = kind;
    a->notify_id = id;
}

/* Factory state: CET clock at `utc`, empty calendars, scripts listing the
 * native ids (tariffs 1-4, billing 1, push 1-2), end of billing on the
 * 1st of every month at 00:00 (type 1), monitors empty. */
static inline int ct_setup(ct_t *t, int64_t utc) {
    memset(t, 0, sizeof(*t));
    ct_app_t *a = &t->app;
    cosem_clock_state_cet(&a->clock);
    cosem_activity_calendar_init(&a->cal);
    for (uint16_t i = 0; i < 4; i++) {
        a->tariff.scripts[i].id = (uint16_t)(i + 1);
    }
    a->tariff.count = 4;
    a->billing.scripts[0].id = 1;
    a->billing.count = 1;
    a->push.scripts[0].id = 1;
    a->push.scripts[1].id = 2;
    a->push.count = 2;
    cosem_single_action_init(&a->eob, 1);
    memcpy(a->eob.script.ln, CT_BILLING, 6);
    a->eob.script.selector = 1;
    a->eob.count = 1;
    a->eob.times[0].time = (cosem_time_t){0, 0, 0, 0};
    a->eob.times[0].date = (cosem_date_t){COSEM_DT_YEAR_NOT_SPECIFIED, 0xFF, 1, 0xFF};
    cosem_single_action_init(&a->push_sched, 5);
    a->assoc = (dlms_assoc_config_t){.client_sap = 1,
                                     .logical_name = {0, 0, 40, 0, 1, 255},
                                     .app_context = 1,
                                     .mechanism = 0,
                                     .conformance = 0x00701Fu,
                                     .max_receive_pdu = 1024};
    a->rtc = utc;
    a->srv = &t->srv;
    t->port.user = a;
    t->port.rtc_get = ct_rtc_get;
    t->port.rtc_set = ct_rtc_set;
    size_t n;
    const cosem_object_t *objs = ct_objects(&n);
    int rc = cosem_server_init(&t->srv, objs, n, a, sizeof(*a), &t->port);
    if (rc == 0) {
        rc = cosem_server_add_association(&t->srv, &a->assoc);
    }
    t->srv.notify = ct_on_notify;
    return rc;
}

static inline dlms_assoc_view_t ct_view(void) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.client_sap = 1;
    v.server_sap = 1;
    v.assoc_index = 0;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.app_context = 1;
    v.dlms_version = 6;
    v.conformance = 0x00701Fu;
    v.server_max_pdu = 1024;
    v.client_max_pdu = 1024;
    return v;
}

static inline dlms_cosem_descriptor_t ct_desc(uint16_t class_id, const uint8_t ln[6], int8_t id) {
    dlms_cosem_descriptor_t d;
    memset(&d, 0, sizeof(d));
    d.class_id = class_id;
    memcpy(d.instance_id, ln, 6);
    d.id = id;
    return d;
}

static inline int ct_get(ct_t *t, uint16_t class_id, const uint8_t ln[6], int8_t attr, uint8_t *out,
                         size_t cap, size_t *len) {
    dlms_assoc_view_t v = ct_view();
    dlms_cosem_descriptor_t d = ct_desc(class_id, ln, attr);
    dlms_access_selection_t none;
    memset(&none, 0, sizeof(none));
    dlms_get_call_t call;
    memset(&call, 0, sizeof(call));
    call.assoc = &v;
    call.attr = &d;
    call.selection = &none;
    call.first_call = true;
    axdr_enc_t e;
    axdr_enc_init(&e, out, cap);
    int rc = cosem_get(&t->srv, &call, &e);
    *len = e.len;
    return rc;
}

static inline int ct_set(ct_t *t, uint16_t class_id, const uint8_t ln[6], int8_t attr,
                         const uint8_t *value, size_t n) {
    dlms_assoc_view_t v = ct_view();
    dlms_cosem_descriptor_t d = ct_desc(class_id, ln, attr);
    dlms_access_selection_t none;
    memset(&none, 0, sizeof(none));
    axdr_dec_t dec;
    axdr_dec_init(&dec, value, n);
    return cosem_set(&t->srv, &v, &d, &none, &dec);
}

static inline int ct_action(ct_t *t, uint16_t class_id, const uint8_t ln[6], int8_t method,
                            const uint8_t *params, size_t n) {
    dlms_assoc_view_t v = ct_view();
    dlms_cosem_descriptor_t d = ct_desc(class_id, ln, method);
    axdr_dec_t dec;
    axdr_dec_init(&dec, params, n);
    uint8_t ret[64];
    axdr_enc_t e;
    axdr_enc_init(&e, ret, sizeof(ret));
    bool has_ret = false;
    return cosem_action(&t->srv, &v, &d, params != NULL ? &dec : NULL, &e, &has_ret);
}

/* UTC seconds of a date-time given in UTC. */
static inline int64_t ct_utc(uint16_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi, uint8_t s) {
    cosem_datetime_t dt;
    cosem_datetime_set_unspecified(&dt);
    dt.year = y;
    dt.month = mo;
    dt.day = d;
    dt.hour = h;
    dt.minute = mi;
    dt.second = s;
    dt.deviation = 0;
    int64_t utc = 0;
    (void)cosem_datetime_to_utc(&dt, &utc);
    return utc;
}

#endif /* EMETER_TEST_COSEM_CALENDAR_TABLE_H */
