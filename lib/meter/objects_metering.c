/*
 * objects_metering.c - definitions of the metering objects both variants
 * carry (see objects_metering.h). Scalers not given by dlms-facts §2.4
 * (chosen here): frequency {-2, Hz} long-unsigned, power factors {-3,
 * none} long, neutral current as the phase currents {-2, A}, THD {-1, %}.
 */
#include "meter/objects_metering.h"

#define APP meter_t

/* ---- access ------------------------------------------------------------------------ */

const cosem_access_t meter_acc_profile_cfg = {.read = COSEM_ALL,
                                              .write = COSEM_BIT(3) | COSEM_BIT(4),
                                              .auth = COSEM_BIT(3) | COSEM_BIT(4),
                                              .method = COSEM_BIT(1) | COSEM_BIT(2),
                                              .method_auth = COSEM_BIT(1) | COSEM_BIT(2)};
const cosem_access_t meter_acc_schedule = {.read = COSEM_ALL,
                                           .write = COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4),
                                           .auth = COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4)};
const cosem_access_t meter_acc_script = {
    .read = COSEM_ALL, .method = COSEM_BIT(1), .method_auth = COSEM_BIT(1)};
const cosem_access_t meter_acc_demand = {.read = COSEM_ALL,
                                         .method = COSEM_BIT(1) | COSEM_BIT(2),
                                         .method_auth = COSEM_BIT(1) | COSEM_BIT(2)};
/* Activity calendar: the passive calendar (6-10) and its activation
 * programmable; special days written whole or by insert/delete. */
#define PASSIVE (COSEM_BIT(6) | COSEM_BIT(7) | COSEM_BIT(8) | COSEM_BIT(9) | COSEM_BIT(10))
const cosem_access_t meter_acc_calendar = {.read = COSEM_ALL,
                                           .write = PASSIVE,
                                           .auth = PASSIVE,
                                           .method = COSEM_BIT(1),
                                           .method_auth = COSEM_BIT(1)};
const cosem_access_t meter_acc_special_days = {.read = COSEM_ALL,
                                               .write = COSEM_BIT(2),
                                               .auth = COSEM_BIT(2),
                                               .method = COSEM_BIT(1) | COSEM_BIT(2),
                                               .method_auth = COSEM_BIT(1) | COSEM_BIT(2)};

/* ---- energy (dlms-facts §2.3: {0, Wh} double-long-unsigned, DSMR) ------------------- */

#define E(idx, unit_) [idx] = {COSEM_CALL(meter_read_energy, NULL, (idx)), 0, (unit_)}
#define E_TARIFFS(base, unit_)                                                                     \
    E(base, unit_), E(base + 1, unit_), E(base + 2, unit_), E(base + 3, unit_)
_Static_assert(EM_METER_TARIFFS == 4, "meter_def_energy lists 4 tariffs");

const cosem_register_def_t meter_def_energy[METER_E_COUNT] = {
    E(METER_E_A_PLUS, COSEM_UNIT_WH),     E_TARIFFS(METER_E_A_PLUS_T1, COSEM_UNIT_WH),
    E(METER_E_A_MINUS, COSEM_UNIT_WH),    E_TARIFFS(METER_E_A_MINUS_T1, COSEM_UNIT_WH),
    E(METER_E_R_PLUS, COSEM_UNIT_VARH),   E(METER_E_R_MINUS, COSEM_UNIT_VARH),
    E(METER_E_R1, COSEM_UNIT_VARH),       E(METER_E_R2, COSEM_UNIT_VARH),
    E(METER_E_R3, COSEM_UNIT_VARH),       E(METER_E_R4, COSEM_UNIT_VARH),
    E(METER_E_S_PLUS, COSEM_UNIT_VAH),    E(METER_E_S_MINUS, COSEM_UNIT_VAH),
    E(METER_E_A_PLUS_L1, COSEM_UNIT_WH),  E(METER_E_A_PLUS_L2, COSEM_UNIT_WH),
    E(METER_E_A_PLUS_L3, COSEM_UNIT_WH),  E(METER_E_A_MINUS_L1, COSEM_UNIT_WH),
    E(METER_E_A_MINUS_L2, COSEM_UNIT_WH), E(METER_E_A_MINUS_L3, COSEM_UNIT_WH),
    E(METER_E_A_ABS, COSEM_UNIT_WH),      E_TARIFFS(METER_E_R_PLUS_T1, COSEM_UNIT_VARH),
};

