/*
 * objects_esmr.c - object table of the ESMR 5 variant (CompactIQ-style
 * three-phase LTE-M meter, seed 000; OBIS codes per DSMR/SMR 5,
 * dlms-facts §2.3-§2.7).
 *
 * Management objects (objects_common.h), then the metering objects of
 * this slice of issue 5: energy registers (class 3, {0, Wh} as
 * double-long-unsigned per DSMR), instantaneous values with the SMR 5
 * scalers, sag/swell counters, thresholds and last sag/swell magnitude
 * and duration, tariff indicator, activity calendar with special days and
 * the tariffication script table (natives calling meter_set_tariff), the
 * E 15-minute load
 * profile, daily values and monthly billing values with their AMR profile
 * status, the standard,
 * fraud and power quality event logs with their last event codes, and
 * alarm register / filter 1. The metering objects are visible to the
 * management client only (the P3 head-end association).
 *
 * Scalers not given by dlms-facts §2.4 (chosen here): frequency {-2, Hz}
 * long-unsigned, power factors {-3, none} long, neutral current as the
 * phase currents {-2, A}.
 */
#include "meter/objects_common.h"

#define APP meter_t

/* ---- energy registers (dlms-facts §2.3) --------------------------------------- */

#define ENERGY(idx, unit_)                                                                         \
    { COSEM_CALL(meter_read_energy, NULL, (idx)), 0, (unit_) }

static const cosem_register_def_t e_a_plus = ENERGY(METER_E_A_PLUS, COSEM_UNIT_WH);
static const cosem_register_def_t e_a_plus_t1 = ENERGY(METER_E_A_PLUS_T1, COSEM_UNIT_WH);
static const cosem_register_def_t e_a_plus_t2 = ENERGY(METER_E_A_PLUS_T1 + 1, COSEM_UNIT_WH);
static const cosem_register_def_t e_a_minus = ENERGY(METER_E_A_MINUS, COSEM_UNIT_WH);
static const cosem_register_def_t e_a_minus_t1 = ENERGY(METER_E_A_MINUS_T1, COSEM_UNIT_WH);
static const cosem_register_def_t e_a_minus_t2 = ENERGY(METER_E_A_MINUS_T1 + 1, COSEM_UNIT_WH);
static const cosem_register_def_t e_r_plus = ENERGY(METER_E_R_PLUS, COSEM_UNIT_VARH);
static const cosem_register_def_t e_r_minus = ENERGY(METER_E_R_MINUS, COSEM_UNIT_VARH);
static const cosem_register_def_t e_r1 = ENERGY(METER_E_R1, COSEM_UNIT_VARH);
static const cosem_register_def_t e_r2 = ENERGY(METER_E_R2, COSEM_UNIT_VARH);
static const cosem_register_def_t e_r3 = ENERGY(METER_E_R3, COSEM_UNIT_VARH);
static const cosem_register_def_t e_r4 = ENERGY(METER_E_R4, COSEM_UNIT_VARH);
static const cosem_register_def_t e_s_plus = ENERGY(METER_E_S_PLUS, COSEM_UNIT_VAH);
static const cosem_register_def_t e_s_minus = ENERGY(METER_E_S_MINUS, COSEM_UNIT_VAH);
static const cosem_register_def_t e_abs = ENERGY(METER_E_A_ABS, COSEM_UNIT_WH);
static const cosem_register_def_t e_a_plus_ph[3] = {ENERGY(METER_E_A_PLUS_L1, COSEM_UNIT_WH),
                                                    ENERGY(METER_E_A_PLUS_L2, COSEM_UNIT_WH),
                                                    ENERGY(METER_E_A_PLUS_L3, COSEM_UNIT_WH)};
static const cosem_register_def_t e_a_minus_ph[3] = {ENERGY(METER_E_A_MINUS_L1, COSEM_UNIT_WH),
                                                     ENERGY(METER_E_A_MINUS_L2, COSEM_UNIT_WH),
                                                     ENERGY(METER_E_A_MINUS_L3, COSEM_UNIT_WH)};

/* ---- instantaneous values (dlms-facts §2.4) ----------------------------------- */

