/*
 * objects_metering.h - the metering objects both variants carry, as
 * definitions and table-row macros, so objects_esmr.c and objects_omni.c
 * list them once (OBIS codes: dlms-facts §2.3-§2.7; DSMR/SMR 5 scalers):
 * energy registers, instantaneous and 10-minute average values, power
 * quality counters and thresholds, tariff indicator, event logs with
 * their last event code objects, alarm registers 1-3 and filters, power
 * failure counters, demand and maximum demand, and the end of billing.
 *
 * The metering objects are visible to the management client only (the P3
 * head-end association), reads in clear or ciphered, every change over
 * ciphered requests (meter_acc_* of objects_common.h and below).
 */
#ifndef EMETER_OBJECTS_METERING_H
#define EMETER_OBJECTS_METERING_H

#include "meter/objects_common.h"

/* ---- access -------------------------------------------------------------------- */

/* Profiles whose configuration a head-end sets (definable load profile,
 * omni load profile channels and period, analysis logger): + write of
 * capture_objects (3) and capture_period (4). */
extern const cosem_access_t meter_acc_profile_cfg;
/* Single action schedule / script table: all attributes written, the
 * script table's execute invoked, ciphered only. */
extern const cosem_access_t meter_acc_schedule;
extern const cosem_access_t meter_acc_script;
/* Demand register: read, methods reset (1) and next_period (2). */
extern const cosem_access_t meter_acc_demand;

/* ---- definitions ------------------------------------------------------------------- */

extern const cosem_register_def_t meter_def_energy[METER_E_COUNT];
/* Instantaneous values: V, I, +P, -P, PF per phase; totals. */
extern const cosem_register_def_t meter_def_voltage[3], meter_def_current[3],
    meter_def_p_plus_ph[3], meter_def_p_minus_ph[3], meter_def_pf_ph[3], meter_def_p_plus,
    meter_def_p_minus, meter_def_freq, meter_def_pf, meter_def_neutral;
extern const cosem_register_def_t meter_def_avg[METER_AVG_COUNT];
extern const cosem_data_def_t meter_def_sags[3], meter_def_swells[3];
extern const cosem_register_def_t meter_def_sag_v, meter_def_swell_v, meter_def_sag_s,
    meter_def_swell_s, meter_def_last_sag_v[3], meter_def_last_sag_s[3], meter_def_last_swell_v[3],
    meter_def_last_swell_s[3];
extern const cosem_data_def_t meter_def_tariff, meter_def_amr_lp, meter_def_amr_daily,
    meter_def_amr_monthly;
extern const cosem_data_def_t meter_def_event_code[METER_LOG_COUNT];
extern const cosem_data_def_t meter_def_event_magnitude, meter_def_event_duration,
    meter_def_comm_counter;
extern const cosem_data_def_t meter_def_alarm[METER_ALARM_REGS], meter_def_filter[METER_ALARM_REGS];
extern const cosem_data_def_t meter_def_pf_count, meter_def_lpf_count;
extern const cosem_register_def_t meter_def_lpf_threshold, meter_def_lpf_duration;
extern const cosem_profile_def_t meter_def_log_std, meter_def_log_fraud, meter_def_log_pq,
    meter_def_log_pq_ext, meter_def_log_thd, meter_def_log_power, meter_def_log_comm,
    meter_def_log_breaker;
extern const cosem_demand_register_def_t meter_def_demand[METER_DQ_COUNT];
extern const cosem_ext_register_def_t meter_def_max[METER_DQ_COUNT][3]; /* total, T1, T2 */
extern const cosem_register_def_t meter_def_cum[METER_DQ_COUNT][3];
extern const cosem_data_def_t meter_def_billing_counter, meter_def_billing_time;
extern const cosem_single_action_def_t meter_def_billing_schedule;
extern const cosem_script_table_def_t meter_def_billing_scripts;
extern const cosem_script_table_def_t meter_def_tariff_scripts;
extern const cosem_activity_calendar_def_t meter_def_calendar;
extern const cosem_special_days_def_t meter_def_special_days;
extern const cosem_access_t meter_acc_calendar, meter_acc_special_days;