/* ---- instantaneous and average values (dlms-facts §2.4) ----------------------------- */

#define INST(wire, member, scaler_, unit_)                                                         \
    { COSEM_FIELD(wire, APP, inst.member), (scaler_), (unit_) }
#define PER_PHASE(wire, member, scaler_, unit_)                                                    \
    {                                                                                              \
        INST(wire, member[0], scaler_, unit_), INST(wire, member[1], scaler_, unit_),              \
            INST(wire, member[2], scaler_, unit_)                                                  \
    }

const cosem_register_def_t meter_def_voltage[3] =
    PER_PHASE(AXDR_LONG_UNSIGNED, v_dv, -1, COSEM_UNIT_V);
const cosem_register_def_t meter_def_current[3] =
    PER_PHASE(AXDR_LONG_UNSIGNED, i_ca, -2, COSEM_UNIT_A);
const cosem_register_def_t meter_def_p_plus_ph[3] =
    PER_PHASE(AXDR_DOUBLE_LONG_UNSIGNED, p_plus_ph_w, 0, COSEM_UNIT_W);
const cosem_register_def_t meter_def_p_minus_ph[3] =
    PER_PHASE(AXDR_DOUBLE_LONG_UNSIGNED, p_minus_ph_w, 0, COSEM_UNIT_W);
const cosem_register_def_t meter_def_pf_ph[3] =
    PER_PHASE(AXDR_LONG, pf_ph_milli, -3, COSEM_UNIT_NONE);
const cosem_register_def_t meter_def_p_plus =
    INST(AXDR_DOUBLE_LONG_UNSIGNED, p_plus_w, 0, COSEM_UNIT_W);
const cosem_register_def_t meter_def_p_minus =
    INST(AXDR_DOUBLE_LONG_UNSIGNED, p_minus_w, 0, COSEM_UNIT_W);
const cosem_register_def_t meter_def_freq = INST(AXDR_LONG_UNSIGNED, freq_chz, -2, COSEM_UNIT_HZ);
const cosem_register_def_t meter_def_pf = INST(AXDR_LONG, pf_milli, -3, COSEM_UNIT_NONE);
const cosem_register_def_t meter_def_neutral =
    INST(AXDR_LONG_UNSIGNED, i_neutral_ca, -2, COSEM_UNIT_A);

#define AVG(arg, scaler_, unit_)                                                                   \
    [arg] = {COSEM_CALL(meter_read_avg, NULL, (arg)), (scaler_), (unit_)}
#define AVG3(base, scaler_, unit_)                                                                 \
    AVG(base, scaler_, unit_), AVG(base + 1, scaler_, unit_), AVG(base + 2, scaler_, unit_)
const cosem_register_def_t meter_def_avg[METER_AVG_COUNT] = {
    AVG3(METER_AVG_V, -1, COSEM_UNIT_V), AVG3(METER_AVG_I, -2, COSEM_UNIT_A),
    AVG3(METER_AVG_THD_V, -1, COSEM_UNIT_PERCENT), AVG3(METER_AVG_THD_I, -1, COSEM_UNIT_PERCENT)};

/* ---- power quality (lib/meter/pq) ----------------------------------------------------- */

const cosem_data_def_t meter_def_sags[3] = {{COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[0].sags)},
                                            {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[1].sags)},
                                            {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[2].sags)}};
const cosem_data_def_t meter_def_swells[3] = {
    {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[0].swells)},
    {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[1].swells)},
    {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[2].swells)}};

#define PQV(arg, scaler_, unit_, wr)                                                               \
    { COSEM_CALL(meter_read_pq, (wr), (arg)), (scaler_), (unit_) }
const cosem_register_def_t meter_def_sag_v = PQV(METER_PQ_SAG_V, 0, COSEM_UNIT_V, meter_write_pq);
const cosem_register_def_t meter_def_swell_v =
    PQV(METER_PQ_SWELL_V, 0, COSEM_UNIT_V, meter_write_pq);
const cosem_register_def_t meter_def_sag_s =
    PQV(METER_PQ_SAG_S, 0, COSEM_UNIT_SECOND, meter_write_pq);
