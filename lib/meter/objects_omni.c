/*
 * objects_omni.c - object table of the OMNIPOWER-style variant (three-phase
 * DIN-rail meter with breaker and prepayment, seed 004).
 *
 * Management objects (objects_common.h), the metering objects both
 * variants carry (objects_metering.h), then what is this meter's own:
 * four tariffs for A+ and R+, maximum demand P+max / Q+max (total, T1,
 * T2) and S+max with their times and accumulated maxima, the
 * four-quadrant load profile (15, 30 or 60 minutes, the Z29 channel sets),
 * the debiting period logger with "the values saved at the end of a
 * debiting period", debit logger 2, the 24-channel analysis logger and the
 * disconnect/connect history log.
 *
 * Seed 004 publishes no OBIS codes for its loggers (dlms-facts §2.8):
 * debiting period logger 1.0.98.1.0.255 (billing values, D = 98), debit
 * logger 2 1.0.98.2.0.255, analysis logger 1.0.99.128.0.255 (E = 128, the
 * manufacturer-specific range), disconnect/connect log 0.0.99.98.2.255
 * (the IDIS disconnector control log).
 */
#include "meter/objects_metering.h"

/* ---- profiles ---------------------------------------------------------------------------- */

/* Load profile, Z29 channel set 3 (A+/A-/R+/R-) by default; a head-end
 * writes capture_objects for sets 1-5 and capture_period 900/1800/3600. */
static const dlms_capture_object_t lp_cols[] = {COL_CLOCK,
                                                COL(1, 0, 0, 96, 10, 2, 255),
                                                COL(3, 1, 0, 1, 8, 0, 255),
                                                COL(3, 1, 0, 2, 8, 0, 255),
                                                COL(3, 1, 0, 3, 8, 0, 255),
                                                COL(3, 1, 0, 4, 8, 0, 255)};

#define MAX_COLS(c, e) COL_ATTR(4, 2, 1, 0, c, 6, e, 255), COL_ATTR(4, 5, 1, 0, c, 6, e, 255)
/* Seed 004 "Permanent memory": what is saved at the end of a debiting
 * period. */
static const dlms_capture_object_t debit_cols[] = {COL_CLOCK,
                                                   COL(1, 0, 0, 0, 1, 0, 255),
                                                   COL(3, 1, 0, 1, 8, 0, 255),
                                                   COL(3, 1, 0, 2, 8, 0, 255),
                                                   COL(3, 1, 0, 3, 8, 0, 255),
                                                   COL(3, 1, 0, 4, 8, 0, 255),
                                                   COL(3, 1, 0, 9, 8, 0, 255),
                                                   COL(3, 1, 0, 10, 8, 0, 255),
                                                   COL(3, 1, 0, 1, 8, 1, 255),
                                                   COL(3, 1, 0, 1, 8, 2, 255),
                                                   COL(3, 1, 0, 1, 8, 3, 255),
                                                   COL(3, 1, 0, 1, 8, 4, 255),
                                                   COL(3, 1, 0, 3, 8, 1, 255),
                                                   COL(3, 1, 0, 3, 8, 2, 255),
                                                   COL(3, 1, 0, 3, 8, 3, 255),
                                                   COL(3, 1, 0, 3, 8, 4, 255),
                                                   MAX_COLS(1, 0),
                                                   MAX_COLS(1, 1),
                                                   MAX_COLS(1, 2),
                                                   COL(3, 1, 0, 1, 2, 0, 255),
                                                   COL(3, 1, 0, 1, 2, 1, 255),
                                                   COL(3, 1, 0, 1, 2, 2, 255),
                                                   MAX_COLS(3, 0),
                                                   MAX_COLS(3, 1),
                                                   MAX_COLS(3, 2),
                                                   COL(3, 1, 0, 3, 2, 0, 255),
                                                   MAX_COLS(9, 0)};

static const dlms_capture_object_t debit2_cols[] = {COL_CLOCK,
                                                    COL(3, 1, 0, 1, 8, 0, 255),
                                                    COL(3, 1, 0, 2, 8, 0, 255),
                                                    COL(3, 1, 0, 3, 8, 0, 255),
                                                    COL(3, 1, 0, 4, 8, 0, 255),
                                                    COL(3, 1, 0, 1, 8, 1, 255),
                                                    COL(3, 1, 0, 1, 8, 2, 255),
                                                    COL(3, 1, 0, 1, 8, 3, 255),
                                                    COL(3, 1, 0, 1, 8, 4, 255),
                                                    COL(3, 1, 0, 3, 8, 1, 255),
                                                    COL(3, 1, 0, 3, 8, 2, 255),
                                                    COL(3, 1, 0, 3, 8, 3, 255),
                                                    COL(3, 1, 0, 3, 8, 4, 255)};

