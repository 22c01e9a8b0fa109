/*
 * objects_common.h - the management objects every emeter variant carries
 * (logical device name, clock, associations, SAP assignment, security
 * setup, invocation counter, device ids, firmware identifiers), shared by
 * objects_esmr.c and objects_omni.c as one list macro so the two tables
 * cannot drift apart.
 *
 * OBIS codes: dlms-facts §2.2 and §2.5. Association LN instances
 * 0.0.40.0.e.255 are numbered e = association index + 1 (public 1,
 * management 2, pre-established 3, LLS 4); 0.0.40.0.0.255 is always the
 * caller's own association.
 */
#ifndef EMETER_OBJECTS_COMMON_H
#define EMETER_OBJECTS_COMMON_H

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "meter/meter.h"

/* Access rights, per association. */
extern const cosem_access_t meter_acc_ro;            /* read every attribute */
extern const cosem_access_t meter_acc_mgmt;          /* read/write/methods, ciphered only */
extern const cosem_access_t meter_acc_assoc_own;     /* own association: all but the secret */
extern const cosem_access_t meter_acc_assoc_own_hls; /* ... and reply_to_HLS_authentication */
extern const cosem_access_t meter_acc_assoc_own_lls; /* ... and writing its own LLS secret */
extern const cosem_access_t
    meter_acc_assoc_other; /* another association's object: all but the secret */
extern const cosem_access_t meter_acc_clock_pub; /* logical name and time */
extern const cosem_access_t meter_acc_sec_mgmt;  /* security setup: read, methods, ciphered */
extern const cosem_access_t meter_acc_rw_value;  /* read all, write the value (alarm register) */
extern const cosem_access_t meter_acc_profile;   /* read all, reset and capture */

/* Class definitions. */
extern const cosem_data_def_t meter_def_ldn, meter_def_serial, meter_def_equipment_id, meter_def_ic,
    meter_def_fw_core_id, meter_def_fw_core_sig, meter_def_fw_module_id;
extern const cosem_clock_def_t meter_def_clock;
extern const cosem_assoc_ln_def_t meter_def_assoc_current, meter_def_assoc_public,
    meter_def_assoc_mgmt, meter_def_assoc_pre, meter_def_assoc_lls;
extern const cosem_sap_assignment_def_t meter_def_sap;
extern const cosem_security_setup_def_t meter_def_sec_mgmt;

/* The variant tables (objects_esmr.c, objects_omni.c). */
const cosem_object_t *meter_objects_esmr(size_t *count);
const cosem_object_t *meter_objects_omni(size_t *count);

#define M_PUB  METER_ASSOC_PUBLIC
#define M_MGMT METER_ASSOC_MANAGEMENT
#define M_PRE  METER_ASSOC_PRE_ESTABLISHED
#define M_LLS  METER_ASSOC_LLS

