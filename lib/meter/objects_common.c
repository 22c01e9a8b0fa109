/*
 * objects_common.c - definitions and access rights of the management
 * objects shared by every variant (see objects_common.h).
 */
#include "meter/objects_common.h"

#define APP meter_t

const cosem_access_t meter_acc_ro = COSEM_ACCESS_RO;
/* The management association is HLS-5 with every APDU ciphered (security
 * policy 3), so "authenticated" access modes are what it shows. */
const cosem_access_t meter_acc_mgmt = {.read = COSEM_ALL,
                                       .write = COSEM_ALL,
                                       .auth = COSEM_ALL,
                                       .method = 0xFFFEu,
                                       .method_auth = 0xFFFEu};
/* Own association: everything but the secret (7) readable. HLS-5 clients
 * also invoke reply_to_HLS_authentication (1); an LLS client may change
 * its password by writing the secret. */
const cosem_access_t meter_acc_assoc_own = {.read = COSEM_ALL & ~COSEM_BIT(7)};
const cosem_access_t meter_acc_assoc_own_hls = {.read = COSEM_ALL & ~COSEM_BIT(7),
                                                .method = COSEM_BIT(1)};
const cosem_access_t meter_acc_assoc_own_lls = {.read = COSEM_ALL & ~COSEM_BIT(7),
                                                .write = COSEM_BIT(7)};
/* The management client's view of the other associations: everything but
 * the secret, which no one can read. */
const cosem_access_t meter_acc_assoc_other = {.read = COSEM_ALL & ~COSEM_BIT(7)};
/* Public client and pre-established client: the time, as DSMR head-ends
 * read it before they open the management association. */
const cosem_access_t meter_acc_clock_pub = {.read = COSEM_BIT(1) | COSEM_BIT(2)};
/* Security setup: attributes readable, security_activate and
 * global_key_transfer invocable, all only over ciphered requests. */
const cosem_access_t meter_acc_sec_mgmt = {
    .read = COSEM_ALL, .auth = COSEM_ALL, .method = 0x0006u, .method_auth = 0x0006u};

/* Alarm register and filter: the head-end writes attribute 2 (DSMR), over
 * ciphered requests only, like every change of the management client. */
const cosem_access_t meter_acc_rw_value = {
    .read = COSEM_ALL, .write = COSEM_BIT(2), .auth = COSEM_BIT(2)};
/* Profiles and event logs: readable; reset (1, which logs event 255 in an
 * event log) and capture (2) for the management client. Their
 * configuration (capture objects, period, entries) is fixed by the SMR 5
 * profile, so not writable here. Methods only over ciphered requests. */
const cosem_access_t meter_acc_profile = {.read = COSEM_ALL, .method = COSEM_BIT(1) | COSEM_BIT(2)};

const cosem_data_def_t meter_def_ldn = {COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, ldn, ldn_len)};
const cosem_data_def_t meter_def_serial = {
    COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, serial, serial_len)};
const cosem_data_def_t meter_def_equipment_id = {
    COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, equipment_id, equipment_id_len)};
const cosem_data_def_t meter_def_ic = {COSEM_CALL(meter_read_ic, NULL, 0)};
const cosem_data_def_t meter_def_fw_core_id = {
    COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, fw_core_id, fw_core_id_len)};
const cosem_data_def_t meter_def_fw_core_sig = {
    COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, fw_core_sig, fw_core_sig_len)};
const cosem_data_def_t meter_def_fw_module_id = {
    COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, fw_module_id, fw_module_id_len)};

const cosem_clock_def_t meter_def_clock = {.state = COSEM_STATE(cosem_clock_state_t, APP, clock),
                                           .measuring_period = 900};

const cosem_assoc_ln_def_t meter_def_assoc_current = {.assoc_index = -1};
const cosem_assoc_ln_def_t meter_def_assoc_public = {.assoc_index = METER_ASSOC_PUBLIC};
const cosem_assoc_ln_def_t meter_def_assoc_mgmt = {.assoc_index = METER_ASSOC_MANAGEMENT};
const cosem_assoc_ln_def_t meter_def_assoc_pre = {.assoc_index = METER_ASSOC_PRE_ESTABLISHED};
const cosem_assoc_ln_def_t meter_def_assoc_lls = {.assoc_index = METER_ASSOC_LLS};

static const cosem_sap_entry_t meter_saps[] = {
    {METER_SERVER_SAP, COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, ldn, ldn_len)},
};
const cosem_sap_assignment_def_t meter_def_sap = {meter_saps, 1};

const cosem_security_setup_def_t meter_def_sec_mgmt = {.sec_index = 0};