const cosem_register_def_t meter_def_swell_s =
    PQV(METER_PQ_SWELL_S, 0, COSEM_UNIT_SECOND, meter_write_pq);
#define PQV_PHASES(base, unit_)                                                                    \
    {                                                                                              \
        PQV((base), -1, (unit_), NULL), PQV((base) + 1, -1, (unit_), NULL),                        \
            PQV((base) + 2, -1, (unit_), NULL)                                                     \
    }
const cosem_register_def_t meter_def_last_sag_v[3] = PQV_PHASES(METER_PQ_LAST_SAG_V, COSEM_UNIT_V);
const cosem_register_def_t meter_def_last_sag_s[3] =
    PQV_PHASES(METER_PQ_LAST_SAG_S, COSEM_UNIT_SECOND);
const cosem_register_def_t meter_def_last_swell_v[3] =
    PQV_PHASES(METER_PQ_LAST_SWELL_V, COSEM_UNIT_V);
const cosem_register_def_t meter_def_last_swell_s[3] =
    PQV_PHASES(METER_PQ_LAST_SWELL_S, COSEM_UNIT_SECOND);

/* ---- tariff, status, events, alarms (dlms-facts §2.5-§2.7) --------------------------- */

const cosem_data_def_t meter_def_tariff = {COSEM_FIELD(AXDR_OCTET_STRING, APP, tariff_ind)};
const cosem_data_def_t meter_def_amr_lp = {COSEM_FIELD(AXDR_UNSIGNED, APP, amr[METER_PROF_LP])};
const cosem_data_def_t meter_def_amr_daily = {
    COSEM_FIELD(AXDR_UNSIGNED, APP, amr[METER_PROF_DAILY])};
const cosem_data_def_t meter_def_amr_monthly = {
    COSEM_FIELD(AXDR_UNSIGNED, APP, amr[METER_PROF_MONTHLY])};
#define CODE(log) [log] = {COSEM_FIELD(AXDR_UNSIGNED, APP, event_code[log])}
const cosem_data_def_t meter_def_event_code[METER_LOG_COUNT] = {
    CODE(METER_LOG_STANDARD), CODE(METER_LOG_FRAUD), CODE(METER_LOG_PQ),     CODE(METER_LOG_PQ_EXT),
    CODE(METER_LOG_THD),      CODE(METER_LOG_COMM),  CODE(METER_LOG_BREAKER)};
const cosem_data_def_t meter_def_event_magnitude = {
    COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, event_magnitude)};
const cosem_data_def_t meter_def_event_duration = {
    COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, event_duration_ms)};
const cosem_data_def_t meter_def_comm_counter = {
    COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, comm_sessions)};
const cosem_data_def_t meter_def_alarm[METER_ALARM_REGS] = {
    {COSEM_CALL(meter_read_alarm, meter_write_alarm, 0)},
    {COSEM_CALL(meter_read_alarm, meter_write_alarm, 1)},
    {COSEM_CALL(meter_read_alarm, meter_write_alarm, 2)}};
const cosem_data_def_t meter_def_filter[METER_ALARM_REGS] = {
    {COSEM_CALL(meter_read_alarm, meter_write_alarm, 10)},
    {COSEM_CALL(meter_read_alarm, meter_write_alarm, 11)},
    {COSEM_CALL(meter_read_alarm, meter_write_alarm, 12)}};
const cosem_data_def_t meter_def_pf_count = {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, power_failures)};
const cosem_data_def_t meter_def_lpf_count = {
    COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, long_power_failures)};
const cosem_register_def_t meter_def_lpf_threshold = {
    COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, long_pf_threshold_s), 0, COSEM_UNIT_SECOND};
const cosem_register_def_t meter_def_lpf_duration = {
    COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, last_pf_duration_s), 0, COSEM_UNIT_SECOND};

/* ---- event logs (asynchronous profiles: capture_period 0) ------------------------------ */