extern const cosem_push_setup_def_t meter_def_push_sched, meter_def_push_alarm;
extern const cosem_single_action_def_t meter_def_push_schedule;
extern const cosem_script_table_def_t meter_def_push_scripts;
extern const cosem_access_t meter_acc_push;

/* ---- row macros ------------------------------------------------------------------ */

#define MGMT_ONLY(acc)                                                                             \
    { [M_MGMT] = &(acc) }
#define METER_OBJ(cls, a, b, c, d, e, def, acc)                                                    \
    { &(cls), COSEM_OBIS(a, b, c, d, e, 255), &(def), MGMT_ONLY(acc) }
#define REG(a, b, c, d, e, def) METER_OBJ(cosem_class_register, a, b, c, d, e, def, meter_acc_ro)
#define REG_RW(a, b, c, d, e, def)                                                                 \
    METER_OBJ(cosem_class_register, a, b, c, d, e, def, meter_acc_rw_value)
#define DATA(a, b, c, d, e, def, acc) METER_OBJ(cosem_class_data, a, b, c, d, e, def, acc)
#define PG(a, b, c, d, e, def)                                                                     \
    METER_OBJ(cosem_class_profile_generic, a, b, c, d, e, def, meter_acc_profile)
#define PG_CFG(a, b, c, d, e, def)                                                                 \
    METER_OBJ(cosem_class_profile_generic, a, b, c, d, e, def, meter_acc_profile_cfg)
#define ENERGY_REG(c, e, idx) REG(1, 0, c, 8, e, meter_def_energy[idx])

/* Energy totals, four quadrants, apparent, per phase (both variants). */
#define METER_ENERGY_OBJECTS                                                                       \
    ENERGY_REG(1, 0, METER_E_A_PLUS), ENERGY_REG(2, 0, METER_E_A_MINUS),                           \
        ENERGY_REG(3, 0, METER_E_R_PLUS), ENERGY_REG(4, 0, METER_E_R_MINUS),                       \
        ENERGY_REG(5, 0, METER_E_R1), ENERGY_REG(6, 0, METER_E_R2), ENERGY_REG(7, 0, METER_E_R3),  \
        ENERGY_REG(8, 0, METER_E_R4), ENERGY_REG(9, 0, METER_E_S_PLUS),                            \
        ENERGY_REG(10, 0, METER_E_S_MINUS), ENERGY_REG(15, 0, METER_E_A_ABS),                      \
        ENERGY_REG(21, 0, METER_E_A_PLUS_L1), ENERGY_REG(41, 0, METER_E_A_PLUS_L2),                \
        ENERGY_REG(61, 0, METER_E_A_PLUS_L3), ENERGY_REG(22, 0, METER_E_A_MINUS_L1),               \
        ENERGY_REG(42, 0, METER_E_A_MINUS_L2), ENERGY_REG(62, 0, METER_E_A_MINUS_L3)

#define PHASES3(a, c1, c2, c3, d, e, defs)                                                         \
    REG(a, 0, c1, d, e, defs[0]), REG(a, 0, c2, d, e, defs[1]), REG(a, 0, c3, d, e, defs[2])

/* Instantaneous values, 10-minute averages and THD (both variants). */
#define METER_INSTANT_OBJECTS                                                                      \
    REG(1, 0, 1, 7, 0, meter_def_p_plus), REG(1, 0, 2, 7, 0, meter_def_p_minus),                   \
        PHASES3(1, 21, 41, 61, 7, 0, meter_def_p_plus_ph),                                         \
        PHASES3(1, 22, 42, 62, 7, 0, meter_def_p_minus_ph),                                        \
        PHASES3(1, 32, 52, 72, 7, 0, meter_def_voltage),                                           \
        PHASES3(1, 31, 51, 71, 7, 0, meter_def_current), REG(1, 0, 91, 7, 0, meter_def_neutral),   \
        REG(1, 0, 14, 7, 0, meter_def_freq), REG(1, 0, 13, 7, 0, meter_def_pf),                    \
        PHASES3(1, 33, 53, 73, 7, 0, meter_def_pf_ph),                                             \
        PHASES3(1, 32, 52, 72, 24, 0, (meter_def_avg + METER_AVG_V)),                              \
        PHASES3(1, 31, 51, 71, 24, 0, (meter_def_avg + METER_AVG_I)),                              \
        PHASES3(1, 32, 52, 72, 24, 124, (meter_def_avg + METER_AVG_THD_V)),                        \
        PHASES3(1, 31, 51, 71, 24, 124, (meter_def_avg + METER_AVG_THD_I))