/* The entries, for inclusion in a variant's cosem_object_t[] table. */
#define METER_MANAGEMENT_OBJECTS                                                                   \
    {&cosem_class_data,                                                                            \
     COSEM_OBIS(0, 0, 42, 0, 0, 255),                                                              \
     &meter_def_ldn,                                                                               \
     {[M_PUB] = &meter_acc_ro,                                                                     \
      [M_MGMT] = &meter_acc_ro,                                                                    \
      [M_PRE] = &meter_acc_ro,                                                                     \
      [M_LLS] = &meter_acc_ro}},                                                                   \
        {&cosem_class_clock,                                                                       \
         COSEM_OBIS(0, 0, 1, 0, 0, 255),                                                           \
         &meter_def_clock,                                                                         \
         {[M_PUB] = &meter_acc_clock_pub,                                                          \
          [M_MGMT] = &meter_acc_mgmt,                                                              \
          [M_PRE] = &meter_acc_clock_pub,                                                          \
          [M_LLS] = &meter_acc_ro}},                                                               \
        {&cosem_class_association_ln,                                                              \
         COSEM_OBIS(0, 0, 40, 0, 0, 255),                                                          \
         &meter_def_assoc_current,                                                                 \
         {[M_PUB] = &meter_acc_assoc_own,                                                          \
          [M_MGMT] = &meter_acc_assoc_own_hls,                                                     \
          [M_PRE] = &meter_acc_assoc_own,                                                          \
          [M_LLS] = &meter_acc_assoc_own_lls}},                                                    \
        {&cosem_class_association_ln,                                                              \
         COSEM_OBIS(0, 0, 40, 0, 1, 255),                                                          \
         &meter_def_assoc_public,                                                                  \
         {[M_MGMT] = &meter_acc_assoc_other}},                                                     \
        {&cosem_class_association_ln,                                                              \
         COSEM_OBIS(0, 0, 40, 0, 2, 255),                                                          \
         &meter_def_assoc_mgmt,                                                                    \
         {[M_MGMT] = &meter_acc_assoc_other}},                                                     \
        {&cosem_class_association_ln,                                                              \
         COSEM_OBIS(0, 0, 40, 0, 3, 255),                                                          \
         &meter_def_assoc_pre,                                                                     \
         {[M_MGMT] = &meter_acc_assoc_other}},                                                     \
        {&cosem_class_association_ln,                                                              \
         COSEM_OBIS(0, 0, 40, 0, 4, 255),                                                          \
         &meter_def_assoc_lls,                                                                     \
         {[M_MGMT] = &meter_acc_assoc_other}},                                                     \
        {&cosem_class_sap_assignment,                                                              \
         COSEM_OBIS(0, 0, 41, 0, 0, 255),                                                          \
         &meter_def_sap,                                                                           \
         {[M_PUB] = &meter_acc_ro, [M_MGMT] = &meter_acc_ro, [M_LLS] = &meter_acc_ro}},            \
        {&cosem_class_security_setup,                                                              \
         COSEM_OBIS(0, 0, 43, 0, 0, 255),                                                          \
         &meter_def_sec_mgmt,                                                                      \
         {[M_MGMT] = &meter_acc_sec_mgmt}},                                                        \
        {&cosem_class_data,                                                                        \
         COSEM_OBIS(0, 0, 43, 1, 0, 255),                                                          \
         &meter_def_ic,                                                                            \
         {[M_PUB] = &meter_acc_ro, [M_MGMT] = &meter_acc_ro, [M_PRE] = &meter_acc_ro}},            \
        {&cosem_class_data,                                                                        \
         COSEM_OBIS(0, 0, 96, 1, 0, 255),                                                          \
         &meter_def_serial,                                                                        \
         {[M_PUB] = &meter_acc_ro, [M_MGMT] = &meter_acc_ro, [M_LLS] = &meter_acc_ro}},            \
        {&cosem_class_data,                                                                        \
         COSEM_OBIS(0, 0, 96, 1, 1, 255),                                                          \
         &meter_def_equipment_id,                                                                  \
         {[M_MGMT] = &meter_acc_ro, [M_LLS] = &meter_acc_ro}},                                     \
        {&cosem_class_data,                                                                        \
         COSEM_OBIS(1, 0, 0, 2, 0, 255),                                                           \
         &meter_def_fw_core_id,                                                                    \
         {[M_PUB] = &meter_acc_ro, [M_MGMT] = &meter_acc_ro, [M_LLS] = &meter_acc_ro}},            \
        {&cosem_class_data,                                                                        \
         COSEM_OBIS(1, 0, 0, 2, 8, 255),                                                           \
         &meter_def_fw_core_sig,                                                                   \
         {[M_MGMT] = &meter_acc_ro}},                                                              \
    {                                                                                              \
        &cosem_class_data, COSEM_OBIS(1, 1, 0, 2, 0, 255), &meter_def_fw_module_id, {              \
            [M_PUB] = &meter_acc_ro, [M_MGMT] = &meter_acc_ro, [M_LLS] = &meter_acc_ro             \
        }                                                                                          \
    }

#endif /* EMETER_OBJECTS_COMMON_H */