#define INST(wire, member, scaler_, unit_)                                                         \
    { COSEM_FIELD(wire, APP, inst.member), (scaler_), (unit_) }
#define PER_PHASE(wire, member, scaler_, unit_)                                                    \
    {                                                                                              \
        INST(wire, member[0], scaler_, unit_), INST(wire, member[1], scaler_, unit_),              \
            INST(wire, member[2], scaler_, unit_)                                                  \
    }

static const cosem_register_def_t i_voltage[3] =
    PER_PHASE(AXDR_LONG_UNSIGNED, v_dv, -1, COSEM_UNIT_V);
static const cosem_register_def_t i_current[3] =
    PER_PHASE(AXDR_LONG_UNSIGNED, i_ca, -2, COSEM_UNIT_A);
static const cosem_register_def_t i_p_plus_ph[3] =
    PER_PHASE(AXDR_DOUBLE_LONG_UNSIGNED, p_plus_ph_w, 0, COSEM_UNIT_W);
static const cosem_register_def_t i_p_minus_ph[3] =
    PER_PHASE(AXDR_DOUBLE_LONG_UNSIGNED, p_minus_ph_w, 0, COSEM_UNIT_W);
static const cosem_register_def_t i_pf_ph[3] =
    PER_PHASE(AXDR_LONG, pf_ph_milli, -3, COSEM_UNIT_NONE);
static const cosem_register_def_t i_p_plus =
    INST(AXDR_DOUBLE_LONG_UNSIGNED, p_plus_w, 0, COSEM_UNIT_W);
static const cosem_register_def_t i_p_minus =
    INST(AXDR_DOUBLE_LONG_UNSIGNED, p_minus_w, 0, COSEM_UNIT_W);
static const cosem_register_def_t i_freq = INST(AXDR_LONG_UNSIGNED, freq_chz, -2, COSEM_UNIT_HZ);
static const cosem_register_def_t i_pf = INST(AXDR_LONG, pf_milli, -3, COSEM_UNIT_NONE);
static const cosem_register_def_t i_neutral =
    INST(AXDR_LONG_UNSIGNED, i_neutral_ca, -2, COSEM_UNIT_A);

/* Sag / swell counters (class 1, long-unsigned) kept by lib/meter/pq. */
static const cosem_data_def_t d_sags[3] = {{COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[0].sags)},
                                           {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[1].sags)},
                                           {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[2].sags)}};
static const cosem_data_def_t d_swells[3] = {
    {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[0].swells)},
    {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[1].swells)},
    {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, pq.ph[2].swells)}};

/* Sag/swell thresholds (writable) and the last sag/swell per phase. */
#define PQV(arg, scaler_, unit_, wr)                                                               \
    { COSEM_CALL(meter_read_pq, (wr), (arg)), (scaler_), (unit_) }
static const cosem_register_def_t q_sag_v = PQV(METER_PQ_SAG_V, 0, COSEM_UNIT_V, meter_write_pq);
static const cosem_register_def_t q_swell_v =
    PQV(METER_PQ_SWELL_V, 0, COSEM_UNIT_V, meter_write_pq);
static const cosem_register_def_t q_sag_s =
    PQV(METER_PQ_SAG_S, 0, COSEM_UNIT_SECOND, meter_write_pq);
static const cosem_register_def_t q_swell_s =
    PQV(METER_PQ_SWELL_S, 0, COSEM_UNIT_SECOND, meter_write_pq);
#define PQV_PHASES(base, unit_)                                                                    \
    {                                                                                              \
        PQV((base), -1, (unit_), NULL), PQV((base) + 1, -1, (unit_), NULL),                        \
            PQV((base) + 2, -1, (unit_), NULL)                                                     \
    }
static const cosem_register_def_t q_last_sag_v[3] = PQV_PHASES(METER_PQ_LAST_SAG_V, COSEM_UNIT_V);
static const cosem_register_def_t q_last_sag_s[3] =
    PQV_PHASES(METER_PQ_LAST_SAG_S, COSEM_UNIT_SECOND);