#define LOG_COLS(e) COL_CLOCK, COL(1, 0, 0, 96, 11, e, 255)
static const dlms_capture_object_t std_cols[] = {LOG_COLS(0)};
static const dlms_capture_object_t fraud_cols[] = {LOG_COLS(1)};
static const dlms_capture_object_t pq_cols[] = {LOG_COLS(5)};
static const dlms_capture_object_t pq_ext_cols[] = {LOG_COLS(7), COL(1, 0, 0, 96, 11, 20, 255),
                                                    COL(1, 0, 0, 96, 11, 21, 255)};
static const dlms_capture_object_t thd_cols[] = {LOG_COLS(8), COL(1, 0, 0, 96, 11, 22, 255)};
static const dlms_capture_object_t comm_cols[] = {LOG_COLS(4), COL(1, 0, 0, 96, 15, 4, 255)};
static const dlms_capture_object_t breaker_cols[] = {LOG_COLS(2)};
static const dlms_capture_object_t power_cols[] = {COL_CLOCK, COL(3, 0, 0, 96, 7, 19, 255)};

const cosem_profile_def_t meter_def_log_std =
    PROFILE(METER_PROF_LOG_STD, std_cols, 0, EM_METER_STD_LOG_ENTRIES);
const cosem_profile_def_t meter_def_log_fraud =
    PROFILE(METER_PROF_LOG_FRAUD, fraud_cols, 0, EM_METER_FRAUD_LOG_ENTRIES);
const cosem_profile_def_t meter_def_log_pq =
    PROFILE(METER_PROF_LOG_PQ, pq_cols, 0, EM_METER_PQ_LOG_ENTRIES);
const cosem_profile_def_t meter_def_log_pq_ext =
    PROFILE(METER_PROF_LOG_PQ_EXT, pq_ext_cols, 0, EM_METER_PQ_LOG_ENTRIES);
const cosem_profile_def_t meter_def_log_thd =
    PROFILE(METER_PROF_LOG_THD, thd_cols, 0, EM_METER_PQ_LOG_ENTRIES);
const cosem_profile_def_t meter_def_log_comm =
    PROFILE(METER_PROF_LOG_COMM, comm_cols, 0, EM_METER_COMM_LOG_ENTRIES);
const cosem_profile_def_t meter_def_log_breaker =
    PROFILE(METER_PROF_LOG_BREAKER, breaker_cols, 0, EM_METER_BREAKER_LOG_ENTRIES);
const cosem_profile_def_t meter_def_log_power =
    PROFILE(METER_PROF_LOG_POWER, power_cols, 0, EM_METER_POWER_LOG_ENTRIES);

/* ---- demand (demand.h) ------------------------------------------------------------------ */

#define DEMAND(q, unit_)                                                                           \
    { COSEM_STATE(cosem_demand_state_t, APP, demand.avg[q]), AXDR_DOUBLE_LONG_UNSIGNED, 0, (unit_) }
const cosem_demand_register_def_t meter_def_demand[METER_DQ_COUNT] = {
    DEMAND(METER_DQ_P, COSEM_UNIT_W), DEMAND(METER_DQ_Q, COSEM_UNIT_VAR),
    DEMAND(METER_DQ_S, COSEM_UNIT_VA)};
#define MAXD(q, t, unit_)                                                                          \
    {                                                                                              \
        .value = COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, demand.max[q][t]), .scaler = 0,       \
        .unit = (unit_), .status = COSEM_NULL,                                                     \
        .capture_time = COSEM_FIELD_UTC(APP, demand.max_time[q][t])                                \
    }
#define MAXD3(q, unit_)                                                                            \
    { MAXD(q, 0, unit_), MAXD(q, 1, unit_), MAXD(q, 2, unit_) }
const cosem_ext_register_def_t meter_def_max[METER_DQ_COUNT][3] = {
    MAXD3(METER_DQ_P, COSEM_UNIT_W), MAXD3(METER_DQ_Q, COSEM_UNIT_VAR),
    MAXD3(METER_DQ_S, COSEM_UNIT_VA)};
#define CUM(q, t, unit_)                                                                           \
    { COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, demand.cum[q][t]), 0, (unit_) }
#define CUM3(q, unit_)                                                                             \
    { CUM(q, 0, unit_), CUM(q, 1, unit_), CUM(q, 2, unit_) }
const cosem_register_def_t meter_def_cum[METER_DQ_COUNT][3] = {CUM3(METER_DQ_P, COSEM_UNIT_W),
                                                               CUM3(METER_DQ_Q, COSEM_UNIT_VAR),
                                                               CUM3(METER_DQ_S, COSEM_UNIT_VA)};

