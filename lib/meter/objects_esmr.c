/*
 * objects_esmr.c - object table of the ESMR 5 variant (CompactIQ-style
 * three-phase LTE-M meter, seed 000; OBIS codes per DSMR/SMR 5,
 * dlms-facts §2.3-§2.7).
 *
 * Management objects (objects_common.h), the metering objects both
 * variants carry (objects_metering.h), then what is ESMR's own: two
 * tariffs for A+ and A-, the E 15-minute load profile, daily values and
 * monthly billing values with their AMR profile status, the power quality
 * profiles, the definable load profile, the PQ THD and communication
 * session logs, demand and maximum demand of A+.
 */
#include "meter/objects_metering.h"

/* ---- profiles (dlms-facts §2.5) ---------------------------------------------------------- */

static const dlms_capture_object_t lp_cols[] = {COL_CLOCK, COL(1, 0, 0, 96, 10, 2, 255),
                                                COL(3, 1, 0, 1, 8, 0, 255),
                                                COL(3, 1, 0, 2, 8, 0, 255)};
#define TARIFF_COLS                                                                                \
    COL(3, 1, 0, 1, 8, 1, 255), COL(3, 1, 0, 1, 8, 2, 255), COL(3, 1, 0, 2, 8, 1, 255),            \
        COL(3, 1, 0, 2, 8, 2, 255)
static const dlms_capture_object_t daily_cols[] = {COL_CLOCK, COL(1, 0, 0, 96, 10, 4, 255),
                                                   TARIFF_COLS};
static const dlms_capture_object_t monthly_cols[] = {COL_CLOCK, COL(1, 0, 0, 96, 10, 6, 255),
                                                     TARIFF_COLS};
/* Power quality profile 1 (15 min): 10-minute average voltages and
 * currents, import and export power; profile 2 (10 min): average voltages
 * and voltage THD (SMR 5 leaves the columns to the meter). */
#define AVG_V_COLS                                                                                 \
    COL(3, 1, 0, 32, 24, 0, 255), COL(3, 1, 0, 52, 24, 0, 255), COL(3, 1, 0, 72, 24, 0, 255)
static const dlms_capture_object_t pq1_cols[] = {COL_CLOCK,
                                                 AVG_V_COLS,
                                                 COL(3, 1, 0, 31, 24, 0, 255),
                                                 COL(3, 1, 0, 51, 24, 0, 255),
                                                 COL(3, 1, 0, 71, 24, 0, 255),
                                                 COL(3, 1, 0, 1, 7, 0, 255),
                                                 COL(3, 1, 0, 2, 7, 0, 255)};
static const dlms_capture_object_t pq2_cols[] = {
    COL_CLOCK, AVG_V_COLS, COL(3, 1, 0, 32, 24, 124, 255), COL(3, 1, 0, 52, 24, 124, 255),
    COL(3, 1, 0, 72, 24, 124, 255)};
/* Definable load profile: instantaneous voltages and currents until a
 * head-end writes its own capture_objects (up to 16 columns after the
 * clock, METER_DEFINABLE_ROW). */
static const dlms_capture_object_t definable_cols[] = {COL_CLOCK,
                                                       COL(3, 1, 0, 32, 7, 0, 255),
                                                       COL(3, 1, 0, 52, 7, 0, 255),
                                                       COL(3, 1, 0, 72, 7, 0, 255),
                                                       COL(3, 1, 0, 31, 7, 0, 255),
                                                       COL(3, 1, 0, 51, 7, 0, 255),
                                                       COL(3, 1, 0, 71, 7, 0, 255)};

static const cosem_profile_def_t p_lp = PROFILE(METER_PROF_LP, lp_cols, 900, EM_METER_LP_ENTRIES);
static const cosem_profile_def_t p_daily =
    PROFILE(METER_PROF_DAILY, daily_cols, 86400, EM_METER_DAILY_ENTRIES);
static const cosem_profile_def_t p_monthly =
    PROFILE(METER_PROF_MONTHLY, monthly_cols, 0, EM_METER_MONTHLY_ENTRIES);
static const cosem_profile_def_t p_pq1 =
    PROFILE(METER_PROF_PQ1, pq1_cols, 900, EM_METER_PQ1_ENTRIES);
static const cosem_profile_def_t p_pq2 =
    PROFILE(METER_PROF_PQ2, pq2_cols, 600, EM_METER_PQ2_ENTRIES);
static const cosem_profile_def_t p_definable =
    PROFILE(METER_PROF_DEFINABLE, definable_cols, 900, EM_METER_LP_ENTRIES);

/* ---- the table ----------------------------------------------------------------------------- */

static const cosem_object_t esmr_objects[] = {
    METER_MANAGEMENT_OBJECTS,
    METER_ENERGY_OBJECTS,
    ENERGY_REG(1, 1, METER_E_A_PLUS_T1),
    ENERGY_REG(1, 2, METER_E_A_PLUS_T1 + 1),
    ENERGY_REG(2, 1, METER_E_A_MINUS_T1),
    ENERGY_REG(2, 2, METER_E_A_MINUS_T1 + 1),
    METER_INSTANT_OBJECTS,
    METER_PQ_OBJECTS,
    METER_DEMAND_OBJECTS(1, METER_DQ_P),
    METER_BILLING_TARIFF_OBJECTS,
    METER_PUSH_OBJECTS,
    /* profiles and their status */
    DATA(0, 0, 96, 10, 2, meter_def_amr_lp, meter_acc_ro),
    DATA(0, 0, 96, 10, 4, meter_def_amr_daily, meter_acc_ro),
    DATA(0, 0, 96, 10, 6, meter_def_amr_monthly, meter_acc_ro),
    PG(1, 0, 99, 1, 0, p_lp),
    PG(1, 0, 99, 2, 0, p_daily),
    PG(1, 0, 98, 1, 0, p_monthly),
    PG(1, 0, 99, 1, 1, p_pq1),
    PG(1, 0, 99, 1, 2, p_pq2),
    PG_CFG(0, 1, 94, 31, 6, p_definable),
    METER_UPGRADE_OBJECTS, /* upgrade (w1) */
    METER_MODEM_OBJECTS, /* modem and module I/O (w4) */
    METER_DEVICES_OBJECTS, /* devices (w2): error register, display lists */
    METER_BREAKER_OBJECTS, /* breaker (w3): present with meter_identity_t.breaker */
    /* event logs and alarms */
    METER_EVENT_OBJECTS,
    DATA(0, 0, 96, 11, 8, meter_def_event_code[METER_LOG_THD], meter_acc_ro),
    DATA(0, 0, 96, 11, 22, meter_def_event_magnitude, meter_acc_ro),
    PG(0, 0, 99, 98, 8, meter_def_log_thd),
    DATA(0, 0, 96, 11, 4, meter_def_event_code[METER_LOG_COMM], meter_acc_ro),
    DATA(0, 0, 96, 15, 4, meter_def_comm_counter, meter_acc_ro),
    PG(0, 0, 99, 98, 4, meter_def_log_comm),
};

const cosem_object_t *meter_objects_esmr(size_t *count) {
    *count = COSEM_COUNT(esmr_objects);
    return esmr_objects;
}