static const cosem_register_def_t q_last_swell_v[3] =
    PQV_PHASES(METER_PQ_LAST_SWELL_V, COSEM_UNIT_V);
static const cosem_register_def_t q_last_swell_s[3] =
    PQV_PHASES(METER_PQ_LAST_SWELL_S, COSEM_UNIT_SECOND);

/* ---- tariff, status, events, alarms (dlms-facts §2.5-§2.7) -------------------- */

static const cosem_data_def_t d_tariff = {COSEM_FIELD(AXDR_OCTET_STRING, APP, tariff_ind)};
static const cosem_data_def_t d_amr_lp = {COSEM_FIELD(AXDR_UNSIGNED, APP, amr_lp)};
static const cosem_data_def_t d_amr_daily = {COSEM_FIELD(AXDR_UNSIGNED, APP, amr_daily)};
static const cosem_data_def_t d_amr_monthly = {COSEM_FIELD(AXDR_UNSIGNED, APP, amr_monthly)};
static const cosem_data_def_t d_event_code[METER_LOG_COUNT] = {
    {COSEM_FIELD(AXDR_UNSIGNED, APP, event_code[METER_LOG_STANDARD])},
    {COSEM_FIELD(AXDR_UNSIGNED, APP, event_code[METER_LOG_FRAUD])},
    {COSEM_FIELD(AXDR_UNSIGNED, APP, event_code[METER_LOG_PQ])}};
static const cosem_data_def_t d_alarm1 = {COSEM_CALL(meter_read_alarm, meter_write_alarm, 0)};
static const cosem_data_def_t d_filter1 = {COSEM_CALL(meter_read_alarm, meter_write_alarm, 1)};

/* ---- tariffication (dlms-facts §2.2, §2.5) --------------------------------------
 * The activity calendar's day actions name scripts of the tariffication
 * script table; script n is a native hook putting tariff n in force. */

static int tariff_script(void *app, const cosem_object_t *table, uint16_t script_id) {
    (void)table;
    return meter_set_tariff(app, script_id);
}

static const cosem_script_native_t tariff_natives[] = {{COSEM_SCRIPT_ANY, tariff_script}};
static const cosem_script_table_def_t s_tariff = {
    COSEM_STATE(cosem_script_table_state_t, APP, tariff_scripts), tariff_natives, 1};
static const cosem_activity_calendar_def_t c_calendar = {
    .state = COSEM_STATE(cosem_activity_calendar_state_t, APP, calendar),
    .special_days = COSEM_STATE(cosem_special_days_state_t, APP, special_days)};
static const cosem_special_days_def_t c_special_days = {
    .state = COSEM_STATE(cosem_special_days_state_t, APP, special_days)};

/* Management client: the active calendar readable, the passive one
 * (attributes 6-10) and activate_passive_calendar programmable; special
 * days written whole or by insert/delete; scripts readable and executable
 * (a head-end may force a tariff until the next switch). Ciphered only. */
static const cosem_access_t acc_calendar = {
    .read = COSEM_ALL,
    .write = COSEM_BIT(6) | COSEM_BIT(7) | COSEM_BIT(8) | COSEM_BIT(9) | COSEM_BIT(10),
    .auth = COSEM_BIT(6) | COSEM_BIT(7) | COSEM_BIT(8) | COSEM_BIT(9) | COSEM_BIT(10),
    .method = COSEM_BIT(1),
    .method_auth = COSEM_BIT(1)};
static const cosem_access_t acc_special_days = {.read = COSEM_ALL,
                                                .write = COSEM_BIT(2),
                                                .auth = COSEM_BIT(2),
                                                .method = COSEM_BIT(1) | COSEM_BIT(2),
                                                .method_auth = COSEM_BIT(1) | COSEM_BIT(2)};
static const cosem_access_t acc_script = {
    .read = COSEM_ALL, .method = COSEM_BIT(1), .method_auth = COSEM_BIT(1)};

/* ---- push (h7): Push setup, dlms-facts §2.5 ------------------------------------
 * Management client: everything readable; attributes 2-7 writable and
 * method push, ciphered only (the P3 head-end sets destinations, OSGP
 * SetPushSetupAlarm/SetPushSetupSms). Notifications ciphered with the
 * management security context (sec_index 0). */
