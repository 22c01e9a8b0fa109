/*
 * meter.c - sets up one meter: identity, associations, security context,
 * clock and the COSEM object server of its variant (see meter.h).
 */
#include "meter/meter.h"

#include <string.h>

#include "dlms/acse.h"
#include "dlms/xdlms.h"
#include "meter/objects_common.h"

/* What the server supports, per association. Public and pre-established:
 * reading with blocks and selective access. Management: everything this
 * stack serves (GET/SET/ACTION with blocks, with-list, selective access,
 * general block transfer, general-glo/ded-ciphering). */
#define CONF_READ                                                                                  \
    (DLMS_CONF_GET | DLMS_CONF_BLOCK_TRANSFER_WITH_GET_OR_READ | DLMS_CONF_SELECTIVE_ACCESS |    \
     DLMS_CONF_MULTIPLE_REFERENCES)
#define CONF_FULL                                                                                  \
    (CONF_READ | DLMS_CONF_SET | DLMS_CONF_ACTION | DLMS_CONF_BLOCK_TRANSFER_WITH_SET_OR_WRITE |  \
     DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION | DLMS_CONF_GENERAL_BLOCK_TRANSFER |                    \
     DLMS_CONF_GENERAL_PROTECTION | DLMS_CONF_DATA_NOTIFICATION)

static const char FW_CORE_ID[] = "EMT-CORE-0.1.0";
static const char FW_MODULE_ID[] = "EMT-MOD-0.1.0";

static int copy_ident(uint8_t *dst, uint8_t *len, size_t cap, const void *src, size_t n)
{
    if (n > cap)
        return METER_ERR_IDENT;
    if (n > 0)
        memcpy(dst, src, n);
    *len = (uint8_t)n;
    return 0;
}

static void assoc_setup(meter_t *m, enum meter_assoc idx, uint16_t sap, uint8_t context,
                        uint8_t mechanism, uint32_t conformance, uint16_t max_pdu)
{
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

/* After a successful SET/ACTION: what changes keys, secrets, the security
 * policy or clock settings must be persisted by the owner. */
static void meter_notify(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id)
{
    meter_t *m = app;
    (void)kind;
    (void)id;
    uint16_t cls = obj->cls->class_id;
    if ((cls == 64 || cls == 15 || cls == 8) && m->on_persist != NULL)
        m->on_persist(m->hook_user, m, obj);
}

int meter_init(meter_t *m, const meter_identity_t *id, const em_port_t *port)
{
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
    rc |= copy_ident(m->fw_module_id, &m->fw_module_id_len, sizeof(m->fw_module_id),
                     FW_MODULE_ID, sizeof(FW_MODULE_ID) - 1);
    if (rc != 0)
        return METER_ERR_IDENT;

    cosem_clock_state_cet(&m->clock);
    m->clock.time_zone = id->time_zone_min;

    memcpy(m->sec_mgmt.server_system_title, id->system_title, 8);
    m->sec_mgmt.security_suite = 0;
    m->sec_mgmt.security_policy = DLMS_SEC_POLICY_AUTH_ENCRYPTED;

    uint16_t pdu = id->max_pdu ? id->max_pdu : 1024;
    assoc_setup(m, METER_ASSOC_PUBLIC, METER_SAP_PUBLIC, DLMS_CONTEXT_LN, DLMS_MECH_NONE,
                CONF_READ, pdu);
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
    m->cosem.notify = meter_notify;
    cosem_server_services(&m->cosem, &m->services);
    return 0;
}

const cosem_object_t *meter_objects(enum meter_variant v, size_t *count)
{
    switch (v) {
    case METER_VARIANT_ESMR:
        return meter_objects_esmr(count);
    case METER_VARIANT_OMNI:
        return meter_objects_omni(count);
    }
    *count = 0;
    return NULL;
}

const char *meter_variant_name(enum meter_variant v)
{
    return v == METER_VARIANT_OMNI ? "omni" : "esmr";
}

int meter_variant_from_name(const char *name, enum meter_variant *out)
{
    if (strcmp(name, "esmr") == 0)
        *out = METER_VARIANT_ESMR;
    else if (strcmp(name, "omni") == 0)
        *out = METER_VARIANT_OMNI;
    else
        return METER_ERR_VARIANT;
    return 0;
}

int meter_read_ic(void *app, uint16_t arg, axdr_enc_t *e)
{
    (void)arg;
    const meter_t *m = app;
    return axdr_put_uint32(e, cosem_ic_for_clients(&m->sec_mgmt));
}

const char *meter_strerror(int err)
{
    switch (err) {
    case METER_ERR_BADARG:
        return "meter: invalid argument";
    case METER_ERR_VARIANT:
        return "meter: unknown variant (esmr or omni)";
    case METER_ERR_IDENT:
        return "meter: identity field empty or too long";
    default:
        return cosem_strerror(err);
    }
}