/* Analysis logger default setup (Z10 000): 24 channels, hourly. */
#define PH3(c1, c2, c3, d, e)                                                                      \
    COL(3, 1, 0, c1, d, e, 255), COL(3, 1, 0, c2, d, e, 255), COL(3, 1, 0, c3, d, e, 255)
static const dlms_capture_object_t analysis_cols[] = {COL_CLOCK,
                                                      PH3(32, 52, 72, 7, 0),    /* voltages */
                                                      PH3(31, 51, 71, 7, 0),    /* currents */
                                                      PH3(21, 41, 61, 7, 0),    /* +P per phase */
                                                      PH3(22, 42, 62, 7, 0),    /* -P per phase */
                                                      PH3(33, 53, 73, 7, 0),    /* power factors */
                                                      PH3(32, 52, 72, 24, 124), /* voltage THD */
                                                      COL(3, 1, 0, 14, 7, 0, 255),
                                                      COL(3, 1, 0, 13, 7, 0, 255),
                                                      COL(3, 1, 0, 1, 7, 0, 255),
                                                      COL(3, 1, 0, 2, 7, 0, 255),
                                                      COL(3, 1, 0, 1, 8, 0, 255),
                                                      COL(3, 1, 0, 2, 8, 0, 255)};
_Static_assert(COSEM_COUNT(analysis_cols) == 25, "clock + 24 channels");

static const cosem_profile_def_t p_lp =
    PROFILE(METER_PROF_LP, lp_cols, 900, EM_METER_OMNI_LP_ENTRIES);
static const cosem_profile_def_t p_debit =
    PROFILE(METER_PROF_MONTHLY, debit_cols, 0, EM_METER_DEBIT_ENTRIES);
static const cosem_profile_def_t p_debit2 =
    PROFILE(METER_PROF_DEBIT2, debit2_cols, 0, EM_METER_DEBIT2_ENTRIES);
static const cosem_profile_def_t p_analysis =
    PROFILE(METER_PROF_ANALYSIS, analysis_cols, 3600, EM_METER_ANALYSIS_ENTRIES);

/* ---- the table ----------------------------------------------------------------------------- */

#define TARIFFS4(c, base)                                                                          \
    ENERGY_REG(c, 1, base), ENERGY_REG(c, 2, base + 1), ENERGY_REG(c, 3, base + 2),                \
        ENERGY_REG(c, 4, base + 3)

static const cosem_object_t omni_objects[] = {
    METER_MANAGEMENT_OBJECTS,
    METER_ENERGY_OBJECTS,
    TARIFFS4(1, METER_E_A_PLUS_T1),
    TARIFFS4(3, METER_E_R_PLUS_T1),
    METER_INSTANT_OBJECTS,
    METER_PQ_OBJECTS,
    METER_DEMAND_OBJECTS(1, METER_DQ_P),
    METER_DEMAND_OBJECTS(3, METER_DQ_Q),
    METER_OBJ(cosem_class_demand_register, 1, 0, 9, 4, 0, meter_def_demand[METER_DQ_S],
              meter_acc_demand),
    METER_OBJ(cosem_class_extended_register, 1, 0, 9, 6, 0, meter_def_max[METER_DQ_S][0],
              meter_acc_ro),
    METER_BILLING_TARIFF_OBJECTS,
    METER_PUSH_OBJECTS,
    /* loggers */
    DATA(0, 0, 96, 10, 2, meter_def_amr_lp, meter_acc_ro),
    PG_CFG(1, 0, 99, 1, 0, p_lp),
    PG(1, 0, 98, 1, 0, p_debit),
    PG(1, 0, 98, 2, 0, p_debit2),
    PG_CFG(1, 0, 99, 128, 0, p_analysis),
    METER_UPGRADE_OBJECTS, /* upgrade (w1) */
    METER_MODULE_IO_OBJECTS, /* modem and module I/O (w4) */
    METER_DEVICES_OBJECTS, /* devices (w2): error register, display lists */
    METER_BREAKER_OBJECTS, /* breaker and prepayment (w3) */
    METER_PREPAY_OBJECTS,
    /* event logs and alarms */
    METER_EVENT_OBJECTS,
    DATA(0, 0, 96, 11, 2, meter_def_event_code[METER_LOG_BREAKER], meter_acc_ro),
    PG(0, 0, 99, 98, 2, meter_def_log_breaker),
};

const cosem_object_t *meter_objects_omni(size_t *count) {
    *count = COSEM_COUNT(omni_objects);
    return omni_objects;
}