static const cosem_push_setup_def_t p_push_sched = {
    COSEM_STATE(cosem_push_state_t, APP, push_sched), 0};
static const cosem_push_setup_def_t p_push_alarm = {
    COSEM_STATE(cosem_push_state_t, APP, push_alarm), 0};
#define PUSH_ATTRS                                                                                 \
    (COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7))
static const cosem_access_t acc_push = {.read = COSEM_ALL,
                                        .write = PUSH_ATTRS,
                                        .auth = PUSH_ATTRS,
                                        .method = COSEM_BIT(1),
                                        .method_auth = COSEM_BIT(1)};
/* ---- end push ---- */

/* ---- profiles ------------------------------------------------------------------ */

#define COL(cls, ...)                                                                              \
    { (cls), {__VA_ARGS__}, 2, 0 }
#define COL_CLOCK COL(8, 0, 0, 1, 0, 0, 255)

static const dlms_capture_object_t lp_cols[] = {COL_CLOCK, COL(1, 0, 0, 96, 10, 2, 255),
                                                COL(3, 1, 0, 1, 8, 0, 255),
                                                COL(3, 1, 0, 2, 8, 0, 255)};
static const dlms_capture_object_t daily_cols[] = {COL_CLOCK,
                                                   COL(1, 0, 0, 96, 10, 4, 255),
                                                   COL(3, 1, 0, 1, 8, 1, 255),
                                                   COL(3, 1, 0, 1, 8, 2, 255),
                                                   COL(3, 1, 0, 2, 8, 1, 255),
                                                   COL(3, 1, 0, 2, 8, 2, 255)};
static const dlms_capture_object_t monthly_cols[] = {COL_CLOCK,
                                                     COL(1, 0, 0, 96, 10, 6, 255),
                                                     COL(3, 1, 0, 1, 8, 1, 255),
                                                     COL(3, 1, 0, 1, 8, 2, 255),
                                                     COL(3, 1, 0, 2, 8, 1, 255),
                                                     COL(3, 1, 0, 2, 8, 2, 255)};
static const dlms_capture_object_t std_cols[] = {COL_CLOCK, COL(1, 0, 0, 96, 11, 0, 255)};
static const dlms_capture_object_t fraud_cols[] = {COL_CLOCK, COL(1, 0, 0, 96, 11, 1, 255)};
static const dlms_capture_object_t pq_cols[] = {COL_CLOCK, COL(1, 0, 0, 96, 11, 5, 255)};

/* Rows are attached by meter_init (RAM rings in meter_t): rows = none. */
#define PROFILE(member, cols, period, entries)                                                     \
    {                                                                                              \
        .state = COSEM_STATE(cosem_profile_state_t, APP, member), .rows = COSEM_NO_OFFSET,         \
        .capture_objects = (cols), .capture_count = (uint8_t)COSEM_COUNT(cols),                    \
        .capture_period = (period), .profile_entries = (entries)                                   \
    }

static const cosem_profile_def_t p_lp = PROFILE(lp, lp_cols, 900, EM_METER_LP_ENTRIES);
static const cosem_profile_def_t p_daily =
    PROFILE(daily, daily_cols, 86400, EM_METER_DAILY_ENTRIES);
static const cosem_profile_def_t p_monthly =
    PROFILE(monthly, monthly_cols, 0, EM_METER_MONTHLY_ENTRIES);
static const cosem_profile_def_t p_std =
    PROFILE(logs[METER_LOG_STANDARD], std_cols, 0, EM_METER_STD_LOG_ENTRIES);
static const cosem_profile_def_t p_fraud =
    PROFILE(logs[METER_LOG_FRAUD], fraud_cols, 0, EM_METER_FRAUD_LOG_ENTRIES);
static const cosem_profile_def_t p_pq =
    PROFILE(logs[METER_LOG_PQ], pq_cols, 0, EM_METER_PQ_LOG_ENTRIES);

/* ---- the table ----------------------------------------------------------------- */