/* ---- billing and tariffs (billing.h; dlms-facts §2.2, §2.5) ------------------------------ */

const cosem_data_def_t meter_def_billing_counter = {
    COSEM_FIELD(AXDR_UNSIGNED, APP, billing.counter)};
const cosem_data_def_t meter_def_billing_time = {COSEM_FIELD_UTC(APP, billing.last_close_utc)};
const cosem_single_action_def_t meter_def_billing_schedule = {
    COSEM_STATE(cosem_single_action_state_t, APP, billing.schedule)};
static const cosem_script_native_t billing_natives[] = {{1, meter_billing_script}};
const cosem_script_table_def_t meter_def_billing_scripts = {
    COSEM_STATE(cosem_script_table_state_t, APP, billing.scripts), billing_natives, 1};

/* The activity calendar's day actions name scripts of the tariffication
 * script table; script n is a native hook putting tariff n in force. */
static int tariff_script(void *app, const cosem_object_t *table, uint16_t script_id) {
    (void)table;
    const meter_t *m = app;
    /* omni Z13 = 1: the module port's tariff inputs decide the tariff; the
     * calendar keeps running (events, switch instants) but switches nothing
     * (seed 004 "Tariff schedule: module port control"). */
    if (m->io.z13 == 1)
        return 0;
    return meter_set_tariff(app, script_id);
}
static const cosem_script_native_t tariff_natives[] = {{COSEM_SCRIPT_ANY, tariff_script}};
const cosem_script_table_def_t meter_def_tariff_scripts = {
    COSEM_STATE(cosem_script_table_state_t, APP, tariff_scripts), tariff_natives, 1};
const cosem_activity_calendar_def_t meter_def_calendar = {
    .state = COSEM_STATE(cosem_activity_calendar_state_t, APP, calendar),
    .special_days = COSEM_STATE(cosem_special_days_state_t, APP, special_days)};
const cosem_special_days_def_t meter_def_special_days = {
    .state = COSEM_STATE(cosem_special_days_state_t, APP, special_days)};

/* ---- push (lib/cosem/push_setup.h, docs/push.md) -------------------------------------------
 * Management client: everything readable; attributes 2-7 writable and
 * method push, ciphered only. Notifications are ciphered with the
 * management security context (sec_index 0). */
#define PUSH_ATTRS                                                                                 \
    (COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7))
const cosem_access_t meter_acc_push = {.read = COSEM_ALL,
                                       .write = PUSH_ATTRS,
                                       .auth = PUSH_ATTRS,
                                       .method = COSEM_BIT(1),
                                       .method_auth = COSEM_BIT(1)};
const cosem_push_setup_def_t meter_def_push_sched = {
    COSEM_STATE(cosem_push_state_t, APP, push_sched), 0};
const cosem_push_setup_def_t meter_def_push_alarm = {
    COSEM_STATE(cosem_push_state_t, APP, push_alarm), 0};
const cosem_single_action_def_t meter_def_push_schedule = {
    COSEM_STATE(cosem_single_action_state_t, APP, push_schedule)};

/* Script n of 0.0.10.0.108.255 starts push n (1 scheduled, 2 alarm); a
 * push setup without a destination is not an error of the schedule. */
static int push_script(void *app, const cosem_object_t *table, uint16_t id) {
    static const uint8_t ln[2][6] = {{0, 0, 25, 9, 0, 255}, {0, 1, 25, 9, 0, 255}};
    meter_t *m = app;
    (void)table;
    if (id < 1 || id > 2)
        return DLMS_ACTION_OTHER_REASON;
    int rc = cosem_push_trigger(&m->cosem, cosem_find(&m->cosem, ln[id - 1]), m->now);
    return rc >= 0 || rc == COSEM_ERR_PUSH_DESTINATION ? 0 : DLMS_ACTION_OTHER_REASON;
}
static const cosem_script_native_t push_natives[] = {{COSEM_SCRIPT_ANY, push_script}};
const cosem_script_table_def_t meter_def_push_scripts = {
    COSEM_STATE(cosem_script_table_state_t, APP, push_scripts), push_natives, 1};
