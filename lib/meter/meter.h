/*
 * meter.h - the meter application context: one struct per meter that holds
 * every piece of its mutable state, the associations and security contexts
 * it offers, and the COSEM object server bound to its variant's table.
 *
 * This first cut carries what the DLMS layer needs to be read by a
 * head-end: identity (logical device name, serial numbers, firmware
 * identifiers), the clock, the associations (public 16, management 1 with
 * HLS-5 and ciphering, pre-established 102, optional LLS 17) and the
 * management security context with its invocation counters. The metering
 * functions (energy registers, tariffs, profiles, logs...) are added to
 * this struct by the metering application.
 *
 * Association indexes are fixed, so the const object tables can name them:
 * METER_ASSOC_PUBLIC, _MANAGEMENT, _PRE_ESTABLISHED always exist; _LLS is
 * offered only when an LLS password is configured (it is the last index).
 */
#ifndef EMETER_METER_H
#define EMETER_METER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "dlms/association.h"
#include "dlms/cosem_services.h"
#include "port.h"

#define METER_ERR_BADARG  (-0x0A41) /* NULL pointer or impossible argument */
#define METER_ERR_VARIANT (-0x0A42) /* unknown meter variant */
#define METER_ERR_IDENT   (-0x0A43) /* identity field too long or empty */

enum meter_assoc {
    METER_ASSOC_PUBLIC = 0,          /* client SAP 16, no security */
    METER_ASSOC_MANAGEMENT = 1,      /* client SAP 1, HLS-5 GMAC, ciphered */
    METER_ASSOC_PRE_ESTABLISHED = 2, /* client SAP 102, no AARQ, read-only */
    METER_ASSOC_LLS = 3,             /* client SAP 17, LLS password (optional) */
    METER_ASSOC_COUNT = 4,
};

#define METER_SAP_PUBLIC          16u
#define METER_SAP_MANAGEMENT      1u
#define METER_SAP_PRE_ESTABLISHED 102u
#define METER_SAP_LLS             17u
#define METER_SERVER_SAP          1u /* the management logical device */

enum meter_variant {
    METER_VARIANT_ESMR = 0, /* ESMR 5 three-phase meter (seed 000) */
    METER_VARIANT_OMNI = 1, /* three-phase meter with breaker (seed 004) */
};

#define METER_LDN_MAX    16 /* COSEM logical device name: 16 octets */
#define METER_ID_MAX     32
#define METER_FW_ID_MAX  16

/* What the host (or a microcontroller's factory data) gives a meter. */
typedef struct meter_identity {
    enum meter_variant variant;
    const uint8_t *logical_device_name; /* 1..16 octets */
    size_t logical_device_name_len;
    const char *serial_number;          /* Device ID 1, 0.0.96.1.0.255 */
    const char *equipment_id;           /* Device ID 2, 0.0.96.1.1.255 (DSMR) */
    uint8_t system_title[8];
    const uint8_t *lls_password;        /* NULL: no LLS association */
    size_t lls_password_len;
    uint16_t max_pdu;                   /* server-max-receive-pdu-size */
    int16_t time_zone_min;              /* clock attr 3 (DLMS sign, CET -60) */
} meter_identity_t;

typedef struct meter {
    const em_port_t *port;
    enum meter_variant variant;

    /* identity */
    uint8_t ldn[METER_LDN_MAX];
    uint8_t ldn_len;
    uint8_t serial[METER_ID_MAX];
    uint8_t serial_len;
    uint8_t equipment_id[METER_ID_MAX];
    uint8_t equipment_id_len;
    uint8_t fw_core_id[METER_FW_ID_MAX]; /* 1.0.0.2.0.255 active firmware identifier */
    uint8_t fw_core_id_len;
    uint8_t fw_core_sig[METER_FW_ID_MAX]; /* 1.0.0.2.8.255 active firmware signature */
    uint8_t fw_core_sig_len;
    uint8_t fw_module_id[METER_FW_ID_MAX]; /* 1.1.0.2.0.255 module firmware identifier */
    uint8_t fw_module_id_len;

    /* clock (Clock class state; the time itself is the port RTC) */
    cosem_clock_state_t clock;

    /* security and associations */
    dlms_security_context_t sec_mgmt; /* Security setup 0.0.43.0.0.255 */
    dlms_assoc_config_t assoc[METER_ASSOC_COUNT];
    dlms_assoc_config_t *assoc_list[METER_ASSOC_COUNT];
    uint8_t assoc_count; /* 3, or 4 with LLS */

    /* objects */
    cosem_server_t cosem;
    dlms_cosem_services_t services;

    /* Called after a head-end changed something that must survive a
     * restart (keys, security policy, LLS secret, clock settings). */
    void *hook_user;
    void (*on_persist)(void *user, struct meter *m, const cosem_object_t *obj);
} meter_t;

/* Set up a meter from zero: identity, associations, clock (CET rules with
 * time_zone_min), security policy 3, and the object table of its variant.
 * The caller then loads the keys and counters into m->sec_mgmt (factory
 * values or what it persisted). Returns 0 or METER_ERR_* / COSEM_ERR_*. */
int meter_init(meter_t *m, const meter_identity_t *id, const em_port_t *port);

/* The object table of a variant (for docs/objects.md and tools). */
const cosem_object_t *meter_objects(enum meter_variant v, size_t *count);

/* Variant name <-> id ("esmr", "omni"). */
const char *meter_variant_name(enum meter_variant v);
int meter_variant_from_name(const char *name, enum meter_variant *out);

/* Invocation counter shown to clients (0.0.43.1.0.255): see
 * cosem_ic_for_clients(). Bound as a callback in the tables. */
int meter_read_ic(void *app, uint16_t arg, axdr_enc_t *e);

const char *meter_strerror(int err);

#endif /* EMETER_METER_H */