/* Sag/swell counters, thresholds, last sag/swell per phase (SMR 5.2). */
#define METER_PQ_OBJECTS                                                                           \
    DATA(1, 0, 32, 32, 0, meter_def_sags[0], meter_acc_ro),                                        \
        DATA(1, 0, 52, 32, 0, meter_def_sags[1], meter_acc_ro),                                    \
        DATA(1, 0, 72, 32, 0, meter_def_sags[2], meter_acc_ro),                                    \
        DATA(1, 0, 32, 36, 0, meter_def_swells[0], meter_acc_ro),                                  \
        DATA(1, 0, 52, 36, 0, meter_def_swells[1], meter_acc_ro),                                  \
        DATA(1, 0, 72, 36, 0, meter_def_swells[2], meter_acc_ro),                                  \
        REG_RW(1, 0, 12, 31, 0, meter_def_sag_v), REG_RW(1, 0, 12, 35, 0, meter_def_swell_v),      \
        REG_RW(1, 0, 12, 43, 0, meter_def_sag_s), REG_RW(1, 0, 12, 44, 0, meter_def_swell_s),      \
        PHASES3(1, 32, 52, 72, 34, 0, meter_def_last_sag_v),                                       \
        PHASES3(1, 32, 52, 72, 33, 0, meter_def_last_sag_s),                                       \
        PHASES3(1, 32, 52, 72, 38, 0, meter_def_last_swell_v),                                     \
        PHASES3(1, 32, 52, 72, 37, 0, meter_def_last_swell_s)

/* The event logs both variants keep, their last event codes, the power
 * failure log and counters, the alarm registers. */
#define METER_EVENT_OBJECTS                                                                        \
    DATA(0, 0, 96, 11, 0, meter_def_event_code[METER_LOG_STANDARD], meter_acc_ro),                 \
        DATA(0, 0, 96, 11, 1, meter_def_event_code[METER_LOG_FRAUD], meter_acc_ro),                \
        DATA(0, 0, 96, 11, 5, meter_def_event_code[METER_LOG_PQ], meter_acc_ro),                   \
        DATA(0, 0, 96, 11, 7, meter_def_event_code[METER_LOG_PQ_EXT], meter_acc_ro),               \
        DATA(0, 0, 96, 11, 20, meter_def_event_magnitude, meter_acc_ro),                           \
        DATA(0, 0, 96, 11, 21, meter_def_event_duration, meter_acc_ro),                            \
        PG(0, 0, 99, 98, 0, meter_def_log_std), PG(0, 0, 99, 98, 1, meter_def_log_fraud),          \
        PG(0, 0, 99, 98, 5, meter_def_log_pq), PG(0, 0, 99, 98, 7, meter_def_log_pq_ext),          \
        DATA(0, 0, 96, 7, 21, meter_def_pf_count, meter_acc_ro),                                   \
        DATA(0, 0, 96, 7, 9, meter_def_lpf_count, meter_acc_ro),                                   \
        REG_RW(0, 0, 96, 7, 20, meter_def_lpf_threshold),                                          \
        REG(0, 0, 96, 7, 19, meter_def_lpf_duration), PG(1, 0, 99, 97, 0, meter_def_log_power),    \
        DATA(0, 0, 97, 98, 0, meter_def_alarm[0], meter_acc_rw_value),                             \
        DATA(0, 0, 97, 98, 1, meter_def_alarm[1], meter_acc_rw_value),                             \
        DATA(0, 0, 97, 98, 2, meter_def_alarm[2], meter_acc_rw_value),                             \
        DATA(0, 0, 97, 98, 10, meter_def_filter[0], meter_acc_rw_value),                           \
        DATA(0, 0, 97, 98, 11, meter_def_filter[1], meter_acc_rw_value),                           \
        DATA(0, 0, 97, 98, 12, meter_def_filter[2], meter_acc_rw_value)