#define MGMT_ONLY(acc)                                                                             \
    { [M_MGMT] = &(acc) }
#define REG(a, b, c, d, e, def)                                                                    \
    { &cosem_class_register, COSEM_OBIS(a, b, c, d, e, 255), &(def), MGMT_ONLY(meter_acc_ro) }
#define REG_RW(a, b, c, d, e, def)                                                                 \
    { &cosem_class_register, COSEM_OBIS(a, b, c, d, e, 255), &(def), MGMT_ONLY(meter_acc_rw_value) }
#define DATA(a, b, c, d, e, def, acc)                                                              \
    { &cosem_class_data, COSEM_OBIS(a, b, c, d, e, 255), &(def), MGMT_ONLY(acc) }
#define PG(a, b, c, d, e, def)                                                                     \
    {                                                                                              \
        &cosem_class_profile_generic, COSEM_OBIS(a, b, c, d, e, 255), &(def),                      \
            MGMT_ONLY(meter_acc_profile)                                                           \
    }

static const cosem_object_t esmr_objects[] = {
    METER_MANAGEMENT_OBJECTS,
    /* energy */
    REG(1, 0, 1, 8, 0, e_a_plus),
    REG(1, 0, 1, 8, 1, e_a_plus_t1),
    REG(1, 0, 1, 8, 2, e_a_plus_t2),
    REG(1, 0, 2, 8, 0, e_a_minus),
    REG(1, 0, 2, 8, 1, e_a_minus_t1),
    REG(1, 0, 2, 8, 2, e_a_minus_t2),
    REG(1, 0, 3, 8, 0, e_r_plus),
    REG(1, 0, 4, 8, 0, e_r_minus),
    REG(1, 0, 5, 8, 0, e_r1),
    REG(1, 0, 6, 8, 0, e_r2),
    REG(1, 0, 7, 8, 0, e_r3),
    REG(1, 0, 8, 8, 0, e_r4),
    REG(1, 0, 9, 8, 0, e_s_plus),
    REG(1, 0, 10, 8, 0, e_s_minus),
    REG(1, 0, 15, 8, 0, e_abs),
    REG(1, 0, 21, 8, 0, e_a_plus_ph[0]),
    REG(1, 0, 41, 8, 0, e_a_plus_ph[1]),
    REG(1, 0, 61, 8, 0, e_a_plus_ph[2]),
    REG(1, 0, 22, 8, 0, e_a_minus_ph[0]),
    REG(1, 0, 42, 8, 0, e_a_minus_ph[1]),
    REG(1, 0, 62, 8, 0, e_a_minus_ph[2]),
    /* instantaneous values */
    REG(1, 0, 1, 7, 0, i_p_plus),
    REG(1, 0, 2, 7, 0, i_p_minus),
    REG(1, 0, 21, 7, 0, i_p_plus_ph[0]),
    REG(1, 0, 41, 7, 0, i_p_plus_ph[1]),
    REG(1, 0, 61, 7, 0, i_p_plus_ph[2]),
    REG(1, 0, 22, 7, 0, i_p_minus_ph[0]),
    REG(1, 0, 42, 7, 0, i_p_minus_ph[1]),
    REG(1, 0, 62, 7, 0, i_p_minus_ph[2]),
    REG(1, 0, 32, 7, 0, i_voltage[0]),
    REG(1, 0, 52, 7, 0, i_voltage[1]),
    REG(1, 0, 72, 7, 0, i_voltage[2]),
    REG(1, 0, 31, 7, 0, i_current[0]),
    REG(1, 0, 51, 7, 0, i_current[1]),
    REG(1, 0, 71, 7, 0, i_current[2]),
    REG(1, 0, 91, 7, 0, i_neutral),
    REG(1, 0, 14, 7, 0, i_freq),
    REG(1, 0, 13, 7, 0, i_pf),
    REG(1, 0, 33, 7, 0, i_pf_ph[0]),
    REG(1, 0, 53, 7, 0, i_pf_ph[1]),
    REG(1, 0, 73, 7, 0, i_pf_ph[2]),
    DATA(1, 0, 32, 32, 0, d_sags[0], meter_acc_ro),
    DATA(1, 0, 52, 32, 0, d_sags[1], meter_acc_ro),
    DATA(1, 0, 72, 32, 0, d_sags[2], meter_acc_ro),
    DATA(1, 0, 32, 36, 0, d_swells[0], meter_acc_ro),
    DATA(1, 0, 52, 36, 0, d_swells[1], meter_acc_ro),
    DATA(1, 0, 72, 36, 0, d_swells[2], meter_acc_ro),
    REG_RW(1, 0, 12, 31, 0, q_sag_v),
    REG_RW(1, 0, 12, 35, 0, q_swell_v),
    REG_RW(1, 0, 12, 43, 0, q_sag_s),
    REG_RW(1, 0, 12, 44, 0, q_swell_s),
    REG(1, 0, 32, 34, 0, q_last_sag_v[0]),
    REG(1, 0, 52, 34, 0, q_last_sag_v[1]),
    REG(1, 0, 72, 34, 0, q_last_sag_v[2]),
    REG(1, 0, 32, 33, 0, q_last_sag_s[0]),
    REG(1, 0, 52, 33, 0, q_last_sag_s[1]),
    REG(1, 0, 72, 33, 0, q_last_sag_s[2]),
    REG(1, 0, 32, 38, 0, q_last_swell_v[0]),
    REG(1, 0, 52, 38, 0, q_last_swell_v[1]),
    REG(1, 0, 72, 38, 0, q_last_swell_v[2]),
    REG(1, 0, 32, 37, 0, q_last_swell_s[0]),
    REG(1, 0, 52, 37, 0, q_last_swell_s[1]),
    REG(1, 0, 72, 37, 0, q_last_swell_s[2]),
    /* tariff, profiles and their status */
    DATA(0, 0, 96, 14, 0, d_tariff, meter_acc_ro),
    {&cosem_class_activity_calendar, COSEM_OBIS(0, 0, 13, 0, 0, 255), &c_calendar,
     MGMT_ONLY(acc_calendar)},
    {&cosem_class_special_days_table, COSEM_OBIS(0, 0, 11, 0, 0, 255), &c_special_days,
     MGMT_ONLY(acc_special_days)},
    {&cosem_class_script_table, COSEM_OBIS(0, 0, 10, 0, 100, 255), &s_tariff,
     MGMT_ONLY(acc_script)},
    DATA(0, 0, 96, 10, 2, d_amr_lp, meter_acc_ro),
    DATA(0, 0, 96, 10, 4, d_amr_daily, meter_acc_ro),
    PG(1, 0, 99, 1, 0, p_lp),
    PG(1, 0, 99, 2, 0, p_daily),
    DATA(0, 0, 96, 10, 6, d_amr_monthly, meter_acc_ro),
    PG(1, 0, 98, 1, 0, p_monthly),
    /* event logs and alarms */
    DATA(0, 0, 96, 11, 0, d_event_code[METER_LOG_STANDARD], meter_acc_ro),
    DATA(0, 0, 96, 11, 1, d_event_code[METER_LOG_FRAUD], meter_acc_ro),
    DATA(0, 0, 96, 11, 5, d_event_code[METER_LOG_PQ], meter_acc_ro),
    PG(0, 0, 99, 98, 0, p_std),
    PG(0, 0, 99, 98, 1, p_fraud),
    PG(0, 0, 99, 98, 5, p_pq),
    DATA(0, 0, 97, 98, 0, d_alarm1, meter_acc_rw_value),
    DATA(0, 0, 97, 98, 10, d_filter1, meter_acc_rw_value),
    /* push (h7) */
    {&cosem_class_push_setup, COSEM_OBIS(0, 0, 25, 9, 0, 255), &p_push_sched, MGMT_ONLY(acc_push)},
    {&cosem_class_push_setup, COSEM_OBIS(0, 1, 25, 9, 0, 255), &p_push_alarm, MGMT_ONLY(acc_push)},
};

const cosem_object_t *meter_objects_esmr(size_t *count) {
    *count = COSEM_COUNT(esmr_objects);
    return esmr_objects;
}