/* Demand, maximum demand (total, T1, T2) and cumulative maximum of one
 * quantity: c = 1 (P+), 3 (Q+), 9 (S+). */
#define METER_DEMAND_OBJECTS(c, q)                                                                 \
    METER_OBJ(cosem_class_demand_register, 1, 0, c, 4, 0, meter_def_demand[q], meter_acc_demand),  \
        METER_OBJ(cosem_class_extended_register, 1, 0, c, 6, 0, meter_def_max[q][0],               \
                  meter_acc_ro),                                                                   \
        METER_OBJ(cosem_class_extended_register, 1, 0, c, 6, 1, meter_def_max[q][1],               \
                  meter_acc_ro),                                                                   \
        METER_OBJ(cosem_class_extended_register, 1, 0, c, 6, 2, meter_def_max[q][2],               \
                  meter_acc_ro),                                                                   \
        REG(1, 0, c, 2, 0, meter_def_cum[q][0]), REG(1, 0, c, 2, 1, meter_def_cum[q][1]),          \
        REG(1, 0, c, 2, 2, meter_def_cum[q][2])

/* End of billing, tariff indicator and the activity calendar with its
 * special days and tariffication script table (both variants). */
#define METER_BILLING_TARIFF_OBJECTS                                                               \
    DATA(0, 0, 0, 1, 0, meter_def_billing_counter, meter_acc_ro),                                  \
        DATA(0, 0, 0, 1, 2, meter_def_billing_time, meter_acc_ro),                                 \
        METER_OBJ(cosem_class_single_action_schedule, 0, 0, 15, 0, 0, meter_def_billing_schedule,  \
                  meter_acc_schedule),                                                             \
        METER_OBJ(cosem_class_script_table, 0, 0, 10, 0, 1, meter_def_billing_scripts,             \
                  meter_acc_script),                                                               \
        DATA(0, 0, 96, 14, 0, meter_def_tariff, meter_acc_ro),                                     \
        METER_OBJ(cosem_class_activity_calendar, 0, 0, 13, 0, 0, meter_def_calendar,               \
                  meter_acc_calendar),                                                             \
        METER_OBJ(cosem_class_special_days_table, 0, 0, 11, 0, 0, meter_def_special_days,          \
                  meter_acc_special_days),                                                         \
        METER_OBJ(cosem_class_script_table, 0, 0, 10, 0, 100, meter_def_tariff_scripts,            \
                  meter_acc_script)

/* Push setup (class 40): scheduled 0.0.25.9.0.255 driven by the single
 * action schedule 0.0.15.0.4.255 through the push script table
 * 0.0.10.0.108.255, and the alarm push 0.1.25.9.0.255 (docs/push.md). */
#define METER_PUSH_OBJECTS                                                                         \
    METER_OBJ(cosem_class_push_setup, 0, 0, 25, 9, 0, meter_def_push_sched, meter_acc_push),       \
        METER_OBJ(cosem_class_push_setup, 0, 1, 25, 9, 0, meter_def_push_alarm, meter_acc_push),   \
        METER_OBJ(cosem_class_single_action_schedule, 0, 0, 15, 0, 4, meter_def_push_schedule,     \
                  meter_acc_schedule),                                                             \
        METER_OBJ(cosem_class_script_table, 0, 0, 10, 0, 108, meter_def_push_scripts,              \
                  meter_acc_script)

/* Capture object of attribute 2 (a column), and of another attribute. */
#define COL(cls, ...)                                                                              \
    { (cls), {__VA_ARGS__}, 2, 0 }
#define COL_ATTR(cls, attr, ...)                                                                   \
    { (cls), {__VA_ARGS__}, (attr), 0 }
#define COL_CLOCK COL(8, 0, 0, 1, 0, 0, 255)

/* A profile definition; rows attached by meter_init (profiles.h). */
#define PROFILE(slot, cols, period, entries)                                                       \
    {                                                                                              \
        .state = COSEM_STATE(cosem_profile_state_t, meter_t, prof[slot]), .rows = COSEM_NO_OFFSET, \
        .capture_objects = (cols), .capture_count = (uint8_t)COSEM_COUNT(cols),                    \
        .capture_period = (period), .profile_entries = (entries)                                   \
    }

#endif /* EMETER_OBJECTS_METERING_H */
